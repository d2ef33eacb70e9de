"""The SNP universe and category annotation.

:func:`annotate` joins summary statistics to a reference ``.bim`` (autosomes only, duplicates
and allele mismatches dropped and counted) and annotates the resulting SNPs with any number of
categories: gene sets (through MAGMA's strand-aware gene windows) and BED interval files. The
membership of each category is held as sparse index ranges.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ldenrich import _native, _sanity
from ldenrich._convert import Output, qc_frame, to_table
from ldenrich.errors import InvalidArgumentError
from ldenrich.io import (
    Bim,
    GeneLoc,
    GeneSets,
    Matching,
    PathLike,
    SumStats,
    read_gene_sets,
)

GeneSetInput = GeneSets | Mapping[str, Sequence[str]] | PathLike
BedInput = PathLike | pd.DataFrame


class Annotation:
    """SNPs of the screen with their categories. Create with :func:`annotate`."""

    def __init__(
        self, native: _native.Annotation, descriptions: Mapping[str, str] | None = None
    ) -> None:
        self._native = native
        #: GMT descriptions of the gene-set categories (``""`` where a file has none).
        self.descriptions = dict(descriptions or {})
        rows = native.categories()
        self._names = [r[0] for r in rows]
        self._index = {name: i for i, name in enumerate(self._names)}

    def __len__(self) -> int:
        return len(self._native)

    @property
    def window(self) -> tuple[int, int]:
        """Gene window (up, down) in base pairs."""
        return self._native.window_bp

    @property
    def qc(self) -> pd.DataFrame:
        """Accounting of every summary-statistic row: ``read == used + sum(dropped_*)``."""
        return qc_frame(self._native.qc())

    @property
    def qc_details(self) -> dict[str, Any]:
        """Reference-side counts, whether alleles were compared and, when the summary statistics
        carry CHR and BP, how their positions compare with the reference's
        (``positions_compared``, ``positions_same``, ``positions_off_by_one``,
        ``positions_other_chromosome``; see the genome-build warning)."""
        return dict(self._native.qc_details())

    @property
    def category_names(self) -> list[str]:
        """Category names in output order."""
        return list(self._names)

    def categories(self, output: Output = "pandas") -> Any:
        """One row per category: ``category, source, kind, n_genes, n_genes_found,
        n_intervals, n_snps``."""
        rows = self._native.categories()
        return to_table(
            {
                "category": [r[0] for r in rows],
                "source": [r[1] for r in rows],
                "kind": ["gene_set" if r[2] else "intervals" for r in rows],
                "n_genes": pd.array([r[3] for r in rows], dtype="Int64"),
                "n_genes_found": pd.array([r[4] for r in rows], dtype="Int64"),
                "n_intervals": np.array([r[5] for r in rows], dtype=np.int64),
                "n_snps": np.array([r[6] for r in rows], dtype=np.int64),
            },
            output,
        )

    def snps(self, output: Output = "pandas") -> Any:
        """The SNP universe in genome order: ``chrom, bp, snp, chisq``."""
        return to_table(
            {
                "chrom": self._native.chrom(),
                "bp": self._native.bp(),
                "snp": self._native.snp_ids(),
                "chisq": self._native.chisq(),
            },
            output,
        )

    @property
    def chisq(self) -> np.ndarray:
        """Chi-squares of the universe in genome order."""
        return self._native.chisq()

    def _lookup(self, category: str) -> int:
        try:
            return self._index[category]
        except KeyError:
            raise InvalidArgumentError(f"no category named {category!r}") from None

    def ranges(self, category: str) -> tuple[np.ndarray, np.ndarray]:
        """Half-open index ranges ``(starts, ends)`` of the SNPs annotated by ``category``."""
        return self._native.ranges(self._lookup(category))

    def membership(self, category: str) -> np.ndarray:
        """Boolean mask over the universe of the SNPs annotated by ``category``."""
        starts, ends = self.ranges(category)
        mask = np.zeros(len(self), dtype=bool)
        for a, b in zip(starts, ends, strict=True):
            mask[a:b] = True
        return mask

    def missing_genes(self, category: str) -> list[str]:
        """Genes of a gene set that are not in the gene locations."""
        return self._native.missing_genes(self._lookup(category))

    def __repr__(self) -> str:
        return f"Annotation(snps={len(self)}, categories={len(self._names)})"


def _gene_set_specs(
    gene_sets: GeneSetInput | Sequence[GeneSetInput] | None,
) -> tuple[list[tuple], dict[str, str]]:
    """The gene-set arguments of :func:`_native.category_specs`, and the GMT descriptions of the
    sets that have one. Files and what :func:`read_gene_sets` returned pass as the core's own
    object; only sets built in Python are converted (once)."""
    if gene_sets is None:
        return [], {}
    if isinstance(gene_sets, (str, os.PathLike, Mapping)):
        gene_sets = [gene_sets]
    specs: list[tuple] = []
    descriptions: dict[str, str] = {}
    for item in gene_sets:
        if isinstance(item, (str, os.PathLike)):
            item = read_gene_sets(item)
        if isinstance(item, GeneSets):
            descriptions.update(item.descriptions)
        # The file's name: tables are the same on every machine (the full path is in the log).
        source = os.path.basename(item.source) if isinstance(item, GeneSets) else "python"
        if isinstance(item, GeneSets) and item._native is not None:
            specs.append((item._native, source))
            continue
        for name, genes in item.items():
            if isinstance(genes, str):
                raise InvalidArgumentError(
                    f"gene set {name!r}: expected a list of genes, got the string {genes!r}"
                )
            specs.append((str(name), source, [str(g) for g in genes]))
    return specs, descriptions


def _coordinates(values: Any, name: str) -> np.ndarray:
    """Integer BED coordinates as int64 for the core (which checks their range)."""
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise InvalidArgumentError(f"intervals {name!r}: coordinates must be integers")
    if array.dtype.kind == "u":
        # Out-of-range values must stay out of range, not wrap to negatives.
        array = np.minimum(array.astype(np.uint64), np.uint64(np.iinfo(np.int64).max))
    return np.ascontiguousarray(array, dtype=np.int64)


def _interval_specs(beds: BedInput | Sequence[BedInput] | Mapping[str, BedInput] | None) -> list:
    """The interval arguments of :func:`_native.category_specs`: files are read by the core and
    passed as its own object; DataFrames go as their columns (chromosome names are parsed in
    the core, with the same rules as a file)."""
    if beds is None:
        return []
    if isinstance(beds, (str, os.PathLike, pd.DataFrame)):
        beds = [beds]
    items: list[tuple[str, BedInput]]
    if isinstance(beds, Mapping):
        items = [(str(k), v) for k, v in beds.items()]
    else:
        items = []
        for b in beds:
            if isinstance(b, pd.DataFrame):
                raise InvalidArgumentError(
                    "pass DataFrames of intervals as a {name: frame} mapping"
                )
            name = Path(b).name
            for suffix in (".gz", ".bgz", ".bed"):
                name = name.removesuffix(suffix)
            items.append((name, b))
    specs: list[tuple] = []
    for name, bed in items:
        if not isinstance(bed, pd.DataFrame):
            path = os.fspath(bed)
            specs.append((name, os.path.basename(path), _native.read_bed(path)))
            continue
        missing = {"chrom", "start", "end"} - set(bed.columns)
        if missing:
            raise InvalidArgumentError(f"intervals {name!r} lack the columns {sorted(missing)}")
        chrom = bed["chrom"].astype(str).tolist()
        start, end = _coordinates(bed["start"], name), _coordinates(bed["end"], name)
        specs.append((name, "python", chrom, start, end))
    return specs


def annotate(
    sumstats: SumStats,
    bim: Bim,
    gene_loc: GeneLoc | None = None,
    gene_sets: GeneSetInput | Sequence[GeneSetInput] | None = None,
    beds: BedInput | Sequence[BedInput] | Mapping[str, BedInput] | None = None,
    *,
    window: tuple[float, float] = (35.0, 10.0),
    drop_strand_ambiguous: bool = False,
    threads: int | None = None,
    match: Matching = "auto",
) -> Annotation:
    """Build the SNP universe and annotate it with gene sets and interval files.

    SNPs are the summary-statistic rows found in the ``.bim`` (by rsid, or by position and
    alleles: see ``match``), on chromosomes
    1-22, in ``.bim`` order stably sorted by (chromosome, position). Identifiers duplicated in
    either file are dropped (all copies); when both files carry alleles, a SNP is kept if they
    match directly, swapped or strand-flipped. Every row read is accounted for in
    :attr:`Annotation.qc`.

    A gene annotates the SNPs inside its window: ``window=(up, down)`` kilobases before the
    transcription start and after its end (MAGMA's strand-aware rule, closed 1-based intervals,
    start clamped at 0). A gene set annotates the union of its genes' windows; a BED file its
    intervals.

    Parameters
    ----------
    sumstats : SumStats
    bim : Bim
    gene_loc : GeneLoc, optional
        Required when gene sets are given.
    gene_sets : GeneSets, mapping, path, or a list of them, optional
        Mappings go from set name to gene symbols or ids.
    beds : path, list of paths, or mapping of name to path or DataFrame, optional
        Interval categories; a file's name without ``.bed``/``.gz`` names its category.
        DataFrames need ``chrom, start, end`` in BED convention (0-based, half-open).
    window : (float, float)
        Kilobases up- and downstream (default MAGMA's 35, 10).
    drop_strand_ambiguous : bool
        Drop A/T and C/G SNPs (kept by default: a chi-square has no direction).
    threads : int, optional
        Threads to use (default: ``LDENRICH_NUM_THREADS`` or all cores).
    match : {"auto", "rsid", "position"}
        How a summary-statistic row finds its reference SNP. ``auto``: rows with an rs number
        by rsid; rows without one (no id column, empty ids, ``chr:pos:a1:a2`` ids, FinnGen's
        several ``rsids``) by chromosome, position and alleles when they have a position (from
        columns or the id), by their id text otherwise. ``position``: every row by position and
        alleles. By position, a row takes the one reference SNP at its position whose alleles
        match directly, swapped or strand-flipped (resolving multi-allelic sites); none counts
        as ``allele_mismatch``, several as ``duplicate_in_reference``, no readable position as
        ``no_position``, two rows on one SNP as ``duplicate_snp_id``.

    Returns
    -------
    Annotation

    Examples
    --------
    >>> import ldenrich
    >>> ex = ldenrich.example_data()
    >>> annot = ldenrich.annotate(
    ...     ldenrich.read_sumstats(ex.sumstats), ldenrich.read_bim(ex.bim),
    ...     ldenrich.read_gene_loc(ex.gene_loc), gene_sets={"grik1": ["GRIK1"]})
    >>> qc = annot.qc.set_index("reason")["count"]
    >>> int(qc["read"]) == int(qc.drop("read").sum())
    True
    """
    if not isinstance(sumstats, SumStats) or not isinstance(bim, Bim):
        raise InvalidArgumentError("annotate() needs a SumStats and a Bim (see read_sumstats)")
    if gene_loc is not None and not isinstance(gene_loc, GeneLoc):
        raise InvalidArgumentError("gene_loc must be a GeneLoc (see read_gene_loc)")
    if len(window) != 2:
        raise InvalidArgumentError(f"window must be (up_kb, down_kb); got {window!r}")
    categories = category_specs(gene_sets, beds)
    return annotate_specs(
        sumstats, bim, gene_loc, categories, window=window,
        drop_strand_ambiguous=drop_strand_ambiguous, threads=threads, match=match,
    )  # fmt: skip


class CategorySpecs:
    """Categories converted for the core once, to annotate many summary statistics with.
    Create with :func:`category_specs`."""

    def __init__(self, native: _native.CategorySpecs, descriptions: Mapping[str, str]) -> None:
        self._native = native
        #: GMT descriptions of the gene sets that have one.
        self.descriptions = dict(descriptions)

    @property
    def n_gene_sets(self) -> int:
        """Gene-set categories."""
        return self._native.n_gene_sets

    @property
    def n_intervals(self) -> int:
        """Interval categories."""
        return self._native.n_intervals

    def __repr__(self) -> str:
        return f"CategorySpecs(gene_sets={self.n_gene_sets}, intervals={self.n_intervals})"


def category_specs(
    gene_sets: GeneSetInput | Sequence[GeneSetInput] | None = None,
    beds: BedInput | Sequence[BedInput] | Mapping[str, BedInput] | None = None,
) -> CategorySpecs:
    """Convert categories once for :func:`annotate_specs` (what :func:`annotate` does per call).

    Examples
    --------
    >>> from ldenrich.annot import category_specs
    >>> category_specs({"pair": ["GRIN2A", "GRIK1"]})
    CategorySpecs(gene_sets=1, intervals=0)
    """
    set_specs, descriptions = _gene_set_specs(gene_sets)
    native = _native.category_specs(set_specs, _interval_specs(beds))
    return CategorySpecs(native, descriptions)


def annotate_specs(
    sumstats: SumStats,
    bim: Bim,
    gene_loc: GeneLoc | None,
    categories: CategorySpecs,
    *,
    window: tuple[float, float] = (35.0, 10.0),
    drop_strand_ambiguous: bool = False,
    threads: int | None = None,
    match: Matching = "auto",
) -> Annotation:
    """:func:`annotate` with categories already converted by :func:`category_specs`."""
    if categories.n_gene_sets and gene_loc is None:
        raise InvalidArgumentError(
            "gene sets need gene locations: pass gene_loc=read_gene_loc(...)"
        )
    native = _native.annotate(
        sumstats._native,
        bim._native,
        None if gene_loc is None else gene_loc._native,
        categories._native,
        float(window[0]),
        float(window[1]),
        bool(drop_strand_ambiguous),
        threads,
        match,
    )
    annot = Annotation(native, categories.descriptions)
    _sanity_checks(annot, sumstats, bim, gene_loc)
    return annot


def _sanity_checks(
    annot: Annotation, sumstats: SumStats, bim: Bim, gene_loc: GeneLoc | None
) -> None:
    qc = dict(zip(annot.qc["reason"], annot.qc["count"].tolist(), strict=True))
    _sanity.check_reference_match(qc, annot.qc_details, sumstats.path, bim.path)
    _sanity.check_chisq(annot.chisq, sumstats.source, qc, sumstats.path)
    if gene_loc is not None:
        _sanity.check_gene_loc_build(gene_loc, bim)
        rows = [
            (name, source, n_genes, n_found, annot.missing_genes(name))
            for name, source, is_set, n_genes, n_found, *_ in annot._native.categories()
            if is_set
        ]
        _sanity.check_gene_sets(rows, gene_loc.path)
