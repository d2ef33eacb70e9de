//! Partitioned LD scores of a PLINK panel (`ldenrich.ldscore`).

use std::path::PathBuf;
use std::sync::Arc;

use faer::{Mat, MatRef};
use ldenrich_core::annot::categories::{panel_annotation, PanelAnnotation, Window as CategoryWindow};
use ldenrich_core::io::plink::open_bfile;
use ldenrich_core::io::write::write_table;
use ldenrich_core::ldscore::{ld_scores_of, Annotations, LdScoreOptions, Window, WindowRule};
use ldenrich_core::parallel::with_threads;
use numpy::{IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::annot::{category_row, PyCategorySpecs};
use crate::arrays::contiguous;
use crate::errors::{run, to_py};
use crate::io::PyGeneLoc;

/// LD scores of `prefix.{bed,bim,fam}` for `annot` (`n_bim x C`, any order), then for the
/// `categories` (`(specs, gene_loc, window_up_kb, window_down_kb)`: gene sets and intervals
/// resolved against the panel, kept as runs of rows, never as a matrix); with neither, one
/// all-ones column. `print_snps` (SNP ids) keeps only those SNPs' rows. Returns a
/// dict: `kept` (.bim rows), their `chrom`, `snp`, `bp`, `cm`, `maf`, `l2_t` (`C x len(kept)`),
/// `m`, `m_5_50`, `dropped_monomorphic`, `dropped_maf`, `n_samples`, and with categories their
/// `category_rows` and `missing_genes`.
/// `(specs, gene_loc, window_up_kb, window_down_kb)` of gene sets and interval files.
type CategoriesArg<'py> = (PyRef<'py, PyCategorySpecs>, Option<PyRef<'py, PyGeneLoc>>, f64, f64);

#[pyfunction(name = "ld_scores")]
#[pyo3(signature = (prefix, annot, window_unit, window_size, rule, maf_min, threads=None, categories=None, print_snps=None))]
#[allow(clippy::too_many_arguments)]
fn ld_scores_py<'py>(
    py: Python<'py>,
    prefix: PathBuf,
    annot: Option<PyReadonlyArray2<'py, f64>>,
    window_unit: &str,
    window_size: f64,
    rule: &str,
    maf_min: f64,
    threads: Option<usize>,
    categories: Option<CategoriesArg<'py>>,
    print_snps: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyDict>> {
    let categories = categories
        .map(|(specs, genes, up, down)| -> PyResult<_> {
            let window = CategoryWindow::from_kb(up, down).map_err(to_py)?;
            Ok((Arc::clone(&specs.specs), genes.map(|g| Arc::clone(&g.inner)), window))
        })
        .transpose()?;
    let annot: Option<Mat<f64>> = annot.map(|a| {
        let view = a.as_array();
        let (rows, cols) = (view.nrows(), view.ncols());
        // A Fortran-order array (what Python passes) is one copy of its columns.
        match view.t().as_slice() {
            Some(data) if rows > 0 && cols > 0 => MatRef::from_column_major_slice(data, rows, cols).to_owned(),
            _ => Mat::from_fn(rows, cols, |i, j| view[[i, j]]),
        }
    });
    let window = Window::parse(window_unit, window_size);
    let rule = WindowRule::parse(rule);
    let (scores, n_samples, chrom, snp, bp, cm, panel) = run(py, || {
        let options = LdScoreOptions { window: window?, rule: rule?, maf_min };
        let (bim, bed) = open_bfile(&prefix)?;
        let printed = print_snps.as_deref().map(|names| bim.rows_named(names));
        let columns = match &annot {
            Some(_) => None,
            None => Some(if categories.is_some() { 0 } else { 1 }),
        };
        let ones = columns.map(|c| Mat::<f64>::from_fn(bim.len(), c, |_, _| 1.0));
        let annot: MatRef<'_, f64> = annot.as_ref().or(ones.as_ref()).expect("a matrix").as_ref();
        let (scores, panel) = with_threads(threads, || -> ldenrich_core::Result<_> {
            let panel = categories
                .as_ref()
                .map(|(specs, genes, window)| panel_annotation(&bim, genes.as_deref(), *window, specs))
                .transpose()?;
            let runs = panel.as_ref().map(PanelAnnotation::bim_runs).unwrap_or_default();
            let annotations = Annotations { dense: annot, runs: &runs, printed: printed.as_deref() };
            Ok((ld_scores_of(&bim, &bed, &annotations, &options)?, panel))
        })??;
        let chrom: Vec<u8> = scores.kept.iter().map(|&i| bim.chrom[i]).collect();
        let snp: Vec<String> = scores.kept.iter().map(|&i| bim.ids.name(i)).collect();
        let bp: Vec<u32> = scores.kept.iter().map(|&i| bim.bp[i]).collect();
        let cm: Vec<f64> = scores.kept.iter().map(|&i| bim.cm[i]).collect();
        Ok((scores, bed.n_samples(), chrom, snp, bp, cm, panel))
    })?;
    let (rows, cols) = (scores.l2.nrows(), scores.l2.ncols());
    // Column after column, as the core holds them: `l2_t` is the transpose, one copy.
    let mut flat = Vec::with_capacity(rows * cols);
    for c in 0..cols {
        flat.extend_from_slice(scores.l2.col_as_slice(c));
    }
    let out = PyDict::new(py);
    out.set_item("kept", scores.kept.into_pyarray(py))?;
    out.set_item("chrom", chrom.into_pyarray(py))?;
    out.set_item("snp", snp)?;
    out.set_item("bp", bp.into_pyarray(py))?;
    out.set_item("cm", cm.into_pyarray(py))?;
    out.set_item("maf", scores.maf.into_pyarray(py))?;
    let l2_t: Bound<'py, PyArray2<f64>> = flat.into_pyarray(py).reshape([cols, rows])?;
    out.set_item("l2_t", l2_t)?;
    out.set_item("m", scores.m.into_pyarray(py))?;
    out.set_item("m_5_50", scores.m_5_50.into_pyarray(py))?;
    out.set_item("dropped_monomorphic", scores.dropped_monomorphic)?;
    out.set_item("dropped_maf", scores.dropped_maf)?;
    out.set_item("n_samples", n_samples)?;
    if let Some(panel) = panel {
        let rows: Vec<_> = panel.categories.iter().map(category_row).collect();
        let missing: Vec<Vec<String>> = panel.categories.iter().map(|c| c.missing_genes.clone()).collect();
        out.set_item("category_rows", rows)?;
        out.set_item("missing_genes", missing)?;
    }
    Ok(out)
}

/// Writes a tab-separated table (gzip for `.gz`): the text columns, then the numeric ones
/// (one contiguous array each), with `decimals` fixed decimals or, with None, the shortest
/// round-trip text.
#[pyfunction(name = "write_table")]
#[pyo3(signature = (path, names, text, numbers, decimals=None, threads=None))]
fn write_table_py(
    py: Python<'_>,
    path: PathBuf,
    names: Vec<String>,
    text: Vec<Vec<String>>,
    numbers: Vec<PyReadonlyArray1<'_, f64>>,
    decimals: Option<usize>,
    threads: Option<usize>,
) -> PyResult<()> {
    let columns = numbers.iter().map(|a| Ok(contiguous(a, "column")?.to_vec())).collect::<PyResult<Vec<_>>>()?;
    run(py, || with_threads(threads, || write_table(&path, &names, &text, &columns, decimals))?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ld_scores_py, m)?)?;
    m.add_function(wrap_pyfunction!(write_table_py, m)?)?;
    Ok(())
}
