"""``ldenrich sets``: gene-set analysis on gene results (ours or MAGMA's)."""

from __future__ import annotations

import argparse
from pathlib import Path

import ldenrich
from ldenrich.cli._common import (
    LOGGER,
    OUT_RULE,
    HelpFormatter,
    add_common_options,
    add_out_option,
    log_items,
    output_prefix,
    start_logging,
    step,
)

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
        "--gene-loc", type=Path, help="MAGMA .gene.loc: resolves gene symbols of the sets to IDs"
    )
    add_set_options(p)
    add_out_option(p)
    add_common_options(p)
    p.set_defaults(run=run)
    return p


def log_set_results(res: ldenrich.GeneSetResults) -> None:
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


def check_set_args(args: argparse.Namespace) -> None:
    """Argument checks done before any file is read."""
    if args.min_genes < 1:
        raise ldenrich.InvalidArgumentError(f"--min-genes must be at least 1; got {args.min_genes}")
    if args.members_top < 0:
        raise ldenrich.InvalidArgumentError(
            f"--members-top must be 0 (every set) or more; got {args.members_top}"
        )
    if not 0 < args.alpha < 1:
        raise ldenrich.InvalidArgumentError(f"--alpha must be in (0, 1); got {args.alpha}")


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
    out = output_prefix(args.out)
    start_logging(out.with_name(out.name + ".log"), args.verbose)
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
    LOGGER.info("wrote %s", out.with_name(out.name + ".log"))
    return 0
