"""``ldenrich h2``: SNP heritability partitioned by annotation (stratified LD score regression)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import ldenrich
from ldenrich._atomic import atomic_open, write_tsv
from ldenrich.cli._common import (
    LOGGER,
    OUT_RULE,
    HelpFormatter,
    add_common_options,
    add_out_option,
    start_prefix_log,
    step,
)

HELP = "SNP heritability partitioned by annotation (stratified LD score regression, ldsc --h2)"


def add_regression_options(p: argparse.ArgumentParser) -> None:
    """The inputs and regression options shared by ``h2`` and ``h2-cts``."""
    p.add_argument(
        "--h2", required=True, type=Path, metavar="SUMSTATS",
        help="summary statistics with a per-SNP N: ldsc .sumstats[.gz] or any layout ldenrich "
        "reads",
    )  # fmt: skip
    p.add_argument("--n-col", help="per-SNP sample-size column (default: detected)")
    p.add_argument(
        "--vcf-sample", metavar="NAME",
        help="the sample (trait) column of a GWAS-VCF holding several",
    )  # fmt: skip
    ref = p.add_mutually_exclusive_group(required=True)
    ref.add_argument(
        "--ref-ld-chr", metavar="PREFIX[,PREFIX...]",
        help="reference LD scores, one file per chromosome (PREFIX{1..22}.l2.ldscore[.gz]; @ "
        "stands for the chromosome); several prefixes are placed side by side",
    )  # fmt: skip
    ref.add_argument("--ref-ld", metavar="PREFIX[,PREFIX...]", help="as --ref-ld-chr, one file")
    w = p.add_mutually_exclusive_group(required=True)
    w.add_argument(
        "--w-ld-chr", metavar="PREFIX", help="regression-weight LD scores, one file per chromosome"
    )
    w.add_argument("--w-ld", metavar="PREFIX", help="as --w-ld-chr, one file")
    p.add_argument(
        "--not-M-5-50", dest="not_m_5_50", action="store_true",
        help="M from .l2.M (all SNPs) instead of .l2.M_5_50 (MAF > 5%%)",
    )  # fmt: skip
    icpt = p.add_mutually_exclusive_group()
    icpt.add_argument("--intercept-h2", type=float, help="fix the intercept at this value")
    icpt.add_argument("--no-intercept", action="store_true", help="fix the intercept at 1")
    p.add_argument(
        "--chisq-max", type=float,
        help="keep SNPs with chi-square below this (default: max(80, 0.001 max N) with several "
        "annotations, none with one)",
    )  # fmt: skip
    p.add_argument("--n-blocks", type=int, default=200, help="jackknife blocks")


def add_overlap_options(p: argparse.ArgumentParser, overlap_help: str) -> None:
    """``--overlap-annot`` and the frequency file that goes with it."""
    p.add_argument("--overlap-annot", action="store_true", help=overlap_help)
    frq = p.add_mutually_exclusive_group()
    frq.add_argument(
        "--frqfile-chr", metavar="PREFIX",
        help="PLINK .frq per chromosome: with --overlap-annot count SNPs with 0.05 < FRQ < 0.95",
    )  # fmt: skip
    frq.add_argument("--frqfile", metavar="PREFIX", help="as --frqfile-chr, one file")


def regression_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The library arguments that ``h2`` and ``h2-cts`` share, from their common options."""
    return {
        "ref_ld": args.ref_ld,
        "w_ld": args.w_ld,
        "overlap_annot": args.overlap_annot,
        "frqfile_chr": args.frqfile_chr,
        "frqfile": args.frqfile,
        "not_m_5_50": args.not_m_5_50,
        "intercept": args.intercept_h2,
        "no_intercept": args.no_intercept,
        "chisq_max": args.chisq_max,
        "blocks": args.n_blocks,
        "threads": args.threads,
    }


def read_gwas(args: argparse.Namespace) -> ldenrich.SumStats:
    """The summary statistics, logged."""
    from ldenrich.cli._common import log_sumstats

    with step(f"reading {args.h2}"):
        ss = ldenrich.read_sumstats(args.h2, read_n=True, n_col=args.n_col,
                                    vcf_sample=args.vcf_sample, threads=args.threads)  # fmt: skip
    log_sumstats(ss)
    return ss


def log_dropped(dropped: dict[str, int]) -> None:
    """Every SNP left out, by reason."""
    for reason, count in dropped.items():
        LOGGER.info("  SNPs dropped: %-28s %d", reason, count)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "h2",
        help=HELP,
        description=HELP + ". Writes PREFIX.results (ldsc's columns, then the one-sided "
        "coefficient p, h2 per annotation and tau*) and PREFIX.log (total h2, intercept, ratio, "
        "lambda GC, mean chi-square). " + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    add_regression_options(p)
    add_overlap_options(
        p,
        "the table over the SNPs of the .annot[.gz] files beside the LD scores, with "
        "overlapping annotations accounted for (needed for baseline models)",
    )
    p.add_argument(
        "--print-coefficients", action="store_true",
        help="accepted for ldsc compatibility: the coefficients are always written",
    )  # fmt: skip
    p.add_argument(
        "--print-delete-vals", action="store_true",
        help="also write the jackknife delete values: PREFIX.delete (total h2) and "
        "PREFIX.part_delete (coefficients)",
    )  # fmt: skip
    p.add_argument(
        "--two-step", type=float, help="two-step estimator cutoff (default 30 with one annotation)"
    )
    p.add_argument("--samp-prev", type=float, help="sample prevalence (liability-scale h2)")
    p.add_argument("--pop-prev", type=float, help="population prevalence (liability-scale h2)")
    add_out_option(p)
    add_common_options(p)
    p.set_defaults(run=run)
    return p


def log_summary(summary: dict[str, Any]) -> None:
    """ldsc's summary lines."""
    import math

    LOGGER.info("Total observed scale h2: %.6g (%.6g)", summary["h2"], summary["h2_se"])
    if "h2_liability" in summary:
        LOGGER.info(
            "Total liability scale h2: %.6g (%.6g)",
            summary["h2_liability"],
            summary["h2_liability_se"],
        )
    LOGGER.info("Lambda GC: %.6g", summary["lambda_gc"])
    LOGGER.info("Mean chi^2: %.6g", summary["mean_chisq"])
    if summary["intercept_fixed"]:
        LOGGER.info("Intercept: constrained to %g", summary["intercept"])
    else:
        LOGGER.info("Intercept: %.6g (%.6g)", summary["intercept"], summary["intercept_se"])
        if math.isnan(summary["ratio"]):
            LOGGER.info("Ratio: NA (mean chi^2 <= 1)")
        else:
            LOGGER.info("Ratio: %.6g (%.6g)", summary["ratio"], summary["ratio_se"])


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich h2``."""
    import numpy as np

    out, log_path = start_prefix_log(args.out, args.verbose)
    ss = read_gwas(args)
    with step("regressing chi-square on LD scores"):
        fit = ldenrich.partitioned_h2(
            ss,
            args.ref_ld_chr,
            args.w_ld_chr,
            **regression_arguments(args),
            two_step=args.two_step,
            samp_prev=args.samp_prev,
            pop_prev=args.pop_prev,
        )
    log_dropped(fit.dropped)
    s = fit.summary
    for name in s["dropped_columns"]:
        LOGGER.info("  LD-score column %s has zero variance: left out", name)
    LOGGER.info(
        "  %d SNPs in the regression, %d jackknife blocks%s", s["n_snps"], s["blocks"],
        "" if s["chisq_max"] is None else f", chi-square below {s['chisq_max']:g}",
    )  # fmt: skip
    if s["two_step"] is not None:
        LOGGER.info(
            "  two-step estimator: %d SNPs with chi-square >= %g left out of the intercept step",
            s["two_step"][1], s["two_step"][0],
        )  # fmt: skip
    log_summary(s)
    for warning in fit.qc:
        LOGGER.warning("QC: %s", warning)
    written = [write_tsv(out.with_name(out.name + ".results"), fit.results)]
    if args.print_delete_vals:
        path = out.with_name(out.name + ".delete")
        with atomic_open(path) as fh:
            np.savetxt(fh, fit.h2_delete)
        written.append(path)
        path = out.with_name(out.name + ".part_delete")
        with atomic_open(path) as fh:
            np.savetxt(fh, fit.coef_delete, delimiter="\t")
        written.append(path)
    for path in written:
        LOGGER.info("wrote %s", path)
    LOGGER.info("wrote %s", log_path)
    return 0
