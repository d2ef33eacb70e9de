"""Tests for ``ldenrich._pvalues`` against SciPy, statsmodels and 50-digit mpmath references."""

from __future__ import annotations

import doctest
import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special, stats
from statsmodels.stats.multitest import multipletests

import ldenrich
import ldenrich._pvalues as pvalues_module
from ldenrich._pvalues import (
    benjamini_hochberg,
    bonferroni,
    normal_two_sided,
    normal_upper_doubled,
    t_two_sided,
)

RTOL = 1e-9
MP_DPS = 50


# --------------------------------------------------------------------------------------
# mpmath references (50 significant digits)
# --------------------------------------------------------------------------------------


def _mp_ln_normal_two_sided(z: float) -> mp.mpf:
    """ln(2 * Phi(-|z|)) = ln erfc(|z| / sqrt(2))."""
    with mp.workdps(MP_DPS):
        return mp.log(mp.erfc(abs(mp.mpf(z)) / mp.sqrt(2)))


def _mp_ln_t_two_sided_beta(t: float, df: float) -> mp.mpf:
    """ln(2 * T_df.sf(|t|)) = ln I_x(df/2, 1/2), x = df / (df + t^2), via mpmath.betainc."""
    with mp.workdps(MP_DPS):
        nu = mp.mpf(df)
        x = nu / (nu + mp.mpf(t) ** 2)
        return mp.log(mp.betainc(nu / 2, mp.mpf(1) / 2, 0, x, regularized=True))


def _mp_ln_t_two_sided_quad(t: float, df: float) -> mp.mpf:
    """ln(2 * T_df.sf(|t|)) by direct numerical integration of the t density tail."""
    with mp.workdps(MP_DPS):
        nu = mp.mpf(df)
        t_mp = abs(mp.mpf(t))
        log_norm = mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(nu * mp.pi) / 2

        def log_kernel(s: mp.mpf) -> mp.mpf:
            return -(nu + 1) / 2 * mp.log1p(s * s / nu)

        at_t = log_kernel(t_mp)
        scale = (nu + t_mp * t_mp) / ((nu + 1) * t_mp)  # 1 / (decay rate of the tail at t)
        tail = mp.quad(
            lambda v: mp.exp(log_kernel(t_mp + v) - at_t),
            [0, scale, 5 * scale, 20 * scale, 100 * scale, mp.inf],
        )
        return mp.log(2) + log_norm + at_t + mp.log(tail)


def _mp_ln_t_two_sided(t: float, df: float) -> mp.mpf:
    # mpmath's betainc is slow / fails to converge for huge df with large t; integrate there.
    if df > 1e3 and abs(t) > 10.0:
        return _mp_ln_t_two_sided_quad(t, df)
    return _mp_ln_t_two_sided_beta(t, df)


def _assert_against_ln_reference(
    p: np.ndarray, mlog10p: np.ndarray, ln_ref: list[mp.mpf], rtol: float = RTOL
) -> None:
    """Check p (where representable) and mlog10p against ln-p references."""
    with mp.workdps(MP_DPS):
        for i, ln_p in enumerate(ln_ref):
            ref_p = mp.exp(ln_p)
            ref_m = -ln_p / mp.log(10)
            if ref_p > mp.mpf("1e-300"):  # p is a normal double: compare it too
                assert abs(mp.mpf(float(p[i])) / ref_p - 1) <= rtol, (i, p[i], ref_p)
            else:
                assert 0.0 <= p[i] < 1e-290
            if ref_m == 0:
                assert mlog10p[i] == 0.0
            else:
                assert abs(mp.mpf(float(mlog10p[i])) / ref_m - 1) <= rtol, (
                    i,
                    mlog10p[i],
                    ref_m,
                )


def test_scalar_inputs_give_zero_dim_float64_arrays() -> None:
    outputs = [
        *normal_two_sided(1.0),
        *normal_upper_doubled(1.0),
        *t_two_sided(1.0, 3.0),
        bonferroni(0.2),
        benjamini_hochberg(0.2),
    ]
    for out in outputs:
        assert isinstance(out, np.ndarray)
        assert out.dtype == np.float64
        assert out.shape == ()


def test_doctests() -> None:
    result = doctest.testmod(pvalues_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------------------
# normal_two_sided
# --------------------------------------------------------------------------------------


def _random_z(rng: np.random.Generator, n: int) -> np.ndarray:
    mags = 10.0 ** rng.uniform(-8.0, 3.0, n)
    return mags * rng.choice([-1.0, 1.0], n)


def test_normal_two_sided_matches_scipy_exactly() -> None:
    rng = np.random.default_rng(1)
    z = np.concatenate([_random_z(rng, 2000), rng.normal(size=2000), [0.0, -0.0, 37.5, 38.5]])
    p, mlog10p = normal_two_sided(z)
    assert p.dtype == np.float64
    assert mlog10p.dtype == np.float64
    assert_array_equal(p, 2.0 * stats.norm.sf(np.abs(z)))
    assert np.all(mlog10p >= 0.0)
    finite_p = p > 1e-300
    assert_allclose(mlog10p[finite_p], -np.log10(p[finite_p]), rtol=1e-12, atol=1e-15)


def test_normal_two_sided_against_mpmath() -> None:
    rng = np.random.default_rng(2)
    z = np.concatenate(
        [
            _random_z(rng, 40),
            [0.0, 1e-12, -1e-5, 0.3, 1.959963984540054, 8.0, -37.0, 38.6, 40.0, -1e3, 1e3],
        ]
    )
    p, mlog10p = normal_two_sided(z)
    _assert_against_ln_reference(p, mlog10p, [_mp_ln_normal_two_sided(v) for v in z])


def test_normal_two_sided_known_values() -> None:
    p, mlog10p = normal_two_sided([40.0, -40.0])
    assert_array_equal(p, [0.0, 0.0])
    assert_allclose(mlog10p, 349.13597646368186, rtol=1e-12)
    p, mlog10p = normal_two_sided(1e3)
    assert p == 0.0
    assert_allclose(mlog10p, 217150.33901199872, rtol=1e-12)


def test_normal_two_sided_special_values_and_shape() -> None:
    p, mlog10p = normal_two_sided([np.inf, -np.inf, np.nan, 0.0])
    assert_array_equal(p, [0.0, 0.0, np.nan, 1.0])
    assert_array_equal(mlog10p, [np.inf, np.inf, np.nan, 0.0])

    z = np.arange(-6.0, 6.0).reshape(3, 4)
    p, mlog10p = normal_two_sided(z)
    assert p.shape == (3, 4)
    assert mlog10p.shape == (3, 4)

    p0, m0 = normal_two_sided(2.5)
    assert p0.shape == ()
    assert m0.shape == ()
    assert_allclose(p0, 2.0 * stats.norm.sf(2.5), rtol=0)


# --------------------------------------------------------------------------------------
# normal_upper_doubled
# --------------------------------------------------------------------------------------


def test_normal_upper_doubled_matches_scipy_formula() -> None:
    rng = np.random.default_rng(3)
    z = np.concatenate([_random_z(rng, 2000), rng.normal(size=2000), [-np.inf, np.inf]])
    p, mlog10p = normal_upper_doubled(z)
    assert_array_equal(p, np.clip(2.0 * stats.norm.sf(z), 0.0, 1.0))
    assert np.all(mlog10p[z <= 0] == 0.0)
    assert_array_equal(mlog10p[z > 0], normal_two_sided(z[z > 0])[1])


def test_normal_upper_doubled_against_mpmath() -> None:
    rng = np.random.default_rng(4)
    z = np.concatenate([_random_z(rng, 40), [-0.01, -1e-9, 0.0, 1e-9, 0.7, 40.0, 1e3]])
    p, mlog10p = normal_upper_doubled(z)
    with mp.workdps(MP_DPS):
        ln_ref = [min(mp.mpf(0), mp.log(mp.erfc(mp.mpf(v) / mp.sqrt(2)))) for v in z]
    _assert_against_ln_reference(p, mlog10p, ln_ref)


def test_normal_upper_doubled_matches_mannwhitneyu() -> None:
    rng = np.random.default_rng(5)
    samples = [
        (rng.normal(size=n1), rng.normal(shift, size=n2))
        for n1, n2, shift in [
            (20, 25, 0.0),
            (30, 40, 0.5),
            (100, 80, 2.0),
            (200, 300, 5.0),
            (7, 9, -0.3),
        ]
    ]
    samples.append((np.array([1.0, 4.0]), np.array([2.0, 3.0])))  # U == mu, so z < 0
    for x, y in samples:
        n1, n2 = len(x), len(y)
        u1 = np.sum(x[:, None] > y[None, :])  # no ties in continuous samples
        u = max(u1, n1 * n2 - u1)
        mu = n1 * n2 / 2.0
        s = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12.0)
        z = (u - mu - 0.5) / s
        expected = stats.mannwhitneyu(x, y, method="asymptotic").pvalue
        p, mlog10p = normal_upper_doubled(z)
        assert_allclose(p, expected, rtol=1e-12)
        assert_allclose(mlog10p, -np.log10(expected), rtol=1e-12, atol=1e-15)


def test_normal_upper_doubled_special_values() -> None:
    p, mlog10p = normal_upper_doubled([np.nan, np.inf, -np.inf, -0.2, 40.0])
    assert_array_equal(p, [np.nan, 0.0, 1.0, 1.0, 0.0])
    assert_array_equal(mlog10p[:4], [np.nan, np.inf, 0.0, 0.0])
    assert_allclose(mlog10p[4], 349.13597646368186, rtol=1e-12)


# --------------------------------------------------------------------------------------
# t_two_sided
# --------------------------------------------------------------------------------------


def test_t_two_sided_matches_welch_ttest_exactly() -> None:
    rng = np.random.default_rng(6)
    for _ in range(200):
        n1, n2 = rng.integers(2, 60, size=2)
        x = rng.normal(0.0, rng.uniform(0.1, 5.0), n1)
        y = rng.normal(rng.uniform(-3.0, 3.0), rng.uniform(0.1, 5.0), n2)
        res = stats.ttest_ind(x, y, equal_var=False)
        p, mlog10p = t_two_sided(res.statistic, res.df)
        assert p == res.pvalue
        assert_allclose(mlog10p, -np.log10(res.pvalue), rtol=1e-12, atol=1e-15)

    # Vectorised along an axis, including a large-effect column.
    x = rng.normal(size=(30, 50))
    y = rng.normal(size=(40, 50)) + np.linspace(0.0, 8.0, 50)
    res = stats.ttest_ind(x, y, equal_var=False)
    p, _ = t_two_sided(res.statistic, res.df)
    assert_array_equal(p, res.pvalue)


def test_t_two_sided_matches_scipy_sf_where_representable() -> None:
    rng = np.random.default_rng(7)
    t = np.concatenate([10.0 ** rng.uniform(-4.0, 4.0, 5000), [0.0, -0.0]])
    t *= rng.choice([-1.0, 1.0], t.size)
    df = 10.0 ** rng.uniform(0.0, 7.0, t.size)
    p, mlog10p = t_two_sided(t, df)
    expected = 2.0 * stats.t.sf(np.abs(t), df)
    keep = expected >= 1e-290
    assert keep.sum() > 2000
    assert_array_equal(p[keep], expected[keep])
    # Below the threshold p comes from the log-space route and may be subnormal or 0.
    assert np.all(p[~keep] < 1e-290)
    assert np.all(np.isfinite(mlog10p))
    assert np.all(mlog10p[~keep] > 289.0)


def test_t_two_sided_against_mpmath_random_grid() -> None:
    rng = np.random.default_rng(8)
    n = 30
    # moderate statistics (p near 1 and the stdtr route) and extreme tails (log route)
    t = np.concatenate([10.0 ** rng.uniform(-4.0, 1.5, n), 10.0 ** rng.uniform(1.3, 4.0, n)])
    df = 10.0 ** rng.uniform(0.0, 7.0, 2 * n)
    t *= rng.choice([-1.0, 1.0], t.size)
    p, mlog10p = t_two_sided(t, df)
    ln_ref = [_mp_ln_t_two_sided(tv, dv) for tv, dv in zip(t, df, strict=True)]
    _assert_against_ln_reference(p, mlog10p, ln_ref)
    assert np.sum(p < 1e-290) >= 10  # the grid really exercises the log-space route


@pytest.mark.parametrize(
    ("t", "df"),
    [
        (40.0, 1e6),
        (60.0, 5e6),
        (1e3, 30.0),
        (40.0, 3.0),
        (1e4, 1.0),
        (1e4, 1e7),
        (40.0, 1e7),
        (40.0, 1e12),  # beyond the required df range: x = df/(df + t^2) extremely close to 1
        (40.0, 1e15),
        (38.0, 1e7),  # p subnormal
        (36.7, 1e7),  # just below the 1e-290 switch
        (36.5, 1e7),  # just above it
        (45.0, 2000.0),
        (3000.0, 1e7),
        (-200.0, 1e5),
        (1e4, 0.5),
        (1e150, 2.5),  # t**2 overflows
        (1e200, 1.0),  # scipy's stdtr returns 0 here (t**2 overflows); true p ~ 6.4e-201
        (1e300, 1.0),
        (1e300, 1e-3),  # tiny df: p ~ 0.5 although stdtr returns 0
        (1e-6, 1e7),  # p extremely close to 1
        (0.3, 1.0),
    ],
)
def test_t_two_sided_against_mpmath_extremes(t: float, df: float) -> None:
    p, mlog10p = t_two_sided(t, df)
    assert p.shape == ()
    _assert_against_ln_reference(
        np.atleast_1d(p), np.atleast_1d(mlog10p), [_mp_ln_t_two_sided(t, df)]
    )


def test_t_two_sided_mpmath_references_agree() -> None:
    # Sanity check of the test's own references: betainc vs direct tail integration.
    for t, df in [(40.0, 1e4), (60.0, 2e3), (5.0, 50.0)]:
        ln_beta = _mp_ln_t_two_sided_beta(t, df)
        ln_quad = _mp_ln_t_two_sided_quad(t, df)
        with mp.workdps(MP_DPS):
            assert abs(ln_beta / ln_quad - 1) < mp.mpf("1e-30")


def test_t_two_sided_continuous_across_log_route_switch() -> None:
    for df in [1.0, 3.0, 30.0, 1e3, 1e5, 1e7]:
        # Bracket the t where scipy's stdtr p drops below 1e-290 (for df = 1 that is where
        # t**2 overflows and stdtr returns 0), i.e. where the log-space route takes over, and
        # check that mlog10p is monotone and smooth across it.
        lo, hi = 1.0, 1e300
        for _ in range(200):
            mid = math.sqrt(lo) * math.sqrt(hi)
            lo, hi = (mid, hi) if 2.0 * special.stdtr(df, -mid) >= 1e-290 else (lo, mid)
        t = hi * (1.0 + np.linspace(-1e-6, 1e-6, 41))
        direct = 2.0 * special.stdtr(df, -t) >= 1e-290
        assert np.any(direct)
        assert not np.all(direct)
        _, mlog10p = t_two_sided(t, df)
        assert np.all(np.diff(mlog10p) > 0.0)
        assert_allclose(np.diff(mlog10p, 2), 0.0, atol=1e-9 * mlog10p[0])


def test_t_two_sided_special_values() -> None:
    t = [np.inf, -np.inf, np.nan, 1.0, 0.0, np.inf, 2.0, 2.0]
    df = [5.0, 1e7, 5.0, np.nan, 5.0, np.nan, 0.0, -1.0]
    p, mlog10p = t_two_sided(t, df)
    expected_p = 2.0 * special.stdtr(df, -np.abs(t))
    assert_array_equal(p, expected_p)
    assert_array_equal(p, [0.0, 0.0, np.nan, np.nan, 1.0, np.nan, np.nan, np.nan])
    assert_array_equal(mlog10p, [np.inf, np.inf, np.nan, np.nan, 0.0, np.nan, np.nan, np.nan])


def test_t_two_sided_infinite_df_is_normal() -> None:
    t = np.array([0.5, 3.0, 20.0, 40.0, 1e3])
    p, mlog10p = t_two_sided(t, np.inf)
    assert_array_equal(p[:3], 2.0 * special.stdtr(np.inf, -t[:3]))
    assert_allclose(mlog10p, normal_two_sided(t)[1], rtol=1e-12)


def test_t_two_sided_broadcasting() -> None:
    t = np.linspace(-50.0, 50.0, 12).reshape(3, 4)
    df = np.array([1.0, 10.0, 1e4, 1e7])
    p, mlog10p = t_two_sided(t, df)
    assert p.shape == (3, 4)
    assert mlog10p.shape == (3, 4)
    p_loop = np.array([[t_two_sided(t[i, j], df[j])[0] for j in range(4)] for i in range(3)])
    assert_array_equal(p, p_loop)


# --------------------------------------------------------------------------------------
# bonferroni
# --------------------------------------------------------------------------------------


def test_bonferroni_matches_statsmodels() -> None:
    rng = np.random.default_rng(9)
    p = rng.uniform(size=500) ** 4
    p[rng.choice(500, 50, replace=False)] = np.nan
    p[:3] = [0.0, 1.0, 1e-300]
    out = bonferroni(p)
    nan = np.isnan(p)
    assert_array_equal(np.isnan(out), nan)
    expected = multipletests(p[~nan], method="bonferroni")[1]
    assert_allclose(out[~nan], expected, rtol=1e-15)
    assert_array_equal(out[~nan], np.minimum(1.0, 450 * p[~nan]))


def test_bonferroni_edge_cases() -> None:
    assert_array_equal(bonferroni([0.3]), [0.3])
    assert_array_equal(bonferroni([0.0, 0.5]), [0.0, 1.0])
    assert_array_equal(bonferroni([np.nan, 0.2, np.nan]), [np.nan, 0.2, np.nan])
    assert_array_equal(bonferroni([np.nan, 0.2, 0.1]), [np.nan, 0.4, 0.2])
    assert_array_equal(bonferroni([np.nan, np.nan]), [np.nan, np.nan])
    assert bonferroni([]).shape == (0,)
    assert bonferroni(np.full((2, 3), 0.1)).shape == (2, 3)
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"\[0, 1\]"):
        bonferroni([0.1, 1.5])
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"\[0, 1\]"):
        bonferroni([-0.1])


# --------------------------------------------------------------------------------------
# benjamini_hochberg
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_benjamini_hochberg_matches_scipy_and_statsmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 400))
    p = rng.uniform(size=m) ** rng.uniform(0.5, 6.0)
    if seed % 2 == 0:
        p = np.round(p, 2)  # many ties
    p[rng.choice(m, m // 10, replace=False)] = np.nan
    p[rng.integers(m)] = 0.0
    out = benjamini_hochberg(p)
    nan = np.isnan(p)
    assert_array_equal(np.isnan(out), nan)
    assert_array_equal(out[~nan], stats.false_discovery_control(p[~nan], method="bh"))
    assert_allclose(out[~nan], multipletests(p[~nan], method="fdr_bh")[1], rtol=1e-14)
    # q-values are monotone in p, >= p, and <= 1
    order = np.argsort(p[~nan])
    assert np.all(np.diff(out[~nan][order]) >= 0.0)
    assert np.all(out[~nan] >= p[~nan])
    assert np.all(out[~nan] <= 1.0)


def test_benjamini_hochberg_ties_get_equal_q() -> None:
    p = np.array([0.04, 0.01, 0.04, 0.04, np.nan, 0.03, 0.5])
    out = benjamini_hochberg(p)
    assert out[0] == out[2] == out[3]
    assert_array_equal(out[~np.isnan(p)], stats.false_discovery_control(p[~np.isnan(p)]))


def test_benjamini_hochberg_edge_cases() -> None:
    assert_array_equal(benjamini_hochberg([0.3]), [0.3])
    assert_array_equal(benjamini_hochberg([np.nan, 0.3]), [np.nan, 0.3])
    assert_array_equal(benjamini_hochberg([0.0, 0.0]), [0.0, 0.0])
    assert_array_equal(benjamini_hochberg([1.0, 1.0, 1.0]), [1.0, 1.0, 1.0])
    assert_array_equal(benjamini_hochberg([np.nan, np.nan]), [np.nan, np.nan])
    empty = benjamini_hochberg([])
    assert empty.shape == (0,)
    assert empty.dtype == np.float64
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.2, 2.0])


def test_benjamini_hochberg_preserves_shape() -> None:
    rng = np.random.default_rng(10)
    p = rng.uniform(size=(4, 5))
    p[1, 2] = np.nan
    out = benjamini_hochberg(p)
    assert out.shape == (4, 5)
    flat = p.ravel()
    keep = ~np.isnan(flat)
    assert_array_equal(out.ravel()[keep], stats.false_discovery_control(flat[keep]))
    assert np.isnan(out[1, 2])


# --------------------------------------------------------------------------------------
# Chi-squares of the summary-statistic reader from -log10 p and ln p (log space throughout)
# --------------------------------------------------------------------------------------


def _mp_ln_erfc(y: mp.mpf) -> mp.mpf:
    """ln erfc(y); for y >= 1e4 (where mpmath's erfc needs too many digits) by the asymptotic
    series, whose first omitted term is below 1e-40 relative there."""
    if y < 10**4:
        return mp.log(mp.erfc(y))
    r = 1 / (2 * y * y)
    series = 1 - r + 3 * r**2 - 15 * r**3 + 105 * r**4 - 945 * r**5
    return -y * y - mp.log(y * mp.sqrt(mp.pi)) + mp.log(series)


def _mp_chisq_from_ln_p(ln_p: float) -> float:
    """The chi2_1 upper quantile of exp(ln_p) in 50 digits: 2 y^2 for the root y of
    ln erfc(y) = ln_p, by Newton's method in log space so that no p underflows."""
    with mp.workdps(MP_DPS):
        target = mp.mpf(ln_p)
        if target == 0:
            return 0.0
        if target < -1:
            y = mp.sqrt(-target)
            for _ in range(5):  # y^2 = -ln p - ln(y sqrt(pi)), the leading tail term
                y = mp.sqrt(-target - mp.log(y * mp.sqrt(mp.pi)))
        else:
            y = mp.sqrt(mp.pi) / 2 * -mp.expm1(target)
        for _ in range(200):
            g = _mp_ln_erfc(y)
            # d/dy ln erfc(y); for large y from the series, as y^2 + ln erfc(y) cancels.
            if y < 10**4:
                slope = -2 / mp.sqrt(mp.pi) * mp.exp(-y * y - g)
            else:
                slope = -2 * y - 1 / y + 1 / y**3
            step = (g - target) / slope
            y -= step
            if abs(step) <= abs(y) * mp.mpf(10) ** (-45):
                break
        return float(2 * y * y)


def test_chisq_from_minus_log10_p_and_ln_p_match_mpmath(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Random -log10 p over 1e-12 .. 1e300 (and ln p), through the file reader, against
    mpmath; also the scipy value where p itself is representable."""
    import ldenrich

    rng = np.random.default_rng(11)
    mlog10 = np.concatenate(
        [10.0 ** rng.uniform(-12, 300, size=150), [0.0, 1e-300, 0.30103, 300.0, 400.0, 5e4, 1e307]]
    )
    rows = "".join(
        f"rs{i + 1}\t{float(v)!r}\t{float(-v * math.log(10))!r}\n" for i, v in enumerate(mlog10)
    )
    path = tmp_path / "logp.tsv"
    path.write_text("SNP\tLOG10P\tLNP\n" + rows)
    by_log10 = ldenrich.read_sumstats(path)
    by_ln = ldenrich.read_sumstats(path, lnp_col="LNP")
    assert (by_log10.source, by_ln.source) == ("-log10 p", "ln p")
    for got, v in zip(by_log10.chisq, mlog10, strict=True):
        want = _mp_chisq_from_ln_p(-v * math.log(10)) if v > 0 else 0.0
        assert got == pytest.approx(want, rel=1e-12, abs=1e-300), v
        if 0 < v < 300:
            assert got == pytest.approx(stats.chi2.isf(10.0**-v, 1), rel=1e-9, abs=1e-300), v
    assert_allclose(by_ln.chisq, by_log10.chisq, rtol=1e-13, atol=0)


# --------------------------------------------------------------------------------------
# welch_t: the one Welch formula, shared by the screen and the gene-set step
# --------------------------------------------------------------------------------------


def test_native_welch_t_matches_scipy_on_raw_groups() -> None:
    from ldenrich import _native

    rng = np.random.default_rng(8)
    groups = []
    for i in range(300):
        n1, n2 = rng.integers(1, 40, size=2)
        x = rng.normal(0.0, rng.uniform(0.1, 5.0), n1)
        y = rng.normal(rng.uniform(-3.0, 3.0), rng.uniform(0.1, 5.0), n2)
        if i % 10 == 0:  # ties: a constant group, and both constant
            x = np.full(n1, 2.0)
        if i % 30 == 0:
            y = np.full(n2, 1.0)
        if i % 7 == 0:  # values on a coarse grid: many ties, extremes of scale
            x, y = np.round(x) * 1e150, np.round(y) * 1e150
        groups.append((x, y))
    summary = np.array(
        [
            [len(x), x.mean(), np.var(x, ddof=1) if len(x) > 1 else np.nan,
             len(y), y.mean(), np.var(y, ddof=1) if len(y) > 1 else np.nan]
            for x, y in groups
        ]
    )  # fmt: skip
    t, df = _native.welch_t(*(np.ascontiguousarray(c) for c in summary.T))
    for (x, y), ti, dfi in zip(groups, t, df, strict=True):
        # SciPy warns on groups of one and on zero variances; its values are the point here.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = stats.ttest_ind(x, y, equal_var=False)
        for got, exp in ((ti, want.statistic), (dfi, want.df)):
            if np.isnan(exp):
                assert np.isnan(got)
            else:
                assert got == pytest.approx(exp, rel=1e-12, abs=0.0)


def test_native_welch_t_rejects_ragged_arrays() -> None:
    from ldenrich import _native

    one, two = np.ones(3), np.ones(2)
    with pytest.raises(ldenrich.LdenrichError, match="one length"):
        _native.welch_t(one, one, one, two, one, one)
