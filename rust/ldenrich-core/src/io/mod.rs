//! Streaming readers for every input ldenrich accepts. Each reader makes one pass over its file,
//! keeps only the columns it needs and reports bad lines with file, line and column.

pub mod alleles;
pub mod bed;
pub mod bim;
pub mod formats;
pub mod geneloc;
pub mod generesults;
pub mod genesets;
pub mod inflate;
pub mod plink;
pub mod snpid;
pub mod sumstats;
pub mod table;
pub mod text;
pub mod write;
