//! From two files to annotated SNPs: the SNP universe (summary statistics joined to the
//! reference .bim, with every dropped row accounted for) and sparse category membership.

pub mod categories;
pub mod positions;
pub mod universe;
