"""``ldenrich munge``: harmonised summary statistics, in ldenrich's layout and in ldsc's."""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ldenrich
from ldenrich._atomic import write_tsv
from ldenrich._log import log_snp_accounting
from ldenrich.cli._common import (
    LOGGER,
    OUT_RULE,
    HelpFormatter,
    add_common_options,
    add_out_option,
    add_sample_size_options,
    add_sumstats_options,
    log_sumstats,
    read_sumstats_from_args,
    start_prefix_log,
    step,
)
from ldenrich.pipeline import log_sample_size

HELP = "harmonise summary statistics to a reference: signed Z, N and p (ldsc's munge_sumstats)"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "munge",
        help=HELP,
        description=HELP + ". Writes PREFIX.munged.tsv.gz (SNP CHR BP A1 A2 Z N P, the "
        "reference's rsids, positions and alleles, Z signed for A1), PREFIX.sumstats.gz (ldsc's "
        "SNP A1 A2 Z N, for ldenrich h2 and ldsc), PREFIX.munge.qc.tsv (every row read, used or "
        "dropped by reason) and PREFIX.log. " + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    p.add_argument("--sumstats", required=True, type=Path, help="GWAS summary statistics")
    ref = p.add_mutually_exclusive_group(required=True)
    ref.add_argument("--bfile", type=Path, help="PLINK reference panel prefix (its .bim is read)")
    ref.add_argument("--bim", type=Path, help="reference PLINK .bim or prefix")
    p.add_argument(
        "--merge-alleles", type=Path, metavar="FILE",
        help="keep only the SNPs of this list (SNP A1 A2, e.g. w_hm3.snplist) whose alleles "
        "match, with Z for the list's A1",
    )  # fmt: skip
    add_sample_size_options(p)
    add_sumstats_options(p)
    p.add_argument(
        "--keep-strand-ambiguous", action="store_true",
        help="keep A/T and C/G SNPs (their direction then assumes both files use one strand)",
    )  # fmt: skip
    add_out_option(p)
    add_common_options(p)
    p.set_defaults(run=run, signed=True)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich munge``."""
    from ldenrich.cli.run import sumstats_options_from_args

    sumstats_options = sumstats_options_from_args(args)  # checks --n before anything is read
    out, log_path = start_prefix_log(args.out, args.verbose)
    with step("reading summary statistics and the reference"), ThreadPoolExecutor(3) as pool:
        # The core releases the GIL: the three files are read at once.
        bim_job = pool.submit(ldenrich.read_bim, args.bim or args.bfile, threads=args.threads)
        merge_job = (
            pool.submit(ldenrich.read_merge_alleles, args.merge_alleles)
            if args.merge_alleles
            else None
        )
        ss = read_sumstats_from_args(args)
        bim = bim_job.result()
        merge = merge_job.result() if merge_job else None
    log_sumstats(ss)
    log_sample_size(sumstats_options, ss, required=True)
    if merge is not None:
        LOGGER.info("  allele list: %s (%d SNPs)", merge.path, len(merge))
    with step("harmonising"):
        munged = ldenrich.munge_sumstats(
            ss, bim, merge_alleles=merge, n=args.n,
            drop_strand_ambiguous=not args.keep_strand_ambiguous, match=args.match,
            threads=args.threads,
        )  # fmt: skip
    log_snp_accounting(munged.qc)
    paths = {
        "harmonised table": out.with_name(out.name + ".munged.tsv.gz"),
        "ldsc .sumstats": out.with_name(out.name + ".sumstats.gz"),
    }
    with step("writing"):
        munged.write(paths["harmonised table"], "harmonised", threads=args.threads)
        munged.write(paths["ldsc .sumstats"], "ldsc", threads=args.threads)
        paths["QC"] = write_tsv(out.with_name(out.name + ".munge.qc.tsv"), munged.qc)
    for kind, path in paths.items():
        LOGGER.info("wrote %s (%s)", path, kind)
    LOGGER.info("wrote %s", log_path)
    return 0
