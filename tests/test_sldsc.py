"""Stratified LD score regression (``ldenrich.partitioned_h2``, ``ldenrich.h2_cts``, ``ldenrich
h2``/``h2-cts``) against pyldsc 0.1.0 (which agrees with ldsc 2.0.1) on real data: the bundled
1000 Genomes chr22 panel's LD scores for gene-body, gene-window and random annotations, the
bundled UK Biobank height GWAS of chr22, and ldsc's own chr22 regression weights
(``tests/data/real/w_ld``). Also tau* and the p-values against numpy/scipy, planted enrichment
recovered, and every kind of bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ldenrich
from ldenrich.cli import main

W_LD = f"{Path(__file__).parent / 'data' / 'real' / 'w_ld'}/"
RTOL = 1e-8
RESULTS_NUMBERS = list(ldenrich.sldsc.RESULTS_COLUMNS + ldenrich.sldsc.EXTRA_COLUMNS)[1:]
# pyldsc reads M files without closing them.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def _write_annot_and_scores(d: Path, name: str, annot: pd.DataFrame, bim: pd.DataFrame) -> None:
    ex = ldenrich.example_data()
    scores = ldenrich.ldscore(ex.bfile, annot, ld_wind_cm=1.0)
    ldenrich.write_ldscore(scores, d / f"{name}.22")
    full = pd.concat([bim[["CHR", "BP", "SNP", "CM"]], annot], axis=1)
    with gzip.open(d / f"{name}.22.annot.gz", "wt") as fh:
        full.to_csv(fh, sep="\t", index=False)


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LD scores, annotations, frequencies and ldsc-format height statistics for chr22."""
    d = tmp_path_factory.mktemp("sldsc")
    ex = ldenrich.example_data()
    bim = pd.read_csv(ex.bim, sep="\t", header=None, names=["CHR", "SNP", "CM", "BP", "A1", "A2"])
    genes = pd.read_csv(ex.gene_loc, sep=r"\s+", header=None)
    genes = genes[genes[1].astype(str) == "22"]
    bp = bim["BP"].to_numpy()

    def inside(pad: int) -> np.ndarray:
        a = np.zeros(len(bp))
        for s, e in zip(genes[2], genes[3], strict=True):
            a[(bp >= s - pad) & (bp <= e + pad)] = 1
        return a

    rng = np.random.default_rng(17)
    base = pd.DataFrame(
        {"base": np.ones(len(bim)), "genes": inside(0), "window10kb": inside(10_000)}
    )
    _write_annot_and_scores(d, "baseline", base, bim)
    sparse = pd.DataFrame({"sparse": (rng.random(len(bim)) < 0.05).astype(float)})
    _write_annot_and_scores(d, "custom", sparse, bim)
    left = pd.DataFrame({"left": (bp < np.median(bp)).astype(float)})
    _write_annot_and_scores(d, "left", left, bim)
    plain = ldenrich.ldscore(ex.bfile, ld_wind_cm=1.0)
    ldenrich.write_ldscore(plain, d / "univ.22")
    maf = pd.Series(plain["MAF"].to_numpy(), index=plain["SNP"]).reindex(bim["SNP"]).fillna(0.0)
    frq = pd.DataFrame({"CHR": 22, "SNP": bim["SNP"], "A1": bim["A1"], "A2": bim["A2"]})
    frq["MAF"] = maf.to_numpy()
    frq["NCHROBS"] = 756
    frq.to_csv(d / "frq.22.frq", sep="\t", index=False)
    gwas = pd.read_csv(ex.sumstats, sep="\t")
    ss = pd.DataFrame(
        {"SNP": gwas.SNP, "A1": gwas.A1, "A2": gwas.A2, "Z": gwas.BETA / gwas.SE, "N": gwas.N}
    )
    with gzip.open(d / "height.sumstats.gz", "wt") as fh:
        ss.to_csv(fh, sep="\t", index=False, float_format="%.3f")
    return d


@pytest.fixture(scope="module")
def pyldsc():
    return pytest.importorskip("pyldsc")


def _close(ours: np.ndarray, ref: np.ndarray, rtol: float = RTOL) -> None:
    ours, ref = np.asarray(ours, dtype=float), np.asarray(ref, dtype=float)
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=0)


def _partitioned(case: Path, **kwargs):
    return ldenrich.partitioned_h2(
        case / "height.sumstats.gz", f"{case}/baseline.,{case}/custom.", W_LD, **kwargs
    )


def test_overlap_results_match_pyldsc(case: Path, pyldsc) -> None:
    ref = pyldsc.estimate_h2(
        str(case / "height.sumstats.gz"), f"{case}/baseline.22,{case}/custom.22", f"{W_LD}22",
        overlap_annot=True, frqfile=f"{case}/frq.22", print_coefficients=True,
    )  # fmt: skip
    ours = _partitioned(case, overlap_annot=True, frqfile_chr=f"{case}/frq.")
    table = ref.overlap_results
    assert list(ours.results.columns[:10]) == list(table.columns)
    assert ours.results["Category"].tolist() == table["Category"].tolist()
    for column in table.columns[1:]:
        want = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        got = ours.results[column].to_numpy(dtype=float)
        assert (np.isnan(want) == np.isnan(got)).all(), column
        keep = ~np.isnan(want)
        if column.endswith("std_error"):
            # The base annotation's Prop._h2 SE is 0 in exact arithmetic: the square root of
            # rounding noise either way, so compare variances.
            np.testing.assert_allclose(got[keep] ** 2, want[keep] ** 2, rtol=2 * RTOL, atol=1e-15)
        else:
            _close(got[keep], want[keep])
    s = ours.summary
    for mine, theirs in [
        ("h2", ref.tot), ("h2_se", ref.tot_se), ("intercept", ref.intercept),
        ("intercept_se", ref.intercept_se), ("ratio", ref.ratio), ("ratio_se", ref.ratio_se),
        ("mean_chisq", ref.mean_chisq), ("lambda_gc", ref.lambda_gc),
    ]:  # fmt: skip
        _close(s[mine], theirs)
    _close(ours.coef_delete, ref.part_delete_values)
    _close(ours.h2_delete, np.ravel(ref.tot_delete_values))
    assert s["n_snps"] == 15818 and s["blocks"] == 200
    assert ours.dropped == {"not_in_w_ld": 117}
    # chr22 alone: total h2 z = 5.5, below the z > 7 Finucane et al. 2015 partition at.
    assert [q for q in ours.qc if "z = 5.48 < 7" in q]


def test_without_overlap_matches_pyldsc(case: Path, pyldsc) -> None:
    ref = pyldsc.estimate_h2(
        str(case / "height.sumstats.gz"), f"{case}/baseline.22,{case}/custom.22", f"{W_LD}22"
    )
    ours = _partitioned(case)
    r = ours.results
    _close(r["Coefficient"], ref.coef)
    _close(r["Coefficient_std_error"], ref.coef_se)
    _close(r["Prop._h2"], np.ravel(ref.prop))
    _close(r["Prop._h2_std_error"], np.ravel(ref.prop_se))
    _close(r["Enrichment"], np.ravel(ref.enrichment))
    _close(r["Prop._SNPs"], np.ravel(ref.M_prop))
    _close(r["h2"], np.ravel(ref.cat))
    _close(r["h2_std_error"], np.ravel(ref.cat_se))
    assert r["tau_star"].isna().all()


@pytest.mark.parametrize(
    ("theirs", "mine"),
    [
        ({}, {}),
        ({"intercept_h2": 1.0}, {"no_intercept": True}),
        ({"intercept_h2": 1.1}, {"intercept": 1.1}),
        ({"two_step": 10}, {"two_step": 10.0}),
        ({"chisq_max": 20}, {"chisq_max": 20.0}),
        ({"samp_prev": 0.3, "pop_prev": 0.1}, {"samp_prev": 0.3, "pop_prev": 0.1}),
    ],
)
def test_univariate_matches_pyldsc(case: Path, pyldsc, theirs: dict, mine: dict) -> None:
    ref = pyldsc.estimate_h2(
        str(case / "height.sumstats.gz"), f"{case}/univ.22", f"{W_LD}22", **theirs
    )
    ours = ldenrich.partitioned_h2(case / "height.sumstats.gz", f"{case}/univ.", W_LD, **mine)
    s = ours.summary
    _close(s["h2"], ref.tot)
    _close(s["h2_se"], ref.tot_se)
    _close(s["mean_chisq"], ref.mean_chisq)
    _close(s["lambda_gc"], ref.lambda_gc)
    _close(ours.h2_delete, np.ravel(ref.tot_delete_values))
    if ref.constrain_intercept:
        assert s["intercept_fixed"] and s["intercept"] == ref.intercept
        assert np.isnan(s["intercept_se"]) and np.isnan(s["ratio"])
    else:
        _close(s["intercept"], ref.intercept)
        _close(s["intercept_se"], ref.intercept_se)
        _close(s["ratio"], ref.ratio)
        _close(s["ratio_se"], ref.ratio_se)
        assert s["two_step"][0] == theirs.get("two_step", 30)
    if "samp_prev" in mine:
        factor = pyldsc.h2_obs_to_liab(1.0, 0.3, 0.1)
        _close(s["h2_liability"], ref.tot * factor, rtol=1e-12)
        _close(s["h2_liability_se"], ref.tot_se * factor, rtol=1e-12)


def test_h2_cts_matches_pyldsc(case: Path, pyldsc, tmp_path: Path) -> None:
    ref = pyldsc.ldsc_seg(
        str(case / "height.sumstats.gz"),
        [("sparse", f"{case}/custom.22"), ("left", f"{case}/left.22")],
        f"{case}/baseline.22",
        f"{W_LD}22",
    )
    cts = tmp_path / "sets.ldcts"
    cts.write_text(f"sparse {case}/custom.\nleft {case}/left.\n")
    ours = ldenrich.h2_cts(case / "height.sumstats.gz", cts, f"{case}/baseline.", W_LD)
    assert ours["Name"].tolist() == ref["Name"].tolist()
    for column in ("Coefficient", "Coefficient_std_error", "Coefficient_P_value"):
        _close(ours[column], ref[column])
    q = stats.false_discovery_control(ours["Coefficient_P_value"], method="bh")
    _close(ours["Coefficient_q_BH"], q, rtol=1e-12)
    out = tmp_path / "cts"
    assert main([
        "h2-cts", "--h2", str(case / "height.sumstats.gz"), "--ref-ld-chr", f"{case}/baseline.",
        "--ref-ld-chr-cts", str(cts), "--w-ld-chr", W_LD, "--out", str(out),
    ]) == 0  # fmt: skip
    written = pd.read_csv(f"{out}.cell_type_results.txt", sep="\t")
    _close(written["Coefficient"], ours["Coefficient"], rtol=1e-15)


def test_tau_star_and_p_values_against_numpy(case: Path) -> None:
    fit = _partitioned(case, overlap_annot=True, frqfile_chr=f"{case}/frq.")
    r = fit.results
    # tau* = tau sd M / h2 over the common SNPs, SE from the ratio jackknife of delete values.
    annot = pd.concat(
        [
            pd.read_csv(case / "baseline.22.annot.gz", sep="\t").iloc[:, 4:],
            pd.read_csv(case / "custom.22.annot.gz", sep="\t").iloc[:, 4:],
        ],
        axis=1,
    ).to_numpy()
    frq = pd.read_csv(case / "frq.22.frq", sep="\t")["MAF"].to_numpy()
    common = annot[(frq > 0.05) & (frq < 0.95)]
    m, sd = len(common), common.std(axis=0, ddof=1)
    est = r["Coefficient"].to_numpy() * sd * m / fit.summary["h2"]
    _close(r["tau_star"][1:], est[1:], rtol=1e-10)
    assert np.isnan(r["tau_star"][0])  # the constant base annotation
    b = len(fit.h2_delete)
    delete = fit.coef_delete * sd * m / fit.h2_delete[:, None]
    pseudo = b * est - (b - 1) * delete
    se = np.sqrt(np.var(pseudo, axis=0, ddof=1) / b)
    _close(r["tau_star_std_error"][1:], se[1:], rtol=1e-10)
    _close(r["Coefficient_p"], stats.norm.sf(r["Coefficient_z-score"]), rtol=1e-12)
    # h2 of an annotation's SNPs is its share of the total.
    _close(r["h2"], r["Prop._h2"] * fit.summary["h2"], rtol=1e-10)


def test_thread_count_does_not_change_results(case: Path) -> None:
    a = _partitioned(case, overlap_annot=True, threads=1)
    b = _partitioned(case, overlap_annot=True, threads=2)
    pd.testing.assert_frame_equal(a.results, b.results, check_exact=True)
    assert np.array_equal(a.coef_delete, b.coef_delete)


def test_planted_enrichment_is_recovered(case: Path, tmp_path: Path) -> None:
    """Chi-squares drawn with mean 1 + N sum_c tau_c l(j, c) from the real LD scores: the
    window annotation's planted enrichment is within 3 SE of the estimate."""
    scores = pd.read_csv(case / "baseline.22.l2.ldscore.gz", sep="\t")
    m = np.loadtxt(case / "baseline.22.l2.M_5_50")
    tau = np.array([0.2, 0.0, 0.4]) / m[0]
    n = 200_000.0
    mean = 1.0 + n * scores.iloc[:, 3:].to_numpy() @ tau
    rng = np.random.default_rng(3)
    z = rng.normal(size=len(mean)) * np.sqrt(mean)
    path = tmp_path / "sim.sumstats"
    frame = pd.DataFrame({"SNP": scores["SNP"], "A1": "A", "A2": "G", "Z": z, "N": n})
    frame.to_csv(path, sep="\t", index=False)
    fit = ldenrich.partitioned_h2(
        path, f"{case}/baseline.", W_LD, overlap_annot=True, frqfile_chr=f"{case}/frq."
    )
    r = fit.results.set_index("Category")
    annot = pd.read_csv(case / "baseline.22.annot.gz", sep="\t").iloc[:, 4:].to_numpy()
    frq = pd.read_csv(case / "frq.22.frq", sep="\t")["MAF"].to_numpy()
    common = annot[(frq > 0.05) & (frq < 0.95)]
    per_snp = common @ tau
    inside = common[:, 2] == 1
    planted = per_snp[inside].sum() / per_snp.sum() / inside.mean()
    got, se = r.loc["window10kbL2_0", "Enrichment"], r.loc["window10kbL2_0", "Enrichment_std_error"]
    assert abs(got - planted) < 3 * se, (got, planted, se)
    assert planted > 1.2


def test_cli_writes_results_and_delete_values(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "h"
    args = [
        "h2", "--h2", str(case / "height.sumstats.gz"), "--ref-ld-chr",
        f"{case}/baseline.,{case}/custom.", "--w-ld-chr", W_LD, "--overlap-annot",
        "--frqfile-chr", f"{case}/frq.", "--print-coefficients", "--print-delete-vals",
        "--out", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    fit = _partitioned(case, overlap_annot=True, frqfile_chr=f"{case}/frq.")
    written = pd.read_csv(f"{out}.results", sep="\t")
    assert written["Enrichment_p"].isna().tolist() == [True, False, False, False]
    for column in written.columns[1:]:
        np.testing.assert_allclose(written[column], fit.results[column], rtol=1e-15)
    np.testing.assert_allclose(np.loadtxt(f"{out}.delete"), fit.h2_delete, rtol=1e-15)
    np.testing.assert_allclose(np.loadtxt(f"{out}.part_delete"), fit.coef_delete, rtol=1e-15)
    log = Path(f"{out}.log").read_text()
    for text in ("Total observed scale h2: 0.00454", "Intercept: 1.2842", "Lambda GC", "Ratio:"):
        assert text in log
    assert "not_in_w_ld" in log and "117" in log


def test_h2_reads_one_trait_of_a_multi_trait_gwas_vcf(case: Path, tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_fixtures", Path(__file__).parent / "data" / "formats" / "make_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    single = fixtures.write_all(tmp_path / "formats")["gwas-vcf"]
    two = tmp_path / "two.vcf"
    name = fixtures.with_decoy_sample(single, two)

    def h2(sumstats: Path, out: str, *extra: str) -> int:
        return main(["h2", "--h2", str(sumstats), "--ref-ld-chr", f"{case}/baseline.",
                     "--w-ld-chr", W_LD, "--out", str(tmp_path / out), *extra])  # fmt: skip

    assert h2(single, "single") == 0
    assert h2(two, "chosen", "--vcf-sample", name) == 0
    want = Path(tmp_path / "single.results").read_bytes()
    assert Path(tmp_path / "chosen.results").read_bytes() == want
    assert h2(two, "unnamed") != 0
    assert "choose one with --vcf-sample" in Path(tmp_path / "unnamed.log").read_text()


def test_run_with_h2_reports_it(case: Path, tmp_path: Path) -> None:
    from ldenrich.pipeline import Options, ReferenceInputs, run_all

    ex = ldenrich.example_data()
    ref = ReferenceInputs(bfile=ex.bfile, gene_loc=ex.gene_loc, gene_sets=[ex.gene_sets],
                          ref_ld_chr=f"{case}/baseline.", w_ld_chr=W_LD)  # fmt: skip
    options = Options(analyses=("screen", "genes", "sets", "h2"), permutations=100,
                      figures=False, raw=False, threads=1)  # fmt: skip
    res = run_all(case / "height.sumstats.gz", ref, tmp_path / "t", options)
    assert res.h2 is not None
    page = (tmp_path / "t.report.html").read_text()
    section = page[page.index('<section id="h2">') :]
    section = section[: section.index("</section>")]
    assert "Partitioned heritability (S-LDSC)" in section
    assert f"Total observed-scale h2 {res.h2.summary['h2']:.4g}" in section
    for category in res.h2.results["Category"]:
        assert category in section
    assert "t.h2.results" in section  # the full table is linked
    assert 'href="#h2"' in page


# --- bad input -----------------------------------------------------------------------------


def _copy_scores(case: Path, dst: Path, edit) -> Path:
    table = pd.read_csv(case / "custom.22.l2.ldscore.gz", sep="\t", dtype=str)
    table = edit(table)
    table.to_csv(dst / "bad.22.l2.ldscore.gz", sep="\t", index=False)
    (dst / "bad.22.l2.M_5_50").write_text((case / "custom.22.l2.M_5_50").read_text())
    return dst / "bad."


def test_mismatched_snps_across_prefixes_name_both_files(case: Path, tmp_path: Path) -> None:
    def rename(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[40, "SNP"] = "rs_not_there"
        return t

    bad = _copy_scores(case, tmp_path, rename)
    with pytest.raises(ldenrich.InconsistentInputError, match=r"line 42 \(rs_not_there\)"):
        ldenrich.partitioned_h2(case / "height.sumstats.gz", f"{case}/baseline.,{bad}", W_LD)


def test_missing_column_and_bad_number(case: Path, tmp_path: Path) -> None:
    bad = _copy_scores(case, tmp_path, lambda t: t.drop(columns=["BP"]))
    with pytest.raises(ldenrich.MissingColumnError, match=r"bad\.22\.l2\.ldscore\.gz: no BP"):
        ldenrich.partitioned_h2(case / "height.sumstats.gz", bad, W_LD)

    def text(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[7, "sparseL2"] = "x1"
        return t

    bad = _copy_scores(case, tmp_path, text)
    with pytest.raises(ldenrich.ParseError, match=r"line 9, column sparseL2: .*'x1'") as info:
        ldenrich.partitioned_h2(case / "height.sumstats.gz", bad, W_LD)
    assert info.value.args


def test_m_file_with_wrong_count(case: Path, tmp_path: Path) -> None:
    bad = _copy_scores(case, tmp_path, lambda t: t)
    (tmp_path / "bad.22.l2.M_5_50").write_text("10\t20\n")
    with pytest.raises(ldenrich.InconsistentInputError, match="2 values for the 1 LD-score"):
        ldenrich.partitioned_h2(case / "height.sumstats.gz", bad, W_LD)


def test_sumstats_n_not_positive_and_missing(case: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.sumstats"
    path.write_text("SNP\tA1\tA2\tZ\tN\nrs131538\tA\tG\t1.0\t1000\nrs9605903\tA\tG\t1.0\t0\n")
    with pytest.raises(ldenrich.ParseError, match=r"line 3, column N: N must be positive"):
        ldenrich.partitioned_h2(path, f"{case}/univ.", W_LD)
    path.write_text("SNP\tA1\tA2\tZ\nrs131538\tA\tG\t1.0\n")
    with pytest.raises(ldenrich.MissingColumnError):
        ldenrich.partitioned_h2(path, f"{case}/univ.", W_LD)


def test_dropped_snps_are_counted(case: Path, tmp_path: Path) -> None:
    ss = pd.read_csv(case / "height.sumstats.gz", sep="\t")
    extra = pd.DataFrame({"SNP": ["rs_new1", "rs_new2"], "A1": "A", "A2": "G", "Z": 1.0, "N": 4e5})
    ss = pd.concat([ss, ss.iloc[:3], extra], ignore_index=True)
    ss.loc[10, "Z"] = np.nan
    path = tmp_path / "dup.sumstats"
    ss.to_csv(path, sep="\t", index=False, na_rep="NA")
    fit = ldenrich.partitioned_h2(path, f"{case}/univ.", W_LD)
    assert fit.dropped == {
        "missing_statistic": 1, "duplicate_snp": 3, "not_in_ref_ld": 2, "not_in_w_ld": 117,
    }  # fmt: skip
    assert fit.summary["n_snps"] == 15817


def test_argument_errors(case: Path) -> None:
    ss = case / "height.sumstats.gz"
    with pytest.raises(ldenrich.InvalidArgumentError):
        ldenrich.partitioned_h2(ss, f"{case}/univ.", W_LD, intercept=1.0, two_step=30.0)
    with pytest.raises(ldenrich.InvalidArgumentError):
        _partitioned(case, two_step=30.0)
    with pytest.raises(ldenrich.InvalidArgumentError):
        ldenrich.partitioned_h2(ss, f"{case}/univ.", W_LD, samp_prev=0.5)
    with pytest.raises(ldenrich.InvalidArgumentError):
        ldenrich.partitioned_h2(ss, f"{case}/univ.", W_LD, blocks=1)
    with pytest.raises(FileNotFoundError, match="no LD-score file"):
        ldenrich.partitioned_h2(ss, f"{case}/nothing.", W_LD)


def test_per_chromosome_files_bz2_and_at_sign_match_one_file(case: Path, tmp_path: Path) -> None:
    """The chr22 files cut into two "chromosomes" (the first half relabelled 21), the
    annotations bzip2-compressed and the prefix written with ``@``: the same fit as the single
    files, because ldsc's order (by chromosome, then position) is the original one."""
    import bz2

    d = tmp_path / "split"
    d.mkdir()
    for name in ("baseline", "custom"):
        scores = pd.read_csv(case / f"{name}.22.l2.ldscore.gz", sep="\t", dtype={"SNP": str})
        annot = pd.read_csv(case / f"{name}.22.annot.gz", sep="\t", dtype={"SNP": str})
        m = np.loadtxt(case / f"{name}.22.l2.M_5_50", ndmin=1)
        cut_scores, cut_annot = len(scores) // 2, len(annot) // 2
        halves = [
            (21, scores.iloc[:cut_scores].assign(CHR=21), annot.iloc[:cut_annot], m / 3),
            (22, scores.iloc[cut_scores:], annot.iloc[cut_annot:], m - m / 3),
        ]
        for chrom, s, a, mm in halves:
            s.to_csv(d / f"{name}.chr{chrom}.model.l2.ldscore.gz", sep="\t", index=False)
            (d / f"{name}.chr{chrom}.model.l2.M_5_50").write_text(
                "\t".join(repr(float(v)) for v in mm) + "\n"
            )
            with bz2.open(d / f"{name}.chr{chrom}.model.annot.bz2", "wt") as fh:
                a.to_csv(fh, sep="\t", index=False)
    frq = pd.read_csv(case / "frq.22.frq", sep="\t")
    cut = len(frq) // 2
    frq.iloc[:cut].to_csv(d / "frq.21.frq", sep="\t", index=False)
    frq.iloc[cut:].to_csv(d / "frq.22.frq", sep="\t", index=False)
    split = ldenrich.partitioned_h2(
        case / "height.sumstats.gz", f"{d}/baseline.chr@.model,{d}/custom.chr@.model", W_LD,
        overlap_annot=True, frqfile_chr=f"{d}/frq.",
    )  # fmt: skip
    whole = _partitioned(case, overlap_annot=True, frqfile_chr=f"{case}/frq.")
    # The weights are matched by SNP ID (their file says chr22 for every SNP).
    assert split.dropped == whole.dropped
    assert split.results["Category"].tolist() == whole.results["Category"].tolist()
    for column in RESULTS_NUMBERS:
        np.testing.assert_allclose(split.results[column], whole.results[column], rtol=1e-12)
    np.testing.assert_allclose(split.coef_delete, whole.coef_delete, rtol=1e-12)


def test_annotation_and_frequency_files_must_fit(case: Path, tmp_path: Path) -> None:
    for name in ("custom.22.l2.ldscore.gz", "custom.22.l2.M_5_50"):
        (tmp_path / name).write_bytes((case / name).read_bytes())
    annot = pd.read_csv(case / "custom.22.annot.gz", sep="\t")
    annot.assign(extra=0.0).to_csv(tmp_path / "custom.22.annot.gz", sep="\t", index=False)
    run = lambda: ldenrich.partitioned_h2(  # noqa: E731
        case / "height.sumstats.gz", f"{tmp_path}/custom.", W_LD, overlap_annot=True,
        frqfile_chr=f"{tmp_path}/frq.",
    )  # fmt: skip
    with pytest.raises(ldenrich.InconsistentInputError, match="2 annotation columns but its LD"):
        run()
    annot.to_csv(tmp_path / "custom.22.annot.gz", sep="\t", index=False)
    frq = pd.read_csv(case / "frq.22.frq", sep="\t")
    frq.iloc[:-1].to_csv(tmp_path / "frq.22.frq", sep="\t", index=False)
    with pytest.raises(ldenrich.InconsistentInputError, match=r"frq\.22\.frq: 15937 SNPs but"):
        run()
    frq.loc[5, "SNP"] = "rs_other"
    frq.to_csv(tmp_path / "frq.22.frq", sep="\t", index=False)
    with pytest.raises(ldenrich.InconsistentInputError, match=r"line 7, column SNP: 'rs_other'"):
        run()


def test_enrichment_p_is_calibrated_on_a_heritable_null_with_real_ld(tmp_path: Path) -> None:
    # benches/calibration_h2.py, small: every SNP of the chr22 panel carries the same expected
    # heritability (true enrichment 1), z drawn with the panel's LD; the regression gets the LD
    # scores of that LD. 20 jackknife blocks, so that a block is longer than the LD (the full
    # table, with 200 blocks and a 22-chromosome genome, is in docs/calibration.md).
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benches"))
    import calibration_h2

    reps = 150
    df = calibration_h2.run(reps, seed=5, scale=0.02, blocks=[20], work=tmp_path)
    assert len(df) == reps * len(calibration_h2.TESTED)
    se = np.sqrt(0.05 * 0.95 / reps)
    for name, g in df.groupby("annotation"):
        for column in ("Enrichment_p", "Coefficient_p"):
            rate = float((g[column] < 0.05).mean())
            assert rate <= 0.05 + 3 * se, (name, column, rate)
    # Not conservative to uselessness either: the pooled rate stays near 0.05.
    pooled = float((df["Enrichment_p"] < 0.05).mean())
    assert 0.05 - 3 * se <= pooled <= 0.05 + 3 * se, pooled
    assert df["Enrichment_p"].notna().all()


def test_h2_cts_tests_each_column_of_a_sets_file(case: Path, tmp_path: Path) -> None:
    """``sets_ld`` (LD scores of many sets from one ``ldscore`` pass) gives, set by set, what
    ldsc's ``--ref-ld-chr-cts`` gives with one file per set (itself checked against pyldsc)."""
    ex = ldenrich.example_data()
    sets = tmp_path / "sets.22"
    args = [
        "ldscore", "--bfile", str(ex.bfile), "--gene-sets", str(ex.gene_sets),
        "--build", "37", "--ld-wind-cm", "1", "--out", str(sets),
    ]  # fmt: skip
    assert main(args) == 0
    made = ldenrich.make_annot(ex.bim, ex.gene_loc, ex.gene_sets)
    nonempty = [c for c in made.columns if made[c].any()]
    assert 3 <= len(nonempty) < made.shape[1]
    for c in nonempty:
        one = ldenrich.ldscore(ex.bfile, made[[c]], ld_wind_cm=1.0)
        ldenrich.write_ldscore(one, tmp_path / f"{c}.22")
    gwas = case / "height.sumstats.gz"
    each = ldenrich.h2_cts(gwas, sets_ld=f"{tmp_path}/sets.", ref_ld_chr=f"{case}/baseline.",
                           w_ld_chr=W_LD)  # fmt: skip
    separate = ldenrich.h2_cts(
        gwas, [(c, f"{tmp_path}/{c}.") for c in nonempty], f"{case}/baseline.", W_LD
    )
    assert sorted(each.attrs["empty"]) == sorted(set(made.columns) - set(nonempty))
    tested = each.dropna(subset=["Coefficient"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(tested, separate)
    assert each["Coefficient"].isna().sum() == len(each.attrs["empty"])
    # The command line writes the same table, the empty sets as NA, and says so.
    out = tmp_path / "cts"
    cli = ["h2-cts", "--h2", str(gwas), "--ref-ld-chr", f"{case}/baseline.", "--w-ld-chr", W_LD,
           "--sets-ld", f"{tmp_path}/sets.", "--out", str(out)]  # fmt: skip
    assert main(cli) == 0
    written = pd.read_csv(f"{out}.cell_type_results.txt", sep="\t")
    np.testing.assert_allclose(written["Coefficient"], each["Coefficient"], rtol=1e-12)
    assert "LD scores without variance" in Path(f"{out}.log").read_text()
    with pytest.raises(ldenrich.InvalidArgumentError, match="one of the two"):
        ldenrich.h2_cts(gwas, ref_ld_chr=f"{case}/baseline.", w_ld_chr=W_LD)


SHARE_COLUMNS = ["Prop._SNPs", "Prop._h2", "Prop._h2_std_error", "Enrichment",
                 "Enrichment_std_error", "Enrichment_p"]  # fmt: skip


def test_h2_cts_with_overlap_gives_each_sets_share_of_h2_as_ldsc(case: Path, pyldsc) -> None:
    """With ``overlap_annot``, a set's row is the set's row of ldsc's ``--h2 --overlap-annot``
    table for the model [set, baseline] (pyldsc), and its tau* and h2 those of
    ``partitioned_h2`` on the same model; the coefficients are unchanged."""
    gwas = case / "height.sumstats.gz"
    pairs = [("sparse", f"{case}/custom."), ("left", f"{case}/left.")]
    frq = f"{case}/frq."
    ours = ldenrich.h2_cts(gwas, pairs, f"{case}/baseline.", W_LD, overlap_annot=True,
                           frqfile_chr=frq).set_index("Name")  # fmt: skip
    plain = ldenrich.h2_cts(gwas, pairs, f"{case}/baseline.", W_LD).set_index("Name")
    assert list(ours.columns) == list(plain.columns)
    assert list(ours.columns[3:]) == list(ldenrich.sldsc.CTS_EXTRA_COLUMNS)
    pd.testing.assert_frame_equal(ours.iloc[:, :4], plain.iloc[:, :4])
    assert plain[[*SHARE_COLUMNS, "tau_star"]].isna().all().all()
    for name, prefix in pairs:
        ref = pyldsc.estimate_h2(
            str(gwas), f"{prefix}22,{case}/baseline.22", f"{W_LD}22", overlap_annot=True,
            frqfile=f"{frq}22", print_coefficients=True,
        ).overlap_results  # fmt: skip
        for column in SHARE_COLUMNS:
            _close(ours.loc[name, column], float(ref[column].iloc[0]))
        fit = ldenrich.partitioned_h2(gwas, f"{prefix},{case}/baseline.", W_LD,
                                      overlap_annot=True, frqfile_chr=frq)  # fmt: skip
        for column in ["tau_star", "tau_star_std_error", "h2", "h2_std_error", "Coefficient"]:
            _close(ours.loc[name, column], fit.results[column].iloc[0], rtol=1e-10)
    # Without a frequency file every annotated SNP counts.
    every = ldenrich.h2_cts(gwas, pairs, f"{case}/baseline.", W_LD, overlap_annot=True)
    fit = ldenrich.partitioned_h2(gwas, f"{case}/custom.,{case}/baseline.", W_LD,
                                  overlap_annot=True)  # fmt: skip
    row = every.set_index("Name").loc["sparse"]
    _close(row[SHARE_COLUMNS].to_numpy(float), fit.results[SHARE_COLUMNS].iloc[0].to_numpy(float))


def test_h2_cts_overlap_of_a_sets_file_from_one_ldscore_pass(case: Path, tmp_path: Path) -> None:
    """``ldscore --gene-sets --write-annot`` then ``h2-cts --sets-ld --overlap-annot``: every
    set's share of h2 equals that from its own single-set files."""
    ex = ldenrich.example_data()
    args = [
        "ldscore", "--bfile", str(ex.bfile), "--gene-sets", str(ex.gene_sets), "--build", "37",
        "--ld-wind-cm", "1", "--write-annot", "--out", str(tmp_path / "sets.22"),
    ]  # fmt: skip
    assert main(args) == 0
    made = ldenrich.make_annot(ex.bim, ex.gene_loc, ex.gene_sets)
    nonempty = [c for c in made.columns if made[c].any()][:3]
    for c in nonempty:
        one = ldenrich.ldscore(ex.bfile, made[[c]], ld_wind_cm=1.0)
        ldenrich.write_ldscore(one, tmp_path / f"{c}.22")
        ldenrich.write_annot(made[[c]], ex.bim, tmp_path / f"{c}.22.annot.gz")
    gwas = case / "height.sumstats.gz"
    frq = f"{case}/frq."
    each = ldenrich.h2_cts(gwas, sets_ld=f"{tmp_path}/sets.", ref_ld_chr=f"{case}/baseline.",
                           w_ld_chr=W_LD, overlap_annot=True, frqfile_chr=frq)  # fmt: skip
    separate = ldenrich.h2_cts(
        gwas,
        [(c, f"{tmp_path}/{c}.") for c in nonempty],
        f"{case}/baseline.",
        W_LD,
        overlap_annot=True,
        frqfile_chr=frq,
    )
    got = each.set_index("Name").loc[nonempty]
    want = separate.set_index("Name").loc[nonempty]
    numbers = list(ldenrich.sldsc.CTS_EXTRA_COLUMNS[1:])
    np.testing.assert_allclose(got[numbers].to_numpy(float), want[numbers].to_numpy(float),
                               rtol=1e-10)  # fmt: skip
    assert each.loc[each.Name.isin(each.attrs["empty"]), "Prop._h2"].isna().all()
    assert (got["Prop._SNPs"] > 0).all() and got["Enrichment_p"].between(0, 1).all()
    # The command line writes the same columns.
    out = tmp_path / "cts"
    cli = ["h2-cts", "--h2", str(gwas), "--ref-ld-chr", f"{case}/baseline.", "--w-ld-chr", W_LD,
           "--sets-ld", f"{tmp_path}/sets.", "--overlap-annot", "--frqfile-chr", frq,
           "--out", str(out)]  # fmt: skip
    assert main(cli) == 0
    written = pd.read_csv(f"{out}.cell_type_results.txt", sep="\t").set_index("Name")
    np.testing.assert_allclose(written.loc[nonempty, "Enrichment"], got["Enrichment"], rtol=1e-9)


def test_h2_cts_overlap_refuses_missing_or_mismatched_annot_files(case: Path, tmp_path: Path):
    gwas = case / "height.sumstats.gz"
    one = ldenrich.ldscore(ldenrich.example_data().bfile, ld_wind_cm=1.0)
    ldenrich.write_ldscore(one, tmp_path / "noannot.22")
    with pytest.raises(FileNotFoundError, match=r"noannot\.22\.annot"):
        ldenrich.h2_cts(gwas, [("x", f"{tmp_path}/noannot.")], f"{case}/baseline.", W_LD,
                        overlap_annot=True)  # fmt: skip
    # An annotation file whose rows are other SNPs than the baseline's.
    with gzip.open(case / "custom.22.annot.gz", "rt") as fh:
        annot = pd.read_csv(fh, sep="\t")
    annot.loc[5, "SNP"] = "rs_not_this_one"
    ldenrich.write_ldscore(one, tmp_path / "shuffled.22")
    with gzip.open(tmp_path / "shuffled.22.annot.gz", "wt") as fh:
        annot.rename(columns={"sparse": "L2"}).to_csv(fh, sep="\t", index=False)
    with pytest.raises(ldenrich.InconsistentInputError, match=r"line 7, column SNP"):
        ldenrich.h2_cts(gwas, [("x", f"{tmp_path}/shuffled.")], f"{case}/baseline.", W_LD,
                        overlap_annot=True)  # fmt: skip
    with pytest.raises(ldenrich.InvalidArgumentError, match="only used with overlap_annot"):
        ldenrich.h2_cts(gwas, [("x", f"{case}/custom.")], f"{case}/baseline.", W_LD,
                        frqfile_chr=f"{case}/frq.")  # fmt: skip


def test_h2_cts_review_cases(case: Path, tmp_path: Path) -> None:
    """An empty cts entry is a NaN row (not a failed run); a frequency file of the other
    layout, and annotation columns in another order than the LD scores', are refused."""
    gwas = case / "height.sumstats.gz"
    ex = ldenrich.example_data()
    zero = pd.DataFrame({"nothing": np.zeros(15938)})
    ldenrich.write_ldscore(ldenrich.ldscore(ex.bfile, zero, ld_wind_cm=1.0), tmp_path / "zero.22")
    pairs = [("empty", f"{tmp_path}/zero."), ("sparse", f"{case}/custom.")]
    out = ldenrich.h2_cts(gwas, pairs, f"{case}/baseline.", W_LD)
    assert out.attrs["empty"] == ["empty"]
    assert out.set_index("Name").loc["empty"].isna().all()
    # An empty control beside a set is left out: the set's row is that of the set alone.
    with_control = ldenrich.h2_cts(gwas, [("sparse", f"{case}/custom.,{tmp_path}/zero.")],
                                   f"{case}/baseline.", W_LD)  # fmt: skip
    alone = out.set_index("Name").loc["sparse"]
    _close(with_control.iloc[0]["Coefficient"], alone["Coefficient"], rtol=1e-12)
    with pytest.raises(ldenrich.InvalidArgumentError, match="give frqfile_chr"):
        ldenrich.h2_cts(gwas, pairs[1:], f"{case}/baseline.", W_LD, overlap_annot=True,
                        frqfile=f"{case}/frq.22")  # fmt: skip
    with pytest.raises(ldenrich.InvalidArgumentError, match="give frqfile_chr"):
        ldenrich.partitioned_h2(gwas, f"{case}/baseline.", W_LD, overlap_annot=True,
                                frqfile=f"{case}/frq.22")  # fmt: skip
    # The baseline's annotation columns swapped against its LD-score columns.
    swapped = tmp_path / "swapped.22"
    for suffix in (".l2.ldscore.gz", ".l2.M", ".l2.M_5_50"):
        Path(f"{swapped}{suffix}").write_bytes((case / f"baseline.22{suffix}").read_bytes())
    with gzip.open(case / "baseline.22.annot.gz", "rt") as fh:
        annot = pd.read_csv(fh, sep="\t")
    cols = list(annot.columns)
    cols[-2], cols[-1] = cols[-1], cols[-2]
    with gzip.open(f"{swapped}.annot.gz", "wt") as fh:
        annot[cols].to_csv(fh, sep="\t", index=False)
    with pytest.raises(ldenrich.InconsistentInputError, match="in another order"):
        ldenrich.partitioned_h2(gwas, f"{tmp_path}/swapped.", W_LD, overlap_annot=True)
