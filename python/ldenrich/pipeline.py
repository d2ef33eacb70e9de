"""The whole analysis as a library call: read once, join once, write every output.

:func:`run_all` is what ``ldenrich run`` (and ``enrich`` and ``demo``) do: read the summary
statistics and the reference, build one SNP universe that the enrichment screen and the gene
analysis share, run the gene-set analysis, and write the tables, figures and report. The
reference part (the panel's ``.bim``, gene locations, gene sets, BED annotations, converted for
the core) is a :class:`Reference` of its own, so :mod:`ldenrich.batch` reads it once and runs
any number of traits against it with :func:`run_trait`.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

import ldenrich
from ldenrich import _native
from ldenrich._atomic import write_tsv
from ldenrich._log import LOGGER, log_items, log_snp_accounting, log_sumstats, step
from ldenrich.errors import InvalidArgumentError, MissingColumnError

if TYPE_CHECKING:
    import pandas as pd

    from ldenrich.annot import Annotation, CategorySpecs
    from ldenrich.genes import GeneResults
    from ldenrich.io import Bim, GeneLoc, GeneSets, SumStats
    from ldenrich.sets import GeneSetResults
    from ldenrich.sldsc import H2Result, LdReference

PathLike = str | os.PathLike[str]

#: The analyses of a run, in the order they run (``h2``, stratified LD score regression, runs
#: when asked for or, in ``ldenrich run``, when reference LD scores are given).
ANALYSES = ("screen", "genes", "sets")
ALL_ANALYSES = (*ANALYSES, "h2")

#: How a summary-statistic column is named by role (``snp_col=...`` of read_sumstats).
COLUMN_ROLES = ("snp", "z", "p", "mlog10p", "lnp", "beta", "or", "se", "a1", "a2", "chr", "bp")


@dataclass(frozen=True)
class Options:
    """Every choice of a run except its inputs; checked when made, before anything is read.

    The names are those of ``ldenrich run``'s options (``--perm-stop`` is ``perm_stop``);
    ``raw=False`` is ``--no-raw`` and ``set_correlations=False`` is ``--no-correlations``.

    Examples
    --------
    >>> from ldenrich.pipeline import Options
    >>> Options(analyses=("screen",), permutations=1000).analyses
    ('screen',)
    >>> import ldenrich
    >>> try:
    ...     Options(blocks=1)
    ... except ldenrich.InvalidArgumentError as exc:
    ...     print(exc)
    blocks must be at least 2; got 1
    """

    analyses: tuple[str, ...] = ANALYSES
    window: tuple[float, float] = (35.0, 10.0)
    drop_strand_ambiguous: bool = False
    match: str = "auto"
    # The screen.
    blocks: int = 200
    min_snps: int = 1
    permutations: int = 10_000
    perm_stop: int = 50
    seed: int = 0
    # The gene analysis.
    raw: bool = True
    corr_range_kb: float = 5000.0
    corr_max_snps: int = 50
    # The gene-set analysis.
    gene_set_format: str = "auto"
    covariates: str = "default"
    set_correlations: bool = True
    truncate: tuple[float, float] = (3.0, 6.0)
    min_genes: int = 2
    alpha: float = 0.05
    members_top: int = 200
    # Outputs.
    figures: bool = True
    report: bool = True
    threads: int | None = None

    def __post_init__(self) -> None:
        analyses = tuple(self.analyses)
        object.__setattr__(self, "analyses", analyses)
        unknown = [a for a in analyses if a not in ALL_ANALYSES]
        if unknown or not analyses or len(set(analyses)) != len(analyses):
            raise InvalidArgumentError(
                f"analyses must be distinct names among {', '.join(ALL_ANALYSES)}; got {analyses}"
            )
        if "sets" in analyses and "genes" not in analyses:
            raise InvalidArgumentError("the gene-set analysis needs the gene analysis (genes)")
        object.__setattr__(self, "window", _pair(self.window, "window"))
        object.__setattr__(self, "truncate", _pair(self.truncate, "truncate"))
        checks = [
            (self.blocks >= 2, f"blocks must be at least 2; got {self.blocks}"),
            (self.min_snps >= 1, f"min_snps must be at least 1; got {self.min_snps}"),
            (self.permutations >= 0, f"permutations must be 0 or more; got {self.permutations}"),
            (self.perm_stop >= 0, f"perm_stop must be 0 or more; got {self.perm_stop}"),
            (0 <= self.seed < 2**64, f"seed must be in [0, 2**64); got {self.seed}"),
            (self.min_genes >= 1, f"min_genes must be at least 1; got {self.min_genes}"),
            (self.members_top >= 0, f"members_top must be 0 (every set) or more; got "
                                    f"{self.members_top}"),
            (0 < self.alpha < 1, f"alpha must be in (0, 1); got {self.alpha}"),
            (self.corr_max_snps >= 1, f"corr_max_snps must be at least 1; got "
                                      f"{self.corr_max_snps}"),
            (self.corr_range_kb >= 0, f"corr_range_kb must be >= 0; got {self.corr_range_kb}"),
            (self.match in ("auto", "rsid", "position"),
             f"match must be auto, rsid or position; got {self.match!r}"),
            (self.covariates in ("default", "none"),
             f"covariates must be default or none; got {self.covariates!r}"),
            (self.gene_set_format in ("auto", "gmt", "magma", "long"),
             f"gene_set_format must be auto, gmt, magma or long; got {self.gene_set_format!r}"),
            (self.threads is None or self.threads >= 1,
             f"threads must be at least 1; got {self.threads}"),
        ]  # fmt: skip
        for ok, message in checks:
            if not ok:
                raise InvalidArgumentError(message)
        if any(v < 0 for v in (*self.window, *self.truncate)):
            raise InvalidArgumentError("window and truncate take numbers >= 0")

    def as_dict(self) -> dict[str, Any]:
        """The options as plain values (the batch runner's record of what produced a result)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _pair(value: Any, name: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be two numbers; got {value!r}") from None
    return low, high


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class SumStatsOptions:
    """How one trait's summary statistics are read (``read_sumstats`` arguments).

    ``n`` is a sample size for every SNP (``--n``); ``n_col`` names a per-SNP column
    (``--n-col``); without either, a sample-size column is used when one is found.
    ``columns`` maps roles (``snp``, ``p``, ``beta`` ... see :data:`COLUMN_ROLES`) to header
    names. ``vcf_sample`` picks the trait column of a GWAS-VCF with several (``--vcf-sample``).

    Examples
    --------
    >>> from ldenrich.pipeline import SumStatsOptions
    >>> SumStatsOptions(n=5000).n
    5000.0
    """

    n: float | None = None
    n_col: str | None = None
    n_effective: bool = False
    format: str = "auto"
    chisq_from: str = "auto"
    columns: Mapping[str, str] = field(default_factory=dict)
    vcf_sample: str | None = None

    def __post_init__(self) -> None:
        if self.n is not None:
            n = float(self.n)
            if not (math.isfinite(n) and n > 0):
                raise InvalidArgumentError(f"n must be a positive number; got {self.n}")
            object.__setattr__(self, "n", n)
        if self.n is not None and self.n_col is not None:
            raise InvalidArgumentError("give n or n_col, not both")
        unknown = sorted(set(self.columns) - set(COLUMN_ROLES))
        if unknown:
            raise InvalidArgumentError(
                f"unknown column roles {unknown}; roles are {', '.join(COLUMN_ROLES)}"
            )
        object.__setattr__(self, "columns", dict(self.columns))

    def as_dict(self) -> dict[str, Any]:
        """The options as plain values."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def read_trait_sumstats(
    path: PathLike, options: SumStatsOptions, threads: int | None = None, *, genes: bool = True
) -> SumStats:
    """:func:`ldenrich.read_sumstats` with a trait's :class:`SumStatsOptions`; a sample-size
    column is looked for only when the gene analysis (``genes``) will use it, since a row
    without its N is dropped."""
    return ldenrich.read_sumstats(
        path,
        n_col=options.n_col,
        read_n="if-found" if options.n is None and genes else False,
        n_effective=options.n_effective,
        chisq_from=options.chisq_from,  # type: ignore[arg-type]
        format=options.format,
        vcf_sample=options.vcf_sample,
        threads=threads,
        **{f"{role}_col": name for role, name in options.columns.items()},
    )


@dataclass(frozen=True)
class ReferenceInputs:
    """The files every trait of a run shares.

    ``bfile`` is the PLINK panel prefix (the gene analysis reads its genotypes); a screen alone
    needs only a ``.bim`` (``bim``, or the panel's). ``gene_loc`` is a MAGMA gene-location file
    or ``NCBI37``/``NCBI38`` for the bundled ones.
    """

    bfile: PathLike | None = None
    bim: PathLike | None = None
    gene_loc: PathLike | None = None
    gene_sets: Sequence[PathLike] = ()
    beds: Sequence[PathLike] = ()
    #: S-LDSC (analysis ``h2``): ldsc's per-chromosome LD-score and weight prefixes
    #: (comma-separated prefixes are placed side by side), as ``ldenrich h2``.
    ref_ld_chr: str | None = None
    w_ld_chr: str | None = None
    overlap_annot: bool = False
    frqfile_chr: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "gene_sets", tuple(self.gene_sets))
        object.__setattr__(self, "beds", tuple(self.beds))

    @property
    def bim_path(self) -> PathLike | None:
        """The ``.bim`` the universe is built on."""
        return self.bim if self.bim is not None else self.bfile

    def check(self, options: Options) -> None:
        """Refuse inputs that cannot serve the analyses, before anything is read."""
        if self.bim_path is None:
            raise InvalidArgumentError("a reference is needed: give bfile (or bim for a screen)")
        if {"genes", "sets"} & set(options.analyses):
            if self.bfile is None:
                raise InvalidArgumentError("the gene analysis needs the PLINK panel (--bfile)")
            if self.gene_loc is None:
                raise InvalidArgumentError("the gene analysis needs gene locations (--gene-loc)")
        if self.gene_sets and self.gene_loc is None:
            raise InvalidArgumentError("--gene-sets needs --gene-loc")
        if "sets" in options.analyses and not self.gene_sets:
            raise InvalidArgumentError("the gene-set analysis needs gene sets (--gene-sets)")
        if "h2" in options.analyses and (self.ref_ld_chr is None or self.w_ld_chr is None):
            raise InvalidArgumentError("S-LDSC (h2) needs --ref-ld-chr and --w-ld-chr")
        if options.analyses == ("screen",) and not self.gene_sets and not self.beds:
            raise InvalidArgumentError("nothing to test: give --gene-sets and/or --bed")

    def as_dict(self) -> dict[str, Any]:
        """The inputs as plain values (paths as text)."""

        def text(v: Any) -> Any:
            return None if v is None else os.fspath(v)

        return {
            "bfile": text(self.bfile), "bim": text(self.bim), "gene_loc": text(self.gene_loc),
            "gene_sets": [os.fspath(p) for p in self.gene_sets],
            "beds": [os.fspath(p) for p in self.beds],
            "ref_ld_chr": self.ref_ld_chr, "w_ld_chr": self.w_ld_chr,
            "overlap_annot": self.overlap_annot, "frqfile_chr": self.frqfile_chr,
        }  # fmt: skip


@dataclass
class Reference:
    """The shared inputs, read and converted for the core once. Create with
    :func:`load_reference`; give it to :func:`run_trait` for each trait."""

    inputs: ReferenceInputs
    bim: Bim
    gene_loc: GeneLoc | None
    gene_sets: list[GeneSets]
    categories: CategorySpecs
    ld_scores: LdReference | None = None

    def __repr__(self) -> str:
        return (
            f"Reference({self.bim.path!r}, {len(self.bim):,} variants, "
            f"{self.categories.n_gene_sets:,} gene sets, "
            f"{self.categories.n_intervals:,} interval files)"
        )


def load_reference(inputs: ReferenceInputs, options: Options | None = None) -> Reference:
    """Read the shared inputs of a run once.

    Parameters
    ----------
    inputs : ReferenceInputs
    options : Options, optional
        The run's options (``gene_set_format``, ``threads``, and which analyses the reference
        must serve).

    Returns
    -------
    Reference

    Examples
    --------
    >>> import ldenrich
    >>> from ldenrich.pipeline import ReferenceInputs, load_reference
    >>> ex = ldenrich.example_data()
    >>> ref = load_reference(ReferenceInputs(bfile=ex.bfile, gene_loc=ex.gene_loc,
    ...                                      gene_sets=[ex.gene_sets]))
    >>> len(ref.bim)
    15938
    """
    options = options or Options()
    inputs.check(options)
    with step("reading the reference, gene locations and gene sets"):
        bim = ldenrich.read_bim(inputs.bim_path, threads=options.threads)  # type: ignore[arg-type]
        return _finish_reference(inputs, options, bim)


def _finish_reference(inputs: ReferenceInputs, options: Options, bim: Bim) -> Reference:
    from ldenrich.annot import category_specs

    gene_loc = ldenrich.read_gene_loc(inputs.gene_loc) if inputs.gene_loc is not None else None
    gene_sets = [ldenrich.read_gene_sets(p, options.gene_set_format) for p in inputs.gene_sets]
    LOGGER.info("  %s: %d variants", bim.path, len(bim))
    if gene_loc is not None:
        LOGGER.info("  %s: %d genes", gene_loc.path, len(gene_loc))
        for warning in gene_loc.warnings:
            LOGGER.warning("  warning: %s", warning)
        if gene_loc.skipped:
            LOGGER.info("  gene locations skipped: %s", gene_loc.skipped)
    for gs in gene_sets:
        LOGGER.info("  %s: %d sets (%s)", gs.source, len(gs), gs.format)
    screen = "screen" in options.analyses
    categories = category_specs(gene_sets if screen else None, inputs.beds if screen else None)
    ld_scores = None
    if "h2" in options.analyses:
        from ldenrich.sldsc import load_ld_reference

        assert inputs.ref_ld_chr is not None and inputs.w_ld_chr is not None
        ld_scores = load_ld_reference(
            inputs.ref_ld_chr, inputs.w_ld_chr, overlap_annot=inputs.overlap_annot,
            frqfile_chr=inputs.frqfile_chr,
        )  # fmt: skip
        LOGGER.info("  %s: %r", inputs.ref_ld_chr, ld_scores)
    return Reference(inputs, bim, gene_loc, gene_sets, categories, ld_scores)


@dataclass
class Results:
    """What a run produced.

    Attributes
    ----------
    annotation : Annotation
        The SNP universe (and the screen's categories), shared by the screen and the genes.
    enrichment : pandas.DataFrame or None
        The screen's table (``PREFIX.enrichment.tsv``).
    genes : GeneResults or None
    sets : GeneSetResults or None
    h2 : H2Result or None
        Stratified LD score regression (``PREFIX.h2.results``), when ``h2`` ran.
    written : dict
        Every file written, by kind.
    summary : dict
        Per-trait QC: ``n_rows_read``, ``n_snps_used``, ``mean_chisq``, ``lambda_gc``
        (of the SNPs used), ``n`` (the sample size: ``--n``, else the median of the genes' N,
        else NaN) and ``n_genes``.
    """

    annotation: Annotation
    enrichment: pd.DataFrame | None
    genes: GeneResults | None
    sets: GeneSetResults | None
    written: dict[str, Path]
    summary: dict[str, Any]
    h2: H2Result | None = None

    def __repr__(self) -> str:
        parts = [f"{self.summary['n_snps_used']:,} SNPs"]
        if self.enrichment is not None:
            parts.append(f"{len(self.enrichment):,} categories screened")
        if self.genes is not None:
            parts.append(f"{len(self.genes.table):,} genes")
        if self.sets is not None:
            parts.append(f"{len(self.sets.sets):,} gene sets")
        return f"Results({', '.join(parts)}; {len(self.written)} files)"


def run_all(
    sumstats: PathLike,
    reference: ReferenceInputs,
    out: PathLike,
    options: Options | None = None,
    sumstats_options: SumStatsOptions | None = None,
    *,
    command: str | None = None,
) -> Results:
    """Run every analysis of ``options`` on one trait and write every output under ``out``.

    The summary statistics and the reference ``.bim`` are read at once when there are threads
    to spare; one SNP universe serves the screen and the gene analysis.

    Parameters
    ----------
    sumstats : str or PathLike
        GWAS summary statistics (any layout :func:`ldenrich.read_sumstats` reads).
    reference : ReferenceInputs
    out : str or PathLike
        Output prefix: ``out.enrichment.tsv``, ``out.genes.out`` ...
    options : Options, optional
    sumstats_options : SumStatsOptions, optional
    command : str, optional
        The command line recorded in the report (default: this process's).

    Returns
    -------
    Results

    Examples
    --------
    >>> import ldenrich, tempfile
    >>> from ldenrich.pipeline import Options, ReferenceInputs, run_all
    >>> ex = ldenrich.example_data()
    >>> ref = ReferenceInputs(bfile=ex.bfile, gene_loc=ex.gene_loc, gene_sets=[ex.gene_sets])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     res = run_all(ex.sumstats, ref, f"{tmp}/height",
    ...                   Options(permutations=200, figures=False, raw=False))
    ...     sorted(res.written)[:3]
    ['enrichment', 'genes.out', 'gsa.out']
    """
    options = options or Options()
    sumstats_options = sumstats_options or SumStatsOptions()
    reference.check(options)
    what = "reading inputs"
    if options.analyses == ("screen",):
        what = "reading summary statistics, reference and gene locations"
    with step(what):
        ss, ref = _read_with_reference(sumstats, reference, options, sumstats_options)
    return run_trait(ref, ss, out, options, sumstats_options, command=command)


def _read_with_reference(
    sumstats: PathLike,
    inputs: ReferenceInputs,
    options: Options,
    sumstats_options: SumStatsOptions,
) -> tuple[SumStats, Reference]:
    """Read both at once when there are threads to spare: a gzip file is decompressed on one
    thread, and parsing the .bim meanwhile fills the cores that would otherwise wait for it.
    The readers release the GIL, so the analysis modules are imported in the meantime."""
    threads = options.threads
    bim_path = inputs.bim_path
    genes = bool({"genes", "h2"} & set(options.analyses))
    if _native.resolve_threads(threads) < 2:
        _import_analysis_modules()
        ss = read_trait_sumstats(sumstats, sumstats_options, threads, genes=genes)
        bim = ldenrich.read_bim(bim_path, threads=threads)  # type: ignore[arg-type]
        return ss, _finish_reference(inputs, options, bim)
    with ThreadPoolExecutor(max_workers=2) as pool:
        bim_job = pool.submit(ldenrich.read_bim, bim_path, threads=threads)
        ss_job = pool.submit(read_trait_sumstats, sumstats, sumstats_options, threads,
                             genes=genes)  # fmt: skip
        try:
            _import_analysis_modules()
            # An error in the summary statistics is reported first, as in the sequential order.
            ss = ss_job.result()
            bim = bim_job.result()
        except BaseException:
            # Ctrl-C reaches this (main) thread only; the readers would otherwise run to the end
            # of their files before the pool lets go.
            _native.cancel()
            raise
    return ss, _finish_reference(inputs, options, bim)


def _import_analysis_modules() -> None:
    """Import what the steps after reading need (pandas and scipy: 0.3 s of start-up)."""
    import ldenrich.annot
    import ldenrich.enrichment_screen
    import ldenrich.sets  # noqa: F401


def run_trait(
    reference: Reference,
    sumstats: SumStats | PathLike,
    out: PathLike,
    options: Options | None = None,
    sumstats_options: SumStatsOptions | None = None,
    *,
    command: str | None = None,
) -> Results:
    """Run one trait against a :class:`Reference` read once; write its outputs under ``out``.

    Parameters
    ----------
    reference : Reference
        From :func:`load_reference` (with the same ``options``).
    sumstats : SumStats, str or PathLike
        Summary statistics already read, or a file to read with ``sumstats_options``.
    out : str or PathLike
        Output prefix.
    options, sumstats_options : optional
    command : str, optional
        The command line recorded in the report.

    Returns
    -------
    Results

    Examples
    --------
    >>> import ldenrich, tempfile
    >>> from ldenrich.pipeline import Options, ReferenceInputs, load_reference, run_trait
    >>> ex = ldenrich.example_data()
    >>> opts = Options(analyses=("screen",), permutations=0)
    >>> ref = load_reference(ReferenceInputs(bim=ex.bim, gene_loc=ex.gene_loc,
    ...                                      gene_sets=[ex.gene_sets]), opts)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     res = run_trait(ref, ex.sumstats, f"{tmp}/height", opts)
    >>> res.summary["n_snps_used"]
    15935
    """
    options = options or Options()
    sumstats_options = sumstats_options or SumStatsOptions()
    prefix = Path(out)
    if not isinstance(sumstats, ldenrich.SumStats):
        with step("reading summary statistics"):
            sumstats = read_trait_sumstats(
                sumstats, sumstats_options, options.threads,
                genes=bool({"genes", "h2"} & set(options.analyses)),
            )  # fmt: skip
    ss = sumstats
    _log_sumstats(ss)
    wants_genes = "genes" in options.analyses
    log_sample_size(sumstats_options, ss, required=False)
    written: dict[str, Path] = {}

    annot = _annotate(options, ss, reference)
    screen = None
    if "screen" in options.analyses:
        screen = _screen(options, annot)
        written.update(write_screen(prefix, annot, screen))
    elif not wants_genes:  # pragma: no cover (Options refuses an empty list)
        raise InvalidArgumentError("nothing to run")

    genes = sets = None
    members = None
    if wants_genes:
        genes = _genes(options, sumstats_options, ss, reference, annot)
        written.update(genes.write(prefix))
    summary = _summary(annot, sumstats_options, genes)
    h2 = None
    if "h2" in options.analyses:
        h2 = _h2(options, ss, reference)
        written["h2.results"] = write_tsv(prefix.with_name(prefix.name + ".h2.results"),
                                          h2.results)  # fmt: skip
        summary["h2"] = h2.summary["h2"]
        summary["h2_se"] = h2.summary["h2_se"]
    del ss
    if "sets" in options.analyses and genes is not None:
        with step("gene-set analysis"):
            sets = ldenrich.gene_set_analysis(
                genes, reference.gene_sets, gene_loc=reference.gene_loc,
                correlations="auto" if options.set_correlations else "none",
                covariates=options.covariates, truncate=options.truncate,
                min_genes=options.min_genes, alpha=options.alpha, threads=options.threads,
            )  # fmt: skip
        log_set_results(sets)
        written.update(
            sets.write(prefix, enrichment=screen, members_sets=options.members_top or None)
        )
        # Most significant sets first: the set-Z figure and the report show the first ones.
        members = sets.top_members()

    if genes is not None and sets is not None and screen is not None:
        written.update(_figures_and_report(prefix, options, reference, annot, screen, genes,
                                           sets, members, written, command, h2))  # fmt: skip
    for kind, path in written.items():
        LOGGER.info("wrote %s (%s)", path, kind)
    return Results(annot, screen, genes, sets, written, summary, h2)


def _h2(options: Options, ss: SumStats, reference: Reference) -> H2Result:
    """Stratified LD score regression of this trait on the reference's LD scores."""
    from ldenrich.sldsc import partitioned_h2

    with step("regressing chi-square on LD scores (S-LDSC)"):
        fit = partitioned_h2(ss, reference=reference.ld_scores, threads=options.threads)
    for reason, count in fit.dropped.items():
        LOGGER.info("  SNPs dropped: %-28s %d", reason, count)
    s = fit.summary
    LOGGER.info(
        "  %d SNPs in the regression; total h2 %.4g (se %.4g); intercept %.4g; lambda GC %.4g",
        s["n_snps"], s["h2"], s["h2_se"], s["intercept"], s["lambda_gc"],
    )  # fmt: skip
    for warning in fit.qc:
        LOGGER.warning("  QC: %s", warning)
    return fit


def _log_sumstats(ss: SumStats) -> None:
    log_sumstats(ss)
    if ss.p_zero_from_other:
        LOGGER.info(
            "  %d rows with p = 0 took their chi-square from the row's Z or BETA/SE",
            ss.p_zero_from_other,
        )


def log_sample_size(options: SumStatsOptions, ss: SumStats, *, required: bool) -> None:
    """Log where the sample size comes from; without one, refuse when ``required``."""
    if options.n is not None:
        LOGGER.info("  sample size: --n %g", options.n)
    elif ss.has_n:
        how = "named by --n-col" if options.n_col else "detected"
        LOGGER.info("  sample size: %s (%s)", ss.columns["n"], how)
    elif required:
        raise MissingColumnError(
            f"{ss.path}: no sample-size column found (N, NEFF, OBS_CT, n_complete_samples, "
            "NCAS with NCON, daner FRQ_A_<Ncas>/FRQ_U_<Ncon>, ...); give --n or --n-col"
        )
    else:
        LOGGER.info("  sample size: none (give --n or --n-col for the genes' N)")


def _annotate(options: Options, ss: SumStats, reference: Reference) -> Annotation:
    """The one SNP universe of the run (with the screen's categories when it runs)."""
    from ldenrich.annot import annotate_specs

    what = "building the SNP universe"
    if reference.categories.n_gene_sets or reference.categories.n_intervals:
        what += " and annotating"
    with step(what):
        annot = annotate_specs(
            ss, reference.bim, reference.gene_loc, reference.categories,
            window=options.window, drop_strand_ambiguous=options.drop_strand_ambiguous,
            threads=options.threads, match=options.match,  # type: ignore[arg-type]
        )  # fmt: skip
    _log_qc(annot)
    return annot


def _log_qc(annot: Annotation) -> None:
    log_snp_accounting(annot.qc)
    details = annot.qc_details
    LOGGER.info(
        "  reference: %d rows, %d with duplicated ids, %d not on chromosomes 1-22; "
        "alleles %s; %d strand-ambiguous SNPs kept",
        details["bim_rows"],
        details["bim_duplicate_rows"],
        details["bim_non_autosomal_rows"],
        "compared" if details["alleles_checked"] else "not compared (sumstats have none)",
        details["strand_ambiguous_kept"],
    )


def _screen(options: Options, annot: Annotation) -> pd.DataFrame:
    """Test every category, logging the outcome."""
    with step(f"testing {len(annot.category_names)} categories"):
        table = ldenrich.enrichment(
            annot, blocks=options.blocks, min_snps=options.min_snps,
            permutations=options.permutations, perm_stop=options.perm_stop, seed=options.seed,
            threads=options.threads,
        )  # fmt: skip
    LOGGER.info("  jackknife blocks: %d over %d SNPs", table.attrs["blocks"], len(annot))
    if options.permutations:
        LOGGER.info(
            "  permutation null: up to %d circular shifts per category within chromosomes, "
            "stopping after %s reach it (seed %d)",
            options.permutations, options.perm_stop or "none", options.seed,
        )  # fmt: skip
    _log_categories(annot, table)
    return table


def _log_categories(annot: Annotation, table: pd.DataFrame) -> None:
    sets = annot.categories()
    partial = sets[(sets.kind == "gene_set") & (sets.n_genes_found < sets.n_genes)]
    lines = []
    for row in partial.itertuples():
        missing = annot.missing_genes(row.category)
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        lines.append(
            f"  {row.category}: {row.n_genes - row.n_genes_found} of {row.n_genes} genes not in "
            f"the gene locations ({shown})"
        )
    log_items(lines, "gene sets with genes not in the gene locations")
    counts = table.status.value_counts()
    tested = table.status == "tested"
    LOGGER.info(
        "  categories: %s; jackknife undefined for %d; %d in fewer than %d blocks (few_blocks: "
        "read enrichment_p_perm, not the study's enrichment_p)",
        ", ".join(f"{k}={v}" for k, v in counts.items()),
        int((tested & ~table.jackknife_ok).sum()),
        int(table.few_blocks.sum()),
        ldenrich.enrichment_screen.FEW_BLOCKS,
    )
    LOGGER.info("  %s", verdict_summary(table))


def verdict_summary(table: pd.DataFrame) -> str:
    """One line: how many categories each p calls significant, the calibrated one first."""
    if table.attrs.get("permutations", 0) == 0:
        head = "no permutations (--permutations 0): calibrated counts from enrichment_p_t"
        parts = [(head, "p_t_bonferroni", "q_t_bh")]
    else:
        parts = [("permutation p (calibrated)", "p_perm_bonferroni", "q_perm_bh")]
    parts.append(("study's jackknife p (normal)", "p_bonferroni", "q_bh"))
    return "; ".join(
        f"{label}: {int((table[bonf] < 0.05).sum())} Bonferroni < 0.05, "
        f"{int((table[bh] < 0.05).sum())} BH q < 0.05"
        for label, bonf, bh in parts
    )


def write_screen(prefix: Path, annot: Annotation, table: pd.DataFrame) -> dict[str, Path]:
    """``PREFIX.enrichment.tsv`` and ``PREFIX.qc.tsv``."""
    paths = {
        "enrichment": prefix.with_name(prefix.name + ".enrichment.tsv"),
        "qc": prefix.with_name(prefix.name + ".qc.tsv"),
    }
    write_tsv(paths["enrichment"], table)
    write_tsv(paths["qc"], annot.qc)
    return paths


class ProgressBar:
    """``progress(step, done, total)`` of :func:`ldenrich.gene_analysis` as tqdm bars on stderr,
    one per step (genes, correlations); nothing when stderr is not a terminal."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, what: str, done: int, total: int) -> None:
        bar = self.bars.get(what)
        if bar is None:
            bar = tqdm(total=total, desc=f"  {what}", unit=" genes", file=sys.stderr,
                       disable=None, leave=False, dynamic_ncols=True)  # fmt: skip
            self.bars[what] = bar
        bar.update(done - bar.n)
        if done >= total:
            bar.close()


def _genes(
    options: Options,
    sumstats_options: SumStatsOptions,
    ss: SumStats,
    reference: Reference,
    annot: Annotation,
) -> GeneResults:
    assert reference.gene_loc is not None and reference.inputs.bfile is not None
    with step("gene analysis (SNP-wise mean model)", live=False):
        genes = ldenrich.gene_analysis(
            ss, reference.inputs.bfile, reference.gene_loc, window=options.window,
            n=sumstats_options.n, correlations=options.raw,
            corr_range_kb=options.corr_range_kb, corr_max_snps=options.corr_max_snps,
            drop_strand_ambiguous=options.drop_strand_ambiguous,
            match=options.match,  # type: ignore[arg-type]
            threads=options.threads, progress=ProgressBar(), bim=reference.bim,
            # annotate() already checked these summary statistics against this .bim, and its
            # universe is the join the genes need: it is used, not built again.
            sanity_checks=False, annotation=annot,
        )  # fmt: skip
    LOGGER.info("  SNPs: the universe of the join above (%d SNPs), not built again", len(annot))
    log_gene_results(genes)
    return genes


def log_gene_results(res: GeneResults) -> None:
    """The SNP accounting and gene counts of a gene analysis."""
    log_snp_accounting(res.qc)
    table = res.table
    LOGGER.info(
        "  %d genes analysed (%d with SNPs in window), panel of %d people",
        len(table), res.settings["genes_with_snps"], res.n_samples,
    )  # fmt: skip
    if len(table):
        LOGGER.info(
            "  genome-wide Bonferroni (p < %.3g): %d genes; p < 1e-3: %d; p < 0.05: %d",
            0.05 / len(table), int(table.SIG_BONFERRONI.sum()), int((table.P < 1e-3).sum()),
            int((table.P < 0.05).sum()),
        )  # fmt: skip


def log_set_results(res: GeneSetResults) -> None:
    """What the user needs to see of a gene-set run, in the log and on stderr."""
    m = res.model
    LOGGER.info("  model: %s", m["description"])
    LOGGER.info("  covariates: %s", ", ".join(m["covariates"]) or "none")
    for d in m["covariates_dropped"]:
        LOGGER.info("    covariate left out: %s", d)
    lo, hi = m["truncation"]
    LOGGER.info("  Z truncated to [%.4g, %.4g]: %d genes", lo, hi, m["n_truncated"])
    for note in m["notes"]:
        LOGGER.warning("  note: %s", note)
    sets = res.sets
    counts = sets.status.value_counts()
    LOGGER.info("  sets: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    partial = sets[sets.n_genes_missing > 0]
    lines = []
    for row in partial.itertuples():
        missing = row.missing_genes.split(",")
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        lines.append(
            f"  {row.set}: {row.n_genes_missing} of {row.n_genes} genes not in the gene results "
            f"({shown})"
        )
    log_items(lines, "gene sets with genes not in the gene results")
    k = res.kruskal.iloc[0]
    LOGGER.info(
        "  Kruskal-Wallis across %d sets: H = %.4g, df = %g, p = %.3g", k.n_sets, k.h, k.df, k.p
    )
    if k.sets_overlap:
        LOGGER.warning(
            "  warning: the sets share genes (%d memberships of %d distinct genes), so "
            "Kruskal-Wallis groups are not independent and its p is not valid; it is reported "
            "only for the study's layout",
            k.n_memberships, k.n_distinct_genes,
        )  # fmt: skip
    top = sets[sets.status == "ok"].nsmallest(10, "p_competitive")
    for row in top.itertuples():
        LOGGER.info(
            "    %-40s genes %5d  beta %8.4f  se %.4f  p %.3g  (q %.3g)",
            row.set[:40], row.n_genes_found, row.beta, row.se, row.p_competitive,
            row.p_competitive_bh,
        )  # fmt: skip


def _summary(
    annot: Annotation, options: SumStatsOptions, genes: GeneResults | None
) -> dict[str, Any]:
    """The per-trait QC row of a batch."""
    import numpy as np

    from ldenrich._pvalues import CHI2_1_MEDIAN

    qc = annot.qc.set_index("reason")["count"]
    chisq = annot.chisq
    n = options.n
    if n is None and genes is not None and len(genes.table):
        # Per-SNP sample sizes reach the output through the genes' N (their SNPs' mean).
        per_gene = genes.table.N.to_numpy(dtype=float)
        per_gene = per_gene[np.isfinite(per_gene)]
        n = float(np.median(per_gene)) if len(per_gene) else None
    return {
        "n_rows_read": int(qc["read"]),
        "n_snps_used": int(qc["used"]),
        "mean_chisq": float(chisq.mean()) if len(chisq) else math.nan,
        "lambda_gc": float(np.median(chisq) / CHI2_1_MEDIAN) if len(chisq) else math.nan,
        "n": math.nan if n is None else float(n),
        "n_genes": math.nan if genes is None else len(genes.table),
    }


_CAPTIONS = {
    "enrichment_forest": "Enrichment screen: mean chi-square ratio in vs out of each category's "
    "gene windows, with 95% delete-one-block jackknife intervals",
    "set_z_distributions": "Gene Z of each set against the genome-wide distribution",
    "genes_manhattan_qq": "Gene-level Manhattan plot (genome-wide Bonferroni line) and QQ plot",
}


def _figures_and_report(
    prefix: Path,
    options: Options,
    reference: Reference,
    annot: Annotation,
    screen: pd.DataFrame,
    genes: GeneResults,
    sets: GeneSetResults,
    members: pd.DataFrame | None,
    written: dict[str, Path],
    command: str | None,
    h2: H2Result | None = None,
) -> dict[str, Path]:
    import shlex

    out: dict[str, Path] = {}
    figures: list[Path] = []
    assert members is not None
    if options.figures:
        with step("figures", live=False):
            descriptions = {
                k: v for gs in reference.gene_sets for k, v in gs.descriptions.items() if v
            }
            figures = _figures(prefix, screen, genes.table, members, descriptions)
        out.update({f"figure {p.name}": p for p in figures})
    else:
        # Figures of an earlier run with this prefix would no longer match the tables.
        for stem in _CAPTIONS:
            for suffix in (".png", ".svg"):
                prefix.with_name(f"{prefix.name}.{stem}{suffix}").unlink(missing_ok=True)
    if options.report:
        with step("report"):
            out["report"] = _report(
                prefix.with_name(prefix.name + ".report.html"),
                command or shlex.join(["ldenrich", *sys.argv[1:]]),
                annot.qc, genes, sets, members, screen, figures, _table_files(written), h2,
            )  # fmt: skip
    return out


def _figures(
    prefix: Path,
    screen: pd.DataFrame,
    genes: pd.DataFrame,
    members: pd.DataFrame,
    descriptions: dict[str, str],
) -> list[Path]:
    from ldenrich import plots

    def stem(name: str) -> Path:
        return prefix.with_name(f"{prefix.name}.{name}")

    drawings = [
        lambda: plots.forest_plot(screen, stem("enrichment_forest"), descriptions=descriptions),
        lambda: plots.set_z_distributions(
            genes, members, stem("set_z_distributions"), descriptions=descriptions
        ),
        lambda: plots.gene_manhattan_qq(genes, stem("genes_manhattan_qq")),
    ]
    paths: list[Path] = []
    # A few seconds each on a genome-wide run: a bar says the run is alive.
    for draw in tqdm(drawings, desc="  figures", unit=" figures", file=sys.stderr, disable=None,
                     leave=False):  # fmt: skip
        paths += draw()
    return paths


def _table_files(written: dict[str, Path]) -> dict[str, str]:
    """The report's table kinds -> the written files' names (the report sits beside them)."""
    kinds = {"enrichment": "enrichment", "sets.tsv": "sets", "table3.tsv": "table3",
             "members.tsv": "members", "gsa.out": "gsa", "genes.out": "genes",
             "h2.results": "h2"}  # fmt: skip
    return {kinds[k]: p.name for k, p in written.items() if k in kinds}


def _report(
    path: Path,
    command: str,
    qc: pd.DataFrame,
    genes: GeneResults,
    sets: GeneSetResults,
    members: pd.DataFrame,
    screen: pd.DataFrame,
    figures: list[Path],
    table_files: dict[str, str],
    h2: H2Result | None = None,
) -> Path:
    from ldenrich import report

    return report.write_report(
        path,
        title="ldenrich analysis",
        command=command,
        version=ldenrich.__version__,
        qc=qc,
        genes=genes.table,
        sets=sets.sets,
        members=members,
        table3=sets.table3(screen),
        kruskal=sets.kruskal,
        enrichment=screen,
        h2=h2,
        # Each PNG/SVG pair is embedded once, as the (smaller) PNG.
        figures=[
            (_CAPTIONS.get(stem.rsplit(".", 1)[-1], stem), [p for p in figures if p.stem == stem])
            for stem in dict.fromkeys(p.stem for p in figures)
        ],
        notes=[sets.model["description"], *sets.model["notes"]],
        table_files=table_files,
    )
