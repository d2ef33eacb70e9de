"""Slow, obviously-correct numpy/scipy implementations used as test oracles.

Nothing here is fast or used by the package itself; each function follows the written
definition (docs/methods.md §4-§5) as directly as possible, so the native code can be checked
against it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def block_separators(m: int, blocks: int) -> np.ndarray:
    """ldsc's jackknife separators: ``floor(linspace(0, m, blocks + 1))``."""
    return np.floor(np.linspace(0, m, blocks + 1)).astype(np.int64)


def enrichment_one(chisq: np.ndarray, annotated: np.ndarray, blocks: int = 200) -> dict:
    """Ratio of mean chi-squares, delete-one-block jackknife SE, Welch t, Mann-Whitney U.

    Every delete value recomputes both means from the SNPs left after removing block b.
    """
    chisq = np.asarray(chisq, dtype=np.float64)
    annotated = np.asarray(annotated, dtype=bool)
    m = chisq.size
    blocks = min(blocks, m)
    inside, outside = chisq[annotated], chisq[~annotated]
    theta = inside.mean() / outside.mean()
    sep = block_separators(m, blocks)
    deletes = []
    ok = True
    for b in range(blocks):
        keep = np.ones(m, dtype=bool)
        keep[sep[b] : sep[b + 1]] = False
        rest_in, rest_out = chisq[keep & annotated], chisq[keep & ~annotated]
        if rest_in.size == 0 or rest_out.size == 0:
            ok = False
            break
        deletes.append(rest_in.mean() / rest_out.mean())
    if ok:
        pseudo = blocks * theta - (blocks - 1) * np.array(deletes)
        se = float(np.sqrt(np.var(pseudo, ddof=1) / blocks))
        z = (theta - 1.0) / se
        p = float(2 * stats.norm.sf(abs(z)))
    else:
        se = z = p = float("nan")
    welch = stats.ttest_ind(inside, outside, equal_var=False)
    mwu = stats.mannwhitneyu(inside, outside, method="asymptotic")
    return {
        "n_snps_in": inside.size,
        "n_snps_out": outside.size,
        "mean_chisq_in": inside.mean(),
        "mean_chisq_out": outside.mean(),
        "enrichment": theta,
        "enrichment_se": se,
        "enrichment_z": z,
        "enrichment_p": p,
        "jackknife_ok": ok,
        "welch_t": float(welch.statistic),
        "welch_df": float(welch.df),
        "welch_p": float(welch.pvalue),
        "mwu_u": float(mwu.statistic),
        "mwu_p": float(mwu.pvalue),
    }


def magma_windows(genes: pd.DataFrame, up_kb: float = 35, down_kb: float = 10) -> pd.DataFrame:
    """MAGMA's strand-aware gene windows (closed, 1-based, start clamped at 0)."""
    up, down = int(up_kb * 1000), int(down_kb * 1000)
    forward = genes["strand"].to_numpy() == "+"
    before = np.where(forward, up, down)
    after = np.where(forward, down, up)
    out = genes.copy()
    out["first"] = np.maximum(genes["start"].to_numpy(np.int64) - before, 0)
    out["last"] = genes["stop"].to_numpy(np.int64) + after
    return out


def annotate_mask(
    chrom: np.ndarray, bp: np.ndarray, windows: pd.DataFrame, genes: list[str]
) -> np.ndarray:
    """SNPs inside any window of the given genes (matched by id or symbol), by brute force."""
    hit = windows[windows["gene"].isin(genes) | windows["symbol"].isin(genes)]
    mask = np.zeros(bp.size, dtype=bool)
    for row in hit.itertuples():
        mask |= (chrom == row.chrom) & (bp >= row.first) & (bp <= row.last)
    return mask
