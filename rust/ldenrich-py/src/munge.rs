//! Harmonised summary statistics (`ldenrich munge`).

use std::path::PathBuf;
use std::sync::Arc;

use ldenrich_core::annot::universe::{Matching, UniverseOptions};
use ldenrich_core::io::bim::Bim;
use ldenrich_core::munge::{
    munge, p_of_z, read_merge_alleles, write_munged, MergeAlleles, MungeOptions, Munged, MungedLayout,
};
use ldenrich_core::parallel::with_threads;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::annot::qc_details;
use crate::errors::{run, to_py};
use crate::io::{file_class, PyBim, PySumStats};

file_class! {
    "MergeAlleles": PyMergeAlleles(MergeAlleles) {}
}

#[pyfunction(name = "read_merge_alleles")]
fn read_merge_alleles_py(py: Python<'_>, path: PathBuf) -> PyResult<PyMergeAlleles> {
    Ok(PyMergeAlleles { inner: Arc::new(run(py, || read_merge_alleles(&path))?) })
}

/// The harmonised table, with the reference it points into.
#[pyclass(name = "Munged", module = "ldenrich._native", frozen)]
pub struct PyMunged {
    inner: Arc<Munged>,
    bim: Arc<Bim>,
}

#[pymethods]
impl PyMunged {
    fn __len__(&self) -> usize {
        self.inner.len()
    }
    #[getter]
    fn merge_alleles(&self) -> Option<String> {
        self.inner.merge_alleles.as_ref().map(|p| p.display().to_string())
    }
    fn qc_table(&self) -> Vec<(String, u64)> {
        self.inner.qc_table()
    }
    fn qc_details<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        qc_details(py, &self.inner.qc)
    }
    fn snp_ids(&self) -> Vec<String> {
        self.inner.bim_rows.iter().map(|&b| self.bim.ids.name(b as usize)).collect()
    }
    fn chrom<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u8>> {
        self.inner.bim_rows.iter().map(|&b| self.bim.chrom[b as usize]).collect::<Vec<u8>>().into_pyarray(py)
    }
    fn bp<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        self.inner.bim_rows.iter().map(|&b| self.bim.bp[b as usize]).collect::<Vec<u32>>().into_pyarray(py)
    }
    fn alleles(&self) -> (Vec<String>, Vec<String>) {
        let m = &self.inner;
        (m.a1.codes.iter().map(|&c| m.a1.text(c)).collect(), m.a2.codes.iter().map(|&c| m.a2.text(c)).collect())
    }
    fn z<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.z.clone().into_pyarray(py)
    }
    fn n<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.n.clone().into_pyarray(py)
    }
    /// Two-sided p of each Z, as the written table has it.
    fn p<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.z.iter().map(|&z| p_of_z(z)).collect::<Vec<f64>>().into_pyarray(py)
    }
    #[pyo3(signature = (path, layout, threads=None))]
    fn write(&self, py: Python<'_>, path: PathBuf, layout: &str, threads: Option<usize>) -> PyResult<()> {
        let layout = MungedLayout::parse(layout).map_err(to_py)?;
        let (munged, bim) = (Arc::clone(&self.inner), Arc::clone(&self.bim));
        run(py, || with_threads(threads, || write_munged(&munged, &bim, &path, layout))?)
    }
}

#[pyfunction(name = "munge")]
#[pyo3(signature = (sumstats, bim, merge_alleles, n, drop_strand_ambiguous, matching, threads=None))]
#[allow(clippy::too_many_arguments)]
fn munge_py(
    py: Python<'_>,
    sumstats: PyRef<'_, PySumStats>,
    bim: PyRef<'_, PyBim>,
    merge_alleles: Option<PyRef<'_, PyMergeAlleles>>,
    n: Option<f64>,
    drop_strand_ambiguous: bool,
    matching: &str,
    threads: Option<usize>,
) -> PyResult<PyMunged> {
    let matching = Matching::parse(matching).map_err(to_py)?;
    let options = MungeOptions { join: UniverseOptions { drop_strand_ambiguous, matching }, n };
    let (sumstats, bim) = (Arc::clone(&sumstats.inner), Arc::clone(&bim.inner));
    let list = merge_alleles.map(|l| Arc::clone(&l.inner));
    let munged = run(py, || with_threads(threads, || munge(&sumstats, &bim, list.as_deref(), options))?)?;
    Ok(PyMunged { inner: Arc::new(munged), bim })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMergeAlleles>()?;
    m.add_class::<PyMunged>()?;
    m.add_function(wrap_pyfunction!(read_merge_alleles_py, m)?)?;
    m.add_function(wrap_pyfunction!(munge_py, m)?)?;
    Ok(())
}
