//! Welch's unequal-variance t statistic from group summaries: the one home of the formula the
//! screen (SNPs in vs out of a category) and the gene-set step (set genes vs the rest) share.

/// Welch's t of `mean1 - mean2` and its Welch-Satterthwaite degrees of freedom, from each
/// group's size, mean and sample variance (ddof 1).
///
/// The operations are SciPy's (`scipy.stats.ttest_ind(..., equal_var=False)`): `t = (m1 - m2)
/// / sqrt(v1/n1 + v2/n2)` and, where the df is undefined (both variances 0, or a group of one
/// whose variance is NaN), `df = 1`, which then only matters as "not NaN". Callers that need
/// two values per group mask `n < 2` themselves.
///
/// # Examples
/// ```
/// use ldenrich_core::stats::ttest::welch_t;
/// // scipy.stats.ttest_ind([1, 2, 3, 4], [2, 2, 3], equal_var=False)
/// let (t, df) = welch_t(4.0, 2.5, 5.0 / 3.0, 3.0, 7.0 / 3.0, 1.0 / 3.0);
/// assert!((t - 0.229_415_733_870_561_55).abs() < 1e-12);
/// assert!((df - 4.349_397_590_361_447).abs() < 1e-12);
/// ```
#[inline]
pub fn welch_t(n1: f64, mean1: f64, var1: f64, n2: f64, mean2: f64, var2: f64) -> (f64, f64) {
    let (v1, v2) = (var1 / n1, var2 / n2);
    let t = (mean1 - mean2) / (v1 + v2).sqrt();
    let df = (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
    (t, if df.is_nan() { 1.0 } else { df })
}

#[cfg(test)]
mod tests {
    use super::welch_t;

    #[test]
    fn zero_variances_give_df_one() {
        let (t, df) = welch_t(3.0, 1.0, 0.0, 4.0, 1.0, 0.0);
        assert!(t.is_nan());
        assert_eq!(df, 1.0);
        let (t, df) = welch_t(3.0, 2.0, 0.0, 4.0, 1.0, 0.0);
        assert_eq!(t, f64::INFINITY);
        assert_eq!(df, 1.0);
    }

    #[test]
    fn group_of_one_is_nan_t() {
        let (t, df) = welch_t(1.0, 2.0, f64::NAN, 4.0, 1.0, 0.5);
        assert!(t.is_nan());
        assert_eq!(df, 1.0);
    }
}
