"""Time the gene-set analysis: all GO BP sets on real MAGMA gene results (OLS), and GLS on a
synthetic genome-wide ``.genes.raw`` whose correlation blocks span whole chromosomes (the worst
case: ldenrich writes correlations with every gene within 5 Mb).

    python3 benches/bench_sets.py --shared DATA_DIR [--repeats 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

import ldenrich

HERE = Path(__file__).resolve().parent


def synthetic_raw(n_genes: int = 18_000, seed: int = 1) -> ldenrich.GeneResults:
    """Genes spread over 22 chromosomes like the genome (~1 gene / 150 kb), each correlated with
    every preceding gene of its chromosome within 5 Mb (correlation decaying with distance)."""
    rng = np.random.default_rng(seed)
    per_chrom = np.maximum(
        1, np.round(n_genes * np.linspace(2.0, 0.5, 22) / np.linspace(2.0, 0.5, 22).sum())
    )
    rows, corr = [], []
    gene = 0
    for chrom, count in enumerate(per_chrom.astype(int), start=1):
        starts = np.sort(rng.integers(0, int(count) * 150_000, count))
        for i, start in enumerate(starts):
            before = np.flatnonzero(starts[:i] >= start - 5_000_000)
            dist = (start - starts[before]) / 1e6
            corr.append(
                list(np.clip(0.6 * np.exp(-3 * dist) * rng.uniform(0.5, 1, len(before)), 0, 1))
            )
            nsnps = int(rng.integers(1, 400))
            rows.append((str(gene), str(chrom), int(start), int(start) + 50_000, nsnps,
                         max(1, int(nsnps * rng.uniform(0.1, 0.9))), 50_000.0, rng.uniform(5, 500),
                         rng.normal()))  # fmt: skip
            gene += 1
    table = pd.DataFrame(
        rows, columns=["GENE", "CHR", "START", "STOP", "NSNPS", "NPARAM", "N", "MAC", "ZSTAT"]
    )
    return ldenrich.GeneResults(table, corr, pd.DataFrame(), 0, {"source": "synthetic"})


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--shared",
        type=Path,
        required=True,
        help="directory of the public data this bench needs and the project does not ship "
        "(genesets/, magma_outputs/, gene_loc/ as named in the module docstring)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    go_path = args.shared / "genesets" / "GO_BP_propagated_entrez.gmt.gz"
    scz = (args.shared / "magma_outputs" / "MAGMA_Files_Public" / "Pardinas2018.SCZ"
           / "Pardinas2018.SCZ.tsv.bgz.35UP.10DOWN.genes.out")  # fmt: skip
    t_go, go = timed(lambda: ldenrich.read_gene_sets(go_path), args.repeats)
    t_read, genes = timed(lambda: ldenrich.read_gene_results(scz), args.repeats)
    t_ols, res = timed(
        lambda: ldenrich.gene_set_analysis(genes, go, threads=args.threads), args.repeats
    )
    n_ok = int((res.sets.status == "ok").sum())
    print(
        f"GO BP: {len(go)} sets read in {t_go:.2f} s; "
        f"SCZ .genes.out: {len(genes.table)} genes in {t_read:.2f} s"
    )
    print(f"OLS, {len(go)} sets ({n_ok} regressed): {t_ols:.2f} s")
    raw = synthetic_raw()
    t_gls, res = timed(lambda: ldenrich.gene_set_analysis(raw, go, threads=args.threads), 1)
    m = res.model
    print(
        f"GLS, synthetic {m['n_genes']} genes in {m['n_blocks']} blocks "
        f"(largest {m['largest_block']}), {len(go)} GO sets by Entrez id "
        f"({int((res.sets.status == 'ok').sum())} regressed): {t_gls:.2f} s"
    )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
