"""``ldenrich run``: the whole analysis of the study in one command.

Gene analysis (MAGMA's SNP-wise mean model), gene-set analysis (competitive GLS and the study's
t tests) and the enrichment screen (mean chi-square in vs out of each set's gene windows), then
every table, the figures and a self-contained HTML report, all in one directory.
"""

from __future__ import annotations

import argparse
import re
from functools import partial
from pathlib import Path
from typing import Any

from ldenrich.cli._common import (
    GENE_LOC_HELP,
    LOGGER,
    OUT_RULE,
    HelpFormatter,
    add_common_options,
    add_gene_loc_options,
    add_out_option,
    add_sample_size_options,
    add_sumstats_options,
    column_names,
    parse_window,
    start_prefix_log,
)
from ldenrich.cli.enrich import add_screen_test_options
from ldenrich.cli.sets import add_set_options
from ldenrich.errors import InvalidArgumentError
from ldenrich.pipeline import ANALYSES, Options, ReferenceInputs, SumStatsOptions, run_all

HELP = "the whole analysis: gene analysis, gene-set analysis, enrichment screen, figures, report"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "run",
        help=HELP,
        description=HELP + ". Writes PREFIX.genes.out/.genes.raw, PREFIX.gsa.out, "
        "PREFIX.sets.tsv, PREFIX.kruskal.tsv, PREFIX.members.tsv (Tables 1/2), PREFIX.table3.tsv, "
        "PREFIX.enrichment.tsv, PREFIX.qc.tsv, PREFIX.<figure>.png|svg, PREFIX.report.html and "
        "PREFIX.log. " + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    add_run_options(p, required=True)
    p.set_defaults(run=run)
    return p


def add_run_options(p: argparse.ArgumentParser, required: bool, sumstats: bool = True) -> None:
    """Options of ``run`` (and ``batch``, whose summary statistics are in its manifest)."""
    io = p.add_argument_group("inputs")
    if sumstats:
        io.add_argument("--sumstats", required=required, type=Path, help="GWAS summary statistics")
    io.add_argument("--bfile", required=required, type=Path, help="PLINK reference panel prefix")
    add_gene_loc_options(io, required, GENE_LOC_HELP)
    io.add_argument(
        "--gene-sets", required=required, type=Path, action="append",
        help="gene-set file (repeatable)",
    )  # fmt: skip
    io.add_argument(
        "--bed", type=Path, action="append", default=[],
        help="BED annotation for the enrichment screen (repeatable)",
    )  # fmt: skip
    add_sample_size_options(p)
    add_sumstats_options(p)
    a = p.add_argument_group("gene analysis and enrichment screen")
    a.add_argument(
        "--window", type=parse_window, default=(35.0, 10.0), metavar="UP,DOWN",
        help="gene window in kb, strand-aware (MAGMA's rule)",
    )  # fmt: skip
    add_screen_test_options(a)
    a.add_argument("--no-raw", action="store_true", help="skip gene-gene correlations (OLS)")
    a.add_argument("--drop-strand-ambiguous", action="store_true", help="drop A/T, C/G SNPs")
    add_set_options(p)
    h2 = p.add_argument_group("stratified LD score regression (S-LDSC), as `ldenrich h2`")
    h2.add_argument(
        "--ref-ld-chr", metavar="PREFIX",
        help="ldsc LD-score prefix(es), comma-separated; given, the run adds PREFIX.h2.results",
    )  # fmt: skip
    h2.add_argument("--w-ld-chr", metavar="PREFIX", help="ldsc regression-weight prefix")
    h2.add_argument("--overlap-annot", action="store_true", help="annotations overlap (baseline)")
    h2.add_argument("--frqfile-chr", metavar="PREFIX", help="PLINK .frq prefix (overlap-annot)")
    if sumstats:
        add_out_option(p, required)
        p.add_argument(
            "--name", default="ldenrich", help="file name prefix when --out is a directory"
        )
    p.add_argument("--no-figures", action="store_true", help="skip figures (and their report part)")
    add_common_options(p)


def options_from_args(args: argparse.Namespace, analyses: tuple[str, ...]) -> Options:
    """The library's :class:`~ldenrich.pipeline.Options` of ``run``'s (and ``batch``'s) flags."""
    get = partial(getattr, args)
    try:
        return _options(args, analyses, get)
    except InvalidArgumentError as exc:
        # The library names its options; the command line user typed flags.
        raise InvalidArgumentError(
            re.sub(r"^(\w+) must", lambda m: f"--{m[1].replace('_', '-')} must", str(exc))
        ) from None


def _options(args: argparse.Namespace, analyses: tuple[str, ...], get: Any) -> Options:
    return Options(
        analyses=analyses, window=args.window, drop_strand_ambiguous=args.drop_strand_ambiguous,
        match=args.match, blocks=args.blocks, min_snps=args.min_snps,
        permutations=args.permutations, perm_stop=args.perm_stop, seed=args.seed,
        raw=not get("no_raw", False), gene_set_format=args.gene_set_format,
        covariates=get("covariates", "default"),
        set_correlations=not get("no_correlations", False),
        truncate=get("truncate", (3.0, 6.0)), min_genes=get("min_genes", 2),
        alpha=get("alpha", 0.05), members_top=get("members_top", 200),
        figures=not get("no_figures", False), threads=args.threads,
    )  # fmt: skip


def sumstats_options_from_args(args: argparse.Namespace) -> SumStatsOptions:
    """The library's :class:`~ldenrich.pipeline.SumStatsOptions` of the column flags."""
    return SumStatsOptions(
        n=getattr(args, "n", None), n_col=getattr(args, "n_col", None),
        n_effective=getattr(args, "n_effective", False), format=args.format,
        chisq_from=args.chisq_from, columns=column_names(args),
        vcf_sample=getattr(args, "vcf_sample", None),
    )  # fmt: skip


def reference_from_args(args: argparse.Namespace) -> ReferenceInputs:
    """The shared inputs of ``run`` and ``batch``."""
    return ReferenceInputs(
        bfile=args.bfile, bim=getattr(args, "bim", None), gene_loc=args.gene_loc,
        gene_sets=args.gene_sets or (), beds=args.bed, ref_ld_chr=args.ref_ld_chr,
        w_ld_chr=args.w_ld_chr, overlap_annot=args.overlap_annot, frqfile_chr=args.frqfile_chr,
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich run``."""
    analyses = (*ANALYSES, "h2") if args.ref_ld_chr or args.w_ld_chr else ANALYSES
    options = options_from_args(args, analyses)
    sumstats_options = sumstats_options_from_args(args)
    reference = reference_from_args(args)
    reference.check(options)
    prefix, log_path = start_prefix_log(args.out, args.verbose, args.name)
    run_all(args.sumstats, reference, prefix, options, sumstats_options,
            command=getattr(args, "command", None))  # fmt: skip
    LOGGER.info("wrote %s", log_path)
    return 0
