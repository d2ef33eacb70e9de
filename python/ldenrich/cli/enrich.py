"""``ldenrich enrich``: the mean-chi-square enrichment screen over many categories."""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import ldenrich
from ldenrich import _native
from ldenrich._atomic import write_tsv
from ldenrich.cli._common import (
    GENE_LOC_HELP,
    LOGGER,
    OUT_RULE,
    HelpFormatter,
    add_common_options,
    add_gene_loc_options,
    add_out_option,
    add_sumstats_options,
    log_items,
    log_snp_accounting,
    log_sumstats,
    output_prefix,
    parse_window,
    read_sumstats_from_args,
    start_logging,
    step,
)

if TYPE_CHECKING:
    import pandas as pd

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


def _log_inputs(ss: ldenrich.SumStats, genes: ldenrich.GeneLoc | None) -> None:
    log_sumstats(ss)
    if ss.p_zero_from_other:
        LOGGER.info(
            "  %d rows with p = 0 took their chi-square from the row's Z or BETA/SE",
            ss.p_zero_from_other,
        )
    if genes is not None:
        for warning in genes.warnings:
            LOGGER.warning("  warning: %s", warning)
        if genes.skipped:
            LOGGER.info("  gene locations skipped: %s", genes.skipped)


def _log_qc(annot: ldenrich.Annotation) -> None:
    log_snp_accounting(annot.qc)
    details = annot.qc_details
    LOGGER.info(
        "  reference: %d rows, %d with duplicated ids, %d not on chromosomes 1-22; "
        "alleles %s; %d strand-ambiguous SNPs kept",
        details["bim_rows"],
        details["bim_duplicate_rows"],
        details["bim_non_autosomal_rows"],
        "compared" if details["alleles_checked"] else "not compared (sumstats have none)",
        details["strand_ambiguous_kept"],
    )


def _log_categories(annot: ldenrich.Annotation, table: pd.DataFrame) -> None:
    sets = annot.categories()
    partial = sets[(sets.kind == "gene_set") & (sets.n_genes_found < sets.n_genes)]
    lines = []
    for row in partial.itertuples():
        missing = annot.missing_genes(row.category)
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        lines.append(
            f"  {row.category}: {row.n_genes - row.n_genes_found} of {row.n_genes} genes not in "
            f"the gene locations ({shown})"
        )
    log_items(lines, "gene sets with genes not in the gene locations")
    counts = table.status.value_counts()
    tested = table.status == "tested"
    LOGGER.info(
        "  categories: %s; jackknife undefined for %d; %d in fewer than %d blocks (few_blocks: "
        "read enrichment_p_perm, not the study's enrichment_p)",
        ", ".join(f"{k}={v}" for k, v in counts.items()),
        int((tested & ~table.jackknife_ok).sum()),
        int(table.few_blocks.sum()),
        ldenrich.stats.FEW_BLOCKS,
    )
    LOGGER.info("  %s", verdict_summary(table))


def verdict_summary(table: pd.DataFrame) -> str:
    """One line: how many categories each p calls significant, the calibrated one first."""
    if table.attrs.get("permutations", 0) == 0:
        head = "no permutations (--permutations 0): calibrated counts from enrichment_p_t"
        parts = [(head, "p_t_bonferroni", "q_t_bh")]
    else:
        parts = [("permutation p (calibrated)", "p_perm_bonferroni", "q_perm_bh")]
    parts.append(("study's jackknife p (normal)", "p_bonferroni", "q_bh"))
    return "; ".join(
        f"{label}: {int((table[bonf] < 0.05).sum())} Bonferroni < 0.05, "
        f"{int((table[bh] < 0.05).sum())} BH q < 0.05"
        for label, bonf, bh in parts
    )


def _threads(args: argparse.Namespace) -> int:
    # The core's rule (argument, LDENRICH_NUM_THREADS, cores), so a bad variable is one error.
    return ldenrich._native.resolve_threads(args.threads)


def _import_analysis_modules() -> None:
    """Import what the steps after reading need (pandas and scipy: 0.3 s of start-up)."""
    import ldenrich.sets
    import ldenrich.stats  # noqa: F401


def read_sumstats_and_bim(
    args: argparse.Namespace, bim_path: Path
) -> tuple[ldenrich.SumStats, ldenrich.Bim]:
    """Read both at once when there are threads to spare: a gzip file is decompressed on one
    thread, and parsing the .bim meanwhile fills the cores that would otherwise wait for it.
    The readers release the GIL, so the analysis modules are imported in the meantime."""
    if _threads(args) < 2:
        _import_analysis_modules()
        return read_sumstats_from_args(args), ldenrich.read_bim(bim_path, threads=args.threads)
    with ThreadPoolExecutor(max_workers=2) as pool:
        bim = pool.submit(ldenrich.read_bim, bim_path, threads=args.threads)
        ss = pool.submit(read_sumstats_from_args, args)
        try:
            _import_analysis_modules()
            # An error in the summary statistics is reported first, as in the sequential order.
            return ss.result(), bim.result()
        except BaseException:
            # Ctrl-C reaches this (main) thread only; the readers would otherwise run to the end
            # of their files before the pool lets go.
            _native.cancel()
            raise


def check_screen_args(args: argparse.Namespace) -> None:
    """Checked before reading inputs that may take minutes."""
    if args.blocks < 2:
        raise ldenrich.InvalidArgumentError(f"--blocks must be at least 2; got {args.blocks}")
    if args.min_snps < 1:
        raise ldenrich.InvalidArgumentError(f"--min-snps must be at least 1; got {args.min_snps}")
    for flag, value in (("--permutations", args.permutations), ("--perm-stop", args.perm_stop)):
        if value < 0:
            raise ldenrich.InvalidArgumentError(f"{flag} must be 0 or more; got {value}")
    if not 0 <= args.seed < 2**64:
        raise ldenrich.InvalidArgumentError(f"--seed must be in [0, 2**64); got {args.seed}")


def annotate_step(
    args: argparse.Namespace,
    ss: ldenrich.SumStats,
    bim: ldenrich.Bim,
    genes: ldenrich.GeneLoc | None,
    gene_sets: list[ldenrich.GeneSets],
) -> ldenrich.Annotation:
    """Build the SNP universe and annotate it, logging the QC; shared by ``enrich`` and ``run``."""
    with step("building the SNP universe and annotating"):
        annot = ldenrich.annotate(
            ss, bim, genes, gene_sets=gene_sets, beds=args.bed, window=args.window,
            drop_strand_ambiguous=args.drop_strand_ambiguous, threads=args.threads,
            match=args.match,
        )  # fmt: skip
    _log_qc(annot)
    return annot


def enrichment_step(args: argparse.Namespace, annot: ldenrich.Annotation) -> pd.DataFrame:
    """Test every category, logging the outcome; shared by ``enrich`` and ``run``."""
    with step(f"testing {len(annot.category_names)} categories"):
        table = ldenrich.enrichment(
            annot, blocks=args.blocks, min_snps=args.min_snps, permutations=args.permutations,
            perm_stop=args.perm_stop, seed=args.seed, threads=args.threads,
        )  # fmt: skip
    LOGGER.info("  jackknife blocks: %d over %d SNPs", table.attrs["blocks"], len(annot))
    if args.permutations:
        LOGGER.info(
            "  permutation null: up to %d circular shifts per category within chromosomes, "
            "stopping after %s reach it (seed %d)",
            args.permutations, args.perm_stop or "none", args.seed,
        )  # fmt: skip
    _log_categories(annot, table)
    return table


def write_screen(prefix: Path, annot: ldenrich.Annotation, table: pd.DataFrame) -> dict[str, Path]:
    """``PREFIX.enrichment.tsv`` and ``PREFIX.qc.tsv``."""
    paths = {
        "enrichment": prefix.with_name(prefix.name + ".enrichment.tsv"),
        "qc": prefix.with_name(prefix.name + ".qc.tsv"),
    }
    write_tsv(paths["enrichment"], table)
    write_tsv(paths["qc"], annot.qc)
    return paths


def run_screen(args: argparse.Namespace) -> pd.DataFrame:
    """Read, annotate and test; write the outputs; return the enrichment table."""
    out = output_prefix(args.out)
    if args.gene_sets and args.gene_loc is None:
        raise ldenrich.InvalidArgumentError("--gene-sets needs --gene-loc")
    if not args.gene_sets and not args.bed:
        raise ldenrich.InvalidArgumentError("nothing to test: give --gene-sets and/or --bed")
    check_screen_args(args)
    start_logging(out.with_name(out.name + ".log"), args.verbose)
    with step("reading summary statistics, reference and gene locations"):
        ss, bim = read_sumstats_and_bim(args, args.bim)
        genes = ldenrich.read_gene_loc(args.gene_loc) if args.gene_loc else None
        LOGGER.info("  %s: %d variants", bim.path, len(bim))
        if genes is not None:
            LOGGER.info("  %s: %d genes", genes.path, len(genes))
    _log_inputs(ss, genes)
    with step("reading gene sets"):
        gene_sets = [ldenrich.read_gene_sets(p, args.gene_set_format) for p in args.gene_sets]
        for gs in gene_sets:
            LOGGER.info("  %s: %d sets (%s)", gs.source, len(gs), gs.format)
    annot = annotate_step(args, ss, bim, genes, gene_sets)
    # The universe holds what the tests need; the parsed files would only add to the peak.
    del ss, bim
    table = enrichment_step(args, annot)
    for path in write_screen(out, annot, table).values():
        LOGGER.info("wrote %s", path)
    LOGGER.info("wrote %s", out.with_name(out.name + ".log"))
    return table


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich enrich``."""
    run_screen(args)
    return 0
