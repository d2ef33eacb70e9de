//! Competitive gene-set regression as MAGMA fits it (docs/methods.md §3.2):
//!
//! `z = b0 + C g + b_S s + e`, `e ~ N(0, sigma^2 R)`,
//!
//! with `z` the gene Z values, `C` the gene covariates, `s` the 0/1 set indicator and `R` the
//! block-diagonal gene-gene correlation matrix of a `.genes.raw` (each stored correlation raised
//! to a power, 1.1 by default). Generalised least squares is ordinary least squares after
//! whitening with `W = L^-1/2 U'` per block of `R = U L U'`; eigen-directions of a block whose
//! eigenvalue is at most `prune` carry (almost) no independent information and are dropped, so
//! the whitened data have `n_eff` rows, MAGMA's "effective number of genes".
//!
//! The covariate part is fitted once ([`BaseModel::fit`]): the whitened `[1, C]` is
//! orthonormalised into `Q`, and the whitened `z` residualised on it. Each set then costs one
//! sparse whitening of its indicator plus a projection on `Q` (Frisch-Waugh-Lovell), so
//! thousands of sets share one factorisation.

use faer::Mat;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::generesults::CorrelationBand;

/// Options of the regression.
#[derive(Debug, Clone, Copy)]
pub struct GlsOptions {
    /// Power applied to each stored gene-gene correlation (sign kept): MAGMA's `1.1`.
    pub power: f64,
    /// Eigenvalues of a correlation block at or below this are dropped. A block's eigenvalues
    /// average 1, so 0.1 drops directions carrying less than a tenth of one gene's variance.
    pub prune: f64,
}

impl Default for GlsOptions {
    fn default() -> Self {
        GlsOptions { power: 1.1, prune: 0.1 }
    }
}

/// One block of correlated genes and its whitening matrix.
#[derive(Debug)]
struct Block {
    gene_start: usize,
    len: usize,
    row_start: usize,
    rows: usize,
    /// `rows x len`, column-major: column `j` is the whitened unit vector of gene `gene_start + j`.
    w: Vec<f64>,
}

/// The covariate part of the model, fitted once and shared by every set.
#[derive(Debug)]
pub struct BaseModel {
    n_genes: usize,
    blocks: Vec<Block>,
    gene_block: Vec<u32>,
    n_eff: usize,
    q: Vec<Vec<f64>>,
    y_res: Vec<f64>,
    y_res_ss: f64,
    kept: Vec<usize>,
    /// Per gene, `Q' W e_g` (the projections of its whitened unit vector), `n_genes x q.len()`.
    gene_q: Vec<f64>,
    /// Per gene, `(W e_g) . y_res`.
    gene_y: Vec<f64>,
}

/// Why a set has no estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetStatus {
    /// Estimated.
    Ok,
    /// The set has no gene of the analysis.
    Empty,
    /// The set indicator is (almost) a combination of the intercept and covariates: all genes,
    /// or genes that the correlations make indistinguishable from the rest.
    Collinear,
    /// No residual degrees of freedom are left.
    NoDf,
}

impl SetStatus {
    /// Name shown to users.
    pub fn name(self) -> &'static str {
        match self {
            SetStatus::Ok => "ok",
            SetStatus::Empty => "empty",
            SetStatus::Collinear => "collinear",
            SetStatus::NoDf => "no_df",
        }
    }
}

/// Estimate of one set's coefficient.
#[derive(Debug, Clone, Copy)]
pub struct SetFit {
    /// Genes of the set in the analysis.
    pub n_genes: usize,
    /// Coefficient of the set indicator.
    pub beta: f64,
    /// Its standard error.
    pub se: f64,
    /// `beta / se`, Student t with `df` degrees of freedom under the null.
    pub t: f64,
    /// Residual degrees of freedom: `n_eff - (intercept + kept covariates) - 1`.
    pub df: f64,
    /// Whether the estimate exists.
    pub status: SetStatus,
}

/// Reusable buffers of [`BaseModel::test_set`].
#[derive(Debug, Default)]
pub struct Scratch {
    sorted: Vec<u32>,
    proj: Vec<f64>,
    block: Vec<f64>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Removes from `v` its projection on the orthonormal columns `q`, twice: one pass of
/// Gram-Schmidt loses orthogonality when `v` is nearly in their span, two do not.
fn project_out(q: &[Vec<f64>], v: &mut [f64]) {
    for _ in 0..2 {
        for qc in q {
            let c = dot(qc, v);
            v.iter_mut().zip(qc).for_each(|(x, y)| *x -= c * y);
        }
    }
}

/// Contiguous blocks of genes linked by the band: `(start, len)`.
fn blocks_of(band: &CorrelationBand, n: usize) -> Vec<(usize, usize)> {
    let mut starts: Vec<usize> = Vec::new();
    for i in 0..n {
        let m = band.offsets[i + 1] - band.offsets[i];
        if m == 0 {
            starts.push(i);
        } else {
            let first = i - m;
            while starts.last().is_some_and(|&s| s > first) {
                starts.pop();
            }
        }
    }
    let mut out = Vec::with_capacity(starts.len());
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(n);
        out.push((s, end - s));
    }
    out
}

/// Eigen-decomposition of a symmetric matrix on the calling thread (deterministic whatever the
/// pool size): eigenvalues ascending and the eigenvectors as columns.
fn symmetric_eigen(m: &Mat<f64>) -> Result<(Vec<f64>, Mat<f64>)> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::evd;
    let n = m.nrows();
    let par = faer::Par::Seq;
    let params = Default::default();
    let mut values = vec![0.0f64; n];
    let mut vectors = Mat::<f64>::zeros(n, n);
    let mut buffer =
        MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(n, evd::ComputeEigenvectors::Yes, par, params));
    let s = faer::ColMut::from_slice_mut(&mut values);
    evd::self_adjoint_evd(
        m.as_ref(),
        s.as_diagonal_mut(),
        Some(vectors.as_mut()),
        par,
        MemStack::new(&mut buffer),
        params,
    )
    .map_err(|e| Error::Internal(format!("eigenvalue decomposition failed: {e:?}")))?;
    Ok((values, vectors))
}

fn whiten_block(
    start: usize,
    len: usize,
    band: Option<&CorrelationBand>,
    opts: &GlsOptions,
) -> Result<(usize, Vec<f64>)> {
    let band = match band {
        Some(b) if len > 1 => b,
        _ => return Ok((1, vec![1.0])),
    };
    let mut r = Mat::<f64>::identity(len, len);
    for local in 0..len {
        let row = band.row(start + local);
        let m = row.len();
        for (k, &value) in row.iter().enumerate() {
            let other = local + k - m;
            let v = value.signum() * value.abs().powf(opts.power);
            r[(local, other)] = v;
            r[(other, local)] = v;
        }
    }
    let (values, vectors) = symmetric_eigen(&r)?;
    let kept: Vec<usize> = (0..len).filter(|&k| values[k] > opts.prune).collect();
    let rows = kept.len();
    let mut w = vec![0.0; rows * len];
    for j in 0..len {
        for (row, &k) in kept.iter().enumerate() {
            w[j * rows + row] = vectors[(j, k)] / values[k].sqrt();
        }
    }
    Ok((rows, w))
}

impl BaseModel {
    /// Fits the covariate part: whitening blocks, the orthonormal basis of the whitened
    /// `[1, covariates]` and the residual of the whitened `z`. A covariate that is (almost) a
    /// combination of the intercept and earlier covariates is left out ([`BaseModel::kept`]).
    pub fn fit(z: &[f64], covariates: &[Vec<f64>], band: Option<&CorrelationBand>, opts: GlsOptions) -> Result<Self> {
        let n = z.len();
        if n < 3 {
            return Err(Error::InconsistentInput(format!("gene-set analysis needs at least 3 genes; {n} given")));
        }
        if let Some(i) = z.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidArgument(format!("gene Z value {i} is not finite")));
        }
        for (c, column) in covariates.iter().enumerate() {
            if column.len() != n {
                return Err(Error::InvalidArgument(format!("covariate {c} has {} values for {n} genes", column.len())));
            }
            if column.iter().any(|v| !v.is_finite()) {
                return Err(Error::InvalidArgument(format!("covariate {c} has values that are not finite")));
            }
        }
        if !(opts.power > 0.0 && opts.power.is_finite() && (0.0..1.0).contains(&opts.prune)) {
            return Err(Error::InvalidArgument(format!(
                "correlation power must be positive and prune in [0, 1); got {} and {}",
                opts.power, opts.prune
            )));
        }
        if let Some(b) = band {
            if b.offsets.len() != n + 1 {
                return Err(Error::InvalidArgument(format!(
                    "correlations cover {} genes, Z values {n}",
                    b.offsets.len() - 1
                )));
            }
            for i in 0..n {
                if b.offsets[i + 1] < b.offsets[i] || b.offsets[i + 1] - b.offsets[i] > i {
                    return Err(Error::InvalidArgument(format!("gene {i} has more correlations than preceding genes")));
                }
            }
        }
        let spans = match band {
            Some(b) => blocks_of(b, n),
            None => (0..n).map(|i| (i, 1)).collect(),
        };
        let whitened: Vec<(usize, Vec<f64>)> = spans
            .par_iter()
            .map(|&(s, len)| crate::cancel::check().and_then(|()| whiten_block(s, len, band, &opts)))
            .collect::<Result<_>>()?;
        let mut blocks = Vec::with_capacity(spans.len());
        let mut gene_block = vec![0u32; n];
        let mut row_start = 0;
        for (b, (&(gene_start, len), (rows, w))) in spans.iter().zip(whitened).enumerate() {
            gene_block[gene_start..gene_start + len].iter_mut().for_each(|x| *x = b as u32);
            blocks.push(Block { gene_start, len, row_start, rows, w });
            row_start += rows;
        }
        let n_eff = row_start;
        let mut model = BaseModel {
            n_genes: n,
            blocks,
            gene_block,
            n_eff,
            q: Vec::new(),
            y_res: Vec::new(),
            y_res_ss: 0.0,
            kept: Vec::new(),
            gene_q: Vec::new(),
            gene_y: Vec::new(),
        };
        let ones = vec![1.0; n];
        for (c, column) in std::iter::once(&ones).chain(covariates.iter()).enumerate() {
            let mut v = model.whiten_dense(column);
            let norm0 = dot(&v, &v).sqrt();
            project_out(&model.q, &mut v);
            let norm = dot(&v, &v).sqrt();
            if norm0 > 0.0 && norm > 1e-8 * norm0 {
                v.iter_mut().for_each(|x| *x /= norm);
                model.q.push(v);
                if c > 0 {
                    model.kept.push(c - 1);
                }
            } else if c == 0 {
                return Err(Error::InconsistentInput(
                    "the correlations leave no information on the mean gene Z".into(),
                ));
            }
        }
        let mut y = model.whiten_dense(z);
        project_out(&model.q, &mut y);
        model.y_res_ss = dot(&y, &y);
        model.y_res = y;
        // A set's indicator is a sum of genes' whitened unit vectors, so its projections on Q
        // and on the residual are sums of per-gene numbers computed once here: a set then costs
        // O(its genes x (covariates + block size)), not O(all genes x covariates).
        let p = model.q.len();
        let mut gene_q = vec![0.0; n * p];
        let mut gene_y = vec![0.0; n];
        for b in &model.blocks {
            for j in 0..b.len {
                let g = b.gene_start + j;
                let col = &b.w[j * b.rows..(j + 1) * b.rows];
                let rows = b.row_start..b.row_start + b.rows;
                for (c, qc) in model.q.iter().enumerate() {
                    gene_q[g * p + c] = dot(col, &qc[rows.clone()]);
                }
                gene_y[g] = dot(col, &model.y_res[rows]);
            }
        }
        model.gene_q = gene_q;
        model.gene_y = gene_y;
        Ok(model)
    }

    fn whiten_dense(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.n_eff];
        for b in &self.blocks {
            let target = &mut out[b.row_start..b.row_start + b.rows];
            for j in 0..b.len {
                let xj = x[b.gene_start + j];
                if xj != 0.0 {
                    let col = &b.w[j * b.rows..(j + 1) * b.rows];
                    target.iter_mut().zip(col).for_each(|(t, w)| *t += xj * w);
                }
            }
        }
        out
    }

    /// Genes in the model.
    pub fn n_genes(&self) -> usize {
        self.n_genes
    }

    /// Effective number of genes: rows left after whitening and pruning.
    pub fn n_eff(&self) -> usize {
        self.n_eff
    }

    /// Number of blocks of correlated genes (independent genes are blocks of one).
    pub fn n_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Genes in the largest block.
    pub fn largest_block(&self) -> usize {
        self.blocks.iter().map(|b| b.len).max().unwrap_or(0)
    }

    /// Indices of the covariates kept (the others were collinear with earlier columns).
    pub fn kept(&self) -> &[usize] {
        &self.kept
    }

    /// Residual degrees of freedom of a set's test.
    pub fn df(&self) -> f64 {
        self.n_eff as f64 - self.q.len() as f64 - 1.0
    }

    /// Tests one set given the indices of its genes (distinct, each below `n_genes`).
    pub fn test_set(&self, genes: &[u32], scratch: &mut Scratch) -> SetFit {
        let df = self.df();
        let nan = SetFit { n_genes: genes.len(), beta: f64::NAN, se: f64::NAN, t: f64::NAN, df, status: SetStatus::Ok };
        if genes.is_empty() {
            return SetFit { status: SetStatus::Empty, ..nan };
        }
        if df < 1.0 {
            return SetFit { status: SetStatus::NoDf, ..nan };
        }
        let p = self.q.len();
        scratch.sorted.clear();
        scratch.sorted.extend_from_slice(genes);
        scratch.sorted.sort_unstable();
        scratch.proj.clear();
        scratch.proj.resize(p, 0.0);
        let mut su = 0.0;
        // ||W s||^2 block by block: genes of one block are adjacent once sorted.
        let mut total = 0.0;
        let mut i = 0;
        while i < scratch.sorted.len() {
            let block_index = self.gene_block[scratch.sorted[i] as usize];
            let b = &self.blocks[block_index as usize];
            scratch.block.clear();
            scratch.block.resize(b.rows, 0.0);
            while i < scratch.sorted.len() && self.gene_block[scratch.sorted[i] as usize] == block_index {
                let g = scratch.sorted[i] as usize;
                let j = g - b.gene_start;
                let col = &b.w[j * b.rows..(j + 1) * b.rows];
                scratch.block.iter_mut().zip(col).for_each(|(t, w)| *t += w);
                scratch.proj.iter_mut().zip(&self.gene_q[g * p..(g + 1) * p]).for_each(|(t, a)| *t += a);
                su += self.gene_y[g];
                i += 1;
            }
            total += dot(&scratch.block, &scratch.block);
        }
        // Residual of the whitened indicator after the covariates: ||Ws||^2 - ||Q'Ws||^2.
        let ss = total - dot(&scratch.proj, &scratch.proj);
        // NaN-safe: a zero or NaN residual norm is collinear too.
        if ss.partial_cmp(&(1e-8 * total)) != Some(std::cmp::Ordering::Greater) {
            return SetFit { status: SetStatus::Collinear, ..nan };
        }
        let beta = su / ss;
        let rss = (self.y_res_ss - beta * beta * ss).max(0.0);
        let se = (rss / df / ss).sqrt();
        SetFit { n_genes: genes.len(), beta, se, t: beta / se, df, status: SetStatus::Ok }
    }

    /// Tests every set, in parallel on the current rayon pool; each set's arithmetic is the same
    /// whatever the pool size.
    pub fn test_sets(&self, sets: &[&[u32]]) -> Result<Vec<SetFit>> {
        for (s, genes) in sets.iter().enumerate() {
            if let Some(&g) = genes.iter().find(|&&g| g as usize >= self.n_genes) {
                return Err(Error::InvalidArgument(format!("set {s} refers to gene {g} of {}", self.n_genes)));
            }
        }
        sets.par_iter()
            .map_init(Scratch::default, |scratch, genes| crate::cancel::check().map(|()| self.test_set(genes, scratch)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::linalg::solvers::DenseSolveCore;

    fn band(rows: &[&[f64]]) -> CorrelationBand {
        let mut b = CorrelationBand { offsets: vec![0], values: Vec::new() };
        for r in rows {
            b.values.extend_from_slice(r);
            b.offsets.push(b.values.len());
        }
        b
    }

    #[test]
    fn blocks_follow_the_band() {
        let b = band(&[&[], &[0.5], &[0.1, 0.2], &[], &[], &[0.3], &[0.1, 0.1, 0.1]]);
        // Gene 6 reaches back to gene 3, merging blocks [3] and [4, 5].
        assert_eq!(blocks_of(&b, 7), [(0, 3), (3, 4)]);
    }

    #[test]
    fn ols_matches_normal_equations() {
        // Without correlations: beta of s in z ~ 1 + x + s by hand (normal equations, 3x3).
        let z = [1.0, 2.0, 0.5, 3.0, 2.5, -1.0, 0.0, 1.5];
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let set = [1u32, 3, 4];
        let s: Vec<f64> = (0..8).map(|i| if set.contains(&(i as u32)) { 1.0 } else { 0.0 }).collect();
        let model = BaseModel::fit(&z, &[x.to_vec()], None, GlsOptions::default()).unwrap();
        let fit = model.test_set(&set, &mut Scratch::default());
        let cols = [vec![1.0; 8], x.to_vec(), s];
        let mut a = Mat::<f64>::zeros(3, 3);
        let mut rhs = [0.0; 3];
        for i in 0..3 {
            rhs[i] = dot(&cols[i], &z);
            for j in 0..3 {
                a[(i, j)] = dot(&cols[i], &cols[j]);
            }
        }
        let inv = a.as_ref().partial_piv_lu().inverse();
        let beta: Vec<f64> = (0..3).map(|i| (0..3).map(|j| inv[(i, j)] * rhs[j]).sum()).collect();
        let rss: f64 = (0..8).map(|g| z[g] - (0..3).map(|k| beta[k] * cols[k][g]).sum::<f64>()).map(|r| r * r).sum();
        let se = (rss / 5.0 * inv[(2, 2)]).sqrt();
        assert_eq!(fit.status, SetStatus::Ok);
        assert!((fit.beta - beta[2]).abs() < 1e-12, "{} {}", fit.beta, beta[2]);
        assert!((fit.se - se).abs() < 1e-12);
        assert_eq!(fit.df, 5.0);
    }

    #[test]
    fn identical_genes_are_pruned_and_all_gene_set_is_collinear() {
        let z = [1.0, 1.0, 0.2, -0.3, 0.8];
        let b = band(&[&[], &[1.0], &[], &[], &[]]);
        let model = BaseModel::fit(&z, &[], Some(&b), GlsOptions::default()).unwrap();
        assert_eq!(model.n_eff(), 4);
        assert_eq!(model.n_blocks(), 4);
        let fits = model.test_sets(&[&[0, 1, 2, 3, 4], &[0, 1], &[]]).unwrap();
        assert_eq!(fits[0].status, SetStatus::Collinear);
        assert_eq!(fits[1].status, SetStatus::Ok);
        assert_eq!(fits[1].df, 2.0);
        assert_eq!(fits[2].status, SetStatus::Empty);
    }

    #[test]
    fn collinear_covariate_is_dropped() {
        let z = [1.0, 2.0, 0.5, 3.0, 2.5];
        let x = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        let twice: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        let model = BaseModel::fit(&z, &[x, twice, vec![7.0; 5]], None, GlsOptions::default()).unwrap();
        assert_eq!(model.kept(), [0]);
        assert_eq!(model.df(), 2.0);
    }
}
