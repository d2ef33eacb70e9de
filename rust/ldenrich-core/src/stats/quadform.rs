//! Upper tail of a weighted sum of independent chi-square(1) variables (placeholder).
