"""Gene analysis: an independent numpy/scipy recomputation on the real chr22 panel, null
calibration on real LD, agreement with MAGMA's published height results, and the outputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

import ldenrich
from ldenrich import _native, _reference

EX = ldenrich.example_data()
# Real public data, provenance in tests/data/README.md.
REAL = Path(__file__).parent / "data" / "real"
P_LOW, P_HIGH = 1e-50, 1 - 1e-5
IMHOF_REFERENCE = Path(__file__).parent / "data" / "imhof_reference.json"
# Genes whose p is checked against the high-precision reference: the smallest P.
N_SMALLEST = 3


def imhof_sf(lambdas: np.ndarray, x: float) -> float:
    """Imhof (1961) by quadrature, the independent reference for moderate p.

    The integrand is sin(a(u) - x u / 2) / (u rho(u)) with a(u) = sum atan(lambda u) / 2: plain
    adaptive quadrature near 0, and QUADPACK's Fourier routine (QAWF) for the oscillating tail
    after writing sin(a - w u) = sin(a) cos(w u) - cos(a) sin(w u).
    """
    lambdas = np.asarray(lambdas, dtype=np.float64)
    w = 0.5 * x

    def envelope(u: float) -> float:
        return 1.0 / (u * np.prod((1 + (lambdas * u) ** 2) ** 0.25))

    def a(u: float) -> float:
        return 0.5 * float(np.sum(np.arctan(lambdas * u)))

    cut = 10.0 / max(w, 1e-3)
    head, _ = integrate.quad(
        lambda u: math.sin(a(u) - w * u) * envelope(u), 0, cut, limit=500, epsabs=1e-14,
        epsrel=1e-12,
    )  # fmt: skip
    cos_part, _ = integrate.quad(
        lambda u: math.sin(a(u)) * envelope(u), cut, np.inf, weight="cos", wvar=w, limlst=200
    )
    sin_part, _ = integrate.quad(
        lambda u: math.cos(a(u)) * envelope(u), cut, np.inf, weight="sin", wvar=w, limlst=200
    )
    return 0.5 + (head + cos_part - sin_part) / math.pi


def imhof_reference() -> dict[str, dict]:
    """Imhof p-values at 30 digits (mpmath) for the genes with the smallest P, by gene id.

    Made once by ``tests/data/make_imhof_reference.py`` (minutes of mpmath) with the spectrum and
    statistic of :func:`gene_spectrum`, which the test recomputes and compares, so a stale file
    fails instead of passing silently.
    """
    return json.loads(IMHOF_REFERENCE.read_text())


@pytest.fixture(scope="module")
def panel():
    bim = pd.read_csv(
        f"{EX.bfile}.bim.gz", sep=r"\s+", header=None, names=["chr", "snp", "cm", "bp", "a1", "a2"]
    )
    return bim


@pytest.fixture(scope="module")
def height_results():
    ss = ldenrich.read_sumstats(EX.sumstats, n_col="N")
    genes = ldenrich.read_gene_loc(EX.gene_loc)
    return ldenrich.gene_analysis(ss, EX.bfile, genes, correlations=True)


def standardized(prefix: Path, rows: list[int]) -> np.ndarray:
    dos = _native.read_dosages(str(prefix), rows)
    mean = np.nanmean(dos, axis=0)
    dos = np.where(np.isnan(dos), mean, dos)
    sd = dos.std(axis=0)
    keep = sd > 0
    return (dos[:, keep] - mean[keep]) / sd[keep], keep


def sumstats_by_snp() -> tuple[dict[str, float], dict[str, int]]:
    """Chi-square (from P, by scipy) and N of every SNP of the bundled height sumstats."""
    ss = pd.read_csv(EX.sumstats, sep="\t")
    chisq = dict(zip(ss.SNP, stats.chi2.isf(ss.P.to_numpy(), 1), strict=True))
    return chisq, dict(zip(ss.SNP, ss.N, strict=True))


def gene_spectrum(
    row, panel: pd.DataFrame, chisq: dict[str, float]
) -> tuple[np.ndarray, float, np.ndarray]:
    """A gene's SNPs, its statistic (sum of clamped chi-squares) and the eigenvalues of its LD."""
    lo, hi = stats.chi2.isf(P_HIGH, 1), stats.chi2.isf(P_LOW, 1)
    inside = panel[(panel.bp >= row.START) & (panel.bp <= row.STOP)]
    x, keep = standardized(EX.bfile, inside.index.tolist())
    snps = inside.snp.to_numpy()[keep]
    t = sum(min(max(chisq[s], lo), hi) for s in snps)
    r = x.T @ x / x.shape[0]
    lam = np.linalg.eigvalsh(r)
    return snps, t, lam[lam > 1e-10 * lam.max()]


def test_genes_match_an_independent_computation(height_results, panel) -> None:
    table = height_results.table
    chisq, n_by_snp = sumstats_by_snp()
    reference = imhof_reference()
    rng = np.random.default_rng(7)
    smallest = np.argsort(table.P.to_numpy())[:N_SMALLEST]
    picks = np.unique(np.concatenate([rng.choice(len(table), size=25, replace=False), smallest]))
    for i in picks:
        row = table.iloc[i]
        snps, t, lam = gene_spectrum(row, panel, chisq)
        assert row.NSNPS == len(snps)
        assert row.STAT == pytest.approx(t, rel=1e-12)
        if len(lam) == 1:
            want_p = stats.chi2.sf(t / lam[0], 1)
            assert row.P == pytest.approx(want_p, rel=1e-10)
        elif i in smallest:
            want = reference[row.GENE]
            assert want["stat"] == pytest.approx(t, rel=1e-12), row.GENE
            np.testing.assert_allclose(lam, want["lambdas"], rtol=1e-9, atol=1e-12)
            assert row.P == pytest.approx(want["p"], rel=1e-8), row.GENE
        else:
            want_p = imhof_sf(lam, t)  # QUADPACK: absolute error ~1e-10
            assert row.P == pytest.approx(want_p, rel=1e-6, abs=1e-9), row.GENE
        assert row.ZSTAT == pytest.approx(-special.ndtri(row.P), rel=1e-12, abs=1e-12)
        k = len(snps)
        s_cur = 1 / math.sqrt(2 * np.sum(lam**2))
        prop = min(max((s_cur - math.sqrt(0.5) / k) / math.sqrt(0.5 / k), 0), 1)
        assert row.NPARAM == round(1 + prop * (k - 1)) or k == 1
        assert row.N == round(np.mean([n_by_snp[s] for s in snps]))


def test_null_calibration_on_real_ld(tmp_path: Path, panel) -> None:
    """z ~ MVN(0, R) per independent block (blocks end between gene windows): gene p uniform."""
    genes = ldenrich.read_gene_loc(EX.gene_loc)
    loc = genes.to_frame()
    loc = loc[loc.chrom == 22]
    windows = _reference.magma_windows(loc)
    # Blocks: clusters of overlapping windows, so no gene straddles two blocks.
    bp = panel.bp.to_numpy()
    covered = np.zeros(len(bp), dtype=np.int64)
    for w in windows.itertuples():
        a, b = np.searchsorted(bp, w.first), np.searchsorted(bp, w.last, side="right")
        covered[a:b] = 1
    cluster = np.cumsum(np.diff(np.concatenate(([0], covered))) == 1) * covered
    block = np.where(covered == 1, cluster, -1)
    x_all, keep = standardized(EX.bfile, list(range(len(panel))))
    snps = panel.snp.to_numpy()[keep]
    block = block[keep]
    n = x_all.shape[0]
    rng = np.random.default_rng(2026)
    pvals = []
    for rep in range(12):
        z = rng.standard_normal(len(snps))  # SNPs outside every window: independent
        for b in np.unique(block[block >= 0]):
            cols = np.flatnonzero(block == b)
            e = rng.standard_normal(n)
            z[cols] = x_all[:, cols].T @ e / math.sqrt(n)
        path = tmp_path / f"null{rep}.tsv"
        pd.DataFrame({"SNP": snps, "Z": z}).to_csv(path, sep="\t", index=False)
        res = ldenrich.gene_analysis(
            ldenrich.read_sumstats(path), EX.bfile, genes, n=10000, correlations=False
        )
        pvals.append(res.table.P.to_numpy())
    p = np.concatenate(pvals)
    for alpha in (0.05, 0.01):
        frac = np.mean(p < alpha)
        # Genes share SNPs, so p-values are positively correlated: allow 4 binomial SEs.
        se = math.sqrt(alpha * (1 - alpha) / len(p))
        assert abs(frac - alpha) < 4 * se + 0.004, (alpha, frac, len(p))
    assert stats.kstest(p, "uniform").statistic < 0.05


def test_agrees_with_magma_height_results(height_results) -> None:
    """Different GWAS (UKB vs GIANT/Yengo) and panel (378 vs 503 people): strong correlation."""
    path = REAL / "Yengo2018.Height.genes.out.gz"
    magma = pd.read_csv(path, sep=r"\s+", dtype={"GENE": str, "CHR": str})
    magma = magma[magma.CHR == "22"]
    ours = height_results.table
    merged = ours.merge(magma, on="GENE", suffixes=("", "_magma"))
    assert len(merged) > 300
    r = np.corrcoef(merged.ZSTAT, merged.ZSTAT_magma)[0, 1]
    assert r > 0.5, r
    # Window bounds are MAGMA's exactly.
    assert (merged.START == merged.START_magma).all() and (merged.STOP == merged.STOP_magma).all()


def test_outputs_and_raw_band(height_results, tmp_path: Path) -> None:
    written = height_results.write(tmp_path / "h")
    out = pd.read_csv(written["genes.out"], sep=r"\s+", dtype={"GENE": str})
    assert out.columns[:10].tolist() == ldenrich.genes.GENE_COLUMNS
    assert len(out) == len(height_results.table)
    lines = written["genes.raw"].read_text().splitlines()
    assert lines[0] == "# VERSION = 110" and lines[1] == "# COVAR = NSAMP MAC"
    table = height_results.table
    starts = table.START.to_numpy()
    for i, line in enumerate(lines[2:]):
        fields = line.split()
        assert fields[0] == table.GENE.iloc[i]
        corr = [float(v) for v in fields[9:]]
        band = [j for j in range(i) if starts[i] - starts[j] <= 5_000_000]
        assert len(corr) == len(band)
        assert all(0 <= c <= 1 for c in corr)
    # Genes sharing all their SNPs are perfectly correlated.
    same = table.groupby(["START"]).size()
    assert len(same) <= len(table)


def test_thread_count_does_not_matter() -> None:
    ss = ldenrich.read_sumstats(EX.sumstats, n_col="N")
    genes = ldenrich.read_gene_loc(EX.gene_loc)
    one = ldenrich.gene_analysis(ss, EX.bfile, genes, threads=1, chunk=97)
    two = ldenrich.gene_analysis(ss, EX.bfile, genes, threads=2)
    pd.testing.assert_frame_equal(one.table, two.table, check_exact=True)
    assert one.correlations == two.correlations


def test_cli_genes(tmp_path: Path, capsys) -> None:
    from ldenrich.cli import main

    out = tmp_path / "g"
    args = ["genes", "--sumstats", str(EX.sumstats), "--bfile", str(EX.bfile),
            "--gene-loc", str(EX.gene_loc), "--n-col", "N", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    assert (tmp_path / "g.genes.out").exists() and (tmp_path / "g.genes.raw").exists()
    log = (tmp_path / "g.log").read_text()
    assert "genome-wide Bonferroni" in log
    code = main(["genes", "--sumstats", str(EX.sumstats), "--bfile", str(tmp_path / "nope"),
                 "--gene-loc", str(EX.gene_loc), "--n", "1000", "--out", str(out)])  # fmt: skip
    assert code == 1
    assert "nope" in capsys.readouterr().err


def test_one_snp_gene_is_exact() -> None:
    lam = np.array([1.0])
    p, ln_p = _native.weighted_chisq_sf(lam, 30.0)
    assert p == pytest.approx(stats.chi2.sf(30.0, 1), rel=1e-12)
    assert ln_p == pytest.approx(math.log(stats.chi2.sf(30.0, 1)), rel=1e-12)


def test_parsed_panel_bim_is_reused_and_checked(tmp_path: Path) -> None:
    ex = ldenrich.example_data()
    ss = ldenrich.read_sumstats(ex.sumstats, n_col="N")
    loc = ldenrich.read_gene_loc(ex.gene_loc)
    fresh = ldenrich.gene_analysis(ss, ex.bfile, loc, correlations=False)
    reused = ldenrich.gene_analysis(
        ss, ex.bfile, loc, correlations=False, bim=ldenrich.read_bim(ex.bfile)
    )
    pd.testing.assert_frame_equal(fresh.table, reused.table, check_exact=True)
    other = tmp_path / "other.bim"
    other.write_text("22\trs1\t0\t100\tA\tG\n")
    with pytest.raises(ldenrich.InvalidArgumentError, match="not the panel's"):
        ldenrich.gene_analysis(ss, ex.bfile, loc, bim=ldenrich.read_bim(other))


def test_the_plan_keeps_the_results_its_correlations_need() -> None:
    # sum lambda^2 stays in the plan: correlations are only for genes run() has analysed.
    ex = ldenrich.example_data()
    ss = ldenrich.read_sumstats(ex.sumstats, n_col="N")
    loc = ldenrich.read_gene_loc(ex.gene_loc)
    plan = _native.gene_plan(ss._native, str(ex.bfile), loc._native, 35.0, 10.0, None, False, 1)
    with pytest.raises(ldenrich.InvalidArgumentError, match="has not analysed"):
        plan.correlations([0, 1], 0, 2, 500_000, 1000, 1)
    columns = plan.run(0, len(plan), 1)
    analysed = np.flatnonzero(columns["analysed"]).tolist()
    lengths, values = plan.correlations(analysed, 0, len(analysed), 5_000_000, 50, 1)
    assert len(lengths) == len(analysed) and int(lengths.sum()) == len(values) > 0
    band = ldenrich.gene_analysis(ss, ex.bfile, loc).correlations
    assert band is not None and band == ldenrich.genes._band_from_arrays(lengths, values)
