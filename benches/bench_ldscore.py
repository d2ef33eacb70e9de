"""Benchmark LD scores: ``ldenrich.ldscore`` against pyldsc 0.1.0 (ldsc 2.0.1's algorithm) on the
bolt-lmm example panel (real 1000 Genomes phase 1 EUR, 379 people, 54,051 SNPs on chr17-22).

Its cM column is in Morgans (refused by ldenrich), so both use ``--ld-wind-kb`` (default 1000,
about ldsc's 1 cM). The panel is split into one fileset per chromosome, as ldsc is run, and both
tools compute 7 annotations (all-ones base, binary at 1%, 10% and 50% density, one 5 Mb interval
per chromosome, two continuous) with ldsc's window rule, in the same process, one after the
other. CPU time is the process's user + system time (every thread) around each call; the
scores are compared. Needs ``pip install pyldsc==0.1.0``.

Usage::

    python3 benches/bench_ldscore.py --panel PREFIX [--kb 1000 | --cm 1] [--threads N]

e.g. ``--panel EUR_subset --kb 1000`` for bolt-lmm-example's EUR panel (Debian package
bolt-lmm-example), or ``--panel 1000G_eur_chr22 --cm 1`` for the denser 1000 Genomes chr22 panel
with its real cM map (the one bundled in ``ldenrich/data/example``).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

import ldenrich


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def split_by_chromosome(prefix: str, dst: Path) -> list[Path]:
    """One PLINK fileset per chromosome of ``prefix`` (rows of the SNP-major .bed sliced)."""
    bim = pd.read_csv(f"{prefix}.bim", sep=r"\s+", header=None, dtype={1: str})
    n = len(Path(f"{prefix}.fam").read_text().splitlines())
    width = (n + 3) // 4
    rows = np.frombuffer(Path(f"{prefix}.bed").read_bytes()[3:], dtype=np.uint8).reshape(-1, width)
    out = []
    for chrom, part in bim.groupby(0, sort=False):
        p = dst / f"chr{chrom}"
        Path(f"{p}.bed").write_bytes(bytes([0x6C, 0x1B, 0x01]) + rows[part.index].tobytes())
        part.to_csv(f"{p}.bim", sep="\t", header=False, index=False)
        Path(f"{p}.fam").write_text(Path(f"{prefix}.fam").read_text())
        out.append(p)
    return out


def annotations(bim: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    m = len(bim)
    bp = bim[3].to_numpy()
    start = bp.min() + 0.3 * (bp.max() - bp.min())
    return np.column_stack(
        [
            np.ones(m),
            rng.random(m) < 0.01,
            rng.random(m) < 0.10,
            rng.random(m) < 0.50,
            (bp >= start) & (bp < start + 5e6),
            rng.normal(size=m),
            rng.exponential(size=m),
        ]
    ).astype(float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--panel",
        required=True,
        help="PLINK prefix: e.g. the bolt-lmm-example EUR subset (Debian package bolt-lmm-example)",
    )
    parser.add_argument("--kb", type=float, default=1000.0)
    parser.add_argument("--cm", type=float, help="window in cM instead (panels with a cM map)")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    import pyldsc

    window = {"ld_wind_cm": args.cm} if args.cm is not None else {"ld_wind_kb": args.kb}
    rng = np.random.default_rng(17)
    with tempfile.TemporaryDirectory() as tmp:
        chroms = split_by_chromosome(args.panel, Path(tmp))
        annots = [annotations(pd.read_csv(f"{p}.bim", sep="\t", header=None), rng) for p in chroms]
        n_snps = sum(len(a) for a in annots)
        times = {}
        results: dict[str, list[np.ndarray]] = {"ldenrich": [], "pyldsc": []}
        for tool in ("ldenrich", "pyldsc"):
            c0, w0 = cpu(), time.perf_counter()
            for p, a in zip(chroms, annots, strict=True):
                if tool == "ldenrich":
                    s = ldenrich.ldscore(p, a, **window, threads=args.threads)
                    results[tool].append(s.iloc[:, 5:].to_numpy())
                else:
                    ref = pyldsc.estimate_ldscore(str(p), annot=a, **window)
                    results[tool].append(ref["ldscore"].iloc[:, 3:].to_numpy(dtype=float))
            times[tool] = (cpu() - c0, time.perf_counter() - w0)
        ours, theirs = np.vstack(results["ldenrich"]), np.vstack(results["pyldsc"])
        diff = np.abs(ours - theirs).max()
    ((unit, size),) = window.items()
    print(f"panel {args.panel}: {n_snps} SNPs, 7 annotations, {unit} {size:g}, ldsc rule")
    for tool, (c, w) in times.items():
        print(f"  {tool:9s} CPU {c:8.2f} s  wall {w:8.2f} s  ({1e3 * c / n_snps:.4f} ms CPU/SNP)")
    print(f"  CPU ratio pyldsc / ldenrich: {times['pyldsc'][0] / times['ldenrich'][0]:.1f}x")
    print(f"  max |difference| of the scores: {diff:.2e}")


if __name__ == "__main__":
    main()
