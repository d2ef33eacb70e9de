"""The enrichment screen done "the pandas/scipy way": a straightforward reference pipeline.

This is the baseline of ``benches/bench_chr22.py``. It is what an analyst would write with
pandas, numpy and scipy, without ldenrich:

1. ``pandas.read_csv`` of the summary statistics and of the PLINK ``.bim``; inner merge on the
   SNP identifier; SNPs put in genome order (stable sort on chromosome, position); the
   chi-square is ``scipy.stats.chi2.isf(P, 1)``.
2. MAGMA gene windows from the ``.gene.loc``: ``+`` strand ``[start - 35000, stop + 10000]``,
   ``-`` strand ``[start - 10000, stop + 35000]``, start clamped at 0, closed intervals.
3. For each gene set: gene tokens resolved as gene ids, then as symbols (case-insensitive);
   each SNP of a gene's chromosome is checked against the gene's window (one vectorised numpy
   comparison per gene) and the set's membership mask is the union over its genes.
4. For each category with at least one annotated and one other SNP: the ratio of mean
   chi-squares (annotated / others), its delete-one-block jackknife SE over contiguous blocks
   with separators ``floor(linspace(0, M, blocks + 1))`` (vectorised with ``np.bincount``;
   pseudo-values ``B*theta - (B-1)*theta_b``, SE = ``sqrt(var(pseudo, ddof=1) / B)``), Welch's
   t test (``scipy.stats.ttest_ind(equal_var=False)``) and the Mann-Whitney U test
   (``scipy.stats.mannwhitneyu(method="asymptotic")``).

No allele or duplicate checks are made (the bundled chr22 data has none to make).

Run ``python3 benches/reference_pandas.py --help``. Writes one TSV row per category.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

UP_BP = 35_000
DOWN_BP = 10_000


def read_universe(sumstats: Path, bim: Path) -> pd.DataFrame:
    """SNPs in both files, in genome order, with their chi-square."""
    ss = pd.read_csv(sumstats, sep="\t", usecols=["SNP", "P"])
    ref = pd.read_csv(
        bim,
        sep=r"\s+",
        header=None,
        names=["CHR", "SNP", "CM", "BP", "A1", "A2"],
        usecols=["CHR", "SNP", "BP"],
        dtype={"CHR": str, "SNP": str, "BP": np.int64},
    )
    ref["CHR"] = pd.to_numeric(ref["CHR"].str.removeprefix("chr"), errors="coerce")
    ref = ref[ref["CHR"].between(1, 22)]
    snps = ref.merge(ss, on="SNP", how="inner")
    snps = snps.sort_values(["CHR", "BP"], kind="stable").reset_index(drop=True)
    snps["CHISQ"] = stats.chi2.isf(snps["P"].to_numpy(dtype=np.float64), 1)
    return snps


def read_gene_windows(gene_loc: Path) -> pd.DataFrame:
    """MAGMA's gene locations with their strand-aware windows (closed, 1-based)."""
    genes = pd.read_csv(
        gene_loc,
        sep=r"\s+",
        header=None,
        names=["ID", "CHR", "START", "STOP", "STRAND", "SYMBOL"],
        dtype={"ID": str, "CHR": str, "SYMBOL": str},
    )
    genes["CHR"] = pd.to_numeric(genes["CHR"], errors="coerce")
    plus = genes["STRAND"] != "-"
    genes["LO"] = np.where(plus, genes["START"] - UP_BP, genes["START"] - DOWN_BP).clip(min=0)
    genes["HI"] = np.where(plus, genes["STOP"] + DOWN_BP, genes["STOP"] + UP_BP)
    genes["SYMBOL_UC"] = genes["SYMBOL"].str.upper()
    return genes


def read_gmt(path: Path, limit: int | None) -> list[tuple[str, list[str]]]:
    """The first ``limit`` sets of a GMT file (plain or gzip)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    sets = []
    with opener(path, "rt") as fh:
        for line in fh:
            if limit is not None and len(sets) >= limit:
                break
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 2 and fields[0]:
                sets.append((fields[0], [g for g in fields[2:] if g]))
    return sets


def chrom_bounds(snps: pd.DataFrame) -> dict[int, tuple[int, int]]:
    """Row range of each chromosome of the (sorted) SNP table."""
    chrom = snps["CHR"].to_numpy()
    return {int(c): tuple(np.searchsorted(chrom, [c, c + 1])) for c in np.unique(chrom)}


def membership(bp: np.ndarray, bounds: dict, genes: pd.DataFrame, tokens: list[str]) -> np.ndarray:
    """Mask of the SNPs inside the window of any gene of ``tokens``."""
    by_id = genes["ID"].isin(tokens)
    unmatched = {t.upper() for t in tokens} - set(genes.loc[by_id, "ID"].str.upper())
    chosen = genes[by_id | genes["SYMBOL_UC"].isin(unmatched)]
    mask = np.zeros(len(bp), dtype=bool)
    for c, lo, hi in zip(chosen["CHR"], chosen["LO"], chosen["HI"], strict=True):
        if c not in bounds:
            continue
        a, b = bounds[c]
        pos = bp[a:b]
        mask[a:b] |= (pos >= lo) & (pos <= hi)
    return mask


def block_ids(m: int, blocks: int) -> tuple[np.ndarray, int]:
    """Block of each SNP: separators ``floor(linspace(0, m, blocks + 1))`` (ldsc's blocks)."""
    blocks = min(blocks, m)
    sep = np.floor(np.linspace(0, m, blocks + 1)).astype(np.int64)
    return np.repeat(np.arange(blocks), np.diff(sep)), blocks


def category_stats(chisq: np.ndarray, mask: np.ndarray, block: np.ndarray, n_blocks: int) -> dict:
    """Enrichment, jackknife SE, Welch and Mann-Whitney of one category."""
    n_in = int(mask.sum())
    row: dict = {"n_snps_in": n_in, "n_snps_out": len(chisq) - n_in}
    if n_in == 0 or n_in == len(chisq):
        row["status"] = "skipped"
        return row
    x_in, x_out = chisq[mask], chisq[~mask]
    theta = x_in.mean() / x_out.mean()
    sum_in, sum_out = x_in.sum(), x_out.sum()
    n_out = len(x_out)
    block_sum = np.bincount(block, weights=chisq, minlength=n_blocks)
    block_n = np.bincount(block, minlength=n_blocks)
    block_sum_in = np.bincount(block[mask], weights=x_in, minlength=n_blocks)
    block_n_in = np.bincount(block[mask], minlength=n_blocks)
    rest_in = n_in - block_n_in
    rest_out = n_out - (block_n - block_n_in)
    if (rest_in == 0).any() or (rest_out == 0).any():
        se = np.nan
    else:
        deletes = ((sum_in - block_sum_in) / rest_in) / (
            (sum_out - (block_sum - block_sum_in)) / rest_out
        )
        pseudo = n_blocks * theta - (n_blocks - 1) * deletes
        se = float(np.sqrt(pseudo.var(ddof=1) / n_blocks))
    welch = stats.ttest_ind(x_in, x_out, equal_var=False)
    mwu = stats.mannwhitneyu(x_in, x_out, method="asymptotic")
    row.update(
        status="tested",
        mean_chisq_in=x_in.mean(),
        mean_chisq_out=x_out.mean(),
        enrichment=theta,
        enrichment_se=se,
        welch_t=float(welch.statistic),
        welch_p=float(welch.pvalue),
        mwu_u=float(mwu.statistic),
        mwu_p=float(mwu.pvalue),
    )
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sumstats", type=Path, required=True, help="TAB file with SNP and P")
    p.add_argument("--bim", type=Path, required=True, help="PLINK .bim (plain or gzip)")
    p.add_argument("--gene-loc", type=Path, required=True, help="MAGMA .gene.loc")
    p.add_argument("--gene-sets", type=Path, required=True, help="GMT (plain or gzip)")
    p.add_argument("--max-categories", type=int, default=None, help="first N sets only")
    p.add_argument("--blocks", type=int, default=200, help="jackknife blocks")
    p.add_argument("--out", type=Path, required=True, help="output TSV")
    p.add_argument("--timings", type=Path, default=None, help="write step timings (JSON)")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    snps = read_universe(args.sumstats, args.bim)
    genes = read_gene_windows(args.gene_loc)
    sets = read_gmt(args.gene_sets, args.max_categories)
    chisq = snps["CHISQ"].to_numpy(dtype=np.float64)
    bp, bounds = snps["BP"].to_numpy(), chrom_bounds(snps)
    block, n_blocks = block_ids(len(snps), args.blocks)
    t1 = time.perf_counter()
    rows = []
    for name, tokens in sets:
        row = category_stats(chisq, membership(bp, bounds, genes, tokens), block, n_blocks)
        rows.append({"category": name, **row})
    t2 = time.perf_counter()
    table = pd.DataFrame(rows)
    table.to_csv(args.out, sep="\t", index=False, na_rep="NA")
    if args.timings is not None:
        timings = {
            "snps": len(snps),
            "categories": len(sets),
            "setup_s": t1 - t0,
            "categories_s": t2 - t1,
        }
        args.timings.write_text(json.dumps(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
