"""Null calibration of S-LDSC (``ldenrich.partitioned_h2``) under real LD.

A heritable trait with no enrichment: every SNP of the bundled 1000 Genomes EUR chr22 panel
carries the same expected heritability, so the true enrichment of every annotation is 1 and
its ``Enrichment_p`` (and the one-sided ``Coefficient_p``) should be uniform. Per replicate,

    z = z0 + R b,   z0 ~ MVN(0, R),   b_k ~ N(0, scale) iid,

with R the panel's sample LD within the simulation blocks of ``calibration_sim`` (blocks of a
few hundred SNPs that end only between gene windows), drawn as z0 = X_b^T e / sqrt(n) and
R b = X_b^T (X_b b) / n. Then E[z_j^2] = 1 + scale * l_j, exactly the S-LDSC model with LD
scores l_j = sum_k r_jk^2 over the same blocks, which are the ones handed to the regression:
the check is of the regression, its weights and its block jackknife, not of LD-score
estimation (that is checked against pyldsc and ldsc elsewhere).

Annotations (with ``--overlap-annot``): the base, the real MAGMA gene windows of chr22 (35 kb
up, 10 kb down), a random 5 % of SNPs and the left half of the chromosome.

    python3 benches/calibration_h2.py --reps 1000 [--blocks 200,20] [--scale 0.02]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import ldenrich
from ldenrich.sldsc import load_ld_reference

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calibration_sim as cs  # a sibling script, not a package

TESTED = ("genes", "random5pct", "left_half")


class Genome:
    """``copies`` independent copies of the chr22 panel as chromosomes 1..copies (the LD within
    each copy is the panel's; copies are unlinked), so that the jackknife blocks can be as
    long, relative to the LD, as in a genome-wide analysis."""

    def __init__(self, panel: cs.LdPanel, copies: int) -> None:
        self.panel, self.copies = panel, copies
        self.m = panel.m * copies
        self.chrom = np.repeat(np.arange(1, copies + 1), panel.m)
        self.snp = np.array([f"{s}_{c}" for c in range(1, copies + 1) for s in panel.snp])
        self.bp = np.tile(panel.bp, copies)
        edges = [*panel.block_starts.tolist(), panel.m]
        n = panel.x.shape[0]
        self.r2 = []
        for lo, hi in itertools.pairwise(edges):
            r = panel.x[:, lo:hi].T @ panel.x[:, lo:hi] / n
            self.r2.append((lo, hi, r**2))

    def annotations(self, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        p = self.panel
        return pd.DataFrame(
            {
                "base": np.ones(self.m),
                "genes": np.tile(p.mask(range(len(p.genes))), self.copies).astype(float),
                "random5pct": (rng.random(self.m) < 0.05).astype(float),
                "left_half": np.tile(np.arange(p.m) < p.m // 2, self.copies).astype(float),
            }
        )

    def ld_scores(self, annot: pd.DataFrame) -> np.ndarray:
        """r^2 within the simulation blocks, no bias correction: the z are drawn with the
        sample LD itself."""
        a = annot.to_numpy()
        out = np.empty_like(a)
        for c in range(self.copies):
            off = c * self.panel.m
            for lo, hi, r2 in self.r2:
                out[off + lo : off + hi] = r2 @ a[off + lo : off + hi]
        return out

    def simulate(self, rng: np.random.Generator, scale: float) -> np.ndarray:
        """One replicate's z, E[z^2] = 1 + scale * l (see the module docstring)."""
        p = self.panel
        n = p.x.shape[0]
        z = np.empty(self.m)
        for c in range(self.copies):
            off = c * p.m
            z[off : off + p.m] = p.simulate_z(rng, 1)[0]
            b = rng.normal(0.0, math.sqrt(scale), p.m)
            for lo, hi, _ in self.r2:
                xb = p.x[:, lo:hi]
                z[off + lo : off + hi] += xb.T @ (xb @ b[lo:hi]) / n
        return z


def write_reference(genome: Genome, annot: pd.DataFrame, d: Path) -> None:
    """LD scores, the annotation file for the overlap, and the weights (the base LD score)."""
    scores = genome.ld_scores(annot)
    snp = pd.DataFrame({"CHR": genome.chrom, "SNP": genome.snp, "BP": genome.bp})
    frame = pd.concat([snp, pd.DataFrame(scores, columns=[f"{c}L2" for c in annot])], axis=1)
    with gzip.open(d / "ref.l2.ldscore.gz", "wt") as fh:
        frame.to_csv(fh, sep="\t", index=False, float_format="%.6g")
    m = "\t".join(repr(float(v)) for v in annot.to_numpy().sum(axis=0)) + "\n"
    (d / "ref.l2.M").write_text(m)
    (d / "ref.l2.M_5_50").write_text(m)
    full = pd.DataFrame({"CHR": genome.chrom, "BP": genome.bp, "SNP": genome.snp, "CM": 0.0})
    with gzip.open(d / "ref.annot.gz", "wt") as fh:
        pd.concat([full, annot], axis=1).to_csv(fh, sep="\t", index=False)
    weights = pd.concat([snp, pd.DataFrame({"L2": scores[:, 0]})], axis=1)
    with gzip.open(d / "w.l2.ldscore.gz", "wt") as fh:
        weights.to_csv(fh, sep="\t", index=False, float_format="%.6g")
    (d / "w.l2.M").write_text(f"{float(genome.m)!r}\n")
    (d / "w.l2.M_5_50").write_text(f"{float(genome.m)!r}\n")


def run(
    reps: int, seed: int, scale: float, blocks: list[int], work: Path, copies: int = 1
) -> pd.DataFrame:
    """One row per replicate x jackknife setting x tested annotation."""
    genome = Genome(cs.load_ld_panel(), copies)
    annot = genome.annotations(seed)
    write_reference(genome, annot, work)
    ref = load_ld_reference(ref_ld=work / "ref", w_ld=work / "w", overlap_annot=True)
    rng = np.random.default_rng(seed)
    rows = []
    path = work / "trait.sumstats"
    for rep in range(reps):
        z = genome.simulate(rng, scale)
        pd.DataFrame({"SNP": genome.snp, "Z": z, "N": 100_000}).to_csv(
            path, sep="\t", index=False, float_format="%.6g"
        )
        for nb in blocks:
            fit = ldenrich.partitioned_h2(path, reference=ref, blocks=nb)
            res = fit.results.set_index("Category")
            for name in TESTED:
                row = res.loc[f"{name}L2_0"]  # ldsc's name: column, then the file's index
                rows.append(
                    {"rep": rep, "blocks": nb, "annotation": name,
                     "enrichment": row["Enrichment"], "Enrichment_p": row["Enrichment_p"],
                     "Coefficient_p": row["Coefficient_p"], "h2": fit.summary["h2"]}
                )  # fmt: skip
    return pd.DataFrame(rows)


def table(df: pd.DataFrame) -> str:
    lines = [
        "| jackknife blocks | annotation | replicates | mean enrichment | Enrichment_p < 0.05 "
        "| < 0.01 | Coefficient_p < 0.05 | < 0.01 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for (nb, name), g in df.groupby(["blocks", "annotation"], sort=False):
        e, c = g["Enrichment_p"], g["Coefficient_p"]
        lines.append(
            f"| {nb} | {name} | {len(g)} | {g['enrichment'].mean():.3f} | {(e < 0.05).mean():.3f} "
            f"| {(e < 0.01).mean():.3f} | {(c < 0.05).mean():.3f} | {(c < 0.01).mean():.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=1000)
    p.add_argument("--seed", type=int, default=20261207)
    p.add_argument("--scale", type=float, default=0.02, help="per-SNP variance of b")
    p.add_argument("--blocks", default="200,20", help="jackknife block counts, comma list")
    p.add_argument("--copies", type=int, default=1, help="unlinked copies of the chr22 panel")
    args = p.parse_args()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        df = run(args.reps, args.seed, args.scale, [int(b) for b in args.blocks.split(",")],
                 Path(tmp), args.copies)  # fmt: skip
    print(f"{args.reps} replicates, {args.copies} copies of chr22, scale {args.scale}, "
          f"seed {args.seed}, {time.perf_counter() - t0:.0f} s; "
          f"mean h2 {df['h2'].mean():.4f}")  # fmt: skip
    se = math.sqrt(0.05 * 0.95 / args.reps)
    print(f"binomial SE at 0.05: {se:.4f}")
    print(table(df))


if __name__ == "__main__":
    main()
