"""Benchmark harmonising summary statistics: ``ldenrich munge`` against pyldsc 0.1.0's
``munge_sumstats`` (a port of ldsc's ``munge_sumstats.py``) on the same synthetic input, in the
same run, and ``zcat`` of the input as the floor.

The input imitates a genome-wide GWAS in a common layout: ``--snps`` rows on chromosomes 1-22
(``SNP A1 A2 BETA SE P N``, gzip), a ``.bim`` holding every SNP, and an allele list
(``--merge-alleles``) with every second SNP, a third of them with the alleles swapped. Each tool
runs in its own subprocess (CPU time and peak RSS are its own); pyldsc's INFO/MAF/N filters
are off so both keep the same SNPs, and their Z values are compared.

Usage::

    python3 benches/bench_munge.py [--snps 2000000] [--threads N] [--repeats 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

CHILD = r"""
import json, os, resource, subprocess, sys, time
tool, d, threads = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
if tool == "pyldsc":
    import pyldsc
    pyldsc.munge_sumstats(f"{d}/gwas.txt.gz", out=f"{d}/pyldsc", merge_alleles=f"{d}/list.snplist",
                          info_min=0, maf_min=0, n_min=0)
elif tool == "zcat":
    subprocess.run(f"zcat {d}/gwas.txt.gz > /dev/null", shell=True, check=True)
else:
    from ldenrich.cli import main
    code = main(["munge", "--sumstats", f"{d}/gwas.txt.gz", "--bim", f"{d}/ref.bim",
                 "--merge-alleles", f"{d}/list.snplist", "--out", f"{d}/ldenrich",
                 "--threads", threads])
    assert code == 0
wall = time.perf_counter() - t0
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"wall": wall, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss_mb": int(hwm) / 1024}))
"""


def make_inputs(d: Path, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    chrom = np.sort(rng.integers(1, 23, n))
    bp = np.zeros(n, dtype=np.int64)
    for c in range(1, 23):
        idx = np.flatnonzero(chrom == c)
        bp[idx] = np.sort(rng.choice(250_000_000, len(idx), replace=False)) + 1
    snp = np.char.add("rs", (np.arange(n) + 1000).astype(str))
    # Only unambiguous pairs, so that both tools keep every listed SNP.
    pairs = np.array([("A", "G"), ("A", "C"), ("C", "T"), ("G", "T"), ("G", "A"), ("T", "C")])
    a = pairs[rng.integers(0, len(pairs), n)]
    pd.DataFrame({"c": chrom, "s": snp, "cm": 0, "bp": bp, "a1": a[:, 0], "a2": a[:, 1]}).to_csv(
        d / "ref.bim", sep="\t", header=False, index=False
    )
    flip = rng.random(n) < 0.5
    beta = rng.normal(0, 0.01, n)
    se = rng.uniform(0.005, 0.02, n)
    from scipy import stats

    p = 2 * stats.norm.sf(np.abs(beta / se))
    gwas = pd.DataFrame(
        {
            "SNP": snp, "A1": np.where(flip, a[:, 1], a[:, 0]),
            "A2": np.where(flip, a[:, 0], a[:, 1]), "BETA": np.round(beta, 6),
            "SE": np.round(se, 6), "P": [f"{v:.6g}" for v in p], "N": 400_000,
        }
    )  # fmt: skip
    with gzip.open(d / "gwas.txt.gz", "wt", compresslevel=6) as fh:
        gwas.to_csv(fh, sep="\t", index=False)
    keep = np.arange(n) % 2 == 0
    swap = rng.random(n) < 1 / 3
    listed = pd.DataFrame(
        {"SNP": snp, "A1": np.where(swap, a[:, 1], a[:, 0]), "A2": np.where(swap, a[:, 0], a[:, 1])}
    )[keep]
    listed.to_csv(d / "list.snplist", sep="\t", index=False)


def run(tool: str, d: Path, threads: int) -> dict[str, float]:
    env = {**os.environ, "LDENRICH_NUM_THREADS": str(threads)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, tool, str(d), str(threads)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--snps", type=int, default=2_000_000)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    args = ap.parse_args()
    d = args.keep or Path(tempfile.mkdtemp(prefix="bench_munge."))
    d.mkdir(parents=True, exist_ok=True)
    if not (d / "gwas.txt.gz").exists():
        make_inputs(d, args.snps, seed=5)
    results: dict[str, list[dict[str, float]]] = {"zcat": [], "ldenrich": [], "pyldsc": []}
    for _ in range(args.repeats):
        for tool in results:
            results[tool].append(run(tool, d, args.threads))
    ours = pd.read_csv(d / "ldenrich.sumstats.gz", sep="\t").set_index("SNP")
    theirs = pd.read_csv(d / "pyldsc.sumstats.gz", sep="\t").dropna().set_index("SNP")
    qc = pd.read_csv(d / "ldenrich.munge.qc.tsv", sep="\t").set_index("reason")["count"]
    only_theirs = theirs.index.difference(ours.index)
    only_ours = ours.index.difference(theirs.index)
    theirs = theirs.loc[ours.index.intersection(theirs.index)]
    mine = ours.loc[theirs.index]
    same = (theirs.A1 == mine.A1).to_numpy()
    # pyldsc writes Z with three decimals; ours is exact, so compare at that precision.
    diff = np.abs(mine.Z.to_numpy() - np.where(same, theirs.Z, -theirs.Z)).max()
    n_theirs = len(theirs) + len(only_theirs)
    print(
        f"{args.snps:,} rows; SNPs written: ldenrich {len(ours):,}, pyldsc {n_theirs:,} "
        f"({len(only_theirs)} only by pyldsc; ldenrich's effect_zero = "
        f"{qc['dropped_effect_zero']}; {len(only_ours)} only by ldenrich); max |Z difference| "
        f"{diff:.2g} (pyldsc writes 3 decimals); threads {args.threads}"
    )
    floor = float(np.median([r["wall"] for r in results["zcat"]]))
    print("| tool | median wall | wall / zcat | median CPU | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for tool, runs in results.items():
        wall = float(np.median([r["wall"] for r in runs]))
        cpu = float(np.median([r["cpu"] for r in runs]))
        rss = max(r["rss_mb"] for r in runs)
        print(f"| {tool} | {wall:.2f} s | {wall / floor:.2f} | {cpu:.2f} s | {rss:.0f} MiB |")
    ratio = np.median([r["wall"] for r in results["pyldsc"]]) / np.median(
        [r["wall"] for r in results["ldenrich"]]
    )
    print(f"ldenrich munge is {ratio:.1f}x faster than pyldsc's munge_sumstats (wall)")


if __name__ == "__main__":
    main()
