"""Gene analysis: MAGMA's SNP-wise mean model with LD from a PLINK reference panel.

Per gene, the SNPs of its window present in both the summary statistics and the panel are
combined into ``T = sum chi2`` (SNP p-values clamped to ``[1e-50, 1 - 1e-5]`` as MAGMA does);
its null distribution is ``sum lambda_k chi2_1`` with ``lambda`` the eigenvalues of the panel LD
matrix, and the p-value comes from an inversion of its moment generating function along the
saddlepoint contour, accurate far into the tail. ``ZSTAT = -ndtri(p)`` is one-sided, as in
MAGMA. Results are written in MAGMA's ``.genes.out`` and ``.genes.raw`` layouts.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd

from ldenrich import _native, _sanity
from ldenrich._atomic import write_text
from ldenrich._convert import qc_frame
from ldenrich._pvalues import bonferroni
from ldenrich.annot import Annotation
from ldenrich.errors import InvalidArgumentError
from ldenrich.io import Bim, GeneLoc, Matching, PathLike, SumStats, chrom_name

Progress = Callable[[str, int, int], None]

#: MAGMA's ``.genes.out`` columns, then ldenrich's additions.
GENE_COLUMNS = ["GENE", "CHR", "START", "STOP", "NSNPS", "NPARAM", "N", "ZSTAT", "P", "SYMBOL"]
EXTRA_COLUMNS = ["MLOG10P", "P_BONFERRONI", "SIG_BONFERRONI", "MAC", "STAT", "NMONO"]


class GeneCorrelations(Sequence[list[float]]):
    """The gene-gene correlation band, held by the core from the reader or the gene analysis to
    the gene-set GLS: a read-only sequence with, for each gene, the correlations of its
    statistic with the preceding genes (at most ``i`` for gene ``i``), earliest first.

    Parameters
    ----------
    rows : iterable of sequences of float
        One row per gene; checked once (gene ``i`` has at most ``i`` correlations).

    Examples
    --------
    >>> from ldenrich.genes import GeneCorrelations
    >>> band = GeneCorrelations([[], [0.5], [0.1, 0.2]])
    >>> len(band), band[2], band.n_values
    (3, [0.1, 0.2], 3)
    """

    def __init__(self, rows: Iterable[Sequence[float]]) -> None:
        self._native = _native.CorrelationBand.from_rows([[float(v) for v in r] for r in rows])

    @classmethod
    def _from_native(cls, native: _native.CorrelationBand) -> GeneCorrelations:
        self = cls.__new__(cls)
        self._native = native
        return self

    @property
    def n_values(self) -> int:
        """Correlations in the band."""
        return self._native.n_values

    def __len__(self) -> int:
        return len(self._native)

    @overload
    def __getitem__(self, index: int) -> list[float]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[float]]: ...
    def __getitem__(self, index: int | slice) -> list[float] | list[list[float]]:
        if isinstance(index, slice):
            return [self._native.row(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._native.row(index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, GeneCorrelations):
            other_lengths, other_values = other._native.lengths(), other._native.values()
        elif isinstance(other, Sequence):
            return len(self) == len(other) and all(
                a == list(b) for a, b in zip(self, other, strict=True)
            )
        else:
            return NotImplemented
        return bool(
            np.array_equal(self._native.lengths(), other_lengths)
            and np.array_equal(self._native.values(), other_values)
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_band_from_arrays, (self._native.lengths(), self._native.values()))

    def __repr__(self) -> str:
        return f"GeneCorrelations(genes={len(self):,}, values={self.n_values:,})"


def _band_from_arrays(lengths: np.ndarray, values: np.ndarray) -> GeneCorrelations:
    return GeneCorrelations._from_native(
        _native.CorrelationBand(
            np.ascontiguousarray(lengths, dtype=np.uint64),
            np.ascontiguousarray(values, dtype=np.float64),
        )
    )


@dataclass
class GeneResults:
    """Results of :func:`gene_analysis`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per gene with at least one usable SNP, in chromosome and position order:
        MAGMA's columns ``GENE CHR START STOP NSNPS NPARAM N ZSTAT P`` (START/STOP are the
        window-extended bounds), then ``SYMBOL``, ``MLOG10P`` (-log10 P, finite where P
        underflows), ``P_BONFERRONI`` and ``SIG_BONFERRONI`` (P < 0.05 / genes tested),
        ``MAC`` (mean panel minor allele count of the gene's SNPs, as in MAGMA's
        ``.genes.raw``, whose inverse is a gene-set covariate), ``STAT`` (the sum of
        chi-squares) and ``NMONO`` (monomorphic panel SNPs dropped).
    correlations : GeneCorrelations or None
        For each gene, the correlations of its statistic with the preceding genes of its
        chromosome within the correlation range, earliest first (the ``.genes.raw`` band). A
        list of lists given here is converted (and checked) once.
    qc : pandas.DataFrame
        Row accounting of the summary statistics against the panel ``.bim``.
    n_samples : int
        People in the reference panel.
    """

    table: pd.DataFrame
    correlations: GeneCorrelations | None
    qc: pd.DataFrame
    n_samples: int
    settings: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.correlations is not None and not isinstance(self.correlations, GeneCorrelations):
            self.correlations = GeneCorrelations(self.correlations)

    def __repr__(self) -> str:
        corr = "none" if self.correlations is None else f"{self.correlations.n_values:,}"
        return (
            f"GeneResults({len(self.table):,} genes, panel of {self.n_samples:,} people, "
            f"gene-gene correlations: {corr})"
        )

    def write(self, prefix: PathLike) -> dict[str, Path]:
        """Write ``PREFIX.genes.out`` (and ``PREFIX.genes.raw`` when correlations exist).

        Returns
        -------
        dict
            Paths written, by kind (``genes.out``, ``genes.raw``).
        """
        prefix = Path(prefix)
        written = {"genes.out": prefix.with_name(prefix.name + ".genes.out")}
        write_text(written["genes.out"], format_genes_out(self.table))
        if self.correlations is not None:
            written["genes.raw"] = prefix.with_name(prefix.name + ".genes.raw")
            write_text(written["genes.raw"], format_genes_raw(self.table, self.correlations))
        return written


def _format_p(p: float, mlog10p: float) -> str:
    if p > 0 or not math.isfinite(mlog10p):
        return f"{p:.6g}"
    # Below the smallest double: write the value from its logarithm.
    exponent = math.floor(-mlog10p)
    return f"{10 ** (-mlog10p - exponent):.5f}e{exponent}"


def _format_n(n: float) -> str:
    return "NA" if not math.isfinite(n) else str(round(float(n)))


def format_genes_out(table: pd.DataFrame) -> str:
    """MAGMA's ``.genes.out`` layout (space-aligned), plus ldenrich's extra columns."""
    rows = [GENE_COLUMNS + EXTRA_COLUMNS]
    for r in table.itertuples(index=False):
        rows.append(
            [
                str(r.GENE),
                str(r.CHR),
                str(r.START),
                str(r.STOP),
                str(r.NSNPS),
                str(r.NPARAM),
                _format_n(r.N),
                f"{r.ZSTAT:.6g}",
                _format_p(r.P, r.MLOG10P),
                str(r.SYMBOL),
                f"{r.MLOG10P:.6g}",
                f"{r.P_BONFERRONI:.6g}",
                str(int(r.SIG_BONFERRONI)),
                f"{r.MAC:.6g}",
                f"{r.STAT:.6g}",
                str(r.NMONO),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join(
        " ".join(
            v.rjust(w) if i else v.ljust(w)
            for i, (v, w) in enumerate(zip(row, widths, strict=True))
        )
        + "\n"
        for row in rows
    )


def format_genes_raw(table: pd.DataFrame, correlations: Sequence[Sequence[float]]) -> str:
    """MAGMA's ``.genes.raw`` layout: two header lines, then per gene
    ``GENE CHR START STOP NSNPS NPARAM NSAMP MAC ZSTAT r_1 ... r_m``."""
    lines = ["# VERSION = 110\n", "# COVAR = NSAMP MAC\n"]
    for r, corr in zip(table.itertuples(index=False), correlations, strict=True):
        fields = [
            str(r.GENE), str(r.CHR), str(r.START), str(r.STOP), str(r.NSNPS), str(r.NPARAM),
            _format_n(r.N), f"{r.MAC:.6g}", f"{r.ZSTAT:.6g}",
        ]  # fmt: skip
        fields.extend(f"{c:.6g}" for c in corr)
        lines.append(" ".join(fields) + "\n")
    return "".join(lines)


def gene_analysis(
    sumstats: SumStats,
    bfile: PathLike,
    gene_loc: GeneLoc,
    *,
    window: tuple[float, float] = (35.0, 10.0),
    n: float | None = None,
    correlations: bool = True,
    corr_range_kb: float = 5000.0,
    corr_max_snps: int = 50,
    drop_strand_ambiguous: bool = False,
    threads: int | None = None,
    match: Matching = "auto",
    progress: Progress | None = None,
    chunk: int = 500,
    bim: Bim | None = None,
    sanity_checks: bool = True,
    annotation: Annotation | None = None,
) -> GeneResults:
    """Gene analysis with MAGMA's SNP-wise mean model.

    Parameters
    ----------
    sumstats : SumStats
        From :func:`ldenrich.read_sumstats` (with ``n_col=``/``read_n=True`` to take N per SNP).
    bfile : str or PathLike
        PLINK reference panel prefix (``PREFIX.bed``, ``.bim``, ``.fam``); the ``.bed`` is
        read SNP by SNP as genes need them, never whole.
    gene_loc : GeneLoc
        Gene locations (MAGMA ``.gene.loc``).
    window : (float, float)
        Kilobases up- and downstream, strand-aware (MAGMA's rule).
    n : float, optional
        Sample size reported for every gene (MAGMA's ``N=``) when the summary statistics carry
        no per-SNP N; with a per-SNP N the gene's N is its SNPs' mean, rounded.
    correlations : bool
        Also compute gene-gene correlations for ``.genes.raw``.
    corr_range_kb : float
        Genes whose window starts lie within this distance are correlated (MAGMA: 5 Mb).
    corr_max_snps : int
        Larger genes are subsampled evenly to this many SNPs for the cross-gene LD sums.
    drop_strand_ambiguous : bool
        Drop A/T and C/G SNPs.
    match : {"auto", "rsid", "position"}
        How rows find their reference SNP (see :func:`ldenrich.annotate`).
    threads : int, optional
        Threads (default ``LDENRICH_NUM_THREADS`` or all cores); results do not depend on it.
    progress : callable, optional
        Called as ``progress(step, done, total)`` between chunks of genes.
    chunk : int
        Genes per native call (the granularity of ``progress``).
    bim : Bim, optional
        The panel's ``.bim`` when already read (:func:`ldenrich.read_bim` of ``bfile``), so it
        is not parsed again; another file is an error.
    sanity_checks : bool
        Warn about inputs that look wrong (:class:`ldenrich.LdenrichWarning`); off when the same
        summary statistics were already checked against the same ``.bim``.
    annotation : Annotation, optional
        The screen's :func:`ldenrich.annotate` of these same summary statistics and ``bim``
        with the same ``match`` and ``drop_strand_ambiguous``: its SNP universe is used as it
        is instead of joining the files again (anything else is an error).

    Returns
    -------
    GeneResults

    Examples
    --------
    >>> import ldenrich
    >>> ex = ldenrich.example_data()
    >>> res = ldenrich.gene_analysis(
    ...     ldenrich.read_sumstats(ex.sumstats, n_col="N"), ex.bfile,
    ...     ldenrich.read_gene_loc(ex.gene_loc), correlations=False)
    >>> bool((res.table.CHR == "22").all()), bool(res.table.P.between(0, 1).all())
    (True, True)
    """
    if annotation is not None and not isinstance(annotation, Annotation):
        raise InvalidArgumentError("annotation must be an Annotation (see ldenrich.annotate)")
    if not isinstance(sumstats, SumStats) or not isinstance(gene_loc, GeneLoc):
        raise InvalidArgumentError("gene_analysis() needs a SumStats and a GeneLoc")
    if n is not None and not (math.isfinite(n) and n > 0):
        raise InvalidArgumentError(f"n must be a positive number; got {n}")
    if chunk < 1 or corr_max_snps < 1 or corr_range_kb < 0:
        raise InvalidArgumentError("chunk and corr_max_snps must be >= 1, corr_range_kb >= 0")
    plan = _native.gene_plan(
        sumstats._native,
        os.fspath(bfile),
        gene_loc._native,
        float(window[0]),
        float(window[1]),
        None if n is None else float(n),
        bool(drop_strand_ambiguous),
        threads,
        None if bim is None else bim._native,
        match,
        None if annotation is None else annotation._native,
    )
    if sanity_checks:
        # Checked before the analysis, which may take minutes.
        counts = dict(plan.qc())
        _sanity.check_reference_match(counts, plan.qc_details(), sumstats.path, plan.bim_path)
        _sanity.check_chisq(sumstats.chisq, sumstats.source, counts, sumstats.path)
    total = len(plan)
    parts = []
    for start in range(0, total, chunk):
        parts.append(plan.run(start, min(total, start + chunk), threads))
        if progress is not None:
            progress("genes", min(total, start + chunk), total)
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}
    table, planned_index = _gene_table(columns, gene_loc, plan)
    corr = None
    if correlations:
        lengths, values = [], []
        for start in range(0, len(table), chunk):
            end = min(len(table), start + chunk)
            n, r = plan.correlations(
                planned_index, start, end, int(corr_range_kb * 1000), corr_max_snps, threads
            )
            lengths.append(n)
            values.append(r)
            if progress is not None:
                progress("correlations", end, len(table))
        corr = _band_from_arrays(
            np.concatenate([np.zeros(0, np.uint64), *lengths]),
            np.concatenate([np.zeros(0, np.float64), *values]),
        )
    qc = qc_frame(plan.qc())
    settings = {
        "window_kb": tuple(window),
        "n_snps_in_universe": plan.n_snps,
        "genes_with_snps": total,
        "corr_range_kb": corr_range_kb if correlations else None,
        "corr_max_snps": corr_max_snps if correlations else None,
        "bim": plan.bim_path,
    }
    return GeneResults(table, corr, qc, plan.n_samples, settings)


def _gene_table(
    columns: dict[str, np.ndarray], gene_loc: GeneLoc, plan: _native.GenePlan
) -> tuple[pd.DataFrame, list[int]]:
    if not columns:
        empty = pd.DataFrame({c: [] for c in [*GENE_COLUMNS, *EXTRA_COLUMNS]})
        return empty, []
    analysed = columns["analysed"]
    ids = np.asarray(gene_loc._native.ids(), dtype=object)
    symbols = np.asarray(gene_loc._native.symbols(), dtype=object)
    chroms = gene_loc._native.chrom()
    rows = columns["gene_row"][analysed].astype(np.int64)
    p = columns["p"][analysed]
    mlog10p = -columns["ln_p"][analysed] / math.log(10)
    tested = int(analysed.sum())
    table = pd.DataFrame(
        {
            "GENE": ids[rows],
            "CHR": [chrom_name(c) for c in chroms[rows]],
            "START": columns["first"][analysed].astype(np.int64),
            "STOP": columns["last"][analysed].astype(np.int64),
            "NSNPS": columns["n_snps"][analysed].astype(np.int64),
            "NPARAM": columns["n_param"][analysed].astype(np.int64),
            "N": columns["n"][analysed],
            "ZSTAT": columns["z"][analysed],
            "P": p,
            "SYMBOL": symbols[rows],
            "MLOG10P": mlog10p,
            "P_BONFERRONI": bonferroni(p, n_tests=tested),
            "SIG_BONFERRONI": p < 0.05 / max(tested, 1),
            "MAC": columns["mac"][analysed] / np.maximum(columns["n_snps"][analysed], 1),
            "STAT": columns["stat"][analysed],
            "NMONO": columns["n_monomorphic"][analysed].astype(np.int64),
        }
    )
    return table, np.flatnonzero(analysed).tolist()
