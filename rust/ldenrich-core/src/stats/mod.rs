//! Statistics: the enrichment screen and its permutation null (docs/methods.md §5), and the
//! pieces the other analyses share with it or use alone: the delete-one-block jackknife, the
//! weighted chi-square(1) tail of the gene analysis, mid-ranks and Kruskal-Wallis H,
//! compensated sums and Welch's t.

pub mod enrichment;
pub mod jackknife;
pub mod permutation;
pub mod quadform;
pub mod ranks;
pub mod sum;
pub mod ttest;
