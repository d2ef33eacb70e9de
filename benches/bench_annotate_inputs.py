"""CPU cost of taking parsed category files to ``annotate``: a 500k-interval BED file and a
GO-BP-sized GMT (7,500 sets, ~600k memberships), against the core's read of the same file.

The inputs are generated (seeded) into ``--out``; gene symbols come from the bundled example
gene locations, the SNP universe from the bundled example data. Times are CPU seconds of this
process (``time.process_time``), best of ``--repeat``.

Usage::

    python benches/bench_annotate_inputs.py --out /tmp/annot-bench
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import ldenrich
from ldenrich import _native
from ldenrich.annot import category_specs


def make_bed(path: Path, n: int, rng: np.random.Generator) -> None:
    names = np.array([f"chr{c}" for c in range(1, 23)] + ["chrX", "chrUn_gl000220"])
    chrom = names[rng.integers(0, len(names), n)]
    start = rng.integers(0, 240_000_000, n)
    end = start + rng.integers(1, 5_000, n)
    with open(path, "w") as f:
        f.writelines(f"{c}\t{s}\t{e}\n" for c, s, e in zip(chrom, start, end, strict=True))


def make_gmt(path: Path, symbols: list[str], n_sets: int, members: int, rng: np.random.Generator):
    # Set sizes like GO BP's: many small sets, a long tail of large ones.
    sizes = np.clip(rng.lognormal(3.5, 1.1, n_sets), 5, 2_000).astype(int)
    sizes = np.maximum(5, (sizes * members / sizes.sum()).astype(int))
    pool = np.array(symbols)
    with open(path, "w") as f:
        for i, k in enumerate(sizes):
            genes = rng.choice(pool, size=min(k, len(pool)), replace=False)
            f.write(f"GOBP_SET_{i}\thttp://example/{i}\t" + "\t".join(genes) + "\n")


def cpu(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--intervals", type=int, default=500_000)
    parser.add_argument("--sets", type=int, default=7_500)
    parser.add_argument("--members", type=int, default=600_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("LDENRICH_NUM_THREADS", "1")
    args.out.mkdir(parents=True, exist_ok=True)
    ex = ldenrich.example_data()
    gene_loc = ldenrich.read_gene_loc(ex.gene_loc)
    rng = np.random.default_rng(14)
    bed, gmt = args.out / "intervals_500k.bed", args.out / "go_bp_sized.gmt"
    if not bed.exists():
        make_bed(bed, args.intervals, rng)
    if not gmt.exists():
        make_gmt(gmt, gene_loc.to_frame()["symbol"].tolist(), args.sets, args.members, rng)
    ss, bim = ldenrich.read_sumstats(ex.sumstats), ldenrich.read_bim(ex.bim)
    n_members = sum(len(g) for g in ldenrich.read_gene_sets(gmt).values())
    print(f"{bed.name}: {args.intervals:,} lines; {gmt.name}: {args.sets:,} sets, "
          f"{n_members:,} memberships; best of {args.repeat}, CPU s, 1 thread")  # fmt: skip
    rows = {
        "BED: core read (_native.read_bed)": lambda: _native.read_bed(os.fspath(bed)),
        "BED: path -> category_specs": lambda: category_specs(beds=[bed]),
        "BED: path -> annotate": lambda: ldenrich.annotate(ss, bim, beds=[bed]),
        "GMT: core read (_native.read_gene_sets)": lambda: _native.read_gene_sets(
            os.fspath(gmt), "auto"
        ),
        "GMT: read_gene_sets -> category_specs": lambda: category_specs(
            ldenrich.read_gene_sets(gmt)
        ),
        "GMT: read_gene_sets -> annotate": lambda: ldenrich.annotate(
            ss, bim, gene_loc, gene_sets=ldenrich.read_gene_sets(gmt)
        ),
    }
    for label, fn in rows.items():
        print(f"{label:45s} {cpu(fn, args.repeat):7.3f}")


if __name__ == "__main__":
    main()
