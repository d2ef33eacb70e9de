"""CPU of the gene-set step with a gene-set file the core read, against the same sets passed
through Python lists (what ``gene_set_analysis`` did before the file stayed in the core).

    python benches/bench_gsa_inputs.py --genes TRAIT.genes.raw --gmt GO_BP.gmt.gz

Both runs give the same table (checked); the figure is CPU seconds, best of ``--repeat``, on
one thread.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import pandas as pd

import ldenrich
from ldenrich.sets import gene_set_analysis, read_gene_results


def best(f: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        f()
        times.append(time.process_time() - t)
    return min(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--genes", required=True, help="a .genes.raw or .genes.out")
    p.add_argument("--gmt", required=True, help="a gene-set file (GMT, MAGMA or long)")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    warnings.simplefilter("ignore", ldenrich.LdenrichWarning)
    genes = read_gene_results(args.genes)
    read = ldenrich.read_gene_sets(args.gmt)

    def as_lists() -> ldenrich.GeneSets:
        return ldenrich.GeneSets(
            dict(read.items()), source=read.source, descriptions=read.descriptions
        )

    pd.testing.assert_frame_equal(
        gene_set_analysis(genes, read, threads=1).sets,
        gene_set_analysis(genes, as_lists(), threads=1).sets,
    )
    t_read = best(lambda: ldenrich.read_gene_sets(args.gmt), args.repeat)
    native = best(lambda: gene_set_analysis(genes, read, threads=1), args.repeat)
    lists = best(lambda: gene_set_analysis(genes, as_lists(), threads=1), args.repeat)
    print(f"{len(read):,} sets; core read {t_read:.3f} s")
    print(f"gene_set_analysis, sets through Python lists: {lists:.3f} s CPU")
    print(
        f"gene_set_analysis, the core's file:           {native:.3f} s CPU ({lists / native:.2f}x)"
    )


if __name__ == "__main__":
    main()
