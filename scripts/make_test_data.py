"""Rebuild the real-data test files in ``tests/data/real/`` from the original public files.

Usage::

    python3 scripts/make_test_data.py --source DIR

``DIR`` holds the originals in the layout of the project's data collection (``gene_loc/``,
``genesets/``, ``magma_outputs/``); ``tests/data/README.md`` names the origin of each. The output
is deterministic (gzip without a timestamp), so a rebuild is byte-identical to the checked-in
files. Only the two GO subsets are transformations; the rest are copies (gzipped or not).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "real"
GO_BP = "genesets/GO_BP_propagated_entrez.gmt.gz"
IEU = "magma_outputs/ieu-a-298"
STUDIES = ("Yengo2018.Height", "Pardinas2018.SCZ", "Jansen2019.AD")
# test_thousand_go_sets_on_real_data takes the first 1,000 sets with more than 10 genes; the
# OLS fallback test takes sets among the first 400. Both need the file's order and every member.
HEAD_SETS_WITH_MORE_THAN_10 = 1000
W_LD = "ldscores/eur_w_ld_chr/22.l2.ldscore.gz"


def write_gz(path: Path, text: str) -> None:
    # mtime=0 and no file name: the same input gives the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(text.encode())


def go_head(lines: list[str]) -> str:
    """The GMT's first lines, up to and including the 1,000th set with more than 10 genes."""
    big = 0
    for i, line in enumerate(lines):
        if len(line.rstrip("\n").split("\t")) > 12:
            big += 1
            if big == HEAD_SETS_WITH_MORE_THAN_10:
                return "".join(lines[: i + 1])
    raise SystemExit("fewer than 1,000 sets with more than 10 genes")


def go_restricted(lines: list[str], genes: set[str]) -> str:
    """Every set, members restricted to ``genes`` (order kept); sets left empty are dropped.

    The gene-set regression only uses members present in the gene results, so this gives the
    same fitted rows as the full file for those results.
    """
    out = []
    for line in lines:
        fields = line.rstrip("\n").split("\t")
        kept = [g for g in fields[2:] if g in genes]
        if kept:
            out.append("\t".join([*fields[:2], *kept]) + "\n")
    return "".join(out)


def w_ld_panel_slice(lines: list[str], panel_snps: set[str]) -> str:
    """ldsc's chr22 regression weights, only the rows of the bundled chr22 panel's SNPs."""
    return "".join(lines[:1] + [x for x in lines[1:] if x.split("\t")[1] in panel_snps])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    src = parser.parse_args().source
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("genes.raw", "genes.out"):
        shutil.copyfile(src / IEU / f"ieu-a-298.{name}", OUT / f"ieu-a-298.{name}")
    shutil.copyfile(
        src / IEU / "ieu-a-298.tsv.gz.35UP.10DOWN.level1.MainRun.gsa.out", OUT / "ieu-a-298.gsa.out"
    )
    for study in STUDIES:
        magma = src / "magma_outputs" / "MAGMA_Files_Public" / study
        write_gz(
            OUT / f"{study}.genes.out.gz",
            (magma / f"{study}.tsv.bgz.35UP.10DOWN.genes.out").read_text(),
        )
    with gzip.open(src / GO_BP, "rt") as fh:
        lines = fh.readlines()
    write_gz(OUT / "GO_BP_head_entrez.gmt.gz", go_head(lines))
    raw_genes = {
        line.split()[0]
        for line in (OUT / "ieu-a-298.genes.raw").read_text().splitlines()
        if line and not line.startswith("#")
    }
    write_gz(OUT / "GO_BP_ieu-a-298_entrez.gmt.gz", go_restricted(lines, raw_genes))
    bim = OUT.parents[2] / "python" / "ldenrich" / "data" / "example" / "1000G_eur_chr22.bim.gz"
    with gzip.open(bim, "rt") as fh:
        panel = {line.split()[1] for line in fh}
    with gzip.open(src / W_LD, "rt") as fh:
        lines = fh.readlines()
    (OUT / "w_ld").mkdir(exist_ok=True)
    write_gz(OUT / "w_ld" / "22.l2.ldscore.gz", w_ld_panel_slice(lines, panel))


if __name__ == "__main__":
    main()
