"""``ldenrich demo``: the whole pipeline on the bundled real data (UK Biobank height, chr22)."""

from __future__ import annotations

import argparse

import ldenrich
from ldenrich.cli._common import LOGGER, HelpFormatter, start_prefix_log, thread_count
from ldenrich.pipeline import Options, ReferenceInputs, SumStatsOptions, run_all

HELP = "run the whole analysis on the bundled example data"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "demo",
        help=HELP,
        description=HELP
        + ": real UK Biobank standing-height GWAS (chr22), the 1000 Genomes EUR chr22 panel, "
        "MAGMA's NCBI37.3 genes, ldenrich's curated drug-target and study gene sets and 20 GO "
        "neuro sets; gene "
        "analysis, gene-set analysis, the enrichment screen, figures and an HTML report, as "
        "`ldenrich run` does.",
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "--out", default="ldenrich-demo/", metavar="PREFIX",
        help="output prefix, or a directory (existing, or ending in /) that holds demo.*",
    )  # fmt: skip
    p.add_argument("-v", "--verbose", action="count", default=0, help="more detail")
    p.add_argument("--threads", type=thread_count, default=None, help="threads to use")
    p.add_argument("--no-figures", action="store_true", help="skip figures")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich demo``."""
    ex = ldenrich.example_data()
    reference = ReferenceInputs(
        bfile=ex.bfile, gene_loc=ex.gene_loc, gene_sets=[ex.gene_sets, ex.go_gene_sets]
    )
    options = Options(figures=not args.no_figures, threads=args.threads)
    prefix, log_path = start_prefix_log(args.out, args.verbose, "demo")
    result = run_all(ex.sumstats, reference, prefix, options, SumStatsOptions(n_col="N"),
                     command=f"ldenrich demo --out {args.out}")  # fmt: skip
    LOGGER.info("wrote %s", log_path)
    assert result.sets is not None and result.enrichment is not None
    table3 = result.sets.table3(result.enrichment)
    # The calibrated p's lead; the study's one-sample and jackknife p's follow, named as such.
    shown = table3[["set", "n_evaluable", "p_competitive", "mean_z", "p", "enrichment",
                    "enrichment_p_perm", "n_blocks_in", "enrichment_p"]].rename(
        columns={"p": "p_study_t", "enrichment_p": "enrichment_p_study"})  # fmt: skip
    import pandas as pd

    with pd.option_context("display.width", 140, "display.max_rows", 100):
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\nreport: {result.written['report']}")
    return 0
