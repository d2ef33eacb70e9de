//! The gene-set analysis (core `sets`) and its inputs: gene results read from a
//! `.genes.out`/`.genes.raw` with their gene-gene correlations (`CorrelationBand`), gene sets
//! resolved against gene rows (`resolve_gene_sets`), and MAGMA's competitive gene-set regression
//! (`gls_model` fits the covariates once; `GlsModel.test_sets` tests the sets).

use std::path::PathBuf;
use std::sync::Arc;

use ldenrich_core::annot::categories::GeneResolver;
use ldenrich_core::io::generesults::{read_gene_results, CorrelationBand};
use ldenrich_core::io::genesets::GeneSets;
use ldenrich_core::parallel::with_threads;
use ldenrich_core::sets::{BaseModel, GlsOptions};
use ldenrich_core::Error;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::contiguous;
use crate::errors::{run, to_py};
use crate::io::PyGeneSets;

/// Gene-gene correlations as the core holds them (CSR band, checked when built): from the
/// `.genes.raw` reader or the gene analysis to the GLS without a trip through Python lists.
#[pyclass(name = "CorrelationBand", module = "ldenrich._native", frozen)]
pub struct PyBand {
    pub inner: Arc<CorrelationBand>,
}

#[pymethods]
impl PyBand {
    /// A band from one row per gene: its correlations with the genes before it.
    #[staticmethod]
    fn from_rows(rows: Vec<Vec<f64>>) -> PyResult<Self> {
        Ok(PyBand { inner: Arc::new(CorrelationBand::from_rows(&rows).map_err(to_py)?) })
    }
    /// A band from each gene's number of correlations and all of them, gene after gene.
    #[new]
    fn new(lengths: PyReadonlyArray1<'_, u64>, values: PyReadonlyArray1<'_, f64>) -> PyResult<Self> {
        let mut offsets = Vec::with_capacity(lengths.len()? + 1);
        offsets.push(0usize);
        for &n in contiguous(&lengths, "lengths")? {
            offsets.push(offsets[offsets.len() - 1] + n as usize);
        }
        let values = contiguous(&values, "values")?.to_vec();
        Ok(PyBand { inner: Arc::new(CorrelationBand::new(offsets, values).map_err(to_py)?) })
    }
    fn __len__(&self) -> usize {
        self.inner.len()
    }
    #[getter]
    fn n_values(&self) -> usize {
        self.inner.values.len()
    }
    /// Each gene's number of correlations (the arguments of the constructor, with `values`).
    fn lengths<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        self.inner.offsets.windows(2).map(|w| (w[1] - w[0]) as u64).collect::<Vec<_>>().into_pyarray(py)
    }
    fn values<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.values.clone().into_pyarray(py)
    }
    fn row(&self, index: usize) -> PyResult<Vec<f64>> {
        if index >= self.inner.len() {
            return Err(to_py(Error::InvalidArgument(format!("gene index {index} out of range"))));
        }
        Ok(self.inner.row(index).to_vec())
    }
}

/// Reads a `.genes.out`/`.genes.raw` into a dict of plain Python/numpy values.
#[pyfunction(name = "read_gene_results")]
fn read_gene_results_py(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyDict>> {
    let file = run(py, || read_gene_results(&path))?;
    let out = PyDict::new(py);
    out.set_item("path", file.path.display().to_string())?;
    out.set_item("format", file.format.name())?;
    out.set_item("version", file.version)?;
    out.set_item("covar_names", file.covar_names)?;
    out.set_item("ids", file.ids)?;
    out.set_item("chrom", file.chrom)?;
    out.set_item("symbols", file.symbols)?;
    let numeric = PyDict::new(py);
    for (name, values) in file.numeric {
        numeric.set_item(name, values.into_pyarray(py))?;
    }
    out.set_item("numeric", numeric)?;
    out.set_item("correlations", file.correlations.map(|band| PyBand { inner: Arc::new(band) }))?;
    out.set_item("dropped", file.dropped)?;
    Ok(out)
}

/// Resolves gene sets against gene rows (ID, then case-insensitive symbol): the genes found as
/// CSR (`offsets`, sorted distinct `rows`), each set's distinct token count and missing tokens.
type ResolvedSets<'py> = (Bound<'py, PyArray1<u64>>, Bound<'py, PyArray1<u32>>, Vec<usize>, Vec<Vec<String>>);

/// `sets` is a list of parts, in order: each a gene-set file held in the core (`GeneSets`,
/// whose genes never become Python strings) or a list of token lists built in Python.
#[pyfunction(name = "resolve_gene_sets")]
#[pyo3(signature = (ids, symbols, sets, threads))]
fn resolve_gene_sets_py<'py>(
    py: Python<'py>,
    ids: Vec<String>,
    symbols: Vec<String>,
    sets: Vec<Bound<'py, PyAny>>,
    threads: Option<usize>,
) -> PyResult<ResolvedSets<'py>> {
    enum Part {
        File(Arc<GeneSets>),
        Lists(Vec<Vec<String>>),
    }
    let mut parts = Vec::with_capacity(sets.len());
    for part in &sets {
        parts.push(match part.downcast::<PyGeneSets>() {
            Ok(file) => Part::File(Arc::clone(&file.get().inner)),
            Err(_) => Part::Lists(part.extract()?),
        });
    }
    let resolved = run(py, || {
        let mut tokens: Vec<&[String]> = Vec::new();
        for part in &parts {
            match part {
                Part::File(file) => tokens.extend(file.sets.iter().map(|set| set.genes.as_slice())),
                Part::Lists(lists) => tokens.extend(lists.iter().map(Vec::as_slice)),
            }
        }
        with_threads(threads, || {
            let resolver = GeneResolver::from_columns(&ids, &symbols);
            resolver.resolve_sets(&tokens)
        })
    })?;
    let mut offsets = Vec::with_capacity(resolved.len() + 1);
    offsets.push(0u64);
    let mut rows = Vec::new();
    let mut n_genes = Vec::with_capacity(resolved.len());
    let mut missing = Vec::with_capacity(resolved.len());
    for set in resolved {
        rows.extend(set.rows.iter().map(|&r| r as u32));
        offsets.push(rows.len() as u64);
        n_genes.push(set.n_genes);
        missing.push(set.missing);
    }
    Ok((offsets.into_pyarray(py), rows.into_pyarray(py), n_genes, missing))
}

#[pyclass(name = "GlsModel", module = "ldenrich._native", frozen)]
pub struct PyGlsModel {
    inner: BaseModel,
}

/// Fits the covariate part of the gene-set regression once.
#[pyfunction(name = "gls_model")]
#[pyo3(signature = (z, covariates, band, power, prune, threads))]
#[allow(clippy::too_many_arguments)]
fn gls_model_py(
    py: Python<'_>,
    z: PyReadonlyArray1<'_, f64>,
    covariates: PyReadonlyArray2<'_, f64>,
    band: Option<PyRef<'_, PyBand>>,
    power: f64,
    prune: f64,
    threads: Option<usize>,
) -> PyResult<PyGlsModel> {
    let z = contiguous(&z, "z")?.to_vec();
    // Covariates arrive genes x covariates; the core wants one vector per covariate.
    let view = covariates.as_array();
    let columns: Vec<Vec<f64>> = view.columns().into_iter().map(|c| c.to_vec()).collect();
    let band = band.map(|b| Arc::clone(&b.inner));
    let opts = GlsOptions { power, prune };
    let inner = run(py, || with_threads(threads, || BaseModel::fit(&z, &columns, band.as_deref(), opts))?)?;
    Ok(PyGlsModel { inner })
}

#[pymethods]
impl PyGlsModel {
    #[getter]
    fn n_genes(&self) -> usize {
        self.inner.n_genes()
    }
    #[getter]
    fn n_eff(&self) -> usize {
        self.inner.n_eff()
    }
    #[getter]
    fn n_blocks(&self) -> usize {
        self.inner.n_blocks()
    }
    #[getter]
    fn largest_block(&self) -> usize {
        self.inner.largest_block()
    }
    #[getter]
    fn kept(&self) -> Vec<usize> {
        self.inner.kept().to_vec()
    }
    #[getter]
    fn df(&self) -> f64 {
        self.inner.df()
    }

    /// Tests sets given as CSR (`offsets`, `genes`): arrays beta, se, t, df and status names.
    #[pyo3(signature = (offsets, genes, threads))]
    fn test_sets<'py>(
        &self,
        py: Python<'py>,
        offsets: PyReadonlyArray1<'_, u64>,
        genes: PyReadonlyArray1<'_, u32>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let offsets: Vec<usize> = contiguous(&offsets, "offsets")?.iter().map(|&o| o as usize).collect();
        let genes = contiguous(&genes, "genes")?;
        if offsets.first() != Some(&0)
            || offsets.last() != Some(&genes.len())
            || offsets.windows(2).any(|w| w[1] < w[0])
        {
            return Err(to_py(Error::InvalidArgument("offsets do not index genes".into())));
        }
        let sets: Vec<&[u32]> = offsets.windows(2).map(|w| &genes[w[0]..w[1]]).collect();
        let model = &self.inner;
        let fits = run(py, || with_threads(threads, || model.test_sets(&sets))?)?;
        let out = PyDict::new(py);
        out.set_item("beta", fits.iter().map(|f| f.beta).collect::<Vec<_>>().into_pyarray(py))?;
        out.set_item("se", fits.iter().map(|f| f.se).collect::<Vec<_>>().into_pyarray(py))?;
        out.set_item("t", fits.iter().map(|f| f.t).collect::<Vec<_>>().into_pyarray(py))?;
        out.set_item("df", fits.iter().map(|f| f.df).collect::<Vec<_>>().into_pyarray(py))?;
        out.set_item("status", fits.iter().map(|f| f.status.name()).collect::<Vec<_>>())?;
        Ok(out)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_gene_results_py, m)?)?;
    m.add_function(wrap_pyfunction!(gls_model_py, m)?)?;
    m.add_class::<PyBand>()?;
    m.add_function(wrap_pyfunction!(resolve_gene_sets_py, m)?)?;
    m.add_class::<PyGlsModel>()?;
    Ok(())
}
