//! Stratified LD score regression (S-LDSC): SNP heritability, partitioned by annotation, from
//! GWAS chi-squares and reference LD scores (Bulik-Sullivan et al. 2015; Finucane et al. 2015),
//! with ldsc's weights, its two-step estimator for one LD-score column, its delete-one-block
//! jackknife, and the `--overlap-annot` table (Prop._h2, Enrichment and its p, coefficients),
//! so that published baselines and their results can be reproduced number for number.
//!
//! The model is `E[chi2_j] = N_j sum_c tau_c l(j, c) + 1 + N_j a`. Rows of the design are
//! `N_j l(j, c) / mean(N)` plus an intercept column. The weights are ldsc's: the inverse of the
//! variance of `chi2_j` under the model (`2 (intercept + N_j h2 l_j / M)^2`, with `l_j` the sum
//! of all the LD-score columns, floored at 1) times the inverse of the SNP's regression-weight
//! LD score (floored at 1), which down-weights SNPs counted many times through LD.
//!
//! With several columns the weights are computed once, from an aggregate h2 estimate, and the
//! weighted least squares is solved directly; with one column they are re-estimated twice
//! (iteratively re-weighted least squares) and, when the intercept is free, ldsc's two-step
//! estimator is used: the intercept from SNPs with `chi2` below a cutoff (30), then the slope
//! from all SNPs with that intercept fixed, with the jackknife of the two steps combined.
//!
//! Standard errors are from `B` (200) contiguous blocks of SNPs in the order given (genomic
//! order): each block's `X'X` and `X'y` are subtracted from the totals to get the estimate
//! without it, and the covariance is that of the pseudo-values `B est - (B - 1) est_(-b)`.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::stats::jackknife::block_separators;

#[cfg(test)]
mod tests;

/// ldsc's chi-square cutoff of the two-step estimator.
pub const TWO_STEP_DEFAULT: f64 = 30.0;

/// When the two-step estimator is used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TwoStep {
    /// As ldsc: with one LD-score column and a free intercept, cutoff [`TWO_STEP_DEFAULT`].
    Auto,
    /// Never (one-column regressions are then plain re-weighted least squares).
    Off,
    /// With this chi-square cutoff (one LD-score column and a free intercept only).
    Cutoff(f64),
}

/// The chi-square filter applied before the regression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChisqMax {
    /// As ldsc: with several LD-score columns keep `chi2 < max(80, 0.001 max N)`; with one, keep all.
    Auto,
    /// Keep every SNP.
    Off,
    /// Keep SNPs with `chi2` strictly below this.
    Below(f64),
}

/// Options of [`h2`].
#[derive(Debug, Clone, Copy)]
pub struct H2Options {
    /// Jackknife blocks (at most the number of SNPs; ldsc's default 200).
    pub blocks: usize,
    /// Fixed intercept (ldsc `--intercept-h2`; 1 for `--no-intercept`); None estimates it.
    pub intercept: Option<f64>,
    /// The two-step estimator.
    pub two_step: TwoStep,
    /// The chi-square filter.
    pub chisq_max: ChisqMax,
}

impl Default for H2Options {
    fn default() -> Self {
        H2Options { blocks: 200, intercept: None, two_step: TwoStep::Auto, chisq_max: ChisqMax::Auto }
    }
}

impl H2Options {
    /// Checks every option against its domain.
    pub fn validate(&self) -> Result<()> {
        if self.blocks < 2 {
            return Err(Error::InvalidArgument(format!("the jackknife needs at least 2 blocks; got {}", self.blocks)));
        }
        if let Some(i) = self.intercept {
            if !i.is_finite() {
                return Err(Error::InvalidArgument(format!("the fixed intercept must be finite; got {i}")));
            }
        }
        if let TwoStep::Cutoff(c) = self.two_step {
            if c.is_nan() || c <= 0.0 {
                return Err(Error::InvalidArgument(format!("the two-step cutoff must be positive; got {c}")));
            }
            if self.intercept.is_some() {
                return Err(Error::InvalidArgument(
                    "the two-step estimator estimates the intercept: it cannot be combined with a fixed intercept"
                        .into(),
                ));
            }
        }
        if let ChisqMax::Below(c) = self.chisq_max {
            if c.is_nan() || c <= 0.0 {
                return Err(Error::InvalidArgument(format!("the chi-square maximum must be positive; got {c}")));
            }
        }
        Ok(())
    }
}

/// The data of one regression, rows in genomic order (the jackknife blocks are contiguous).
#[derive(Debug, Clone, Copy)]
pub struct H2Input<'a> {
    /// GWAS chi-square (`Z^2`) per SNP.
    pub chisq: &'a [f64],
    /// Reference LD scores, one row per SNP, one column per annotation.
    pub ld: MatRef<'a, f64>,
    /// Regression-weight LD score per SNP.
    pub w_ld: &'a [f64],
    /// GWAS sample size per SNP.
    pub n: &'a [f64],
    /// Per annotation, its number of reference SNPs (the sum of the annotation: `M` or `M_5_50`).
    pub m: &'a [f64],
}

/// The fit of [`h2`]. Matrices are row-major; "delete values" have one row per block.
#[derive(Debug, Clone)]
pub struct H2Fit {
    /// SNPs before the chi-square filter.
    pub n_snps_in: usize,
    /// SNPs in the regression.
    pub n_snps: usize,
    /// SNPs removed by the chi-square filter, and the cutoff applied (None: no filter).
    pub dropped_chisq: usize,
    /// The chi-square cutoff applied.
    pub chisq_max: Option<f64>,
    /// With the two-step estimator: its cutoff and the SNPs at or above it (left out of step 1).
    pub two_step: Option<(f64, usize)>,
    /// Jackknife blocks.
    pub blocks: usize,
    /// Mean sample size (the scale of the design).
    pub n_bar: f64,
    /// `M` per annotation, as given.
    pub m: Vec<f64>,
    /// Per-SNP heritability coefficient `tau` per annotation.
    pub coef: Vec<f64>,
    /// Jackknife covariance of `coef` (`C x C`).
    pub coef_cov: Vec<f64>,
    /// Jackknife SE of `coef`.
    pub coef_se: Vec<f64>,
    /// The intercept (the fixed value when constrained).
    pub intercept: f64,
    /// Its jackknife SE (NaN when fixed).
    pub intercept_se: f64,
    /// Whether the intercept was fixed.
    pub intercept_fixed: bool,
    /// `M_c tau_c` per annotation.
    pub cat: Vec<f64>,
    /// SE of `cat`.
    pub cat_se: Vec<f64>,
    /// Total SNP heritability `sum_c M_c tau_c`.
    pub tot: f64,
    /// Its SE.
    pub tot_se: f64,
    /// `cat / tot`, with a ratio-jackknife covariance and SE.
    pub prop: Vec<f64>,
    /// Covariance of `prop` (`C x C`).
    pub prop_cov: Vec<f64>,
    /// SE of `prop`.
    pub prop_se: Vec<f64>,
    /// Mean chi-square of the SNPs in the regression.
    pub mean_chisq: f64,
    /// Their median chi-square over 0.4549 (ldsc's constant).
    pub lambda_gc: f64,
    /// `(intercept - 1) / (mean chi2 - 1)` (NaN when the mean is at most 1 or the intercept fixed).
    pub ratio: f64,
    /// Its SE.
    pub ratio_se: f64,
    /// Delete values of `coef` (`B x C`; ldsc's `.part_delete`).
    pub coef_delete: Vec<f64>,
    /// Delete values of `tot` (ldsc's `.delete`).
    pub tot_delete: Vec<f64>,
    /// Delete values of the intercept (empty when fixed).
    pub intercept_delete: Vec<f64>,
}

/// A jackknifed estimate of `p` parameters.
struct Jackknife {
    est: Vec<f64>,
    /// `B x p`.
    delete: Vec<f64>,
    /// `p x p`.
    cov: Vec<f64>,
    separators: Vec<usize>,
}

/// Covariance (`p x p`) of `B x p` pseudo-values over `B`: `cov(ddof = 1) / B`.
fn pseudo_cov(pseudo: &[f64], b: usize, p: usize) -> Vec<f64> {
    let mut mean = vec![0.0; p];
    for row in pseudo.chunks_exact(p) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= b as f64);
    let mut cov = vec![0.0; p * p];
    for row in pseudo.chunks_exact(p) {
        for i in 0..p {
            let di = row[i] - mean[i];
            for j in 0..p {
                cov[i * p + j] += di * (row[j] - mean[j]);
            }
        }
    }
    let scale = (b as f64 - 1.0) * b as f64;
    cov.iter_mut().for_each(|c| *c /= scale);
    cov
}

/// Pseudo-values `B est - (B - 1) delete_b` (`B x p`).
fn pseudo_values(est: &[f64], delete: &[f64]) -> Vec<f64> {
    let p = est.len();
    let b = (delete.len() / p) as f64;
    delete.chunks_exact(p).flat_map(|row| row.iter().zip(est).map(move |(d, e)| b * e - (b - 1.0) * d)).collect()
}

/// Solves `a x = rhs` (`a` is `p x p` row-major) by Gaussian elimination with partial
/// pivoting, as LAPACK's `gesv`. None when `a` is singular.
fn solve(mut a: Vec<f64>, mut rhs: Vec<f64>) -> Option<Vec<f64>> {
    let p = rhs.len();
    for k in 0..p {
        let (pivot, best) =
            (k..p).map(|i| (i, a[i * p + k].abs())).fold((k, -1.0), |acc, x| if x.1 > acc.1 { x } else { acc });
        if best.is_nan() || best <= 0.0 || !best.is_finite() {
            return None;
        }
        if pivot != k {
            for j in 0..p {
                a.swap(k * p + j, pivot * p + j);
            }
            rhs.swap(k, pivot);
        }
        let d = a[k * p + k];
        for i in k + 1..p {
            let f = a[i * p + k] / d;
            if f != 0.0 {
                for j in k..p {
                    a[i * p + j] -= f * a[k * p + j];
                }
                rhs[i] -= f * rhs[k];
            }
        }
    }
    for k in (0..p).rev() {
        let mut s = rhs[k];
        for j in k + 1..p {
            s -= a[k * p + j] * rhs[j];
        }
        rhs[k] = s / a[k * p + k];
    }
    Some(rhs)
}

fn collinear() -> Error {
    Error::InconsistentInput(
        "the regression's normal equations are singular: some LD-score columns are collinear (or constant) \
         over the SNPs used"
            .into(),
    )
}

/// `X'X` (row-major `p x p`) and `X'y` of rows `lo..hi`.
fn cross_products(x: MatRef<'_, f64>, y: &[f64], lo: usize, hi: usize) -> (Vec<f64>, Vec<f64>) {
    let p = x.ncols();
    let xb = x.subrows(lo, hi - lo);
    let mut xtx = Mat::<f64>::zeros(p, p);
    matmul(xtx.as_mut(), Accum::Replace, xb.transpose(), xb, 1.0, Par::Seq);
    let yb = MatRef::from_column_major_slice(&y[lo..hi], hi - lo, 1);
    let mut xty = Mat::<f64>::zeros(p, 1);
    matmul(xty.as_mut(), Accum::Replace, xb.transpose(), yb, 1.0, Par::Seq);
    let mut flat = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            flat[i * p + j] = xtx[(i, j)];
        }
    }
    (flat, (0..p).map(|i| xty[(i, 0)]).collect())
}

/// Least squares of `y` on `x` (already weighted) with the delete-one-block jackknife over
/// `separators`. Blocks are independent, so they run in parallel; the totals are summed in
/// block order, so the result does not depend on the thread count.
fn lstsq_jackknife(x: MatRef<'_, f64>, y: &[f64], separators: Vec<usize>) -> Result<Jackknife> {
    let p = x.ncols();
    let b = separators.len() - 1;
    let blocks: Vec<(Vec<f64>, Vec<f64>)> =
        (0..b).into_par_iter().map(|k| cross_products(x, y, separators[k], separators[k + 1])).collect();
    let mut xtx = vec![0.0; p * p];
    let mut xty = vec![0.0; p];
    for (bx, by) in &blocks {
        xtx.iter_mut().zip(bx).for_each(|(t, v)| *t += v);
        xty.iter_mut().zip(by).for_each(|(t, v)| *t += v);
    }
    let est = solve(xtx.clone(), xty.clone()).ok_or_else(collinear)?;
    let delete: Vec<Vec<f64>> = blocks
        .par_iter()
        .map(|(bx, by)| {
            let a: Vec<f64> = xtx.iter().zip(bx).map(|(t, v)| t - v).collect();
            let r: Vec<f64> = xty.iter().zip(by).map(|(t, v)| t - v).collect();
            solve(a, r).ok_or_else(collinear)
        })
        .collect::<Result<_>>()?;
    let delete: Vec<f64> = delete.into_iter().flatten().collect();
    let cov = pseudo_cov(&pseudo_values(&est, &delete), b, p);
    Ok(Jackknife { est, delete, cov, separators })
}

/// Rows of `x` (in place) and `y` scaled by `w / sum(w)` (ldsc's weighting of the design).
fn weighted(mut x: Mat<f64>, y: &[f64], w: &[f64]) -> Result<(Mat<f64>, Vec<f64>)> {
    if let Some(j) = w.iter().position(|v| v.is_nan() || *v <= 0.0) {
        return Err(Error::InconsistentInput(format!(
            "regression weight {} of SNP {} (row {j} of the regression) is not positive",
            w[j],
            j + 1
        )));
    }
    let total: f64 = w.iter().sum();
    let wn: Vec<f64> = w.iter().map(|v| v / total).collect();
    for j in 0..x.ncols() {
        for (v, s) in x.col_mut(j).iter_mut().zip(&wn) {
            *v *= s;
        }
    }
    let yw = y.iter().zip(&wn).map(|(a, b)| a * b).collect();
    Ok((x, yw))
}

/// Weighted least squares estimate (no jackknife): the first re-weighting steps.
fn wls(x: MatRef<'_, f64>, y: &[f64], w: &[f64]) -> Result<Vec<f64>> {
    let (xw, yw) = weighted(x.to_owned(), y, w)?;
    let (xtx, xty) = cross_products(xw.as_ref(), &yw, 0, y.len());
    solve(xtx, xty).ok_or_else(collinear)
}

/// ldsc's heritability weights: `1 / (2 (intercept + N h2 max(l, 1) / M)^2) / max(w_ld, 1)`,
/// with `h2` clipped to `[0, 1]`.
fn weights(ld: &[f64], w_ld: &[f64], n: &[f64], m_tot: f64, h2: f64, intercept: f64) -> Vec<f64> {
    let h2 = h2.clamp(0.0, 1.0);
    ld.iter()
        .zip(w_ld)
        .zip(n)
        .map(|((&l, &wl), &nj)| {
            let c = h2 * nj / m_tot;
            let het = intercept + c * l.max(1.0);
            1.0 / (2.0 * het * het) * (1.0 / wl.max(1.0))
        })
        .collect()
}

/// Re-weighted least squares as ldsc: two updates of the weights from the fit, then the
/// jackknife with the last weights. `update` maps coefficients to new weights.
fn irwls(
    x: MatRef<'_, f64>,
    y: &[f64],
    initial: &[f64],
    separators: Vec<usize>,
    update: impl Fn(&[f64]) -> Vec<f64>,
) -> Result<Jackknife> {
    let mut w: Vec<f64> = initial.iter().map(|v| v.sqrt()).collect();
    for _ in 0..2 {
        let coef = wls(x, y, &w)?;
        w = update(&coef).into_iter().map(f64::sqrt).collect();
    }
    let (xw, yw) = weighted(x.to_owned(), y, &w)?;
    lstsq_jackknife(xw.as_ref(), &yw, separators)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let k = s.len();
    if k % 2 == 1 {
        s[k / 2]
    } else {
        0.5 * (s[k / 2 - 1] + s[k / 2])
    }
}

fn check_input(input: &H2Input<'_>) -> Result<()> {
    let n_snps = input.chisq.len();
    let c = input.ld.ncols();
    if input.ld.nrows() != n_snps || input.w_ld.len() != n_snps || input.n.len() != n_snps {
        return Err(Error::Internal(format!(
            "h2: {n_snps} chi-squares but {} LD-score rows, {} weights and {} sample sizes",
            input.ld.nrows(),
            input.w_ld.len(),
            input.n.len()
        )));
    }
    if input.m.len() != c {
        return Err(Error::InconsistentInput(format!("{c} LD-score columns but {} M values", input.m.len())));
    }
    if c == 0 {
        return Err(Error::InvalidArgument("no LD-score column".into()));
    }
    if n_snps < 2 {
        return Err(Error::InconsistentInput(format!("{n_snps} SNPs: the regression needs at least 2")));
    }
    let bad = |what: &str, j: usize, v: f64| {
        Error::InvalidArgument(format!("SNP {} of the regression: {what} is {v}", j + 1))
    };
    for j in 0..n_snps {
        if !input.chisq[j].is_finite() || input.chisq[j] < 0.0 {
            return Err(bad("the chi-square", j, input.chisq[j]));
        }
        if input.n[j].is_nan() || input.n[j] <= 0.0 || !input.n[j].is_finite() {
            return Err(bad("N", j, input.n[j]));
        }
        if !input.w_ld[j].is_finite() {
            return Err(bad("the weight LD score", j, input.w_ld[j]));
        }
    }
    // Column by column: the matrix is column-major.
    for k in 0..c {
        let column = input.ld.col(k);
        if let Some(j) = (0..n_snps).find(|&j| !column[j].is_finite()) {
            return Err(bad("an LD score", j, column[j]));
        }
    }
    if let Some(k) = input.m.iter().position(|m| !m.is_finite()) {
        return Err(Error::InvalidArgument(format!("M of LD-score column {} is {}", k + 1, input.m[k])));
    }
    let m_tot: f64 = input.m.iter().sum();
    if m_tot.is_nan() || m_tot <= 0.0 {
        return Err(Error::InvalidArgument(format!("the M values sum to {m_tot}; they must sum to more than 0")));
    }
    Ok(())
}

/// Heritability and its partition by LD score regression, as ldsc's `--h2`.
///
/// ```
/// use faer::Mat;
/// use ldenrich_core::sldsc::{h2, H2Input, H2Options};
/// // Chi-squares that follow 1 + N h2 l / M exactly: the slope is recovered.
/// let n = 1000;
/// let l: Vec<f64> = (0..n).map(|j| 1.0 + (j % 17) as f64).collect();
/// let chisq: Vec<f64> = l.iter().map(|l| 1.0 + 1e4 * 0.5 * l / 1e4).collect();
/// let ld = Mat::from_fn(n, 1, |j, _| l[j]);
/// let fit = h2(
///     &H2Input { chisq: &chisq, ld: ld.as_ref(), w_ld: &l, n: &vec![1e4; n], m: &[1e4] },
///     &H2Options::default(),
/// )
/// .unwrap();
/// assert!((fit.tot - 0.5).abs() < 1e-9 && (fit.intercept - 1.0).abs() < 1e-9);
/// ```
pub fn h2(input: &H2Input<'_>, options: &H2Options) -> Result<H2Fit> {
    options.validate()?;
    check_input(input)?;
    let n_in = input.chisq.len();
    let c = input.ld.ncols();
    let blocks = options.blocks.min(n_in);
    let chisq_max = match options.chisq_max {
        ChisqMax::Off => None,
        ChisqMax::Below(v) => Some(v),
        ChisqMax::Auto if c > 1 => {
            let max_n = input.n.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Some((0.001 * max_n).max(80.0))
        }
        ChisqMax::Auto => None,
    };
    let keep: Vec<usize> = match chisq_max {
        Some(cut) => (0..n_in).filter(|&j| input.chisq[j] < cut).collect(),
        None => (0..n_in).collect(),
    };
    let n_snps = keep.len();
    if n_snps < blocks {
        return Err(Error::InconsistentInput(format!(
            "{n_snps} of {n_in} SNPs have a chi-square below {}: fewer than the {blocks} jackknife blocks",
            chisq_max.unwrap_or(f64::INFINITY)
        )));
    }
    let y: Vec<f64> = keep.iter().map(|&j| input.chisq[j]).collect();
    let w_ld: Vec<f64> = keep.iter().map(|&j| input.w_ld[j]).collect();
    let n: Vec<f64> = keep.iter().map(|&j| input.n[j]).collect();
    // Summed column by column (the matrix is column-major), in column order for every SNP.
    let mut ld_tot = vec![0.0; n_snps];
    for k in 0..c {
        let column = input.ld.col(k);
        for (t, &j) in ld_tot.iter_mut().zip(&keep) {
            *t += column[j];
        }
    }
    let m_tot: f64 = input.m.iter().sum();

    let null_intercept = options.intercept.unwrap_or(1.0);
    let h2_aggregate =
        m_tot * (mean(&y) - null_intercept) / mean(&ld_tot.iter().zip(&n).map(|(l, n)| l * n).collect::<Vec<_>>());
    let initial = weights(&ld_tot, &w_ld, &n, m_tot, h2_aggregate, null_intercept);
    let n_bar = mean(&n);
    let free = options.intercept.is_none();
    let p = c + usize::from(free);
    // The design: N_j l(j, c) / mean N, then the intercept column when it is estimated.
    // (The only copy of the LD scores: built straight from the input's rows kept, and
    // weighted in place below, so a 1.2M x 100 design costs one 1 GB allocation.)
    let x = Mat::from_fn(n_snps, p, |i, k| if k < c { n[i] * input.ld[(keep[i], k)] / n_bar } else { 1.0 });
    let yp: Vec<f64> = match options.intercept {
        Some(i) => y.iter().map(|v| v - i).collect(),
        None => y.clone(),
    };
    let two_step_cut = match options.two_step {
        TwoStep::Auto if c == 1 && free => Some(TWO_STEP_DEFAULT),
        TwoStep::Auto | TwoStep::Off => None,
        TwoStep::Cutoff(cut) => {
            if c > 1 {
                return Err(Error::InvalidArgument(
                    "the two-step estimator is for one LD-score column only (as in ldsc)".into(),
                ));
            }
            Some(cut)
        }
    };
    let separators = block_separators(n_snps, blocks);
    let update = |design_ld: &[f64], fixed: Option<f64>, w_ld: &[f64], n: &[f64]| {
        let w_ld = w_ld.to_vec();
        let n = n.to_vec();
        let design_ld = design_ld.to_vec();
        move |coef: &[f64]| {
            let h2 = m_tot * coef[0] / n_bar;
            let intercept = fixed.unwrap_or_else(|| coef[1]);
            weights(&design_ld, &w_ld, &n, m_tot, h2, intercept)
        }
    };
    let mut two_step = None;
    let jk = if c > 1 {
        let w: Vec<f64> = initial.iter().map(|v| v.sqrt()).collect();
        let (xw, yw) = weighted(x, &yp, &w)?;
        lstsq_jackknife(xw.as_ref(), &yw, separators)?
    } else if let Some(cut) = two_step_cut {
        two_step_fit(&x, &y, &ld_tot, &w_ld, &n, &initial, cut, blocks, m_tot, n_bar, &mut two_step)?
    } else {
        irwls(x.as_ref(), &yp, &initial, separators, update(&ld_tot, options.intercept, &w_ld, &n))?
    };

    let coef: Vec<f64> = jk.est[..c].iter().map(|v| v / n_bar).collect();
    let mut coef_cov = vec![0.0; c * c];
    for i in 0..c {
        for j in 0..c {
            coef_cov[i * c + j] = jk.cov[i * p + j] / (n_bar * n_bar);
        }
    }
    let coef_se: Vec<f64> = (0..c).map(|i| coef_cov[i * c + i].sqrt()).collect();
    let cat: Vec<f64> = coef.iter().zip(input.m).map(|(t, m)| m * t).collect();
    let mut cat_cov = vec![0.0; c * c];
    for i in 0..c {
        for j in 0..c {
            cat_cov[i * c + j] = input.m[i] * input.m[j] * coef_cov[i * c + j];
        }
    }
    let cat_se: Vec<f64> = (0..c).map(|i| cat_cov[i * c + i].sqrt()).collect();
    let tot: f64 = cat.iter().sum();
    let tot_se = cat_cov.iter().sum::<f64>().sqrt();
    let coef_delete: Vec<f64> =
        jk.delete.chunks_exact(p).flat_map(|row| row[..c].iter().map(|v| v / n_bar).collect::<Vec<_>>()).collect();
    // Proportions by the ratio jackknife: numerator and denominator both recomputed without the block.
    let numer: Vec<f64> = coef_delete
        .chunks_exact(c)
        .flat_map(|row| row.iter().zip(input.m).map(|(t, m)| m * t).collect::<Vec<_>>())
        .collect();
    let tot_delete: Vec<f64> = numer.chunks_exact(c).map(|row| row.iter().sum()).collect();
    let prop: Vec<f64> = cat.iter().map(|v| v / tot).collect();
    let prop_cov = ratio_cov(&prop, &numer, &tot_delete);
    let prop_se: Vec<f64> = (0..c).map(|i| prop_cov[i * c + i].sqrt()).collect();
    let (intercept, intercept_se, intercept_delete) = match options.intercept {
        Some(i) => (i, f64::NAN, Vec::new()),
        None => (jk.est[c], jk.cov[c * p + c].sqrt(), jk.delete.chunks_exact(p).map(|row| row[c]).collect()),
    };
    let mean_chisq = mean(&y);
    let lambda_gc = median(&y) / 0.4549;
    let (ratio, ratio_se) = if free && mean_chisq > 1.0 {
        ((intercept - 1.0) / (mean_chisq - 1.0), intercept_se / (mean_chisq - 1.0))
    } else {
        (f64::NAN, f64::NAN)
    };
    Ok(H2Fit {
        n_snps_in: n_in,
        n_snps,
        dropped_chisq: n_in - n_snps,
        chisq_max,
        two_step,
        blocks,
        n_bar,
        m: input.m.to_vec(),
        coef,
        coef_cov,
        coef_se,
        intercept,
        intercept_se,
        intercept_fixed: !free,
        cat,
        cat_se,
        tot,
        tot_se,
        prop,
        prop_cov,
        prop_se,
        mean_chisq,
        lambda_gc,
        ratio,
        ratio_se,
        coef_delete,
        tot_delete,
        intercept_delete,
    })
}

/// Covariance of a ratio estimate `est` (`p` values) from the delete values of its numerators
/// (`B x p`) and of a common denominator (`B`): pseudo-values `B est - (B - 1) num_b / den_b`.
fn ratio_cov(est: &[f64], numer: &[f64], denom: &[f64]) -> Vec<f64> {
    let p = est.len();
    let b = denom.len();
    let bf = b as f64;
    let pseudo: Vec<f64> = numer
        .chunks_exact(p)
        .zip(denom)
        .flat_map(|(row, d)| row.iter().zip(est).map(move |(nu, e)| bf * e - (bf - 1.0) * nu / d))
        .collect();
    pseudo_cov(&pseudo, b, p)
}

/// ldsc's two-step estimator (one LD-score column, free intercept): the intercept from the SNPs
/// with `chi2 < cut` (re-weighted least squares whose weights use the scaled design column, as
/// ldsc does), then the slope from every SNP with that intercept fixed, over blocks at the same
/// SNPs; the slope's delete values are corrected for the intercept's.
#[allow(clippy::too_many_arguments)]
fn two_step_fit(
    x: &Mat<f64>,
    y: &[f64],
    ld_tot: &[f64],
    w_ld: &[f64],
    n: &[f64],
    initial: &[f64],
    cut: f64,
    blocks: usize,
    m_tot: f64,
    n_bar: f64,
    report: &mut Option<(f64, usize)>,
) -> Result<Jackknife> {
    let rows: Vec<usize> = (0..y.len()).filter(|&j| y[j] < cut).collect();
    let n1 = rows.len();
    *report = Some((cut, y.len() - n1));
    if n1 < blocks {
        return Err(Error::InconsistentInput(format!(
            "{n1} SNPs have a chi-square below the two-step cutoff {cut}: fewer than the {blocks} jackknife blocks"
        )));
    }
    let x1 = Mat::from_fn(n1, 2, |i, k| x[(rows[i], k)]);
    let pick = |v: &[f64]| rows.iter().map(|&j| v[j]).collect::<Vec<f64>>();
    let (y1, w_ld1, n_1, initial1) = (pick(y), pick(w_ld), pick(n), pick(initial));
    let scaled_ld1: Vec<f64> = (0..n1).map(|i| x1[(i, 0)]).collect();
    let step1 = irwls(x1.as_ref(), &y1, &initial1, block_separators(n1, blocks), |coef: &[f64]| {
        weights(&scaled_ld1, &w_ld1, &n_1, m_tot, m_tot * coef[0] / n_bar, coef[1])
    })?;
    let intercept = step1.est[1];
    // The step-1 blocks, mapped back onto all SNPs.
    let mut separators = vec![0];
    separators.extend(step1.separators[1..blocks].iter().map(|&s| rows[s]));
    separators.push(y.len());
    let x2 = Mat::from_fn(y.len(), 1, |i, _| x[(i, 0)]);
    let y2: Vec<f64> = y.iter().map(|v| v - intercept).collect();
    let step2 = irwls(x2.as_ref(), &y2, initial, separators, |coef: &[f64]| {
        weights(ld_tot, w_ld, n, m_tot, m_tot * coef[0] / n_bar, intercept)
    })?;
    let (sw, sww) = (0..y.len()).fold((0.0, 0.0), |(a, b), i| {
        let v = x2[(i, 0)];
        (a + initial[i] * v, b + initial[i] * v * v)
    });
    let c = sw / sww;
    let est = vec![step2.est[0], intercept];
    let delete: Vec<f64> = (0..blocks)
        .flat_map(|b| {
            let int_b = step1.delete[2 * b + 1];
            [step2.delete[b] - c * (int_b - intercept), int_b]
        })
        .collect();
    let cov = pseudo_cov(&pseudo_values(&est, &delete), blocks, 2);
    Ok(Jackknife { est, delete, cov, separators: step2.separators })
}

/// How the reference SNPs' annotations overlap, for the `--overlap-annot` table.
#[derive(Debug, Clone, Copy)]
pub struct Overlap<'a> {
    /// `A'A` over the reference SNPs counted (`C x C`, row-major): entry `(i, k)` is the sum over
    /// SNPs of `a_i a_k` (for binary annotations, the SNPs in both).
    pub matrix: &'a [f64],
    /// Number of those SNPs.
    pub m_tot: f64,
    /// Standard deviation of each annotation over them (for tau*), when known.
    pub sd: Option<&'a [f64]>,
}

/// The `.results` table of [`h2`] with overlapping annotations (ldsc's `--overlap-annot`), with
/// the columns users otherwise compute by hand.
#[derive(Debug, Clone)]
pub struct OverlapTable {
    /// `M_c / M_tot`.
    pub prop_snps: Vec<f64>,
    /// Heritability of the SNPs of annotation `c`, `sum_k O_ck tau_k`, over the total.
    pub prop_h2: Vec<f64>,
    /// Its SE.
    pub prop_h2_se: Vec<f64>,
    /// `prop_h2 / prop_snps`.
    pub enrichment: Vec<f64>,
    /// Its SE.
    pub enrichment_se: Vec<f64>,
    /// Two-sided p of "per-SNP h2 inside equals per-SNP h2 outside", Student t with `B` df (NaN
    /// when undefined: the annotation covers every SNP).
    pub enrichment_p: Vec<f64>,
    /// `tau / se`.
    pub coef_z: Vec<f64>,
    /// One-sided `P(Z > coef_z)` (the test of LDSC-SEG, Finucane et al. 2018).
    pub coef_p: Vec<f64>,
    /// `sum_k O_ck tau_k` (h2 of the annotation's SNPs).
    pub h2: Vec<f64>,
    /// Its SE.
    pub h2_se: Vec<f64>,
    /// `tau* = tau sd M_tot / h2` (Gazal et al. 2017), NaN without `sd`.
    pub tau_star: Vec<f64>,
    /// Its ratio-jackknife SE.
    pub tau_star_se: Vec<f64>,
}

/// The `--overlap-annot` table of a fit.
pub fn overlap_table(fit: &H2Fit, overlap: &Overlap<'_>) -> Result<OverlapTable> {
    let c = fit.coef.len();
    if overlap.matrix.len() != c * c {
        return Err(Error::InconsistentInput(format!(
            "the overlap matrix has {} entries for {c} annotations",
            overlap.matrix.len()
        )));
    }
    if let Some(sd) = overlap.sd {
        if sd.len() != c {
            return Err(Error::InconsistentInput(format!("{} annotation SDs for {c} annotations", sd.len())));
        }
    }
    let o = |i: usize, k: usize| overlap.matrix[i * c + k];
    let m = &fit.m;
    let quad = |row: &[f64], cov: &[f64]| {
        let mut s = 0.0;
        for i in 0..c {
            for k in 0..c {
                s += row[i] * cov[i * c + k] * row[k];
            }
        }
        s
    };
    let mut out = OverlapTable {
        prop_snps: vec![0.0; c],
        prop_h2: vec![0.0; c],
        prop_h2_se: vec![0.0; c],
        enrichment: vec![0.0; c],
        enrichment_se: vec![0.0; c],
        enrichment_p: vec![0.0; c],
        coef_z: vec![0.0; c],
        coef_p: vec![0.0; c],
        h2: vec![0.0; c],
        h2_se: vec![0.0; c],
        tau_star: vec![f64::NAN; c],
        tau_star_se: vec![f64::NAN; c],
    };
    let t = statrs::distribution::StudentsT::new(0.0, 1.0, fit.blocks as f64)
        .map_err(|e| Error::Internal(format!("Student t: {e}")))?;
    for i in 0..c {
        let share: Vec<f64> = (0..c).map(|k| o(i, k) / m[k]).collect();
        let prop_h2: f64 = share.iter().zip(&fit.prop).map(|(a, b)| a * b).sum();
        let se = quad(&share, &fit.prop_cov).max(0.0).sqrt();
        let prop_snps = m[i] / overlap.m_tot;
        out.prop_snps[i] = prop_snps;
        out.prop_h2[i] = prop_h2;
        out.prop_h2_se[i] = se;
        out.enrichment[i] = prop_h2 / prop_snps;
        out.enrichment_se[i] = se / prop_snps;
        out.enrichment_p[i] = if overlap.m_tot == m[i] {
            f64::NAN
        } else {
            let diff: Vec<f64> = (0..c).map(|k| o(i, k) / m[i] - (m[k] - o(i, k)) / (overlap.m_tot - m[i])).collect();
            let est: f64 = diff.iter().zip(&fit.coef).map(|(a, b)| a * b).sum();
            let dse = quad(&diff, &fit.coef_cov).sqrt();
            if dse == 0.0 {
                f64::NAN
            } else {
                use statrs::distribution::ContinuousCDF;
                2.0 * t.sf((est / dse).abs())
            }
        };
        out.coef_z[i] = fit.coef[i] / fit.coef_se[i];
        out.coef_p[i] = normal_sf(out.coef_z[i]);
        let row: Vec<f64> = (0..c).map(|k| o(i, k)).collect();
        out.h2[i] = row.iter().zip(&fit.coef).map(|(a, b)| a * b).sum();
        out.h2_se[i] = quad(&row, &fit.coef_cov).max(0.0).sqrt();
    }
    if let Some(sd) = overlap.sd {
        let est: Vec<f64> = (0..c).map(|i| fit.coef[i] * sd[i] * overlap.m_tot / fit.tot).collect();
        let numer: Vec<f64> = fit
            .coef_delete
            .chunks_exact(c)
            .flat_map(|row| (0..c).map(|i| row[i] * sd[i] * overlap.m_tot).collect::<Vec<_>>())
            .collect();
        let cov = ratio_cov(&est, &numer, &fit.tot_delete);
        out.tau_star_se = (0..c).map(|i| cov[i * c + i].sqrt()).collect();
        out.tau_star = est;
    }
    Ok(out)
}

/// `P(Z > z)` for a standard normal, to ~1e-15 relative (the exact chi-square(1) tail).
pub fn normal_sf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    let half = 0.5 * crate::stats::quadform::chisq1_sf(z * z).p;
    if z >= 0.0 {
        half
    } else {
        1.0 - half
    }
}

/// The factor from observed-scale to liability-scale heritability of a case-control study with
/// sample prevalence `p` and population prevalence `k`: `k^2 (1 - k)^2 / (p (1 - p) phi(t)^2)`
/// with `t` the liability threshold, `P(Z > t) = k` (Lee et al. 2011).
pub fn liability_factor(sample_prevalence: f64, population_prevalence: f64) -> Result<f64> {
    let (p, k) = (sample_prevalence, population_prevalence);
    for (name, v) in [("sample prevalence", p), ("population prevalence", k)] {
        if !(v > 0.0 && v < 1.0) {
            return Err(Error::InvalidArgument(format!("the {name} must be in (0, 1); got {v}")));
        }
    }
    let t = std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * k);
    let phi = (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt();
    Ok(k * k * (1.0 - k) * (1.0 - k) / (p * (1.0 - p) * phi * phi))
}

/// Rows per piece of [`annot_cross_products`]: fixed, so that the sum does not depend on the
/// thread count.
const CROSS_PRODUCT_ROWS: usize = 1 << 16;

/// Overlap of annotations over reference SNPs: `A'A` (row-major `C x C`) and the column sums,
/// for [`Overlap`] (summed over chromosomes by the caller). Pieces of rows run in parallel and
/// are added in row order.
pub fn annot_cross_products(annot: MatRef<'_, f64>) -> (Vec<f64>, Vec<f64>) {
    let (n, c) = (annot.nrows(), annot.ncols());
    let pieces: Vec<(Vec<f64>, Vec<f64>)> = (0..n.div_ceil(CROSS_PRODUCT_ROWS).max(1))
        .into_par_iter()
        .map(|k| {
            let lo = (k * CROSS_PRODUCT_ROWS).min(n);
            let hi = ((k + 1) * CROSS_PRODUCT_ROWS).min(n);
            let part = annot.subrows(lo, hi - lo);
            let mut ata = Mat::<f64>::zeros(c, c);
            matmul(ata.as_mut(), Accum::Replace, part.transpose(), part, 1.0, Par::Seq);
            let flat = (0..c * c).map(|ij| ata[(ij / c, ij % c)]).collect();
            let sums = (0..c).map(|j| part.col(j).iter().sum()).collect();
            (flat, sums)
        })
        .collect();
    let mut flat = vec![0.0; c * c];
    let mut sums = vec![0.0; c];
    for (a, s) in &pieces {
        flat.iter_mut().zip(a).for_each(|(t, v)| *t += v);
        sums.iter_mut().zip(s).for_each(|(t, v)| *t += v);
    }
    (flat, sums)
}
