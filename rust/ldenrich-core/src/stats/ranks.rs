//! Mid-ranks of a whole sample computed once, so that the Mann-Whitney rank sum of any subset is
//! a sum of prefix-sum differences over its index ranges.

use rayon::prelude::*;

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
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.par_sort_unstable_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]));
        let mut doubled = vec![0u64; n];
        let mut tie_term = 0.0f64;
        let mut i = 0usize;
        while i < n {
            let v = values[order[i] as usize];
            let mut j = i + 1;
            while j < n && values[order[j] as usize] == v {
                j += 1;
            }
            // Positions i..j (0-based) share the mid-rank ((i+1) + j) / 2.
            let doubled_rank = (i + 1 + j) as u64;
            for &k in &order[i..j] {
                doubled[k as usize] = doubled_rank;
            }
            let t = (j - i) as f64;
            tie_term += t * t * t - t;
            i = j;
        }
        let mut prefix = Vec::with_capacity(n + 1);
        prefix.push(0u64);
        let mut acc = 0u64;
        for d in doubled {
            acc += d;
            prefix.push(acc);
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

#[cfg(test)]
mod tests {
    use super::*;

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
