"""Benchmark partitioned heritability: ``ldenrich.partitioned_h2`` against pyldsc 0.1.0 (ldsc
2.0.1's regression) on the same synthetic genome-wide input, in the same run.

The input imitates a baseline-model run: ``--snps`` regression SNPs on chromosomes 1-22 (every
one in the summary statistics, the reference LD scores and the weights), ``--annots``
annotations (an all-ones base, then binary annotations at 1-50% density, overlapping), LD scores
written with 3 decimals as ldsc does, ``.annot.gz`` and ``.frq`` files for ``--overlap-annot``,
and chi-squares drawn from the model. pyldsc's Python API reads one file per prefix, so both
tools read the same single files (ldenrich's ``ref_ld``/``w_ld``). Each tool runs in its own
subprocess, so that CPU time (user + system, every thread) and peak RSS (``VmHWM``) are its
own; the two ``.results`` tables are compared. Needs ``pip install pyldsc==0.1.0``.

Usage::

    python3 benches/bench_h2.py [--snps 1200000] [--annots 100] [--threads N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ.get("BENCH_THREADS", "1"))
import numpy as np, pandas as pd
tool, d, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
c0, t0 = cpu(), time.perf_counter()
if tool == "pyldsc":
    import pyldsc
    fit = pyldsc.estimate_h2(f"{d}/gwas.sumstats.gz", f"{d}/ref", f"{d}/w", overlap_annot=True,
                             frqfile=f"{d}/frq", print_coefficients=True)
    table = fit.overlap_results
else:
    import ldenrich
    fit = ldenrich.partitioned_h2(f"{d}/gwas.sumstats.gz", ref_ld=f"{d}/ref", w_ld=f"{d}/w",
                                  overlap_annot=True, frqfile=f"{d}/frq", threads=threads)
    table = fit.results
c1, t1 = cpu(), time.perf_counter()
table.to_csv(f"{d}/{tool}.results", sep="\t", index=False)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"cpu": c1 - c0, "wall": t1 - t0, "rss_mb": int(hwm) / 1024}))
"""


def make_inputs(d: Path, n: int, c: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    chrom = np.sort(rng.integers(1, 23, size=n))
    bp = np.concatenate([np.sort(rng.choice(250_000_000, (chrom == k).sum(), replace=False))
                         for k in range(1, 23)])  # fmt: skip
    snp = np.array([f"rs{i}" for i in range(n)], dtype=object)
    density = np.concatenate([[1.0], np.geomspace(0.01, 0.5, c - 1)])
    annot = (rng.random((n, c)) < density).astype(np.float32)
    base_ld = 1.0 + rng.gamma(2.0, 20.0, size=n)
    # An annotation's LD score is about its density times the total, with noise.
    ld = base_ld[:, None] * (annot * 0.6 + density * 0.4) * rng.uniform(0.8, 1.2, size=(n, c))
    ld[:, 0] = base_ld
    ids = pd.DataFrame({"CHR": chrom, "SNP": snp, "BP": bp})
    names = [f"A{k}L2" for k in range(c)]
    table = pd.concat([ids, pd.DataFrame(np.round(ld, 3), columns=names)], axis=1)
    with gzip.open(d / "ref.l2.ldscore.gz", "wt", compresslevel=1) as fh:
        table.to_csv(fh, sep="\t", index=False, float_format="%.3f")
    m = annot.sum(axis=0) * 4.0
    for suffix in ("M", "M_5_50"):
        (d / f"ref.l2.{suffix}").write_text("\t".join(repr(float(v)) for v in m) + "\n")
    with gzip.open(d / "ref.annot.gz", "wt", compresslevel=1) as fh:
        pd.DataFrame(annot.astype(int), columns=[f"A{k}" for k in range(c)]).to_csv(
            fh, sep="\t", index=False
        )
    frq = pd.DataFrame({"CHR": chrom, "SNP": snp, "A1": "A", "A2": "G"})
    frq["MAF"] = np.round(rng.uniform(0.01, 0.5, size=n), 4)
    frq["NCHROBS"] = 1000
    frq.to_csv(d / "frq.frq", sep="\t", index=False)
    w = ids.assign(L2=np.round(base_ld * rng.uniform(0.9, 1.1, size=n), 3))
    with gzip.open(d / "w.l2.ldscore.gz", "wt", compresslevel=1) as fh:
        w.to_csv(fh, sep="\t", index=False, float_format="%.3f")
    tau = np.zeros(c)
    tau[0] = 0.3 / m[0]
    tau[1:4] = 0.05 / m[1:4]
    nn = 100_000.0
    z = rng.normal(size=n) * np.sqrt(1.0 + nn * ld @ tau)
    with gzip.open(d / "gwas.sumstats.gz", "wt", compresslevel=1) as fh:
        pd.DataFrame({"SNP": snp, "A1": "A", "A2": "G", "Z": np.round(z, 3), "N": nn}).to_csv(
            fh, sep="\t", index=False
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snps", type=int, default=1_200_000)
    parser.add_argument("--annots", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the inputs here (default: a temp dir)")
    args = parser.parse_args()
    d = args.keep or Path(tempfile.mkdtemp(prefix="bench_h2_"))
    d.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    if not (d / "gwas.sumstats.gz").exists():
        make_inputs(d, args.snps, args.annots, args.seed)
    print(f"inputs: {args.snps} SNPs x {args.annots} annotations in {d} "
          f"({time.perf_counter() - t:.0f} s)")  # fmt: skip
    env = {**os.environ, "BENCH_THREADS": str(args.threads)}
    runs = {}
    for tool in ("ldenrich", "pyldsc"):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, tool, str(d), str(args.threads)],
            check=True, capture_output=True, text=True, env=env,
        )  # fmt: skip
        runs[tool] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{tool:9s} CPU {runs[tool]['cpu']:7.1f} s  wall {runs[tool]['wall']:7.1f} s  "
              f"peak RSS {runs[tool]['rss_mb']:7.0f} MB")  # fmt: skip
    print(f"CPU ratio pyldsc / ldenrich: {runs['pyldsc']['cpu'] / runs['ldenrich']['cpu']:.2f}x")
    ours = pd.read_csv(d / "ldenrich.results", sep="\t")
    ref = pd.read_csv(d / "pyldsc.results", sep="\t")
    worst = 0.0
    for col in ref.columns[1:]:
        a, b = ref[col].to_numpy(float), ours[col].to_numpy(float)
        keep = np.isfinite(a) & (np.abs(a) > 1e-6 * np.nanmax(np.abs(a)))
        worst = max(worst, float(np.max(np.abs(a[keep] - b[keep]) / np.abs(a[keep]))))
    print(f"largest relative difference of the .results columns: {worst:.2e}")


if __name__ == "__main__":
    main()
