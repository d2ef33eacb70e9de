"""Generate a genome-wide synthetic PLINK panel and matching summary statistics (seeded).

The panel is a PLINK 1 SNP-major ``.bed``/``.bim``/``.fam`` on real GRCh37 coordinates: on each
of chromosomes 1-22 SNPs are laid uniformly (a Poisson process at ``--density`` SNPs per kb) from
500 kb before the first to 500 kb after the last gene window of MAGMA's ``NCBI37.3.gene.loc``
(windows 35 kb up- and 10 kb downstream, strand-aware), so gene windows hold as many SNPs as
with a dense GWAS (real: ~7M SNPs after QC, ~2.3 per kb).

Haplotypes and LD (a copying model, in the spirit of Li and Stephens):

* ``--founders`` founder haplotypes, with Dirichlet(1) weights. Along the chromosome the SNPs
  fall into blocks (geometric lengths, mean ``--block-snps``); each block has its own random
  Kingman genealogy of the founders, and each SNP of the block sits on one of its branches
  (chosen in proportion to branch length): the founders under that branch carry the derived
  allele. SNPs on the same branch are in perfect LD among the founders; the weights spread
  the allele frequencies continuously over MAF ~0.005-0.5.
* Each of the ``2 x --people`` haplotypes copies one founder at a time, switching at each SNP
  with probability ``--switch`` to a founder drawn from the weights (a Markov chain along the
  chromosome), then ``--mutation`` of its alleles are flipped. With the defaults r^2 between
  common SNPs (MAF >= 0.05) averages ~0.33 below 2 kb, ~0.21 at 10-20 kb, ~0.11 at 20-50 kb
  and ~0.03 at 50-100 kb (printed at the end of every run).

Genotype calls: ``--missing`` of them are set missing (code 01). ``.bed`` codes, 4 people per
byte from the low bits: 00 homozygous for the ``.bim`` allele 1 (the derived allele), 10
heterozygous, 11 homozygous for allele 2, 01 missing.

Summary statistics (``SNP A1 A2 P N``, TAB, gzip): a GWAS of a pure-noise phenotype in the
panel, so the SNP z-scores are N(0, R) with R the panel LD -- each p-value is uniform and jointly
they have the correlation the gene test assumes, which makes the gene p-values of signal-free
genes exactly calibrated (independent uniform p-values would make the test conservative). On
top, ``--signals`` planted causal SNPs (one each in as many random gene windows, expected MAF
>= 0.05) shift the z-score of every SNP within ``--signal-range`` kb by ``r x delta`` with
``|delta| ~ U(2, 8)``. A1/A2 are swapped for half the rows (ldenrich matches them either way);
1% of the panel SNPs are absent from the summary statistics and 1% extra rows name SNPs that are
not in the panel. SNP ids are rs numbers, ``rs`` + chromosome x 10^8 + row (ldenrich stores rs
numbers as integers; other ids, e.g. with a leading zero, take a much slower path).

Outputs in ``--out DIR``: ``synthetic.bed/.bim/.fam``, ``synthetic.sumstats.tsv.gz``,
``synthetic.signals.tsv`` (the planted SNPs: ``SNP CHR BP DELTA GENE SYMBOL``) and
``synthetic.json`` (settings, counts, LD decay, generation time). Memory stays bounded: the
genotypes are made ``--chunk`` SNPs at a time; chromosomes run in ``--jobs`` processes, and the
output does not depend on it.

Usage::

    python3 benches/make_synthetic_panel.py --out /tmp/synth [--people 500] [--density 2.3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

HERE = Path(__file__).resolve().parent
DEFAULT_GENE_LOC = HERE.parent / "python/ldenrich/data/example/NCBI37.3.gene.loc.gz"
PREFIX = "synthetic"
FLANK = 500_000  # bases laid with SNPs before the first and after the last gene window
WINDOW_UP, WINDOW_DOWN = 35_000, 10_000  # MAGMA's default window
LD_BINS_KB = [(0, 2), (2, 5), (5, 10), (10, 20), (20, 50), (50, 100), (100, 300), (300, 1000)]
# Allele pairs (allele 1, allele 2) with transitions twice as likely; ~15% are A/T or C/G.
PAIRS = ["AG", "GA", "CT", "TC", "AC", "CA", "GT", "TG", "AT", "TA", "CG", "GC"]
PAIR_WEIGHTS = np.array([4, 4, 4, 4, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5])
# PLINK code by number of copies of allele 1: 2 -> 00, 1 -> 10, 0 -> 11; missing is 01.
CODE = np.array([0b11, 0b10, 0b00], dtype=np.uint8)
MISSING = 0b01
RS_BLOCK, RS_EXTRA = 100_000_000, 90_000_000  # SNP ids; extra (not in panel) rows from RS_EXTRA
MAF_EDGES = [0, 1e-9, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5001]


@dataclass(frozen=True)
class Settings:
    people: int
    density: float
    founders: int
    switch: float
    mutation: float
    block_snps: float
    missing: float
    signal_range: int
    noise_knot: int
    chunk: int
    n_gwas: int
    seed: int


def parse_chromosomes(text: str) -> list[int]:
    """``1-22``, ``22``, ``1,2,21-22`` -> sorted chromosome numbers within 1-22."""
    out: set[int] = set()
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    if not out or min(out) < 1 or max(out) > 22:
        raise argparse.ArgumentTypeError(f"chromosomes must lie in 1-22; got {text!r}")
    return sorted(out)


def gene_windows(path: Path, chromosomes: list[int]) -> pd.DataFrame:
    """Genes of ``chromosomes`` with MAGMA's window (``lo``, ``hi``, 1-based, inclusive)."""
    g = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        usecols=range(6),
        dtype={1: str},
        names=["gene", "chr", "start", "stop", "strand", "symbol"],
    )
    g = g[g.chr.isin([str(c) for c in chromosomes])].copy()
    g["chr"] = g.chr.astype(int)
    plus = g.strand != "-"
    g["lo"] = np.maximum(1, g.start - np.where(plus, WINDOW_UP, WINDOW_DOWN))
    g["hi"] = g.stop + np.where(plus, WINDOW_DOWN, WINDOW_UP)
    return g.reset_index(drop=True)


def coalescent_branches(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Branches of a random Kingman genealogy of ``k`` founders: (leaf bit masks, probabilities
    proportional to branch length), root excluded."""
    lineages = [1 << i for i in range(k)]
    lengths = [0.0] * k
    masks, branch = [], []
    while len(lineages) > 1:
        m = len(lineages)
        t = rng.exponential(2.0 / (m * (m - 1)))
        lengths = [x + t for x in lengths]
        i, j = sorted(rng.choice(m, 2, replace=False), reverse=True)
        for a in (i, j):
            masks.append(lineages.pop(a))
            branch.append(lengths.pop(a))
        lineages.append(masks[-1] | masks[-2])
        lengths.append(0.0)
    b = np.asarray(branch)
    return np.asarray(masks, dtype=np.uint32), b / b.sum()


def founder_masks(rng: np.random.Generator, n: int, s: Settings) -> np.ndarray:
    """For each SNP, the bit mask of the founders carrying its derived allele."""
    out = np.empty(n, dtype=np.uint32)
    j = 0
    while j < n:
        length = min(int(rng.geometric(1.0 / s.block_snps)), n - j)
        masks, prob = coalescent_branches(rng, s.founders)
        out[j : j + length] = masks[rng.choice(len(masks), length, p=prob)]
        j += length
    return out


def copy_labels(
    rng: np.random.Generator, carry: np.ndarray, length: int, weights: np.ndarray, switch: float
) -> np.ndarray:
    """Founder copied by each haplotype (rows) at each of ``length`` SNPs (columns), continuing
    the Markov chain from ``carry`` (the founders copied at the previous SNP)."""
    h = len(carry)
    total = h * length
    events = rng.integers(0, total, rng.binomial(total, switch))
    new = rng.choice(len(weights), len(events), p=weights).astype(np.uint8)
    breaks = np.concatenate([np.arange(h, dtype=np.int64) * length, events])
    values = np.concatenate([carry, new])
    kind = np.concatenate([np.zeros(h, np.int8), np.ones(len(events), np.int8)])
    order = np.lexsort((kind, breaks))
    breaks, values = breaks[order], values[order]
    last = np.append(breaks[1:] != breaks[:-1], True)  # a switch at a row start wins
    breaks, values = breaks[last], values[last]
    return np.repeat(values, np.diff(np.append(breaks, total))).reshape(h, length)


def ld_decay(x: np.ndarray, pos: np.ndarray, maf: np.ndarray) -> dict[str, list[float]]:
    """Sum and count of r^2 between common SNPs (MAF >= 0.05) by distance bin, over the first
    1,000 of them (``x``: standardized genotypes, people x SNPs)."""
    common = np.flatnonzero(maf >= 0.05)[:1000]
    xs, ps = x[:, common].astype(np.float64), pos[common]
    r2 = (xs.T @ xs / x.shape[0]) ** 2
    dist = np.abs(ps[:, None] - ps[None, :])
    upper = np.triu(np.ones_like(r2, dtype=bool), 1)
    out = {}
    for lo, hi in LD_BINS_KB:
        sel = upper & (dist >= lo * 1000) & (dist < hi * 1000)
        out[f"{lo}-{hi}"] = [float(r2[sel].sum()), int(sel.sum())]
    return out


def null_z(x: np.ndarray, pos: np.ndarray, lo: int, noise: np.ndarray, knot: int) -> np.ndarray:
    """z-scores of a GWAS of noise in the panel: ``x_j' e(pos_j) / sqrt(n)``, ``x_j`` the
    standardized genotypes of SNP j and ``e(pos) = cos(t) e_b + sin(t) e_(b+1)`` with independent
    N(0, I) vectors ``e_b`` at knots every ``knot`` bases and ``t`` going from 0 to pi/2 between
    knots. Each z is N(0, 1) and two SNPs d bases apart have correlation
    ``r cos(pi d / (2 knot))``, i.e. r within a gene; a single ``e`` for the whole genome would
    make every statistic share the chance value of ``|e|^2 / n`` (about 1 +- 0.06 with 500
    people), mis-calibrating all genes in the same direction."""
    u = (pos - lo) / knot
    b = np.floor(u).astype(np.int64)
    t = (u - b) * (np.pi / 2)
    first = int(b.min())
    proj = x.T @ noise[:, first : int(b.max()) + 2]  # SNPs x knots touched
    rows = np.arange(len(pos))
    z = np.cos(t) * proj[rows, b - first] + np.sin(t) * proj[rows, b - first + 1]
    return z / np.sqrt(x.shape[0])


def make_chromosome(
    chrom: int,
    lo: int,
    hi: int,
    signals: pd.DataFrame,
    weights: np.ndarray,
    s: Settings,
    parts: Path,
) -> dict:
    """Generate one chromosome; write its ``.bed`` body, ``.bim`` rows and summary-statistic
    rows to ``parts``; return counts and the planted SNPs."""
    rng = np.random.default_rng([s.seed, chrom])
    n_snps = int(rng.poisson(s.density * (hi - lo + 1) / 1000.0))
    pos = np.unique(rng.integers(lo, hi + 1, n_snps))
    n_snps = len(pos)
    masks = founder_masks(rng, n_snps, s)
    carriers = (masks[:, None] >> np.arange(s.founders, dtype=np.uint32)) & 1
    expected_freq = carriers @ weights

    # Planted causal SNPs: one per chosen gene window, common in expectation.
    causal, delta, gene, symbol = [], [], [], []
    for row in signals.itertuples(index=False):
        a, b = np.searchsorted(pos, [row.lo, row.hi + 1])
        ok = np.arange(a, b)[(expected_freq[a:b] >= 0.05) & (expected_freq[a:b] <= 0.95)]
        pool = ok if len(ok) else np.arange(a, b)
        if len(pool) == 0:
            continue
        causal.append(int(rng.choice(pool)))
        delta.append(row.delta)
        gene.append(row.gene)
        symbol.append(row.symbol)
    causal_idx = np.asarray(causal, dtype=np.int64)
    causal_delta = np.asarray(delta, dtype=np.float64)

    n = s.people
    h = 2 * n
    carry = rng.choice(s.founders, h, p=weights).astype(np.uint8)
    noise = rng.standard_normal((n, (hi - lo) // s.noise_knot + 2)).astype(np.float32)
    z = np.empty(n_snps)
    mu = np.zeros(n_snps)
    maf = np.empty(n_snps)
    buf_x = np.zeros((n, 0), dtype=np.float32)  # standardized genotypes of the last kb
    buf_first = 0  # SNP index of buf_x's first column
    decay = None
    row_bytes = (n + 3) // 4
    with open(parts / f"chr{chrom}.bed", "wb") as bed:
        for start in range(0, n_snps, s.chunk):
            end = min(n_snps, start + s.chunk)
            length = end - start
            labels = copy_labels(rng, carry, length, weights, s.switch)
            carry = labels[:, -1].copy()
            hap = ((masks[None, start:end] >> labels) & 1).astype(np.uint8)
            del labels
            flips = rng.integers(0, hap.size, rng.binomial(hap.size, s.mutation))
            hap.reshape(-1)[flips] ^= 1
            g = hap[0::2] + hap[1::2]  # people x SNPs, copies of allele 1
            del hap

            # Standardized genotypes, the null z-scores (noise GWAS) and the LD sample.
            gf = g.astype(np.float32)
            mean = gf.mean(axis=0)
            sd = gf.std(axis=0)
            x = (gf - mean) / np.where(sd > 0, sd, np.inf)
            del gf
            z[start:end] = null_z(x, pos[start:end], lo, noise, s.noise_knot)
            maf[start:end] = np.minimum(mean, 2 - mean) / 2
            part = ld_decay(x, pos[start:end], maf[start:end])
            decay = (
                part
                if decay is None
                else {k: np.add(decay[k], v).tolist() for k, v in part.items()}
            )

            # Planted signals: mu_j += r_jc delta_c for SNPs j within the signal range of c.
            if len(causal_idx):
                both = np.concatenate([buf_x, x], axis=1)
                first = buf_first
                here = (causal_idx >= start) & (causal_idx < end)
                before = (causal_idx >= first) & (causal_idx < start)
                for c, d in zip(causal_idx[here], causal_delta[here], strict=True):
                    a, b = np.searchsorted(
                        pos, [pos[c] - s.signal_range, pos[c] + s.signal_range + 1]
                    )
                    a = max(a, first)
                    b = min(b, end)
                    r = both[:, c - first] @ both[:, a - first : b - first] / n
                    mu[a:b] += r * d
                for c, d in zip(causal_idx[before], causal_delta[before], strict=True):
                    b = min(int(np.searchsorted(pos, pos[c] + s.signal_range + 1)), end)
                    if b > start:
                        r = both[:, c - first] @ x[:, : b - start] / n
                        mu[start:b] += r * d
                keep_from = int(np.searchsorted(pos, pos[end - 1] - s.signal_range))
                keep_from = max(keep_from, first)
                buf_x = both[:, keep_from - first :].copy()
                buf_first = keep_from
                del both
            del x

            # .bed rows: codes by copies of allele 1, missing calls, 4 people per byte.
            codes = CODE[g.T]
            miss = rng.integers(0, codes.size, rng.binomial(codes.size, s.missing))
            codes.reshape(-1)[miss] = MISSING
            if n % 4:
                codes = np.concatenate([codes, np.zeros((length, 4 - n % 4), np.uint8)], axis=1)
            packed = (
                codes[:, 0::4]
                | (codes[:, 1::4] << 2)
                | (codes[:, 2::4] << 4)
                | (codes[:, 3::4] << 6)
            )
            assert packed.shape == (length, row_bytes)
            bed.write(np.ascontiguousarray(packed).tobytes())

    # rs numbers without a leading zero (as real ones): chromosome x 1e8 + row.
    ids = np.char.add("rs", (chrom * RS_BLOCK + np.arange(1, n_snps + 1)).astype(str))
    pair = np.asarray(PAIRS)[rng.choice(len(PAIRS), n_snps, p=PAIR_WEIGHTS / PAIR_WEIGHTS.sum())]
    a1, a2 = pair.view("U1").reshape(-1, 2).T
    pd.DataFrame({"chr": chrom, "id": ids, "cm": 0, "pos": pos, "a1": a1, "a2": a2}).to_csv(
        parts / f"chr{chrom}.bim", sep="\t", header=False, index=False
    )

    zt = z + mu
    p = 2.0 * ndtr(-np.abs(zt))
    swap = rng.random(n_snps) < 0.5
    in_sumstats = rng.random(n_snps) >= 0.01
    n_col = s.n_gwas - rng.integers(0, s.n_gwas // 50 + 1, n_snps)
    ss = pd.DataFrame(
        {
            "SNP": ids,
            "A1": np.where(swap, a2, a1),
            "A2": np.where(swap, a1, a2),
            "P": p,
            "N": n_col,
        }
    )[in_sumstats]
    n_extra = int(rng.binomial(n_snps, 0.01))
    extra = pd.DataFrame(
        {
            "SNP": [f"rs{chrom * RS_BLOCK + RS_EXTRA + i}" for i in range(n_extra)],
            "A1": "A",
            "A2": "G",
            "P": rng.random(n_extra),
            "N": s.n_gwas,
        }
    )
    ss = pd.concat([ss, extra], ignore_index=True)
    ss.to_csv(
        parts / f"chr{chrom}.sumstats", sep="\t", header=False, index=False, float_format="%.6g"
    )

    planted = pd.DataFrame(
        {
            "SNP": ids[causal_idx],
            "CHR": chrom,
            "BP": pos[causal_idx],
            "DELTA": causal_delta,
            "Z": zt[causal_idx],
            "MAF": maf[causal_idx],
            "GENE": gene,
            "SYMBOL": symbol,
        }
    )
    return {
        "chrom": chrom,
        "snps": n_snps,
        "span": [int(lo), int(hi)],
        "sumstats_rows": len(ss),
        "monomorphic": int((maf == 0).sum()),
        "maf_hist": np.histogram(maf, MAF_EDGES)[0].tolist(),
        "ld_decay": decay,
        "planted": planted.to_dict("list"),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--people", type=int, default=500, help="people in the panel")
    p.add_argument("--density", type=float, default=2.3, help="SNPs per kb")
    p.add_argument("--chromosomes", type=parse_chromosomes, default="1-22", help="e.g. 1-22, 21")
    p.add_argument("--gene-loc", type=Path, default=DEFAULT_GENE_LOC, help="MAGMA gene.loc")
    p.add_argument("--founders", type=int, default=20, help="founder haplotypes (<= 32)")
    p.add_argument("--switch", type=float, default=0.007, help="copying switch prob. per SNP")
    p.add_argument("--mutation", type=float, default=0.001, help="allele flip prob.")
    p.add_argument("--block-snps", type=float, default=1000.0, help="mean SNPs per genealogy")
    p.add_argument("--missing", type=float, default=0.001, help="missing genotype calls")
    p.add_argument("--signals", type=int, default=300, help="planted causal SNPs")
    p.add_argument("--signal-range", type=float, default=500.0, help="kb a signal reaches")
    p.add_argument("--noise-knot", type=float, default=2000.0, help="kb between null knots")
    p.add_argument("--n-gwas", type=int, default=100_000, help="GWAS sample size (N column)")
    p.add_argument("--chunk", type=int, default=16384, help="SNPs generated at a time")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="processes")
    p.add_argument("--seed", type=int, default=20261121)
    args = p.parse_args(argv)
    if not 2 <= args.founders <= 32 or args.people < 2 or args.density <= 0 or args.chunk < 1:
        p.error("need 2 <= --founders <= 32, --people >= 2, --density > 0, --chunk >= 1")

    t0 = time.perf_counter()
    s = Settings(
        people=args.people,
        density=args.density,
        founders=args.founders,
        switch=args.switch,
        mutation=args.mutation,
        block_snps=args.block_snps,
        missing=args.missing,
        signal_range=int(args.signal_range * 1000),
        noise_knot=int(args.noise_knot * 1000),
        chunk=args.chunk,
        n_gwas=args.n_gwas,
        seed=args.seed,
    )
    out = args.out
    parts = out / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    genes = gene_windows(args.gene_loc, args.chromosomes)
    rng = np.random.default_rng([args.seed, 0])
    weights = rng.dirichlet(np.ones(args.founders))
    chosen = genes.iloc[np.sort(rng.choice(len(genes), min(args.signals, len(genes)), False))]
    chosen = chosen.assign(
        delta=rng.choice([-1.0, 1.0], len(chosen)) * rng.uniform(2, 8, len(chosen))
    )
    spans = genes.groupby("chr").agg(lo=("lo", "min"), hi=("hi", "max"))

    results = {}
    order = sorted(spans.index, key=lambda c: spans.hi[c] - spans.lo[c], reverse=True)
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {
            c: pool.submit(
                make_chromosome,
                int(c),
                max(1, int(spans.lo[c]) - FLANK),
                int(spans.hi[c]) + FLANK,
                chosen[chosen.chr == c],
                weights,
                s,
                parts,
            )
            for c in order
        }
        for c in order:
            results[c] = futures[c].result()
            print(f"  chr{c}: {results[c]['snps']:,} SNPs", file=sys.stderr, flush=True)
    chroms = sorted(results)

    # Assemble in chromosome order.
    with open(out / f"{PREFIX}.bed", "wb") as bed:
        bed.write(bytes([0x6C, 0x1B, 0x01]))
        for c in chroms:
            with open(parts / f"chr{c}.bed", "rb") as part:
                shutil.copyfileobj(part, bed, 1 << 24)
    with open(out / f"{PREFIX}.bim", "wb") as bim:
        for c in chroms:
            with open(parts / f"chr{c}.bim", "rb") as part:
                shutil.copyfileobj(part, bim, 1 << 24)
    with gzip.open(out / f"{PREFIX}.sumstats.tsv.gz", "wb", compresslevel=6) as ss:
        ss.write(b"SNP\tA1\tA2\tP\tN\n")
        for c in chroms:
            with open(parts / f"chr{c}.sumstats", "rb") as part:
                shutil.copyfileobj(part, ss, 1 << 24)
    with open(out / f"{PREFIX}.fam", "w") as fam:
        fam.writelines(f"SYN{i:05d} SYN{i:05d} 0 0 0 -9\n" for i in range(1, args.people + 1))
    shutil.rmtree(parts)

    planted = pd.concat([pd.DataFrame(results[c]["planted"]) for c in chroms], ignore_index=True)
    planted.to_csv(out / f"{PREFIX}.signals.tsv", sep="\t", index=False, float_format="%.6g")

    decay = {}
    for lo, hi in LD_BINS_KB:
        key = f"{lo}-{hi}"
        total = sum(results[c]["ld_decay"][key][0] for c in chroms)
        count = sum(results[c]["ld_decay"][key][1] for c in chroms)
        decay[key] = total / count if count else float("nan")
    maf_hist = np.sum([results[c]["maf_hist"] for c in chroms], axis=0)
    seconds = time.perf_counter() - t0
    meta = {
        "settings": {
            **s.__dict__,
            "signals": len(planted),
            "gene_loc": str(args.gene_loc),
            "chromosomes": chroms,
            "flank": FLANK,
        },
        "snps": int(sum(results[c]["snps"] for c in chroms)),
        "people": args.people,
        "sumstats_rows": int(sum(results[c]["sumstats_rows"] for c in chroms)),
        "monomorphic": int(sum(results[c]["monomorphic"] for c in chroms)),
        "genes_in_loc": len(genes),
        "maf_hist": {
            "bins": [
                "0",
                "(0,0.01)",
                "[0.01,0.05)",
                "[0.05,0.1)",
                "[0.1,0.2)",
                "[0.2,0.3)",
                "[0.3,0.4)",
                "[0.4,0.5]",
            ],
            "fraction": (maf_hist / maf_hist.sum()).round(4).tolist(),
        },
        "ld_decay_mean_r2_common_kb": {k: round(v, 4) for k, v in decay.items()},
        "spans": {str(c): results[c]["span"] for c in chroms},
        "seconds": round(seconds, 1),
        "files": {
            f.name: f.stat().st_size for f in sorted(out.iterdir()) if f.name.startswith(PREFIX)
        },
    }
    (out / f"{PREFIX}.json").write_text(json.dumps(meta, indent=1) + "\n")
    contiguous = chroms == list(range(chroms[0], chroms[-1] + 1))
    span = f"{chroms[0]}-{chroms[-1]}" if contiguous else ",".join(map(str, chroms))
    print(
        f"synthetic panel in {out}: {meta['snps']:,} SNPs x {args.people} people on "
        f"chromosomes {span}, {meta['sumstats_rows']:,} sumstats rows, "
        f"{len(planted)} planted signals; generated in {seconds:.1f} s ({args.jobs} jobs)"
    )
    print(
        "  MAF: "
        + ", ".join(
            f"{b} {f:.1%}"
            for b, f in zip(meta["maf_hist"]["bins"], meta["maf_hist"]["fraction"], strict=True)
        )
    )
    print(
        "  mean r^2 of common SNPs by distance (kb): "
        + ", ".join(f"{k} {v:.3f}" for k, v in meta["ld_decay_mean_r2_common_kb"].items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
