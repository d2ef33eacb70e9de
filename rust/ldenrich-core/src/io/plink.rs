//! PLINK 1 binary genotypes (placeholder).
