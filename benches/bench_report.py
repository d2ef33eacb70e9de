"""Time the figures and the HTML report on real inputs; print file sizes.

Inputs: the enrichment table of ``ldenrich demo`` (bundled chr22 height data, 15 curated sets),
MAGMA v1.10 height gene results (``Yengo2018.Height``, 17,850 genes) from the shared data, and
the curated set members matched to those genes. Each step runs ``--repeats`` times in one
process after one untimed warm-up (which pays matplotlib's import); the median wall time is
printed with the size of what it wrote. The cold cost of ``import matplotlib`` and of the first
figure is measured in a fresh process. Writes only to a temporary directory.

Usage::

    python3 benches/bench_report.py [--repeats 5] --shared DATA_DIR [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import ldenrich
from ldenrich import plots
from ldenrich.report import write_report


def inputs(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ex = ldenrich.example_data()
    annot = ldenrich.annotate(
        ldenrich.read_sumstats(ex.sumstats),
        ldenrich.read_bim(ex.bim),
        ldenrich.read_gene_loc(ex.gene_loc),
        gene_sets=ldenrich.read_gene_sets(ex.gene_sets),
    )
    enrichment = ldenrich.enrichment(annot)
    path = next((shared / "magma_outputs/MAGMA_Files_Public/Yengo2018.Height").glob("*.out"))
    genes = pd.read_csv(path, sep=r"\s+", dtype={"CHR": str})
    loc = pd.read_csv(shared / "gene_loc/NCBI37.3.gene.loc", sep="\t", header=None,
                      names=["GENE", "c", "s", "e", "strand", "SYMBOL"])  # fmt: skip
    genes = genes.merge(loc[["GENE", "SYMBOL"]], on="GENE", how="left")
    sets = pd.read_csv(ex.gene_sets.parent / "ldenrich_curated_members.tsv", sep="\t")
    z = genes.set_index("GENE").ZSTAT
    members = pd.DataFrame({
        "set": sets.set, "gene": sets.entrez, "symbol": sets.symbol,
        "z": sets.entrez.map(z), "found": sets.entrez.isin(z.index),
    })  # fmt: skip
    return enrichment, genes, members


def timed(step: Callable[[], list[Path]], repeats: int) -> tuple[float, list[Path]]:
    step()  # warm-up: imports, font cache
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        paths = step()
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls), paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--shared",
        type=Path,
        required=True,
        help="directory of the public data this bench needs and the project does not ship "
        "(genesets/, magma_outputs/, gene_loc/ as named in the module docstring)",
    )
    parser.add_argument("--keep", type=Path, help="write the outputs here and keep them")
    args = parser.parse_args()
    enrichment, genes, members = inputs(args.shared)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        figures: list[Path] = []
        steps: list[tuple[str, Callable[[], list[Path]]]] = [
            (f"forest_plot ({len(enrichment)} categories)",
             lambda: plots.forest_plot(enrichment, out / "demo.forest")),
            (f"set_z_distributions ({members.set.nunique()} sets, {len(genes):,} genes)",
             lambda: plots.set_z_distributions(genes, members, out / "height.setz")),
            (f"gene_manhattan_qq ({len(genes):,} genes)",
             lambda: plots.gene_manhattan_qq(genes, out / "height.genes")),
        ]  # fmt: skip
        print(f"| step | median wall (s), {args.repeats} runs | output |")
        print("|---|---:|---|")
        for name, step in steps:
            wall, paths = timed(step, args.repeats)
            figures += paths
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1024:.0f} KiB" for p in paths)
            print(f"| `{name}` | {wall:.3f} | {sizes} |")
        wall, (html,) = timed(
            lambda: [write_report(out / "report.html", title="bench", command="bench",
                                  version=ldenrich.__version__, genes=genes, members=members,
                                  enrichment=enrichment, figures=figures, date="fixed")],
            args.repeats,
        )  # fmt: skip
        print(f"| `write_report` (3 figures, all tables) | {wall:.3f} | "
              f"{html.name} {html.stat().st_size / 1024:.0f} KiB |")  # fmt: skip
        again = [p.read_bytes() for p in plots.forest_plot(enrichment, out / "again")]
        same = again == [p.read_bytes() for p in figures[:2]]
        print(f"\nforest plot byte-identical on rerun: {same}")
    cold = (
        "import time; t = time.perf_counter(); import matplotlib.figure; "
        "t1 = time.perf_counter(); import pandas as pd; from ldenrich.plots import forest_plot; "
        "import tempfile; d = tempfile.mkdtemp(); "
        "forest_plot(pd.DataFrame({'category': ['a'], 'enrichment': [1.0], "
        "'enrichment_se': [0.1]}), d + '/f'); "
        "print(f'{t1 - t:.3f} {time.perf_counter() - t1:.3f}')"
    )
    runs = [subprocess.run([sys.executable, "-c", cold], capture_output=True, text=True,
                           check=True).stdout.split() for _ in range(3)]  # fmt: skip
    imp, first = np.median(np.array(runs, dtype=float), axis=0)
    print(f"fresh process: import matplotlib.figure {imp:.3f} s; first small figure {first:.3f} s")


if __name__ == "__main__":
    main()
