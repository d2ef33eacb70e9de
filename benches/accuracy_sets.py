"""Accuracy of the gene-set analysis on the real MAGMA files: GLS on ieu-a-298.genes.raw against
a dense numpy GLS with the pruned pseudo-inverse, OLS and the t tests on the three .genes.out
against statsmodels/scipy, Kruskal-Wallis against scipy. Prints max relative differences.

    python3 benches/accuracy_sets.py   (from the repository root, with the test extra installed)
"""

import sys
from pathlib import Path

import numpy as np
import scipy.stats
import statsmodels.api as sm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_sets import GO_HEAD, GO_RAW, MAGMA_OUT, RAW, REAL, dense_r, gls_reference, pruned_pinv

import ldenrich
from ldenrich.sets import default_covariates, gene_set_analysis, read_gene_results, truncate_z

# The real data of the tests (tests/data/README.md): GO BP restricted to the genes of RAW for
# the GLS, the file's first sets for the OLS.
go = ldenrich.read_gene_sets(GO_RAW)
g = read_gene_results(RAW)
res = gene_set_analysis(g, go)
r = dense_r(g.correlations)
rinv, rank = pruned_pinv(r, 0.1)
cov, _, _ = default_covariates(g.table)
z, _, _ = truncate_z(g.table.ZSTAT.to_numpy(), 3, 6)
ids = g.table.GENE.astype(str)
ok = res.sets[res.sets.status == "ok"]
rel = {"beta": 0, "se": 0, "p": 0}
for row in ok.sample(300, random_state=2).itertuples():
    s = ids.isin(set(go[row.set])).to_numpy(float)
    b, se, t, df, p = gls_reference(z, cov, s, rinv, rank)
    rel["beta"] = max(rel["beta"], abs(row.beta - b) / abs(b))
    rel["se"] = max(rel["se"], abs(row.se - se) / se)
    rel["p"] = max(rel["p"], abs(row.p_competitive - p) / p)
print(
    "GLS ieu-a-298 vs dense pinv, 300 GO sets:",
    {k: f"{v:.1e}" for k, v in rel.items()},
    "n_eff",
    rank,
    "of",
    len(z),
)
for study in ["Yengo2018.Height", "Pardinas2018.SCZ", "Jansen2019.AD"]:
    g = read_gene_results(REAL / MAGMA_OUT.format(study))
    go = ldenrich.read_gene_sets(GO_HEAD)
    names = [n for n in list(go)[:2000] if 2 <= len(go[n]) <= 500][:100]
    res = gene_set_analysis(g, {n: go[n] for n in names})
    cov, _, _ = default_covariates(g.table)
    z, _, _ = truncate_z(g.table.ZSTAT.to_numpy(), 3, 6)
    raw = g.table.ZSTAT.to_numpy()
    ids = g.table.GENE.astype(str)
    rel = {"beta": 0, "se": 0, "p": 0, "p_one": 0, "p_welch": 0}
    for row in res.sets[res.sets.status == "ok"].itertuples():
        s = ids.isin(set(go[row.set])).to_numpy(float)
        fit = sm.OLS(z, np.column_stack([np.ones(len(z)), cov, s])).fit()
        p = scipy.stats.t.sf(fit.tvalues[-1], fit.df_resid)
        rel["beta"] = max(rel["beta"], abs(row.beta - fit.params[-1]) / abs(fit.params[-1]))
        rel["se"] = max(rel["se"], abs(row.se - fit.bse[-1]) / fit.bse[-1])
        rel["p"] = max(rel["p"], abs(row.p_competitive - p) / p)
        m = s == 1
        one = scipy.stats.ttest_1samp(raw[m], raw.mean(), alternative="greater").pvalue
        w = scipy.stats.ttest_ind(raw[m], raw[~m], equal_var=False, alternative="greater").pvalue
        rel["p_one"] = max(rel["p_one"], abs(row.p_one_sample - one) / one)
        rel["p_welch"] = max(rel["p_welch"], abs(row.p_welch - w) / w)
    k = scipy.stats.kruskal(
        *[raw[ids.isin(set(go[n])).to_numpy()] for n in names if ids.isin(set(go[n])).any()]
    )
    print(
        study,
        len(g.table),
        "genes,",
        (res.sets.status == "ok").sum(),
        "sets:",
        {k2: f"{v:.1e}" for k2, v in rel.items()},
        "KW rel",
        f"{abs(res.kruskal.h[0] - k.statistic) / k.statistic:.1e}",
    )
