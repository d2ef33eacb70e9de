"""``ldenrich ldscore``: partitioned LD scores of a PLINK panel in ldsc's file layout."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import ldenrich
from ldenrich.cli._common import (
    GENE_LOC_HELP,
    LOGGER,
    OUT_RULE,
    HelpFormatter,
    add_common_options,
    add_gene_loc_options,
    add_out_option,
    parse_window,
    start_prefix_log,
    step,
)

if TYPE_CHECKING:
    import pandas as pd

HELP = "LD scores of a PLINK panel for many annotations at once (ldsc --l2)"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "ldscore",
        help=HELP,
        description=HELP + ". Writes PREFIX.l2.ldscore.gz, PREFIX.l2.M, PREFIX.l2.M_5_50 and "
        "PREFIX.log (and PREFIX.annot.gz with --write-annot). Annotations come from ldsc .annot "
        "files, gene sets (each set one column, in one pass) and BED files. " + OUT_RULE,
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
    sets = p.add_argument_group("annotations from gene sets and intervals (ldsc make_annot)")
    sets.add_argument(
        "--gene-sets", type=Path, action="append", default=[],
        help="GMT or two-column gene-set file: one annotation per set, the SNPs inside the "
        "window of any of its genes (repeatable)",
    )  # fmt: skip
    sets.add_argument(
        "--bed", type=Path, action="append", default=[],
        help="BED file: one annotation, the SNPs inside its intervals (repeatable)",
    )  # fmt: skip
    add_gene_loc_options(sets, False, GENE_LOC_HELP + " (needed with --gene-sets)")
    sets.add_argument(
        "--window", type=parse_window, default=(100.0, 100.0), metavar="UP,DOWN",
        help="gene window in kb before the start and after the end, strand-aware (LDSC-SEG's "
        "symmetric 100 kb by default; 35,10 is the gene analysis's)",
    )  # fmt: skip
    sets.add_argument(
        "--write-annot", action="store_true",
        help="also write every annotation as PREFIX.annot.gz (for ldenrich h2 --overlap-annot)",
    )  # fmt: skip
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


def annotations(
    args: argparse.Namespace, bim: ldenrich.Bim | None
) -> pd.DataFrame | list[Path] | None:
    """With --write-annot, the annotation columns to write: the --annot files, then one per
    gene set and BED file; otherwise the --annot files' paths alone (ldscore reads them, and
    builds the gene sets and intervals itself, without a matrix)."""
    if not args.write_annot:
        return args.annot or None
    import pandas as pd

    assert bim is not None
    snps = bim.to_frame()["snp"].tolist() if args.annot else []
    frames = [ldenrich.read_annot(p, snps) for p in args.annot]
    if not args.gene_sets and not args.bed:
        return pd.concat(frames, axis=1) if frames else None
    with step("annotating the panel's SNPs with gene sets and intervals"):
        made = ldenrich.make_annot(
            bim, args.gene_loc, args.gene_sets or None, args.bed or None,
            window=args.window, threads=args.threads,
        )  # fmt: skip
    log_categories(made.attrs["categories"], args.window)
    return pd.concat([*frames, made], axis=1)


def log_categories(records: list[dict], window: tuple[float, float]) -> None:
    """How many gene sets and interval files annotate the panel, and which hold no SNP."""
    sets = sum(bool(r["is_gene_set"]) for r in records)
    LOGGER.info(
        "  %d annotations (%d gene sets, %d interval files); window %g kb up, %g kb down",
        len(records), sets, len(records) - sets, *window,
    )  # fmt: skip
    for r in records:
        genes = f"{r['n_genes_found']} of {r['n_genes']} genes, " if r["is_gene_set"] else ""
        LOGGER.debug("  %s: %s%d SNPs", r["name"], genes, r["n_snps"])
    empty = [r["name"] for r in records if r["n_snps"] == 0]
    if empty:
        LOGGER.warning(
            "%d annotations hold no SNP of the panel (their LD scores are 0): %s",
            len(empty), ", ".join(empty[:10]) + (" ..." if len(empty) > 10 else ""),
        )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich ldscore``."""
    out, log_path = start_prefix_log(args.out, args.verbose)
    if args.gene_sets and args.gene_loc is None:
        raise ldenrich.InvalidArgumentError("--gene-sets needs --gene-loc (or --build)")
    # The panel's .bim, read once, when annotations are written here.
    bim = ldenrich.read_bim(args.bfile, threads=args.threads) if args.write_annot else None
    annot = annotations(args, bim)
    # Without --write-annot, ldscore builds the gene sets and intervals as runs of SNPs.
    native = not args.write_annot and bool(args.gene_sets or args.bed)
    with step(f"computing LD scores of {args.bfile}"):
        scores = ldenrich.ldscore(
            args.bfile,
            annot,
            gene_sets=(args.gene_sets or None) if native else None,
            beds=(args.bed or None) if native else None,
            gene_loc=args.gene_loc if native else None,
            window=args.window,
            ld_wind_cm=args.ld_wind_cm,
            ld_wind_kb=args.ld_wind_kb,
            ld_wind_snps=args.ld_wind_snps,
            window_rule=args.ld_window_rule,
            maf=args.maf,
            print_snps=args.print_snps,
            threads=args.threads,
        )
    if native:
        log_categories(scores.attrs["categories"], args.window)
    # Sets whose SNPs are all dropped by the SNP filter (monomorphic, --maf) score 0 too.
    no_panel_snp = {r["name"] for r in scores.attrs.get("categories", []) if r["n_snps"] == 0}
    filtered = [
        name.removesuffix("L2") for name, m in scores.attrs["M"].items()
        if m == 0 and name.removesuffix("L2") not in no_panel_snp
    ]  # fmt: skip
    if filtered:
        LOGGER.warning(
            "%d annotations hold no SNP that passes the SNP filter (their LD scores are 0): %s",
            len(filtered), ", ".join(filtered[:10]) + (" ..." if len(filtered) > 10 else ""),
        )  # fmt: skip
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
    # One line per annotation, at INFO for a baseline-sized model, at DEBUG (-v) for thousands.
    many = len(scores.attrs["M"]) > 100
    for name, m in scores.attrs["M"].items():
        (LOGGER.debug if many else LOGGER.info)(
            "  %s: M = %s, M_5_50 = %s", name, m, scores.attrs["M_5_50"][name]
        )
    if many:
        LOGGER.info("  M and M_5_50 of each annotation: PREFIX.l2.M, PREFIX.l2.M_5_50 (and -v)")
    for path in ldenrich.write_ldscore(scores, out, cm_maf=args.print_cm_maf):
        LOGGER.info("wrote %s", path)
    if args.write_annot:
        import pandas as pd

        assert bim is not None
        if annot is None:
            annot = pd.DataFrame({"base": 1.0}, index=range(len(bim)))
        LOGGER.info("wrote %s", ldenrich.write_annot(annot, bim, f"{out}.annot.gz"))
    LOGGER.info("wrote %s", log_path)
    return 0
