"""P(sum_k lambda_k chi2_1 > x), the null of MAGMA's SNP-wise mean gene test (docs/methods.md
§2.3-§2.4).

`ldenrich._native.weighted_chisq_sf` (saddlepoint hyperbolic contour, trapezoidal rule, double
precision) is checked against references written here independently with mpmath:

* Imhof's formula `1/2 + 1/pi Int sin(theta(u)) / (u rho(u)) du` (the integral MAGMA evaluates),
  with enough digits to resolve the cancellation against 1/2 (bulk and moderate tails);
* Laplace inversion along a *parabola* through the saddlepoint, `s = c + beta y^2 + i y`, with
  adaptive tanh-sinh quadrature and principal complex logarithms (any tail, far below 1e-300);
* the density convolution for two lambdas, the regularised incomplete gamma function for equal
  lambdas and erfc for one lambda (exact in every tail);
* third-party PyPI implementations where they install (`chi2comb`: Davies' method;
  `momentchi2`: moment-matching approximations, only roughly).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from scipy import stats

from ldenrich import _native

mp = pytest.importorskip("mpmath")

DPS = 20


def sf(lam, x: float) -> tuple[float, float]:
    return _native.weighted_chisq_sf(np.asarray(lam, dtype=np.float64), float(x))


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


# --------------------------------------------------------------------------------------------
# mpmath references. A spectrum is given as ((value, multiplicity), ...) so that K = 500 with
# two distinct eigenvalues costs the reference two logarithms per node.


def _spectrum(lam) -> tuple[tuple[float, int], ...]:
    values, counts = np.unique(np.asarray(lam, dtype=np.float64), return_counts=True)
    return tuple((float(v), int(c)) for v, c in zip(values, counts, strict=True))


def _kprime(spec, s):
    return mp.fsum(m * v / (1 - 2 * v * s) for v, m in spec)


def _cgf(spec, s):
    return -mp.fsum(m * mp.log(1 - 2 * v * s) for v, m in spec) / 2


def _saddle(spec, x):
    """Root of K'(s) = x by bisection on (-n / (2x) - 1, 1 / (2 lambda_max))."""
    n = sum(m for _, m in spec)
    lo, hi = -mp.mpf(n) / (2 * x) - 1, 1 / (2 * max(v for v, _ in spec))
    for _ in range(4 * mp.mp.prec):
        mid = (lo + hi) / 2
        if _kprime(spec, mid) > x:
            hi = mid
        else:
            lo = mid
        if hi - lo <= mp.mp.eps * max(abs(mid), 1) * 16:
            break
    return (lo + hi) / 2


@cache
def contour_ref(spec, x: float) -> tuple[float, float]:
    """(p, ln p) by Laplace inversion on the parabola s(y) = c + beta y^2 + i y through the
    saddlepoint c (beta <= 1 / (2 (s1 - c))):

        P(Q > x) = [c < 0] + 1/pi Int_0^inf Im[exp(K(s) - s x) / s * s'(y)] dy,

    with exp(K(c) - c x) factored out; for c < 0 the integral is -P(Q <= x), so lower tails keep
    their relative accuracy. Within 3 standard deviations of the pole at 0 the crossing is moved
    to 3 standard deviations from it.
    """
    with mp.workdps(DPS):
        spec = tuple((mp.mpf(v), m) for v, m in spec)
        x = mp.mpf(x)
        s1 = 1 / (2 * max(v for v, _ in spec))

        def k2(s):
            return mp.fsum(m * 2 * v * v / (1 - 2 * v * s) ** 2 for v, m in spec)

        c = _saddle(spec, x)
        if abs(c) * mp.sqrt(k2(c)) < 3:
            c = 3 / mp.sqrt(k2(c)) if c >= 0 else -3 / mp.sqrt(k2(c))
            if c > s1 / 2:
                c = -3 / mp.sqrt(k2(c))
        w0 = s1 - c
        beta = 1 / (2 * w0)
        # A flatter parabola passes close to the other branch points s_k = 1 / (2 lambda_k), where
        # |1 - 2 lambda_k s|^(-m_k / 2) can outgrow exp(-(s - c) x); keep it at least s_k - c away
        # (beta <= 1 / (s_k - c)) wherever that could matter.
        for v, m in sorted(spec, key=lambda vm: -vm[0])[1:]:
            gap = 1 / (2 * v) - c
            if m / 4 * mp.log(beta * gap) - gap * x > -70:
                beta = min(beta, 1 / gap)
        k_c = _cgf(spec, c)

        def integrand(y):
            s = c + beta * y * y + 1j * y
            return mp.im(mp.exp(_cgf(spec, s) - k_c - (s - c) * x) / s * (2 * beta * y + 1j))

        points = [k / mp.sqrt(k2(c)) for k in (0.5, 1, 2, 4, 8)]
        points += [w0 * k for k in (0.5, 1, 2, 4, 8, 16)] + [abs(c) * k for k in (0.5, 1, 2)]
        if c < 0:
            points += [mp.sqrt(-c / beta) * k for k in (0.5, 0.9, 1, 1.1, 2)]
        integral = mp.quad(integrand, [0, *sorted(set(points)), mp.inf]) / mp.pi
        ln_scale = k_c - c * x
        if c > 0:
            return float(mp.exp(ln_scale) * integral), float(ln_scale + mp.log(integral))
        lower = -mp.exp(ln_scale) * integral
        return float(1 - lower), float(mp.log1p(-lower))


@cache
def imhof_ref(lam: tuple[float, ...], x: float, dps: int = 20) -> float:
    """Imhof (1961): 1/2 + 1/pi Int_0^inf sin(theta(u)) / (u rho(u)) du."""
    with mp.workdps(dps):
        lam_mp = [mp.mpf(v) for v in lam]
        x_mp = mp.mpf(x)

        def integrand(u):
            if u == 0:
                return (mp.fsum(lam_mp) - x_mp) / 2
            theta = (mp.fsum(mp.atan(v * u) for v in lam_mp) - x_mp * u) / 2
            rho = mp.fprod((1 + (v * u) ** 2) ** mp.mpf(0.25) for v in lam_mp)
            return mp.sin(theta) / (u * rho)

        integral = mp.quadosc(integrand, [0, mp.inf], omega=x_mp / 2)
        return float(mp.mpf(0.5) + integral / mp.pi)


@cache
def convolution_ref(a: float, m1: int, b: float, m2: int, x: float) -> tuple[float, float]:
    """(p, ln p) for a chi2_m1 + b chi2_m2, exact for two distinct eigenvalues with
    multiplicities. With t the share of b chi2_m2 and f_m1 the chi2 density,

        P(Q > x)  = P(chi2_m1 > x / a) + Int_0^x f_m1((x - t) / a) / a P(chi2_m2 > t / b) dt,
        P(Q <= x) = Int_0^x f_m1((x - t) / a) / a P(chi2_m2 <= t / b) dt

    (the latter below the mean, for relative accuracy in the lower tail). In the far upper tail
    the integrand lives on t = O(b), away from the density's singularity at t = x.
    """
    with mp.workdps(DPS):
        lower = x < a * m1 + b * m2
        a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
        h1, h2 = mp.mpf(m1) / 2, mp.mpf(m2) / 2
        ln_norm = -h1 * mp.log(2) - mp.loggamma(h1)

        def integrand(t):
            u = (x - t) / a
            if u <= 0:
                return mp.mpf(0)
            density = mp.exp(ln_norm + (h1 - 1) * mp.log(u) - u / 2) / a
            if lower:
                return density * mp.gammainc(h2, 0, t / (2 * b), regularized=True)
            return density * mp.gammainc(h2, t / (2 * b), mp.inf, regularized=True)

        points = {mp.mpf(0), x}
        for d in (0.01, 0.1, 0.3, 1, 3, 10, 30, 100, 1e3, 1e4, 1e5, 1e6):
            points |= {t for t in (b * d, x - a * d) if 0 < t < x}
        sd = math.sqrt(2 * m2)
        points |= {t for k in (-4, -2, -1, 0, 1, 2, 4, 8) if 0 < (t := b * (m2 + k * sd)) < x}
        integral = mp.quad(integrand, sorted(points))
        if lower:
            return float(1 - integral), float(mp.log1p(-integral))
        p = mp.gammainc(h1, x / (2 * a), mp.inf, regularized=True) + integral
        return float(p), float(mp.log(p))


def gamma_ln_sf(m: int, y: float) -> float:
    """ln P(chi2_m > y), exact (regularised upper incomplete gamma)."""
    with mp.workdps(DPS):
        return float(mp.log(mp.gammainc(mp.mpf(m) / 2, mp.mpf(y) / 2, mp.inf, regularized=True)))


def check(lam, x: float, p_ref: float, ln_ref: float, tol: float = 1e-9) -> None:
    """Relative error of ln p (the requirement is 1e-6), of p where it is a normal double, and
    absolute error in the bulk."""
    p, ln_p = sf(lam, x)
    assert 0.0 <= p <= 1.0 and ln_p <= 0.0
    if ln_ref != 0.0:
        assert rel(ln_p, ln_ref) < tol, (x, ln_p, ln_ref)
    if p_ref > 1e-300:
        assert rel(p, p_ref) < tol, (x, p, p_ref)
    if p_ref > 0.01:
        assert abs(p - p_ref) < 1e-12, (x, p, p_ref)


def quantiles(lam) -> list[float]:
    """x from the far lower tail through the bulk to p << 1e-300 (x = 1e5 lambda_max)."""
    lam = np.asarray(lam, dtype=np.float64)
    mean, sd, top = lam.sum(), math.sqrt(2 * (lam**2).sum()), lam.max()
    xs = [0.02 * mean, 0.3 * mean, mean - sd, mean, mean + 2 * sd, mean + 6 * sd]
    xs += [1500 * top + mean, 1e5 * top]
    return [x for x in xs if x > 0]


# --------------------------------------------------------------------------------------------


def test_methods_test_vector() -> None:
    lam = (3.0, 1.0, 0.5, 0.3, 0.2)
    p, ln_p = sf(lam, 20.0)
    assert abs(p - 0.01532623) < 1e-8  # docs/methods.md §2.4
    reference = imhof_ref(lam, 20.0)
    assert rel(p, reference) < 1e-12 and rel(ln_p, math.log(reference)) < 1e-12


@pytest.mark.parametrize(
    ("lam", "x"),
    [
        ((3.0, 1.0, 0.5, 0.3, 0.2), 5.0),  # the mean
        ((1.0, 0.01), 3.0),
        ((2.0, 1.5, 0.1), 40.0),
    ],
)
def test_bulk_against_imhof(lam, x) -> None:
    reference = imhof_ref(lam, x)
    p, ln_p = sf(lam, x)
    assert abs(p - reference) < 1e-13
    assert rel(ln_p, math.log(reference)) < 1e-11
    # the two mpmath references agree with each other
    p_contour, _ = contour_ref(_spectrum(lam), x)
    assert abs(p_contour - reference) < 1e-15


def test_moderate_tail_against_imhof() -> None:
    # p ~ 1e-12: Imhof needs ~30 digits to resolve 1/2 - 0.4999...
    lam = (3.0, 1.0, 0.5, 0.3, 0.2)
    reference = imhof_ref(lam, 150.0, 28)
    assert 1e-13 < reference < 1e-11
    p, ln_p = sf(lam, 150.0)
    assert rel(p, reference) < 1e-10 and rel(ln_p, math.log(reference)) < 1e-11


def test_references_agree() -> None:
    """The parabola reference against the exact ones, from the lower tail to far below 1e-300."""
    for x in [0.01, 3000.0]:
        want = convolution_ref(1.0, 1, 0.01, 1, x)[1]
        assert rel(contour_ref(((0.01, 1), (1.0, 1)), x)[1], want) < 1e-12
    for y in [1.0, 3000.0]:
        assert rel(contour_ref(((1.0, 10),), y)[1], gamma_ln_sf(10, y)) < 1e-12
    spec = ((0.9, 495), (12.0, 5))
    for x in [505.5, 985.5]:
        want = convolution_ref(12.0, 5, 0.9, 495, x)[1]
        assert rel(contour_ref(spec, x)[1], want) < 1e-11


def _random_spectra():
    rng = np.random.default_rng(20261121)
    spectra = []
    lam = np.sort(rng.exponential(size=8))[::-1]
    spectra.append(lam * 8 / lam.sum())
    lam = np.exp(rng.normal(0.0, 2.0, size=6))  # spread over orders of magnitude
    spectra.append(lam * 6 / lam.sum())
    return spectra


@pytest.mark.parametrize("lam", _random_spectra(), ids=lambda lam: f"K={len(lam)}")
def test_random_spectra_all_tails(lam) -> None:
    for x in quantiles(lam):
        p_ref, ln_ref = contour_ref(_spectrum(lam), x)
        check(lam, x, p_ref, ln_ref)


def test_one_lambda_is_exact() -> None:
    for lam, x in [(1.0, 0.3), (2.0, 3.0), (0.5, 30.0), (1.0, 1500.0), (3.0, 15000.0)]:
        p, ln_p = sf([lam], x)
        with mp.workdps(DPS):
            exact = mp.erfc(mp.sqrt(mp.mpf(x) / (2 * lam)))
            assert rel(ln_p, float(mp.log(exact))) < 1e-14
            if exact > 1e-300:
                assert rel(p, float(exact)) < 1e-13
    assert sf([1.0], 5000.0)[0] == 0.0
    assert rel(sf([1.0], 5000.0)[1], -2504.484587848451) < 1e-14
    assert rel(sf([2.0], 7.0)[0], stats.chi2.sf(3.5, 1)) < 1e-13


@pytest.mark.parametrize(("l1", "l2"), [(1.0, 0.01), (1.0, 0.5), (1.0, 1.0)])
def test_two_lambdas_against_the_convolution(l1: float, l2: float) -> None:
    for x in [0.01, 0.5, 3.0, 30.0, 300.0, 3000.0, 1e5]:
        if l1 == l2:
            ln_ref = gamma_ln_sf(2, x / l1)
            check((l1, l2), x, math.exp(ln_ref), ln_ref)
        else:
            check((l1, l2), x, *convolution_ref(l1, 1, l2, 1, x))


@pytest.mark.parametrize("m", [2, 10, 100, 500, 1000])
def test_equal_lambdas_are_a_scaled_chi2(m: int) -> None:
    lam = np.full(m, 0.8)
    sd = math.sqrt(2 * m)
    for y in [0.05 * m, m - 2 * sd, m - 0.5 * sd, m, m + sd, m + 5 * sd, 20.0 * m, 2e5]:
        if y <= 0:
            continue
        p, ln_p = sf(lam, 0.8 * y)
        ln_ref = gamma_ln_sf(m, y)
        if ln_ref < -1e-300:
            assert rel(ln_p, ln_ref) < 1e-9, (m, y)
        if ln_ref > -690:
            assert abs(p - stats.chi2.sf(y, m)) < 1e-12 + 1e-9 * p, (m, y)


def test_dominant_eigenvalue_with_many_tiny_ones() -> None:
    lam = [1.0] + [1e-6] * 500
    for x in [0.01, 1.0, 1500.0, 1e5]:
        check(lam, x, *convolution_ref(1.0, 1, 1e-6, 500, x))


def test_one_eigenvalue_a_hundred_times_the_rest() -> None:
    lam = [100.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    for x in quantiles(lam):
        check(lam, x, *convolution_ref(100.0, 1, 1.0, 5, x))
    for x in [3e4, 1e7]:
        check([100.0, 1.0], x, *convolution_ref(100.0, 1, 1.0, 1, x))


def test_large_k_two_levels() -> None:
    # K = 500: five large and 495 small eigenvalues
    lam = [12.0] * 5 + [0.9] * 495  # mean 505.5, sd 47.3
    for x in [10.11, 151.65]:  # the convolution integral is unreliable in the deep lower tail
        check(lam, x, *contour_ref(_spectrum(lam), x))
    for x in [458.15, 505.5, 600.2, 985.5, 18505.5, 1.2e6]:
        check(lam, x, *convolution_ref(12.0, 5, 0.9, 495, x))


def test_near_degenerate() -> None:
    lam = [1.0 + 1e-9 * k for k in range(6)]
    for x in [0.3, 6.0, 25.0, 2000.0]:
        check(lam, x, *contour_ref(_spectrum(lam), x))
        # and indistinguishable from the degenerate chi2_6
        assert rel(sf(lam, x)[1], sf([1.0] * 6, x)[1]) < 1e-7


def test_edge_cases_and_monotonicity() -> None:
    assert sf([1.0, 2.0], 0.0) == (1.0, 0.0)
    assert sf([1.0, 2.0], -1.0) == (1.0, 0.0)
    assert sf([1.0, 2.0], math.inf)[0] == 0.0
    assert all(math.isnan(v) for v in sf([1.0, 2.0], math.nan))
    assert sf([], 1.0)[0] == 0.0
    assert sf([0.0, -1.0, 3.0, 1.0], 7.0) == sf([3.0, 1.0], 7.0)
    rng = np.random.default_rng(7)
    lam = rng.exponential(size=40)
    xs = np.geomspace(1e-3, 1e5, 600) * lam.sum()
    out = np.array([sf(lam, x) for x in xs])
    assert np.all((out[:, 0] >= 0) & (out[:, 0] <= 1)) and np.all(np.isfinite(out[:, 1]))
    assert np.all(np.diff(out[:, 1]) <= 1e-13 * np.abs(out[1:, 1]))
    with pytest.raises(Exception, match="contiguous"):
        _native.weighted_chisq_sf(np.arange(10.0)[::2], 1.0)


def test_against_chi2comb() -> None:
    chi2comb = pytest.importorskip("chi2comb")
    lam = [3.0, 1.0, 0.5, 0.3, 0.2]
    for x in [1.0, 5.0, 20.0]:
        terms = [chi2comb.ChiSquared(coef=v, ncent=0.0, dof=1) for v in lam]
        cdf, _, _ = chi2comb.chi2comb_cdf(x, terms, 0.0)
        assert abs(sf(lam, x)[0] - (1 - cdf)) < 1e-6


def test_moment_approximations_are_close() -> None:
    momentchi2 = pytest.importorskip("momentchi2")
    lam = [3.0, 1.0, 0.5, 0.3, 0.2]
    methods = [momentchi2.hbe, momentchi2.wf, momentchi2.sw]
    if hasattr(np, "math"):  # lpb4 calls np.math.factorial, gone in NumPy 2
        methods.append(momentchi2.lpb4)
    for x in [2.0, 5.0, 10.0, 20.0]:
        p = sf(lam, x)[0]
        for method in methods:
            approx = 1 - method(coeff=lam, x=x)
            assert rel(approx, p) < 0.2, (method.__name__, x, approx, p)
