"""``ldenrich enrich``: the mean-chi-square enrichment screen over many categories."""

from __future__ import annotations

import argparse
from pathlib import Path

from ldenrich.cli._common import (
    GENE_LOC_HELP,
    LOGGER,
    OUT_RULE,
    HelpFormatter,
    add_common_options,
    add_gene_loc_options,
    add_out_option,
    add_sumstats_options,
    parse_window,
    start_prefix_log,
)
from ldenrich.pipeline import ReferenceInputs, run_all

HELP = "mean chi-square enrichment of gene sets and BED annotations (jackknife, Welch, MWU)"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "enrich",
        help=HELP,
        description=HELP
        + ". Writes PREFIX.enrichment.tsv, PREFIX.qc.tsv and PREFIX.log. "
        + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    add_enrich_options(p, required=True)
    p.set_defaults(run=run)
    return p


def add_enrich_options(p: argparse.ArgumentParser, required: bool) -> None:
    """Options shared by ``enrich`` and ``demo``."""
    io = p.add_argument_group("inputs")
    io.add_argument("--sumstats", required=required, type=Path, help="GWAS summary statistics")
    io.add_argument("--bim", required=required, type=Path, help="reference PLINK .bim or prefix")
    add_gene_loc_options(io, False, GENE_LOC_HELP + " (needed with --gene-sets)")
    io.add_argument(
        "--gene-sets", type=Path, action="append", default=[], help="gene-set file (repeatable)"
    )
    io.add_argument("--bed", type=Path, action="append", default=[], help="BED file (repeatable)")
    io.add_argument(
        "--gene-set-format",
        choices=["auto", "gmt", "magma", "long"],
        default="auto",
        help="layout of the gene-set files",
    )
    add_sumstats_options(p)
    opts = p.add_argument_group("analysis")
    opts.add_argument(
        "--window",
        type=parse_window,
        default=(35.0, 10.0),
        metavar="UP,DOWN",
        help="gene window in kb, strand-aware (MAGMA's rule)",
    )
    add_screen_test_options(opts)
    opts.add_argument("--drop-strand-ambiguous", action="store_true", help="drop A/T and C/G SNPs")
    add_out_option(p, required)
    add_common_options(p)


def add_screen_test_options(group: argparse._ArgumentGroup) -> None:
    """How the screen tests each category; shared by ``enrich`` and ``run``."""
    group.add_argument("--blocks", type=int, default=200, help="jackknife blocks of the screen")
    group.add_argument(
        "--min-snps", type=int, default=1, help="screen categories with at least this many SNPs"
    )
    group.add_argument(
        "--permutations", type=int, default=10_000, metavar="K",
        help="most circular-shift permutations per category for the calibrated p "
        "(enrichment_p_perm); 0 skips them",
    )  # fmt: skip
    group.add_argument(
        "--perm-stop", type=int, default=50, metavar="H",
        help="stop a category's permutations once H shifts reach its enrichment "
        "(Besag-Clifford); 0 draws all K",
    )  # fmt: skip
    group.add_argument("--seed", type=int, default=0, help="seed of the permutations")


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich enrich``: read, annotate and test; write the outputs."""
    from ldenrich.cli.run import options_from_args, sumstats_options_from_args

    options = options_from_args(args, ("screen",))
    reference = ReferenceInputs(
        bim=args.bim, gene_loc=args.gene_loc, gene_sets=args.gene_sets, beds=args.bed
    )
    reference.check(options)
    out, log_path = start_prefix_log(args.out, args.verbose)
    run_all(args.sumstats, reference, out, options, sumstats_options_from_args(args))
    LOGGER.info("wrote %s", log_path)
    return 0
