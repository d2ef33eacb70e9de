//! The input readers (core `io`): summary statistics, a `.bim`, gene locations, gene-set files
//! and BED intervals, each kept in the core by a class whose columns Python copies out on
//! demand.

use std::path::PathBuf;
use std::sync::Arc;

use ldenrich_core::io::bed::{read_bed, BedIntervals};
use ldenrich_core::io::bim::{read_bim, Bim};
use ldenrich_core::io::formats::Format;
use ldenrich_core::io::geneloc::{read_gene_loc, GeneLoc, Strand};
use ldenrich_core::io::genesets::{read_gene_sets, GeneSetFormat, GeneSets};
use ldenrich_core::io::sumstats::{read_sumstats, ChisqFrom, DropReason, ReadN, Role, SumStats, SumstatsOptions};
use ldenrich_core::parallel::with_threads;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

use crate::errors::{run, to_py};

/// Declares a frozen class of `ldenrich._native` that holds one file read by the core
/// (`inner: Arc<$core>`, where the core's type has a `path` and a `len()`), with the two methods
/// every such class has, the `path` getter and `__len__`, followed by the class's own methods.
macro_rules! file_class {
    ($(#[$attr:meta])* $python:literal: $rust:ident($core:ty) { $($methods:tt)* }) => {
        $(#[$attr])*
        #[pyo3::pyclass(name = $python, module = "ldenrich._native", frozen)]
        pub struct $rust {
            pub inner: std::sync::Arc<$core>,
        }

        #[pyo3::pymethods]
        impl $rust {
            #[getter]
            fn path(&self) -> String {
                self.inner.path.display().to_string()
            }
            fn __len__(&self) -> usize {
                self.inner.len()
            }
            $($methods)*
        }
    };
}
pub(crate) use file_class;

file_class! {
    "SumStats": PySumStats(SumStats) {
        #[getter]
        fn compression(&self) -> &'static str {
            self.inner.compression.name()
        }
        #[getter]
        fn source(&self) -> &'static str {
            self.inner.source.name()
        }
        #[getter]
        fn rows_read(&self) -> u64 {
            self.inner.rows_read
        }
        #[getter]
        fn p_zero_from_other(&self) -> u64 {
            self.inner.p_zero_from_other
        }
        /// The GWAS-VCF sample column read, or `None`.
        #[getter]
        fn vcf_sample(&self) -> Option<String> {
            self.inner.vcf_sample.clone()
        }
        /// `(preset name, detected)` or `None`.
        #[getter]
        fn format(&self) -> Option<(&'static str, bool)> {
            self.inner.format.map(|(f, detected)| (f.name(), detected))
        }
        #[getter]
        fn has_n(&self) -> bool {
            self.inner.n.is_some()
        }
        #[getter]
        fn has_sign(&self) -> bool {
            self.inner.sign.is_some()
        }
        #[getter]
        fn has_alleles(&self) -> bool {
            self.inner.alleles.is_some()
        }
        fn columns(&self) -> Vec<(&'static str, String)> {
            self.inner.columns.iter().map(|(r, n)| (r.name(), n.clone())).collect()
        }
        fn dropped(&self) -> Vec<(&'static str, u64)> {
            DropReason::ALL.iter().map(|r| (r.name(), self.inner.dropped[r.index()])).collect()
        }
        fn chisq<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
            self.inner.chisq.clone().into_pyarray(py)
        }
        fn snp_ids(&self) -> Vec<String> {
            (0..self.inner.len()).map(|i| self.inner.ids.name(i)).collect()
        }
        /// Per-row sample size, when read (`read_n`).
        fn n<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
            self.inner.n.clone().map(|n| n.into_pyarray(py))
        }
    }
}

file_class! {
    "Bim": PyBim(Bim) {
        fn chrom<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u8>> {
            self.inner.chrom.clone().into_pyarray(py)
        }
        fn bp<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
            self.inner.bp.clone().into_pyarray(py)
        }
        fn cm<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
            self.inner.cm.clone().into_pyarray(py)
        }
        #[pyo3(signature = (rows=None))]
        fn snp_ids(&self, rows: Option<Vec<u32>>) -> Vec<String> {
            match rows {
                Some(rows) => rows.iter().map(|&r| self.inner.ids.name(r as usize)).collect(),
                None => (0..self.inner.len()).map(|i| self.inner.ids.name(i)).collect(),
            }
        }
        fn alleles(&self) -> (Vec<String>, Vec<String>) {
            let b = &self.inner;
            (b.a1.codes.iter().map(|&c| b.a1.text(c)).collect(), b.a2.codes.iter().map(|&c| b.a2.text(c)).collect())
        }
    }
}

file_class! {
    "GeneLoc": PyGeneLoc(GeneLoc) {
        fn ids(&self) -> Vec<String> {
            self.inner.ids.clone()
        }
        fn symbols(&self) -> Vec<String> {
            self.inner.symbol.clone()
        }
        fn chrom<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u8>> {
            self.inner.chrom.clone().into_pyarray(py)
        }
        fn start<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
            self.inner.start.clone().into_pyarray(py)
        }
        fn stop<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
            self.inner.stop.clone().into_pyarray(py)
        }
        fn strand(&self) -> Vec<&'static str> {
            self.inner.strand.iter().map(|s| if *s == Strand::Forward { "+" } else { "-" }).collect()
        }
        #[getter]
        fn has_strand(&self) -> bool {
            self.inner.has_strand
        }
        fn skipped(&self) -> Vec<(String, u64)> {
            self.inner.skipped.clone()
        }
        fn warnings(&self) -> Vec<String> {
            self.inner.warnings.clone()
        }
    }
}

fn role_of(name: &str) -> PyResult<Role> {
    Role::ALL
        .into_iter()
        .find(|r| r.name() == name)
        .ok_or_else(|| to_py(ldenrich_core::Error::InvalidArgument(format!("unknown column role '{name}'"))))
}

#[pyfunction(name = "read_sumstats")]
#[pyo3(signature = (path, columns, chisq_from, read_n="no", n_effective=false, threads=None, format="auto", vcf_sample=None, read_sign=false))]
#[allow(clippy::too_many_arguments)]
fn read_sumstats_py(
    py: Python<'_>,
    path: PathBuf,
    columns: Vec<(String, String)>,
    chisq_from: &str,
    read_n: &str,
    n_effective: bool,
    threads: Option<usize>,
    format: &str,
    vcf_sample: Option<String>,
    read_sign: bool,
) -> PyResult<PySumStats> {
    let format = if format == "auto" { None } else { Some(Format::parse(format).map_err(to_py)?) };
    let columns = columns.into_iter().map(|(r, n)| Ok((role_of(&r)?, n))).collect::<PyResult<Vec<_>>>()?;
    let chisq_from = ChisqFrom::parse(chisq_from).map_err(to_py)?;
    let read_n = ReadN::parse(read_n).map_err(to_py)?;
    let options =
        SumstatsOptions { columns, chisq_from: Some(chisq_from), read_n, n_effective, format, vcf_sample, read_sign };
    let inner = run(py, || with_threads(threads, || read_sumstats(&path, &options))?)?;
    Ok(PySumStats { inner: Arc::new(inner) })
}

#[pyfunction(name = "read_bim")]
#[pyo3(signature = (path, threads=None))]
fn read_bim_py(py: Python<'_>, path: PathBuf, threads: Option<usize>) -> PyResult<PyBim> {
    Ok(PyBim { inner: Arc::new(run(py, || with_threads(threads, || read_bim(&path))?)?) })
}

#[pyfunction(name = "read_gene_loc")]
fn read_gene_loc_py(py: Python<'_>, path: PathBuf) -> PyResult<PyGeneLoc> {
    Ok(PyGeneLoc { inner: Arc::new(run(py, || read_gene_loc(&path))?) })
}

file_class! {
    /// The sets of one file, held in the core: `annotate` takes them without a round trip through
    /// Python lists; the Python `GeneSets` mapping reads them on demand.
    "GeneSets": PyGeneSets(GeneSets) {
        #[getter]
        fn format(&self) -> &'static str {
            self.inner.format.name()
        }
        fn names(&self) -> Vec<String> {
            self.inner.sets.iter().map(|s| s.name.clone()).collect()
        }
        fn descriptions(&self) -> Vec<String> {
            self.inner.sets.iter().map(|s| s.description.clone()).collect()
        }
        fn genes(&self, index: usize) -> PyResult<Vec<String>> {
            self.inner
                .sets
                .get(index)
                .map(|s| s.genes.clone())
                .ok_or_else(|| {
                    to_py(ldenrich_core::Error::InvalidArgument(format!("gene set index {index} out of range")))
                })
        }
    }
}

#[pyfunction(name = "read_gene_sets")]
fn read_gene_sets_py(py: Python<'_>, path: PathBuf, format: &str) -> PyResult<PyGeneSets> {
    let format = GeneSetFormat::parse(format).map_err(to_py)?;
    Ok(PyGeneSets { inner: Arc::new(run(py, || read_gene_sets(&path, format))?) })
}

file_class! {
    /// The intervals of one BED file, held in the core (0-based half-open, as in the file).
    "Bed": PyBed(BedIntervals) {
        fn chrom<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u8>> {
            self.inner.chrom.clone().into_pyarray(py)
        }
        fn start<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
            self.inner.start.clone().into_pyarray(py)
        }
        fn end<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
            self.inner.end.clone().into_pyarray(py)
        }
        fn skipped(&self) -> Vec<(String, u64)> {
            self.inner.skipped.clone()
        }
    }
}

#[pyfunction(name = "read_bed")]
fn read_bed_py(py: Python<'_>, path: PathBuf) -> PyResult<PyBed> {
    Ok(PyBed { inner: Arc::new(run(py, || read_bed(&path))?) })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySumStats>()?;
    m.add_class::<PyBim>()?;
    m.add_class::<PyGeneLoc>()?;
    m.add_class::<PyGeneSets>()?;
    m.add_class::<PyBed>()?;
    m.add_function(wrap_pyfunction!(read_sumstats_py, m)?)?;
    m.add_function(wrap_pyfunction!(read_bim_py, m)?)?;
    m.add_function(wrap_pyfunction!(read_gene_loc_py, m)?)?;
    m.add_function(wrap_pyfunction!(read_gene_sets_py, m)?)?;
    m.add_function(wrap_pyfunction!(read_bed_py, m)?)?;
    Ok(())
}
