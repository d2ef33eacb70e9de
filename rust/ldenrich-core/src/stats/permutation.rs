//! The screen's permutation null: a category's membership circularly shifted along each
//! chromosome's SNP order.
//!
//! A shift keeps what makes the jackknife p too small for small categories: the category's shape
//! (how many SNPs, in how many runs, how far apart) and the autocorrelation of chi-square along
//! the genome (LD). Each chromosome holding annotated SNPs gets its own uniform offset, so a
//! category spread over several chromosomes has many more distinct placements than a single
//! genome-wide shift would give. Under a null where chi-square is stationary along each
//! chromosome the observed placement is exchangeable with the shifted ones, so
//! `p = (1 + #{null >= observed}) / (K + 1)` is valid at every K (docs/calibration.md).
//!
//! The enrichment ratio is monotone in the annotated chi-square sum (the SNP counts do not change
//! under a shift), so each permutation costs one prefix-sum difference per run of the category:
//! time proportional to its ranges, not its SNPs.

use std::hash::Hash;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};
use rustc_hash::FxHashSet;

use crate::error::{Error, Result};
use crate::stats::sum::Sum;

/// Largest number of permutations accepted (beyond it a run would take hours per category).
pub const MAX_PERMUTATIONS: usize = 100_000_000;

/// Segment boundaries `[0, e_1, ..., m]` of the runs of equal labels (chromosomes), checking that
/// each label forms one contiguous run, as it does for SNPs in genome order.
pub fn segments_from_labels<T: Copy + Eq + Hash + std::fmt::Debug>(labels: &[T]) -> Result<Vec<usize>> {
    let mut bounds = vec![0];
    let mut seen = FxHashSet::default();
    for (i, w) in labels.windows(2).enumerate() {
        if w[0] != w[1] {
            if !seen.insert(w[0]) {
                return Err(Error::InvalidArgument(format!(
                    "chromosome {:?} appears in two separate runs (SNP {i} is not in genome order)",
                    w[0]
                )));
            }
            bounds.push(i + 1);
        }
    }
    if let Some(last) = labels.last() {
        if seen.contains(last) {
            return Err(Error::InvalidArgument(format!(
                "chromosome {last:?} appears in two separate runs (SNPs are not in genome order)"
            )));
        }
    }
    bounds.push(labels.len());
    Ok(bounds)
}

/// `(segment, first, last)`: a chromosome and the half-open run of a category's pieces on it.
type ChromosomeGroup = (usize, usize, usize);

/// Everything the permutations of all categories share: prefix sums and chromosome bounds.
#[derive(Debug)]
pub struct ShiftNull {
    prefix: Vec<f64>,
    segments: Vec<usize>,
}

impl ShiftNull {
    /// Prefix sums of `chisq` (compensated, so each one is the correctly rounded partial sum) and
    /// the segment boundaries `[0, ..., chisq.len()]` (from [`segments_from_labels`]).
    pub fn new(chisq: &[f64], segments: Vec<usize>) -> Result<Self> {
        let m = chisq.len();
        let valid =
            segments.first() == Some(&0) && segments.last() == Some(&m) && segments.windows(2).all(|w| w[0] < w[1]);
        if !valid && m > 0 {
            return Err(Error::InvalidArgument(format!("chromosome bounds must rise strictly from 0 to the {m} SNPs")));
        }
        let mut prefix = Vec::with_capacity(m + 1);
        let mut running = Sum::default();
        prefix.push(0.0);
        for &x in chisq {
            running.add(x);
            prefix.push(running.value());
        }
        Ok(ShiftNull { prefix, segments })
    }

    /// One-sided permutation p of the category's chi-square sum and the number of shifts drawn.
    ///
    /// Besag and Clifford's (1991) sequential rule: draw until `stop_after` shifts reach the
    /// observed sum (p = `stop_after / drawn`) or `permutations` are drawn (p = `(1 + reached) /
    /// (permutations + 1)`); `stop_after = 0` always draws them all. Both are valid p-values, and
    /// categories far from significance stop after a few hundred shifts, so a large
    /// `permutations` costs little. The generator is seeded from `seed` and the category's own
    /// ranges, so a category gets the same draws whatever other categories run beside it, in any
    /// order, on any number of threads. NaN (and 0 drawn) when `permutations` is 0.
    pub fn p_value(&self, ranges: &[(u32, u32)], permutations: usize, stop_after: usize, seed: u64) -> (f64, usize) {
        if permutations == 0 {
            return (f64::NAN, 0);
        }
        let (pieces, groups) = self.split(ranges);
        let p = &self.prefix;
        let observed: f64 = pieces.iter().map(|&(a, b)| p[b] - p[a]).sum();
        // Shifts that give back the same SNPs (a category filling a chromosome) are computed
        // through other prefix sums and may round a few ulps lower; counting values within this
        // margin as ties keeps p from ever being too small.
        let margin = 4.0 * f64::EPSILON * p[p.len() - 1].abs() * (pieces.len() + 1) as f64;
        let threshold = observed - margin;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(category_key(seed, ranges));
        let mut exceed = 0usize;
        for drawn in 1..=permutations {
            let mut total = 0.0;
            for &(segment, lo, hi) in &groups {
                let (s0, s1) = (self.segments[segment], self.segments[segment + 1]);
                let len = s1 - s0;
                let shift = rng.random_range(0..len);
                for &(a, b) in &pieces[lo..hi] {
                    let mut start = a + shift;
                    if start >= s1 {
                        start -= len;
                    }
                    let end = start + (b - a);
                    total +=
                        if end <= s1 { p[end] - p[start] } else { (p[s1] - p[start]) + (p[s0 + end - s1] - p[s0]) };
                }
            }
            if total >= threshold {
                exceed += 1;
                if exceed == stop_after {
                    return (stop_after as f64 / drawn as f64, drawn);
                }
            }
        }
        ((1 + exceed) as f64 / (permutations + 1) as f64, permutations)
    }

    /// The ranges cut at chromosome bounds, and per chromosome `(segment, first, last)` indices
    /// into the pieces.
    fn split(&self, ranges: &[(u32, u32)]) -> (Vec<(usize, usize)>, Vec<ChromosomeGroup>) {
        let mut pieces = Vec::with_capacity(ranges.len());
        let mut groups: Vec<ChromosomeGroup> = Vec::new();
        for &(a, b) in ranges {
            let (mut a, b) = (a as usize, b as usize);
            let mut segment = self.segments.partition_point(|&s| s <= a) - 1;
            while a < b {
                let end = b.min(self.segments[segment + 1]);
                match groups.last_mut() {
                    Some(g) if g.0 == segment => g.2 += 1,
                    _ => groups.push((segment, pieces.len(), pieces.len() + 1)),
                }
                pieces.push((a, end));
                a = end;
                segment += 1;
            }
        }
        (pieces, groups)
    }
}

/// A 64-bit key of the seed and the category's ranges (SplitMix64 steps, a fixed algorithm).
fn category_key(seed: u64, ranges: &[(u32, u32)]) -> u64 {
    ranges.iter().fold(SplitMix64::seed_from_u64(seed).random::<u64>(), |key, &(a, b)| {
        SplitMix64::seed_from_u64(key ^ ((a as u64) << 32 | b as u64)).random::<u64>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::xorshift;

    /// Every distinct placement, enumerated: the exact permutation distribution.
    fn exact_null_sums(chisq: &[f64], segments: &[usize], ranges: &[(u32, u32)]) -> Vec<Vec<f64>> {
        let member: Vec<bool> =
            (0..chisq.len()).map(|i| ranges.iter().any(|&(a, b)| (a as usize..b as usize).contains(&i))).collect();
        segments
            .windows(2)
            .map(|w| {
                let len = w[1] - w[0];
                (0..len)
                    .map(|u| {
                        (w[0]..w[1]).filter(|&i| member[i]).map(|i| chisq[w[0] + (i - w[0] + u) % len]).sum::<f64>()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn segments_are_runs_of_labels() {
        assert_eq!(segments_from_labels(&[1u8, 1, 2, 2, 2, 5]).unwrap(), [0, 2, 5, 6]);
        assert_eq!(segments_from_labels::<u8>(&[]).unwrap(), [0, 0]);
        assert!(segments_from_labels(&[1u8, 2, 1]).is_err());
        assert!(segments_from_labels(&[1u8, 2, 2, 1, 3]).is_err());
    }

    #[test]
    fn single_chromosome_p_matches_the_exact_shift_distribution() {
        // On one chromosome with K large, p converges to the fraction of the m shifts whose sum
        // is >= the observed one.
        let mut state = 7u64;
        let mut next = || xorshift(&mut state);
        let chisq: Vec<f64> = (0..200).map(|_| (next() % 1000) as f64 / 100.0).collect();
        let ranges = [(10u32, 14u32), (50, 53), (198, 200)];
        let null = ShiftNull::new(&chisq, vec![0, 200]).unwrap();
        let sums = &exact_null_sums(&chisq, &[0, 200], &ranges)[0];
        let observed = sums[0];
        let exact = sums.iter().filter(|&&s| s >= observed - 1e-9).count() as f64 / sums.len() as f64;
        let p = null.p_value(&ranges, 200_000, 0, 11).0;
        assert!((p - exact).abs() < 4.0 * (exact * (1.0 - exact) / 200_000.0).sqrt() + 1e-5, "{p} vs {exact}");
    }

    #[test]
    fn shifts_wrap_within_each_chromosome_and_are_independent() {
        // Two chromosomes; the category has one SNP on each. With chi-square 0 everywhere but
        // one SNP per chromosome, the null sum is the number of hits: P(both) = 1/16, P(one) = 6/16.
        let mut chisq = vec![0.0; 8];
        chisq[0] = 1.0;
        chisq[4] = 1.0;
        let ranges = [(0u32, 1u32), (4, 5)];
        let null = ShiftNull::new(&chisq, vec![0, 4, 8]).unwrap();
        let k = 400_000;
        let p = null.p_value(&ranges, k, 0, 3).0;
        let want = 1.0 / 16.0;
        assert!((p - want).abs() < 4.0 * (want * (1.0 - want) / k as f64).sqrt(), "{p}");
        // A run crossing the chromosome bound is cut there: the piece on chr 2 wraps on chr 2.
        let crossing = [(3u32, 5u32)];
        let sums = exact_null_sums(&chisq, &[0, 4, 8], &crossing);
        assert_eq!(sums[0].iter().sum::<f64>(), 1.0);
        let p = null.p_value(&crossing, k, 0, 3).0;
        // Observed sum 1 (SNP 4); null: hit on chr1 w.p. 1/4, on chr2 w.p. 1/4; P(sum >= 1) = 7/16.
        assert!((p - 7.0 / 16.0).abs() < 0.005, "{p}");
    }

    #[test]
    fn a_category_filling_its_chromosome_has_p_one() {
        let mut state = 5u64;
        let mut next = || xorshift(&mut state);
        let chisq: Vec<f64> = (0..3000).map(|_| (next() % 100_000) as f64 / 7.0).collect();
        let null = ShiftNull::new(&chisq, vec![0, 1000, 3000]).unwrap();
        assert_eq!(null.p_value(&[(0, 1000)], 999, 0, 1).0, 1.0);
        assert_eq!(null.p_value(&[(1000, 3000)], 999, 0, 1).0, 1.0);
    }

    #[test]
    fn deterministic_for_a_seed_and_sensitive_to_it() {
        let mut state = 9u64;
        let mut next = || xorshift(&mut state);
        let chisq: Vec<f64> = (0..5000).map(|_| (next() % 10_000) as f64 / 1000.0).collect();
        let null = ShiftNull::new(&chisq, vec![0, 2500, 5000]).unwrap();
        let r = [(100u32, 140u32), (3000, 3040)];
        assert_eq!(null.p_value(&r, 999, 0, 42).0.to_bits(), null.p_value(&r, 999, 0, 42).0.to_bits());
        let draws: Vec<f64> = (0..20).map(|s| null.p_value(&r, 999, 0, s).0).collect();
        assert!(draws.iter().any(|&p| p != draws[0]));
        assert!(null.p_value(&r, 0, 0, 1).0.is_nan());
        // A strongly enriched category is at the floor 1 / (K + 1).
        let mut hot = chisq.clone();
        for x in &mut hot[100..140] {
            *x += 50.0;
        }
        let null = ShiftNull::new(&hot, vec![0, 2500, 5000]).unwrap();
        assert_eq!(null.p_value(&[(100, 140)], 999, 0, 1).0, 1.0 / 1000.0);
    }

    #[test]
    fn sequential_stopping_draws_until_enough_shifts_reach_the_observed_sum() {
        let mut state = 13u64;
        let mut next = || xorshift(&mut state);
        let chisq: Vec<f64> = (0..4000).map(|_| (next() % 10_000) as f64 / 1000.0).collect();
        let null = ShiftNull::new(&chisq, vec![0, 4000]).unwrap();
        // A typical category: about half the shifts reach it, so 20 are reached in ~40 draws.
        let r = [(1000u32, 1030u32)];
        let (p, drawn) = null.p_value(&r, 100_000, 20, 8);
        assert!(drawn < 1000, "{drawn}");
        assert_eq!(p, 20.0 / drawn as f64);
        // The same draws as without stopping, cut short: the full run's first `drawn` agree.
        let (p_full, drawn_full) = null.p_value(&r, drawn, 0, 8);
        assert_eq!(drawn_full, drawn);
        assert!((p_full - (1.0 + 20.0) / (drawn as f64 + 1.0)).abs() < 1e-12);
        // An enriched category never reaches the stop: all shifts are drawn.
        let mut hot = chisq.clone();
        for x in &mut hot[1000..1030] {
            *x += 40.0;
        }
        let null = ShiftNull::new(&hot, vec![0, 4000]).unwrap();
        let (p, drawn) = null.p_value(&r, 5000, 20, 8);
        assert_eq!(drawn, 5000);
        assert!(p < 0.001 && ((p * 5001.0).round() - p * 5001.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn bad_bounds_are_refused() {
        assert!(ShiftNull::new(&[1.0, 2.0], vec![0, 1]).is_err());
        assert!(ShiftNull::new(&[1.0, 2.0], vec![0, 1, 1, 2]).is_err());
    }
}
