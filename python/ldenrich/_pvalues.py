"""Vectorised p-values with accurate ``-log10(p)`` and multiple-testing corrections.

All functions accept array-likes, compute in ``numpy.float64`` and return arrays of the
(broadcast) input shape.  NaN inputs propagate to NaN outputs.

The two-sided p-values reproduce SciPy's conventions exactly wherever the p-value is
representable (``2 * scipy.stats.norm.sf(abs(z))``, the asymptotic Mann-Whitney p-value and
the p-value of ``scipy.stats.ttest_ind``), while ``-log10(p)`` is computed in log space so
that it remains accurate when ``p`` underflows double precision.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from scipy import special

from ldenrich.errors import InvalidArgumentError

__all__ = [
    "CHI2_1_MEDIAN",
    "benjamini_hochberg",
    "bonferroni",
    "lambda_gc",
    "normal_two_sided",
    "normal_upper_doubled",
    "t_two_sided",
    "t_upper",
]

FloatArray = npt.NDArray[np.float64]

_LN2: Final = float(np.log(2.0))
_LN10: Final = float(np.log(10.0))
_HALF_LN_PI: Final = float(0.5 * np.log(np.pi))
_HALF_LN_2PI: Final = float(0.5 * np.log(2.0 * np.pi))
_SQRT1_2: Final = float(np.sqrt(0.5))

#: Below this p-value the Student t p-value is computed in log space instead of by
#: ``scipy.special.stdtr`` (whose result loses relative accuracy near underflow).
_T_LOG_ROUTE_BELOW: Final = 1e-290
#: Above this p-value ``-log10(p)`` is computed as ``-log1p(-(1 - p))`` from an accurate
#: ``1 - p``, so that it keeps full relative accuracy as ``p -> 1``.
_NEAR_ONE: Final = 0.5
#: Continued-fraction settings (Abramowitz & Stegun 26.5.8, modified Lentz method).
_CF_MAX_ITER: Final = 1000
_CF_EPS: Final = 1e-16
_CF_TINY: Final = 1e-300
#: Gauss-Laguerre rule used for the large-df tail integral of the t distribution.
_LAG_RULE = np.polynomial.laguerre.laggauss(24)
_LAG_NODES: Final[FloatArray] = np.asarray(_LAG_RULE[0], dtype=np.float64)
_LAG_WEIGHTS: Final[FloatArray] = np.asarray(_LAG_RULE[1], dtype=np.float64)
#: The Gauss-Laguerre route is used for ``t^2 < df`` provided ``df`` is at least this large
#: (always the case in the log-space region, where ``t^2 < df`` implies ``df > ~1800``).
_LAG_MIN_DF: Final = 100.0
#: Use the Stirling-type series for ``lgamma(a + 1/2) - lgamma(a)`` from this ``a`` on.
_LGAMMA_SERIES_FROM: Final = 20.0


def _as_float_array(x: npt.ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _log_gamma_ratio_half(a: FloatArray) -> FloatArray:
    """Return ``lgamma(a + 1/2) - lgamma(a)`` for ``a > 0`` without cancellation.

    For large ``a`` the difference of two huge ``lgamma`` values cancels catastrophically,
    so the asymptotic series
    ``0.5 ln a - 1/(8a) + 1/(192a^3) - 1/(640a^5) + 17/(14336a^7)`` (from the Stirling
    series with Bernoulli polynomials, ``B_n(1/2) = (2^(1-n) - 1) B_n``) is used; its
    truncation error is below 1e-14 for ``a >= 20``.
    """
    out = np.empty_like(a)
    large = a >= _LGAMMA_SERIES_FROM
    al = a[large]
    inv = 1.0 / al
    inv2 = inv * inv
    out[large] = 0.5 * np.log(al) + inv * (
        -1.0 / 8.0 + inv2 * (1.0 / 192.0 + inv2 * (-1.0 / 640.0 + inv2 * (17.0 / 14336.0)))
    )
    small = ~large
    out[small] = special.gammaln(a[small] + 0.5) - special.gammaln(a[small])
    return out


def _log_betainc_cf(a: FloatArray, t_abs: FloatArray) -> FloatArray:
    """Log of ``I_x(a, 1/2)``, ``x = 2a / (2a + t**2)``, via the A&S 26.5.8 continued fraction.

    ``ln I_x(a, b) = a ln x + b ln(1 - x) - ln a - ln B(a, b) - ln g`` where
    ``1/g = 1/(1 + d1/(1 + d2/(1 + ...)))`` with
    ``d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1))`` and
    ``d_{2m} = m(b-m) x / ((a+2m-1)(a+2m))``; ``g`` is evaluated with the modified Lentz
    method.  Intended for ``x <= 1/2`` (``r >= 1``) or small ``a``, where it converges in a
    handful of iterations.  ``ln x`` and ``ln(1 - x)`` are formed from ``r = t/sqrt(2a)``
    and ``ln r = ln t - ln(2a)/2`` directly so that neither overflows (huge ``t``, tiny ``a``)
    nor cancels (``x`` close to 1).
    """
    b = 0.5
    nu = 2.0 * a
    sqrt_nu = np.sqrt(nu)
    log_r = np.log(t_abs) - 0.5 * np.log(nu)
    big_r = log_r > 0.0
    with np.errstate(over="ignore", under="ignore"):
        r2 = np.square(t_abs / sqrt_nu)  # only used where r <= 1
        s2 = np.square(sqrt_nu / t_abs)  # only used where r > 1 (may underflow to 0)
    # r <= 1: x = 1/(1+r^2), 1-x = r^2/(1+r^2);  r > 1: x = s^2/(1+s^2), 1-x = 1/(1+s^2).
    log_x = np.where(big_r, -2.0 * log_r - np.log1p(s2), -np.log1p(r2))
    log_1mx = np.where(big_r, -np.log1p(s2), 2.0 * log_r - np.log1p(r2))
    x = np.exp(log_x)

    g = np.ones_like(a)
    c = np.ones_like(a)
    d = np.zeros_like(a)
    active = np.ones(a.shape, dtype=bool)
    for j in range(1, _CF_MAX_ITER + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        aa = a[idx]
        xx = x[idx]
        m = j // 2
        if j % 2 == 1:
            term = -((aa + m) / (aa + 2 * m)) * ((aa + b + m) / (aa + 2 * m + 1)) * xx
        else:
            term = (m * (b - m)) / (aa + 2 * m - 1) / (aa + 2 * m) * xx
        dd = 1.0 + term * d[idx]
        dd = np.where(dd == 0.0, _CF_TINY, dd)
        cc = 1.0 + term / c[idx]
        cc = np.where(cc == 0.0, _CF_TINY, cc)
        dd = 1.0 / dd
        delta = cc * dd
        g[idx] *= delta
        c[idx] = cc
        d[idx] = dd
        active[idx[np.abs(delta - 1.0) <= _CF_EPS]] = False

    log_beta = _HALF_LN_PI - _log_gamma_ratio_half(a)
    return a * log_x + b * log_1mx - np.log(a) - log_beta - np.log(g)


def _log_t_tail_laguerre(nu: FloatArray, r: FloatArray) -> FloatArray:
    """Log of the two-sided t p-value ``2 * sf(t)`` for large ``nu``, with ``r = |t|/sqrt(nu)``.

    Substituting ``u = G(s) - G(t)`` with ``G(s) = (nu+1)/2 * log1p(s^2/nu)`` in the tail
    integral of the t density ``f`` gives ``sf(t) = f(t) * int_0^inf exp(-u) h(u) du`` with
    ``h = 1/G'(s) = (nu + s^2)/((nu + 1) s)`` and
    ``s^2 = t^2 + (nu + t^2) expm1(2u/(nu+1))``.  ``h`` is smooth on ``[0, inf)`` (its only
    singularity lies at distance ``G(t) - G(0)`` from the origin), so a Gauss-Laguerre rule
    converges rapidly.  This route avoids the cancellation the continued fraction suffers
    when ``x = nu/(nu + t^2)`` is very close to 1.
    """
    a = 0.5 * nu
    r2 = r * r
    log_f = _log_gamma_ratio_half(a) - _HALF_LN_2PI - 0.5 * np.log(a) - (a + 0.5) * np.log1p(r2)
    w = (2.0 / (nu + 1.0))[..., np.newaxis] * _LAG_NODES
    q = r2[..., np.newaxis] + (1.0 + r2)[..., np.newaxis] * np.expm1(w)  # s^2 / nu
    integral = np.sum(_LAG_WEIGHTS * (1.0 + q) / np.sqrt(q), axis=-1)
    log_scale = 0.5 * np.log(nu) - np.log1p(nu)  # sqrt(nu) / (nu + 1)
    log_p: FloatArray = _LN2 + log_f + log_scale + np.log(integral)
    return log_p


def _log_t_two_sided(t_abs: FloatArray, df: FloatArray) -> FloatArray:
    """Natural log of ``2 * T_df.sf(t_abs)`` for finite ``t_abs > 0`` and ``df > 0``."""
    out = np.empty_like(t_abs)
    infinite_df = np.isinf(df)
    out[infinite_df] = _LN2 + special.log_ndtr(-t_abs[infinite_df])
    finite = ~infinite_df
    nu = df[finite]
    t_fin = t_abs[finite]
    use_lag = (t_fin < np.sqrt(nu)) & (nu >= _LAG_MIN_DF)
    res = np.empty_like(nu)
    res[use_lag] = _log_t_tail_laguerre(nu[use_lag], t_fin[use_lag] / np.sqrt(nu[use_lag]))
    use_cf = ~use_lag
    res[use_cf] = _log_betainc_cf(0.5 * nu[use_cf], t_fin[use_cf])
    out[finite] = res
    return np.minimum(out, 0.0)  # p <= 1 (guards rounding in degenerate corners)


def _mlog10_normal_two_sided(z_abs: FloatArray, p: FloatArray) -> FloatArray:
    """``-log10(2 * Phi(-z_abs))`` given ``p = 2 * Phi(-z_abs)`` (used only for branching)."""
    out = np.full_like(z_abs, np.nan)
    near_one = p > _NEAR_ONE
    # 1 - p = erf(|z| / sqrt(2)) is accurate for small |z|.
    out[near_one] = -np.log1p(-special.erf(z_abs[near_one] * _SQRT1_2)) / _LN10
    tail = p <= _NEAR_ONE
    out[tail] = -(_LN2 + special.log_ndtr(-z_abs[tail])) / _LN10
    return out


def normal_two_sided(z: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Two-sided standard normal p-value and its ``-log10``.

    Parameters
    ----------
    z : array_like
        Standard normal test statistics.

    Returns
    -------
    p : numpy.ndarray
        ``2 * Phi(-|z|)``, identical to ``2 * scipy.stats.norm.sf(abs(z))``.
    mlog10p : numpy.ndarray
        ``-log10(p)`` computed in log space (via ``scipy.special.log_ndtr``), finite and
        accurate even where ``p`` underflows to 0; ``inf`` for ``z = +-inf``.

    Examples
    --------
    >>> p, mlog10p = normal_two_sided([0.0, 1.959963984540054, -40.0])
    >>> p.round(6).tolist()
    [1.0, 0.05, 0.0]
    >>> mlog10p.round(3).tolist()
    [0.0, 1.301, 349.136]
    """
    z_arr = _as_float_array(z)
    z_abs = np.abs(z_arr)
    p = _as_float_array(2.0 * special.ndtr(-z_abs))
    mlog10p = _mlog10_normal_two_sided(z_abs, p)
    return p, mlog10p


def normal_upper_doubled(z: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Doubled upper-tail normal p-value ``min(1, 2 * Phi(-z))`` and its ``-log10``.

    This is the asymptotic two-sided p-value of ``scipy.stats.mannwhitneyu``, where ``z`` is
    computed from ``max(U1, U2)`` and may therefore be slightly negative.

    Parameters
    ----------
    z : array_like
        Standard normal test statistics (not made absolute).

    Returns
    -------
    p : numpy.ndarray
        ``min(1, 2 * Phi(-z))``.
    mlog10p : numpy.ndarray
        ``max(0, -log10(2 * Phi(-z)))`` computed in log space; accurate where ``p``
        underflows and ``inf`` for ``z = +inf``.

    Examples
    --------
    >>> p, mlog10p = normal_upper_doubled([-0.5, 0.0, 40.0])
    >>> p.round(6).tolist()
    [1.0, 1.0, 0.0]
    >>> mlog10p.round(3).tolist()
    [0.0, 0.0, 349.136]
    """
    z_arr = _as_float_array(z)
    p = _as_float_array(np.minimum(1.0, 2.0 * special.ndtr(-z_arr)))  # NaN propagates
    mlog10p = np.where(np.isnan(z_arr), np.nan, 0.0)
    positive = z_arr > 0.0
    z_pos = z_arr[positive]
    mlog10p[positive] = _mlog10_normal_two_sided(z_pos, 2.0 * special.ndtr(-z_pos))
    return p, mlog10p


def t_two_sided(t: npt.ArrayLike, df: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Two-sided Student t p-value and its ``-log10``.

    Parameters
    ----------
    t : array_like
        t statistics.
    df : array_like
        Degrees of freedom (need not be integers, e.g. Welch-Satterthwaite values);
        broadcast against `t`.

    Returns
    -------
    p : numpy.ndarray
        ``2 * scipy.special.stdtr(df, -|t|)``, exactly as ``scipy.stats.ttest_ind`` computes
        it from ``(t, df)``, whenever that is at least ``1e-290``.  Below, ``p`` is
        ``exp(ln p)`` from the log-space computation (so it may be subnormal or 0).
        ``t = +-inf`` gives 0; NaN in `t` or `df` (or ``df <= 0``) gives NaN.  (For
        ``|t| > ~1.3e154`` ``stdtr`` returns 0 because ``t**2`` overflows, even where the true
        p-value is representable; the log-space route then returns the correct value.)
    mlog10p : numpy.ndarray
        ``-log10(p)`` with full relative accuracy, also where ``p`` underflows.  In that
        region ``ln p = ln I_x(df/2, 1/2)``, ``x = df/(df + t^2)``, is evaluated in log space
        with the continued fraction of Abramowitz & Stegun 26.5.8 (modified Lentz method),
        or, when ``t^2 < df`` (``x`` close to 1), with a Gauss-Laguerre rule for the tail
        integral of the t density.

    Examples
    --------
    >>> p, mlog10p = t_two_sided([0.0, 2.0, 40.0], [10.0, 10.0, 1e6])
    >>> p.round(6).tolist()
    [1.0, 0.073388, 0.0]
    >>> mlog10p.round(3).tolist()
    [0.0, 1.134, 348.858]
    """
    t_arr, df_arr = np.broadcast_arrays(_as_float_array(t), _as_float_array(df))
    t_abs = np.abs(t_arr)
    p = _as_float_array(2.0 * special.stdtr(df_arr, -t_abs))
    mlog10p = np.full(p.shape, np.nan)

    valid = ~np.isnan(p)
    near_one = valid & (p > _NEAR_ONE)
    if np.any(near_one):
        nu = df_arr[near_one]
        with np.errstate(over="ignore"):
            r = t_abs[near_one] / np.sqrt(nu)
        r2 = r * r
        y = r2 / (1.0 + r2)  # t^2 / (df + t^2)
        one_minus_p = np.where(np.isinf(nu), special.erf(t_abs[near_one] * _SQRT1_2), 0.0)
        finite_nu = ~np.isinf(nu)
        one_minus_p[finite_nu] = special.betainc(0.5, 0.5 * nu[finite_nu], y[finite_nu])
        mlog10p[near_one] = -np.log1p(-one_minus_p) / _LN10

    direct = valid & (p <= _NEAR_ONE) & (p >= _T_LOG_ROUTE_BELOW)
    mlog10p[direct] = -np.log10(p[direct])

    zero_at_inf = valid & np.isinf(t_abs)
    mlog10p[zero_at_inf] = np.inf
    p[zero_at_inf] = 0.0

    log_route = valid & ~zero_at_inf & (p < _T_LOG_ROUTE_BELOW)
    if np.any(log_route):
        ln_p = _log_t_two_sided(t_abs[log_route], df_arr[log_route])
        with np.errstate(under="ignore"):
            p[log_route] = np.exp(ln_p)
        mlog10p[log_route] = -ln_p / _LN10 + 0.0  # + 0.0 turns -0.0 into 0.0
    return p, mlog10p


def t_upper(t: npt.ArrayLike, df: npt.ArrayLike) -> FloatArray:
    """One-sided (greater) Student t p-value: the upper tail ``P(T > t)``.

    Parameters
    ----------
    t : array_like
        t statistics.
    df : array_like
        Degrees of freedom, broadcast against `t`.

    Returns
    -------
    numpy.ndarray
        ``scipy.special.stdtr(df, -t)`` (accurate in the far tail, where ``1 - cdf`` is not);
        NaN in `t` or `df` gives NaN, without a warning.

    Examples
    --------
    >>> t_upper([0.0, 2.0, float("nan")], [10.0, 10.0, 10.0]).round(6).tolist()
    [0.5, 0.036694, nan]
    """
    with np.errstate(invalid="ignore"):
        return np.asarray(special.stdtr(df, -_as_float_array(t)), dtype=np.float64)


def _validated_pvalues(p: npt.ArrayLike) -> FloatArray:
    p_arr = _as_float_array(p)
    finite = p_arr[~np.isnan(p_arr)]
    if np.any((finite < 0.0) | (finite > 1.0)):
        msg = "p-values must be NaN or lie in [0, 1]."
        raise InvalidArgumentError(msg)
    return p_arr


def bonferroni(p: npt.ArrayLike, n_tests: npt.ArrayLike | None = None) -> FloatArray:
    """Bonferroni-adjusted p-values ``min(1, m * p)``.

    Parameters
    ----------
    p : array_like
        p-values in ``[0, 1]``; NaN entries are ignored (they do not count towards ``m``)
        and stay NaN.
    n_tests : array_like, optional
        The family size ``m`` when it is not the number of p-values given (e.g. a gene's p
        adjusted for the genes of its set, or for every gene of the genome); broadcast
        against ``p``.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, with ``m`` the number of non-NaN entries unless ``n_tests`` is given.

    Raises
    ------
    InvalidArgumentError
        If a non-NaN entry lies outside ``[0, 1]``.

    Examples
    --------
    >>> bonferroni([0.01, float("nan"), 0.2, 0.6]).tolist()
    [0.03, nan, 0.6000000000000001, 1.0]
    >>> bonferroni([0.01, 0.02], n_tests=[10, 100]).tolist()
    [0.1, 1.0]
    """
    p_arr = _validated_pvalues(p)
    if n_tests is None:
        m: npt.ArrayLike = np.count_nonzero(~np.isnan(p_arr))
    else:
        m = _as_float_array(n_tests)
    return _as_float_array(np.minimum(1.0, m * p_arr))


def benjamini_hochberg(p: npt.ArrayLike) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values (q-values).

    Step-up procedure: sort the ``m`` non-NaN p-values, scale the ``i``-th smallest by
    ``m / i``, take the running minimum from the largest down and cap at 1.  This is
    ``scipy.stats.false_discovery_control(p, method='bh')`` applied to the non-NaN entries
    (equal to statsmodels' ``multipletests(p, method='fdr_bh')[1]``), with NaN kept in place.

    Parameters
    ----------
    p : array_like
        p-values in ``[0, 1]``; NaN entries are excluded from the procedure and stay NaN.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order and shape.

    Raises
    ------
    InvalidArgumentError
        If a non-NaN entry lies outside ``[0, 1]``.

    Examples
    --------
    >>> benjamini_hochberg([0.5, 0.6, float("nan"), 0.1, 0.001]).round(6).tolist()
    [0.6, 0.6, nan, 0.2, 0.004]
    """
    p_arr = _validated_pvalues(p)
    flat = p_arr.ravel()
    out = np.full(flat.shape, np.nan)
    keep = np.flatnonzero(~np.isnan(flat))
    # Written out in numpy (the same operations in the same order as scipy's, so the same bits;
    # tests/test_pvalues.py checks): importing scipy.stats for this alone cost the screen 0.3-0.6 s
    # of CPU on its serial path (issue 21).
    ps = flat[keep]
    m = ps.size
    if m > 1:
        order = np.argsort(ps)
        ranked = ps[order] * (m / np.arange(1, m + 1, dtype=ps.dtype))
        ranked = np.minimum.accumulate(ranked[::-1])[::-1]
        ps = np.empty_like(ranked)
        ps[order] = ranked
        ps = np.clip(ps, 0.0, 1.0)
    out[keep] = ps
    return out.reshape(p_arr.shape)


#: Median of the chi-square distribution with one degree of freedom (lambda_GC's denominator).
CHI2_1_MEDIAN: Final = 0.454936423119572


def lambda_gc(p: npt.ArrayLike) -> float:
    """Genomic inflation ``lambda_GC``: median chi-square(1) of the p-values over 0.4549.

    Parameters
    ----------
    p : array_like
        P-values; NaN are ignored, 0 counts as an infinite chi-square.

    Returns
    -------
    float
        ``median(chi2.isf(p, 1)) / 0.454936``; NaN without a p-value.

    Examples
    --------
    >>> round(lambda_gc([0.2, 0.5, 0.8]), 4)
    1.0
    """
    values = np.asarray(p, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    return float(np.median(special.chdtri(1.0, values)) / CHI2_1_MEDIAN)
