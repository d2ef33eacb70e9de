"""Growth of the LD-score cost with the number of gene-set annotations (issue 17: 1 -> 1,000
annotations in <= 3x the cost of one).

    python3 benches/bench_ldscore_sets.py [--panel PREFIX] [--kb KB] [--sets 1,10,100,1000]
                                          [--genes 205] [--repeats 3] [--threads N]

K random gene sets of ``--genes`` genes each (drawn from the bundled GRCh37 gene locations, so
about 1 in 100 of them lies on chr22), given to ``ldenrich.ldscore(gene_sets=...)`` (what
``ldenrich ldscore --gene-sets`` does: the sets become runs of the panel's SNPs, LDSC-SEG's
100 kb window, never a matrix; ``--matrix``: the ``make_annot`` 0/1 matrix instead), with a 1 cM
window (``--kb``: a window in kb, for panels without a cM map such as the synthetic ones of
``make_synthetic_panel.py``) and ldsc's window rule. Times only the ``ldscore`` call (wall and
CPU of every thread, best of ``--repeats``), with each K's ratio to K = 1, the annotation
density and the peak RSS of the process so far (K grows, so it is K's own peak; the process
also holds the 0/1 matrix, built once for the densities). The default panel is the bundled
1000 Genomes EUR chr22 (15,938 SNPs, 378 people).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

import ldenrich


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--panel", help="PLINK prefix (default: the bundled chr22 panel)")
    parser.add_argument("--kb", type=float, help="window in kb instead of 1 cM")
    parser.add_argument("--sets", default="1,10,100,1000")
    parser.add_argument("--genes", type=int, default=205)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--matrix", action="store_true", help="pass the make_annot matrix")
    args = parser.parse_args()
    ex = ldenrich.example_data()
    panel = args.panel or str(ex.bfile)
    bim = ldenrich.read_bim(panel)
    loc = ldenrich.read_gene_loc(ex.gene_loc).to_frame()
    rng = np.random.default_rng(args.seed)
    ks = [int(k) for k in args.sets.split(",")]
    genes = loc["gene"].astype(str).to_numpy()
    sets = {
        f"set{i}": rng.choice(genes, size=args.genes, replace=False).tolist()
        for i in range(max(ks))
    }
    annot = ldenrich.make_annot(bim, ex.gene_loc, sets, threads=args.threads)
    print(f"ldenrich {ldenrich.describe_build()}")
    window = {"ld_wind_kb": args.kb} if args.kb else {"ld_wind_cm": 1.0}
    label = f"{args.kb:g} kb" if args.kb else "1 cM"
    print(f"panel {panel}: {len(bim):,} SNPs; {args.genes} random genes per set; {label} window")
    print(f"annotations given as {'the make_annot matrix' if args.matrix else 'gene sets (runs)'}")
    print("| sets | non-zero share | wall | CPU | wall / 1 set | CPU / 1 set | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    base: tuple[float, float] | None = None
    for k in ks:
        a = annot.iloc[:, :k]
        given = {"annot": a} if args.matrix else {
            "gene_sets": {n: sets[n] for n in list(sets)[:k]}, "gene_loc": ex.gene_loc
        }  # fmt: skip
        best_wall, best_cpu = np.inf, np.inf
        for _ in range(args.repeats):
            w0, c0 = time.perf_counter(), cpu()
            ldenrich.ldscore(panel, threads=args.threads, **given, **window)
            best_wall = min(best_wall, time.perf_counter() - w0)
            best_cpu = min(best_cpu, cpu() - c0)
        if base is None:
            base = (best_wall, best_cpu)
        density = float((a.to_numpy() != 0).mean())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"| {k:,} | {density:.4f} | {best_wall:.3f} s | {best_cpu:.3f} s | "
            f"{best_wall / base[0]:.2f} | {best_cpu / base[1]:.2f} | {peak:.0f} MiB |"
        )


if __name__ == "__main__":
    main()
