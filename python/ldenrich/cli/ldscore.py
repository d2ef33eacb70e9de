"""``ldenrich ldscore``: partitioned LD scores of a PLINK panel in ldsc's file layout."""

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
    output_prefix,
    start_logging,
    step,
)

HELP = "LD scores of a PLINK panel for many annotations at once (ldsc --l2)"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "ldscore",
        help=HELP,
        description=HELP + ". Writes PREFIX.l2.ldscore.gz, PREFIX.l2.M, PREFIX.l2.M_5_50 and "
        "PREFIX.log. " + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    p.add_argument("--bfile", required=True, type=Path, help="PLINK prefix (.bed/.bim/.fam)")
    p.add_argument(
        "--annot",
        type=Path,
        action="append",
        default=[],
        help="ldsc .annot[.gz] file, full (CHR BP SNP CM ...) or thin (repeatable; columns are "
        "placed side by side). Default: one all-ones annotation",
    )
    p.add_argument(
        "--thin-annot",
        action="store_true",
        help="accepted for ldsc compatibility: full and thin files are told apart by their header",
    )
    wind = p.add_mutually_exclusive_group()
    wind.add_argument("--ld-wind-cm", type=float, help="window in cM (default 1)")
    wind.add_argument("--ld-wind-kb", type=float, help="window in kb")
    wind.add_argument("--ld-wind-snps", type=int, help="window in SNPs")
    p.add_argument(
        "--ld-window-rule",
        choices=["ldsc", "exact"],
        default="ldsc",
        help="ldsc: ldsc's chunked window (combines with published scores); exact: per pair",
    )
    p.add_argument("--maf", type=float, default=0.0, help="keep SNPs with MAF strictly above this")
    p.add_argument(
        "--print-snps",
        type=Path,
        help="write only these SNPs (first column of the file); LD uses every panel SNP",
    )
    p.add_argument("--print-cm-maf", action="store_true", help="also write the CM and MAF columns")
    add_out_option(p)
    add_common_options(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich ldscore``."""
    out = output_prefix(args.out)
    start_logging(out.with_name(out.name + ".log"), args.verbose)
    with step(f"computing LD scores of {args.bfile}"):
        scores = ldenrich.ldscore(
            args.bfile,
            args.annot or None,
            ld_wind_cm=args.ld_wind_cm,
            ld_wind_kb=args.ld_wind_kb,
            ld_wind_snps=args.ld_wind_snps,
            window_rule=args.ld_window_rule,
            maf=args.maf,
            print_snps=args.print_snps,
            threads=args.threads,
        )
    dropped = scores.attrs["dropped"]
    LOGGER.info(
        "  %d samples; SNPs dropped: %d monomorphic or only heterozygous/missing, %d with "
        "MAF <= %g",
        scores.attrs["n_samples"],
        dropped["monomorphic_or_het_only"],
        dropped["maf"],
        args.maf,
    )
    LOGGER.info("  %d SNPs written, %d annotations", len(scores), len(scores.attrs["M"]))
    for name, m in scores.attrs["M"].items():
        LOGGER.info("  %s: M = %s, M_5_50 = %s", name, m, scores.attrs["M_5_50"][name])
    for path in ldenrich.write_ldscore(scores, out, cm_maf=args.print_cm_maf):
        LOGGER.info("wrote %s", path)
    LOGGER.info("wrote %s", out.with_name(out.name + ".log"))
    return 0
