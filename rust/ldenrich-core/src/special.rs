//! Special functions of p-values: the chi-square (1 df) upper quantile of a two-sided p-value,
//! used by the readers, accurate over the whole double range and beyond it through log p; and
//! the one-sided normal quantile of a log p, the gene analysis's gene Z.

use statrs::function::erf::{erf_inv, erfc_inv};

/// Chi-square with one degree of freedom whose upper tail probability is `p`, i.e. the square
/// of the two-sided normal quantile: `chi2 = 2 * erfc_inv(p)^2`. Accurate to ~1e-15 relative
/// for `p` from 1 down to the smallest normal double (the "normal route" of docs/methods.md §6).
///
/// ```
/// let q = ldenrich_core::special::chisq_from_p(0.05);
/// assert!((q - 3.841458820694124).abs() < 1e-12);
/// ```
pub fn chisq_from_p(p: f64) -> f64 {
    let x = erfc_inv(p);
    2.0 * x * x
}

/// ln of the upper normal tail for large `z` (> 30), from the asymptotic series
/// `ln(phi(z)/z) + ln(1 - 1/z^2 + 3/z^4 - 15/z^6 + 105/z^8 - 945/z^10)`; the truncation error is
/// below 1e-16 relative for z > 30.
fn log_normal_sf_asymptotic(z: f64) -> f64 {
    let r = 1.0 / (z * z);
    let series = 1.0 - r * (1.0 - 3.0 * r * (1.0 - 5.0 * r * (1.0 - 7.0 * r * (1.0 - 9.0 * r))));
    -0.5 * z * z - z.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() + series.ln()
}

/// Chi-square (1 df) of a two-sided p-value given as its natural log: exact near p = 1 (through
/// `expm1`), through `erfc_inv` down to p = 1e-300, and below (p written as `1e-400`, or a
/// -log10 p of 5000) by Newton's method on `ln 2 + ln Phi_bar(z) = ln p` with the asymptotic
/// tail. `ln p` down to about -3.9e307 gives a finite chi-square; below, infinity.
pub fn chisq_from_log_p(log_p: f64) -> f64 {
    if log_p >= -std::f64::consts::LN_2 {
        // p >= 1/2: 1 - p = -expm1(ln p) keeps every digit that p itself would round away
        // (p = 1 - 1e-12 from -log10 p = 4.3e-13), and erf_inv(1 - p) = erfc_inv(p).
        let x = erf_inv(-log_p.exp_m1());
        return 2.0 * x * x;
    }
    if log_p >= (1e-300f64).ln() {
        return chisq_from_p(log_p.exp());
    }
    let target = log_p - std::f64::consts::LN_2;
    let mut z = (-2.0 * target).sqrt();
    for _ in 0..50 {
        let f = log_normal_sf_asymptotic(z) - target;
        // d/dz ln Phi_bar(z) = -phi(z)/Phi_bar(z) ~ -(z + 1/z - 2/z^3) for large z.
        let slope = -(z + 1.0 / z - 2.0 / (z * z * z));
        let step = f / slope;
        z -= step;
        if step.abs() <= 1e-16 * z {
            break;
        }
    }
    z * z
}

/// One-sided probit of an upper-tail probability given as its natural log: the `z` with
/// `P(N(0,1) > z) = exp(ln_p)`, i.e. `-ndtri(p)` (MAGMA's gene Z). Exact through `erfc_inv` for
/// `p >= 1e-300`, and by Newton's method on the asymptotic log tail below, so that p-values
/// that underflow a double still get their Z.
///
/// ```
/// let z = ldenrich_core::special::z_from_ln_p((0.025f64).ln());
/// assert!((z - 1.959963984540054).abs() < 1e-12);
/// ```
pub fn z_from_ln_p(ln_p: f64) -> f64 {
    if ln_p.is_nan() {
        return f64::NAN;
    }
    if ln_p >= 0.0 {
        return f64::NEG_INFINITY;
    }
    if ln_p >= (1e-300f64).ln() {
        // P(Z > z) = erfc(z / sqrt 2) / 2.
        return std::f64::consts::SQRT_2 * erfc_inv(2.0 * ln_p.exp());
    }
    let mut z = (-2.0 * ln_p).sqrt();
    for _ in 0..50 {
        let f = log_normal_sf_asymptotic(z) - ln_p;
        let step = f / -(z + 1.0 / z - 2.0 / (z * z * z));
        z -= step;
        if step.abs() <= 1e-16 * z {
            break;
        }
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scipy_values() {
        // scipy.special.ndtri(p/2)**2
        for (p, want) in
            [(0.5, 0.454_936_423_119_572_7), (1e-8, 32.841_253_361_236_79), (1e-300, 1_373.872_631_222_394), (1.0, 0.0)]
        {
            let got = chisq_from_p(p);
            assert!((got - want).abs() <= 1e-14 * want.max(1e-300), "{p}: {got} vs {want}");
        }
    }

    #[test]
    fn probit_matches_scipy() {
        // -scipy.special.ndtri(p) for p = 0.5, 0.9, 1e-10, 1e-300; scipy ndtri_exp(-1000).
        for (p, want) in [
            (0.5f64, 0.0),
            (0.9, -1.281_551_565_544_600_4),
            (1e-10, 6.361_340_902_404_056),
            (1e-300, 37.047_096_299_361_2),
        ] {
            let z = z_from_ln_p(p.ln());
            assert!((z - want).abs() <= 1e-13 * want.abs().max(1.0), "{p}: {z} vs {want}");
        }
        let z = z_from_ln_p(-1000.0);
        assert!((z - 44.615_747_731_969_41).abs() < 1e-11, "{z}");
    }

    #[test]
    fn log_route_is_continuous_with_the_direct_route() {
        for p in [1e-250f64, 1e-290, 1e-300, 1e-305, 2.3e-308] {
            let direct = chisq_from_p(p);
            let via_log = {
                let target = p.ln();
                // force the asymptotic path by bypassing the shortcut
                let t = target - std::f64::consts::LN_2;
                let mut z = (-2.0 * t).sqrt();
                for _ in 0..50 {
                    let f = log_normal_sf_asymptotic(z) - t;
                    z -= f / -(z + 1.0 / z - 2.0 / (z * z * z));
                }
                z * z
            };
            assert!((direct - via_log).abs() < 1e-11 * direct, "{p}: {direct} vs {via_log}");
        }
        // mpmath (60 digits, root of ln erfc(z/sqrt 2) = ln p): p = 1e-400 gives 1834.1010929470287788,
        // p = 2.5e-350 gives 1602.1450558720368269.
        let q = chisq_from_log_p(-400.0 * std::f64::consts::LN_10);
        assert!((q - 1_834.101_092_947_028_8).abs() < 1e-12 * q, "{q}");
        let q = chisq_from_log_p((2.5f64).ln() - 350.0 * std::f64::consts::LN_10);
        assert!((q - 1_602.145_055_872_036).abs() < 1e-12 * q, "{q}");
    }
}
