//! The mean-chi-square enrichment screen (docs/methods.md §5): for every category, annotated SNPs
//! against all other SNPs of the universe. Work shared by all categories (global sums, block
//! sums, ranks, prefix sums) is done once; each category then costs time proportional to its
//! annotated SNPs plus the number of blocks, plus its ranges times the permutations.
//!
//! Besides the study's jackknife z (referred to a normal, far too liberal for small categories:
//! only the blocks holding annotated SNPs inform its SE), each category gets the number of those
//! blocks, for a Student t reference with `n_blocks_in - 1` degrees of freedom, and a
//! circular-shift permutation p ([`crate::stats::permutation`]).

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::stats::jackknife::{block_separators, jackknife_se, ratio_without_block};
use crate::stats::permutation::{ShiftNull, MAX_PERMUTATIONS};
use crate::stats::ranks::Ranks;
use crate::stats::sum::Sum;
use crate::stats::ttest::welch_t;

/// Options of the screen.
#[derive(Debug, Clone, Copy)]
pub struct EnrichmentOptions {
    /// Number of jackknife blocks (ldsc's default is 200). At most the number of SNPs (more is an error).
    pub blocks: usize,
    /// Categories with fewer annotated SNPs are reported but not tested.
    pub min_snps: usize,
    /// Most circular-shift permutations per tested category (0: no permutation p).
    pub permutations: usize,
    /// Stop a category's permutations once this many shifts reach its observed enrichment
    /// (Besag-Clifford; 0: always draw `permutations`).
    pub perm_stop: usize,
    /// Seed of the permutations; with the category's ranges it fixes every draw.
    pub seed: u64,
}

impl Default for EnrichmentOptions {
    fn default() -> Self {
        EnrichmentOptions { blocks: 200, min_snps: 1, permutations: 10_000, perm_stop: 50, seed: 0 }
    }
}

impl EnrichmentOptions {
    /// Checks every option against its domain (before any input is read).
    pub fn validate(&self) -> Result<()> {
        if self.blocks < 2 {
            return Err(Error::InvalidArgument(format!("the jackknife needs at least 2 blocks; got {}", self.blocks)));
        }
        if self.min_snps < 1 {
            return Err(Error::InvalidArgument(format!("min_snps must be at least 1; got {}", self.min_snps)));
        }
        if self.permutations > MAX_PERMUTATIONS {
            return Err(Error::InvalidArgument(format!(
                "at most {MAX_PERMUTATIONS} permutations; got {}",
                self.permutations
            )));
        }
        Ok(())
    }
}

/// Whether a category was tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Statistics computed.
    Tested,
    /// No SNP of the universe is annotated.
    NoSnps,
    /// Every SNP is annotated: there is nothing to compare against.
    AllSnps,
    /// Fewer annotated SNPs than `min_snps`.
    BelowMinSnps,
}

impl Status {
    /// Name used in output tables.
    pub fn name(self) -> &'static str {
        match self {
            Status::Tested => "tested",
            Status::NoSnps => "skipped_no_snps",
            Status::AllSnps => "skipped_all_snps",
            Status::BelowMinSnps => "skipped_min_snps",
        }
    }
}

/// Statistics of one category. p-values are derived from these by the caller.
#[derive(Debug, Clone, Copy)]
pub struct CategoryStats {
    /// Whether the category was tested.
    pub status: Status,
    /// Annotated SNPs.
    pub n_in: usize,
    /// Other SNPs.
    pub n_out: usize,
    /// Mean chi-square of annotated SNPs.
    pub mean_in: f64,
    /// Mean chi-square of the other SNPs.
    pub mean_out: f64,
    /// `mean_in / mean_out`.
    pub enrichment: f64,
    /// Delete-one-block jackknife standard error of the enrichment.
    pub enrichment_se: f64,
    /// `(enrichment - 1) / enrichment_se`.
    pub enrichment_z: f64,
    /// False when a block's removal leaves no annotated (or no other) SNP, so the jackknife is
    /// undefined.
    pub jackknife_ok: bool,
    /// Jackknife blocks holding at least one annotated SNP: only these inform the SE, so the
    /// z is referred to Student's t with `n_blocks_in - 1` degrees of freedom.
    pub n_blocks_in: usize,
    /// One-sided circular-shift permutation p of the enrichment: the category's jackknife z
    /// against those of its shifts (its ratio when its jackknife is undefined); NaN without
    /// permutations.
    pub enrichment_p_perm: f64,
    /// Shifts drawn for `enrichment_p_perm` (fewer than asked when stopped early).
    pub permutations_drawn: usize,
    /// Whether the shifts were compared by their jackknife z (else by their ratio, when the
    /// category's own jackknife is undefined).
    pub perm_studentized: bool,
    /// Welch t of annotated vs other chi-squares.
    pub welch_t: f64,
    /// Welch-Satterthwaite degrees of freedom (1 when undefined, as scipy does).
    pub welch_df: f64,
    /// Mann-Whitney U of the annotated group (mid-ranks).
    pub mwu_u: f64,
    /// Normal deviate of the two-sided test: (max(U1, U2) - n1 n2 / 2 - 0.5) / sigma, with
    /// tie correction (scipy's `mannwhitneyu(method="asymptotic")`).
    pub mwu_z: f64,
}

impl CategoryStats {
    fn skipped(status: Status, n_in: usize, n_out: usize, mean_in: f64, mean_out: f64) -> Self {
        CategoryStats {
            status,
            n_in,
            n_out,
            mean_in,
            mean_out,
            enrichment: f64::NAN,
            enrichment_se: f64::NAN,
            enrichment_z: f64::NAN,
            jackknife_ok: false,
            n_blocks_in: 0,
            enrichment_p_perm: f64::NAN,
            permutations_drawn: 0,
            perm_studentized: false,
            welch_t: f64::NAN,
            welch_df: f64::NAN,
            mwu_u: f64::NAN,
            mwu_z: f64::NAN,
        }
    }
}

/// Everything computed once per universe.
#[derive(Debug)]
pub struct EnrichmentContext<'a> {
    chisq: &'a [f64],
    center: f64,
    total: f64,
    total_centered: f64,
    total_centered_sq: f64,
    separators: Vec<usize>,
    block_sum: Vec<f64>,
    ranks: Ranks,
    null: ShiftNull,
    options: EnrichmentOptions,
}

impl<'a> EnrichmentContext<'a> {
    /// Precomputes global sums, block sums, ranks and prefix sums of `chisq` (SNPs in genome
    /// order). `chromosomes` holds the bounds `[0, ..., chisq.len()]` of the chromosomes (see
    /// [`crate::stats::permutation::segments_from_labels`]), within which the permutation null
    /// shifts a category.
    pub fn new(chisq: &'a [f64], chromosomes: Vec<usize>, options: EnrichmentOptions) -> Result<Self> {
        options.validate()?;
        let m = chisq.len();
        if m < 2 {
            return Err(Error::InconsistentInput(format!(
                "the enrichment screen needs at least 2 SNPs; the universe has {m}"
            )));
        }
        if let Some(i) = chisq.iter().position(|x| !x.is_finite() || *x < 0.0) {
            return Err(Error::InvalidArgument(format!(
                "chi-square {} at SNP {i} is not a finite non-negative number",
                chisq[i]
            )));
        }
        if options.blocks > m {
            // Silently capping would turn the block jackknife into a delete-one-SNP one, whose
            // standard errors ignore LD.
            return Err(Error::InvalidArgument(format!(
                "{} jackknife blocks for {m} SNPs: there must be no more blocks than SNPs \
                 (a few hundred blocks of contiguous SNPs is usual)",
                options.blocks
            )));
        }
        let blocks = options.blocks;
        // The ranks (a sort) and the sums (three passes) are independent: one thread each.
        let (ranks, (total, center, centered, centered_sq)) = rayon::join(
            || Ranks::new(chisq),
            || {
                let total = crate::stats::sum::sum(chisq);
                let center = total / m as f64;
                let (mut centered, mut centered_sq) = (Sum::default(), Sum::default());
                for &x in chisq {
                    let d = x - center;
                    centered.add(d);
                    centered_sq.add(d * d);
                }
                (total, center, centered, centered_sq)
            },
        );
        let separators = block_separators(m, blocks);
        let block_sum = separators.windows(2).map(|w| crate::stats::sum::sum(&chisq[w[0]..w[1]])).collect();
        let null = ShiftNull::new(chisq, chromosomes, separators.clone())?;
        Ok(EnrichmentContext {
            chisq,
            center,
            total,
            total_centered: centered.value(),
            total_centered_sq: centered_sq.value(),
            separators,
            block_sum,
            ranks,
            null,
            options: EnrichmentOptions { blocks, ..options },
        })
    }

    /// Number of jackknife blocks used.
    pub fn blocks(&self) -> usize {
        self.separators.len() - 1
    }

    /// Statistics of the category given by disjoint sorted half-open index ranges.
    pub fn category(&self, ranges: &[(u32, u32)]) -> CategoryStats {
        let m = self.chisq.len();
        let n_in: usize = ranges.iter().map(|&(a, b)| (b - a) as usize).sum();
        let n_out = m - n_in;
        if n_in == 0 {
            return CategoryStats::skipped(Status::NoSnps, 0, n_out, f64::NAN, self.total / m as f64);
        }
        let blocks = self.blocks();
        let mut sum_in = Sum::default();
        let mut centered_in = Sum::default();
        let mut centered_sq_in = Sum::default();
        let mut block_sum_in = vec![Sum::default(); blocks];
        let mut block_n_in = vec![0usize; blocks];
        for &(a, b) in ranges {
            let (a, b) = (a as usize, b as usize);
            let mut block = self.separators.partition_point(|&s| s <= a) - 1;
            let mut pos = a;
            while pos < b {
                let end = b.min(self.separators[block + 1]);
                let acc = &mut block_sum_in[block];
                for &x in &self.chisq[pos..end] {
                    acc.add(x);
                    sum_in.add(x);
                    let d = x - self.center;
                    centered_in.add(d);
                    centered_sq_in.add(d * d);
                }
                block_n_in[block] += end - pos;
                pos = end;
                block += 1;
            }
        }
        let s_in = sum_in.value();
        let s_out = self.total - s_in;
        let mean_in = s_in / n_in as f64;
        let mean_out = if n_out > 0 { s_out / n_out as f64 } else { f64::NAN };
        if n_out == 0 {
            return CategoryStats::skipped(Status::AllSnps, n_in, 0, mean_in, f64::NAN);
        }
        if n_in < self.options.min_snps {
            return CategoryStats::skipped(Status::BelowMinSnps, n_in, n_out, mean_in, mean_out);
        }
        let enrichment = mean_in / mean_out;

        // Jackknife: delete values recompute both means without block b.
        let mut jackknife_ok = true;
        let mut deletes = Vec::with_capacity(blocks);
        for b in 0..blocks {
            let n_block = self.separators[b + 1] - self.separators[b];
            let (sb_in, nb_in) = (block_sum_in[b].value(), block_n_in[b]);
            match ratio_without_block(s_in, n_in, s_out, n_out, sb_in, nb_in, self.block_sum[b], n_block) {
                Some(d) => deletes.push(d),
                None => {
                    jackknife_ok = false;
                    break;
                }
            }
        }
        let enrichment_se = if jackknife_ok { jackknife_se(enrichment, &deletes) } else { f64::NAN };
        jackknife_ok = jackknife_ok && enrichment_se.is_finite();
        let enrichment_se = if jackknife_ok { enrichment_se } else { f64::NAN };
        let enrichment_z = (enrichment - 1.0) / enrichment_se;
        let n_blocks_in = block_n_in.iter().filter(|&&n| n > 0).count();
        let o = &self.options;
        let perm = self.null.p_value(ranges, o.permutations, o.perm_stop, o.seed);

        // Welch t: in-group variance by a second exact pass; out-group from sums centred on the
        // global mean, which keeps the subtraction well conditioned.
        let mut sq_in = Sum::default();
        for &(a, b) in ranges {
            for &x in &self.chisq[a as usize..b as usize] {
                sq_in.add((x - mean_in) * (x - mean_in));
            }
        }
        let (n1, n2) = (n_in as f64, n_out as f64);
        let var_in = sq_in.value() / (n1 - 1.0);
        let centered_out = self.total_centered - centered_in.value();
        let centered_sq_out = self.total_centered_sq - centered_sq_in.value();
        let var_out = ((centered_sq_out - centered_out * centered_out / n2) / (n2 - 1.0)).max(0.0);
        let (welch_t, welch_df) = welch_t(n1, mean_in, var_in, n2, mean_out, var_out);

        // Mann-Whitney U with mid-ranks, tie correction and continuity correction.
        let rank_sum = self.ranks.rank_sum(ranges);
        let mwu_u = rank_sum - n1 * (n1 + 1.0) / 2.0;
        let u_max = mwu_u.max(n1 * n2 - mwu_u);
        let n = n1 + n2;
        let sigma = (n1 * n2 / 12.0 * ((n + 1.0) - self.ranks.tie_term / (n * (n - 1.0)))).sqrt();
        let mwu_z = (u_max - n1 * n2 / 2.0 - 0.5) / sigma;

        CategoryStats {
            status: Status::Tested,
            n_in,
            n_out,
            mean_in,
            mean_out,
            enrichment,
            enrichment_se,
            enrichment_z,
            jackknife_ok,
            n_blocks_in,
            enrichment_p_perm: perm.p,
            permutations_drawn: perm.drawn,
            perm_studentized: perm.studentized,
            welch_t,
            welch_df,
            mwu_u,
            mwu_z,
        }
    }
}

/// Runs the screen for every category (in parallel; results do not depend on the thread count,
/// nor on which other categories are tested). `chromosomes` as in [`EnrichmentContext::new`].
pub fn enrichment<R: AsRef<[(u32, u32)]> + Sync>(
    chisq: &[f64],
    chromosomes: Vec<usize>,
    categories: &[R],
    options: EnrichmentOptions,
) -> Result<(Vec<CategoryStats>, usize)> {
    let context = EnrichmentContext::new(chisq, chromosomes, options)?;
    for (i, c) in categories.iter().enumerate() {
        let ranges = c.as_ref();
        let sorted = ranges.windows(2).all(|w| w[0].1 <= w[1].0)
            && ranges.iter().all(|&(a, b)| a < b && b as usize <= chisq.len());
        if !sorted {
            return Err(Error::InvalidArgument(format!(
                "category {i}: ranges must be sorted, disjoint, non-empty and within the SNPs"
            )));
        }
    }
    let stats = categories
        .par_iter()
        .map(|c| crate::cancel::check().map(|()| context.category(c.as_ref())))
        .collect::<Result<_>>()?;
    Ok((stats, context.blocks()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(membership: &[bool]) -> Vec<(u32, u32)> {
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < membership.len() {
            if membership[i] {
                let start = i;
                while i < membership.len() && membership[i] {
                    i += 1;
                }
                ranges.push((start as u32, i as u32));
            } else {
                i += 1;
            }
        }
        ranges
    }

    #[test]
    fn methods_vectors() {
        let chisq = [1.2, 0.3, 4.5, 2.2, 0.9, 7.1, 0.1, 1.6, 3.3, 0.8, 2.9, 0.4];
        let a = [1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0].map(|x| x == 1);
        let (stats, blocks) =
            enrichment(&chisq, vec![0, 12], &[dense(&a)], EnrichmentOptions { blocks: 4, ..Default::default() })
                .unwrap();
        assert_eq!(blocks, 4);
        let s = stats[0];
        assert!((s.enrichment - 4.222222).abs() < 1e-6);
        assert!((s.enrichment_se - 0.444437).abs() < 1e-6);
        assert!(s.jackknife_ok);
    }

    #[test]
    fn welch_and_mwu_match_scipy_vectors() {
        // docs/methods.md §4.2 and §5.5: x vs y -> t = 2.906571, df = 13.037272, U1 = 91.
        let x = [1.2, 3.4, 2.2, 5.0, 4.4, 3.3, 2.9, 6.1, 0.5, 4.0];
        let y = [2.0, 1.1, 0.3, 1.9, 2.5, 3.0, 0.9, 1.2, 2.2, 1.7, 0.4];
        let chisq: Vec<f64> = x.iter().chain(&y).copied().collect();
        let (stats, _) = enrichment(
            &chisq,
            vec![0, 21],
            &[vec![(0u32, 10u32)]],
            EnrichmentOptions { blocks: 2, ..Default::default() },
        )
        .unwrap();
        let s = stats[0];
        assert!((s.welch_t - 2.906571).abs() < 1e-6, "{}", s.welch_t);
        assert!((s.welch_df - 13.037272).abs() < 1e-6, "{}", s.welch_df);
        assert_eq!(s.mwu_u, 91.0);
    }

    #[test]
    fn edge_cases() {
        let chisq = [1.0, 2.0, 3.0, 4.0];
        let opts = EnrichmentOptions { blocks: 2, min_snps: 2, ..Default::default() };
        let cats = vec![vec![], vec![(0u32, 4u32)], vec![(1, 2)], vec![(0, 2)], vec![(0, 1), (3, 4)]];
        let (stats, _) = enrichment(&chisq, vec![0, 4], &cats, opts).unwrap();
        assert_eq!(stats[0].status, Status::NoSnps);
        assert_eq!(stats[1].status, Status::AllSnps);
        assert_eq!(stats[2].status, Status::BelowMinSnps);
        // All annotated SNPs sit in block 0: deleting it leaves none, so no jackknife.
        assert_eq!(stats[3].status, Status::Tested);
        assert!(!stats[3].jackknife_ok && stats[3].enrichment_se.is_nan());
        assert!(stats[4].jackknife_ok);
        let bad = vec![vec![(2u32, 3u32), (0, 1)]];
        assert!(enrichment(&chisq, vec![0, 4], &bad, opts).is_err());
        assert_eq!(stats[4].n_blocks_in, 2);
        assert_eq!(stats[3].n_blocks_in, 1);
        assert!(stats[0].enrichment_p_perm.is_nan() && stats[3].enrichment_p_perm > 0.0);
    }

    #[test]
    fn thread_count_does_not_change_results() {
        let chisq: Vec<f64> = (0..5000).map(|i| ((i * 7919) % 1000) as f64 / 100.0).collect();
        let cats: Vec<Vec<(u32, u32)>> =
            (0..50).map(|k| vec![(k * 10, k * 10 + 300), (4000 + k, 4100 + 2 * k)]).collect();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| enrichment(&chisq, vec![0, 2000, 5000], &cats, EnrichmentOptions::default()).unwrap().0)
        };
        let (a, b) = (run(1), run(3));
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.enrichment_se.to_bits(), y.enrichment_se.to_bits());
            assert_eq!(x.mwu_z.to_bits(), y.mwu_z.to_bits());
            assert_eq!(x.welch_t.to_bits(), y.welch_t.to_bits());
            assert_eq!(x.enrichment_p_perm.to_bits(), y.enrichment_p_perm.to_bits());
        }
        // A category's permutation p does not depend on the other categories of the call.
        let alone = enrichment(&chisq, vec![0, 2000, 5000], &cats[7..8], EnrichmentOptions::default()).unwrap().0;
        assert_eq!(alone[0].enrichment_p_perm.to_bits(), a[7].enrichment_p_perm.to_bits());
    }
}
