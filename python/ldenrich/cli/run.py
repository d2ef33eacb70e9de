"""``ldenrich run``: the whole analysis of the study in one command.

Gene analysis (MAGMA's SNP-wise mean model), gene-set analysis (competitive GLS and the study's
t tests) and the enrichment screen (mean chi-square in vs out of each set's gene windows), then
every table, the figures and a self-contained HTML report, all in one directory.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

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
    output_prefix,
    parse_window,
    require_sample_size,
    start_logging,
    step,
)
from ldenrich.cli.enrich import (
    _log_inputs,
    add_screen_test_options,
    annotate_step,
    check_screen_args,
    enrichment_step,
    read_sumstats_and_bim,
    write_screen,
)
from ldenrich.cli.genes import ProgressBar, log_gene_results
from ldenrich.cli.sets import (
    add_set_options,
    check_set_args,
    log_set_results,
    members_sets,
    set_analysis_from_args,
)

HELP = "the whole analysis: gene analysis, gene-set analysis, enrichment screen, figures, report"

if TYPE_CHECKING:
    import pandas as pd


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "run",
        help=HELP,
        description=HELP + ". Writes PREFIX.genes.out/.genes.raw, PREFIX.gsa.out, "
        "PREFIX.sets.tsv, PREFIX.kruskal.tsv, PREFIX.members.tsv (Tables 1/2), PREFIX.table3.tsv, "
        "PREFIX.enrichment.tsv, PREFIX.qc.tsv, PREFIX.<figure>.png|svg, PREFIX.report.html and "
        "PREFIX.log. " + OUT_RULE,
        formatter_class=HelpFormatter,
    )
    add_run_options(p, required=True)
    p.set_defaults(run=run)
    return p


def add_run_options(p: argparse.ArgumentParser, required: bool) -> None:
    """Options of ``run`` (``demo`` fills the inputs itself)."""
    io = p.add_argument_group("inputs")
    io.add_argument("--sumstats", required=required, type=Path, help="GWAS summary statistics")
    io.add_argument("--bfile", required=required, type=Path, help="PLINK reference panel prefix")
    add_gene_loc_options(io, required, GENE_LOC_HELP)
    io.add_argument(
        "--gene-sets", required=required, type=Path, action="append",
        help="gene-set file (repeatable)",
    )  # fmt: skip
    io.add_argument(
        "--bed", type=Path, action="append", default=[],
        help="BED annotation for the enrichment screen (repeatable)",
    )  # fmt: skip
    add_sample_size_options(p)
    add_sumstats_options(p)
    a = p.add_argument_group("gene analysis and enrichment screen")
    a.add_argument(
        "--window", type=parse_window, default=(35.0, 10.0), metavar="UP,DOWN",
        help="gene window in kb, strand-aware (MAGMA's rule)",
    )  # fmt: skip
    add_screen_test_options(a)
    a.add_argument("--no-raw", action="store_true", help="skip gene-gene correlations (OLS)")
    a.add_argument("--drop-strand-ambiguous", action="store_true", help="drop A/T, C/G SNPs")
    add_set_options(p)
    add_out_option(p, required)
    p.add_argument("--name", default="ldenrich", help="file name prefix when --out is a directory")
    p.add_argument("--no-figures", action="store_true", help="skip figures (and their report part)")
    add_common_options(p)


def _check(args: argparse.Namespace) -> None:
    check_set_args(args)
    check_screen_args(args)
    if args.n is not None and not args.n > 0:
        raise ldenrich.InvalidArgumentError(f"--n must be positive; got {args.n}")


def run_pipeline(args: argparse.Namespace, command: str | None = None) -> dict[str, Any]:
    """Run every step and write every output; returns the tables and paths."""
    _check(args)
    prefix = output_prefix(args.out, args.name)
    log_path = prefix.with_name(prefix.name + ".log")
    start_logging(log_path, args.verbose)
    written: dict[str, Path] = {}
    with step("reading inputs"):
        # The panel's .bim serves the screen and, read once, the gene analysis.
        ss, bim = read_sumstats_and_bim(args, args.bfile)
        gene_loc = ldenrich.read_gene_loc(args.gene_loc)
        gene_sets = [ldenrich.read_gene_sets(p, args.gene_set_format) for p in args.gene_sets]
        LOGGER.info(
            "  %s: %d variants; %s: %d genes", bim.path, len(bim), gene_loc.path, len(gene_loc)
        )
        for gs in gene_sets:
            LOGGER.info("  %s: %d sets (%s)", gs.source, len(gs), gs.format)
    _log_inputs(ss, gene_loc)
    require_sample_size(args, ss, required=False)

    annot = annotate_step(args, ss, bim, gene_loc, gene_sets)
    screen = enrichment_step(args, annot)
    written.update(write_screen(prefix, annot, screen))

    with step("gene analysis (SNP-wise mean model)", live=False):
        genes = ldenrich.gene_analysis(
            ss, args.bfile, gene_loc, window=args.window, n=args.n,
            correlations=not args.no_raw, drop_strand_ambiguous=args.drop_strand_ambiguous,
            match=args.match, threads=args.threads, progress=ProgressBar(), bim=bim,
            # annotate() already checked these summary statistics against this .bim.
            sanity_checks=False,
        )  # fmt: skip
    del ss, bim
    log_gene_results(genes)
    written.update(genes.write(prefix))

    with step("gene-set analysis"):
        sets = set_analysis_from_args(args, genes, gene_sets, gene_loc)
    log_set_results(sets)
    written.update(sets.write(prefix, enrichment=screen, members_sets=members_sets(args)))
    # Most significant sets first: the set-Z figure and the report show the first ones.
    members = sets.top_members()

    figures: list[Path] = []
    if not args.no_figures:
        with step("figures", live=False):
            descriptions = {k: v for gs in gene_sets for k, v in gs.descriptions.items() if v}
            figures = _figures(prefix, screen, genes.table, members, descriptions)
        written.update({f"figure {p.name}": p for p in figures})
    else:
        # Figures of an earlier run with this prefix would no longer match the tables.
        for stem in _CAPTIONS:
            for suffix in (".png", ".svg"):
                prefix.with_name(f"{prefix.name}.{stem}{suffix}").unlink(missing_ok=True)
    with step("report"):
        report = _report(
            prefix.with_name(prefix.name + ".report.html"),
            command or shlex.join(["ldenrich", *sys.argv[1:]]),
            annot.qc, genes, sets, members, screen, figures, _table_files(written),
        )  # fmt: skip
        written["report"] = report
    for kind, path in written.items():
        LOGGER.info("wrote %s (%s)", path, kind)
    LOGGER.info("wrote %s", log_path)
    return {"enrichment": screen, "genes": genes, "sets": sets, "written": written}


_CAPTIONS = {
    "enrichment_forest": "Enrichment screen: mean chi-square ratio in vs out of each category's "
    "gene windows, with 95% delete-one-block jackknife intervals",
    "set_z_distributions": "Gene Z of each set against the genome-wide distribution",
    "genes_manhattan_qq": "Gene-level Manhattan plot (genome-wide Bonferroni line) and QQ plot",
}


def _figures(
    prefix: Path,
    screen: pd.DataFrame,
    genes: pd.DataFrame,
    members: pd.DataFrame,
    descriptions: dict[str, str],
) -> list[Path]:
    from ldenrich import plots

    def stem(name: str) -> Path:
        return prefix.with_name(f"{prefix.name}.{name}")

    drawings = [
        lambda: plots.forest_plot(screen, stem("enrichment_forest"), descriptions=descriptions),
        lambda: plots.set_z_distributions(
            genes, members, stem("set_z_distributions"), descriptions=descriptions
        ),
        lambda: plots.gene_manhattan_qq(genes, stem("genes_manhattan_qq")),
    ]
    paths: list[Path] = []
    # A few seconds each on a genome-wide run: a bar says the run is alive.
    for draw in tqdm(drawings, desc="  figures", unit=" figures", file=sys.stderr, disable=None,
                     leave=False):  # fmt: skip
        paths += draw()
    return paths


def _table_files(written: dict[str, Path]) -> dict[str, str]:
    """The report's table kinds -> the written files' names (the report sits beside them)."""
    kinds = {"enrichment": "enrichment", "sets.tsv": "sets", "table3.tsv": "table3",
             "members.tsv": "members", "gsa.out": "gsa", "genes.out": "genes"}  # fmt: skip
    return {kinds[k]: p.name for k, p in written.items() if k in kinds}


def _figure_kind(stem: str) -> str:
    """``PREFIX.enrichment_forest`` -> ``enrichment_forest``."""
    return stem.rsplit(".", 1)[-1]


def _report(
    path: Path,
    command: str,
    qc: pd.DataFrame,
    genes: ldenrich.GeneResults,
    sets: ldenrich.GeneSetResults,
    members: pd.DataFrame,
    screen: pd.DataFrame,
    figures: list[Path],
    table_files: dict[str, str],
) -> Path:
    from ldenrich import report

    return report.write_report(
        path,
        title="ldenrich analysis",
        command=command,
        version=ldenrich.__version__,
        qc=qc,
        genes=genes.table,
        sets=sets.sets,
        members=members,
        table3=sets.table3(screen),
        kruskal=sets.kruskal,
        enrichment=screen,
        # Each PNG/SVG pair is embedded once, as the (smaller) PNG.
        figures=[
            (_CAPTIONS.get(_figure_kind(stem), stem), [p for p in figures if p.stem == stem])
            for stem in dict.fromkeys(p.stem for p in figures)
        ],
        notes=[sets.model["description"], *sets.model["notes"]],
        table_files=table_files,
    )


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich run``."""
    run_pipeline(args)
    return 0
