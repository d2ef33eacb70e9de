"""``ldenrich sets``: gene-set analysis on gene results (ours or MAGMA's)."""

from __future__ import annotations

import argparse
from pathlib import Path

import ldenrich
from ldenrich.cli._common import (
    GENE_LOC_HELP,
    LOGGER,
    OUT_RULE,
    HelpFormatter,
    add_common_options,
    add_out_option,
    gene_loc_arg,
    start_prefix_log,
    step,
)
from ldenrich.pipeline import Options, log_set_results

HELP = "gene-set analysis on gene results: MAGMA's competitive regression and the study's t tests"


def parse_pair(text: str) -> tuple[float, float]:
    """``3,6`` -> (3.0, 6.0)."""
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW,HIGH (two numbers); got {text!r}") from None
    if low < 0 or high < 0:
        raise argparse.ArgumentTypeError(f"LOW,HIGH must be >= 0; got {text!r}")
    return low, high


def add_set_options(p: argparse.ArgumentParser) -> None:
    """Options of the gene-set step, shared by ``sets`` and ``run``."""
    g = p.add_argument_group("gene-set analysis")
    g.add_argument(
        "--gene-set-format", choices=["auto", "gmt", "magma", "long"], default="auto",
        help="layout of the gene-set files",
    )  # fmt: skip
    g.add_argument(
        "--covariates", choices=["default", "none"], default="default",
        help="MAGMA's default gene covariates (size, density, sample size, inverse MAC and logs)",
    )  # fmt: skip
    g.add_argument(
        "--no-correlations", action="store_true",
        help="ignore gene-gene correlations (OLS instead of GLS)",
    )  # fmt: skip
    g.add_argument(
        "--truncate", type=parse_pair, default=(3.0, 6.0), metavar="LOW,HIGH",
        help="truncate gene Z below -LOW and above mean + HIGH SD (0 disables a side)",
    )  # fmt: skip
    g.add_argument("--min-genes", type=int, default=2, help="regress sets with >= N genes found")
    g.add_argument(
        "--members-top", type=int, default=200, metavar="N",
        help="PREFIX.members.tsv lists the genes of the N most significant sets (0: every set)",
    )  # fmt: skip
    g.add_argument("--alpha", type=float, default=0.05, help="level of the gene counts")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "sets",
        help=HELP,
        description=HELP + ". Reads a .genes.raw (GLS with gene-gene correlations) or a "
        ".genes.out (OLS). Writes PREFIX.gsa.out (MAGMA layout), PREFIX.sets.tsv, "
        "PREFIX.kruskal.tsv, PREFIX.members.tsv (Tables 1/2), PREFIX.table3.tsv and PREFIX.log. "
        + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "--gene-results", required=True, type=Path, help="MAGMA or ldenrich .genes.raw/.genes.out"
    )
    p.add_argument(
        "--gene-sets", required=True, type=Path, action="append", help="gene-set file (repeatable)"
    )
    p.add_argument(
        "--gene-loc",
        type=gene_loc_arg,
        help=GENE_LOC_HELP + ": resolves gene symbols of the sets to IDs",
    )
    add_set_options(p)
    add_out_option(p)
    add_common_options(p)
    p.set_defaults(run=run)
    return p


def check_set_args(args: argparse.Namespace) -> None:
    """Argument checks done before any file is read (the library's one set of checks)."""
    Options(
        analyses=("genes", "sets"), min_genes=args.min_genes, members_top=args.members_top,
        alpha=args.alpha, truncate=args.truncate, threads=args.threads,
    )  # fmt: skip


def members_sets(args: argparse.Namespace) -> int | None:
    """``--members-top``: None (every set) for 0."""
    return args.members_top or None


def set_analysis_from_args(
    args: argparse.Namespace,
    genes: ldenrich.GeneResults,
    gene_sets: list[ldenrich.GeneSets],
    gene_loc: ldenrich.GeneLoc | None,
) -> ldenrich.GeneSetResults:
    """:func:`ldenrich.gene_set_analysis` with the options of :func:`add_set_options`."""
    return ldenrich.gene_set_analysis(
        genes,
        gene_sets,
        gene_loc=gene_loc,
        correlations="none" if args.no_correlations else "auto",
        covariates=args.covariates,
        truncate=args.truncate,
        min_genes=args.min_genes,
        alpha=args.alpha,
        threads=args.threads,
    )


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich sets``."""
    check_set_args(args)
    out, log_path = start_prefix_log(args.out, args.verbose)
    with step("reading gene results and gene sets"):
        genes = ldenrich.read_gene_results(args.gene_results)
        fmt = genes.settings["format"]
        LOGGER.info("  %s: %d genes (%s)", args.gene_results, len(genes.table), fmt)
        for reason, count in genes.qc.itertuples(index=False):
            if reason not in ("read", "used") and count:
                LOGGER.info("    dropped %-24s %d", reason, count)
        gene_loc = ldenrich.read_gene_loc(args.gene_loc) if args.gene_loc else None
        gene_sets = [ldenrich.read_gene_sets(p, args.gene_set_format) for p in args.gene_sets]
        for gs in gene_sets:
            LOGGER.info("  %s: %d sets (%s)", gs.source, len(gs), gs.format)
    with step("gene-set analysis"):
        res = set_analysis_from_args(args, genes, gene_sets, gene_loc)
    log_set_results(res)
    for kind, path in res.write(out, members_sets=members_sets(args)).items():
        LOGGER.info("wrote %s (%s)", path, kind)
    LOGGER.info("wrote %s", log_path)
    return 0
