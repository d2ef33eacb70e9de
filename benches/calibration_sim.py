"""Null simulations for the calibration benchmark and its tests (``bench_calibration.py``).

Two nulls, both with no signal:

* **iid**: chi-square(1) SNPs, independent, on a few synthetic chromosomes; categories are
  unions of k random "genes" of 40 contiguous SNPs inside one chromosome each.
* **real LD**: z ~ MVN(0, R) with R the 1000 Genomes EUR chr22 panel's LD (the example data
  bundled with ldenrich), simulated as z = X_b^T e / sqrt(n) with e ~ N(0, I_n) independently
  in contiguous blocks b of a few hundred SNPs; blocks end only between clusters of
  overlapping gene windows, so every gene keeps all of its LD and LD is lost only at the few
  block edges. Categories are unions of real MAGMA gene windows (35 kb up, 10 kb down,
  strand-aware).

Genotypes are decoded from the PLINK ``.bed`` with numpy here, independently of ldenrich's
reader.
"""

from __future__ import annotations

import gzip
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import ldenrich
from ldenrich import _reference

#: Relative lengths of chromosomes 1-22 (GRCh37, Mb): synthetic chromosome sizes of the iid null.
CHROM_MB = np.array([
    249, 243, 198, 191, 181, 171, 159, 146, 141, 136, 135, 134, 115, 107, 103, 90, 81, 78,
    59, 63, 48, 51,
], dtype=np.float64)  # fmt: skip
GENE_SNPS = 40

# 2-bit PLINK codes -> count of the first allele (01 = missing).
_BED_DOSAGE = np.array([2.0, np.nan, 1.0, 0.0])


def read_bed(prefix: Path, n_samples: int, n_snps: int) -> np.ndarray:
    """Dosages (samples x SNPs) of a SNP-major PLINK ``.bed``, decoded with numpy."""
    raw = np.fromfile(f"{prefix}.bed", dtype=np.uint8)
    if raw[:3].tolist() != [0x6C, 0x1B, 0x01]:
        raise ValueError(f"{prefix}.bed is not a SNP-major PLINK .bed")
    per_snp = (n_samples + 3) // 4
    body = raw[3:].reshape(n_snps, per_snp)
    codes = np.stack([(body >> s) & 3 for s in (0, 2, 4, 6)], axis=2).reshape(n_snps, -1)
    return _BED_DOSAGE[codes[:, :n_samples]].T


@dataclass
class LdPanel:
    """The chr22 panel, standardized, with the simulation blocks and the gene windows."""

    snp: np.ndarray  # SNP ids of the universe (polymorphic panel SNPs, genome order)
    bp: np.ndarray
    x: np.ndarray  # samples x SNPs, standardized, float64
    block_starts: np.ndarray  # simulation blocks: [starts[i], starts[i + 1])
    genes: pd.DataFrame  # gene, symbol, first, last (SNP index range, inclusive..exclusive)
    _ld_score: np.ndarray | None = field(default=None, repr=False)

    @property
    def ld_score(self) -> np.ndarray:
        """Per SNP, r^2 summed over the SNPs of its simulation block (the LD it is given)."""
        if self._ld_score is None:
            edges = [*self.block_starts.tolist(), self.m]
            out = np.empty(self.m)
            for a, b in itertools.pairwise(edges):
                r = self.x[:, a:b].T @ self.x[:, a:b] / self.x.shape[0]
                out[a:b] = (r**2).sum(axis=0)
            self._ld_score = out
        return self._ld_score

    @property
    def m(self) -> int:
        return self.x.shape[1]

    def simulate_z(self, rng: np.random.Generator, reps: int) -> np.ndarray:
        """``reps`` x m null z, MVN(0, R_panel) within blocks, independent between them."""
        n = self.x.shape[0]
        z = np.empty((reps, self.m))
        edges = [*self.block_starts.tolist(), self.m]
        for a, b in itertools.pairwise(edges):
            e = rng.standard_normal((n, reps))
            z[:, a:b] = (self.x[:, a:b].T @ e).T / math.sqrt(n)
        return z

    def mask(self, gene_rows: Sequence[int]) -> np.ndarray:
        out = np.zeros(self.m, dtype=bool)
        g = self.genes
        for i in gene_rows:
            out[g["first"].iat[i] : g["last"].iat[i]] = True
        return out


def load_ld_panel(block_snps: int = 300) -> LdPanel:
    """Read the bundled chr22 panel and its genes; cut simulation blocks of >= ``block_snps``."""
    ex = ldenrich.example_data()
    with gzip.open(f"{ex.bfile}.bim.gz", "rt") as fh:
        bim = pd.read_csv(fh, sep=r"\s+", header=None, names=["chr", "snp", "cm", "bp", "a1", "a2"])
    with open(f"{ex.bfile}.fam") as fh:
        n_samples = sum(1 for _ in fh)
    dos = read_bed(ex.bfile, n_samples, len(bim))
    mean = np.nanmean(dos, axis=0)
    dos = np.where(np.isnan(dos), mean, dos)
    sd = dos.std(axis=0)
    keep = sd > 0
    x = (dos[:, keep] - mean[keep]) / sd[keep]
    bp = bim.bp.to_numpy()[keep]
    if not np.all(np.diff(bp) >= 0):
        raise ValueError("panel .bim is not in position order")
    loc = ldenrich.read_gene_loc(ex.gene_loc).to_frame()
    win = _reference.magma_windows(loc[loc.chrom == 22])
    first = np.searchsorted(bp, win["first"].to_numpy(np.int64), side="left")
    last = np.searchsorted(bp, win["last"].to_numpy(np.int64), side="right")
    genes = pd.DataFrame(
        {"gene": win["gene"].to_numpy(), "symbol": win["symbol"].to_numpy(),
         "first": first, "last": last, "start": win["start"].to_numpy(np.int64)}
    )  # fmt: skip
    genes = genes[genes["last"] > genes["first"]].sort_values("start").reset_index(drop=True)
    # A block may end before SNP i only if no gene window holds both i - 1 and i.
    covered_pair = np.zeros(len(bp) + 1, dtype=np.int64)
    np.add.at(covered_pair, genes["first"].to_numpy() + 1, 1)
    np.add.at(covered_pair, genes["last"].to_numpy(), -1)
    inside = np.cumsum(covered_pair)[: len(bp)] > 0  # pair (i-1, i) shares a window
    starts, last_start = [0], 0
    for i in range(1, len(bp)):
        if i - last_start >= block_snps and not inside[i] and len(bp) - i >= block_snps // 2:
            starts.append(i)
            last_start = i
    return LdPanel(
        snp=bim.snp.to_numpy()[keep], bp=bp, x=x, block_starts=np.array(starts), genes=genes
    )


def iid_chromosomes(m: int) -> np.ndarray:
    """Chromosome codes 1..22 of m SNPs in genome order, sized like the human autosomes."""
    edges = np.floor(np.concatenate(([0], np.cumsum(CHROM_MB))) / CHROM_MB.sum() * m)
    return np.repeat(np.arange(1, 23, dtype=np.int64), np.diff(edges.astype(np.int64)))


def iid_gene_mask(rng: np.random.Generator, chrom: np.ndarray, k: int) -> np.ndarray:
    """Union of k random runs of ``GENE_SNPS`` SNPs, each inside one chromosome."""
    m = chrom.size
    mask = np.zeros(m, dtype=bool)
    bounds = np.flatnonzero(np.diff(np.concatenate(([0], chrom, [0]))) != 0)
    lo, hi = bounds[:-1], bounds[1:]
    sizes = (hi - lo - GENE_SNPS + 1).astype(np.float64)
    which = rng.choice(lo.size, size=k, p=sizes / sizes.sum())
    for c in which:
        s = lo[c] + rng.integers(0, hi[c] - lo[c] - GENE_SNPS + 1)
        mask[s : s + GENE_SNPS] = True
    return mask


def binom_se(alpha: float, n: int) -> float:
    return math.sqrt(alpha * (1 - alpha) / max(n, 1))
