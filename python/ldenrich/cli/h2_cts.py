"""``ldenrich h2-cts``: cell-type and gene-set tests by stratified LD score regression."""

from __future__ import annotations

import argparse
from pathlib import Path

import ldenrich
from ldenrich._atomic import write_tsv
from ldenrich.cli._common import (
    LOGGER,
    OUT_RULE,
    HelpFormatter,
    add_common_options,
    add_out_option,
    output_prefix,
    start_logging,
    step,
)
from ldenrich.cli.h2 import add_regression_options, log_dropped, read_gwas

HELP = "cell-type / gene-set tests conditional on a baseline (LDSC-SEG, ldsc --h2-cts)"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "h2-cts",
        help=HELP,
        description=HELP + ". For each annotation of --ref-ld-chr-cts, the regression on its "
        "LD scores with the baseline's; writes PREFIX.cell_type_results.txt (coefficient, SE, "
        "one-sided p, BH q; sorted by p) and PREFIX.log. " + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    add_regression_options(p)
    p.add_argument(
        "--ref-ld-chr-cts", required=True, type=Path, metavar="FILE",
        help="lines 'name prefix[,prefix...]': each annotation's LD-score prefixes (per "
        "chromosome with --ref-ld-chr, else one file)",
    )  # fmt: skip
    add_out_option(p)
    add_common_options(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich h2-cts``."""
    out = output_prefix(args.out)
    start_logging(out.with_name(out.name + ".log"), args.verbose)
    ss = read_gwas(args)
    with step(f"testing the annotations of {args.ref_ld_chr_cts}"):
        table = ldenrich.h2_cts(
            ss,
            args.ref_ld_chr_cts,
            args.ref_ld_chr,
            args.w_ld_chr,
            ref_ld=args.ref_ld,
            w_ld=args.w_ld,
            not_m_5_50=args.not_m_5_50,
            intercept=args.intercept_h2,
            no_intercept=args.no_intercept,
            chisq_max=args.chisq_max,
            blocks=args.n_blocks,
            threads=args.threads,
        )
    log_dropped(table.attrs.get("dropped", {}))
    LOGGER.info("  %d annotations tested", len(table))
    path = write_tsv(out.with_name(out.name + ".cell_type_results.txt"), table)
    LOGGER.info("wrote %s", path)
    LOGGER.info("wrote %s", out.with_name(out.name + ".log"))
    return 0
