//! Statistics of the enrichment screen (docs/methods.md §5).

pub mod enrichment;
pub mod jackknife;
pub mod permutation;
pub mod quadform;
pub mod ranks;
pub mod sum;
pub mod ttest;
