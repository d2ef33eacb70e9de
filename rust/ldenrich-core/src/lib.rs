//! # ldenrich-core
//!
//! Pure-Rust core of ldenrich: streaming readers for GWAS summary statistics, PLINK filesets,
//! MAGMA gene locations and gene results, BED intervals and gene sets ([`io`]); the SNP universe
//! with exact row accounting and MAGMA-style gene-window annotation as sparse index ranges
//! ([`annot`]); the three analyses, the mean-chi-square enrichment screen with delete-one-block
//! jackknife, Welch t and Mann-Whitney U ([`stats::enrichment`]), MAGMA's gene analysis
//! ([`genes`]) and competitive gene-set analysis ([`sets`]); partitioned LD scores
//! ([`ldscore`]), stratified LD score regression ([`sldsc`]) and harmonised summary statistics
//! ([`munge`]).
//!
//! Nothing here depends on Python; the `ldenrich-py` crate wraps it.

pub mod annot;
pub mod build_info;
pub mod cancel;
pub mod chrom;
pub mod error;
pub mod genes;
pub mod io;
pub mod ldscore;
pub mod munge;
pub mod parallel;
pub mod radix;
pub mod sets;
pub mod sldsc;
pub mod special;
pub mod stats;

#[cfg(test)]
pub(crate) mod testing;

pub use error::{Error, Result};

/// Version of the crate (the Python package reports the same).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
