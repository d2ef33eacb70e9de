"""The screen's calibrated p-values against independent references: the blocks holding a
category and the Student t p against numpy/scipy, the circular-shift permutation p against the
exact permutation distribution enumerated by brute force, the sequential (Besag-Clifford) rule,
and the same answers from the annotation path, the array path and the command line."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ldenrich


def separators(m: int, blocks: int) -> np.ndarray:
    sep = np.floor(np.linspace(0, m, blocks + 1)).astype(np.int64)
    sep[-1] = m
    return sep


@pytest.mark.parametrize("seed", range(4))
def test_blocks_in_and_t_p_match_numpy_and_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = int(rng.integers(500, 5000))
    chisq = np.round(stats.chi2.rvs(1, size=m, random_state=rng), int(rng.integers(0, 3)))
    chisq[rng.integers(0, m, 3)] = [0.0, 1e4, 0.0]
    blocks = int(rng.choice([2, 17, 200]))
    cats = {}
    for i in range(12):
        mask = np.zeros(m, dtype=bool)
        for _ in range(int(rng.integers(1, 6))):
            a = int(rng.integers(0, m))
            mask[a : a + int(rng.integers(1, 60))] = True
        cats[f"c{i}"] = mask
    table = ldenrich.enrichment_arrays(chisq, cats, blocks=blocks, permutations=0)
    table = table.set_index("category")
    sep = separators(m, min(blocks, m))
    for name, mask in cats.items():
        row = table.loc[name]
        block_of = np.searchsorted(sep, np.flatnonzero(mask), side="right") - 1
        n_in = len(np.unique(block_of))
        assert row.n_blocks_in == n_in, name
        assert bool(row.few_blocks) == (n_in < ldenrich.enrichment_screen.FEW_BLOCKS)
        if row.jackknife_ok:
            want = 2 * stats.t.sf(abs(row.enrichment_z), n_in - 1)
            np.testing.assert_allclose(row.enrichment_p_t, want, rtol=1e-10, atol=1e-300)
            mlog10 = -np.log10(want) if want > 0 else np.inf
            np.testing.assert_allclose(row.enrichment_mlog10p_t, mlog10, rtol=1e-8)
        else:
            assert math.isnan(row.enrichment_p_t)
        assert math.isnan(row.enrichment_p_perm) and row.n_permutations == 0


def exact_shift_p(chisq: np.ndarray, chrom: np.ndarray, mask: np.ndarray, blocks: int) -> tuple:
    """Every combination of per-chromosome offsets, each placement scored by the screen's own
    jackknife z (the array path, no permutations): the exact studentized permutation p, over
    the placements with a defined jackknife; by the ratio when the category's is undefined."""
    bounds = [np.flatnonzero(chrom == c) for c in dict.fromkeys(chrom.tolist())]
    moving = [idx for idx in bounds if mask[idx].any()]
    placements = {}
    for combo in itertools.product(*[range(len(idx)) for idx in moving]):
        shifted = mask.copy()
        for idx, u in zip(moving, combo, strict=True):
            shifted[idx] = np.roll(mask[idx], u)
        placements["_".join(map(str, combo))] = shifted
    table = ldenrich.enrichment_arrays(chisq, placements, blocks=blocks, permutations=0)
    table = table.set_index("category")
    observed = table.loc["_".join("0" * len(moving))]
    if np.isfinite(observed.enrichment_z):
        z = table.enrichment_z.to_numpy()
        z = z[np.isfinite(z)]
        return float(np.mean(z >= observed.enrichment_z - 1e-9)), "z"
    ratio = table.enrichment.to_numpy()
    return float(np.mean(ratio >= observed.enrichment - 1e-9)), "ratio"


@pytest.mark.parametrize("seed", range(4))
def test_permutation_p_matches_the_exact_shift_distribution(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    sizes = [int(rng.integers(12, 24)) for _ in range(3)]
    chrom = np.repeat(np.array([3, 7, 21]), sizes)
    m = len(chrom)
    chisq = np.round(stats.chi2.rvs(1, size=m, random_state=rng), 1)  # ties
    mask = np.zeros(m, dtype=bool)
    mask[rng.choice(sizes[0] + sizes[1], size=4, replace=False)] = True
    mask[sizes[0] - 2 : sizes[0] + 2] = True  # a run across the first chromosome bound
    # Few blocks make the jackknife undefined (the ratio decides); more make it defined.
    blocks = [2, 6, 8, 12][seed]
    k = 100_000
    row = ldenrich.enrichment_arrays(
        chisq, {"c": mask}, blocks=blocks, permutations=k, perm_stop=0, chrom=chrom, seed=seed
    ).iloc[0]
    want, statistic = exact_shift_p(chisq, chrom, mask, blocks)
    assert row.perm_statistic == statistic
    assert row.n_permutations == k
    # (1 + hits) / (k + 1): an unbiased draw of the exact probability.
    assert abs(row.enrichment_p_perm - want) < 4 * math.sqrt(want * (1 - want) / k) + 2 / k


def test_sequential_stopping_gives_h_over_draws() -> None:
    rng = np.random.default_rng(5)
    m = 20_000
    chisq = rng.chisquare(1, m)
    cats = {f"c{i}": np.arange(a, a + 40) for i, a in enumerate(range(100, 19_000, 997))}
    hot = chisq.copy()
    hot[100:140] += 30
    full = ldenrich.enrichment_arrays(chisq, cats, permutations=50_000, perm_stop=20)
    stopped = full[full.n_permutations < 50_000]
    assert len(stopped) > len(full) // 2
    np.testing.assert_allclose(stopped.enrichment_p_perm, 20 / stopped.n_permutations)
    # A planted category never reaches the stop and draws everything.
    row = ldenrich.enrichment_arrays(hot, {"c0": cats["c0"]}, permutations=5000).iloc[0]
    assert row.n_permutations == 5000 and row.enrichment_p_perm == 1 / 5001


def test_annotation_and_array_paths_agree(tmp_path: Path) -> None:
    ex = ldenrich.example_data()
    annot = ldenrich.annotate(
        ldenrich.read_sumstats(ex.sumstats), ldenrich.read_bim(ex.bim),
        ldenrich.read_gene_loc(ex.gene_loc), gene_sets=[ldenrich.read_gene_sets(ex.gene_sets)],
    )  # fmt: skip
    table = ldenrich.enrichment(annot, permutations=2000, seed=9)
    # The GMT descriptions travel with the categories into the table.
    gmt = ldenrich.read_gene_sets(ex.gene_sets)
    assert table.description.tolist() == [gmt.descriptions[c] for c in table.category]
    assert table.description.str.len().gt(0).any()
    tested = table[table.status == "tested"]
    assert len(tested) >= 3
    masks = {name: annot.membership(name) for name in tested.category}
    chrom = annot.snps()["chrom"].to_numpy().astype(np.int64)
    arrays = ldenrich.enrichment_arrays(
        annot.chisq, masks, permutations=2000, seed=9, chrom=chrom
    ).set_index("category")
    for row in tested.itertuples():
        assert arrays.loc[row.category, "enrichment_p_perm"] == row.enrichment_p_perm
        assert arrays.loc[row.category, "n_blocks_in"] == row.n_blocks_in


def test_bad_chromosome_labels_and_options_are_clear_errors() -> None:
    chisq = np.ones(10)
    cats = {"a": np.arange(3)}
    with pytest.raises(ldenrich.InvalidArgumentError, match="two separate runs"):
        ldenrich.enrichment_arrays(chisq, cats, chrom=np.array([1] * 4 + [2] * 3 + [1] * 3))
    with pytest.raises(ldenrich.InvalidArgumentError, match="labels for 10 SNPs"):
        ldenrich.enrichment_arrays(chisq, cats, chrom=np.ones(9, dtype=np.int64))
    with pytest.raises(ldenrich.InvalidArgumentError, match="integer"):
        ldenrich.enrichment_arrays(chisq, cats, chrom=np.ones(10))
    with pytest.raises(ldenrich.InvalidArgumentError, match="permutations"):
        ldenrich.enrichment_arrays(chisq, cats, permutations=-1)
    with pytest.raises(ldenrich.InvalidArgumentError, match="permutations"):
        ldenrich.enrichment_arrays(chisq, cats, permutations=10**9)
    with pytest.raises(ldenrich.InvalidArgumentError, match="seed"):
        ldenrich.enrichment_arrays(chisq, cats, seed=-3)


def test_cli_writes_the_calibrated_columns_and_is_thread_independent(tmp_path: Path) -> None:
    ex = ldenrich.example_data()
    outputs = []
    for threads in (1, 2):
        out = tmp_path / f"t{threads}" / "screen"
        cmd = [
            sys.executable, "-m", "ldenrich", "enrich", "--sumstats", str(ex.sumstats),
            "--bim", str(ex.bim), "--gene-loc", str(ex.gene_loc), "--gene-sets",
            str(ex.gene_sets), "--permutations", "3000", "--seed", "4", "--threads",
            str(threads), "--out", str(out),
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "permutation p (calibrated)" in done.stderr + out.with_suffix(".log").read_text()
        outputs.append(out.with_name("screen.enrichment.tsv").read_bytes())
    assert outputs[0] == outputs[1]
    table = pd.read_csv(tmp_path / "t1" / "screen.enrichment.tsv", sep="\t")
    for column in ("n_blocks_in", "few_blocks", "enrichment_p_t", "enrichment_p_perm",
                   "p_perm_bonferroni", "q_perm_bh", "n_permutations"):  # fmt: skip
        assert column in table
    tested = table[table.status == "tested"]
    assert tested.enrichment_p_perm.between(1 / 3001, 1).all()
