//! MAGMA's SNP-wise mean gene analysis on SNP p-values with LD from a PLINK reference panel
//! (docs/methods.md §2), and gene-gene correlations for the gene-set step.
//!
//! Per gene: the SNPs of its window that are in both the summary statistics and the panel
//! (monomorphic ones dropped); SNP p-values clamped to `[1e-50, 1 - 1e-5]`; statistic
//! `T = sum chi2_1 quantiles`; null distribution `sum lambda_k chi2_1` with `lambda` the
//! eigenvalues of the panel LD matrix `R` (from the `n x n` Gram matrix when the gene has more
//! SNPs than the panel has people); p by inversion along the saddlepoint contour
//! ([`crate::stats::quadform`]); gene `Z = -ndtri(p)` (one-sided, as MAGMA).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use rayon::prelude::*;

use crate::annot::categories::Window;
use crate::annot::universe::Universe;
use crate::error::{Error, Result};
use crate::io::geneloc::GeneLoc;
use crate::io::plink::PlinkBed;
use crate::special::{chisq_from_p, z_from_ln_p};
use crate::stats::quadform::weighted_chisq_sf;

/// Options of the gene analysis.
#[derive(Debug, Clone, Copy)]
pub struct GeneOptions {
    /// Gene window.
    pub window: Window,
    /// Smallest SNP p-value used (MAGMA: 1e-50).
    pub p_min: f64,
    /// Largest SNP p-value used (MAGMA: 1 - 1e-5).
    pub p_max: f64,
    /// Eigenvalues below `eigen_tolerance * largest` are numerical noise and dropped.
    pub eigen_tolerance: f64,
    /// Sample size reported for every gene when the summary statistics have no N column.
    pub sample_size: Option<f64>,
}

impl Default for GeneOptions {
    fn default() -> Self {
        GeneOptions {
            window: Window { up: 35_000, down: 10_000 },
            p_min: 1e-50,
            p_max: 1.0 - 1e-5,
            eigen_tolerance: 1e-10,
            sample_size: None,
        }
    }
}

/// A gene with at least one SNP of the universe in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedGene {
    /// Row of the gene in the [`GeneLoc`].
    pub gene: usize,
    /// Chromosome code.
    pub chrom: u8,
    /// First base of the window (1-based, inclusive).
    pub first: u64,
    /// Last base of the window (inclusive).
    pub last: u64,
    /// Half-open range of universe indices in the window.
    pub range: (u32, u32),
}

/// Genes to analyse, in chromosome and window-start order (the order of MAGMA's outputs).
pub fn plan_genes(universe: &Universe, genes: &GeneLoc, window: Window) -> Vec<PlannedGene> {
    let mut planned: Vec<PlannedGene> = (0..genes.len())
        .filter_map(|g| {
            let (first, last) = genes.window(g, window.up, window.down);
            let range = universe.range_of(genes.chrom[g], first, last);
            (range.1 > range.0).then_some(PlannedGene { gene: g, chrom: genes.chrom[g], first, last, range })
        })
        .collect();
    planned.sort_by_key(|p| (p.chrom, p.first, p.last, p.gene));
    planned
}

/// Result of one gene.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeneResult {
    /// Row of the gene in the [`GeneLoc`].
    pub gene: usize,
    /// SNPs used (polymorphic in the panel).
    pub n_snps: usize,
    /// Monomorphic panel SNPs of the window, dropped.
    pub n_monomorphic: usize,
    /// MAGMA's effective number of parameters (docs/methods.md §2.5).
    pub n_param: usize,
    /// Sample size: the mean per-SNP N (rounded), or the fixed N.
    pub n: f64,
    /// Sum over the gene's SNPs of the panel minor allele count.
    pub mac: f64,
    /// The test statistic `T`.
    pub stat: f64,
    /// Gene p-value (may underflow to 0; see `ln_p`).
    pub p: f64,
    /// Natural log of the p-value.
    pub ln_p: f64,
    /// `-ndtri(p)`.
    pub z: f64,
    /// Eigenvalues used.
    pub n_eigen: usize,
    /// `sum lambda^2 = ||R||_F^2`, the variance of `T` over 2.
    pub sum_lambda_sq: f64,
}

/// MAGMA's NPARAM for the SNP-wise mean model (docs/methods.md §2.5): the position of
/// `1 / sqrt(2 sum lambda^2)` between perfectly correlated and independent SNPs.
pub fn n_param(k: usize, sum_lambda_sq: f64) -> usize {
    if k <= 1 {
        return k;
    }
    let kf = k as f64;
    let s_cur = 1.0 / (2.0 * sum_lambda_sq).sqrt();
    let s_mono = 0.5f64.sqrt() / kf;
    let s_ind = (0.5 / kf).sqrt();
    let prop = ((s_cur - s_mono) / s_ind).clamp(0.0, 1.0);
    (1.0 + prop * (kf - 1.0)).round() as usize
}

fn gram(x: &Mat<f64>, transpose_left: bool) -> Mat<f64> {
    let n = x.nrows() as f64;
    let (rows, lhs, rhs) =
        if transpose_left { (x.ncols(), x.transpose(), x.as_ref()) } else { (x.nrows(), x.as_ref(), x.transpose()) };
    let mut out = Mat::<f64>::zeros(rows, rows);
    // Genes run in parallel already: each product stays on its thread.
    matmul(out.as_mut(), Accum::Replace, lhs, rhs, 1.0 / n, Par::Seq);
    out
}

/// Eigenvalues of a symmetric matrix on the calling thread. faer's default would split the
/// work over the global pool, whose size changes the rounding; genes already run in parallel,
/// and results must not depend on the thread count.
fn sequential_eigenvalues(m: &Mat<f64>) -> Result<Vec<f64>> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::evd;
    let n = m.nrows();
    let par = Par::Seq;
    let params = Default::default();
    let mut values = vec![0.0f64; n];
    let mut buffer = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(n, evd::ComputeEigenvectors::No, par, params));
    let s = faer::ColMut::from_slice_mut(&mut values);
    evd::self_adjoint_evd(m.as_ref(), s.as_diagonal_mut(), None, par, MemStack::new(&mut buffer), params)
        .map_err(|e| Error::Internal(format!("eigenvalue decomposition failed: {e:?}")))?;
    Ok(values)
}

/// Eigenvalues of the LD matrix of standardized genotypes `x` (n x k), above the tolerance.
pub fn ld_eigenvalues(x: &Mat<f64>, tolerance: f64) -> Result<Vec<f64>> {
    let k = x.ncols();
    if k == 0 {
        return Ok(Vec::new());
    }
    if k == 1 {
        return Ok(vec![1.0]);
    }
    // R = X'X/n and XX'/n share their non-zero eigenvalues: use the smaller one.
    let m = gram(x, k <= x.nrows());
    let values = sequential_eigenvalues(&m)?;
    let largest = values.iter().copied().fold(0.0f64, f64::max);
    Ok(values.into_iter().filter(|&v| v > tolerance * largest).collect())
}

/// Analyses one gene.
pub fn analyse_gene(
    universe: &Universe,
    bed: &PlinkBed,
    planned: &PlannedGene,
    options: &GeneOptions,
) -> Result<Option<GeneResult>> {
    crate::cancel::check()?;
    let (lo, hi) = (planned.range.0 as usize, planned.range.1 as usize);
    let rows: Vec<usize> = universe.bim_row[lo..hi].iter().map(|&r| r as usize).collect();
    let standardized = bed.standardized(&rows)?;
    let k = standardized.kept.len();
    if k == 0 {
        return Ok(None);
    }
    let chisq_low = chisq_from_p(options.p_max);
    let chisq_high = chisq_from_p(options.p_min);
    let stat: f64 = standardized.kept.iter().map(|&j| universe.chisq[lo + j].clamp(chisq_low, chisq_high)).sum();
    let lambdas = ld_eigenvalues(&standardized.matrix, options.eigen_tolerance)?;
    let sum_lambda_sq: f64 = lambdas.iter().map(|l| l * l).sum();
    let tail = weighted_chisq_sf(&lambdas, stat);
    let n = match (&universe.n, options.sample_size) {
        (Some(n), _) => (standardized.kept.iter().map(|&j| n[lo + j]).sum::<f64>() / k as f64).round(),
        (None, Some(n)) => n,
        (None, None) => f64::NAN,
    };
    let mac: f64 = standardized.minor_allele_counts.iter().sum();
    Ok(Some(GeneResult {
        gene: planned.gene,
        n_snps: k,
        n_monomorphic: standardized.monomorphic,
        n_param: n_param(k, sum_lambda_sq),
        n,
        mac,
        stat,
        p: tail.p,
        ln_p: tail.ln_p,
        z: z_from_ln_p(tail.ln_p),
        n_eigen: lambdas.len(),
        sum_lambda_sq,
    }))
}

/// Analyses the genes `planned[range]` in parallel; results keep the planned order and do not
/// depend on the number of threads.
pub fn analyse_genes(
    universe: &Universe,
    bed: &PlinkBed,
    planned: &[PlannedGene],
    options: &GeneOptions,
) -> Result<Vec<Option<GeneResult>>> {
    planned.par_iter().map(|p| analyse_gene(universe, bed, p, options)).collect()
}

/// Settings of the gene-gene correlations.
#[derive(Debug, Clone, Copy)]
pub struct CorrelationOptions {
    /// Genes whose window starts are at most this many bases apart are correlated (MAGMA
    /// uses 5 Mb).
    pub range: u64,
    /// Genes with more SNPs are evenly subsampled to this many for the cross-gene LD sums,
    /// which are then scaled back up.
    pub max_snps: usize,
}

impl Default for CorrelationOptions {
    fn default() -> Self {
        CorrelationOptions { range: 5_000_000, max_snps: 50 }
    }
}

fn subsample(k: usize, max: usize) -> Vec<usize> {
    if k <= max {
        return (0..k).collect();
    }
    (0..max).map(|i| i * k / max).collect()
}

/// For each analysed gene in `rows` (in order), the correlations of its statistic with the preceding
/// genes of the same chromosome whose window starts lie within `options.range`, earliest
/// first: MAGMA's `.genes.raw` band.
///
/// `corr(T_g, T_h) = sum_{i in g, j in h} r_ij^2 / sqrt(sum_g r^2 * sum_h r^2)`, with
/// cross-gene `r^2` bias-corrected for the panel size (`r^2 - (1 - r^2)/(n - 2)`, as ldsc) and
/// clipped to `[0, 1]`. Large genes are subsampled evenly to `max_snps` SNPs.
pub fn gene_correlations(
    universe: &Universe,
    bed: &PlinkBed,
    planned: &[PlannedGene],
    results: &[GeneResult],
    options: CorrelationOptions,
    rows: std::ops::Range<usize>,
) -> Result<Vec<Vec<f64>>> {
    if planned.len() != results.len() || rows.end > planned.len() || rows.start > rows.end {
        return Err(Error::InvalidArgument("one planned gene per result, and rows within them, are required".into()));
    }
    let n = bed.n_samples() as f64;
    let sampled = |i: usize| -> Result<(Mat<f64>, f64)> {
        let p = &planned[i];
        let (lo, hi) = (p.range.0 as usize, p.range.1 as usize);
        let rows: Vec<usize> = universe.bim_row[lo..hi].iter().map(|&r| r as usize).collect();
        let all = bed.standardized(&rows)?;
        let keep = subsample(all.kept.len(), options.max_snps);
        let x = Mat::from_fn(all.matrix.nrows(), keep.len(), |r, c| all.matrix[(r, keep[c])]);
        let scale = all.kept.len() as f64 / x.ncols().max(1) as f64;
        Ok((x, scale))
    };
    let band_start = |i: usize| -> usize {
        (0..i)
            .rev()
            .take_while(|&j| {
                planned[j].chrom == planned[i].chrom && planned[i].first - planned[j].first <= options.range
            })
            .last()
            .unwrap_or(i)
    };
    // Contiguous chunks, each walking its genes in order with a cache of the band's sampled
    // genotypes, so every gene is read about once per chunk. Values do not depend on chunking.
    const CHUNK: usize = 256;
    let chunks: Vec<Vec<Vec<f64>>> = (0..rows.len().div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| -> Result<Vec<Vec<f64>>> {
            let (a, b) = (rows.start + c * CHUNK, (rows.start + (c + 1) * CHUNK).min(rows.end));
            let mut cache: std::collections::VecDeque<(usize, Mat<f64>, f64)> = std::collections::VecDeque::new();
            let mut out = Vec::with_capacity(b - a);
            for i in a..b {
                crate::cancel::check()?;
                let first = band_start(i);
                while cache.front().is_some_and(|(j, _, _)| *j < first) {
                    cache.pop_front();
                }
                let cached_from = cache.front().map_or(i, |(j, _, _)| *j);
                let mut missing = Vec::new();
                for j in first..cached_from.min(i) {
                    let (x, s) = sampled(j)?;
                    missing.push((j, x, s));
                }
                for entry in missing.into_iter().rev() {
                    cache.push_front(entry);
                }
                let (xi, si) = sampled(i)?;
                let mut row = Vec::with_capacity(i - first);
                for (j, xj, sj) in cache.iter() {
                    debug_assert!(*j >= first && *j < i);
                    let mut cross = Mat::<f64>::zeros(xi.ncols(), xj.ncols());
                    matmul(cross.as_mut(), Accum::Replace, xi.transpose(), xj.as_ref(), 1.0 / n, Par::Seq);
                    let mut r2 = 0.0;
                    for col in 0..cross.ncols() {
                        for v in cross.col(col).iter() {
                            r2 += v * v;
                        }
                    }
                    let pairs = (xi.ncols() * xj.ncols()) as f64;
                    let corrected = r2 * (1.0 + 1.0 / (n - 2.0)) - pairs / (n - 2.0);
                    let denominator = (results[i].sum_lambda_sq * results[*j].sum_lambda_sq).sqrt();
                    row.push((si * sj * corrected / denominator).clamp(0.0, 1.0));
                }
                cache.push_back((i, xi, si));
                out.push(row);
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    Ok(chunks.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nparam_limits() {
        assert_eq!(n_param(1, 1.0), 1);
        // Perfect LD among 10 SNPs: one eigenvalue 10, sum lambda^2 = 100 -> 1 parameter.
        assert_eq!(n_param(10, 100.0), 1);
        // Independent SNPs: sum lambda^2 = K -> 1 + (1 - 1/sqrt K)(K - 1).
        assert_eq!(n_param(100, 100.0), (1.0 + 0.9 * 99.0f64).round() as usize);
    }

    #[test]
    fn subsampling_is_even() {
        assert_eq!(subsample(5, 10), [0, 1, 2, 3, 4]);
        assert_eq!(subsample(10, 4), [0, 2, 5, 7]);
    }
}
