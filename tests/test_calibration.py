"""Calibration of the enrichment screen's p-values on nulls (a small, fast version of
``benches/bench_calibration.py``; see ``docs/calibration.md`` for the full tables).

Null fractions are checked against binomial bounds: |fraction - alpha| < 4 SE + slack, where
the slack absorbs the correlation of categories tested on one draw of chi-squares.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

import ldenrich

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benches"))
import calibration_sim as cs

K_PERM = 999
BLOCKS = 200


def screen(chisq, cats, chrom=None, **kw):
    kw = {
        "blocks": BLOCKS,
        "permutations": K_PERM,
        "perm_stop": 50,
        "seed": 11,
        "chrom": chrom,
        **kw,
    }
    return ldenrich.enrichment_arrays(chisq, cats, **kw)


def within(frac: float, alpha: float, n: int, slack: float) -> bool:
    return abs(frac - alpha) < 4 * cs.binom_se(alpha, n) + slack


def fraction(p: pd.Series, alpha: float) -> tuple[float, int]:
    p = p.to_numpy(dtype=np.float64)
    ok = np.isfinite(p)
    return float(np.mean(p[ok] < alpha)), int(ok.sum())


@pytest.fixture(scope="module")
def iid_null() -> pd.DataFrame:
    """k = 1, 2, 3 random 40-SNP genes on 100,000 iid chi-square(1) SNPs, 1,500 per k."""
    rng = np.random.default_rng(20261207)
    m = 100_000
    chrom = cs.iid_chromosomes(m)
    parts = []
    for rep in range(5):
        chisq = rng.chisquare(1, m)
        cats, ks = {}, {}
        for k in (1, 2, 3):
            for j in range(300):
                cats[f"k{k}_{j}"], ks[f"k{k}_{j}"] = cs.iid_gene_mask(rng, chrom, k), k
        table = screen(chisq, cats, chrom, seed=rep)
        parts.append(table.assign(k=table.category.map(ks)))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def ld_panel() -> cs.LdPanel:
    return cs.load_ld_panel()


@pytest.fixture(scope="module")
def ld_null(ld_panel) -> pd.DataFrame:
    """k = 2, 3 random real chr22 gene windows on z ~ MVN(0, R_chr22), 1,200 per k."""
    rng = np.random.default_rng(7)
    reps = 60
    z = ld_panel.simulate_z(rng, reps)
    parts = []
    for rep in range(reps):
        cats, ks = {}, {}
        for k in (2, 3):
            for j in range(20):
                genes = rng.choice(len(ld_panel.genes), size=k, replace=False)
                cats[f"k{k}_{j}"], ks[f"k{k}_{j}"] = ld_panel.mask(genes), k
        table = screen(z[rep] ** 2, cats, seed=rep)
        parts.append(table.assign(k=table.category.map(ks)))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_permutation_p_calibrated_on_iid_null(iid_null, k) -> None:
    g = iid_null[iid_null.k == k]
    frac, n = fraction(g.enrichment_p_perm, 0.05)
    assert n == len(g)  # defined for every category, even a single gene in one block
    assert within(frac, 0.05, n, 0.005), (k, frac, n)
    frac, n = fraction(g.enrichment_p_perm, 0.001)
    assert frac < 0.001 + 4 * cs.binom_se(0.001, n) + 0.001, (k, frac, n)
    assert g.enrichment_p_perm.min() >= 1 / (K_PERM + 1)


@pytest.mark.parametrize("k", [2, 3])
def test_t_p_calibrated_on_iid_null(iid_null, k) -> None:
    g = iid_null[iid_null.k == k]
    frac, n = fraction(g.enrichment_p_t, 0.05)
    assert n > 0.9 * len(g)
    assert within(frac, 0.05, n, 0.005), (k, frac, n)


def test_study_p_is_anti_conservative_for_two_genes(iid_null) -> None:
    """The bug of issue 15, documented: the study's normal p rejects ~4x too often at k = 2."""
    frac, n = fraction(iid_null[iid_null.k == 2].enrichment_p, 0.05)
    assert frac > 0.05 + 4 * cs.binom_se(0.05, n) + 0.05, (frac, n)


@pytest.mark.parametrize("k", [2, 3])
def test_permutation_p_calibrated_on_real_ld_null(ld_null, k) -> None:
    g = ld_null[ld_null.k == k]
    frac, n = fraction(g.enrichment_p_perm, 0.05)
    assert within(frac, 0.05, n, 0.01), (k, frac, n)
    frac_study, _ = fraction(g.enrichment_p, 0.05)
    assert frac_study > 0.1, frac_study  # the same draws do show the study's p failing


@pytest.mark.xfail(
    strict=True,
    reason="issue 15 finding: under real LD the jackknife t p is anti-conservative (chr22, "
    "200 blocks: 0.093 at k = 2, 0.118 at k = 3 below 0.05; docs/calibration.md, table (b)); "
    "blocks shorter than LD are not independent and blocks holding unequal shares of the "
    "category carry fewer degrees of freedom than n_blocks_in - 1",
)
@pytest.mark.parametrize("k", [2, 3])
def test_t_p_calibrated_on_real_ld_null(ld_null, k) -> None:
    g = ld_null[ld_null.k == k]
    frac, n = fraction(g.enrichment_p_t, 0.05)
    assert within(frac, 0.05, n, 0.01), (k, frac, n)


def test_power_on_planted_enrichment(ld_panel) -> None:
    """Mean chi-square doubled in a 50-gene set: the calibrated p's still find it."""
    rng = np.random.default_rng(3)
    m = 100_000
    chrom = cs.iid_chromosomes(m)
    hits = {"enrichment_p_perm": 0, "enrichment_p_t": 0}
    draws = 20
    for rep in range(draws):
        mask = cs.iid_gene_mask(rng, chrom, 50)
        chisq = rng.chisquare(1, m)
        row = screen(np.where(mask, 2 * chisq, chisq), {"x": mask}, chrom, seed=rep).iloc[0]
        for c in hits:
            hits[c] += row[c] < 0.05
    assert hits["enrichment_p_perm"] >= 19 and hits["enrichment_p_t"] >= 19, hits
    z = ld_panel.simulate_z(rng, draws)
    hit = 0
    for rep in range(draws):
        mask = ld_panel.mask(rng.choice(len(ld_panel.genes), size=50, replace=False))
        zz = np.where(mask, z[rep] * math.sqrt(2), z[rep])
        hit += screen(zz**2, {"x": mask}, seed=rep).enrichment_p_perm.iloc[0] < 0.05
    assert hit >= 17, hit


@pytest.fixture(scope="module")
def small_universe():
    rng = np.random.default_rng(5)
    m = 30_000
    chrom = cs.iid_chromosomes(m)
    chisq = rng.chisquare(1, m)
    cats = {f"c{i}": cs.iid_gene_mask(rng, chrom, 1 + i % 7) for i in range(12)}
    return chisq, chrom, cats


def test_permutation_p_deterministic_and_independent_of_threads_and_company(
    small_universe,
) -> None:
    chisq, chrom, cats = small_universe
    base = screen(chisq, cats, chrom, seed=42, threads=1).set_index("category")
    again = screen(chisq, cats, chrom, seed=42, threads=2).set_index("category")
    pd.testing.assert_series_equal(base.enrichment_p_perm, again.enrichment_p_perm)
    other = screen(chisq, cats, chrom, seed=43).set_index("category")
    assert (other.enrichment_p_perm != base.enrichment_p_perm).any()
    # Alone, or with the others in another order: the same p for the same seed.
    for name in ("c3", "c10"):
        alone = screen(chisq, {name: cats[name]}, chrom, seed=42).set_index("category")
        assert alone.enrichment_p_perm[name] == base.enrichment_p_perm[name]
    reordered = dict(reversed(list(cats.items())))
    rev = screen(chisq, reordered, chrom, seed=42).set_index("category")
    pd.testing.assert_series_equal(rev.enrichment_p_perm.loc[base.index], base.enrichment_p_perm)


def test_permutation_null_stays_within_chromosomes() -> None:
    """Chromosome 2 is all large chi-squares: shifts that crossed into it would swamp the null."""
    chisq = np.concatenate([np.ones(1000), np.full(1000, 50.0)])
    chisq[100:110] = 5.0
    chrom = np.repeat([1, 2], 1000)
    cat = {"x": np.arange(100, 110)}
    p = screen(chisq, cat, chrom, blocks=20).enrichment_p_perm.iloc[0]
    # Only a zero offset reproduces the observed ratio: p = (1 + #zero offsets) / (K + 1).
    assert p <= 6 / (K_PERM + 1), p
    p_one = screen(chisq, cat, None, blocks=20).enrichment_p_perm.iloc[0]
    assert 0.3 < p_one < 0.7, p_one  # one circle of 2,000 SNPs: half the shifts land in chr 2
    # One-sided: a category of the smallest chi-squares is never enriched.
    chisq_low = chisq.copy()
    chisq_low[500:510] = 0.0
    low = screen(chisq_low, {"y": np.arange(500, 510)}, chrom, blocks=20).iloc[0]
    assert low.enrichment_p_perm == 1.0 and low.enrichment < 1


def test_t_p_and_companions_match_scipy_and_statsmodels(small_universe) -> None:
    chisq, chrom, cats = small_universe
    table = screen(chisq, cats, chrom).set_index("category")
    m = chisq.size
    sep = np.floor(np.linspace(0, m, BLOCKS + 1)).astype(np.int64)
    block_of = np.repeat(np.arange(BLOCKS), np.diff(sep))
    n_in = pd.Series({c: np.unique(block_of[v]).size for c, v in cats.items()})
    assert (table.n_blocks_in == n_in.loc[table.index]).all()
    assert (table.few_blocks == (n_in.loc[table.index] < 10)).all()
    ok = table.n_blocks_in >= 2
    want = 2 * stats.t.sf(np.abs(table.enrichment_z[ok]), table.n_blocks_in[ok] - 1)
    np.testing.assert_allclose(table.enrichment_p_t[ok], want, rtol=1e-10)
    np.testing.assert_allclose(
        table.enrichment_mlog10p_t[ok], -np.log10(want), rtol=1e-9, atol=1e-12
    )
    for p, bonf, bh in (
        ("enrichment_p_t", "p_t_bonferroni", "q_t_bh"),
        ("enrichment_p_perm", "p_perm_bonferroni", "q_perm_bh"),
    ):
        fam = table[p].dropna()
        np.testing.assert_allclose(
            table.loc[fam.index, bonf], multipletests(fam, method="bonferroni")[1], rtol=1e-12
        )
        np.testing.assert_allclose(
            table.loc[fam.index, bh], multipletests(fam, method="fdr_bh")[1], rtol=1e-12
        )
    np.testing.assert_allclose(
        table.enrichment_mlog10p_perm, -np.log10(table.enrichment_p_perm), rtol=1e-12
    )
    # Besag-Clifford: stopped after perm_stop exceedances, p = perm_stop / drawn; else all K
    # drawn and p = (1 + exceedances) / (K + 1).
    stopped = table.n_permutations < K_PERM
    np.testing.assert_allclose(
        table.enrichment_p_perm[stopped], 50 / table.n_permutations[stopped], rtol=1e-12
    )
    grid = table.enrichment_p_perm[~stopped] * (K_PERM + 1)
    np.testing.assert_allclose(grid, np.round(grid), atol=1e-6)
