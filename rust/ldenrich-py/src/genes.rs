//! The gene analysis (core `genes`): `gene_plan` joins summary statistics to a PLINK panel (or
//! takes an `Annotation`'s universe) and plans each gene's window; the `GenePlan` it returns
//! analyses ranges of planned genes and computes gene-gene correlations from the results it
//! kept.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ldenrich_core::annot::categories::Window;
use ldenrich_core::annot::universe::{build_universe, Matching, Universe, UniverseOptions};
use ldenrich_core::genes::{
    analyse_genes, gene_correlations, plan_genes, CorrelationOptions, GeneOptions, GeneResult, PlannedGene,
};
use ldenrich_core::io::geneloc::GeneLoc;
use ldenrich_core::io::plink::{open_bed_for, open_bfile, PlinkBed};
use ldenrich_core::parallel::with_threads;
use ldenrich_core::Error;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::annot::PyAnnotation;
use crate::errors::{run, to_py};
use crate::io::{PyBim, PyGeneLoc, PySumStats};

/// Rows of the correlation band: each gene's number of correlations, and all of them.
type CorrelationChunk<'py> = (Bound<'py, PyArray1<u64>>, Bound<'py, PyArray1<f64>>);

#[pyclass(name = "GenePlan", module = "ldenrich._native", frozen)]
pub struct PyGenePlan {
    universe: Arc<Universe>,
    genes: Arc<GeneLoc>,
    bed: Arc<PlinkBed>,
    planned: Arc<Vec<PlannedGene>>,
    options: GeneOptions,
    bim_path: String,
    /// The result of each planned gene once `run` analysed it: the correlations need each
    /// gene's `sum lambda^2`, which therefore never leaves the core.
    results: Mutex<Vec<Option<GeneResult>>>,
}

#[pyfunction(name = "gene_plan")]
#[pyo3(signature = (sumstats, bfile, gene_loc, window_up_kb, window_down_kb, sample_size, drop_strand_ambiguous, threads, bim=None, matching="auto", annotation=None))]
#[allow(clippy::too_many_arguments)]
fn gene_plan_py(
    py: Python<'_>,
    sumstats: PyRef<'_, PySumStats>,
    bfile: PathBuf,
    gene_loc: PyRef<'_, PyGeneLoc>,
    window_up_kb: f64,
    window_down_kb: f64,
    sample_size: Option<f64>,
    drop_strand_ambiguous: bool,
    threads: Option<usize>,
    bim: Option<PyRef<'_, PyBim>>,
    matching: &str,
    annotation: Option<PyRef<'_, PyAnnotation>>,
) -> PyResult<PyGenePlan> {
    let matching = Matching::parse(matching).map_err(to_py)?;
    let sumstats = Arc::clone(&sumstats.inner);
    let mut given_bim = bim.map(|b| Arc::clone(&b.inner));
    let join = UniverseOptions { drop_strand_ambiguous, matching };
    // The screen's universe, when it is the join this analysis would make: same summary
    // statistics, same .bim, same options. Anything else would silently analyse other SNPs.
    let shared = match annotation {
        None => None,
        Some(a) => {
            let same_bim = given_bim.as_ref().is_none_or(|b| Arc::ptr_eq(b, &a.bim));
            if !Arc::ptr_eq(&a.sumstats, &sumstats) || !same_bim || a.options != join {
                return Err(to_py(Error::InvalidArgument(
                    "the annotation was built from other summary statistics, another .bim or other \
                     join options (match, drop_strand_ambiguous) than this gene analysis"
                        .into(),
                )));
            }
            given_bim = Some(Arc::clone(&a.bim));
            Some(Arc::clone(&a.universe))
        }
    };
    let genes = Arc::clone(&gene_loc.inner);
    let window = Window::from_kb(window_up_kb, window_down_kb).map_err(to_py)?;
    let options = GeneOptions { window, sample_size, ..GeneOptions::default() };
    let (universe, bed, planned, bim_path) = run(py, || {
        with_threads(threads, || {
            let (bim, bed) = match given_bim {
                Some(bim) => {
                    let bed = open_bed_for(&bfile, &bim)?;
                    (bim, bed)
                }
                None => {
                    let (bim, bed) = open_bfile(&bfile)?;
                    (Arc::new(bim), bed)
                }
            };
            let universe = match shared {
                Some(universe) => universe,
                None => Arc::new(build_universe(&sumstats, &bim, join)?),
            };
            let planned = plan_genes(&universe, &genes, window);
            Ok((universe, bed, planned, bim.path.display().to_string()))
        })?
    })?;
    let results = Mutex::new(vec![None; planned.len()]);
    Ok(PyGenePlan { universe, genes, bed: Arc::new(bed), planned: Arc::new(planned), options, bim_path, results })
}

fn results_dict<'py>(
    py: Python<'py>,
    planned: &[PlannedGene],
    results: &[Option<GeneResult>],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let num = |f: fn(&GeneResult) -> f64| results.iter().map(|r| r.as_ref().map_or(f64::NAN, f)).collect::<Vec<f64>>();
    let count =
        |f: fn(&GeneResult) -> usize| results.iter().map(|r| r.as_ref().map_or(0, f) as u64).collect::<Vec<u64>>();
    d.set_item("gene_row", planned.iter().map(|p| p.gene as u64).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("first", planned.iter().map(|p| p.first).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("last", planned.iter().map(|p| p.last).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("analysed", results.iter().map(Option::is_some).collect::<Vec<bool>>().into_pyarray(py))?;
    d.set_item("n_snps", count(|r| r.n_snps).into_pyarray(py))?;
    d.set_item("n_monomorphic", count(|r| r.n_monomorphic).into_pyarray(py))?;
    d.set_item("n_param", count(|r| r.n_param).into_pyarray(py))?;
    d.set_item("n_eigen", count(|r| r.n_eigen).into_pyarray(py))?;
    d.set_item("n", num(|r| r.n).into_pyarray(py))?;
    d.set_item("mac", num(|r| r.mac).into_pyarray(py))?;
    d.set_item("stat", num(|r| r.stat).into_pyarray(py))?;
    d.set_item("p", num(|r| r.p).into_pyarray(py))?;
    d.set_item("ln_p", num(|r| r.ln_p).into_pyarray(py))?;
    d.set_item("z", num(|r| r.z).into_pyarray(py))?;
    Ok(d)
}

#[pymethods]
impl PyGenePlan {
    fn __len__(&self) -> usize {
        self.planned.len()
    }
    #[getter]
    fn n_samples(&self) -> usize {
        self.bed.n_samples()
    }
    #[getter]
    fn n_snps(&self) -> usize {
        self.universe.len()
    }
    #[getter]
    fn bim_path(&self) -> String {
        self.bim_path.clone()
    }
    fn qc(&self) -> Vec<(String, u64)> {
        self.universe.qc.table()
    }
    fn qc_details<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        crate::annot::qc_details(py, &self.universe.qc)
    }
    /// Analyses planned genes `start..end`.
    #[pyo3(signature = (start, end, threads))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        start: usize,
        end: usize,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        if start > end || end > self.planned.len() {
            return Err(to_py(Error::InvalidArgument(format!(
                "gene range {start}..{end} outside 0..{}",
                self.planned.len()
            ))));
        }
        let (universe, bed, planned, options) =
            (Arc::clone(&self.universe), Arc::clone(&self.bed), Arc::clone(&self.planned), self.options);
        let results =
            run(py, || with_threads(threads, || analyse_genes(&universe, &bed, &planned[start..end], &options))?)?;
        let mut kept = self.results.lock().map_err(|_| to_py(Error::Internal("gene results lock poisoned".into())))?;
        for (slot, r) in kept[start..end].iter_mut().zip(&results) {
            *slot = *r;
        }
        drop(kept);
        results_dict(py, &self.planned[start..end], &results)
    }
    /// Correlations for rows `start..end` of the analysed genes given by their planned indices
    /// (ascending), from the results `run` kept.
    #[pyo3(signature = (indices, start, end, range_bp, max_snps, threads))]
    #[allow(clippy::too_many_arguments)]
    fn correlations<'py>(
        &self,
        py: Python<'py>,
        indices: Vec<usize>,
        start: usize,
        end: usize,
        range_bp: u64,
        max_snps: usize,
        threads: Option<usize>,
    ) -> PyResult<CorrelationChunk<'py>> {
        if indices.iter().any(|&i| i >= self.planned.len()) || max_snps == 0 {
            return Err(to_py(Error::InvalidArgument("one valid planned index per analysed gene".into())));
        }
        let results: Vec<GeneResult> = {
            let kept = self.results.lock().map_err(|_| to_py(Error::Internal("gene results lock poisoned".into())))?;
            indices.iter().map(|&i| kept[i]).collect::<Option<_>>().ok_or_else(|| {
                to_py(Error::InvalidArgument("correlations of a gene that run() has not analysed".into()))
            })?
        };
        let planned: Vec<PlannedGene> = indices.iter().map(|&i| self.planned[i]).collect();
        let (universe, bed) = (Arc::clone(&self.universe), Arc::clone(&self.bed));
        let options = CorrelationOptions { range: range_bp, max_snps };
        let rows = run(py, || {
            with_threads(threads, || gene_correlations(&universe, &bed, &planned, &results, options, start..end))?
        })?;
        let lengths: Vec<u64> = rows.iter().map(|r| r.len() as u64).collect();
        Ok((lengths.into_pyarray(py), rows.concat().into_pyarray(py)))
    }
    fn gene_ids(&self) -> Vec<String> {
        self.planned.iter().map(|p| self.genes.ids[p.gene].clone()).collect()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGenePlan>()?;
    m.add_function(wrap_pyfunction!(gene_plan_py, m)?)?;
    Ok(())
}
