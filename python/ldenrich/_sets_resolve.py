"""Gene sets resolved against the gene results of a gene-set analysis: which rows of the results
each set's genes are (exact gene ID first, then a case-insensitive symbol, the screen's rule),
which of its genes are missing, and the checks that the sets and the results name genes alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from ldenrich import _native
from ldenrich._sanity import check_set_ids, result_id_hint
from ldenrich.errors import InconsistentInputError
from ldenrich.io import GeneLoc, GeneSets


class SetGenes(NamedTuple):
    """One gene set resolved against the gene results."""

    name: str
    source: str
    description: str
    rows: npt.NDArray[np.uint32]  # rows of the genes found, sorted and distinct
    missing: list[str]  # tokens that name no gene of the results
    n_genes: int  # distinct tokens of the set


def _symbols(table: pd.DataFrame, gene_loc: GeneLoc | None) -> list[str]:
    """Symbol of each gene of the results: their SYMBOL column, else through the gene
    locations' ID -> symbol map, else none."""
    if "SYMBOL" in table:
        return [str(s) for s in table["SYMBOL"]]
    if gene_loc is None:
        return []
    loc_symbol = dict(zip(gene_loc._native.ids(), gene_loc._native.symbols(), strict=True))
    return [loc_symbol.get(str(g), "") for g in table["GENE"]]


def _resolve_sets(
    sets: _Sets,
    table: pd.DataFrame,
    symbols: list[str],
    threads: int | None,
) -> list[SetGenes]:
    """The screen's rule (the core's ``GeneResolver``): exact gene ID first, then a
    case-insensitive symbol."""
    offsets, rows, n_genes, missing = _native.resolve_gene_sets(
        [str(g) for g in table["GENE"]], symbols, sets.parts, threads
    )
    return [
        SetGenes(name, src, desc, rows[offsets[i] : offsets[i + 1]], missing[i], n_genes[i])
        for i, (name, src, desc) in enumerate(sets.labels)
    ]


@dataclass
class _Sets:
    """The sets to test: ``(name, source, description)`` of each, in order, and their genes as
    parts for the core: a file read by the core is passed as it is (its genes never become
    Python strings); sets built in Python as token lists."""

    labels: list[tuple[str, str, str]] = field(default_factory=list)
    parts: list[_native.GeneSets | list[list[str]]] = field(default_factory=list)


def _as_sets(
    gene_sets: GeneSets | Mapping[str, Sequence[str]] | Sequence[GeneSets],
) -> _Sets:
    """The sets of every group, names unique across groups; the source is the file's name (the
    same on every machine; the full path is in the log)."""
    if isinstance(gene_sets, GeneSets):
        groups: list[Any] = [gene_sets]
    elif isinstance(gene_sets, Mapping):
        groups = [GeneSets(gene_sets)]
    else:
        groups = list(gene_sets)
    out = _Sets()
    seen: dict[str, str] = {}
    for group in groups:
        if not isinstance(group, GeneSets):
            group = GeneSets(group)
        source = os.path.basename(group.source)
        for name in group:
            if name in seen:
                raise InconsistentInputError(
                    f"gene set name '{name}' is used twice (in {seen[name]} and {group.source}); "
                    "set names must be unique"
                )
            seen[name] = group.source
            out.labels.append((name, source, group.descriptions.get(name, "")))
        native = group._native
        out.parts.append(native if native is not None else [list(g) for g in group.values()])
    return out


def resolve_sets(
    gene_sets: GeneSets | Mapping[str, Sequence[str]] | Sequence[GeneSets],
    table: pd.DataFrame,
    gene_loc: GeneLoc | None,
    source: str,
    threads: int | None,
) -> tuple[list[str], list[SetGenes]]:
    """The symbols of the results' genes and every set resolved against them; warns (through
    ``check_set_ids``) when few of the sets' genes are found and raises when none is.

    Raises
    ------
    InconsistentInputError
        A set name used twice, or no gene of any set in the results (with a hint at the likely
        mismatch: gene ID kind or build).
    """
    sets = _as_sets(gene_sets)
    symbols = _symbols(table, gene_loc)
    resolved = _resolve_sets(sets, table, symbols, threads)
    n_genes = len(table)
    # A sample of both sides' gene names: enough to recognise a mismatch, bounded for GO's sets.
    missing = [g for r in resolved for g in r.missing[:20]][:1000]
    results_sample = [str(g) for g in table["GENE"].iloc[:: max(1, n_genes // 1000)]]
    check_set_ids(
        sum(r.n_genes for r in resolved),
        sum(r.n_genes - len(r.missing) for r in resolved),
        missing,
        results_sample,
        bool(symbols),
        source,
    )
    if resolved and not any(len(r.rows) for r in resolved):
        hint = (
            result_id_hint(missing, results_sample, bool(symbols))
            or "check that the sets and the gene results use the same kind of gene id and build"
        )
        raise InconsistentInputError(
            f"no gene of the {len(resolved)} gene sets is in the gene results {source} "
            f"(sets name {', '.join(missing[:3])} ...; results have "
            f"{', '.join(map(str, table['GENE'].iloc[:3]))} ...): {hint}"
        )  # fmt: skip
    return symbols, resolved
