//! The enrichment screen (core `stats::enrichment`): on an `Annotation`'s universe and
//! categories (its `enrichment` method) or on caller-provided chi-squares, chromosome labels
//! and category ranges (`enrichment_ranges`); either way each category's statistics come back
//! as one dict of columns.

use std::sync::Arc;

use ldenrich_core::parallel::with_threads;
use ldenrich_core::stats::enrichment::{enrichment, CategoryStats, EnrichmentOptions};
use ldenrich_core::stats::permutation::segments_from_labels;
use ldenrich_core::Error;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::annot::PyAnnotation;
use crate::arrays::contiguous;
use crate::errors::{run, to_py};

/// What a screen returns to Python: the statistics as a dict of columns (one row per category)
/// and the number of jackknife blocks used.
pub type ScreenOut<'py> = (Bound<'py, PyDict>, usize);

/// Runs `screen` with the GIL released on `threads` threads, and converts its statistics.
fn run_screen<'py>(
    py: Python<'py>,
    threads: Option<usize>,
    screen: impl FnOnce() -> ldenrich_core::Result<(Vec<CategoryStats>, usize)> + Send,
) -> PyResult<ScreenOut<'py>> {
    let (stats, used_blocks) = run(py, || with_threads(threads, screen)?)?;
    Ok((stats_dict(py, stats)?, used_blocks))
}

/// The screen of an annotation's categories over its universe (`Annotation.enrichment`).
pub fn on_annotation<'py>(
    py: Python<'py>,
    annotation: &PyAnnotation,
    options: EnrichmentOptions,
    threads: Option<usize>,
) -> PyResult<ScreenOut<'py>> {
    let (universe, categories) = (Arc::clone(&annotation.universe), Arc::clone(&annotation.categories));
    run_screen(py, threads, move || {
        let ranges: Vec<&[(u32, u32)]> = categories.iter().map(|c| c.ranges.as_slice()).collect();
        enrichment(&universe.chisq, segments_from_labels(&universe.chrom)?, &ranges, options)
    })
}

/// Each category's statistics as one dict of columns (numpy arrays, and lists of names).
fn stats_dict<'py>(py: Python<'py>, stats: Vec<CategoryStats>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let col = |f: fn(&CategoryStats) -> f64| stats.iter().map(f).collect::<Vec<f64>>();
    d.set_item("n_snps_in", stats.iter().map(|s| s.n_in as u64).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("n_snps_out", stats.iter().map(|s| s.n_out as u64).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("mean_chisq_in", col(|s| s.mean_in).into_pyarray(py))?;
    d.set_item("mean_chisq_out", col(|s| s.mean_out).into_pyarray(py))?;
    d.set_item("enrichment", col(|s| s.enrichment).into_pyarray(py))?;
    d.set_item("enrichment_se", col(|s| s.enrichment_se).into_pyarray(py))?;
    d.set_item("enrichment_z", col(|s| s.enrichment_z).into_pyarray(py))?;
    d.set_item("jackknife_ok", stats.iter().map(|s| s.jackknife_ok).collect::<Vec<bool>>().into_pyarray(py))?;
    d.set_item("n_blocks_in", stats.iter().map(|s| s.n_blocks_in as u64).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("enrichment_p_perm", col(|s| s.enrichment_p_perm).into_pyarray(py))?;
    let statistic = |s: &CategoryStats| match (s.permutations_drawn, s.perm_studentized) {
        (0, _) => "",
        (_, true) => "z",
        (_, false) => "ratio",
    };
    d.set_item("perm_statistic", stats.iter().map(statistic).collect::<Vec<_>>())?;
    d.set_item(
        "n_permutations",
        stats.iter().map(|s| s.permutations_drawn as u64).collect::<Vec<_>>().into_pyarray(py),
    )?;
    d.set_item("welch_t", col(|s| s.welch_t).into_pyarray(py))?;
    d.set_item("welch_df", col(|s| s.welch_df).into_pyarray(py))?;
    d.set_item("mwu_u", col(|s| s.mwu_u).into_pyarray(py))?;
    d.set_item("mwu_z", col(|s| s.mwu_z).into_pyarray(py))?;
    d.set_item("status", stats.iter().map(|s| s.status.name()).collect::<Vec<_>>())?;
    Ok(d)
}

/// The screen on caller-provided chi-squares (genome order), chromosome labels (one per SNP, or
/// none for a single chromosome) and category ranges.
#[pyfunction(name = "enrichment_ranges")]
#[pyo3(signature = (chisq, chrom, starts, ends, blocks, min_snps, permutations, perm_stop, seed, threads))]
#[allow(clippy::too_many_arguments)]
fn enrichment_ranges_py<'py>(
    py: Python<'py>,
    chisq: PyReadonlyArray1<'py, f64>,
    chrom: Option<PyReadonlyArray1<'py, i64>>,
    starts: Vec<PyReadonlyArray1<'py, u32>>,
    ends: Vec<PyReadonlyArray1<'py, u32>>,
    blocks: usize,
    min_snps: usize,
    permutations: usize,
    perm_stop: usize,
    seed: u64,
    threads: Option<usize>,
) -> PyResult<ScreenOut<'py>> {
    if starts.len() != ends.len() {
        return Err(to_py(Error::InvalidArgument("starts and ends must have one array per category".into())));
    }
    let mut categories = Vec::with_capacity(starts.len());
    for (s, e) in starts.iter().zip(&ends) {
        let (s, e) = (contiguous(s, "starts")?, contiguous(e, "ends")?);
        if s.len() != e.len() {
            return Err(to_py(Error::InvalidArgument(
                "starts and ends of a category must have the same length".into(),
            )));
        }
        categories.push(s.iter().copied().zip(e.iter().copied()).collect::<Vec<(u32, u32)>>());
    }
    let chisq = contiguous(&chisq, "chisq")?;
    let chromosomes = match &chrom {
        Some(labels) => {
            let labels = contiguous(labels, "chrom")?;
            if labels.len() != chisq.len() {
                return Err(to_py(Error::InvalidArgument(format!(
                    "chrom has {} labels for {} SNPs",
                    labels.len(),
                    chisq.len()
                ))));
            }
            segments_from_labels(labels).map_err(to_py)?
        }
        None => vec![0, chisq.len()],
    };
    let options = EnrichmentOptions { blocks, min_snps, permutations, perm_stop, seed };
    run_screen(py, threads, || enrichment(chisq, chromosomes, &categories, options))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(enrichment_ranges_py, m)?)?;
    Ok(())
}
