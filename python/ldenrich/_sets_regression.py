"""The gene-set analysis's competitive regression, as MAGMA fits it: gene Z (truncated) regressed
on set membership and the default gene covariates, by GLS with the gene-gene correlations (OLS
without them), one-sided test of beta > 0. The fit itself is the core's (``_native.gls_model``);
this module prepares its inputs and reads its results back per set.

:mod:`ldenrich.sets` re-exports :func:`default_covariates` and :func:`truncate_z`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from ldenrich import _native
from ldenrich._pvalues import t_upper
from ldenrich.errors import InconsistentInputError
from ldenrich.genes import GeneCorrelations

if TYPE_CHECKING:
    from ldenrich._sets_resolve import SetGenes

FloatArray = npt.NDArray[np.float64]

_COVARIATE_LABELS = {
    "size": "gene size",
    "density": "gene density",
    "nsamp": "sample size",
    "invmac": "inverse mac",
}


def _impute_and_truncate(
    values: FloatArray, max_missing: float, outlier_sd: float
) -> tuple[FloatArray | None, str]:
    """MAGMA's covariate hygiene: median imputation of missing values (a variable missing for
    more than ``max_missing`` of the genes is discarded), then truncation at ``outlier_sd``
    standard deviations from the mean. Returns None (and why) for a discarded variable."""
    bad = ~np.isfinite(values)
    if bad.mean() > max_missing:
        return None, f"missing for {bad.mean():.1%} of genes"
    out = values.copy()
    if bad.any():
        out[bad] = np.median(values[~bad])
    mean, sd = float(out.mean()), float(out.std(ddof=1))
    if not sd > 1e-12 * max(1.0, abs(mean)):
        return None, "constant"
    if outlier_sd > 0:
        out = np.clip(out, mean - outlier_sd * sd, mean + outlier_sd * sd)
    return out, ""


def default_covariates(
    table: pd.DataFrame, *, max_missing: float = 0.05, outlier_sd: float = 5.0
) -> tuple[FloatArray, list[str], list[str]]:
    """MAGMA's default gene covariates: gene size (NSNPS), gene density (NPARAM / NSNPS),
    sample size (N) and inverse minor allele count (1 / MAC), then the log of each; constant or
    mostly missing ones are dropped.

    Returns
    -------
    (matrix, names, dropped)
        ``genes x covariates`` matrix, the covariates' names, and ``name: reason`` for each
        covariate left out.
    """
    raw: dict[str, FloatArray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        if "NSNPS" in table:
            size = table["NSNPS"].to_numpy(dtype=np.float64)
            raw["size"] = size
            if "NPARAM" in table:
                raw["density"] = table["NPARAM"].to_numpy(dtype=np.float64) / size
        if "N" in table:
            raw["nsamp"] = table["N"].to_numpy(dtype=np.float64)
        if "MAC" in table:
            raw["invmac"] = 1.0 / table["MAC"].to_numpy(dtype=np.float64)
        candidates = [(_COVARIATE_LABELS[k], v) for k, v in raw.items()]
        candidates += [
            (f"log({_COVARIATE_LABELS[k]})", np.log(np.where(v > 0, v, np.nan)))
            for k, v in raw.items()
        ]
    columns, names, dropped = [], [], []
    for name, values in candidates:
        kept, why = _impute_and_truncate(values, max_missing, outlier_sd)
        if kept is None:
            dropped.append(f"{name}: {why}")
        else:
            columns.append(kept)
            names.append(name)
    matrix = np.column_stack(columns) if columns else np.empty((len(table), 0))
    return np.ascontiguousarray(matrix, dtype=np.float64), names, dropped


def truncate_z(z: FloatArray, low: float, high: float) -> tuple[FloatArray, float, float]:
    """MAGMA's outcome truncation: Z below ``-low`` is set to ``-low`` and Z above
    ``mean + high * SD`` to that bound (mean and SD of the untruncated Z); 0 disables a side.
    Returns the truncated Z and the two bounds used (infinite when disabled)."""
    lo = -low if low > 0 else -math.inf
    hi = float(z.mean() + high * z.std(ddof=1)) if high > 0 else math.inf
    return np.clip(z, lo, hi), lo, hi


def _band(
    correlations: GeneCorrelations | Sequence[Sequence[float]] | None, n: int
) -> _native.CorrelationBand | None:
    """The core's band for the GLS: a :class:`GeneCorrelations` as it is, other rows converted
    (and checked) once."""
    if correlations is None:
        return None
    if len(correlations) != n:
        raise InconsistentInputError(
            f"gene results have {n} genes but correlations for {len(correlations)}"
        )
    if not isinstance(correlations, GeneCorrelations):
        correlations = GeneCorrelations(correlations)
    return correlations._native


class CovariateModel(NamedTuple):
    """The core's fit of truncated gene Z on the covariates alone, which each set's test extends
    by the set's membership column."""

    native: _native.GlsModel
    z: FloatArray  # gene Z after truncation
    bounds: tuple[float, float]  # the truncation bounds used (infinite when disabled)
    covariates: list[str]  # covariates in the model
    dropped: list[str]  # "name: reason" of each covariate left out, collinear ones included


def fit_covariate_model(
    table: pd.DataFrame,
    z: FloatArray,
    correlations: GeneCorrelations | Sequence[Sequence[float]] | None,
    *,
    covariates: str,
    truncate: tuple[float, float],
    max_missing: float,
    outlier_sd: float,
    power: float,
    prune: float,
    threads: int | None,
) -> CovariateModel:
    """Truncate Z, build the covariates (``covariates="default"``, else none) and fit them, by
    GLS with ``correlations`` raised to ``power`` or by OLS when there are none."""
    n_genes = len(table)
    z_trunc, lo, hi = truncate_z(z, *truncate)
    if covariates == "default":
        cov, cov_names, cov_dropped = default_covariates(
            table, max_missing=max_missing, outlier_sd=outlier_sd
        )
    else:
        cov, cov_names, cov_dropped = np.empty((n_genes, 0)), [], []
    band = _band(correlations, n_genes)
    model = _native.gls_model(
        np.ascontiguousarray(z_trunc), cov, band, float(power), float(prune), threads
    )
    kept_names = [cov_names[i] for i in model.kept]
    collinear_covs = [n for i, n in enumerate(cov_names) if i not in set(model.kept)]
    dropped = cov_dropped + [f"{n}: collinear" for n in collinear_covs]
    return CovariateModel(model, z_trunc, (lo, hi), kept_names, dropped)


class CompetitiveTests(NamedTuple):
    """Each set's competitive test, NaN for the sets not tested (``status`` says why)."""

    beta: FloatArray
    beta_std: FloatArray
    se: FloatArray
    t: FloatArray
    df: FloatArray
    p: FloatArray
    status: npt.NDArray[np.object_]


def competitive_tests(
    model: CovariateModel,
    resolved: Sequence[SetGenes],
    n_genes: int,
    *,
    min_genes: int,
    threads: int | None,
) -> CompetitiveTests:
    """Test every set with at least ``min_genes`` genes found: one-sided t of its membership's
    beta > 0 in ``model``; ``beta_std`` is beta scaled by the SD of the membership column."""
    k = len(resolved)
    n_found = np.array([len(r.rows) for r in resolved], dtype=np.float64)
    status = np.array(["ok"] * k, dtype=object)
    testable = [len(r.rows) >= min_genes for r in resolved]
    for i, r in enumerate(resolved):
        if not len(r.rows):
            status[i] = "no_genes_found"
        elif not testable[i]:
            status[i] = "too_few_genes"
    test_idx = [i for i in range(k) if testable[i]]
    set_offsets = np.zeros(len(test_idx) + 1, dtype=np.uint64)
    np.cumsum([len(resolved[i].rows) for i in test_idx], out=set_offsets[1:])
    set_genes = np.concatenate([resolved[i].rows for i in test_idx] or [np.empty(0, np.uint32)])
    fits = model.native.test_sets(set_offsets, set_genes, threads)
    beta, se, tc, dfc = (np.full(k, np.nan) for _ in range(4))
    beta[test_idx], se[test_idx] = fits["beta"], fits["se"]
    tc[test_idx], dfc[test_idx] = fits["t"], fits["df"]
    for i, s in zip(test_idx, fits["status"], strict=True):
        if s != "ok":
            status[i] = s
    pc = t_upper(tc, dfc)
    frac = n_found / n_genes
    with np.errstate(invalid="ignore"):
        beta_std = beta * np.sqrt(n_found * (1 - frac) / (n_genes - 1))
    return CompetitiveTests(beta, beta_std, se, tc, dfc, pc, status)
