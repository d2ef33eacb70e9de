"""The gene-set analysis's simple tests, from group summaries: the study's one-sample t of a
set's mean Z, its Welch t of a set's genes against the other genes, and the Kruskal-Wallis test
of gene Z across the sets.

Their t p-values come from :mod:`ldenrich._pvalues`; :mod:`ldenrich.sets` re-exports
:func:`one_sample_greater`, :func:`welch_greater` and :func:`kruskal_wallis`, their public home.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from ldenrich import _native
from ldenrich._pvalues import t_upper
from ldenrich.errors import InvalidArgumentError

if TYPE_CHECKING:
    from ldenrich._sets_resolve import SetGenes

FloatArray = npt.NDArray[np.float64]


def one_sample_greater(
    n: FloatArray, mean: FloatArray, var: FloatArray, mu0: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One-sample t of ``mean > mu0`` from group summaries (``var`` with ddof 1), as
    ``scipy.stats.ttest_1samp(..., alternative="greater")``.

    Parameters
    ----------
    n, mean, var : numpy.ndarray
        Size, mean and variance (ddof 1) of each group; a group of fewer than 2 gives NaN.
    mu0 : float
        The mean under the null hypothesis.

    Returns
    -------
    (t, df, p)

    Examples
    --------
    >>> import numpy as np
    >>> from ldenrich.sets import one_sample_greater
    >>> t, df, p = one_sample_greater(np.array([10.0, 1.0]), np.array([0.5, 0.2]),
    ...                               np.array([1.0, np.nan]), 0.0)
    >>> t.round(6).tolist(), df.tolist(), p.round(6).tolist()
    ([1.581139, nan], [9.0, nan], [0.074152, nan])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(n >= 2, n - 1.0, np.nan)
        t = (mean - mu0) / np.sqrt(var / n)
        t = np.where(n >= 2, t, np.nan)
    return t, df, t_upper(t, df)


def welch_greater(
    n1: FloatArray, m1: FloatArray, v1: FloatArray, n2: FloatArray, m2: FloatArray, v2: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Welch's t of ``mean1 > mean2`` from group summaries, as ``scipy.stats.ttest_ind(...,
    equal_var=False, alternative="greater")`` (df = 1 when both variances are 0).

    Parameters
    ----------
    n1, m1, v1, n2, m2, v2 : numpy.ndarray
        Size, mean and variance (ddof 1) of the first and of the second group; a group of fewer
        than 2 gives NaN.

    Returns
    -------
    (t, df, p)

    Examples
    --------
    >>> import numpy as np
    >>> from ldenrich.sets import welch_greater
    >>> t, df, p = welch_greater(np.array([10.0]), np.array([0.5]), np.array([1.0]),
    ...                          np.array([90.0]), np.array([0.0]), np.array([1.2]))
    >>> t.round(6).tolist(), df.round(4).tolist(), p.round(6).tolist()
    ([1.485221], [11.5393], [0.082142])
    """
    # The formula is the core's, shared with the screen's Welch columns.
    shape = np.shape(n1)
    columns = [np.ascontiguousarray(np.broadcast_to(x, shape), dtype=np.float64)
               for x in (n1, m1, v1, n2, m2, v2)]  # fmt: skip
    t, df = _native.welch_t(*columns)
    ok = (np.asarray(n1) >= 2) & (np.asarray(n2) >= 2)
    t, df = np.where(ok, t, np.nan), np.where(ok, df, np.nan)
    return t, df, t_upper(t, df)


def kruskal_wallis(groups: Sequence[npt.ArrayLike]) -> tuple[float, float, float]:
    """Kruskal-Wallis H test with mid-ranks and the tie correction (SciPy's ``kruskal``).

    Parameters
    ----------
    groups : sequence of array-like
        At least two groups; an empty group or all values equal give NaN, as in SciPy.

    Returns
    -------
    (h, df, p)

    Examples
    --------
    >>> from ldenrich.sets import kruskal_wallis
    >>> x = [1.2, 3.4, 2.2, 5.0, 4.4, 3.3, 2.9, 6.1, 0.5, 4.0]
    >>> y = [2.0, 1.1, 0.3, 1.9, 2.5, 3.0, 0.9, 1.2, 2.2, 1.7, 0.4]
    >>> h, df, p = kruskal_wallis([x, y, [1, 1, 2, 2, 3]])
    >>> round(h, 6), df, round(p, 7)
    (7.366379, 2.0, 0.0251427)
    """
    arrays = [np.asarray(g, dtype=np.float64).ravel() for g in groups]
    if len(arrays) < 2:
        raise InvalidArgumentError("Kruskal-Wallis needs at least two groups")
    df = float(len(arrays) - 1)
    pooled = np.concatenate(arrays)
    if np.isnan(pooled).any():
        return math.nan, df, math.nan
    bounds = np.r_[0, np.cumsum([a.size for a in arrays])].tolist()
    h = _native.kruskal_wallis_h(pooled, bounds)
    p = float(special.chdtrc(df, h))
    return h, df, p


class SimpleTests(NamedTuple):
    """Per set: size, mean Z, the one-sample and Welch tests and the counts of significant
    genes; ``genome_mean`` is the mean Z of all genes."""

    n_found: FloatArray
    mean_z: FloatArray
    genome_mean: float
    t_one_sample: FloatArray
    p_one_sample: FloatArray
    t_welch: FloatArray
    df_welch: FloatArray
    p_welch: FloatArray
    n_nominal: npt.NDArray[np.int64]
    n_set_bonferroni: npt.NDArray[np.int64]
    n_genome_bonferroni: npt.NDArray[np.int64]


def simple_tests(
    z: FloatArray, p: FloatArray, resolved: Sequence[SetGenes], alpha: float
) -> SimpleTests:
    """The study's tests of each set: its mean Z against the genome-wide mean (one-sample t) and
    against the other genes (Welch t), and its genes with p below ``alpha``, below ``alpha``
    over the set's size and below ``alpha`` over the genome's."""
    n_genes = len(z)
    # Sums of squares are taken about the genome-wide mean, so the rest's variance by
    # subtraction keeps its digits:
    # sum_rest (z - m_rest)^2 = sum_rest (z - mu)^2 - n_rest (m_rest - mu)^2.
    genome_mean = float(z.mean())
    centered = z - genome_mean
    ss_all = float(centered @ centered)
    n_found = np.array([len(r.rows) for r in resolved], dtype=np.float64)
    sum_c = np.array([centered[r.rows].sum() for r in resolved])
    ss_c = np.array([float(centered[r.rows] @ centered[r.rows]) for r in resolved])
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_set = np.where(n_found > 0, genome_mean + sum_c / n_found, np.nan)
        var_set = np.array(
            [np.var(z[r.rows], ddof=1) if len(r.rows) >= 2 else np.nan for r in resolved]
        )
        n_rest = n_genes - n_found
        shift_rest = -sum_c / n_rest
        mean_rest = genome_mean + shift_rest
        var_rest = np.maximum(ss_all - ss_c - n_rest * shift_rest**2, 0.0) / (n_rest - 1)
    t1, _, p1 = one_sample_greater(n_found, mean_set, var_set, genome_mean)
    tw, dfw, pw = welch_greater(n_found, mean_set, var_set, n_rest, mean_rest, var_rest)
    n_nominal = np.array([int((p[r.rows] < alpha).sum()) for r in resolved])
    n_set_bonf = np.array(
        [int((p[r.rows] < alpha / len(r.rows)).sum()) if len(r.rows) else 0 for r in resolved]
    )
    n_genome_bonf = np.array([int((p[r.rows] < alpha / n_genes).sum()) for r in resolved])
    return SimpleTests(
        n_found, mean_set, genome_mean, t1, p1, tw, dfw, pw, n_nominal, n_set_bonf, n_genome_bonf
    )


def kruskal_table(z: FloatArray, resolved: Sequence[SetGenes]) -> pd.DataFrame:
    """:attr:`GeneSetResults.kruskal`: Kruskal-Wallis of gene Z across the sets with genes
    found, and whether the sets share genes (which voids its p)."""
    found = [r.rows for r in resolved if len(r.rows)]
    groups = [z[rows] for rows in found]
    h, kdf, kp = kruskal_wallis(groups) if len(groups) >= 2 else (math.nan, math.nan, math.nan)
    # Kruskal-Wallis assumes each gene belongs to one group: a gene in several sets enters
    # several times and its sets stop being independent samples, so the p then means nothing.
    memberships = sum(len(rows) for rows in found)
    distinct = len(np.unique(np.concatenate(found))) if found else 0
    return pd.DataFrame(
        {
            "h": [h],
            "df": [kdf],
            "p": [kp],
            "n_sets": [len(groups)],
            "n_memberships": [memberships],
            "n_distinct_genes": [distinct],
            "sets_overlap": [memberships > distinct],
        }
    )
