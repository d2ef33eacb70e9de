//! Partitioned LD scores (Finucane et al. 2015; ldsc's `--l2`): `L2[j, a] = sum_k r2_jk A[k, a]` over the SNPs `k`
//! in the LD window of SNP `j` (including `j` itself), with ldsc's SNP filter, standardisation and
//! bias-corrected `r2 = r^2 - (1 - r^2) / (n - 2)`.
//!
//! The window of every chromosome is described by one non-decreasing "left edge" per SNP: the pair
//! `(j, k)`, `j <= k`, is counted iff `j >= left[k]`. Both window rules are such edges:
//! [`WindowRule::Exact`] is the per-pair rule, [`WindowRule::Ldsc`] reproduces the chunked rule of
//! ldsc (see [`ldsc_edges`]). The sum is then computed block by block: the correlations of a block
//! of SNPs with every SNP to its left inside the widest window of the block are one GEMM, and the
//! products with the annotation matrix are two more, so thousands of annotations cost little more
//! than one.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::bim::Bim;
use crate::io::plink::{PackedGenotypes, PlinkBed};

/// SNPs processed per chunk by ldsc (its `--chunk-size` default), which sets its window rule.
pub const LDSC_CHUNK: usize = 50;

/// Most SNPs per block of the GEMM sweep.
const MAX_BLOCK: usize = 256;
/// Fewest SNPs per block (below this, GEMM overheads dominate).
const MIN_BLOCK: usize = 32;

/// SNPs per block for windows with these left edges. A block of `B` SNPs whose SNPs reach `W`
/// SNPs to their left costs `(W + B) B n` multiply-adds for `W B n` useful ones (plus half the
/// `B^2 n` square), so blocks below the typical window width waste little while staying large
/// enough for efficient GEMMs. Depends only on the windows, never on the thread count.
fn block_size(left: &[usize]) -> usize {
    if left.is_empty() {
        return MIN_BLOCK;
    }
    let reach: usize = left.iter().enumerate().map(|(k, &l)| k - l).sum::<usize>() / left.len();
    // Half the mean reach: measured fastest on the bolt EUR panel (blocks of 32 to 256 tried).
    (reach / 2).next_multiple_of(8).clamp(MIN_BLOCK, MAX_BLOCK)
}

/// Blocks computed in parallel before their contributions are added (bounds the memory held).
const BATCH: usize = 32;

/// How far apart two SNPs of one chromosome may be and still count in each other's LD score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Window {
    /// Genetic distance in centimorgans (`.bim` column 3), ldsc's `--ld-wind-cm`.
    Cm(f64),
    /// Physical distance in kilobases, ldsc's `--ld-wind-kb`.
    Kb(f64),
    /// Number of SNPs (after the SNP filter), ldsc's `--ld-wind-snps`.
    Snps(usize),
}

impl Window {
    /// The window of unit `unit` (`"cm"`, `"kb"` or `"snps"`) and size `size`.
    pub fn parse(unit: &str, size: f64) -> Result<Self> {
        match unit {
            "cm" => Ok(Window::Cm(size)),
            "kb" => Ok(Window::Kb(size)),
            "snps" if size >= 0.0 && size.fract() == 0.0 && size < 1e15 => Ok(Window::Snps(size as usize)),
            "snps" => Err(Error::InvalidArgument(format!("--ld-wind-snps must be a whole number >= 0, got {size}"))),
            other => Err(Error::InvalidArgument(format!("window unit '{other}': expected 'cm', 'kb' or 'snps'"))),
        }
    }
}

/// Which pairs inside the window count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRule {
    /// ldsc's rule: SNPs are taken in chunks of [`LDSC_CHUNK`]; every SNP of a chunk pairs with as
    /// many whole chunks to its left as the chunk's first SNP needs, and the SNPs before the first
    /// SNP whose window does not reach the chromosome's first SNP (rounded up to whole chunks) all
    /// pair with each other. Needed to combine scores with published ldsc scores.
    Ldsc,
    /// Exactly the pairs within the window distance.
    Exact,
}

impl WindowRule {
    /// Parses `"ldsc"` or `"exact"`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "ldsc" => Ok(WindowRule::Ldsc),
            "exact" => Ok(WindowRule::Exact),
            other => Err(Error::InvalidArgument(format!("window rule '{other}': expected 'ldsc' or 'exact'"))),
        }
    }
}

/// Options of [`ld_scores`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LdScoreOptions {
    /// Window size and unit.
    pub window: Window,
    /// Window rule.
    pub rule: WindowRule,
    /// SNPs are kept iff their minor allele frequency (over called genotypes) is strictly above
    /// this (ldsc's `--maf`, default 0, so monomorphic SNPs are always dropped).
    pub maf_min: f64,
}

impl Default for LdScoreOptions {
    fn default() -> Self {
        LdScoreOptions { window: Window::Cm(1.0), rule: WindowRule::Ldsc, maf_min: 0.0 }
    }
}

impl LdScoreOptions {
    fn validate(&self) -> Result<()> {
        let bad =
            |what: &str, v: f64| Err(Error::InvalidArgument(format!("{what} must be a finite number >= 0, got {v}")));
        match self.window {
            Window::Cm(w) if !(w.is_finite() && w >= 0.0) => return bad("--ld-wind-cm", w),
            Window::Kb(w) if !(w.is_finite() && w >= 0.0) => return bad("--ld-wind-kb", w),
            _ => {}
        }
        if !(self.maf_min.is_finite() && (0.0..0.5).contains(&self.maf_min)) {
            return Err(Error::InvalidArgument(format!("--maf must be in [0, 0.5), got {}", self.maf_min)));
        }
        Ok(())
    }
}

/// LD scores of the SNPs of a panel that pass the SNP filter.
#[derive(Debug)]
pub struct LdScores {
    /// `.bim` rows of the SNPs kept (and printed, when only some are), increasing.
    pub kept: Vec<usize>,
    /// Minor allele frequency (over called genotypes) of each of them.
    pub maf: Vec<f64>,
    /// `kept.len() x n_annotations` LD scores.
    pub l2: Mat<f64>,
    /// Sum of each annotation over the kept SNPs (ldsc's `.l2.M`).
    pub m: Vec<f64>,
    /// Sum of each annotation over the kept SNPs with MAF > 0.05 (ldsc's `.l2.M_5_50`).
    pub m_5_50: Vec<f64>,
    /// SNPs dropped because they have one genotype class only, or only heterozygous or missing
    /// calls (no variance after mean imputation).
    pub dropped_monomorphic: usize,
    /// Further SNPs dropped because their MAF is at or below `maf_min`.
    pub dropped_maf: usize,
}

/// Number of samples below which the bias correction `(1 - r^2) / (n - 2)` is undefined.
const MIN_SAMPLES: usize = 3;

/// LD scores of every SNP of `bed` (rows of `bim`) that passes ldsc's filter, for the annotation
/// matrix `annot` (`bim.len() x C`; row `i` is `.bim` row `i`, continuous values allowed).
/// Windows never cross chromosomes; the SNPs of a chromosome must be contiguous in the `.bim` and
/// sorted by the window coordinate.
///
/// With [`Window::Cm`], a chromosome whose cM column is all zero, or whose cM span is far too
/// small for its physical span (a map in Morgans), is refused rather than turned into a
/// whole-chromosome window.
pub fn ld_scores(bim: &Bim, bed: &PlinkBed, annot: MatRef<'_, f64>, options: &LdScoreOptions) -> Result<LdScores> {
    ld_scores_of(bim, bed, &Annotations { dense: annot, runs: &[], printed: None }, options)
}

/// What LD scores are computed for, and which SNPs' scores are kept.
#[derive(Debug, Clone, Copy)]
pub struct Annotations<'a> {
    /// `bim.len() x C` values (any, continuous allowed); may have no columns.
    pub dense: MatRef<'a, f64>,
    /// Further 0/1 columns (gene sets, intervals), each as sorted, disjoint half-open ranges of
    /// `.bim` rows: never turned into a matrix, so thousands of them cost memory in proportion
    /// to their ranges and time about as much as one.
    pub runs: &'a [Vec<(usize, usize)>],
    /// Per `.bim` row, whether its scores are returned (ldsc's `--print-snps`); LD is computed
    /// over every SNP either way, and `.l2.M` counts every kept SNP. None: all.
    pub printed: Option<&'a [bool]>,
}

/// [`ld_scores`] for dense columns, then run columns, returning only the printed SNPs' rows
/// (`LdScores::kept` lists those).
pub fn ld_scores_of(
    bim: &Bim,
    bed: &PlinkBed,
    annotations: &Annotations<'_>,
    options: &LdScoreOptions,
) -> Result<LdScores> {
    options.validate()?;
    let annot = annotations.dense;
    if let Some(p) = annotations.printed {
        if p.len() != bim.len() {
            return Err(Error::InvalidArgument(format!(
                "the printed-SNP mask has {} rows; the panel ({}) has {} SNPs",
                p.len(),
                bim.path.display(),
                bim.len()
            )));
        }
    }
    for (k, col) in annotations.runs.iter().enumerate() {
        let ordered = col.iter().all(|&(a, b)| a < b && b <= bim.len()) && col.windows(2).all(|w| w[0].1 <= w[1].0);
        if !ordered {
            return Err(Error::InvalidArgument(format!(
                "run column {k}: ranges must be non-empty, sorted, disjoint and within the panel's {} rows",
                bim.len()
            )));
        }
    }
    if annot.nrows() != bim.len() {
        return Err(Error::InvalidArgument(format!(
            "the annotation matrix has {} rows; the panel ({}) has {} SNPs",
            annot.nrows(),
            bim.path.display(),
            bim.len()
        )));
    }
    if let Some((row, col)) = first_non_finite(annot) {
        return Err(Error::InvalidArgument(format!(
            "annotation value at SNP row {} (.bim line {}), column {} is not a finite number",
            row,
            row + 1,
            col + 1
        )));
    }
    let n = bed.n_samples();
    if n < MIN_SAMPLES {
        return Err(Error::InconsistentInput(format!(
            "{}: {n} samples; LD scores need at least {MIN_SAMPLES} (the r^2 bias correction divides by n - 2)",
            bed.path().display()
        )));
    }
    let n_dense = annot.ncols();
    let n_annot = n_dense + annotations.runs.len();
    let mut out = LdScores {
        kept: Vec::new(),
        maf: Vec::new(),
        l2: Mat::zeros(0, n_annot),
        m: vec![0.0; n_annot],
        m_5_50: vec![0.0; n_annot],
        dropped_monomorphic: 0,
        dropped_maf: 0,
    };
    let mut pieces = Vec::new();
    let mut passed = 0;
    for (start, end) in chromosome_runs(bim)? {
        let rows: Vec<usize> = (start..end).collect();
        let std = bed.packed(&rows)?;
        out.dropped_monomorphic += std.monomorphic;
        // min(f, 1 - f) of allele 2's frequency, as ldsc computes it: a MAF of exactly 0.05 or
        // `maf_min` then falls on the same side of the threshold.
        let maf: Vec<f64> = std.allele2_frequency.iter().map(|&f| f.min(1.0 - f)).collect();
        let pass: Vec<usize> = (0..std.kept.len()).filter(|&i| maf[i] > options.maf_min).collect();
        out.dropped_maf += std.kept.len() - pass.len();
        if pass.is_empty() {
            continue;
        }
        // Decoded one batch of blocks at a time, never as a whole chromosome.
        let genotypes = Genotypes::Packed { packed: &std, columns: &pass, n_samples: n };
        let kept: Vec<usize> = pass.iter().map(|&i| start + std.kept[i]).collect();
        passed += kept.len();
        let maf: Vec<f64> = pass.iter().map(|&i| maf[i]).collect();
        let coords = window_coordinates(bim, &kept, options.window)?;
        let max_dist = match options.window {
            Window::Cm(w) => w,
            Window::Kb(w) => w * 1000.0,
            Window::Snps(w) => w as f64,
        };
        let exact = exact_edges(&coords, max_dist);
        let left = match options.rule {
            WindowRule::Exact => exact,
            WindowRule::Ldsc => ldsc_edges(&exact, LDSC_CHUNK),
        };
        // The chromosome's rows of the annotation: a view when no SNP was dropped (the usual
        // case), else a copy of the kept rows.
        let contiguous = kept.last().is_some_and(|&last| last + 1 - kept[0] == kept.len());
        let copied = (!contiguous).then(|| {
            let mut a = Mat::<f64>::zeros(kept.len(), n_dense);
            for c in 0..n_dense {
                let src = column(annot, c);
                for (d, &i) in a.col_as_slice_mut(c).iter_mut().zip(&kept) {
                    *d = src[i];
                }
            }
            a
        });
        let a = copied.as_ref().map_or_else(|| annot.subrows(kept[0], kept.len()), |a| a.as_ref());
        for c in 0..n_dense {
            for (&v, &f) in column(a, c).iter().zip(&maf) {
                out.m[c] += v;
                if f > 0.05 {
                    out.m_5_50[c] += v;
                }
            }
        }
        // The run columns in the chromosome's kept SNPs: a run of .bim rows is a run of kept
        // SNPs (kept rows increase), counted with prefix sums of the common ones.
        let mut common = vec![0usize; kept.len() + 1];
        for (i, &f) in maf.iter().enumerate() {
            common[i + 1] = common[i] + usize::from(f > 0.05);
        }
        let local: Vec<Vec<(usize, usize)>> = annotations
            .runs
            .iter()
            .map(|col| {
                let first = col.partition_point(|&(_, b)| b <= start);
                let last = col.partition_point(|&(a, _)| a < end);
                col[first..last.max(first)]
                    .iter()
                    .map(|&(a, b)| (kept.partition_point(|&r| r < a), kept.partition_point(|&r| r < b)))
                    .filter(|&(a, b)| a < b)
                    .collect()
            })
            .collect();
        for (k, col) in local.iter().enumerate() {
            for &(a, b) in col {
                out.m[n_dense + k] += (b - a) as f64;
                out.m_5_50[n_dense + k] += (common[b] - common[a]) as f64;
            }
        }
        let plan = ColumnPlan::new(a).with_runs(n_dense, &local);
        let printed: Option<Vec<u32>> = annotations.printed.map(|p| {
            let mut next = 0u32;
            kept.iter()
                .map(|&r| {
                    if p[r] {
                        next += 1;
                        next - 1
                    } else {
                        u32::MAX
                    }
                })
                .collect()
        });
        let rows_out = printed.as_ref().map(|map| (map.as_slice(), map.iter().filter(|&&o| o != u32::MAX).count()));
        let l2 = scores_of_plan(genotypes, a, &plan, n_annot, &left, rows_out)?;
        match annotations.printed {
            None => {
                out.kept.extend_from_slice(&kept);
                out.maf.extend_from_slice(&maf);
            }
            Some(p) => {
                for (&r, &f) in kept.iter().zip(&maf) {
                    if p[r] {
                        out.kept.push(r);
                        out.maf.push(f);
                    }
                }
            }
        }
        pieces.push(l2);
    }
    if passed == 0 {
        return Err(Error::InconsistentInput(format!(
            "{}: no SNP passes the filter ({} SNPs in the .bim; {} monomorphic or only heterozygous/missing, \
             {} with MAF <= {})",
            bed.path().display(),
            bim.len(),
            out.dropped_monomorphic,
            out.dropped_maf,
            options.maf_min
        )));
    }
    if pieces.len() == 1 {
        out.l2 = pieces.pop().expect("one piece");
        return Ok(out);
    }
    let total: usize = pieces.iter().map(|p| p.nrows()).sum();
    let mut l2 = Mat::zeros(total, n_annot);
    let mut row = 0;
    for piece in pieces {
        l2.as_mut().submatrix_mut(row, 0, piece.nrows(), n_annot).copy_from(&piece);
        row += piece.nrows();
    }
    out.l2 = l2;
    Ok(out)
}

fn first_non_finite(annot: MatRef<'_, f64>) -> Option<(usize, usize)> {
    (0..annot.ncols()).find_map(|c| column(annot, c).iter().position(|v| !v.is_finite()).map(|r| (r, c)))
}

/// `[start, end)` row ranges of the chromosomes of a `.bim`, in file order; a chromosome split
/// into two runs is an error (its SNPs would get two separate windows).
fn chromosome_runs(bim: &Bim) -> Result<Vec<(usize, usize)>> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 1..=bim.len() {
        if i == bim.len() || bim.chrom[i] != bim.chrom[start] {
            if let Some(&(s, _)) = runs.iter().find(|&&(s, _)| bim.chrom[s] == bim.chrom[start]) {
                return Err(Error::parse_col(
                    &bim.path,
                    start as u64 + 1,
                    "1 (chromosome)",
                    format!(
                        "chromosome {} starts again here after other chromosomes (first seen at line {}); \
                         LD scores need each chromosome's SNPs contiguous and sorted",
                        crate::chrom::chrom_name(bim.chrom[start]),
                        s + 1
                    ),
                ));
            }
            runs.push((start, i));
            start = i;
        }
    }
    Ok(runs)
}

/// The window coordinate of each kept SNP of one chromosome, checked to be sorted (and, for cM,
/// to be a plausible centimorgan map).
fn window_coordinates(bim: &Bim, kept: &[usize], window: Window) -> Result<Vec<f64>> {
    let (coords, column): (Vec<f64>, &str) = match window {
        Window::Cm(_) => (kept.iter().map(|&i| bim.cm[i]).collect(), "3 (cM)"),
        Window::Kb(_) => (kept.iter().map(|&i| f64::from(bim.bp[i])).collect(), "4 (bp)"),
        Window::Snps(_) => return Ok((0..kept.len()).map(|i| i as f64).collect()),
    };
    for (w, pair) in coords.windows(2).enumerate() {
        // A NaN cM is out of order too.
        if !matches!(pair[1].partial_cmp(&pair[0]), Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)) {
            return Err(Error::parse_col(
                &bim.path,
                kept[w + 1] as u64 + 1,
                column,
                format!(
                    "{} is smaller than {} on the previous SNP line {}; LD windows need each chromosome \
                     sorted by position (sort the fileset with `plink --make-bed`)",
                    coords[w + 1],
                    coords[w],
                    kept[w] + 1
                ),
            ));
        }
    }
    if let Window::Cm(_) = window {
        check_cm_map(bim, kept, &coords)?;
    }
    Ok(coords)
}

/// Physical span (bp) above which a chromosome's cM span is checked for a Morgan-scale map.
const MORGAN_CHECK_BP: f64 = 2e6;
/// Fewest cM per Mb accepted over such a span: human maps average about 1.2 cM/Mb and no
/// chromosome arm is below 0.4; a map in Morgans gives about 0.012.
const MIN_CM_PER_MB: f64 = 0.1;

fn check_cm_map(bim: &Bim, kept: &[usize], coords: &[f64]) -> Result<()> {
    let (first, last) = (kept[0], kept[kept.len() - 1]);
    let chrom = crate::chrom::chrom_name(bim.chrom[first]);
    let cm_span = coords[coords.len() - 1] - coords[0];
    if coords.iter().all(|&c| c == 0.0) {
        return Err(Error::InconsistentInput(format!(
            "{}: every cM (column 3) of chromosome {chrom} is 0, so a cM window would span the whole chromosome; \
             use --ld-wind-kb or --ld-wind-snps, or add a genetic map (`plink --cm-map`)",
            bim.path.display()
        )));
    }
    let bp_span = f64::from(bim.bp[last]) - f64::from(bim.bp[first]);
    if bp_span >= MORGAN_CHECK_BP && cm_span / (bp_span / 1e6) < MIN_CM_PER_MB {
        return Err(Error::InconsistentInput(format!(
            "{}: chromosome {chrom} spans {:.3} cM over {:.1} Mb (lines {} to {}), {:.4} cM/Mb; human maps have about \
             1 cM/Mb, so column 3 is probably in Morgans: multiply it by 100, or use --ld-wind-kb or --ld-wind-snps",
            bim.path.display(),
            cm_span,
            bp_span / 1e6,
            first + 1,
            last + 1,
            cm_span / (bp_span / 1e6)
        )));
    }
    Ok(())
}

/// For sorted `coords`, the first index `j` with `coords[i] - coords[j] <= max_dist`, for each
/// `i` (the exact window's left edge; a distance equal to the window is inside).
pub fn exact_edges(coords: &[f64], max_dist: f64) -> Vec<usize> {
    let mut left = Vec::with_capacity(coords.len());
    let mut j = 0;
    for &c in coords {
        while c - coords[j] > max_dist {
            j += 1;
        }
        left.push(j);
    }
    left
}

/// ldsc's left edges from the exact ones, for chunks of `chunk` SNPs.
///
/// ldsc first takes `b`, the first SNP whose exact window does not reach SNP 0, rounded up to a
/// whole number of chunks (all SNPs when that passes the end): SNPs `0..b` all pair with each
/// other. Each later chunk, starting at SNP `s` (a multiple of `chunk`), pairs with the
/// `ceil((s - exact[s]) / chunk)` whole chunks to its left, whatever its other SNPs' windows.
pub fn ldsc_edges(exact: &[usize], chunk: usize) -> Vec<usize> {
    let m = exact.len();
    let first = exact.iter().position(|&l| l > 0).unwrap_or(m);
    let dense = first.div_ceil(chunk) * chunk;
    if dense >= m {
        return vec![0; m];
    }
    (0..m)
        .map(|k| {
            if k < dense {
                0
            } else {
                let s = k / chunk * chunk;
                s - (s - exact[s]).div_ceil(chunk) * chunk
            }
        })
        .collect()
}

/// Bias-corrected r^2 of a correlation `r` over `n` samples.
#[inline]
fn corrected_r2(r: f64, n: f64) -> f64 {
    let r2 = r * r;
    r2 - (1.0 - r2) / (n - 2.0)
}

/// A column whose non-zero values form at most `m / 16` runs (maximal stretches of SNPs with
/// one value) is summed through its runs rather than by GEMM. A GEMM costs about one
/// multiply-add per SNP pair and column at many per cycle; a run costs one difference of
/// prefix sums per SNP, whatever its length. A gene-set or interval annotation is a few runs
/// per gene or interval, so 1,000 of them cost little more than one and the genotype
/// correlations dominate again.
const RUNS_PER_SNP: f64 = 1.0 / 16.0;

/// A stretch `start..end` of SNP rows where a sparse column (`column`, its position in
/// [`ColumnPlan::sparse`]) holds one non-zero `value`.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: usize,
    end: usize,
    column: u32,
    value: f64,
}

/// How the annotation columns are summed: dense columns by GEMM, sparse ones (few runs: gene
/// sets, intervals) through prefix sums over their runs.
struct ColumnPlan {
    /// Columns taken by GEMM, and their values when not all columns are (else `annot` itself).
    dense: Vec<usize>,
    dense_values: Option<Mat<f64>>,
    /// Columns taken through their runs.
    sparse: Vec<usize>,
    /// Every run of the sparse columns, by start.
    runs: Vec<Run>,
    /// The longest run, which bounds how far before a row range a run meeting it can start.
    longest: usize,
}

impl ColumnPlan {
    fn new(annot: MatRef<'_, f64>) -> Self {
        let m = annot.nrows();
        let (mut dense, mut sparse, mut runs) = (Vec::new(), Vec::new(), Vec::new());
        for c in 0..annot.ncols() {
            let col = column(annot, c);
            let mut own = Vec::new();
            let mut i = 0;
            while i < m && (own.len() as f64) <= RUNS_PER_SNP * m as f64 {
                let v = col[i];
                let start = i;
                while i < m && col[i] == v {
                    i += 1;
                }
                if v != 0.0 {
                    own.push(Run { start, end: i, column: sparse.len() as u32, value: v });
                }
            }
            if i == m && (own.len() as f64) <= RUNS_PER_SNP * m as f64 {
                sparse.push(c);
                runs.extend(own);
            } else {
                dense.push(c);
            }
        }
        let dense_values = (!sparse.is_empty() && !dense.is_empty())
            .then(|| Mat::from_fn(m, dense.len(), |i, k| annot[(i, dense[k])]));
        let mut plan = ColumnPlan { dense, dense_values, sparse, runs, longest: 0 };
        plan.finish();
        plan
    }

    /// Adds 0/1 columns given by their runs of rows, as output columns after the matrix's.
    fn with_runs(mut self, first_column: usize, columns: &[Vec<(usize, usize)>]) -> Self {
        for (k, col) in columns.iter().enumerate() {
            let column = self.sparse.len() as u32;
            self.sparse.push(first_column + k);
            self.runs.extend(col.iter().map(|&(start, end)| Run { start, end, column, value: 1.0 }));
        }
        self.finish();
        self
    }

    fn finish(&mut self) {
        self.runs.sort_by_key(|r| (r.start, r.column));
        self.longest = self.runs.iter().map(|r| r.end - r.start).max().unwrap_or(0);
    }

    /// The runs meeting rows `lo..hi`, cut to them.
    fn runs_within(&self, lo: usize, hi: usize) -> impl Iterator<Item = Run> + '_ {
        let first = self.runs.partition_point(|r| r.start + self.longest <= lo);
        let last = self.runs.partition_point(|r| r.start < hi);
        self.runs[first..last.max(first)].iter().filter(move |r| r.end > lo).map(move |r| Run {
            start: r.start.max(lo),
            end: r.end.min(hi),
            ..*r
        })
    }
}

/// Column `c` of a matrix: borrowed when its entries are contiguous (a faer `Mat`, as every
/// caller here passes), else gathered.
fn column<'a>(a: MatRef<'a, f64>, c: usize) -> std::borrow::Cow<'a, [f64]> {
    match a.col(c).try_as_col_major() {
        Some(col) => std::borrow::Cow::Borrowed(col.as_slice()),
        None => std::borrow::Cow::Owned(a.col(c).iter().copied().collect()),
    }
}

/// One block's sums over the sparse columns that have a run in its rows (`active`, positions
/// in [`ColumnPlan::sparse`]): `own` (`b x active`, column major) over each block SNP's
/// partners, `partners` (`width x active`) over the block's SNPs.
struct SparseBlock {
    active: Vec<u32>,
    own: Vec<f64>,
    partners: Vec<f64>,
}

/// The sparse columns' sums for the block whose `r` has rows `lo..lo + width` and columns
/// `s..s + b` (zero outside each column's window, so prefix sums over whole runs are exact).
fn sparse_products(plan: &ColumnPlan, r: MatRef<'_, f64>, lo: usize, s: usize) -> SparseBlock {
    let (width, b) = (r.nrows(), r.ncols());
    let rows: Vec<Run> = plan.runs_within(lo, lo + width).collect();
    let mut local = vec![u32::MAX; plan.sparse.len()];
    let mut active = Vec::new();
    for run in &rows {
        if local[run.column as usize] == u32::MAX {
            local[run.column as usize] = active.len() as u32;
            active.push(run.column);
        }
    }
    let mut own = vec![0.0; b * active.len()];
    let mut partners = vec![0.0; width * active.len()];
    // own[j, c] = sum over c's runs of v * (sum of r[k, j] over the run's rows).
    let mut prefix = vec![0.0; width + 1];
    for j in 0..b {
        let col = r.col(j).try_as_col_major().expect("a Mat column is contiguous").as_slice();
        for (k, &v) in col.iter().enumerate() {
            prefix[k + 1] = prefix[k] + v;
        }
        for run in &rows {
            let sum = prefix[run.end - lo] - prefix[run.start - lo];
            own[local[run.column as usize] as usize * b + j] += run.value * sum;
        }
    }
    // partners[k, c] = sum over c's runs inside the block of v * (sum of r[k, j] over its
    // columns): differences of running column sums of r.
    let cols: Vec<Run> = plan.runs_within(s, s + b).collect();
    if !cols.is_empty() {
        let mut running = Mat::<f64>::zeros(width, b + 1);
        for j in 0..b {
            let (head, mut tail) = running.as_mut().split_at_col_mut(j + 1);
            let dst = tail.as_mut().col_mut(0).try_as_col_major_mut().expect("contiguous").as_slice_mut();
            let prev = head.col(j).try_as_col_major().expect("contiguous").as_slice();
            let add = r.col(j).try_as_col_major().expect("contiguous").as_slice();
            for ((d, &p), &a) in dst.iter_mut().zip(prev).zip(add) {
                *d = p + a;
            }
        }
        for run in &cols {
            let (a, z) = (running.col_as_slice(run.start - s), running.col_as_slice(run.end - s));
            let dst = &mut partners[local[run.column as usize] as usize * width..][..width];
            for ((d, &hi), &lo_sum) in dst.iter_mut().zip(z).zip(a) {
                *d += run.value * (hi - lo_sum);
            }
        }
    }
    SparseBlock { active, own, partners }
}

/// The LD scores of one chromosome: `genotypes` is `n x m` standardized (unit population
/// variance), `annot` is `m x C`, `left` the non-decreasing left edges (`left[k] <= k`).
/// Dense annotation columns are multiplied by GEMM, sparse ones (few runs of one value)
/// summed through their runs. Fails only with [`Error::Interrupted`] when the call is cancelled.
pub fn banded_scores(genotypes: MatRef<'_, f64>, annot: MatRef<'_, f64>, left: &[usize]) -> Result<Mat<f64>> {
    let plan = ColumnPlan::new(annot);
    scores_of_plan(Genotypes::Dense(genotypes), annot, &plan, annot.ncols(), left, None)
}

/// A chromosome's standardized genotypes: a matrix, or packed calls decoded one batch of
/// blocks at a time (a whole chromosome of a 1000 Genomes-sized panel is gigabytes of floats;
/// its packed calls are 1/32 of that).
#[derive(Clone, Copy)]
enum Genotypes<'a> {
    Dense(MatRef<'a, f64>),
    /// The kept SNPs `columns` (positions in `packed.kept`) of packed calls.
    Packed {
        packed: &'a PackedGenotypes,
        columns: &'a [usize],
        n_samples: usize,
    },
}

impl Genotypes<'_> {
    fn n_samples(&self) -> usize {
        match self {
            Genotypes::Dense(g) => g.nrows(),
            Genotypes::Packed { n_samples, .. } => *n_samples,
        }
    }

    fn len(&self) -> usize {
        match self {
            Genotypes::Dense(g) => g.ncols(),
            Genotypes::Packed { columns, .. } => columns.len(),
        }
    }
}

/// Where a chromosome's scores go: row `out[j]` of the output for SNP `j`, or nowhere
/// (`u32::MAX`: a SNP that is not printed).
type OutputRows<'a> = Option<(&'a [u32], usize)>;

/// [`banded_scores`] for a column plan over `annot` (its dense columns) and run columns, with
/// `n_columns` output columns and (`out`) only the printed rows.
fn scores_of_plan(
    genotypes: Genotypes<'_>,
    annot: MatRef<'_, f64>,
    plan: &ColumnPlan,
    n_columns: usize,
    left: &[usize],
    out: OutputRows<'_>,
) -> Result<Mat<f64>> {
    let (n, m) = (genotypes.n_samples(), genotypes.len());
    let dense = plan.dense_values.as_ref().map_or(annot, |v| v.as_ref());
    let n_dense = plan.dense.len();
    let map = out.map(|(map, _)| map);
    // The diagonal term r2_jj = 1.
    let mut l2 = Mat::<f64>::zeros(out.map_or(m, |(_, rows)| rows), n_columns);
    for (k, &c) in plan.dense.iter().enumerate() {
        add_to(&mut l2, c, 0, &column(dense, k), map);
    }
    let mut values = Vec::new();
    for run in &plan.runs {
        values.clear();
        values.resize(run.end - run.start, run.value);
        add_to(&mut l2, plan.sparse[run.column as usize], run.start, &values, map);
    }
    let block = block_size(left);
    let starts: Vec<usize> = (0..m).step_by(block).collect();
    for batch in starts.chunks(BATCH) {
        crate::cancel::check()?;
        // The batch's SNPs and their partners, decoded for this batch only (left edges do not
        // decrease, so the first block's reaches furthest back).
        let first = left[batch[0]];
        let last = (batch[batch.len() - 1] + block).min(m);
        let decoded;
        let g = match genotypes {
            Genotypes::Dense(g) => g.subcols(first, last - first),
            Genotypes::Packed { packed, columns, .. } => {
                decoded = packed.decode(columns[first..last].iter().copied());
                decoded.as_ref()
            }
        };
        // Each block returns its SNPs' sums over partners to their left and the partners' sums
        // over the block; they are added in block order so the result is independent of threads.
        let parts: Vec<BlockSums> = batch
            .par_iter()
            .map(|&s| {
                let e = (s + block).min(m);
                let lo = left[s];
                let width = e - lo;
                let mut r = Mat::<f64>::zeros(width, e - s);
                matmul(
                    r.as_mut(),
                    Accum::Replace,
                    g.subcols(lo - first, width).transpose(),
                    g.subcols(s - first, e - s),
                    1.0 / n as f64,
                    Par::Seq,
                );
                strict_lower_r2(&mut r, lo, s, left, n as f64);
                let mut own = Mat::<f64>::zeros(e - s, n_dense);
                let mut partners = Mat::<f64>::zeros(width, n_dense);
                if n_dense > 0 {
                    matmul(own.as_mut(), Accum::Replace, r.transpose(), dense.subrows(lo, width), 1.0, Par::Seq);
                    matmul(partners.as_mut(), Accum::Replace, r.as_ref(), dense.subrows(s, e - s), 1.0, Par::Seq);
                }
                let sparse = (!plan.sparse.is_empty()).then(|| sparse_products(plan, r.as_ref(), lo, s));
                (lo, own, partners, sparse)
            })
            .collect();
        for (&s, (lo, own, partners, sparse)) in batch.iter().zip(parts) {
            for (k, &c) in plan.dense.iter().enumerate() {
                add_to(&mut l2, c, s, own.col_as_slice(k), map);
                add_to(&mut l2, c, lo, partners.col_as_slice(k), map);
            }
            let (b, width) = (own.nrows(), partners.nrows());
            if let Some(block) = sparse {
                for (k, &c) in block.active.iter().enumerate() {
                    let c = plan.sparse[c as usize];
                    add_to(&mut l2, c, s, &block.own[k * b..(k + 1) * b], map);
                    add_to(&mut l2, c, lo, &block.partners[k * width..(k + 1) * width], map);
                }
            }
        }
    }
    Ok(l2)
}

/// One block's contributions: its partners' first row, the dense columns' sums over each
/// block SNP's partners and over the block for each partner, and the sparse columns' sums.
type BlockSums = (usize, Mat<f64>, Mat<f64>, Option<SparseBlock>);

/// Adds `values` to column `c` of `l2` for the SNPs from `row` on (through `map` when only
/// some rows are printed).
fn add_to(l2: &mut Mat<f64>, c: usize, row: usize, values: &[f64], map: Option<&[u32]>) {
    let dst = l2.col_as_slice_mut(c);
    match map {
        None => {
            for (d, v) in dst[row..row + values.len()].iter_mut().zip(values) {
                *d += v;
            }
        }
        Some(map) => {
            for (&o, v) in map[row..row + values.len()].iter().zip(values) {
                if o != u32::MAX {
                    dst[o as usize] += v;
                }
            }
        }
    }
}

/// Turns correlations `r[(jj, kk)]` of SNPs `lo + jj` and `s + kk` into bias-corrected r^2 where
/// `lo + jj < s + kk` lies inside SNP `s + kk`'s window, and zero elsewhere (the diagonal and the
/// upper triangle are counted from the other side).
fn strict_lower_r2(r: &mut Mat<f64>, lo: usize, s: usize, left: &[usize], n: f64) {
    for kk in 0..r.ncols() {
        let k = s + kk;
        let col = r.col_as_slice_mut(kk);
        let first = left[k] - lo;
        let last = k - lo;
        col[..first].fill(0.0);
        for v in &mut col[first..last] {
            *v = corrected_r2(*v, n);
        }
        col[last..].fill(0.0);
    }
}

#[cfg(test)]
mod tests;
