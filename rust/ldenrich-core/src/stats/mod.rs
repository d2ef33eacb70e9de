//! Statistics of the enrichment screen (METHODS §E.1, §E.3, §E.7, §E.8).

pub mod enrichment;
pub mod jackknife;
pub mod permutation;
pub mod quadform;
pub mod ranks;
pub mod sum;
