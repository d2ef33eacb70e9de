"""Deterministic generator of realistic, genome-wide inputs for the enrichment-screen benchmark.

Writes into ``--out``:

* ``sumstats.tsv`` (plain), ``sumstats.tsv.gz`` (gzip, level 6, one member, as most GWAS
  portals ship them) and ``sumstats.tsv.bgz`` (BGZF, ``bgzip``): ``SNP CHR BP A1 A2 FRQ BETA
  SE P N``, TAB, ~67 bytes a row, in genome order. rs ids are unique random numbers (``rs`` +
  up to 9 digits); 0.5% of the SNPs carry ``chr:pos:A1:A2`` ids instead; 0.05% of the rows are
  duplicated ids (later copies with other statistics).
* ``ref.bim``: the panel, 10% more variants than the sumstats (extra SNPs interleaved), 1% of
  the sumstats SNPs missing from it, chrX variants at the end; alleles swapped (A1/A2) for half
  the shared SNPs, strand-flipped for 2%, mismatched (different alleles) for 0.3%.
* ``genes.loc``: 18,000 genes in MAGMA's layout (``id chr start stop strand symbol``), placed
  uniformly on the chromosomes, lengths log-normal (median 24 kb), random strand.
* ``sets_1000.gmt`` and its first 1 / 10 / 100 sets (``sets_1.gmt`` ...): gene sets of 20 to
  500 genes (log-uniform sizes), members named by gene id, 10% by symbol.
* ``meta.json``: the sizes and the seed.

Everything is vectorised with numpy and written by polars, so 7M SNPs take well under a
minute (most of it in ``gzip -6``). Same seed and size, same bytes.

    python3 benches/make_enrich_inputs.py --snps 7000000 --out /tmp/enrich7m
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from scipy import special

# GRCh37 autosome lengths (bp); SNPs and genes are placed in proportion to them.
CHROM_LEN = np.array(
    [
        249250621,
        243199373,
        198022430,
        191154276,
        180915260,
        171115067,
        159138663,
        146364022,
        141213431,
        135534747,
        135006516,
        133851895,
        115169878,
        107349540,
        102531392,
        90354753,
        81195210,
        78077248,
        59128983,
        63025520,
        48129895,
        51304566,
    ],
    dtype=np.int64,
)
BASES = np.array(list("ACGT"))
COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A"}


def place(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` distinct (chrom, bp) pairs, uniform over the autosomes, in genome order."""
    share = CHROM_LEN / CHROM_LEN.sum()
    counts = rng.multinomial(n, share)
    chrom = np.repeat(np.arange(1, 23, dtype=np.int64), counts)
    bp = np.empty(n, dtype=np.int64)
    start = 0
    for c, k in enumerate(counts):
        # Evenly spaced with jitter: distinct and sorted without a sort of 7M values.
        step = CHROM_LEN[c] / max(k, 1)
        base = (np.arange(k) * step).astype(np.int64) + 10_000
        jitter = rng.integers(0, max(int(step) - 1, 1), size=k)
        bp[start : start + k] = base + jitter
        start += k
    return chrom, bp


def alleles(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Biallelic SNP alleles (2% short indels)."""
    first = rng.integers(0, 4, size=n)
    second = (first + rng.integers(1, 4, size=n)) % 4
    a1, a2 = BASES[first].astype(object), BASES[second].astype(object)
    indel = rng.random(n) < 0.02
    a1[indel] = a1[indel] + BASES[second[indel]].astype(object)
    return a1.astype(str), a2.astype(str)


def sci(values: np.ndarray, digits: int) -> pl.Expr:
    """Scientific notation with ``digits`` significant digits, built column-wise."""
    values = np.clip(values, 1e-300, None)
    exponent = np.floor(np.log10(values)).astype(np.int64)
    mantissa = np.round(values / 10.0**exponent * 10 ** (digits - 1)).astype(np.int64)
    carry = mantissa >= 10**digits
    mantissa[carry] //= 10
    exponent[carry] += 1
    lead = mantissa // 10 ** (digits - 1)
    rest = mantissa % 10 ** (digits - 1)
    sign = np.where(exponent < 0, "-", "+")
    frame = pl.DataFrame({"l": lead, "r": rest, "s": sign, "e": np.abs(exponent)})
    return frame.select(
        pl.concat_str(
            pl.col("l").cast(pl.Utf8),
            pl.lit("."),
            pl.col("r").cast(pl.Utf8).str.zfill(digits - 1),
            pl.lit("e"),
            pl.col("s"),
            pl.col("e").cast(pl.Utf8).str.zfill(2),
        )
    ).to_series()


def make(n_snps: int, out: Path, seed: int, formats: set[str]) -> dict:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    n_panel = int(n_snps * 1.10)
    chrom, bp = place(rng, n_panel)
    # Unique rs numbers of up to 9 digits: a random permutation, spread out, with jitter.
    spread = max(4, 400_000_000 // n_panel)
    rs = rng.permutation(n_panel).astype(np.int64) * spread + rng.integers(1, spread, size=n_panel)
    a1, a2 = alleles(rng, n_panel)
    ids = np.char.add("rs", rs.astype(str)).astype(object)
    other = rng.random(n_panel) < 0.005
    ids[other] = (
        np.char.add(np.char.add(chrom[other].astype(str), ":"), bp[other].astype(str)).astype(
            object
        )
        + ":"
        + a1[other].astype(object)
        + ":"
        + a2[other].astype(object)
    )
    ids = ids.astype(str)

    # Which panel SNPs the GWAS has: ~1/1.1 of them, plus 1% not in the panel (dropped below).
    in_gwas = rng.random(n_panel) < n_snps / n_panel / 0.99
    not_in_panel = in_gwas & (rng.random(n_panel) < 0.01)

    # The .bim: every panel SNP except those the GWAS has but the panel lacks; chrX at the end.
    bim_keep = ~not_in_panel
    b1, b2 = a1.copy(), a2.copy()
    swap = rng.random(n_panel) < 0.5
    b1[swap], b2[swap] = a2[swap], a1[swap]
    flip = rng.random(n_panel) < 0.02
    for col in (b1, b2):
        sub = col[flip]
        col[flip] = ["".join(COMPLEMENT[c] for c in reversed(s)) for s in sub]
    mismatch = rng.random(n_panel) < 0.003
    # (x, comp(y)) matches (x, y) neither directly, swapped nor flipped; for the ambiguous
    # x/comp(x) take a base outside that pair instead.
    for i in np.flatnonzero(mismatch):
        x, y = a1[i][0], a2[i][0]
        z = COMPLEMENT[y] if y != COMPLEMENT[x] else ("C" if x in "AT" else "A")
        b1[i], b2[i] = x, z
    n_x = n_panel // 40
    x_bp = np.sort(rng.choice(155_000_000, size=n_x, replace=False)) + 1
    x_ids = np.char.add("rs", (rs.max() + 10 + np.arange(n_x) * 3).astype(str))
    bim = pl.DataFrame(
        {
            "c": np.concatenate([chrom[bim_keep].astype(str), np.full(n_x, "23")]),
            "id": np.concatenate([ids[bim_keep], x_ids]),
            "cm": np.zeros(int(bim_keep.sum()) + n_x),
            "bp": np.concatenate([bp[bim_keep], x_bp]),
            "a1": np.concatenate([b1[bim_keep], np.full(n_x, "A")]),
            "a2": np.concatenate([b2[bim_keep], np.full(n_x, "G")]),
        }
    )
    bim.write_csv(out / "ref.bim", separator="\t", include_header=False)

    # Summary statistics: z with a polygenic inflation (lambda ~ 1.1) and a few strong loci.
    sel = np.flatnonzero(in_gwas)
    m = sel.size
    z = rng.standard_normal(m) * 1.05
    hits = rng.random(m) < 2e-4
    z[hits] += rng.choice([-1, 1], size=int(hits.sum())) * rng.uniform(4, 9, size=int(hits.sum()))
    frq = np.round(rng.uniform(0.01, 0.99, size=m), 4)
    n = rng.integers(300_000, 460_000, size=m)
    se = np.round(1.0 / np.sqrt(2 * frq * (1 - frq) * n), 6)
    beta = np.round(z * se, 6)
    p = 2 * special.ndtr(-np.abs(z))
    ss = pl.DataFrame(
        {
            "SNP": ids[sel],
            "CHR": chrom[sel],
            "BP": bp[sel],
            "A1": a1[sel],
            "A2": a2[sel],
            "FRQ": frq,
            "BETA": beta,
            "SE": se,
        }
    ).with_columns(P=sci(p, 4), N=pl.Series(n))
    # Duplicated ids: a later copy of 0.05% of the rows, with other statistics.
    dup = np.flatnonzero(rng.random(m) < 5e-4)
    if dup.size:
        extra = ss[dup].with_columns(P=pl.lit("5.000e-01"))
        ss = pl.concat([ss, extra]).sort(["CHR", "BP"], maintain_order=True)
    plain = out / "sumstats.tsv"
    ss.write_csv(plain, separator="\t")
    rows = ss.height
    del ss
    t_text = time.perf_counter()
    if "gz" in formats:
        with open(out / "sumstats.tsv.gz", "wb") as fh:
            subprocess.run(["gzip", "-6", "-n", "-c", str(plain)], stdout=fh, check=True)
    if "bgzf" in formats and shutil.which("bgzip"):
        with open(out / "sumstats.tsv.bgz", "wb") as fh:
            subprocess.run(["bgzip", "-@", "2", "-c", str(plain)], stdout=fh, check=True)

    # Genes and gene sets.
    n_genes = 18_000
    g_chrom, g_start = place(rng, n_genes)
    length = np.clip(np.exp(rng.normal(np.log(24_000), 1.1, size=n_genes)), 500, 2_000_000)
    g_stop = g_start + length.astype(np.int64)
    gene_ids = (np.arange(n_genes) * 7 + 100).astype(str)
    symbols = np.char.add("GENE", np.arange(n_genes).astype(str))
    pl.DataFrame(
        {
            "id": gene_ids,
            "chr": g_chrom,
            "start": g_start,
            "stop": g_stop,
            "strand": np.where(rng.random(n_genes) < 0.5, "+", "-"),
            "symbol": symbols,
        }
    ).write_csv(out / "genes.loc", separator="\t", include_header=False)
    lines = []
    for k in range(1000):
        size = int(np.exp(rng.uniform(np.log(20), np.log(500))))
        members = rng.choice(n_genes, size=size, replace=False)
        tokens = [symbols[g] if rng.random() < 0.1 else gene_ids[g] for g in members]
        lines.append("\t".join([f"SET{k:04d}", "synthetic", *tokens]))
    for n_sets in (1, 10, 100, 1000):
        (out / f"sets_{n_sets}.gmt").write_text("\n".join(lines[:n_sets]) + "\n")
    meta = {
        "seed": seed,
        "snps_requested": n_snps,
        "sumstats_rows": rows,
        "bim_rows": bim.height,
        "genes": n_genes,
        "gene_sets": 1000,
        "seconds_text": round(t_text - t0, 1),
        "seconds_total": round(time.perf_counter() - t0, 1),
        "bytes": {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()},
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--snps", type=int, default=7_000_000, help="sumstats SNPs (approximate)")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument(
        "--formats", default="gz,bgzf", help="compressed copies to write: gz, bgzf (comma list)"
    )
    args = p.parse_args(argv)
    meta = make(args.snps, args.out, args.seed, set(args.formats.split(",")))
    print(json.dumps(meta, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
