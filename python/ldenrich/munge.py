"""Harmonised summary statistics: one clean file for S-LDSC, ldsc and other tools.

:func:`munge_sumstats` joins summary statistics to a reference ``.bim`` exactly as the screen
does (by rsid, else by chromosome, position and alleles) and gives every kept SNP a signed Z
for the reference's first allele, its sample size and its p-value. With an allele list
(ldsc's ``--merge-alleles``, e.g. HapMap 3's ``w_hm3.snplist``) the table keeps only the listed
SNPs whose alleles agree, expressed in the list's alleles. Every row left out is counted by
reason.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ldenrich import _native, _sanity
from ldenrich._atomic import atomic_path
from ldenrich._convert import Output, qc_frame, to_table
from ldenrich.errors import InvalidArgumentError
from ldenrich.io import Bim, SumStats

__all__ = ["MergeAlleles", "MungedSumStats", "munge_sumstats", "read_merge_alleles"]

Layout = Literal["harmonised", "ldsc"]


class MergeAlleles:
    """An allele list (``SNP A1 A2``). Create with :func:`read_merge_alleles`."""

    def __init__(self, native: _native.MergeAlleles) -> None:
        self._native = native

    @property
    def path(self) -> str:
        """File read."""
        return self._native.path

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        return f"MergeAlleles({self.path!r}, snps={len(self)})"


def read_merge_alleles(path: str | os.PathLike[str]) -> MergeAlleles:
    """Read an allele list: ldsc's ``--merge-alleles`` file.

    Parameters
    ----------
    path : str or PathLike
        A header naming ``SNP``, ``A1`` and ``A2`` (any case; other columns are ignored); tab
        or blank separated, plain or gzip. A SNP listed twice is an :class:`InconsistentInputError`.

    Returns
    -------
    MergeAlleles

    Examples
    --------
    >>> import pathlib, tempfile, ldenrich
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "w_hm3.snplist"
    >>> _ = f.write_text("SNP A1 A2\\nrs131538 A G\\n")
    >>> len(ldenrich.read_merge_alleles(f))
    1
    """
    return MergeAlleles(_native.read_merge_alleles(os.fspath(path)))


class MungedSumStats:
    """The harmonised table, in genome order. Create with :func:`munge_sumstats`."""

    def __init__(self, native: _native.Munged) -> None:
        self._native = native

    def __len__(self) -> int:
        return len(self._native)

    @property
    def merge_alleles(self) -> str | None:
        """The allele list applied, if any."""
        return self._native.merge_alleles

    @property
    def qc(self) -> pd.DataFrame:
        """Accounting of every summary-statistic row, as :attr:`Annotation.qc`:
        ``read == used + sum(dropped_*)``, with the join's reasons and then munge's own
        (``allele_missing``, ``reference_allele_missing``, ``not_in_merge_alleles``,
        ``merge_alleles_mismatch``, ``effect_zero``)."""
        return qc_frame(self._native.qc_table())

    @property
    def qc_details(self) -> dict[str, Any]:
        """Reference-side counts and the position comparison, as
        :attr:`Annotation.qc_details`."""
        return dict(self._native.qc_details())

    def to_frame(self, output: Output = "pandas") -> Any:
        """``SNP CHR BP A1 A2 Z N P`` as a DataFrame (``CHR`` as a PLINK code).

        ``Z`` is signed for ``A1``; ``P`` is its two-sided p-value.
        """
        a1, a2 = self._native.alleles()
        return to_table(
            {
                "SNP": self._native.snp_ids(),
                "CHR": self._native.chrom(),
                "BP": self._native.bp(),
                "A1": a1,
                "A2": a2,
                "Z": self._native.z(),
                "N": self._native.n(),
                "P": self._native.p(),
            },
            output,
        )

    def write(
        self,
        path: str | os.PathLike[str],
        layout: Layout = "harmonised",
        threads: int | None = None,
    ) -> Path:
        """Write the table atomically; gzip when ``path`` ends in ``.gz``.

        Parameters
        ----------
        path : str or PathLike
            Output file.
        layout : {"harmonised", "ldsc"}
            ``harmonised``: ``SNP CHR BP A1 A2 Z N P``; ``ldsc``: ``SNP A1 A2 Z N``, ldsc's
            ``.sumstats`` layout, which ``ldenrich h2`` and ldsc read.
        threads : int, optional
            Threads that format and compress (the bytes do not depend on it).

        Returns
        -------
        Path
            The path written.
        """
        if layout not in ("harmonised", "ldsc"):
            raise InvalidArgumentError(f"layout must be 'harmonised' or 'ldsc'; got {layout!r}")
        with atomic_path(path) as tmp:
            self._native.write(os.fspath(tmp), layout, threads)
        return Path(path)

    def __repr__(self) -> str:
        return f"MungedSumStats(snps={len(self)}, merge_alleles={self.merge_alleles!r})"


def munge_sumstats(
    sumstats: SumStats,
    bim: Bim,
    *,
    merge_alleles: MergeAlleles | str | os.PathLike[str] | None = None,
    n: float | None = None,
    drop_strand_ambiguous: bool = True,
    match: Literal["auto", "rsid", "position"] = "auto",
    threads: int | None = None,
) -> MungedSumStats:
    """Harmonise summary statistics to a reference: signed Z, N and p for every usable SNP.

    Rows are joined to ``bim`` as for the screen (see :func:`ldenrich.annotate`): by rsid, else
    by chromosome, position and alleles (``match``), alleles checked directly, swapped or
    strand-flipped, duplicated ids dropped. Each kept SNP gets ``Z = sign(effect) *
    sqrt(chi-square)`` for the reference's first allele (negated when the file's effect allele
    is the reference's second, on either strand); the chi-square is the one every analysis
    uses. Rows whose file or reference allele is missing are left out, since their direction is
    unknown, as are rows whose effect is written as exactly 0 while their p-value is below 1
    (``effect_zero``: a rounded BETA), and so are strand-ambiguous SNPs (A/T, C/G) unless
    ``drop_strand_ambiguous`` is false (their direction then assumes both files use the same
    strand).

    Parameters
    ----------
    sumstats : SumStats
        Read with ``signed=True`` (and a sample size: ``read_n="if-found"`` or ``n``).
    bim : Bim
        The reference; its rsids, positions and alleles name the SNPs of the table.
    merge_alleles : MergeAlleles or path, optional
        Keep only the listed SNPs whose alleles match the list's (directly, swapped or
        strand-flipped), with Z expressed for the list's ``A1``; the others are counted as
        ``dropped_not_in_merge_alleles`` and ``dropped_merge_alleles_mismatch``.
    n : float, optional
        One sample size for every SNP, overriding the file's; needed when it has none.
    drop_strand_ambiguous : bool
        Leave out A/T and C/G SNPs (default, as ldsc's munge does).
    match : {"auto", "rsid", "position"}
        How rows find their reference SNP.
    threads : int, optional
        Threads (the result does not depend on it).

    Returns
    -------
    MungedSumStats

    Raises
    ------
    InvalidArgumentError
        ``sumstats`` read without ``signed=True``, or no sample size.
    MissingColumnError
        No allele columns.
    InconsistentInputError
        No SNP left.

    Examples
    --------
    >>> import ldenrich
    >>> ex = ldenrich.example_data()
    >>> ss = ldenrich.read_sumstats(ex.sumstats, signed=True, read_n=True)
    >>> m = ldenrich.munge_sumstats(ss, ldenrich.read_bim(ex.bim))
    >>> qc = m.qc.set_index("reason")["count"]
    >>> len(m), int(qc["read"]) == int(qc.drop("read").sum()), int(qc["dropped_strand_ambiguous"])
    (14954, True, 981)
    """
    if not isinstance(sumstats, SumStats):
        raise InvalidArgumentError("sumstats must come from ldenrich.read_sumstats")
    if not isinstance(bim, Bim):
        raise InvalidArgumentError("bim must come from ldenrich.read_bim")
    if merge_alleles is not None and not isinstance(merge_alleles, MergeAlleles):
        merge_alleles = read_merge_alleles(merge_alleles)
    if n is not None:
        try:
            n = float(n)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"n must be a positive number; got {n!r}") from None
    if match not in ("auto", "rsid", "position"):
        raise InvalidArgumentError(f"match must be auto, rsid or position; got {match!r}")
    munged = MungedSumStats(
        _native.munge(
            sumstats._native,
            bim._native,
            None if merge_alleles is None else merge_alleles._native,
            n,
            bool(drop_strand_ambiguous),
            match,
            threads,
        )
    )
    qc = dict(zip(munged.qc["reason"], munged.qc["count"].tolist(), strict=True))
    _sanity.check_reference_match(qc, munged.qc_details, sumstats.path, bim.path)
    return munged
