//! Upper tail of a weighted sum of independent chi-square(1) variables,
//! `P(Q > x)` with `Q = sum_k lambda_k chi2_1`: the null distribution of MAGMA's SNP-wise mean
//! gene statistic (docs/methods.md §2.3-§2.4), accurate in log scale far below the smallest
//! double (§6).
//!
//! # Method
//!
//! With the cumulant generating function `K(s) = -1/2 sum_k ln(1 - 2 lambda_k s)`, analytic for
//! `s < s1 = 1 / (2 max lambda)` except for the branch cut `[s1, inf)`, Laplace inversion gives
//!
//! ```text
//! P(Q > x) = [c < 0] + 1/(2 pi i) Int_C exp(K(s) - s x) / s ds
//! ```
//!
//! for any contour `C` that crosses the real axis once at `c < s1`, `c != 0` (upwards), and
//! runs off to `Re s -> +inf` on both sides of the cut; the term `[c < 0]` is the residue of the
//! pole at 0 when the contour leaves it between itself and the cut. We cross at the saddlepoint
//! `K'(c) = x`, where the integrand has a stationary phase and a Gaussian peak, and
//! deform the vertical line into the hyperbola (with `alpha = pi/4`, `w0 = s1 - c`,
//! `mu = w0 / (1 - sin alpha)`)
//!
//! ```text
//! s(y) = s1 - mu (1 - sin(alpha - i y)),   y in R,
//! ```
//!
//! which wraps around the cut: `exp(-s x)` makes the integrand decay double-exponentially in
//! `y`, and every singularity (branch points, pole) stays a fixed distance away from the real
//! `y` axis, so the trapezoidal rule converges geometrically (the classical hyperbolic contour of
//! numerical Laplace inversion). For one dominant `lambda` the hyperbola is close to the path of
//! steepest descent; for many comparable `lambda`s the integrand is a narrow Gaussian at `y = 0`
//! and the step follows its width. When the saddlepoint is within two standard deviations of the
//! pole at 0 (x near the mean), the crossing is moved to `c = +-2 / sqrt(K''(c))` so the pole
//! stays resolvable. `exp(K(c) - c x)` is factored out, so the upper tail is obtained as
//! `ln p = K(c) - c x + ln I` and never underflows; for `c < 0` the integral gives the lower tail
//! `P(Q <= x)` with full relative accuracy and `ln p = ln(1 - P(Q <= x))`.
//!
//! Per node, `sum_k ln(1 - a_k (s - c))` is computed as the logarithm of a complex product (four
//! interleaved partial products, rescaled by powers of two), with the branch of the argument
//! recovered by counting the crossings of the negative real axis: every factor has its argument
//! in `(0, pi)`, so a crossing is exactly a change of the imaginary part from `>= 0` to `< 0`.
//! This costs a few multiplications per eigenvalue instead of a logarithm and an arctangent.
//!
//! Below `x = 1e-140 lambda_max` the lower tail is the leading term of its small-ball expansion;
//! one eigenvalue is the exact chi-square(1) tail, from an erfc written here (series and
//! continued fraction, ~1e-15 relative; statrs' `erfc` is only good to ~1e-10 relative).
//!
//! Accuracy, against independent 20–40-digit mpmath references (Imhof's integral, inversion on a
//! parabola with adaptive quadrature, exact convolutions and incomplete gamma functions; see
//! `tests/test_quadform.py`): relative error of `ln p` below ~1e-11 from `p ~ 1` down to
//! `ln p = -5e4`, absolute error of `p` below ~2e-14 in the bulk.

use std::f64::consts::{FRAC_1_SQRT_2, LN_2, PI};

use statrs::function::gamma::ln_gamma;

use super::sum::Sum;

/// Upper tail probability in linear and log scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tail {
    /// `P(Q > x)`; may underflow to 0.
    pub p: f64,
    /// Natural log of `P(Q > x)`; finite even when `p` underflows.
    pub ln_p: f64,
}

impl Tail {
    fn from_ln(ln_p: f64) -> Tail {
        Tail { p: ln_p.exp(), ln_p }
    }

    /// From the lower tail `f = P(Q <= x)` given as its natural log.
    fn from_ln_lower(ln_f: f64) -> Tail {
        let f = ln_f.exp();
        if f >= 1.0 {
            return Tail { p: 0.0, ln_p: f64::NEG_INFINITY };
        }
        Tail { p: 1.0 - f, ln_p: (-f).ln_1p() }
    }
}

/// `P(sum_k lambda_k chi2_1 > x)` for independent chi-square(1) variables.
///
/// `lambdas` should be positive and finite (the caller has dropped negligible ones); entries
/// that are not (zero, negative, NaN, infinite) are ignored rather than reported. `x <= 0`
/// gives `p = 1`, `x = +inf` gives `p = 0`, a NaN `x` gives NaN. With no usable `lambda`,
/// `Q = 0` and `p` is 1 for `x < 0`, 0 otherwise. With one, the exact chi-square(1) tail
/// `erfc(sqrt(x / (2 lambda)))` is returned. See the module documentation for the method; cost
/// is one saddlepoint solve plus typically 15–50 passes over `lambdas`, no allocation besides
/// one vector of `lambdas.len()`.
///
/// ```
/// use ldenrich_core::stats::quadform::weighted_chisq_sf;
/// let t = weighted_chisq_sf(&[3.0, 1.0, 0.5, 0.3, 0.2], 20.0);
/// assert!((t.p - 0.015326238205347244).abs() < 1e-13);
/// // far below the smallest double, ln p stays finite
/// let t = weighted_chisq_sf(&[3.0, 1.0, 0.5, 0.3, 0.2], 1e4);
/// assert_eq!(t.p, 0.0);
/// assert!(t.ln_p < -1600.0 && t.ln_p.is_finite());
/// ```
pub fn weighted_chisq_sf(lambdas: &[f64], x: f64) -> Tail {
    if x.is_nan() {
        return Tail { p: f64::NAN, ln_p: f64::NAN };
    }
    let usable = |l: &f64| *l > 0.0 && l.is_finite();
    let mut count = 0usize;
    let mut lmax = 0.0f64;
    for l in lambdas.iter().filter(|l| usable(l)) {
        count += 1;
        lmax = lmax.max(*l);
    }
    if count == 0 {
        return if x < 0.0 { Tail { p: 1.0, ln_p: 0.0 } } else { Tail { p: 0.0, ln_p: f64::NEG_INFINITY } };
    }
    if x <= 0.0 {
        return Tail { p: 1.0, ln_p: 0.0 };
    }
    if x == f64::INFINITY {
        return Tail { p: 0.0, ln_p: f64::NEG_INFINITY };
    }
    if count == 1 {
        return chisq1_sf(x / lmax);
    }
    // Scale so that the largest lambda is 1 (then s1 = 1/2): the problem is scale invariant.
    let lam: Vec<f64> = lambdas.iter().filter(|l| usable(l)).map(|l| l / lmax).collect();
    general(lam, x / lmax)
}

/// Exact `P(chi2_1 > y) = erfc(sqrt(y / 2))` in linear and log scale, to ~1e-15 relative for
/// every `y > 0` (the log never underflows).
pub(crate) fn chisq1_sf(y: f64) -> Tail {
    let z = (0.5 * y).sqrt();
    if z < 1.0 {
        let erf = erf_series(z);
        return Tail { p: 1.0 - erf, ln_p: (-erf).ln_1p() };
    }
    // erfc(z) = exp(-z^2) erfcx(z), with z^2 = y / 2 exactly.
    let scaled = erfcx_continued_fraction(z);
    let ln_p = -0.5 * y + scaled.ln();
    let p = if y < 1400.0 { (-0.5 * y).exp() * scaled } else { ln_p.exp() };
    Tail { p, ln_p }
}

/// `erf(z)` for `0 <= z < 1` from `erf(z) = 2/sqrt(pi) exp(-z^2) sum_n (2 z^2)^n z / (2n+1)!!`,
/// a series of positive terms (no cancellation).
fn erf_series(z: f64) -> f64 {
    let two_z2 = 2.0 * z * z;
    let mut term = z;
    let mut total = z;
    for n in 1..100 {
        term *= two_z2 / f64::from(2 * n + 1);
        total += term;
        if term < 1e-17 * total {
            break;
        }
    }
    2.0 / PI.sqrt() * (-z * z).exp() * total
}

/// The scaled complementary error function `erfcx(z) = exp(z^2) erfc(z)` for `z >= 1` from
/// Laplace's continued fraction `sqrt(pi) erfcx(z) = 1 / (z + (1/2) / (z + 1 / (z + (3/2) /
/// (z + ...))))`, evaluated by the modified Lentz method (under 200 terms at `z = 1`, a handful
/// in the far tail; ~1e-15 relative).
fn erfcx_continued_fraction(z: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut f = z;
    let (mut c, mut d) = (z, 0.0f64);
    for n in 1..2000 {
        let a = 0.5 * f64::from(n);
        d = z + a * d;
        d = if d == 0.0 { 1.0 / TINY } else { 1.0 / d };
        c = z + a / c;
        if c == 0.0 {
            c = TINY;
        }
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    1.0 / (PI.sqrt() * f)
}

/// Cross the real axis at least this many standard deviations (of the tilted distribution) away
/// from the pole at 0.
const POLE_CLEARANCE: f64 = 2.0;
/// Target error of the trapezoidal rule, which sets the step from the strip of analyticity.
const LN_TOLERANCE: f64 = 32.236_191_301_916_64; // ln(1e14)
/// Step as a fraction of the width of the Gaussian peak at the crossing.
const PEAK_STEP: f64 = 0.5;
/// Stop summing once two consecutive nodes are below this fraction of the running integral.
const STOP: f64 = 1e-15;
/// Safety cap on the number of nodes (never reached in tests; typical counts are 15–50).
const MAX_NODES: usize = 20_000;
/// The hyperbola is never followed beyond this `y`: there `|exp(-(s - c) x)| <=
/// exp(-x mu sin(alpha) (cosh y - 1))` with `x mu sin(alpha) >= 1.2` (from `w0 x >= 1/2`).
const Y_MAX: f64 = 40.0;

/// `K'(s)` and `K''(s)` at `s = 1/2 - w` for lambdas scaled to a maximum of 1, from
/// `1 - 2 lambda s = (1 - lambda) + 2 lambda w`, exact for the largest lambda even when `w` is
/// tiny (far tail).
fn derivatives(lam: &[f64], w: f64) -> (f64, f64) {
    let (mut k1, mut k2) = (0.0, 0.0);
    for &l in lam {
        let q = l / ((1.0 - l) + 2.0 * l * w);
        k1 += q;
        k2 += q * q;
    }
    (k1, 2.0 * k2)
}

/// The saddlepoint as `w = s1 - s > 0` with `K'(s) = x`: Newton on `1/K' - 1/x` (linear in `w`
/// for equal lambdas), safeguarded by bisection in a bracket derived from
/// `lambda_max / (2w) <= K' <= mu / (2w)` (x above the mean) or
/// `mu / (2w) <= K' <= n / (2 |s|)` (below).
fn saddlepoint(lam: &[f64], mu: f64, x: f64) -> f64 {
    let n = lam.len() as f64;
    let (mut lo, mut hi) = if x >= mu { (0.5 / x, 0.5 * mu / x) } else { (0.5 * mu / x, 0.5 * (1.0 + n / x)) };
    let mut w = 0.5 * mu / x;
    for _ in 0..200 {
        let (k1, k2) = derivatives(lam, w);
        let phi = 1.0 / k1 - 1.0 / x;
        if phi < 0.0 {
            lo = w;
        } else {
            hi = w;
        }
        let step = phi * k1 * k1 / k2;
        if step.abs() <= 1e-10 * w {
            return w - step;
        }
        let newton = w - step;
        w = if newton > lo && newton < hi { newton } else { (lo * hi).sqrt() };
        if hi - lo <= 1e-14 * hi {
            break;
        }
    }
    w
}

/// `ln prod_k d_k` for positive finite `d_k`: a product rescaled by powers of two and one
/// logarithm at the end; factors beyond `2^(+-256)` (far lower tail) are logged one by one.
fn ln_prod(values: impl Iterator<Item = f64>) -> f64 {
    let (big, small, ln_big) = scale_constants();
    let mut prod = 1.0f64;
    let mut scale = 0i32;
    let mut direct = 0.0;
    for v in values {
        if v > big || v < small {
            direct += v.ln();
            continue;
        }
        prod *= v;
        if prod > big {
            prod *= small;
            scale += 1;
        } else if prod < small {
            prod *= big;
            scale -= 1;
        }
    }
    prod.ln() + f64::from(scale) * ln_big + direct
}

/// `(2^256, 2^-256, ln 2^256)`, exact powers of two for rescaling products.
fn scale_constants() -> (f64, f64, f64) {
    let big = 2f64.powi(256);
    (big, 1.0 / big, 256.0 * LN_2)
}

/// `sum_k ln(1 - a_k d)` for `Im d < 0` (so every factor has its argument in `(0, pi)`), as
/// `(real part, imaginary part)`, from four interleaved complex products.
fn ln_prod_complex(a: &[f64], d_re: f64, d_im: f64) -> (f64, f64) {
    let (big, small, ln_big) = scale_constants();
    let mut re = [1.0f64; 4];
    let mut im = [0.0f64; 4];
    let mut wraps = [0u32; 4];
    let mut scale = [0i32; 4];
    let mut chunks = a.chunks_exact(4);
    for chunk in &mut chunks {
        for i in 0..4 {
            let f_re = 1.0 - chunk[i] * d_re;
            let f_im = -chunk[i] * d_im;
            let new_re = re[i] * f_re - im[i] * f_im;
            let new_im = re[i] * f_im + im[i] * f_re;
            wraps[i] += u32::from(im[i] >= 0.0 && new_im < 0.0);
            re[i] = new_re;
            im[i] = new_im;
        }
        // Every factor is below 2^60 in modulus (|1 - a_k d| <= 1 + |d| / w0 with y <= Y_MAX), so
        // checking once per four factors cannot overflow.
        for i in 0..4 {
            let m = re[i].abs() + im[i].abs();
            if m > big {
                re[i] *= small;
                im[i] *= small;
                scale[i] += 1;
            } else if m < small {
                re[i] *= big;
                im[i] *= big;
                scale[i] -= 1;
            }
        }
    }
    for &ak in chunks.remainder() {
        let f_re = 1.0 - ak * d_re;
        let f_im = -ak * d_im;
        let new_re = re[0] * f_re - im[0] * f_im;
        let new_im = re[0] * f_im + im[0] * f_re;
        wraps[0] += u32::from(im[0] >= 0.0 && new_im < 0.0);
        re[0] = new_re;
        im[0] = new_im;
    }
    let (mut ln_mod, mut arg) = (0.0, 0.0);
    for i in 0..4 {
        ln_mod += re[i].hypot(im[i]).ln() + f64::from(scale[i]) * ln_big;
        arg += im[i].atan2(re[i]) + 2.0 * PI * f64::from(wraps[i]);
    }
    (ln_mod, arg)
}

/// Below this `x / lambda_max` the lower tail is the leading term of its small-ball expansion
/// (`K''` at the saddlepoint, ~`x^2`, would underflow near 1e-154).
const SMALL_X: f64 = 1e-140;

/// Two or more lambdas, scaled to a maximum of exactly 1; `x > 0` finite.
fn general(lam: Vec<f64>, x: f64) -> Tail {
    if x < SMALL_X {
        // P(Q <= x) = x^(n/2) / (2^(n/2) Gamma(n/2 + 1) prod sqrt(lambda_k)) (1 + O(x / lambda_min))
        // (the volume of the ellipsoid sum lambda_k z_k^2 <= x times the normal density at 0).
        // Lambdas below 1e16 x add at most 1e-16 relative to Q there and are left out; the
        // expansion is exact in double precision when the others exceed 1e16 x.
        let kept = lam.iter().filter(|&&l| l > 1e16 * x);
        let (n, ln_det) = kept.fold((0.0, 0.0), |(n, d), l| (n + 1.0, d + l.ln()));
        return Tail::from_ln_lower(0.5 * n * (0.5 * x).ln() - ln_gamma(0.5 * n + 1.0) - 0.5 * ln_det);
    }
    let mut mu = Sum::default();
    for &l in &lam {
        mu.add(l);
    }
    let mu = mu.value();
    let s1 = 0.5;

    // Crossing point c = s1 - w0 at the saddlepoint, moved away from the pole at 0 if needed.
    let mut w0 = saddlepoint(&lam, mu, x);
    let mut c = s1 - w0;
    let mut sigma = derivatives(&lam, w0).1.sqrt();
    if c.abs() * sigma < POLE_CLEARANCE {
        let shift = POLE_CLEARANCE / sigma;
        c = if c >= 0.0 && shift <= 0.5 * s1 { shift } else { -shift };
        w0 = s1 - c;
        sigma = derivatives(&lam, w0).1.sqrt();
    }

    // 1 - 2 lambda c, its log-sum K(c), and a_k = 2 lambda_k / (1 - 2 lambda_k c), so that
    // K(s) - K(c) = -1/2 sum ln(1 - a_k (s - c)).
    let mut a = lam;
    let ln_d = ln_prod(a.iter().map(|&l| (1.0 - l) + 2.0 * l * w0));
    for l in a.iter_mut() {
        *l = 2.0 * *l / ((1.0 - *l) + 2.0 * *l * w0);
    }
    let k_c = -0.5 * ln_d;

    // Hyperbola s(y) = c + mu_h (sin(alpha) (cosh y - 1) - i cos(alpha) sinh y), alpha = pi/4.
    let (sa, ca) = (FRAC_1_SQRT_2, FRAC_1_SQRT_2);
    let alpha = 0.25 * PI;
    let mu_h = w0 / (1.0 - sa);
    // Distance from the real y axis of the nearest singularity: branch point s1 at
    // pi/2 - alpha, the pole at 0 at |asin(sin(alpha) - c / mu_h) - alpha|.
    let mut strip = alpha.min(0.5 * PI - alpha);
    let r = sa - c / mu_h;
    if r.abs() <= 1.0 {
        strip = strip.min((r.asin() - alpha).abs());
    }
    let peak_width = 1.0 / (mu_h * ca * sigma);
    let h = (2.0 * PI * strip / LN_TOLERANCE).min(PEAK_STEP * peak_width);

    // Trapezoidal rule over y >= 0 (the integrand's imaginary part is even in y).
    // At y = 0: Im[w'(0) / c] with w'(0) = i mu_h cos(alpha).
    let mut total = 0.5 * mu_h * ca / c;
    let mut quiet = 0;
    for j in 1..MAX_NODES {
        let y = j as f64 * h;
        if y > Y_MAX {
            break;
        }
        let (sh, ch) = (y.sinh(), y.cosh());
        let chm1 = 2.0 * (0.5 * y).sinh().powi(2);
        // s - c and ds/dy (up to the orientation folded into the formula).
        let d_re = mu_h * sa * chm1;
        let d_im = -mu_h * ca * sh;
        let wp_re = -mu_h * sa * sh;
        let wp_im = mu_h * ca * ch;
        let (l_re, l_im) = ln_prod_complex(&a, d_re, d_im);
        // exponent K(s) - K(c) - (s - c) x
        let e_re = -0.5 * l_re - d_re * x;
        let e_im = -0.5 * l_im - d_im * x;
        let modulus = e_re.exp();
        let (ev_re, ev_im) = (modulus * e_im.cos(), modulus * e_im.sin());
        // times w' / s (both scaled by max |s| first: |s| reaches ~1e140 when x is tiny)
        let (s_re, s_im) = (c + d_re, d_im);
        let scale = s_re.abs().max(s_im.abs());
        let (s_re, s_im, wp_re, wp_im) = (s_re / scale, s_im / scale, wp_re / scale, wp_im / scale);
        let s_norm = s_re * s_re + s_im * s_im;
        let (q_re, q_im) = ((wp_re * s_re + wp_im * s_im) / s_norm, (wp_im * s_re - wp_re * s_im) / s_norm);
        let g_im = ev_re * q_im + ev_im * q_re;
        let g_abs = modulus * (q_re * q_re + q_im * q_im).sqrt();
        total += g_im;
        if g_abs < STOP * total.abs() {
            quiet += 1;
            if quiet == 2 {
                break;
            }
        } else {
            quiet = 0;
        }
    }
    let integral = total * h / PI;
    let ln_scale = k_c - c * x;
    if c > 0.0 {
        // P(Q > x) = exp(K(c) - c x) * integral
        Tail::from_ln(ln_scale + integral.max(f64::MIN_POSITIVE).ln())
    } else {
        // P(Q <= x) = -exp(K(c) - c x) * integral
        Tail::from_ln_lower(ln_scale + (-integral).max(f64::MIN_POSITIVE).ln())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{ChiSquared, ContinuousCDF};

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs()
    }

    #[test]
    fn methods_test_vector() {
        // docs/methods.md §2.4: 0.01532623 (mpmath, 30 digits: 0.015326238205347243656).
        let t = weighted_chisq_sf(&[3.0, 1.0, 0.5, 0.3, 0.2], 20.0);
        assert!((t.p - 0.01532623).abs() < 1e-8, "{t:?}");
        assert!(rel(t.p, 0.015_326_238_205_347_244) < 1e-12, "{t:?}");
        assert!(rel(t.ln_p, 0.015_326_238_205_347_244f64.ln()) < 1e-12);
        // order and scale do not matter
        let t2 = weighted_chisq_sf(&[0.4, 6.0, 1.0, 0.6, 2.0], 40.0);
        assert!(rel(t2.p, t.p) < 1e-12);
    }

    #[test]
    fn one_lambda_is_the_exact_chi2_tail() {
        for (lambda, x) in [(1.0, 0.5), (2.0, 3.0), (0.3, 12.0), (1.0, 1e-8)] {
            let t = weighted_chisq_sf(&[lambda], x);
            assert_eq!(t, chisq1_sf(x / lambda));
        }
        // mpmath erfc(sqrt(y / 2)), 30 digits
        for (y, want) in [
            (1e-8, 0.999_920_211_544_052_7),
            (0.5, 0.479_500_122_186_953_5),
            (2.0, 0.157_299_207_050_285_13),
            (3.841_458_820_694_124, 0.050_000_000_000_000_06),
            (30.0, 4.320_463_057_827_497_5e-8),
            (500.0, 9.505_397_766_554_091e-111),
        ] {
            let t = chisq1_sf(y);
            assert!(rel(t.p, want) < 2e-15, "{y}: {} vs {want}", t.p);
            if want < 0.5 {
                assert!(rel(t.ln_p, want.ln()) < 2e-15, "{y}");
            }
        }
        assert!(rel(chisq1_sf(1e-8).ln_p, -7.979_163_921_548_35e-5) < 2e-15);
        // far tail, mpmath: ln erfc(sqrt(750)) and ln erfc(sqrt(2500)) (x/lambda = 1500, 5000)
        let t = weighted_chisq_sf(&[2.0, 0.0, -1.0], 3000.0);
        assert!(rel(t.ln_p, -753.883_067_105_382_4) < 1e-14, "{t:?}");
        assert_eq!(t.p, 0.0); // 3.9e-328 is below the smallest subnormal
        let t = weighted_chisq_sf(&[1.0], 5000.0);
        assert!(rel(t.ln_p, -2_504.484_587_848_451_4) < 1e-14, "{t:?}");
        assert_eq!(t.p, 0.0);
        // continuity where the series hands over to the continued fraction
        let below = chisq1_sf(2.0 * (1.0 - 1e-15)).p;
        let above = chisq1_sf(2.0).p;
        assert!(rel(below, above) < 1e-14, "{below} {above}");
    }

    /// ln P(chi2_m > y) from the finite sums of the Poisson/erfc identities for integer m:
    /// even m: exp(-y/2) sum_{j<m/2} (y/2)^j / j!; odd m: erfc(sqrt(y/2)) + exp(-y/2)
    /// sum_{j<(m-1)/2} (y/2)^(j+1/2) / Gamma(j + 3/2). Computed in log space.
    fn ln_chi2_sf(m: usize, y: f64) -> f64 {
        let h = 0.5 * y;
        let mut terms = Vec::new();
        if m % 2 == 0 {
            let mut ln_term = 0.0;
            for j in 0..m / 2 {
                if j > 0 {
                    ln_term += h.ln() - (j as f64).ln();
                }
                terms.push(ln_term - h);
            }
        } else {
            terms.push(chisq1_sf(y).ln_p);
            // (y/2)^(1/2) / Gamma(3/2) = sqrt(h) * 2 / sqrt(pi)
            let mut ln_term = 0.5 * h.ln() + (2.0 / PI.sqrt()).ln();
            for j in 0..(m - 1) / 2 {
                if j > 0 {
                    ln_term += h.ln() - (j as f64 + 0.5).ln();
                }
                terms.push(ln_term - h);
            }
        }
        let top = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        top + terms.iter().map(|t| (t - top).exp()).sum::<f64>().ln()
    }

    #[test]
    fn equal_lambdas_are_a_scaled_chi2() {
        for m in [2usize, 3, 5, 10, 50, 200] {
            let lambda = 0.7;
            let lam = vec![lambda; m];
            let dist = ChiSquared::new(m as f64).unwrap();
            let mf = m as f64;
            for z in [-2.0, -1.0, -0.3, 0.0, 0.2, 1.0, 3.0] {
                let y = mf + z * (2.0 * mf).sqrt();
                if y <= 0.0 {
                    continue;
                }
                let t = weighted_chisq_sf(&lam, y * lambda);
                let want = dist.sf(y);
                // statrs' incomplete gamma is itself accurate to ~1e-11 only
                assert!((t.p - want).abs() < 1e-10, "m={m} y={y}: {} vs {want}", t.p);
                assert!(rel(t.ln_p, ln_chi2_sf(m, y)) < 1e-10, "m={m} y={y}");
            }
            for y in [10.0 * mf, 100.0 * mf, 2000.0, 1e5] {
                let t = weighted_chisq_sf(&lam, y * lambda);
                let want = ln_chi2_sf(m, y);
                assert!(rel(t.ln_p, want) < 1e-11, "m={m} y={y}: {} vs {want}", t.ln_p);
            }
        }
    }

    #[test]
    fn two_lambdas_match_the_closed_form_for_equal_pairs() {
        // 2 equal lambdas: exp(-x / (2 lambda)) exactly, in every region.
        for x in [1e-300, 1e-141, 1e-139, 1e-100, 1e-6, 0.01, 0.5, 2.0, 10.0, 300.0, 5e4] {
            let t = weighted_chisq_sf(&[1.5, 1.5], x);
            let want = -x / 3.0;
            assert!(rel(t.ln_p, want) < 1e-10, "{x}: {} vs {want}", t.ln_p);
        }
        // small-ball path for more lambdas: P(2 chi2_4 <= x) = (x/4)^2 / 2 (1 + O(x))
        let t = weighted_chisq_sf(&[2.0; 4], 1e-145);
        assert!(rel(t.ln_p, -(0.25e-145f64 * 0.25e-145 / 2.0)) < 1e-13, "{t:?}");
        // and continuity of the general path with it for an unequal spectrum
        let lam = [1.0, 0.3, 0.7];
        let below = weighted_chisq_sf(&lam, 0.999_999_999 * SMALL_X).ln_p;
        let above = weighted_chisq_sf(&lam, SMALL_X).ln_p;
        assert!(rel(below, above) < 1e-8, "{below} {above}");
    }

    #[test]
    fn probabilities_are_in_range_and_monotone() {
        let spectra: Vec<Vec<f64>> = vec![
            vec![3.0, 1.0, 0.5, 0.3, 0.2],
            vec![100.0, 1.0, 1.0, 1.0, 1.0],
            std::iter::once(1.0).chain(std::iter::repeat_n(1e-6, 500)).collect(),
            (1..=60).map(|k| 20.0 / (k as f64).powi(2)).collect(),
            vec![1.0, 0.999_999, 1.000_001, 1.0],
        ];
        for lam in &spectra {
            let mu: f64 = lam.iter().sum();
            let mut previous = Tail { p: 1.0, ln_p: 0.0 };
            for i in 1..400 {
                let x = mu * 1e-3 * 1.04f64.powi(i);
                let t = weighted_chisq_sf(lam, x);
                assert!((0.0..=1.0).contains(&t.p) && t.ln_p <= 0.0 && t.ln_p.is_finite(), "{x}: {t:?}");
                assert!(t.ln_p <= previous.ln_p * (1.0 - 1e-12) + 1e-300, "{x}: {t:?} after {previous:?}");
                assert!(t.p <= previous.p * (1.0 + 1e-12), "{x}: {t:?} after {previous:?}");
                previous = t;
            }
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(weighted_chisq_sf(&[1.0, 2.0], 0.0), Tail { p: 1.0, ln_p: 0.0 });
        assert_eq!(weighted_chisq_sf(&[1.0, 2.0], -3.0), Tail { p: 1.0, ln_p: 0.0 });
        assert_eq!(weighted_chisq_sf(&[1.0, 2.0], f64::INFINITY).p, 0.0);
        assert!(weighted_chisq_sf(&[1.0, 2.0], f64::NAN).p.is_nan());
        assert_eq!(weighted_chisq_sf(&[], 1.0).p, 0.0);
        assert_eq!(weighted_chisq_sf(&[0.0, -1.0, f64::NAN], -1.0).p, 1.0);
        // non-positive and non-finite lambdas are ignored
        let a = weighted_chisq_sf(&[3.0, 0.0, 1.0, -2.0, f64::NAN, 0.5], 7.0);
        let b = weighted_chisq_sf(&[3.0, 1.0, 0.5], 7.0);
        assert_eq!(a, b);
        // exactly at the mean
        let t = weighted_chisq_sf(&[3.0, 1.0, 0.5, 0.3, 0.2], 5.0);
        assert!(rel(t.p, 0.355_918_904_979_55) < 1e-12, "{t:?}");
    }

    #[test]
    #[ignore = "timing; run with --release -- --ignored --nocapture"]
    fn timing() {
        use std::time::Instant;
        let mut state = 12345u64;
        let mut uniform = move || (crate::testing::xorshift(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
        for k in [10usize, 50, 200, 500, 1000] {
            // LD-like spectra (a few dominant eigenvalues and a long tail), and all equal (the
            // narrowest peak, hence the finest step).
            let mut spectra: Vec<Vec<f64>> = (0..20)
                .map(|_| {
                    let mut lam: Vec<f64> =
                        (0..k).map(|i| (-(i as f64) / (0.05 * k as f64 + 1.0)).exp() + 0.01 * uniform()).collect();
                    let total: f64 = lam.iter().sum();
                    lam.iter_mut().for_each(|l| *l *= k as f64 / total);
                    lam
                })
                .collect();
            spectra.push(vec![1.0; k]);
            let mut xs = Vec::new();
            for lam in &spectra {
                let mu: f64 = lam.iter().sum();
                let sd = (2.0 * lam.iter().map(|l| l * l).sum::<f64>()).sqrt();
                for z in [-1.0, 0.0, 0.5, 1.0, 2.0, 5.0, 20.0, 200.0] {
                    xs.push((lam, (mu + z * sd).max(0.1 * mu)));
                }
            }
            let start = Instant::now();
            let mut acc = 0.0;
            let reps = 20;
            for _ in 0..reps {
                for (lam, x) in &xs {
                    acc += weighted_chisq_sf(lam, *x).ln_p;
                }
            }
            let per_call = start.elapsed().as_secs_f64() / (reps * xs.len()) as f64;
            let mut slowest = 0.0f64;
            for (lam, x) in &xs {
                let start = Instant::now();
                for _ in 0..reps {
                    acc += weighted_chisq_sf(lam, *x).ln_p;
                }
                slowest = slowest.max(start.elapsed().as_secs_f64() / reps as f64);
            }
            println!(
                "K = {k:5}: {:8.2} us per call on average, {:8.2} us at most ({acc:.3e})",
                per_call * 1e6,
                slowest * 1e6
            );
        }
    }
}
