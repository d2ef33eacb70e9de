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
use crate::stats::jackknife::{jackknife_se, ratio_without_block};
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

/// Everything the permutations of all categories share: prefix sums, chromosome bounds and the
/// jackknife blocks.
#[derive(Debug)]
pub struct ShiftNull {
    prefix: Vec<f64>,
    segments: Vec<usize>,
    separators: Vec<usize>,
    block_total: Vec<f64>,
}

/// A category's permutation p-value and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PermutationP {
    /// One-sided p (NaN without permutations).
    pub p: f64,
    /// Shifts that entered the p (with a defined jackknife, in the studentized mode).
    pub drawn: usize,
    /// Whether the shifts were compared by their jackknife z (true) or by their ratio (false:
    /// the category's own jackknife is undefined, e.g. all its SNPs in one block).
    pub studentized: bool,
}

/// Per-block sums of one placement, reused across shifts.
struct Scratch {
    sum: Vec<f64>,
    count: Vec<usize>,
    deletes: Vec<f64>,
    intervals: Vec<(usize, usize)>,
    /// The intervals cut at block bounds, as (block, start, end).
    cuts: Vec<(usize, usize, usize)>,
}

impl ShiftNull {
    /// Prefix sums of `chisq` (compensated, so each one is the correctly rounded partial sum),
    /// the segment boundaries `[0, ..., chisq.len()]` (from [`segments_from_labels`]) and the
    /// jackknife block separators (as [`crate::stats::jackknife::block_separators`] gives them).
    pub fn new(chisq: &[f64], segments: Vec<usize>, separators: Vec<usize>) -> Result<Self> {
        let m = chisq.len();
        let rises = |v: &[usize]| v.first() == Some(&0) && v.last() == Some(&m) && v.windows(2).all(|w| w[0] < w[1]);
        if m > 0 && !rises(&segments) {
            return Err(Error::InvalidArgument(format!("chromosome bounds must rise strictly from 0 to the {m} SNPs")));
        }
        if m > 0 && !rises(&separators) {
            return Err(Error::InvalidArgument(format!("block bounds must rise strictly from 0 to the {m} SNPs")));
        }
        let mut prefix = Vec::with_capacity(m + 1);
        let mut running = Sum::default();
        prefix.push(0.0);
        for &x in chisq {
            running.add(x);
            prefix.push(running.value());
        }
        let block_total = separators.windows(2).map(|w| prefix[w[1]] - prefix[w[0]]).collect();
        Ok(ShiftNull { prefix, segments, separators, block_total })
    }

    /// One-sided permutation p of the category's enrichment against its circular shifts.
    ///
    /// The statistic is the category's delete-one-block jackknife z, `(ratio - 1) / SE`: the
    /// SE of each placement carries the LD of the SNPs it covers, so a category in an LD-rich
    /// region is compared with shifts on the same scale (the ratio alone is not: gene windows
    /// sit in more LD than the genome on average, and against shifts of the ratio their p is
    /// too small). Shifts whose jackknife is undefined are skipped, which conditions the test
    /// on a defined jackknife. A category whose own jackknife is undefined (all its SNPs in one
    /// block) is compared by its ratio instead. docs/calibration.md has the measurements.
    ///
    /// Besag and Clifford's (1991) sequential rule: draw until `stop_after` shifts reach the
    /// observed statistic (p = `stop_after / drawn`) or `permutations` are drawn (p = `(1 +
    /// reached) / (permutations + 1)`); `stop_after = 0` always draws them all. Both are valid
    /// p-values, and categories far from significance stop after a few hundred shifts, so a large
    /// `permutations` costs little. The generator is seeded from `seed` and the category's own
    /// ranges, so a category gets the same draws whatever other categories run beside it, in any
    /// order, on any number of threads.
    pub fn p_value(&self, ranges: &[(u32, u32)], permutations: usize, stop_after: usize, seed: u64) -> PermutationP {
        if permutations == 0 {
            return PermutationP { p: f64::NAN, drawn: 0, studentized: false };
        }
        let (pieces, groups) = self.split(ranges);
        let blocks = self.separators.len() - 1;
        let mut scratch = Scratch {
            sum: vec![0.0; blocks],
            count: vec![0; blocks],
            deletes: Vec::with_capacity(blocks),
            intervals: Vec::with_capacity(pieces.len() + groups.len()),
            cuts: Vec::with_capacity(pieces.len() + groups.len()),
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(category_key(seed, ranges));
        self.place(&pieces, &groups, None, &mut scratch.intervals);
        let observed_z = self.jackknife_z(&mut scratch);
        let studentized = observed_z.is_some();
        let observed = observed_z.unwrap_or_else(|| self.sum(&scratch.intervals));
        // A shift that gives back the same SNPs (a category filling a chromosome) is computed
        // through other prefix sums and may round a few ulps lower; counting values within this
        // margin as ties keeps p from ever being too small.
        let margin = if studentized {
            1e-9 * (1.0 + observed.abs())
        } else {
            4.0 * f64::EPSILON * self.prefix[self.prefix.len() - 1].abs() * (pieces.len() + 1) as f64
        };
        let threshold = observed - margin;
        // Shifts with an undefined jackknife do not count; a category whose shifts almost all
        // lack one stops after this many attempts with the shifts it has.
        let max_attempts = permutations.saturating_mul(10);
        let (mut drawn, mut exceed) = (0usize, 0usize);
        for _ in 0..max_attempts {
            if drawn == permutations {
                break;
            }
            self.place(&pieces, &groups, Some(&mut rng), &mut scratch.intervals);
            let value = if studentized {
                match self.jackknife_z(&mut scratch) {
                    Some(z) => z,
                    None => continue,
                }
            } else {
                self.sum(&scratch.intervals)
            };
            drawn += 1;
            if value >= threshold {
                exceed += 1;
                if exceed == stop_after {
                    return PermutationP { p: stop_after as f64 / drawn as f64, drawn, studentized };
                }
            }
        }
        PermutationP { p: (1 + exceed) as f64 / (drawn + 1) as f64, drawn, studentized }
    }

    /// The category's intervals after shifting each chromosome's pieces by its own offset
    /// (drawn from `rng`; none: the category itself), a piece that runs past the chromosome's
    /// end continuing at its start.
    fn place(
        &self,
        pieces: &[(usize, usize)],
        groups: &[ChromosomeGroup],
        mut rng: Option<&mut Xoshiro256PlusPlus>,
        out: &mut Vec<(usize, usize)>,
    ) {
        out.clear();
        for &(segment, lo, hi) in groups {
            let (s0, s1) = (self.segments[segment], self.segments[segment + 1]);
            let len = s1 - s0;
            let shift = rng.as_mut().map_or(0, |r| r.random_range(0..len));
            for &(a, b) in &pieces[lo..hi] {
                let mut start = a + shift;
                if start >= s1 {
                    start -= len;
                }
                let end = start + (b - a);
                if end <= s1 {
                    out.push((start, end));
                } else {
                    out.push((start, s1));
                    out.push((s0, s0 + end - s1));
                }
            }
        }
    }

    fn sum(&self, intervals: &[(usize, usize)]) -> f64 {
        intervals.iter().map(|&(a, b)| self.prefix[b] - self.prefix[a]).sum()
    }

    /// The jackknife z of a placement, `(ratio - 1) / SE` with the screen's delete-one-block
    /// SE, or None where it is undefined (a block holding all annotated or all other SNPs).
    fn jackknife_z(&self, scratch: &mut Scratch) -> Option<f64> {
        let (p, sep) = (&self.prefix, &self.separators);
        scratch.sum.fill(0.0);
        scratch.count.fill(0);
        // Two passes: the cuts first (binary searches, branchy but in cache), then the prefix-sum
        // reads, which miss the cache (random shifts into an array of the universe's size); in a
        // loop without branches the CPU keeps many of those reads in flight. Same additions in
        // the same order as one pass, so the same bits.
        scratch.cuts.clear();
        for &(a, b) in &scratch.intervals {
            let mut block = sep.partition_point(|&s| s <= a) - 1;
            let mut pos = a;
            while pos < b {
                let end = b.min(sep[block + 1]);
                scratch.cuts.push((block, pos, end));
                pos = end;
                block += 1;
            }
        }
        for &(block, pos, end) in &scratch.cuts {
            scratch.sum[block] += p[end] - p[pos];
            scratch.count[block] += end - pos;
        }
        let m = p.len() - 1;
        let n_in: usize = scratch.count.iter().sum();
        if n_in == 0 || n_in == m {
            return None;
        }
        let s_in: f64 = scratch.sum.iter().sum();
        let (s_out, n_out) = (p[m] - s_in, m - n_in);
        let ratio = (s_in / n_in as f64) / (s_out / n_out as f64);
        scratch.deletes.clear();
        for b in 0..scratch.sum.len() {
            let (sb, nb, n_block) = (scratch.sum[b], scratch.count[b], sep[b + 1] - sep[b]);
            let d = ratio_without_block(s_in, n_in, s_out, n_out, sb, nb, self.block_total[b], n_block)?;
            scratch.deletes.push(d);
        }
        let se = jackknife_se(ratio, &scratch.deletes);
        (se.is_finite() && se > 0.0).then(|| (ratio - 1.0) / se)
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
    use crate::stats::jackknife::block_separators;
    use crate::testing::xorshift;

    fn random_chisq(seed: u64, m: usize, scale: u64) -> Vec<f64> {
        let mut state = seed;
        (0..m).map(|_| (xorshift(&mut state) % scale) as f64 / 100.0).collect()
    }

    fn mask(m: usize, ranges: &[(u32, u32)]) -> Vec<bool> {
        (0..m).map(|i| ranges.iter().any(|&(a, b)| (a as usize..b as usize).contains(&i))).collect()
    }

    /// The jackknife z by brute force: every delete value from the raw chi-squares.
    fn brute_z(chisq: &[f64], member: &[bool], sep: &[usize]) -> Option<f64> {
        let ratio_without = |skip: Option<usize>| -> Option<f64> {
            let (mut si, mut ni, mut so, mut no) = (0.0, 0usize, 0.0, 0usize);
            for (i, (&x, &inside)) in chisq.iter().zip(member).enumerate() {
                if skip.is_some_and(|b| (sep[b]..sep[b + 1]).contains(&i)) {
                    continue;
                }
                if inside {
                    si += x;
                    ni += 1;
                } else {
                    so += x;
                    no += 1;
                }
            }
            (ni > 0 && no > 0).then(|| (si / ni as f64) / (so / no as f64))
        };
        let theta = ratio_without(None)?;
        let deletes: Vec<f64> = (0..sep.len() - 1).map(|b| ratio_without(Some(b))).collect::<Option<_>>()?;
        let bf = deletes.len() as f64;
        let pseudo: Vec<f64> = deletes.iter().map(|d| bf * theta - (bf - 1.0) * d).collect();
        let mean = pseudo.iter().sum::<f64>() / bf;
        let se = (pseudo.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (bf - 1.0) / bf).sqrt();
        (se > 0.0 && se.is_finite()).then(|| (theta - 1.0) / se)
    }

    /// Every shift of a one-chromosome category: the exact studentized permutation p.
    fn exact_studentized_p(chisq: &[f64], ranges: &[(u32, u32)], sep: &[usize]) -> f64 {
        let m = chisq.len();
        let member = mask(m, ranges);
        let z: Vec<Option<f64>> = (0..m)
            .map(|u| {
                let shifted: Vec<bool> = (0..m).map(|i| member[(i + m - u) % m]).collect();
                brute_z(chisq, &shifted, sep)
            })
            .collect();
        let observed = z[0].unwrap();
        let defined: Vec<f64> = z.iter().flatten().copied().collect();
        defined.iter().filter(|&&v| v >= observed - 1e-9).count() as f64 / defined.len() as f64
    }

    #[test]
    fn segments_are_runs_of_labels() {
        assert_eq!(segments_from_labels(&[1u8, 1, 2, 2, 2, 5]).unwrap(), [0, 2, 5, 6]);
        assert_eq!(segments_from_labels::<u8>(&[]).unwrap(), [0, 0]);
        assert!(segments_from_labels(&[1u8, 2, 1]).is_err());
        assert!(segments_from_labels(&[1u8, 2, 2, 1, 3]).is_err());
    }

    #[test]
    fn studentized_p_matches_the_exact_shift_distribution() {
        // One chromosome, 10 blocks: p converges to the fraction of the shifts with a defined
        // jackknife whose z is >= the observed z (z from a brute-force jackknife).
        let chisq = random_chisq(7, 200, 1000);
        let sep = block_separators(200, 10);
        for ranges in [vec![(10u32, 14u32), (50, 53), (198, 200)], vec![(15, 35)], vec![(0, 3), (100, 160)]] {
            let null = ShiftNull::new(&chisq, vec![0, 200], sep.clone()).unwrap();
            let exact = exact_studentized_p(&chisq, &ranges, &sep);
            let k = 200_000;
            let got = null.p_value(&ranges, k, 0, 11);
            assert!(got.studentized && got.drawn == k);
            let tol = 4.0 * (exact * (1.0 - exact) / k as f64).sqrt() + 1e-5;
            assert!((got.p - exact).abs() < tol, "{ranges:?}: {} vs {exact}", got.p);
        }
    }

    #[test]
    fn a_category_in_one_block_is_compared_by_its_ratio_with_shifts_wrapping_per_chromosome() {
        // One block: no jackknife, so the ratio decides. Chi-square 0 but one SNP per chromosome;
        // the category has one SNP on each: P(null sum >= 2 hits) = 1/16.
        let mut chisq = vec![0.0; 8];
        chisq[0] = 1.0;
        chisq[4] = 1.0;
        let null = ShiftNull::new(&chisq, vec![0, 4, 8], vec![0, 8]).unwrap();
        let k = 400_000;
        let got = null.p_value(&[(0, 1), (4, 5)], k, 0, 3);
        assert!(!got.studentized);
        let want = 1.0 / 16.0;
        assert!((got.p - want).abs() < 4.0 * (want * (1.0 - want) / k as f64).sqrt(), "{}", got.p);
        // A run crossing the chromosome bound is cut there and each piece wraps on its own
        // chromosome: observed 1 (SNP 4); P(a hit on chr 1 or chr 2) = 1 - (3/4)^2 = 7/16.
        let got = null.p_value(&[(3, 5)], k, 0, 3);
        assert!((got.p - 7.0 / 16.0).abs() < 0.005, "{}", got.p);
    }

    #[test]
    fn a_category_filling_its_chromosome_has_p_one() {
        let chisq = random_chisq(5, 3000, 100_000);
        for sep in [vec![0, 3000], block_separators(3000, 30)] {
            let null = ShiftNull::new(&chisq, vec![0, 1000, 3000], sep).unwrap();
            assert_eq!(null.p_value(&[(0, 1000)], 999, 0, 1).p, 1.0);
            assert_eq!(null.p_value(&[(1000, 3000)], 999, 0, 1).p, 1.0);
        }
    }

    #[test]
    fn deterministic_for_a_seed_and_sensitive_to_it() {
        let chisq = random_chisq(9, 5000, 1000);
        let sep = block_separators(5000, 50);
        let null = ShiftNull::new(&chisq, vec![0, 2500, 5000], sep.clone()).unwrap();
        let r = [(100u32, 140u32), (3000, 3040)];
        assert_eq!(null.p_value(&r, 999, 0, 42), null.p_value(&r, 999, 0, 42));
        let draws: Vec<f64> = (0..20).map(|s| null.p_value(&r, 999, 0, s).p).collect();
        assert!(draws.iter().any(|&p| p != draws[0]));
        assert!(null.p_value(&r, 0, 0, 1).p.is_nan());
        // A strongly enriched category is at the floor 1 / (K + 1).
        let mut hot = chisq.clone();
        for i in (100..140).chain(3000..3040) {
            hot[i] += 50.0;
        }
        let null = ShiftNull::new(&hot, vec![0, 2500, 5000], sep).unwrap();
        assert_eq!(null.p_value(&r, 999, 0, 1).p, 1.0 / 1000.0);
    }

    #[test]
    fn sequential_stopping_draws_until_enough_shifts_reach_the_observed_statistic() {
        let chisq = random_chisq(13, 4000, 10_000);
        let sep = block_separators(4000, 40);
        let null = ShiftNull::new(&chisq, vec![0, 4000], sep.clone()).unwrap();
        // A typical category: about half the shifts reach it, so 20 are reached in ~40 draws.
        let r = [(1000u32, 1030u32), (2500, 2530)];
        let got = null.p_value(&r, 100_000, 20, 8);
        assert!(got.drawn < 1000, "{}", got.drawn);
        assert_eq!(got.p, 20.0 / got.drawn as f64);
        // The same draws as without stopping, cut short.
        let full = null.p_value(&r, got.drawn, 0, 8);
        assert_eq!(full.drawn, got.drawn);
        assert!((full.p - 21.0 / (got.drawn as f64 + 1.0)).abs() < 1e-12);
        // An enriched category never reaches the stop: all shifts are drawn.
        let mut hot = chisq.clone();
        for i in (1000..1030).chain(2500..2530) {
            hot[i] += 40.0;
        }
        let null = ShiftNull::new(&hot, vec![0, 4000], sep).unwrap();
        let got = null.p_value(&r, 5000, 20, 8);
        assert_eq!(got.drawn, 5000);
        assert!(got.p < 0.01, "{}", got.p);
    }

    #[test]
    fn bad_bounds_are_refused() {
        assert!(ShiftNull::new(&[1.0, 2.0], vec![0, 1], vec![0, 2]).is_err());
        assert!(ShiftNull::new(&[1.0, 2.0], vec![0, 1, 1, 2], vec![0, 2]).is_err());
        assert!(ShiftNull::new(&[1.0, 2.0], vec![0, 2], vec![0, 3]).is_err());
    }
}
