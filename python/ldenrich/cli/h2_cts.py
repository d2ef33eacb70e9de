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
    start_prefix_log,
    step,
)
from ldenrich.cli.h2 import (
    add_overlap_options,
    add_regression_options,
    log_dropped,
    read_gwas,
    regression_arguments,
)

HELP = "cell-type / gene-set tests conditional on a baseline (LDSC-SEG, ldsc --h2-cts)"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "h2-cts",
        help=HELP,
        description=HELP + ". For each annotation of --ref-ld-chr-cts (or each column of "
        "--sets-ld), the regression on its "
        "LD scores with the baseline's; writes PREFIX.cell_type_results.txt (coefficient, SE, "
        "one-sided p, BH q; with --overlap-annot also the set's share of SNPs and of h2, "
        "enrichment and its p, tau* and h2; sorted by p) and PREFIX.log. " + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    add_regression_options(p)
    add_overlap_options(
        p,
        "also each set's share of SNPs and of h2, enrichment and tau*, from the .annot[.gz] "
        "files beside the baseline's and the sets' LD scores (ldenrich ldscore --write-annot "
        "writes them), counting each set's overlap with the baseline",
    )
    cts = p.add_mutually_exclusive_group(required=True)
    cts.add_argument(
        "--ref-ld-chr-cts", type=Path, metavar="FILE",
        help="lines 'name prefix[,prefix...]': each annotation's LD-score prefixes (per "
        "chromosome with --ref-ld-chr, else one file)",
    )  # fmt: skip
    cts.add_argument(
        "--sets-ld", metavar="PREFIX[,PREFIX...]",
        help="LD scores of many sets in one file, one column each (ldenrich ldscore "
        "--gene-sets): every column is tested on its own (per chromosome with --ref-ld-chr)",
    )  # fmt: skip
    add_out_option(p)
    add_common_options(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich h2-cts``."""
    out, log_path = start_prefix_log(args.out, args.verbose)
    ss = read_gwas(args)
    with step(f"testing the annotations of {args.ref_ld_chr_cts or args.sets_ld}"):
        table = ldenrich.h2_cts(
            ss,
            args.ref_ld_chr_cts,
            args.ref_ld_chr,
            args.w_ld_chr,
            sets_ld=args.sets_ld,
            **regression_arguments(args),
        )
    log_dropped(table.attrs.get("dropped", {}))
    empty = table.attrs.get("empty", [])
    LOGGER.info("  %d annotations tested", len(table) - len(empty))
    if empty:
        LOGGER.warning(
            "%d sets have LD scores without variance (no SNP in the set), reported as NA: %s",
            len(empty), ", ".join(empty[:10]) + (" ..." if len(empty) > 10 else ""),
        )  # fmt: skip
    path = write_tsv(out.with_name(out.name + ".cell_type_results.txt"), table)
    LOGGER.info("wrote %s", path)
    LOGGER.info("wrote %s", log_path)
    return 0
