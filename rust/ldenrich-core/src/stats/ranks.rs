//! Mid-ranks of a whole sample computed once, so that the Mann-Whitney rank sum of any subset is
//! a sum of prefix-sum differences over its index ranges; and the Kruskal-Wallis H of groups.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::parallel::cuts_at_common_keys;

/// Samples at least this large are sorted in two halves on two threads.
const PARALLEL_FROM: usize = 1 << 16;

/// `(key, index)` of the values in `range` sorted by key, where the key is the bit pattern of
/// the value reordered to sort like the value (total order; -0 is 0).
fn sorted_keys(values: &[f64], range: std::ops::Range<usize>) -> Vec<(u64, u32)> {
    let start = range.start;
    // With the sign bit flipped for positives and all bits flipped for negatives, the bit
    // pattern of a double orders like the value.
    let mut order: Vec<(u64, u32)> = values[range]
        .iter()
        .zip(start as u32..)
        .map(|(&v, i)| {
            let bits = if v == 0.0 { 0.0f64 } else { v }.to_bits();
            (if bits >> 63 == 1 { !bits } else { bits | (1 << 63) }, i)
        })
        .collect();
    // Three radix passes on sign, exponent and 20 bits of mantissa order all but values closer
    // than one part in a million; the (short) runs those leave are then sorted on the full key.
    crate::radix::sort_pairs_by_high_bits(&mut order, 32);
    let mut run = 0usize;
    for k in 1..=order.len() {
        if k == order.len() || order[k].0 >> 32 != order[run].0 >> 32 {
            let group = &mut order[run..k];
            if group.len() > 1 && group.iter().any(|p| p.0 != group[0].0) {
                group.sort_unstable_by_key(|p| p.0);
            }
            run = k;
        }
    }
    order
}

/// Merges two sorted runs of `(key, index)` whose elements have `position` smaller keys
/// elsewhere, writing each element's doubled mid-rank to `slots[index + 1]`; returns the sum of
/// `t^3 - t` over the tie groups.
fn merge_ranks(a: &[(u64, u32)], b: &[(u64, u32)], mut position: usize, slots: &[AtomicU64]) -> u128 {
    let mut tie_sum = 0u128;
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => x.0.min(y.0),
            (Some(x), None) => x.0,
            (None, Some(y)) => y.0,
            (None, None) => unreachable!(),
        };
        let i_end = i + a[i..].iter().take_while(|p| p.0 == v).count();
        let j_end = j + b[j..].iter().take_while(|p| p.0 == v).count();
        let t = (i_end - i) + (j_end - j);
        // Positions position..position + t (0-based) share the mid-rank
        // ((position + 1) + (position + t)) / 2.
        let doubled_rank = (2 * position + t + 1) as u64;
        for &(_, k) in a[i..i_end].iter().chain(&b[j..j_end]) {
            slots[k as usize + 1].store(doubled_rank, Ordering::Relaxed);
        }
        position += t;
        let t = t as u128;
        tie_sum += t * t * t - t;
        (i, j) = (i_end, j_end);
    }
    tie_sum
}

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
        // Each half is sorted on its own thread and the two are merged while ranking; the
        // result is the same whatever the split, since tied values share one mid-rank.
        let (a, b) = if n >= PARALLEL_FROM {
            rayon::join(|| sorted_keys(values, 0..n / 2), || sorted_keys(values, n / 2..n))
        } else {
            (sorted_keys(values, 0..n), Vec::new())
        };
        // Doubled mid-ranks are written one slot to the right, then summed into the prefix
        // sums. The merge writes one random slot an element, so parts of the key range are
        // merged on all threads; a part starts at a key boundary of both halves, so no tie group
        // is split, and the tie term is summed exactly (integers), so nothing depends on the
        // split.
        let slots: Vec<AtomicU64> = (0..n + 1).into_par_iter().map(|_| AtomicU64::new(0)).collect();
        let parts = if n >= PARALLEL_FROM { rayon::current_num_threads() * 4 } else { 1 };
        let cuts = cuts_at_common_keys(&a, &b, parts, |p| p.0, |p| p.0);
        let tie_sum: u128 = cuts
            .par_windows(2)
            .map(|w| merge_ranks(&a[w[0].0..w[1].0], &b[w[0].1..w[1].1], w[0].0 + w[0].1, &slots))
            .sum();
        drop((a, b));
        let mut acc = 0u64;
        let prefix: Vec<u64> = slots
            .into_iter()
            .map(|slot| {
                acc += slot.into_inner();
                acc
            })
            .collect();
        let tie_term = tie_sum as f64;
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
        // docs/methods.md §4.3: H = 7.366379 for these three groups.
        let x = [1.2, 3.4, 2.2, 5.0, 4.4, 3.3, 2.9, 6.1, 0.5, 4.0];
        let y = [2.0, 1.1, 0.3, 1.9, 2.5, 3.0, 0.9, 1.2, 2.2, 1.7, 0.4];
        let values: Vec<f64> = x.iter().chain(&y).chain(&[1.0, 1.0, 2.0, 2.0, 3.0]).copied().collect();
        let h = kruskal_wallis_h(&values, &[0, 10, 21, 26]);
        assert!((h - 7.366_379).abs() < 1e-6, "{h}");
        assert!(kruskal_wallis_h(&[1.0, 1.0, 1.0], &[0, 1, 3]).is_nan());
        assert!(kruskal_wallis_h(&[1.0, 2.0], &[0, 0, 2]).is_nan());
    }

    /// Mid-ranks by comparison sort, for checking the radix path.
    fn slow_doubled_ranks(values: &[f64]) -> (Vec<u64>, f64) {
        let mut idx: Vec<usize> = (0..values.len()).collect();
        idx.sort_by(|&a, &b| values[a].partial_cmp(&values[b]).unwrap());
        let mut doubled = vec![0u64; values.len()];
        let mut tie_term = 0.0;
        let mut i = 0;
        while i < idx.len() {
            let mut j = i + 1;
            while j < idx.len() && values[idx[j]] == values[idx[i]] {
                j += 1;
            }
            for &k in &idx[i..j] {
                doubled[k] = (i + 1 + j) as u64;
            }
            let t = (j - i) as f64;
            tie_term += t * t * t - t;
            i = j;
        }
        (doubled, tie_term)
    }

    #[test]
    fn radix_ranks_match_a_comparison_sort_on_both_paths() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || crate::testing::xorshift(&mut state);
        // Above and below the two-thread size; values with many exact ties, values differing
        // only beyond the 20 mantissa bits of the radix passes, signed zeros and negatives.
        for n in [1000usize, PARALLEL_FROM + 17] {
            let values: Vec<f64> = (0..n)
                .map(|_| match next() % 5 {
                    0 => (next() % 50) as f64 * 0.25,
                    1 => 1.0 + (next() % 8) as f64 * f64::EPSILON,
                    2 => {
                        if next() % 2 == 0 {
                            0.0
                        } else {
                            -0.0
                        }
                    }
                    3 => -((next() % 1000) as f64) / 7.0,
                    _ => (next() >> 11) as f64 / (1u64 << 53) as f64 * 1e3,
                })
                .collect();
            let (doubled, tie_term) = slow_doubled_ranks(&values);
            let mut acc = 0u64;
            let mut want = vec![0u64];
            for d in doubled {
                acc += d;
                want.push(acc);
            }
            // The merge is split over parts of the key range, as many as the threads allow.
            for threads in [1, 2, 5] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let r = pool.install(|| Ranks::new(&values));
                assert_eq!(r.doubled_rank_prefix, want, "n = {n}, {threads} threads");
                assert_eq!(r.tie_term, tie_term, "n = {n}, {threads} threads");
            }
        }
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
