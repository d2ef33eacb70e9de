"""The mean-chi-square enrichment screen (the study's "stripped-down partitioned heritability").

For every category: the mean chi-square of annotated SNPs over that of all other SNPs of the
universe (the enrichment), its delete-one-block jackknife standard error over contiguous blocks
in genome order (ldsc's blocks), a Welch t test and a Mann-Whitney U test of the two groups,
and Bonferroni and Benjamini-Hochberg adjustments across categories.

Which p to read (docs/calibration.md has the measurements):

* ``enrichment_p_perm`` -- the headline: one-sided, from circular shifts of the category along
  each chromosome, calibrated for categories of any size and under LD;
* ``enrichment_p_t`` -- the jackknife z referred to Student's t with ``n_blocks_in - 1`` degrees
  of freedom (only blocks holding annotated SNPs inform the SE);
* ``enrichment_p`` -- the study's recipe (z referred to a normal), kept to reproduce it; far too
  small for categories in few blocks (``few_blocks``);
* ``welch_p`` and ``mwu_p`` treat SNPs as independent, which LD makes untrue: descriptive.
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
    "description",
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
    "n_blocks_in",
    "few_blocks",
    "enrichment_p_t",
    "enrichment_mlog10p_t",
    "p_t_bonferroni",
    "q_t_bh",
    "enrichment_p_perm",
    "enrichment_mlog10p_perm",
    "p_perm_bonferroni",
    "q_perm_bh",
    "perm_statistic",
    "n_permutations",
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


#: Categories whose annotated SNPs fall in fewer jackknife blocks are flagged ``few_blocks``:
#: their jackknife SE rests on so few degrees of freedom that only the permutation p is reliable.
FEW_BLOCKS = 10


#: The screen's p-values, most trustworthy first: (label, p column, Bonferroni column). A
#: verdict (forest plot colour, report tiles) reads the first one a table has values for.
VERDICT_P = [
    ("permutation p", "enrichment_p_perm", "p_perm_bonferroni"),
    ("jackknife t p", "enrichment_p_t", "p_t_bonferroni"),
    ("study's jackknife p", "enrichment_p", "p_bonferroni"),
]


def verdict_p(table: pd.DataFrame) -> tuple[str, str, str]:
    """``(label, p column, Bonferroni column)`` of the best p ``table`` has values for.

    Examples
    --------
    >>> import pandas as pd
    >>> verdict_p(pd.DataFrame({"enrichment_p": [0.1], "enrichment_p_perm": [float("nan")]}))
    ("study's jackknife p", 'enrichment_p', 'p_bonferroni')
    """
    for choice in VERDICT_P:
        if choice[1] in table and pd.to_numeric(table[choice[1]], errors="coerce").notna().any():
            return choice
    return VERDICT_P[-1]


def _with_pvalues(columns: dict[str, Any]) -> dict[str, Any]:
    tested = np.array([s == "tested" for s in columns["status"]], dtype=bool)
    p, mlog10 = normal_two_sided(columns["enrichment_z"])
    columns["enrichment_p"], columns["enrichment_mlog10p"] = p, mlog10
    n_blocks_in = np.asarray(columns["n_blocks_in"], dtype=np.float64)
    columns["few_blocks"] = tested & (n_blocks_in < FEW_BLOCKS)
    p_t, mlog10_t = t_two_sided(columns["enrichment_z"], np.where(tested, n_blocks_in - 1, np.nan))
    columns["enrichment_p_t"], columns["enrichment_mlog10p_t"] = p_t, mlog10_t
    p_perm = np.where(tested, np.asarray(columns["enrichment_p_perm"], dtype=np.float64), np.nan)
    columns["enrichment_p_perm"] = p_perm
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["enrichment_mlog10p_perm"] = -np.log10(p_perm)
    columns["welch_p"], columns["welch_mlog10p"] = t_two_sided(
        columns["welch_t"], np.where(tested, columns["welch_df"], np.nan)
    )
    columns["mwu_p"], columns["mwu_mlog10p"] = normal_upper_doubled(columns["mwu_z"])
    for prefix, values in (("p", p), ("p_t", p_t), ("p_perm", p_perm)):
        family = np.where(tested, values, np.nan)
        columns[f"{prefix}_bonferroni"] = bonferroni(family)
        columns[f"q{prefix[1:]}_bh"] = benjamini_hochberg(family)
    return columns


def _finish(
    columns: dict[str, Any], order: list[str], blocks: int, permutations: int, output: Output
) -> Any:
    """Add p-values, order the columns, record the number of blocks and permutations used."""
    columns = _with_pvalues(columns)
    table = pd.DataFrame({c: columns[c] for c in order})
    table.attrs["blocks"] = blocks
    table.attrs["permutations"] = permutations
    return table if output == "pandas" else to_table(table, output)


def _check_options(
    blocks: int, min_snps: int, permutations: int, perm_stop: int, seed: int
) -> None:
    # The core checks each option's domain; negative numbers cannot even reach it as unsigned.
    if int(blocks) < 2:
        raise InvalidArgumentError(f"blocks must be at least 2; got {blocks}")
    if int(min_snps) < 1:
        raise InvalidArgumentError(f"min_snps must be at least 1; got {min_snps}")
    if int(permutations) < 0:
        raise InvalidArgumentError(f"permutations must be 0 or more; got {permutations}")
    if int(perm_stop) < 0:
        raise InvalidArgumentError(f"perm_stop must be 0 or more; got {perm_stop}")
    if not 0 <= int(seed) < 2**64:
        raise InvalidArgumentError(f"seed must be an integer in [0, 2**64); got {seed}")


def enrichment(
    annotation: Annotation,
    *,
    blocks: int = 200,
    min_snps: int = 1,
    permutations: int = 10_000,
    perm_stop: int = 50,
    seed: int = 0,
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
    permutations : int
        Most circular-shift permutations per tested category for ``enrichment_p_perm``
        (0: none). The smallest attainable p is ``1 / (permutations + 1)``: a Bonferroni
        correction over N categories at level alpha needs ``permutations >= N / alpha``.
    perm_stop : int
        A category's permutations stop once this many shifts reach its observed enrichment,
        with ``p = perm_stop / shifts drawn`` (Besag and Clifford's sequential p, as valid as
        the fixed-count one); 0 always draws ``permutations``. Categories far from
        significance then cost a few hundred shifts, so a large ``permutations`` is cheap.
    seed : int
        Seed of the permutations. With the category's own SNPs it fixes every draw, so a
        category's p does not depend on the thread count or on the other categories.
    threads : int, optional
        Threads (default ``LDENRICH_NUM_THREADS`` or all cores); results do not depend on it.
    output : {"pandas", "polars"}

    Returns
    -------
    DataFrame
        One row per category with the columns of :data:`COLUMNS`:

        * ``enrichment_p_perm``: one-sided (enrichment) permutation p, ``(1 + #{shifted >=
          observed}) / (permutations + 1)`` (or ``perm_stop / n_permutations`` when stopped
          early). The category's membership is shifted circularly by an independent uniform
          offset within each chromosome's SNP order, and each placement is scored by its
          jackknife z, ``(ratio - 1) / SE`` (``perm_statistic = "z"``): the SE carries the LD
          of the SNPs a placement covers, which the ratio alone does not. Shifts whose
          jackknife is undefined are skipped; a category whose own jackknife is undefined is
          scored by its ratio (``perm_statistic = "ratio"``). The calibrated p to read first;
          ``n_permutations`` is the number of shifts that entered it;
        * ``enrichment_p_t``: two-sided Student t p of the jackknife z with
          ``n_blocks_in - 1`` degrees of freedom, ``n_blocks_in`` the blocks holding annotated
          SNPs; ``few_blocks`` flags ``n_blocks_in <`` :data:`FEW_BLOCKS`;
        * ``enrichment_p``: the study's two-sided normal p of ``(enrichment - 1) /
          enrichment_se``, too small for categories in few blocks;
        * ``welch_p`` and ``mwu_p``: two-sided, SNPs taken as independent.

        ``*_mlog10p*`` are -log10 of each p (computed in log space where p can underflow).
        ``p_bonferroni``/``q_bh``, ``p_t_bonferroni``/``q_t_bh`` and
        ``p_perm_bonferroni``/``q_perm_bh`` adjust each p over the tested categories where it
        is defined. ``jackknife_ok`` is False when removing a block leaves no annotated SNP
        (SE, z and the jackknife p's are then NaN; the permutation p is still defined).
        Categories with no SNP or with every SNP are reported and skipped (``status``).
        ``df.attrs`` holds the ``blocks`` and ``permutations`` used.

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
    _check_options(blocks, min_snps, permutations, perm_stop, seed)
    stats, used_blocks = annotation._native.enrichment(
        int(blocks), int(min_snps), int(permutations), int(perm_stop), int(seed), threads
    )
    info = annotation.categories()
    columns: dict[str, Any] = {
        "category": info["category"].tolist(),
        "description": [annotation.descriptions.get(c, "") for c in info["category"]],
        "source": info["source"].tolist(),
        "kind": info["kind"].tolist(),
        "n_genes": info["n_genes"].array,
        "n_genes_found": info["n_genes_found"].array,
        **stats,
    }
    return _finish(columns, COLUMNS, used_blocks, int(permutations), output)


def _ranges_of(membership: np.ndarray, m: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    member = np.asarray(membership)
    if member.dtype == bool:
        if member.shape != (m,):
            raise InvalidArgumentError(f"category {name!r}: mask length {member.shape} != {m} SNPs")
        mask = member
    else:
        idx = np.unique(member.astype(np.int64))
        if idx.size and (idx[0] < 0 or idx[-1] >= m):
            raise InvalidArgumentError(f"category {name!r}: SNP index outside 0..{m - 1}")
        # Runs of consecutive indices, without a mask over all M SNPs per category.
        breaks = np.flatnonzero(np.diff(idx) != 1)
        starts = np.concatenate((idx[:1], idx[breaks + 1])).astype(np.uint32)
        ends = (np.concatenate((idx[breaks], idx[-1:])) + 1).astype(np.uint32)
        return starts, ends
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
    permutations: int = 10_000,
    perm_stop: int = 50,
    seed: int = 0,
    chrom: np.ndarray | None = None,
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
    blocks, min_snps, permutations, perm_stop, seed, threads, output
        As in :func:`enrichment`.
    chrom : ndarray of int, optional
        Chromosome of each SNP (each chromosome one contiguous run, as in genome order); the
        permutation null shifts a category within each chromosome. Default: one chromosome.

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
    _check_options(blocks, min_snps, permutations, perm_stop, seed)
    values = np.ascontiguousarray(chisq, dtype=np.float64)
    if values.ndim != 1:
        raise InvalidArgumentError("chisq must be one-dimensional")
    labels = None
    if chrom is not None:
        labels = np.asarray(chrom)
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise InvalidArgumentError("chrom must be a one-dimensional integer array")
        labels = np.ascontiguousarray(labels, dtype=np.int64)
    names = [str(n) for n in categories]
    pairs = [_ranges_of(categories[n], values.size, n) for n in categories]
    stats, used_blocks = _native.enrichment_ranges(
        values, labels, [p[0] for p in pairs], [p[1] for p in pairs], int(blocks),
        int(min_snps), int(permutations), int(perm_stop), int(seed), threads,
    )  # fmt: skip
    columns: dict[str, Any] = {"category": names, **stats}
    return _finish(columns, ["category", *COLUMNS[6:]], used_blocks, int(permutations), output)
