"""``ldenrich demo``: the screen on the bundled real data (UK Biobank height, chr22)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import ldenrich
from ldenrich.cli.enrich import add_enrich_options, run_screen

HELP = "run the enrichment screen on the bundled example data"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "demo",
        help=HELP,
        description=HELP
        + ": real UK Biobank standing-height GWAS (chr22), the 1000 Genomes EUR chr22 .bim, "
        "MAGMA's NCBI37.3 genes and ldenrich's curated drug-target and study gene sets.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--out", type=Path, default=Path("ldenrich-demo"), help="output directory")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more detail")
    p.add_argument("--threads", type=int, default=None, help="threads to use")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich demo``."""
    ex = ldenrich.example_data()
    parser = argparse.ArgumentParser()
    add_enrich_options(parser, required=False)
    screen = parser.parse_args([])
    screen.sumstats, screen.bim, screen.gene_loc = ex.sumstats, ex.bim, ex.gene_loc
    screen.gene_sets = [ex.gene_sets]
    screen.out = Path(args.out) / "demo"
    screen.verbose, screen.threads = args.verbose, args.threads
    table = run_screen(screen)
    shown = table[["category", "n_snps_in", "enrichment", "enrichment_se", "enrichment_p"]]
    with pd.option_context("display.width", 120, "display.max_rows", 100):
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0
