"""``ldenrich genes``: MAGMA's SNP-wise mean gene analysis with LD from a PLINK panel."""

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
    add_gene_loc_options,
    add_out_option,
    add_sample_size_options,
    add_sumstats_options,
    log_sumstats,
    parse_window,
    read_sumstats_from_args,
    start_prefix_log,
    step,
)
from ldenrich.pipeline import ProgressBar, log_gene_results, log_sample_size

HELP = "gene analysis: MAGMA's SNP-wise mean model with LD from a PLINK reference panel"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "genes",
        help=HELP,
        description=HELP
        + ". Writes PREFIX.genes.out, PREFIX.genes.raw and PREFIX.log. "
        + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    p.add_argument("--sumstats", required=True, type=Path, help="GWAS summary statistics")
    p.add_argument("--bfile", required=True, type=Path, help="PLINK reference panel prefix")
    add_gene_loc_options(p, True, GENE_LOC_HELP)
    p.add_argument(
        "--window", type=parse_window, default=(35.0, 10.0), metavar="UP,DOWN",
        help="gene window in kb, strand-aware (MAGMA's rule)",
    )  # fmt: skip
    add_sample_size_options(p)
    add_sumstats_options(p)
    p.add_argument("--no-raw", action="store_true", help="skip gene-gene correlations")
    p.add_argument(
        "--corr-range", type=float, default=5000.0, metavar="KB",
        help="correlate genes whose window starts are at most this far apart",
    )  # fmt: skip
    p.add_argument(
        "--corr-max-snps", type=int, default=50,
        help="subsample larger genes to this many SNPs for gene-gene correlations",
    )  # fmt: skip
    p.add_argument("--drop-strand-ambiguous", action="store_true", help="drop A/T, C/G SNPs")
    add_out_option(p)
    add_common_options(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich genes``."""
    from ldenrich.cli.run import sumstats_options_from_args

    sumstats_options = sumstats_options_from_args(args)  # checks --n before anything is read
    out, log_path = start_prefix_log(args.out, args.verbose)
    with step("reading summary statistics and gene locations"):
        ss = read_sumstats_from_args(args)
        genes = ldenrich.read_gene_loc(args.gene_loc)
    log_sumstats(ss)
    log_sample_size(sumstats_options, ss, required=True)
    with step("gene analysis", live=False):
        res = ldenrich.gene_analysis(
            ss, args.bfile, genes, window=args.window, n=args.n,
            correlations=not args.no_raw, corr_range_kb=args.corr_range,
            corr_max_snps=args.corr_max_snps,
            drop_strand_ambiguous=args.drop_strand_ambiguous, threads=args.threads,
            match=args.match, progress=ProgressBar(),
        )  # fmt: skip
    log_gene_results(res)
    for kind, path in res.write(out).items():
        LOGGER.info("wrote %s (%s)", path, kind)
    LOGGER.info("wrote %s", log_path)
    return 0
