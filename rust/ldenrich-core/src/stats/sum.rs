//! Compensated summation, so sums over millions of chi-squares keep full double precision and
//! do not depend on how work is split.

/// Neumaier's improved Kahan summation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    /// Adds `x`.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// The compensated total.
    #[inline]
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Compensated sum of a slice.
pub fn sum(values: &[f64]) -> f64 {
    let mut s = Sum::default();
    for &v in values {
        s.add(v);
    }
    s.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensates() {
        let values = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(sum(&values), 2.0);
        let naive: f64 = values.iter().sum();
        assert_ne!(naive, 2.0);
    }
}
