"""Readers: GWAS summary statistics, PLINK .bim, MAGMA gene locations, gene sets and BED files.

Every reader streams its file once in Rust (plain, gzip or BGZF, detected from the bytes, not the
name) and raises :class:`ldenrich.ParseError` naming the file, line and column of bad input.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import numpy as np

from ldenrich import _native
from ldenrich._convert import Output, to_table
from ldenrich.errors import InvalidArgumentError

PathLike = str | os.PathLike[str]
ChisqFrom = Literal["auto", "z", "p", "beta-se"]
Matching = Literal["auto", "rsid", "position"]

_CHROM_NAMES = {23: "X", 24: "Y", 25: "XY", 26: "MT"}


def chrom_name(code: int) -> str:
    """Display name of a PLINK chromosome code (``23`` -> ``"X"``)."""
    return _CHROM_NAMES.get(int(code), str(int(code)))


class SumStats:
    """Summary statistics reduced to what the screen needs: SNP identifiers and chi-squares.

    Create with :func:`read_sumstats`. Only rows with a valid statistic are held; the others are
    counted by reason in :attr:`dropped`.
    """

    def __init__(self, native: _native.SumStats) -> None:
        self._native = native

    @property
    def path(self) -> str:
        """File read."""
        return self._native.path

    @property
    def source(self) -> str:
        """Statistic the chi-squares come from: ``z``, ``p``, ``-log10 p``, ``ln p``,
        ``beta-se`` or ``log(or)-se``."""
        return self._native.source

    @property
    def compression(self) -> str:
        """``plain``, ``gzip`` or ``bgzf``."""
        return self._native.compression

    @property
    def rows_read(self) -> int:
        """Data rows read (blank lines excluded)."""
        return self._native.rows_read

    @property
    def columns(self) -> dict[str, str]:
        """Header column used for each role (``snp``, ``p``, ``a1`` ...)."""
        return dict(self._native.columns())

    @property
    def format(self) -> str | None:
        """The layout preset used (``"regenie"``, ``"pan-ukbb"`` ...), or ``None``."""
        found = self._native.format
        return None if found is None else found[0]

    @property
    def vcf_sample(self) -> str | None:
        """The GWAS-VCF sample (trait) column the statistics came from, or ``None``."""
        return self._native.vcf_sample

    @property
    def format_detected(self) -> bool:
        """Whether :attr:`format` was detected from the header (rather than forced)."""
        found = self._native.format
        return found is not None and found[1]

    @property
    def signed(self) -> bool:
        """Whether the direction of each effect was read (``signed=True``)."""
        return self._native.has_sign

    @property
    def has_n(self) -> bool:
        """Whether a per-SNP sample size was read (its rule is ``columns["n"]``)."""
        return self._native.has_n

    @property
    def p_zero_from_other(self) -> int:
        """Rows with p = 0 whose chi-square came from the row's Z or BETA/SE instead."""
        return self._native.p_zero_from_other

    @property
    def dropped(self) -> dict[str, int]:
        """Rows dropped while parsing, by reason."""
        return {k: v for k, v in self._native.dropped() if v}

    @property
    def chisq(self) -> np.ndarray:
        """Chi-square of each valid row, in file order."""
        return self._native.chisq()

    @property
    def n(self) -> np.ndarray | None:
        """Sample size of each valid row (when read with ``read_n``), in file order."""
        return self._native.n()

    def __len__(self) -> int:
        return len(self._native)

    def to_frame(self, output: Output = "pandas") -> Any:
        """Return ``snp`` and ``chisq`` columns as a DataFrame."""
        return to_table({"snp": self._native.snp_ids(), "chisq": self.chisq}, output)

    def __repr__(self) -> str:
        return f"SumStats({self.path!r}, rows={len(self)}, chisq from {self.source})"


def read_sumstats(
    path: PathLike,
    *,
    snp_col: str | None = None,
    z_col: str | None = None,
    p_col: str | None = None,
    mlog10p_col: str | None = None,
    lnp_col: str | None = None,
    beta_col: str | None = None,
    or_col: str | None = None,
    se_col: str | None = None,
    a1_col: str | None = None,
    a2_col: str | None = None,
    n_col: str | None = None,
    chr_col: str | None = None,
    bp_col: str | None = None,
    read_n: bool | Literal["if-found"] = False,
    n_effective: bool = False,
    chisq_from: ChisqFrom = "auto",
    threads: int | None = None,
    format: str = "auto",
    vcf_sample: str | None = None,
    signed: bool = False,
) -> SumStats:
    """Read GWAS summary statistics.

    Columns are found by case-insensitive synonyms (ldsc's ``munge_sumstats`` list plus GWAS-SSF
    names such as ``variant_id``, ``p_value``, ``standard_error``, ``effect_allele``); the
    ``*_col`` arguments override them. The chi-square comes from Z if there is a Z column, else
    from a p-value (upper chi-square quantile), else from (BETA/SE)^2 or (ln OR/SE)^2. The
    p-value may be written as p (``P``, ``PVAL`` ...; exact down to 1e-300 and beyond through
    the decimal text, e.g. ``1e-400``), as -log10 p (``LOG10P``, ``LP``, ``mlogp``,
    ``MLOG10P``, ``neglog10_pval``, ``neg_log_10_p_value``; exact in log space to any size) or
    as ln p (``LNP``, ``ln_p``), recognised by the column name. A value impossible in the
    column's scale (p above 1 or below 0, a negative -log10 p) is a :class:`ParseError` naming
    the file, line and column: the column is in another scale.

    The layout of common published files is recognised from the header (and ``##`` meta
    lines) and named in :attr:`SumStats.format`; a preset only chooses the columns synonyms
    would get wrong or find ambiguous (see ``format``).

    Parameters
    ----------
    path : str or PathLike
        Plain, gzip or BGZF text; tab, comma or whitespace delimited; header required.
    snp_col, z_col, p_col, mlog10p_col, lnp_col, beta_col, or_col, se_col : str, optional
        Explicit column names (``mlog10p_col``: -log10 p; ``lnp_col``: natural-log p).
    a1_col, a2_col, n_col : str, optional
        Explicit column names.
    chr_col, bp_col : str, optional
        Chromosome and position columns (found by default as ``CHR``/``CHROM``/``chromosome``
        and ``BP``/``POS``/``base_pair_location`` ...). They are optional and only used to check
        the genome build against the reference; SNPs are placed at the reference's positions.
    read_n : bool or "if-found"
        Also read a per-SNP sample size, used by the gene analysis (``True``: an error when
        there is none; ``"if-found"``: when there is one; implied by ``n_col``). It is found,
        in this order, as a column (``N``, ``NEFF``, ``N_EFF``, ``OBS_CT``, ``NMISS``,
        ``n_complete_samples``, ``SAMPLESIZE``, ``TotalSampleSize``, ``SS``, ``WEIGHT``, and
        PGC's ``NEFFDIV2``, read doubled), as case and control columns (``NCAS``/``NCON``,
        ``Nca``/``Nco``, ``N_CASES``/``N_CONTROLS``, ``N_case``/``N_ctrl`` ...) summed, or as
        the counts in daner's ``FRQ_A_<Ncas>``/``FRQ_U_<Ncon>`` header names. The rule used is
        ``columns["n"]``. Rows with a missing or non-positive N are dropped.
    n_effective : bool
        With case and control counts, use the effective sample size
        ``4 / (1/Ncas + 1/Ncon)`` instead of their sum (also when an ``N`` column exists).
    chisq_from : {"auto", "z", "p", "beta-se"}
        Force the statistic the chi-square is computed from.
    format : str
        ``"auto"`` (detect) or a preset: ``gwas-ssf``; ``gwas-catalog-harmonised`` (the
        ``hm_*`` columns); ``pan-ukbb`` (``chr pos ref alt``; the meta-analysis statistics
        ``beta_meta se_meta neglog10_pval_meta`` by default, ``*_meta_hq`` when only those
        exist; name a population's columns with ``beta_col=`` ... to use it); ``neale-ukb``
        (``variant`` = ``chr:pos:ref:alt``, ``pval``); ``finngen`` (``rsids``, ``mlogp``);
        ``regenie`` (``LOG10P``; only ``TEST`` = ``ADD`` rows, the others counted as
        ``other_test``); ``saige`` (``MarkerID``, ``p.value``); ``metal``; ``plink2``
        (``--glm``: alleles ``REF``/``ALT``, only ``TEST`` = ``ADD``); ``fastgwa``;
        ``bolt-lmm`` (``P_BOLT_LMM`` over ``P_BOLT_LMM_INF``); ``gwas-vcf`` (OpenGWAS: the
        ``ES:SE:LP:AF:SS`` values of the sample column, keyed per row by ``FORMAT``; see
        ``vcf_sample``);
        ``daner`` (N from
        ``FRQ_A_<Ncas>``/``FRQ_U_<Ncon>``); ``pgc-table``; ``ldsc``. Explicit ``*_col``
        arguments override a preset's choice.
    vcf_sample : str, optional
        The sample (trait) column of a GWAS-VCF with several, matched exactly, else
        case-insensitively when that names one. A GWAS-VCF with several samples and none
        chosen is an :class:`InvalidArgumentError` listing them; naming a sample for another
        layout is one too.
    signed : bool
        Also read the direction of each effect, which :func:`ldenrich.munge_sumstats` needs
        for a signed Z: the sign of the statistic's own column (Z, BETA, ln OR), else of a
        ``Z``, ``BETA`` or ``OR`` column beside a p-value. A row whose direction is missing is
        then dropped (counted as ``missing_statistic``; an odds ratio at or below 0 as
        ``invalid_statistic``; a plink2 row whose ``A1`` is neither ``REF`` nor ``ALT`` as
        ``allele_mismatch``); a file with none is a :class:`MissingColumnError`.
    threads : int, optional
        Threads that decompress (BGZF) and parse the file (default: ``LDENRICH_NUM_THREADS``
        or all cores); the result does not depend on it.

    Returns
    -------
    SumStats

    Raises
    ------
    ParseError
        A row with a different number of fields than the header, a corrupt gzip stream, or a
        p-value impossible in its column's scale.
    MissingColumnError
        No SNP or statistic column, or two columns competing for the statistic used.

    Examples
    --------
    >>> import ldenrich
    >>> ss = ldenrich.read_sumstats(ldenrich.example_data().sumstats)
    >>> ss.source, len(ss)
    ('p', 15935)
    """
    columns = [
        (role, name)
        for role, name in (
            ("snp", snp_col),
            ("z", z_col),
            ("p", p_col),
            ("mlog10p", mlog10p_col),
            ("lnp", lnp_col),
            ("beta", beta_col),
            ("or", or_col),
            ("se", se_col),
            ("a1", a1_col),
            ("a2", a2_col),
            ("n", n_col),
            ("chr", chr_col),
            ("bp", bp_col),
        )
        if name is not None
    ]
    if read_n not in (True, False, "if-found"):
        raise InvalidArgumentError(f"read_n must be True, False or 'if-found'; got {read_n!r}")
    mode = "required" if read_n is True or n_col is not None else "if-found" if read_n else "no"
    return SumStats(
        _native.read_sumstats(
            os.fspath(path),
            columns,
            chisq_from,
            mode,
            n_effective,
            threads,
            format,
            vcf_sample,
            signed,
        )
    )


class Bim:
    """A PLINK ``.bim`` variant table. Create with :func:`read_bim`."""

    def __init__(self, native: _native.Bim) -> None:
        self._native = native

    @property
    def path(self) -> str:
        """File read."""
        return self._native.path

    def __len__(self) -> int:
        return len(self._native)

    def to_frame(self, output: Output = "pandas") -> Any:
        """Return ``chrom, snp, bp, a1, a2`` (chrom as a PLINK code) as a DataFrame."""
        a1, a2 = self._native.alleles()
        return to_table(
            {
                "chrom": self._native.chrom(),
                "snp": self._native.snp_ids(),
                "bp": self._native.bp(),
                "a1": a1,
                "a2": a2,
            },
            output,
        )

    def __repr__(self) -> str:
        return f"Bim({self.path!r}, variants={len(self)})"


def read_bim(path: PathLike, *, threads: int | None = None) -> Bim:
    """Read a PLINK ``.bim`` file, given as a file or as a PLINK prefix.

    Chromosome codes 1-26, X, Y, XY, MT/M and ``chr`` prefixes are accepted.

    Parameters
    ----------
    path : str or PathLike
        ``panel.bim``, ``panel.bim.gz`` or the prefix ``panel``.
    threads : int, optional
        Threads that parse the file (default: ``LDENRICH_NUM_THREADS`` or all cores).

    Returns
    -------
    Bim

    Examples
    --------
    >>> import ldenrich
    >>> len(ldenrich.read_bim(ldenrich.example_data().bim))
    15938
    """
    return Bim(_native.read_bim(os.fspath(path), threads))


class GeneLoc:
    """MAGMA gene locations. Create with :func:`read_gene_loc`."""

    def __init__(self, native: _native.GeneLoc) -> None:
        self._native = native

    @property
    def path(self) -> str:
        """File read."""
        return self._native.path

    @property
    def skipped(self) -> dict[str, int]:
        """Lines skipped by MAGMA's rules, by reason."""
        return dict(self._native.skipped())

    @property
    def warnings(self) -> list[str]:
        """Warnings raised while reading (e.g. no strand column)."""
        return list(self._native.warnings())

    def __len__(self) -> int:
        return len(self._native)

    def to_frame(self, output: Output = "pandas") -> Any:
        """Return ``gene, chrom, start, stop, strand, symbol`` as a DataFrame."""
        return to_table(
            {
                "gene": self._native.ids(),
                "chrom": self._native.chrom(),
                "start": self._native.start(),
                "stop": self._native.stop(),
                "strand": self._native.strand(),
                "symbol": self._native.symbols(),
            },
            output,
        )

    def __repr__(self) -> str:
        return f"GeneLoc({self.path!r}, genes={len(self)})"


def read_gene_loc(path: PathLike) -> GeneLoc:
    """Read a MAGMA ``.gene.loc`` file (``id chrom start stop [strand [symbol]]``, no header).

    MAGMA's rules apply: genes with an unknown chromosome or ``stop <= start`` are skipped and
    counted, a duplicated gene id is an error, and without a valid strand on the first line all
    genes are taken as ``+``.

    Parameters
    ----------
    path : str or PathLike
        Plain or gzip.

    Returns
    -------
    GeneLoc

    Examples
    --------
    >>> import ldenrich
    >>> len(ldenrich.read_gene_loc(ldenrich.example_data().gene_loc))
    19161
    """
    return GeneLoc(_native.read_gene_loc(os.fspath(path)))


class GeneSets(Mapping[str, list[str]]):
    """Gene sets of one file: a read-only mapping from set name to its gene tokens.

    Sets read by :func:`read_gene_sets` stay in the core: :func:`ldenrich.annotate` takes them
    as they are, and this mapping reads a set's genes only when asked for them.

    Attributes
    ----------
    source : str
        File the sets come from.
    format : str
        Layout detected or forced: ``gmt``, ``magma`` or ``long``.
    descriptions : dict[str, str]
        GMT descriptions (empty strings for other layouts).

    Examples
    --------
    >>> import ldenrich
    >>> sets = ldenrich.GeneSets({"pair": ["GRIN2A", "GRIK1"]})
    >>> len(sets), sets["pair"]
    (1, ['GRIN2A', 'GRIK1'])
    """

    _native: _native.GeneSets | None

    def __init__(
        self,
        sets: Mapping[str, list[str]],
        source: str = "python",
        format: str = "python",
        descriptions: Mapping[str, str] | None = None,
    ) -> None:
        self._native = None
        self._sets: dict[str, list[str]] | None = {
            name: list(genes) for name, genes in sets.items()
        }
        self._index: dict[str, int] = {}
        self.source = source
        self.format = format
        self.descriptions = dict(descriptions or {})

    @classmethod
    def _from_native(cls, native: _native.GeneSets) -> GeneSets:
        self = cls.__new__(cls)
        self._native = native
        self._sets = None
        names = native.names()
        self._index = {name: i for i, name in enumerate(names)}
        self.source = native.path
        self.format = native.format
        self.descriptions = dict(zip(names, native.descriptions(), strict=True))
        return self

    def __getitem__(self, name: str) -> list[str]:
        if self._native is None:
            return self._sets[name]  # type: ignore[index]
        return self._native.genes(self._index[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._index if self._native is not None else self._sets)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._index if self._native is not None else self._sets)  # type: ignore[arg-type]

    def __reduce__(self) -> tuple[Any, ...]:
        # The core's object does not pickle; a copy (e.g. for another process) holds the sets.
        return (GeneSets, (dict(self.items()), self.source, self.format, self.descriptions))

    def __repr__(self) -> str:
        return f"GeneSets({self.source!r}, format={self.format}, sets={len(self)})"


def read_gene_sets(
    path: PathLike, format: Literal["auto", "gmt", "magma", "long"] = "auto"
) -> GeneSets:
    """Read gene sets: GMT, MAGMA's row format, or two-column long format.

    Genes may be given as symbols or as gene ids (Entrez in NCBI37.3); they are resolved against
    the gene locations when annotating, and the genes not found are counted per set.

    Parameters
    ----------
    path : str or PathLike
        Plain or gzip.
    format : {"auto", "gmt", "magma", "long"}
        ``auto``: ``*.gmt`` is GMT; a file whose lines all have two fields is long format; a
        tab-separated file whose second field looks like a description is GMT; otherwise MAGMA's
        ``set gene gene ...`` rows.

    Returns
    -------
    GeneSets

    Examples
    --------
    >>> import ldenrich
    >>> sets = ldenrich.read_gene_sets(ldenrich.example_data().gene_sets)
    >>> sets.format, "GRIN2A" in sets["nmda_receptors"]
    ('gmt', True)
    """
    return GeneSets._from_native(_native.read_gene_sets(os.fspath(path), format))


def read_bed(path: PathLike, output: Output = "pandas") -> Any:
    """Read a BED file (0-based, half-open) into ``chrom, start, end`` columns.

    ``track``/``browser``/``#`` lines are skipped; contigs other than chromosomes 1-26 (for
    example ``chrUn_gl000220``) and zero-length intervals are skipped and counted in the
    ``skipped`` attribute of the returned pandas frame (``df.attrs["skipped"]``).

    Parameters
    ----------
    path : str or PathLike
        Plain, gzip or BGZF.
    output : {"pandas", "polars"}

    Returns
    -------
    DataFrame
        ``chrom`` (PLINK code), ``start``, ``end``.

    Examples
    --------
    >>> import tempfile, pathlib, ldenrich
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.bed"
    >>> _ = p.write_text("chr22\\t100\\t200\\n")
    >>> ldenrich.read_bed(p).to_dict("list")
    {'chrom': [22], 'start': [100], 'end': [200]}
    """
    bed = _native.read_bed(os.fspath(path))
    table = to_table({"chrom": bed.chrom(), "start": bed.start(), "end": bed.end()}, output)
    if output == "pandas":
        table.attrs["skipped"] = dict(bed.skipped())
    return table
