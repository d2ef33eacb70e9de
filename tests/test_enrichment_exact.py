"""The screen against independent references: a slow numpy/scipy oracle on random data with
ties and extreme values, and a pandas re-implementation of the whole pipeline on real data."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ldenrich
from ldenrich import _reference

# Real public data, provenance in tests/data/README.md.
REAL = Path(__file__).parent / "data" / "real"
RTOL = 1e-9
COMPARED = [
    "n_snps_in",
    "n_snps_out",
    "mean_chisq_in",
    "mean_chisq_out",
    "enrichment",
    "enrichment_se",
    "enrichment_z",
    "enrichment_p",
    "welch_t",
    "welch_df",
    "welch_p",
    "mwu_u",
    "mwu_p",
]


def assert_matches_oracle(row: pd.Series, want: dict, context: str) -> None:
    assert bool(row.jackknife_ok) == want["jackknife_ok"], context
    for col in COMPARED:
        got, expected = float(row[col]), float(want[col])
        if np.isnan(expected):
            assert np.isnan(got), f"{context} {col}: {got} vs NaN"
            continue
        # t near 0 is a difference of nearly equal means: compare it absolutely as well.
        atol = 1e-12 if col in ("welch_t", "enrichment_z") else 0.0
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=atol, err_msg=f"{context} {col}")


def random_categories(rng: np.random.Generator, m: int, k: int) -> dict[str, np.ndarray]:
    cats: dict[str, np.ndarray] = {}
    for i in range(k):
        mask = np.zeros(m, dtype=bool)
        for _ in range(rng.integers(1, 40)):
            start = rng.integers(0, m)
            mask[start : start + rng.integers(1, m // 10 + 2)] = True
        cats[f"clustered_{i}"] = mask
    cats["scattered"] = rng.random(m) < 0.3
    cats["one_block"] = np.zeros(m, dtype=bool)
    cats["one_block"][:5] = True
    cats["single_snp"] = np.zeros(m, dtype=bool)
    cats["single_snp"][m // 2] = True
    return cats


@pytest.mark.parametrize("seed", range(6))
def test_random_data_with_ties_matches_oracle(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = int(rng.integers(300, 4000))
    chisq = stats.chi2.rvs(1, size=m, random_state=rng) * rng.choice([1, 1, 1, 3], size=m)
    chisq = np.round(chisq, int(rng.integers(0, 3)))  # rounded p-values make ties common
    chisq[rng.integers(0, m, 5)] = rng.choice([0.0, 1e3, 5e4], size=5)  # extreme values
    blocks = int(rng.choice([2, 10, 200]))
    cats = random_categories(rng, m, 8)
    table = ldenrich.enrichment_arrays(chisq, cats, blocks=blocks).set_index("category")
    for name, mask in cats.items():
        want = _reference.enrichment_one(chisq, mask, blocks)
        assert_matches_oracle(table.loc[name], want, f"seed={seed} {name}")


def test_methods_test_vectors() -> None:
    chisq = np.array([1.2, 0.3, 4.5, 2.2, 0.9, 7.1, 0.1, 1.6, 3.3, 0.8, 2.9, 0.4])
    a = np.array([1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0], dtype=bool)
    row = ldenrich.enrichment_arrays(chisq, {"a": a}, blocks=4).iloc[0]
    assert row.enrichment == pytest.approx(4.222222, abs=1e-6)
    assert row.enrichment_se == pytest.approx(0.444437, abs=1e-6)
    x = [1.2, 3.4, 2.2, 5.0, 4.4, 3.3, 2.9, 6.1, 0.5, 4.0]
    y = [2.0, 1.1, 0.3, 1.9, 2.5, 3.0, 0.9, 1.2, 2.2, 1.7, 0.4]
    row = ldenrich.enrichment_arrays(np.array(x + y), {"x": np.arange(10)}, blocks=2).iloc[0]
    assert row.welch_t == pytest.approx(2.906571, abs=1e-6)
    assert row.welch_df == pytest.approx(13.037272, abs=1e-6)
    assert row.mwu_u == 91
    assert row.mwu_p == pytest.approx(0.0123683, abs=1e-7)


def test_degenerate_groups_follow_scipy() -> None:
    chisq = np.array([2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    row = ldenrich.enrichment_arrays(chisq, {"c": np.arange(4)}, blocks=2).iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy warns about zero variance
        want = stats.ttest_ind(chisq[:4], chisq[4:], equal_var=False)
    assert row.welch_t == want.statistic == np.inf
    assert row.welch_p == want.pvalue == 0.0
    assert row.welch_mlog10p == np.inf
    ties = np.ones(12)
    row = ldenrich.enrichment_arrays(ties, {"t": np.arange(6)}, blocks=3).iloc[0]
    assert row.mwu_p == stats.mannwhitneyu(ties[:6], ties[6:], method="asymptotic").pvalue == 1
    assert row.enrichment == 1.0


def test_status_and_undefined_jackknife() -> None:
    chisq = np.arange(1.0, 101.0)
    cats = {
        "none": np.zeros(100, dtype=bool),
        "all": np.ones(100, dtype=bool),
        "tiny": np.arange(3),
        "first_block": np.arange(10),
    }
    table = ldenrich.enrichment_arrays(chisq, cats, blocks=10, min_snps=5).set_index("category")
    assert table.status.to_dict() == {
        "none": "skipped_no_snps",
        "all": "skipped_all_snps",
        "tiny": "skipped_min_snps",
        "first_block": "tested",
    }
    row = table.loc["first_block"]
    assert not row.jackknife_ok and np.isnan(row.enrichment_se) and np.isnan(row.enrichment_p)
    assert np.isfinite(row.enrichment) and np.isnan(row.q_bh)


def test_bad_arrays_are_rejected() -> None:
    with pytest.raises(ldenrich.InvalidArgumentError):
        ldenrich.enrichment_arrays(np.array([1.0, np.nan, 2.0]), {"a": np.array([0])}, blocks=2)
    with pytest.raises(ldenrich.InvalidArgumentError):
        ldenrich.enrichment_arrays(np.ones(5), {"a": np.ones(4, dtype=bool)}, blocks=2)
    with pytest.raises(ldenrich.InvalidArgumentError):
        ldenrich.enrichment_arrays(np.ones(5), {"a": np.array([7])}, blocks=2)
    with pytest.raises(ldenrich.InvalidArgumentError):
        ldenrich.enrichment_arrays(np.ones(5), {"a": np.array([1])}, blocks=1)


def test_multiple_testing_matches_scipy(rng: np.random.Generator) -> None:
    m = 3000
    chisq = stats.chi2.rvs(1, size=m, random_state=rng)
    cats = random_categories(rng, m, 30)
    table = ldenrich.enrichment_arrays(chisq, cats, blocks=50)
    ok = table.enrichment_p.notna().to_numpy()
    p = table.enrichment_p.to_numpy()[ok]
    np.testing.assert_allclose(
        table.q_bh.to_numpy()[ok], stats.false_discovery_control(p, method="bh"), rtol=1e-12
    )
    np.testing.assert_allclose(table.p_bonferroni.to_numpy()[ok], np.minimum(1, p * ok.sum()))
    assert table.q_bh[~ok].isna().all()


def test_results_do_not_depend_on_threads(rng: np.random.Generator) -> None:
    chisq = np.round(stats.chi2.rvs(1, size=20000, random_state=rng), 2)
    cats = random_categories(rng, 20000, 40)
    one = ldenrich.enrichment_arrays(chisq, cats, threads=1)
    two = ldenrich.enrichment_arrays(chisq, cats, threads=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)


# ---------------------------------------------------------------------------------------------
# Real data: the UK Biobank height chr22 sumstats and 1000G chr22 .bim, against an independent
# pandas pipeline (merge, chi-square by scipy, MAGMA windows by brute force, oracle statistics).


@pytest.fixture(scope="module")
def real_pipeline():
    ex = ldenrich.example_data()
    sets = {
        **ldenrich.read_gene_sets(ex.gene_sets),
        **ldenrich.read_gene_sets(
            ex.gene_sets.with_name("neuro_glutamate_monoamine_GO_subset_entrez.gmt")
        ),
    }
    genes = ldenrich.read_gene_loc(ex.gene_loc)
    annot = ldenrich.annotate(
        ldenrich.read_sumstats(ex.sumstats), ldenrich.read_bim(ex.bim), genes, gene_sets=sets
    )
    return ex, sets, annot, ldenrich.enrichment(annot)


def reference_universe(ex) -> pd.DataFrame:
    ss = pd.read_csv(ex.sumstats, sep="\t")
    with gzip.open(ex.bim, "rt") as fh:
        bim = pd.read_csv(
            fh, sep=r"\s+", header=None, names=["chrom", "snp", "cm", "bp", "a1", "a2"]
        )
    bim["bim_row"] = np.arange(len(bim))
    merged = bim.merge(ss[["SNP", "P"]], left_on="snp", right_on="SNP", how="inner")
    merged = merged[merged.chrom.between(1, 22)]
    merged = merged.sort_values(["chrom", "bp", "bim_row"], kind="stable").reset_index(drop=True)
    merged["chisq"] = stats.chi2.isf(merged.P.to_numpy(), 1)
    return merged


def test_real_universe_matches_pandas(real_pipeline) -> None:
    ex, _, annot, _ = real_pipeline
    ref = reference_universe(ex)
    snps = annot.snps()
    assert snps.snp.tolist() == ref.snp.tolist()
    np.testing.assert_array_equal(snps.bp.to_numpy(), ref.bp.to_numpy())
    np.testing.assert_allclose(snps.chisq.to_numpy(), ref.chisq.to_numpy(), rtol=1e-12)
    qc = annot.qc.set_index("reason")["count"]
    assert qc["read"] == qc.drop("read").sum() == 15935


def test_real_enrichment_matches_independent_pipeline(real_pipeline) -> None:
    ex, sets, annot, table = real_pipeline
    ref = reference_universe(ex)
    with gzip.open(ex.gene_loc, "rt") as fh:
        genes = pd.read_csv(
            fh,
            sep=r"\s+",
            header=None,
            names=["gene", "chrom", "start", "stop", "strand", "symbol"],
            dtype={"gene": str, "chrom": str},
        )
    genes = genes[genes.chrom == "22"].assign(chrom=22)
    windows = _reference.magma_windows(genes)
    chrom, bp, chisq = ref.chrom.to_numpy(), ref.bp.to_numpy(), ref.chisq.to_numpy()
    table = table.set_index("category")
    tested = 0
    for name, members in sets.items():
        mask = _reference.annotate_mask(chrom, bp, windows, members)
        np.testing.assert_array_equal(annot.membership(name), mask, err_msg=name)
        row = table.loc[name]
        if mask.sum() == 0:
            assert row.status == "skipped_no_snps"
            continue
        assert_matches_oracle(row, _reference.enrichment_one(chisq, mask, 200), name)
        tested += 1
    assert tested >= 10


def test_thousand_go_sets_on_real_data() -> None:
    """1,000 real GO sets (Entrez ids) on the chr22 data, every tenth checked by the oracle."""
    ex = ldenrich.example_data()
    rows = []
    with gzip.open(REAL / "GO_BP_head_entrez.gmt.gz", "rt") as fh:
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > 12:
                rows.append((fields[0], fields[2:]))
            if len(rows) == 1000:
                break
    sets = dict(rows)
    # A few GO sets consist mostly of non-coding genes, absent from MAGMA's gene locations.
    with pytest.warns(ldenrich.LdenrichWarning) as record:
        annot = ldenrich.annotate(
            ldenrich.read_sumstats(ex.sumstats),
            ldenrich.read_bim(ex.bim),
            ldenrich.read_gene_loc(ex.gene_loc),
            gene_sets=sets,
        )
    assert "non-coding genes" in str(record[0].message)
    assert len(record) == 6
    table = ldenrich.enrichment(annot).set_index("category")
    assert len(table) == 1000
    chisq = annot.chisq
    for name in list(sets)[::10]:
        mask = annot.membership(name)
        if 0 < mask.sum() < mask.size:
            assert_matches_oracle(table.loc[name], _reference.enrichment_one(chisq, mask), name)


def test_polars_output(real_pipeline) -> None:
    pl = pytest.importorskip("polars")
    _, _, annot, table = real_pipeline
    frame = ldenrich.enrichment(annot, output="polars")
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == table.columns.tolist()
