//! Delete-one-block jackknife over contiguous blocks (docs/methods.md §5.4, as in ldsc).

/// Block separators `floor(linspace(0, n, blocks + 1))` computed exactly as numpy does
/// (`b * (n / blocks)` in double precision, last separator `n`), so that ldenrich's blocks are
/// ldsc's blocks.
pub fn block_separators(n: usize, blocks: usize) -> Vec<usize> {
    assert!(blocks >= 1, "at least one block");
    let step = n as f64 / blocks as f64;
    let mut sep: Vec<usize> = (0..=blocks).map(|b| (b as f64 * step).floor() as usize).collect();
    sep[blocks] = n;
    sep
}

/// Jackknife standard error from the full estimate and the delete-one-block estimates:
/// pseudo-values `B*theta - (B-1)*theta_b`, SE = sqrt(var(pseudo, ddof=1) / B).
/// Returns NaN when fewer than two blocks or any delete value is not finite.
pub fn jackknife_se(theta: f64, delete_values: &[f64]) -> f64 {
    let b = delete_values.len();
    if b < 2 || !theta.is_finite() || delete_values.iter().any(|d| !d.is_finite()) {
        return f64::NAN;
    }
    let bf = b as f64;
    // Pseudo-values are formed on the fly in both passes: no allocation, as the permutation
    // null calls this once per shift.
    let pseudo = |d: f64| bf * theta - (bf - 1.0) * d;
    let mut total = crate::stats::sum::Sum::default();
    for &d in delete_values {
        total.add(pseudo(d));
    }
    let mean = total.value() / bf;
    let mut ss = crate::stats::sum::Sum::default();
    for &d in delete_values {
        let p = pseudo(d);
        ss.add((p - mean) * (p - mean));
    }
    (ss.value() / (bf - 1.0) / bf).sqrt()
}

/// The ratio of mean chi-squares without block `b`: `in_sum`/`in_count` and `out_sum`/`out_count`
/// are the whole universe's annotated and other SNPs, `block_in_*` the block's annotated part and
/// `block_*` the whole block. None when the deletion leaves no annotated or no other SNP.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn ratio_without_block(
    in_sum: f64,
    in_count: usize,
    out_sum: f64,
    out_count: usize,
    block_in_sum: f64,
    block_in_count: usize,
    block_sum: f64,
    block_count: usize,
) -> Option<f64> {
    let rest_in = in_count - block_in_count;
    let rest_out = out_count - (block_count - block_in_count);
    if rest_in == 0 || rest_out == 0 {
        return None;
    }
    let mean_in = (in_sum - block_in_sum) / rest_in as f64;
    let mean_out = (out_sum - (block_sum - block_in_sum)) / rest_out as f64;
    Some(mean_in / mean_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_test_vector() {
        // The test vector of docs/methods.md §5.4: ratio of means, B = 4.
        let chisq = [1.2, 0.3, 4.5, 2.2, 0.9, 7.1, 0.1, 1.6, 3.3, 0.8, 2.9, 0.4];
        let annotated = [1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0];
        let sep = block_separators(12, 4);
        assert_eq!(sep, [0, 3, 6, 9, 12]);
        let ratio = |skip: Option<usize>| {
            let (mut si, mut ni, mut so, mut no) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
            for i in 0..12 {
                if let Some(b) = skip {
                    if (sep[b]..sep[b + 1]).contains(&i) {
                        continue;
                    }
                }
                if annotated[i] == 1 {
                    si += chisq[i];
                    ni += 1.0;
                } else {
                    so += chisq[i];
                    no += 1.0;
                }
            }
            (si / ni) / (so / no)
        };
        let theta = ratio(None);
        assert!((theta - 4.222222).abs() < 1e-6);
        let deletes: Vec<f64> = (0..4).map(|b| ratio(Some(b))).collect();
        for (d, want) in deletes.iter().zip([4.433333, 4.648438, 4.266304, 3.946078]) {
            assert!((d - want).abs() < 1e-6, "{d} vs {want}");
        }
        assert!((jackknife_se(theta, &deletes) - 0.444437).abs() < 1e-6);
    }

    #[test]
    fn separators_match_numpy_floor_linspace() {
        // np.floor(np.linspace(0, 10, 4)) = [0, 3, 6, 10]; (0, 7, 3) -> [0, 2, 4, 7]
        assert_eq!(block_separators(10, 3), [0, 3, 6, 10]);
        assert_eq!(block_separators(7, 3), [0, 2, 4, 7]);
        assert_eq!(block_separators(7_000_000, 200)[1], 35_000);
    }
}
