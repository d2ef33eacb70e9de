//! Mid-ranks of a whole sample computed once, so that the Mann-Whitney rank sum of any subset is
//! a sum of prefix-sum differences over its index ranges.

/// Ranks of one sample.
#[derive(Debug, Clone)]
pub struct Ranks {
    /// `prefix[i]` = sum of twice the mid-ranks of elements `0..i` (integers, exact in u64).
    pub doubled_rank_prefix: Vec<u64>,
    /// Sum over tie groups of `t^3 - t` (the Mann-Whitney tie correction).
    pub tie_term: f64,
}

impl Ranks {
    /// Mid-ranks (1-based, ties averaged) of `values`, which must not contain NaN.
    pub fn new(values: &[f64]) -> Self {
        let n = values.len();
        // The bit pattern of a double, with the sign bit flipped for positives and all bits
        // flipped for negatives, orders like the value (the total order): one radix sort of
        // (bits, index) pairs ranks everything without comparisons.
        let mut order: Vec<(u64, u32)> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let v = if v == 0.0 { 0.0 } else { v };
                let bits = v.to_bits();
                let key = if bits >> 63 == 1 { !bits } else { bits | (1 << 63) };
                (key, i as u32)
            })
            .collect();
        crate::radix::sort_pairs(&mut order);
        // Doubled mid-ranks written one slot to the right, then summed in place into the
        // prefix sums: one array of n + 1 instead of two.
        let mut prefix = vec![0u64; n + 1];
        let mut tie_term = 0.0f64;
        let mut i = 0usize;
        while i < n {
            let v = order[i].0;
            let mut j = i + 1;
            while j < n && order[j].0 == v {
                j += 1;
            }
            // Positions i..j (0-based) share the mid-rank ((i+1) + j) / 2.
            let doubled_rank = (i + 1 + j) as u64;
            for &(_, k) in &order[i..j] {
                prefix[k as usize + 1] = doubled_rank;
            }
            let t = (j - i) as f64;
            tie_term += t * t * t - t;
            i = j;
        }
        drop(order);
        let mut acc = 0u64;
        for p in prefix.iter_mut() {
            acc += *p;
            *p = acc;
        }
        Ranks { doubled_rank_prefix: prefix, tie_term }
    }

    /// Sum of mid-ranks of the elements in the given half-open index ranges.
    pub fn rank_sum(&self, ranges: &[(u32, u32)]) -> f64 {
        let doubled: u64 = ranges
            .iter()
            .map(|&(a, b)| self.doubled_rank_prefix[b as usize] - self.doubled_rank_prefix[a as usize])
            .sum();
        doubled as f64 / 2.0
    }
}

/// Kruskal-Wallis H (SciPy's `kruskal`: mid-ranks, tie correction) of groups stored one after
/// another: group `g` is `values[bounds[g]..bounds[g + 1]]`. NaN when a group is empty or all
/// values are equal. `values` must not contain NaN.
pub fn kruskal_wallis_h(values: &[f64], bounds: &[usize]) -> f64 {
    let n = values.len() as f64;
    if bounds.windows(2).any(|w| w[1] <= w[0]) {
        return f64::NAN;
    }
    let ranks = Ranks::new(values);
    let correction = 1.0 - ranks.tie_term / (n * n * n - n);
    if correction <= 0.0 {
        return f64::NAN;
    }
    let between: f64 = bounds
        .windows(2)
        .map(|w| {
            let r = ranks.rank_sum(&[(w[0] as u32, w[1] as u32)]);
            r * r / (w[1] - w[0]) as f64
        })
        .sum();
    (12.0 / (n * (n + 1.0)) * between - 3.0 * (n + 1.0)) / correction
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kruskal_matches_the_scipy_vector() {
        // METHODS §E.4: H = 7.366379 for these three groups.
        let x = [1.2, 3.4, 2.2, 5.0, 4.4, 3.3, 2.9, 6.1, 0.5, 4.0];
        let y = [2.0, 1.1, 0.3, 1.9, 2.5, 3.0, 0.9, 1.2, 2.2, 1.7, 0.4];
        let values: Vec<f64> = x.iter().chain(&y).chain(&[1.0, 1.0, 2.0, 2.0, 3.0]).copied().collect();
        let h = kruskal_wallis_h(&values, &[0, 10, 21, 26]);
        assert!((h - 7.366_379).abs() < 1e-6, "{h}");
        assert!(kruskal_wallis_h(&[1.0, 1.0, 1.0], &[0, 1, 3]).is_nan());
        assert!(kruskal_wallis_h(&[1.0, 2.0], &[0, 0, 2]).is_nan());
    }

    #[test]
    fn mid_ranks_and_ties() {
        let r = Ranks::new(&[3.0, 1.0, 3.0, 2.0, 3.0]);
        // ranks: 4, 1, 4, 2, 4
        assert_eq!(r.rank_sum(&[(0, 1)]), 4.0);
        assert_eq!(r.rank_sum(&[(1, 2), (3, 4)]), 3.0);
        assert_eq!(r.rank_sum(&[(0, 5)]), 15.0);
        assert_eq!(r.tie_term, 24.0);
    }
}
