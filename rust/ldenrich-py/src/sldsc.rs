//! Stratified LD score regression (`ldenrich.partitioned_h2`, `ldenrich h2`).

use faer::Mat;
use ldenrich_core::io::table::read_numeric_table;
use ldenrich_core::parallel::with_threads;
use ldenrich_core::sldsc::{
    annot_cross_products, h2, liability_factor, overlap_table, ChisqMax, H2Input, H2Options, Overlap, TwoStep,
};
use ldenrich_core::Error;
use numpy::{IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::contiguous;
use crate::errors::{run, to_py};

fn vector(a: &PyReadonlyArray1<'_, f64>, what: &str) -> PyResult<Vec<f64>> {
    // Copied: the array could change under a detached thread.
    contiguous(a, what).map(<[f64]>::to_vec)
}

/// A copy of `a` in faer's column-major layout, read in the array's own memory order.
fn matrix(a: &PyReadonlyArray2<'_, f64>) -> Mat<f64> {
    let view = a.as_array();
    let (rows, cols) = (view.nrows(), view.ncols());
    if view.t().is_standard_layout() {
        // Fortran order: each column is contiguous.
        let mut out = Mat::<f64>::zeros(rows, cols);
        for (j, column) in view.columns().into_iter().enumerate() {
            for (i, v) in column.iter().enumerate() {
                out[(i, j)] = *v;
            }
        }
        return out;
    }
    // C order: transposed in tiles of rows, so that reads and writes both stay in cache.
    let mut out = Mat::<f64>::zeros(rows, cols);
    const TILE: usize = 256;
    for start in (0..rows).step_by(TILE) {
        let end = (start + TILE).min(rows);
        for j in 0..cols {
            for i in start..end {
                out[(i, j)] = view[[i, j]];
            }
        }
    }
    out
}

fn square<'py>(py: Python<'py>, flat: Vec<f64>, c: usize) -> PyResult<Bound<'py, PyArray2<f64>>> {
    flat.into_pyarray(py).reshape([c, c])
}

/// The regression of `chisq` on `ld` (`n x C`) with `w_ld`, `n`, `m` (`C`); with `overlap`
/// (`C x C`) also the `--overlap-annot` table over `m_tot` SNPs (and tau* with `annot_sd`).
/// `two_step` / `chisq_max` None: ldsc's defaults. Returns a dict of the fit's fields.
#[pyfunction(name = "sldsc_h2")]
#[pyo3(signature = (chisq, ld, w_ld, n, m, blocks=200, intercept=None, two_step=None, chisq_max=None, overlap=None, m_tot=None, annot_sd=None, threads=None))]
#[allow(clippy::too_many_arguments)]
fn sldsc_h2_py<'py>(
    py: Python<'py>,
    chisq: PyReadonlyArray1<'py, f64>,
    ld: PyReadonlyArray2<'py, f64>,
    w_ld: PyReadonlyArray1<'py, f64>,
    n: PyReadonlyArray1<'py, f64>,
    m: PyReadonlyArray1<'py, f64>,
    blocks: usize,
    intercept: Option<f64>,
    two_step: Option<f64>,
    chisq_max: Option<f64>,
    overlap: Option<PyReadonlyArray2<'py, f64>>,
    m_tot: Option<f64>,
    annot_sd: Option<PyReadonlyArray1<'py, f64>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let (chisq, w_ld, n, m) = (vector(&chisq, "chisq")?, vector(&w_ld, "w_ld")?, vector(&n, "n")?, vector(&m, "m")?);
    let ld = matrix(&ld);
    let overlap: Option<Vec<f64>> = overlap.map(|o| matrix(&o)).map(|o| {
        let c = o.ncols();
        (0..o.nrows() * c).map(|ij| o[(ij / c, ij % c)]).collect()
    });
    let annot_sd = annot_sd.map(|s| vector(&s, "annot_sd")).transpose()?;
    let options = H2Options {
        blocks,
        intercept,
        two_step: two_step.map_or(TwoStep::Auto, TwoStep::Cutoff),
        chisq_max: chisq_max.map_or(ChisqMax::Auto, ChisqMax::Below),
    };
    let (fit, table) = run(py, || {
        let input = H2Input { chisq: &chisq, ld: ld.as_ref(), w_ld: &w_ld, n: &n, m: &m };
        let fit = with_threads(threads, || h2(&input, &options))??;
        let table = match &overlap {
            Some(o) => {
                let m_tot = m_tot.ok_or_else(|| Error::InvalidArgument("overlap needs m_tot".into()))?;
                Some(overlap_table(&fit, &Overlap { matrix: o, m_tot, sd: annot_sd.as_deref() })?)
            }
            None => None,
        };
        Ok((fit, table))
    })?;
    let c = fit.coef.len();
    let b = fit.blocks;
    let out = PyDict::new(py);
    for (key, value) in [
        ("n_snps_in", fit.n_snps_in),
        ("n_snps", fit.n_snps),
        ("dropped_chisq", fit.dropped_chisq),
        ("blocks", fit.blocks),
    ] {
        out.set_item(key, value)?;
    }
    out.set_item("chisq_max", fit.chisq_max)?;
    out.set_item("two_step", fit.two_step)?;
    for (key, value) in [
        ("n_bar", fit.n_bar),
        ("intercept", fit.intercept),
        ("intercept_se", fit.intercept_se),
        ("tot", fit.tot),
        ("tot_se", fit.tot_se),
        ("mean_chisq", fit.mean_chisq),
        ("lambda_gc", fit.lambda_gc),
        ("ratio", fit.ratio),
        ("ratio_se", fit.ratio_se),
    ] {
        out.set_item(key, value)?;
    }
    out.set_item("intercept_fixed", fit.intercept_fixed)?;
    for (key, value) in [
        ("m", fit.m),
        ("coef", fit.coef),
        ("coef_se", fit.coef_se),
        ("cat", fit.cat),
        ("cat_se", fit.cat_se),
        ("prop", fit.prop),
        ("prop_se", fit.prop_se),
        ("tot_delete", fit.tot_delete),
        ("intercept_delete", fit.intercept_delete),
    ] {
        out.set_item(key, value.into_pyarray(py))?;
    }
    out.set_item("coef_cov", square(py, fit.coef_cov, c)?)?;
    out.set_item("prop_cov", square(py, fit.prop_cov, c)?)?;
    out.set_item("coef_delete", fit.coef_delete.into_pyarray(py).reshape([b, c])?)?;
    if let Some(t) = table {
        let table_dict = PyDict::new(py);
        for (key, value) in [
            ("prop_snps", t.prop_snps),
            ("prop_h2", t.prop_h2),
            ("prop_h2_se", t.prop_h2_se),
            ("enrichment", t.enrichment),
            ("enrichment_se", t.enrichment_se),
            ("enrichment_p", t.enrichment_p),
            ("coef_z", t.coef_z),
            ("coef_p", t.coef_p),
            ("h2", t.h2),
            ("h2_se", t.h2_se),
            ("tau_star", t.tau_star),
            ("tau_star_se", t.tau_star_se),
        ] {
            table_dict.set_item(key, value.into_pyarray(py))?;
        }
        out.set_item("table", table_dict)?;
    }
    Ok(out)
}

/// `A'A` and the column sums, as arrays.
type CrossProducts<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, numpy::PyArray1<f64>>);

/// `(A'A, column sums)` of an annotation matrix (`n x C`), summed by the caller over chromosomes.
#[pyfunction(name = "annot_cross_products")]
fn annot_cross_products_py<'py>(py: Python<'py>, annot: PyReadonlyArray2<'py, f64>) -> PyResult<CrossProducts<'py>> {
    let annot = matrix(&annot);
    let c = annot.ncols();
    let (ata, sums) = run(py, || Ok(annot_cross_products(annot.as_ref())))?;
    Ok((square(py, ata, c)?, sums.into_pyarray(py)))
}

/// ldsc's tables (`.l2.ldscore`, `.annot`, `.frq`): `text` columns as strings, `numeric` ones
/// (None: all others) as floats. Returns a dict: `header`, `text` (name -> values),
/// `numeric_names`, `numeric_t` (k x rows: column after column).
#[pyfunction(name = "read_numeric_table")]
#[pyo3(signature = (path, text, numeric=None, threads=None))]
fn read_numeric_table_py<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    text: Vec<String>,
    numeric: Option<Vec<String>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let table = run(py, || {
        let text: Vec<&str> = text.iter().map(String::as_str).collect();
        let numeric: Option<Vec<&str>> = numeric.as_ref().map(|n| n.iter().map(String::as_str).collect());
        with_threads(threads, || read_numeric_table(&path, &text, numeric.as_deref()))?
    })?;
    let rows = table.rows();
    let k = table.numeric.len();
    // Column after column: `numeric_t` is the table transposed (k x rows, C order), whose
    // transpose is a Fortran-order view; no transposing copy.
    let mut flat = Vec::with_capacity(rows * k);
    for column in table.numeric {
        flat.extend(column);
    }
    let out = PyDict::new(py);
    out.set_item("header", table.header)?;
    let text_dict = PyDict::new(py);
    for (name, values) in table.text_names.into_iter().zip(table.text) {
        text_dict.set_item(name, values)?;
    }
    out.set_item("text", text_dict)?;
    out.set_item("numeric_names", table.numeric_names)?;
    out.set_item("numeric_t", flat.into_pyarray(py).reshape([k, rows])?)?;
    Ok(out)
}

/// Observed-to-liability scale factor of h2 for sample and population prevalences.
#[pyfunction(name = "liability_factor")]
fn liability_factor_py(sample_prevalence: f64, population_prevalence: f64) -> PyResult<f64> {
    liability_factor(sample_prevalence, population_prevalence).map_err(to_py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sldsc_h2_py, m)?)?;
    m.add_function(wrap_pyfunction!(annot_cross_products_py, m)?)?;
    m.add_function(wrap_pyfunction!(liability_factor_py, m)?)?;
    m.add_function(wrap_pyfunction!(read_numeric_table_py, m)?)?;
    Ok(())
}
