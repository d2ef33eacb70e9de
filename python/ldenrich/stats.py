"""The mean-chi-square enrichment screen (the study's "stripped-down partitioned heritability").

For every category: the mean chi-square of annotated SNPs over that of all other SNPs of the
universe (the enrichment), its delete-one-block jackknife standard error over contiguous blocks
in genome order (ldsc's blocks), a Welch t test and a Mann-Whitney U test of the two groups,
and Bonferroni and Benjamini-Hochberg adjustments of the jackknife p-values across categories.
Welch and Mann-Whitney treat SNPs as independent, which LD makes untrue: they are descriptive.
The jackknife p-value is the one to trust.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ldenrich import _native
from ldenrich._convert import Output, to_table
from ldenrich._pvalues import (
    benjamini_hochberg,
    bonferroni,
    normal_two_sided,
    normal_upper_doubled,
    t_two_sided,
)
from ldenrich.annot import Annotation
from ldenrich.errors import InvalidArgumentError

#: Output columns of :func:`enrichment`, in order.
COLUMNS = [
    "category",
    "source",
    "kind",
    "n_genes",
    "n_genes_found",
    "n_snps_in",
    "n_snps_out",
    "mean_chisq_in",
    "mean_chisq_out",
    "enrichment",
    "enrichment_se",
    "enrichment_z",
    "enrichment_p",
    "enrichment_mlog10p",
    "p_bonferroni",
    "q_bh",
    "jackknife_ok",
    "welch_t",
    "welch_df",
    "welch_p",
    "welch_mlog10p",
    "mwu_u",
    "mwu_z",
    "mwu_p",
    "mwu_mlog10p",
    "status",
]


def _with_pvalues(columns: dict[str, Any]) -> dict[str, Any]:
    tested = np.array([s == "tested" for s in columns["status"]], dtype=bool)
    p, mlog10 = normal_two_sided(columns["enrichment_z"])
    columns["enrichment_p"], columns["enrichment_mlog10p"] = p, mlog10
    columns["welch_p"], columns["welch_mlog10p"] = t_two_sided(
        columns["welch_t"], np.where(tested, columns["welch_df"], np.nan)
    )
    columns["mwu_p"], columns["mwu_mlog10p"] = normal_upper_doubled(columns["mwu_z"])
    family = np.where(tested, p, np.nan)
    columns["p_bonferroni"] = bonferroni(family)
    columns["q_bh"] = benjamini_hochberg(family)
    return columns


def _finish(columns: dict[str, Any], order: list[str], blocks: int, output: Output) -> Any:
    """Add p-values, order the columns, record the number of blocks used."""
    columns = _with_pvalues(columns)
    table = pd.DataFrame({c: columns[c] for c in order})
    table.attrs["blocks"] = blocks
    return table if output == "pandas" else to_table(table, output)


def _check_options(blocks: int, min_snps: int) -> None:
    if int(blocks) < 2:
        raise InvalidArgumentError(f"blocks must be at least 2; got {blocks}")
    if int(min_snps) < 1:
        raise InvalidArgumentError(f"min_snps must be at least 1; got {min_snps}")


def enrichment(
    annotation: Annotation,
    *,
    blocks: int = 200,
    min_snps: int = 1,
    threads: int | None = None,
    output: Output = "pandas",
) -> Any:
    """Run the enrichment screen for every category of an annotation.

    Parameters
    ----------
    annotation : Annotation
        From :func:`ldenrich.annotate`.
    blocks : int
        Jackknife blocks: contiguous, separators ``floor(linspace(0, M, blocks + 1))`` over the
        M SNPs in genome order (capped at M).
    min_snps : int
        Categories with fewer annotated SNPs are reported with ``status = skipped_min_snps``.
    threads : int, optional
        Threads (default ``LDENRICH_NUM_THREADS`` or all cores); results do not depend on it.
    output : {"pandas", "polars"}

    Returns
    -------
    DataFrame
        One row per category with the columns of :data:`COLUMNS`. ``enrichment_p`` is the
        two-sided normal p of ``(enrichment - 1) / enrichment_se``; ``welch_p`` and ``mwu_p``
        are two-sided; ``*_mlog10p`` are -log10 of each p computed in log space, so they stay
        finite where p underflows. ``p_bonferroni`` and ``q_bh`` adjust ``enrichment_p`` over
        the tested categories with a defined jackknife. ``jackknife_ok`` is False when removing
        a block leaves no annotated SNP (SE, z and p are then NaN). Categories with no SNP or
        with every SNP are reported and skipped (``status``). ``df.attrs["blocks"]`` holds the
        number of blocks used.

    Examples
    --------
    >>> import ldenrich
    >>> ex = ldenrich.example_data()
    >>> annot = ldenrich.annotate(
    ...     ldenrich.read_sumstats(ex.sumstats), ldenrich.read_bim(ex.bim),
    ...     ldenrich.read_gene_loc(ex.gene_loc), gene_sets={"nmda": ["GRIN2A", "GRIN2B"]})
    >>> table = ldenrich.enrichment(annot, blocks=200)
    >>> table[["category", "status"]].values.tolist()
    [['nmda', 'skipped_no_snps']]
    """
    if not isinstance(annotation, Annotation):
        raise InvalidArgumentError("enrichment() needs an Annotation (see ldenrich.annotate)")
    _check_options(blocks, min_snps)
    stats, used_blocks = annotation._native.enrichment(int(blocks), int(min_snps), threads)
    info = annotation.categories()
    columns: dict[str, Any] = {
        "category": info["category"].tolist(),
        "source": info["source"].tolist(),
        "kind": info["kind"].tolist(),
        "n_genes": info["n_genes"].array,
        "n_genes_found": info["n_genes_found"].array,
        **stats,
    }
    return _finish(columns, COLUMNS, used_blocks, output)


def _ranges_of(membership: np.ndarray, m: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    member = np.asarray(membership)
    if member.dtype == bool:
        if member.shape != (m,):
            raise InvalidArgumentError(f"category {name!r}: mask length {member.shape} != {m} SNPs")
        mask = member
    else:
        idx = member.astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= m):
            raise InvalidArgumentError(f"category {name!r}: SNP index outside 0..{m - 1}")
        mask = np.zeros(m, dtype=bool)
        mask[idx] = True
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1).astype(np.uint32)
    ends = np.flatnonzero(edges == -1).astype(np.uint32)
    return starts, ends


def enrichment_arrays(
    chisq: np.ndarray,
    categories: Mapping[str, np.ndarray],
    *,
    blocks: int = 200,
    min_snps: int = 1,
    threads: int | None = None,
    output: Output = "pandas",
) -> Any:
    """Run the enrichment screen on your own SNP universe.

    Parameters
    ----------
    chisq : ndarray
        Chi-squares of the SNPs **in genome order** (the jackknife blocks are contiguous runs
        of this order).
    categories : mapping of name to boolean mask or integer index array
    blocks, min_snps, threads, output
        As in :func:`enrichment`.

    Returns
    -------
    DataFrame
        As :func:`enrichment`, without the gene columns.

    Examples
    --------
    >>> import numpy as np, ldenrich
    >>> chisq = np.array([1.2, 0.3, 4.5, 2.2, 0.9, 7.1, 0.1, 1.6, 3.3, 0.8, 2.9, 0.4])
    >>> a = np.array([1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0], dtype=bool)
    >>> row = ldenrich.enrichment_arrays(chisq, {"a": a}, blocks=4).iloc[0]
    >>> round(float(row.enrichment), 6), round(float(row.enrichment_se), 6)
    (4.222222, 0.444437)
    """
    _check_options(blocks, min_snps)
    values = np.ascontiguousarray(chisq, dtype=np.float64)
    if values.ndim != 1:
        raise InvalidArgumentError("chisq must be one-dimensional")
    names = [str(n) for n in categories]
    pairs = [_ranges_of(categories[n], values.size, n) for n in categories]
    stats, used_blocks = _native.enrichment_ranges(
        values, [p[0] for p in pairs], [p[1] for p in pairs], int(blocks), int(min_snps), threads
    )
    columns: dict[str, Any] = {"category": names, **stats}
    return _finish(columns, ["category", *COLUMNS[5:]], used_blocks, output)
