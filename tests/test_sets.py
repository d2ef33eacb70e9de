"""Gene-set analysis against independent references: statsmodels (OLS, GLS with a given
covariance, multipletests), scipy.stats (ttest_1samp, ttest_ind, kruskal) and a dense numpy GLS
with the pseudo-inverse of the pruned correlation matrix."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests

import ldenrich
from ldenrich.errors import InconsistentInputError, ParseError
from ldenrich.sets import (
    SET_COLUMNS,
    default_covariates,
    format_gsa_out,
    gene_set_analysis,
    kruskal_wallis,
    read_gene_results,
    truncate_z,
)

# Real public data, provenance in tests/data/README.md.
REAL = Path(__file__).parent / "data" / "real"
RAW = REAL / "ieu-a-298.genes.raw"
MAGMA_OUT = "{0}.genes.out.gz"
SCZ = REAL / MAGMA_OUT.format("Pardinas2018.SCZ")
# Every GO BP set, members restricted to the genes of RAW (the fit only sees those).
GO_RAW = REAL / "GO_BP_ieu-a-298_entrez.gmt.gz"
# The first GO BP sets, unchanged.
GO_HEAD = REAL / "GO_BP_head_entrez.gmt.gz"
GENE_LOC = ldenrich.example_data().gene_loc


# --- helpers: the references -------------------------------------------------------------------


def dense_r(correlations: list[list[float]], power: float = 1.1) -> np.ndarray:
    n = len(correlations)
    r = np.eye(n)
    for i, row in enumerate(correlations):
        for k, v in enumerate(row):
            j = i - len(row) + k
            r[i, j] = r[j, i] = math.copysign(abs(v) ** power, v)
    return r


def pruned_pinv(r: np.ndarray, prune: float) -> tuple[np.ndarray, int]:
    """R+ of the eigen-directions kept, per connected block (the same blocks as the band)."""
    n = len(r)
    adjacency = r != 0
    seen = np.zeros(n, dtype=bool)
    out = np.zeros_like(r)
    rank = 0
    for start in range(n):
        if seen[start]:
            continue
        stack, members = [start], []
        seen[start] = True
        while stack:
            i = stack.pop()
            members.append(i)
            for j in np.flatnonzero(adjacency[i] & ~seen):
                seen[j] = True
                stack.append(j)
        idx = np.array(sorted(members))
        w, v = np.linalg.eigh(r[np.ix_(idx, idx)])
        keep = w > prune
        rank += int(keep.sum())
        out[np.ix_(idx, idx)] = (v[:, keep] / w[keep]) @ v[:, keep].T
    return out, rank


def gls_reference(z, covariates, s, rinv, rank):
    """Dense GLS with a given inverse covariance: beta, se, t, df, one-sided p of the last
    column."""
    x = np.column_stack([np.ones(len(z)), covariates, s])
    xtx = x.T @ rinv @ x
    beta = np.linalg.solve(xtx, x.T @ rinv @ z)
    resid = z - x @ beta
    df = rank - x.shape[1]
    sigma2 = resid @ rinv @ resid / df
    se = math.sqrt(sigma2 * np.linalg.inv(xtx)[-1, -1])
    t = beta[-1] / se
    return beta[-1], se, t, df, scipy.stats.t.sf(t, df)


def random_band(rng, n, max_block=12):
    """AR(1)-like correlations inside random blocks, in the .genes.raw band layout."""
    corr: list[list[float]] = []
    i = 0
    while i < n:
        size = int(min(n - i, rng.integers(1, max_block + 1)))
        rho = rng.uniform(0.05, 0.6)
        for j in range(size):
            m = int(min(j, rng.integers(0, 6)))
            corr.append([rho ** (m - k) * rng.uniform(0.8, 1.0) for k in range(m)])
        i += size
    return corr


# --- the competitive regression ---------------------------------------------------------------


def test_gls_matches_statsmodels_on_random_data(rng):
    n = 300
    corr = random_band(rng, n)
    r = dense_r(corr)
    assert np.linalg.eigvalsh(r).min() > 0.1  # no pruning: plain GLS applies
    size = rng.integers(1, 300, n).astype(float)
    table = pd.DataFrame(
        {
            "GENE": [f"g{i}" for i in range(n)],
            "NSNPS": size,
            "NPARAM": np.maximum(1, np.round(size * rng.uniform(0.2, 1, n))),
            "MAC": rng.uniform(5, 500, n),
            "ZSTAT": rng.normal(size=n),
        }
    )
    sets = {
        f"s{k}": list(rng.choice(table.GENE, int(rng.integers(2, 80)), replace=False))
        for k in range(12)
    }
    res = gene_set_analysis(
        ldenrich.GeneResults(table, corr, pd.DataFrame(), 0), sets, truncate=(0, 0)
    )
    cov, names, _ = default_covariates(table)
    assert names == ["gene size", "gene density", "inverse mac", "log(gene size)",
                     "log(gene density)", "log(inverse mac)"]  # fmt: skip
    x0 = np.column_stack([np.ones(n), cov])
    for row in res.sets.itertuples():
        s = table.GENE.isin(sets[row.set]).to_numpy(dtype=float)
        fit = sm.GLS(table.ZSTAT.to_numpy(), np.column_stack([x0, s]), sigma=r).fit()
        assert row.beta == pytest.approx(fit.params[-1], rel=1e-9, abs=1e-12)
        assert row.se == pytest.approx(fit.bse[-1], rel=1e-9)
        assert row.df_competitive == fit.df_resid
        assert row.p_competitive == pytest.approx(
            scipy.stats.t.sf(fit.tvalues[-1], fit.df_resid), rel=1e-8
        )
        sd_s = math.sqrt(s.sum() * (1 - s.sum() / n) / (n - 1))
        assert row.beta_std == pytest.approx(fit.params[-1] * sd_s, rel=1e-9, abs=1e-12)


def test_gls_on_real_genes_raw_matches_dense_pseudo_inverse():
    res_genes = read_gene_results(RAW)
    table, corr = res_genes.table, res_genes.correlations
    assert len(table) == 1355 and corr is not None
    go = ldenrich.read_gene_sets(GO_RAW)
    res = gene_set_analysis(res_genes, go, min_genes=2)
    r = dense_r(corr)
    rinv, rank = pruned_pinv(r, 0.1)
    assert res.model["n_eff"] == rank and res.model["method"] == "GLS"
    assert res.model["covariates"] == [
        "gene size", "gene density", "inverse mac",
        "log(gene size)", "log(gene density)", "log(inverse mac)",
    ]  # fmt: skip
    cov, _, _ = default_covariates(table)
    z, _, _ = truncate_z(table.ZSTAT.to_numpy(), 3, 6)
    ok = res.sets[res.sets.status == "ok"]
    assert len(ok) > 3000
    ids = table.GENE.astype(str)
    checked = ok.sample(60, random_state=1) if len(ok) > 60 else ok
    for row in checked.itertuples():
        members = set(go[row.set])
        s = ids.isin(members).to_numpy(dtype=float)
        beta, se, _, df, p = gls_reference(z, cov, s, rinv, rank)
        assert row.n_genes_found == s.sum()
        assert row.beta == pytest.approx(beta, rel=1e-7, abs=1e-10)
        assert row.se == pytest.approx(se, rel=1e-7)
        assert row.df_competitive == df
        assert row.p_competitive == pytest.approx(p, rel=1e-6, abs=1e-300)


@pytest.mark.parametrize("study", ["Yengo2018.Height", "Pardinas2018.SCZ", "Jansen2019.AD"])
def test_ols_fallback_matches_statsmodels_on_real_genes_out(study: str):
    genes = read_gene_results(REAL / MAGMA_OUT.format(study))
    assert genes.correlations is None and len(genes.table) > 17000
    go = ldenrich.read_gene_sets(GO_HEAD)
    names = [n for n in list(go)[:400] if 2 <= len(go[n]) <= 400][:40]
    subset = {n: go[n] for n in names}
    res = gene_set_analysis(genes, subset)
    assert res.model["method"] == "OLS"
    assert "OLS" in format_gsa_out(res).splitlines()[4 if res.model["mean_sample_size"] else 3]
    table = genes.table
    z, _, _ = truncate_z(table.ZSTAT.to_numpy(), 3, 6)
    cov, cov_names, _ = default_covariates(table)
    assert "inverse mac" not in cov_names  # a .genes.out has no MAC
    assert ("sample size" in cov_names) == (table.N.nunique() > 1)
    ids = table.GENE.astype(str)
    raw_z = table.ZSTAT.to_numpy()
    for row in res.sets.itertuples():
        s = ids.isin(set(subset[row.set])).to_numpy(dtype=float)
        if s.sum() < 2:
            assert row.status in ("too_few_genes", "no_genes_found")
            continue
        inside = s == 1
        one = scipy.stats.ttest_1samp(raw_z[inside], raw_z.mean(), alternative="greater")
        welch = scipy.stats.ttest_ind(
            raw_z[inside], raw_z[~inside], equal_var=False, alternative="greater"
        )
        assert row.p_one_sample == pytest.approx(one.pvalue, rel=1e-9)
        assert row.p_welch == pytest.approx(welch.pvalue, rel=1e-9)
        assert row.df_welch == pytest.approx(welch.df, rel=1e-12)
        fit = sm.OLS(z, np.column_stack([np.ones(len(z)), cov, s])).fit()
        assert row.beta == pytest.approx(fit.params[-1], rel=1e-9, abs=1e-13)
        assert row.se == pytest.approx(fit.bse[-1], rel=1e-9)
        assert row.p_competitive == pytest.approx(
            scipy.stats.t.sf(fit.tvalues[-1], fit.df_resid), rel=1e-8
        )
    groups = [raw_z[ids.isin(set(g)).to_numpy()] for g in subset.values()]
    ref = scipy.stats.kruskal(*[g for g in groups if len(g)])
    assert res.kruskal.h[0] == pytest.approx(ref.statistic, rel=1e-12)
    assert res.kruskal.p[0] == pytest.approx(ref.pvalue, rel=1e-9)
    p = res.sets.p_competitive.to_numpy()
    ok = np.isfinite(p)
    assert np.allclose(res.sets.p_competitive_bh[ok], multipletests(p[ok], method="fdr_bh")[1])


def test_pruning_identical_genes_and_collinear_sets():
    # Genes 0 and 1 share their SNPs (correlation 1): one effective gene between them.
    table = pd.DataFrame(
        {"GENE": list("abcdefgh"), "ZSTAT": [1.0, 1.0, 0.5, -0.2, 2.0, 0.1, -1.0, 0.3]}
    )
    corr = [[], [1.0], [], [], [], [], [], []]
    res = gene_set_analysis(
        ldenrich.GeneResults(table, corr, pd.DataFrame(), 0),
        {
            "pair": ["a", "b"],
            "all": list("abcdefgh"),
            "one": ["c"],
            "none": ["zz"],
            "ab_c": ["a", "b", "c"],
        },
        covariates="none",
    )
    s = res.sets.set_index("set")
    assert res.model["n_eff"] == 7
    assert s.loc["all", "status"] == "collinear"
    assert s.loc["one", "status"] == "too_few_genes" and np.isnan(s.loc["one", "p_competitive"])
    assert s.loc["none", "status"] == "no_genes_found" and s.loc["none", "missing_genes"] == "zz"
    # The pair is one gene after whitening: same fit as a one-gene set on the pruned data.
    rinv, rank = pruned_pinv(dense_r(corr), 0.1)
    ind = np.array([1.0, 1.0, 0, 0, 0, 0, 0, 0])
    beta, se, _, df, _ = gls_reference(table.ZSTAT.to_numpy(), np.empty((8, 0)), ind, rinv, rank)
    assert s.loc["pair", "beta"] == pytest.approx(beta, rel=1e-10)
    assert s.loc["pair", "se"] == pytest.approx(se, rel=1e-10)
    assert s.loc["pair", "df_competitive"] == df == 5


def test_truncation_and_covariate_hygiene(rng):
    z = rng.normal(size=500)
    z[0], z[1] = -8.0, 40.0
    out, lo, hi = truncate_z(z, 3, 6)
    assert lo == -3 and hi == pytest.approx(z.mean() + 6 * z.std(ddof=1))
    assert out[0] == -3 and out[1] == hi and (out[2:] == z[2:]).all()
    assert truncate_z(z, 0, 0)[0] is not z and (truncate_z(z, 0, 0)[0] == z).all()
    table = pd.DataFrame(
        {"NSNPS": rng.integers(1, 50, 500), "NPARAM": rng.integers(1, 5, 500), "N": 1000.0,
         "MAC": rng.uniform(1, 100, 500)}
    )  # fmt: skip
    table.loc[:9, "MAC"] = np.nan  # 2% missing: imputed with the median
    table.loc[11, "NSNPS"] = 10_000  # an outlier, truncated at 5 SD
    cov, names, dropped = default_covariates(table)
    assert "sample size: constant" in dropped and "log(sample size): constant" in dropped
    inv = 1 / table.MAC.to_numpy()
    med = np.nanmedian(inv)
    col = cov[:, names.index("inverse mac")]
    expected = np.where(np.isnan(inv), med, inv)
    m, sd = expected.mean(), expected.std(ddof=1)
    assert np.allclose(col, np.clip(expected, m - 5 * sd, m + 5 * sd))
    size = cov[:, names.index("gene size")]
    raw = table.NSNPS.to_numpy(float)
    assert size[11] == pytest.approx(raw.mean() + 5 * raw.std(ddof=1))
    table.loc[:99, "MAC"] = np.nan  # 20% missing: discarded
    _, names2, dropped2 = default_covariates(table)
    assert "inverse mac" not in names2 and any(
        d.startswith("inverse mac: missing") for d in dropped2
    )


def test_thread_count_does_not_change_results():
    genes = read_gene_results(RAW)
    go = ldenrich.read_gene_sets(GO_RAW)
    a = gene_set_analysis(genes, go, threads=1).sets
    b = gene_set_analysis(genes, go, threads=2).sets
    pd.testing.assert_frame_equal(a, b, check_exact=True)


# --- the study's simple tests -----------------------------------------------------------------


def test_simple_tests_match_scipy_and_statsmodels(rng):
    n = 3000
    z = np.round(rng.standard_t(5, n), 2)  # heavy tails and ties
    table = pd.DataFrame({"GENE": [str(i) for i in range(n)], "ZSTAT": z,
                          "P": scipy.stats.norm.sf(z)})  # fmt: skip
    sets = {f"s{k}": [str(g) for g in rng.choice(n, int(rng.integers(1, 200)), replace=False)]
            for k in range(30)}  # fmt: skip
    sets["s0"] = [str(i) for i in range(5)] + ["MISSING1", "missing2"]
    sets["const"] = (
        [str(i) for i in np.flatnonzero(z == z[0])[:3]] if (z == z[0]).sum() >= 3 else ["0"]
    )
    res = gene_set_analysis(table, sets)
    s = res.sets.set_index("set")
    ids = table.GENE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on the degenerate sets we also check
        for name, genes in sets.items():
            mask = ids.isin(genes).to_numpy()
            a, b = z[mask], z[~mask]
            row = s.loc[name]
            assert row.n_genes_found == mask.sum()
            assert row.n_genes == len(set(genes))
            assert row.genome_mean_z == pytest.approx(z.mean(), rel=1e-14)
            one = scipy.stats.ttest_1samp(a, z.mean(), alternative="greater")
            welch = scipy.stats.ttest_ind(a, b, equal_var=False, alternative="greater")
            for ours, ref in [(row.t_one_sample, one.statistic), (row.p_one_sample, one.pvalue),
                              (row.t_welch, welch.statistic), (row.p_welch, welch.pvalue),
                              (row.df_welch, welch.df)]:  # fmt: skip
                if np.isnan(ref):
                    assert np.isnan(ours)
                else:
                    assert ours == pytest.approx(ref, rel=1e-10, abs=1e-300)
            pa = table.P.to_numpy()[mask]
            assert row.n_nominal == (pa < 0.05).sum()
            assert row.n_set_bonferroni == (pa < 0.05 / len(pa)).sum()
            assert row.n_genome_bonferroni == (pa < 0.05 / n).sum()
    assert (
        s.loc["s0", "n_genes_missing"] == 2 and s.loc["s0", "missing_genes"] == "MISSING1,missing2"
    )
    for col in ("p_one_sample", "p_welch", "p_competitive"):
        p = res.sets[col].to_numpy()
        ok = np.isfinite(p)
        assert np.allclose(
            res.sets[col + "_bonferroni"][ok], multipletests(p[ok], method="bonferroni")[1]
        )
        assert np.allclose(
            res.sets[col + "_bh"][ok], multipletests(p[ok], method="fdr_bh")[1], rtol=1e-12
        )
        assert res.sets[col + "_bh"][~ok].isna().all()
    groups = [z[ids.isin(g).to_numpy()] for g in sets.values()]
    ref = scipy.stats.kruskal(*[g for g in groups if len(g)])
    k = res.kruskal.iloc[0]
    assert k.h == pytest.approx(ref.statistic, rel=1e-12) and k.p == pytest.approx(
        ref.pvalue, rel=1e-10
    )
    assert k.n_sets == sum(len(g) > 0 for g in groups) and k.df == k.n_sets - 1
    members = [set(ids[ids.isin(g)]) for g in sets.values()]
    assert k.n_memberships == sum(len(m) for m in members)
    assert k.n_distinct_genes == len(set().union(*members))
    assert bool(k.sets_overlap) == (k.n_memberships > k.n_distinct_genes)


def test_kruskal_edge_cases_follow_scipy(rng):
    x = [1.2, 3.4, 2.2, 5.0, 4.4, 3.3, 2.9, 6.1, 0.5, 4.0]
    y = [2.0, 1.1, 0.3, 1.9, 2.5, 3.0, 0.9, 1.2, 2.2, 1.7, 0.4]
    h, df, p = kruskal_wallis([x, y, [1, 1, 2, 2, 3]])
    assert (round(h, 6), df, round(p, 7)) == (7.366379, 2.0, 0.0251427)
    assert all(np.isnan(v) for v in kruskal_wallis([[1, 1], [1, 1, 1]])[::2])
    assert np.isnan(kruskal_wallis([[1, 2], []])[0])
    with pytest.raises(ldenrich.InvalidArgumentError):
        kruskal_wallis([[1, 2, 3]])
    for _ in range(20):
        groups = [
            np.round(rng.normal(size=int(rng.integers(1, 40))), 1)
            for _ in range(int(rng.integers(2, 8)))
        ]
        ref = scipy.stats.kruskal(*groups)
        h, _, p = kruskal_wallis(groups)
        assert h == pytest.approx(ref.statistic, rel=1e-12) and p == pytest.approx(
            ref.pvalue, rel=1e-10
        )


def t3_descriptions_match(res) -> bool:
    return res.table3().description.tolist() == res.sets.description.tolist()


def test_members_tables_and_table3():
    genes = read_gene_results(SCZ)
    loc = ldenrich.read_gene_loc(GENE_LOC)
    sets = ldenrich.read_gene_sets(ldenrich.example_data().gene_sets)
    res = gene_set_analysis(genes, sets, gene_loc=loc)
    m = res.members
    first = sets.keys().__iter__().__next__()
    part = m[m.set == first]
    found = part[part.found]
    assert list(found.p) == sorted(found.p)  # Table 1/2 order
    assert (found.p_set_bonferroni == np.minimum(1, found.p * len(found))).all()
    assert (found.p_genome_bonferroni == np.minimum(1, found.p * len(genes.table))).all()
    assert found.symbol.notna().all()  # symbols through the gene locations
    assert res.sets.set_index("set").loc[first, "n_genes_found"] == len(found)
    # GMT column 2 and the file's name, the same on every machine.
    row = res.sets.set_index("set").loc[first]
    assert row.description == sets.descriptions[first] != ""
    assert row.source == "ldenrich_curated.gmt"
    assert t3_descriptions_match(res)
    # Coordinates stay integers although missing genes have none.
    assert str(m.start.dtype) == "Int64" and str(m.nsnps.dtype) == "Int64"
    assert "GeneSetResults(" in repr(res) and len(repr(res)) < 200
    assert len(repr(genes)) < 200
    t3 = res.table3()
    assert list(t3.columns)[:6] == [
        "set",
        "description",
        "n_genes",
        "n_evaluable",
        "n_nominal",
        "n_set_bonferroni",
    ]
    screen = pd.DataFrame({"category": [first], "enrichment": [1.5], "enrichment_se": [0.1],
                           "enrichment_p": [0.01]})  # fmt: skip
    t3b = res.table3(screen).set_index("set")
    assert t3b.loc[first, "enrichment"] == 1.5 and t3b.drop(first).enrichment.isna().all()


def test_outputs_written(tmp_path: Path):
    genes = read_gene_results(RAW)
    long_name = "a_gene_set_with_a_name_longer_than_thirty_characters"
    sets = {long_name: list(genes.table.GENE[:40]), "short": list(genes.table.GENE[100:130]),
            "<script>": ["nope"]}  # fmt: skip
    res = gene_set_analysis(genes, sets)
    written = res.write(tmp_path / "x")
    gsa = pd.read_csv(written["gsa.out"], sep=r"\s+", comment="#")
    assert list(gsa.columns) == [
        "VARIABLE",
        "TYPE",
        "NGENES",
        "BETA",
        "BETA_STD",
        "SE",
        "P",
        "FULL_NAME",
    ]
    assert gsa.VARIABLE[0] == long_name[:30] and gsa.FULL_NAME[0] == long_name
    header = [ln for ln in written["gsa.out"].read_text().splitlines() if ln.startswith("#")]
    assert "# TOTAL_GENES = 1355" in header and any(h.startswith("# MODEL = GLS") for h in header)
    row = res.sets.set_index("set").loc[long_name]
    assert gsa.P[0] == pytest.approx(row.p_competitive, rel=1e-4)
    tsv = pd.read_csv(written["sets.tsv"], sep="\t")
    assert list(tsv.columns) == SET_COLUMNS and len(tsv) == 3
    kw = pd.read_csv(written["kruskal.tsv"], sep="\t")
    assert (
        list(kw.columns)
        == ["h", "df", "p", "n_sets", "n_memberships", "n_distinct_genes", "sets_overlap"]
        and kw.n_sets[0] == 2
    )


def test_our_genes_raw_round_trips(tmp_path: Path):
    ex = ldenrich.example_data()
    genes = ldenrich.gene_analysis(
        ldenrich.read_sumstats(ex.sumstats, n_col="N"),
        ex.bfile,
        ldenrich.read_gene_loc(ex.gene_loc),
    )
    written = genes.write(tmp_path / "g")
    back = read_gene_results(written["genes.raw"])
    assert back.settings["format"] == "genes.raw" and len(back.table) == len(genes.table)
    assert [len(c) for c in back.correlations] == [len(c) for c in genes.correlations]
    sets = ldenrich.read_gene_sets(ex.gene_sets)
    direct = gene_set_analysis(genes, sets).sets.set_index("set")
    via_file = gene_set_analysis(
        back, sets, gene_loc=ldenrich.read_gene_loc(ex.gene_loc)
    ).sets.set_index("set")
    ok = direct.status == "ok"
    assert ok.any() and (via_file.status == direct.status).all()
    # The file keeps 6 significant digits of Z, MAC and the correlations.
    assert np.allclose(direct.beta[ok], via_file.beta[ok], rtol=1e-3, atol=1e-4)
    out_back = read_gene_results(written["genes.out"])
    assert out_back.correlations is None and "SYMBOL" in out_back.table


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("GENE CHR ZSTAT\n1 1 abc\n", "line 2, column 3 (ZSTAT)"),
        ("GENE CHR ZSTAT\n1 1 2\n1 1 3\n", "appears twice"),
        ("# VERSION = 110\n# COVAR = NSAMP MAC\n1 1 1 2 3 1 100 5 1.0 0.3\n", "line 3"),
    ],
)
def test_bad_gene_results_name_the_line(tmp_path: Path, text: str, needle: str):
    path = tmp_path / "bad.genes.out"
    path.write_text(text)
    with pytest.raises(ParseError, match=re.escape(needle)) as err:
        read_gene_results(path)
    assert err.value.path == str(path)


def test_input_validation():
    table = pd.DataFrame({"GENE": ["a", "b"], "ZSTAT": [1.0, 2.0]})
    with pytest.raises(InconsistentInputError, match="at least 3 genes"):
        gene_set_analysis(table, {"s": ["a"]})
    dup = pd.DataFrame({"GENE": ["a", "a", "b"], "ZSTAT": [1.0, 2.0, 0.0]})
    with pytest.raises(InconsistentInputError, match="twice"):
        gene_set_analysis(dup, {"s": ["a"]})
    ok = pd.DataFrame({"GENE": list("abcd"), "ZSTAT": [1.0, 2.0, 0.0, 0.5]})
    with pytest.raises(ldenrich.InvalidArgumentError):
        gene_set_analysis(ok, {"s": ["a"]}, correlations="maybe")  # type: ignore[arg-type]


def test_symbol_sets_against_id_only_results_warn():
    genes = read_gene_results(SCZ)
    sets = ldenrich.read_gene_sets(ldenrich.example_data().gene_sets)
    # No set finds a gene: an error with the hint, not a table of no_genes_found.
    with (
        pytest.warns(ldenrich.LdenrichWarning, match="--gene-loc"),
        pytest.raises(ldenrich.InconsistentInputError, match=r"no gene of the \d+ gene sets"),
    ):
        gene_set_analysis(genes, sets)
    loc = ldenrich.read_gene_loc(GENE_LOC)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gene_set_analysis(genes, sets, gene_loc=loc)
    assert res.sets.n_genes_found.sum() > 300


def test_fixture_heads_of_our_files_read_back():
    odd = Path(__file__).parent / "data" / "odd"
    raw = read_gene_results(odd / "chr22_head.genes.raw")
    out = read_gene_results(odd / "chr22_head.genes.out")
    assert raw.settings["version"] == "110" and len(raw.table) == 20
    assert out.correlations is None and len(out.table) == 20 and "SYMBOL" in out.table
    assert raw.table.GENE.tolist() == out.table.GENE.tolist()
    assert np.allclose(raw.table.ZSTAT, out.table.ZSTAT, atol=1e-5)
    assert max(len(c) for c in raw.correlations) > 5


def test_the_correlation_band_stays_in_the_core(monkeypatch: pytest.MonkeyPatch):
    # From the .genes.raw reader to the GLS the band is the core's own object: with every
    # Python-side view of it disabled, the gene-set analysis still runs, and gives what the same
    # band given as Python lists gives.
    import pickle

    from ldenrich.genes import GeneCorrelations, GeneResults

    raw = read_gene_results(Path(__file__).parent / "data" / "odd" / "chr22_head.genes.raw")
    assert isinstance(raw.correlations, GeneCorrelations)
    rows = [list(r) for r in raw.correlations]
    as_lists = GeneResults(raw.table, rows, raw.qc, 0, raw.settings)
    assert as_lists.correlations == raw.correlations == rows
    assert pickle.loads(pickle.dumps(raw.correlations)) == raw.correlations
    sets = {"a": raw.table.GENE.tolist()[:8], "b": raw.table.GENE.tolist()[5:15]}
    expected = gene_set_analysis(as_lists, sets, min_genes=2).sets

    def refuse(*_args, **_kwargs):
        raise AssertionError("the band went through Python lists")

    for name in ("__getitem__", "__iter__"):
        monkeypatch.setattr(GeneCorrelations, name, refuse)
    got = gene_set_analysis(raw, sets, min_genes=2).sets
    pd.testing.assert_frame_equal(got, expected)
    assert "GLS" in gene_set_analysis(raw, sets, min_genes=2).model["method"]
    with pytest.raises(ldenrich.InvalidArgumentError, match="band"):
        GeneCorrelations([[0.5]])  # gene 0 has no gene before it


def test_a_gene_set_file_stays_in_the_core(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    # A file read by the core reaches the resolver as it is; only sets built in Python are
    # converted. Same table as from a dict, with every Python view of the file's genes refused.
    from ldenrich.sets import read_gene_results

    raw = read_gene_results(Path(__file__).parent / "data" / "odd" / "chr22_head.genes.raw")
    genes = [*raw.table.GENE.astype(str).tolist(), "NOT_A_GENE", "22"]
    rng = np.random.default_rng(11)
    sets = {
        f"SET_{i}": list(dict.fromkeys(rng.choice(genes, rng.integers(1, 12)).tolist()))
        for i in range(3_000)
    }
    gmt = tmp_path / "many.gmt"
    gmt.write_text("".join(f"{n}\tdesc {n}\t" + "\t".join(g) + "\n" for n, g in sets.items()))
    extra = {"PY_SET": genes[:6]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ldenrich.LdenrichWarning)
        expected = gene_set_analysis(raw, [ldenrich.GeneSets(
            sets, source=str(gmt), descriptions={n: f"desc {n}" for n in sets}),
            ldenrich.GeneSets(extra)]).sets  # fmt: skip
        read = ldenrich.read_gene_sets(gmt)

        def refuse(*_args, **_kwargs):
            raise AssertionError("the file's genes went through Python objects")

        for name in ("__getitem__", "items", "values"):
            monkeypatch.setattr(ldenrich.GeneSets, name, refuse)
        with pytest.raises(AssertionError, match="Python objects"):
            gene_set_analysis(raw, [ldenrich.GeneSets(extra)])  # the refusal works
        monkeypatch.undo()
        python_part = ldenrich.GeneSets(extra)
        genes_of_extra = dict(python_part.items())
        for name in ("__getitem__", "items"):
            monkeypatch.setattr(ldenrich.GeneSets, name, refuse)
        monkeypatch.setattr(ldenrich.GeneSets, "values", lambda self: (
            refuse() if self._native is not None else genes_of_extra.values()))  # fmt: skip
        got = gene_set_analysis(raw, [read, python_part]).sets
    pd.testing.assert_frame_equal(got, expected)
    assert got.loc[got["set"] == "SET_7", "description"].tolist() == ["desc SET_7"]
    assert "PY_SET" in got["set"].tolist()
