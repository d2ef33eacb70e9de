"""Every format preset on the bundled real height GWAS re-expressed in its layout
(``tests/data/formats/make_fixtures.py``): detected with no flag, named in the log, and the
same SNPs, QC accounting and enrichment table as the rsid-keyed original."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import ldenrich
from ldenrich.cli import main

_SPEC = importlib.util.spec_from_file_location(
    "make_fixtures", Path(__file__).parent / "data" / "formats" / "make_fixtures.py"
)
assert _SPEC is not None and _SPEC.loader is not None
fixtures = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fixtures)

KEEPS_P = {preset: keeps for _, preset, _, _, _, keeps in fixtures.FIXTURES}
#: Rows a layout adds as other tests of the same SNPs (left out, counted as other_test).
OTHER_TESTS = {"regenie": len(range(0, 15935, 10)), "plink2": len(range(0, 15935, 20))}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return fixtures.write_all(tmp_path_factory.mktemp("formats"))


def _enrich(sumstats: Path, out: Path, *extra: str) -> tuple[pd.DataFrame, dict[str, Any], str]:
    ex = ldenrich.example_data()
    args = [
        "enrich", "--sumstats", str(sumstats), "--bim", str(ex.bim),
        "--gene-loc", str(ex.gene_loc), "--gene-sets", str(ex.gene_sets),
        "--blocks", "50", "--out", str(out), *extra,
    ]  # fmt: skip
    assert main(args) == 0
    table = pd.read_csv(f"{out}.enrichment.tsv", sep="\t")
    qc = pd.read_csv(f"{out}.qc.tsv", sep="\t").set_index("reason")["count"].to_dict()
    return table, qc, Path(f"{out}.log").read_text()


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, dict[str, Any]]:
    out = tmp_path_factory.mktemp("original") / "height"
    table, qc, _ = _enrich(ldenrich.example_data().sumstats, out, "--match", "rsid")
    return table, qc


@pytest.mark.parametrize("preset", [preset for _, preset, *_ in fixtures.FIXTURES])
def test_each_format_gives_the_original_table(
    preset: str, files: dict[str, Path], original: Any, tmp_path: Path
) -> None:
    ss = ldenrich.read_sumstats(files[preset])
    assert (ss.format, ss.format_detected) == (preset, True)
    table, qc, log = _enrich(files[preset], tmp_path / preset)
    assert f"format {preset} (detected from the header)" in log
    want_table, want_qc = original
    extra = OTHER_TESTS.get(preset, 0)
    assert qc.pop("dropped_other_test") == extra
    want_qc = {**want_qc, "read": want_qc["read"] + extra}
    want_qc.pop("dropped_other_test")
    assert qc == want_qc
    assert table.category.tolist() == want_table.category.tolist()
    assert table.status.tolist() == want_table.status.tolist()
    numeric = [c for c in want_table.columns if pd.api.types.is_numeric_dtype(want_table[c])]
    assert {"n_snps_in", "enrichment", "welch_t", "mwu_z"} <= set(numeric)
    for col in numeric:
        got, want = table[col].to_numpy(float), want_table[col].to_numpy(float)
        if KEEPS_P[preset]:
            np.testing.assert_array_equal(got, want, err_msg=f"{preset} {col}")
        else:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=col)


def test_presets_name_their_columns(files: dict[str, Path]) -> None:
    cols = {preset: ldenrich.read_sumstats(path).columns for preset, path in files.items()}
    assert cols["pan-ukbb"]["mlog10p"] == "neglog10_pval_meta"
    assert (cols["pan-ukbb"]["a1"], cols["pan-ukbb"]["a2"]) == ("alt", "ref")
    assert "snp" not in cols["pan-ukbb"]
    assert cols["bolt-lmm"]["p"] == "P_BOLT_LMM"
    assert cols["finngen"]["mlog10p"] == "mlogp" and cols["finngen"]["snp"] == "rsids"
    assert cols["regenie"]["mlog10p"] == "LOG10P"
    assert (cols["plink2"]["a1"], cols["plink2"]["a2"]) == ("ALT", "REF")
    assert cols["gwas-catalog-harmonised"]["chr"] == "hm_chrom"
    assert cols["saige"]["snp"] == "MarkerID"
    assert (cols["gwas-vcf"]["mlog10p"], cols["gwas-vcf"]["a1"]) == ("LP", "ALT")
    daner = ldenrich.read_sumstats(files["daner"], read_n=True)
    assert daner.columns["n"] == "Neff"  # the per-SNP effective N column comes first
    pgc = ldenrich.read_sumstats(files["pgc-table"], read_n=True)
    assert pgc.columns["n"] == "2 x NEFFDIV2"


def test_explicit_columns_and_formats_override(files: dict[str, Path]) -> None:
    # A population's statistic instead of the meta-analysis.
    eur = ldenrich.read_sumstats(
        files["pan-ukbb"], mlog10p_col="neglog10_pval_EUR", beta_col="beta_EUR", se_col="se_EUR"
    )
    meta = ldenrich.read_sumstats(files["pan-ukbb"])
    assert eur.columns["mlog10p"] == "neglog10_pval_EUR"
    assert len(eur) == len(meta) and not np.allclose(eur.chisq, meta.chisq)
    inf = ldenrich.read_sumstats(files["bolt-lmm"], p_col="P_BOLT_LMM_INF")
    assert inf.columns["p"] == "P_BOLT_LMM_INF"
    forced = ldenrich.read_sumstats(files["fastgwa"], format="fastgwa")
    assert (forced.format, forced.format_detected) == ("fastgwa", False)
    with pytest.raises(ldenrich.InvalidArgumentError, match="unknown format"):
        ldenrich.read_sumstats(files["fastgwa"], format="nope")
    with pytest.raises(ldenrich.MissingColumnError, match="format 'regenie'"):
        ldenrich.read_sumstats(files["fastgwa"], format="regenie")


def test_a_multi_trait_gwas_vcf_needs_its_sample_named(
    files: dict[str, Path], original: Any, tmp_path: Path
) -> None:
    # OpenGWAS VCFs may hold several traits, one sample column each. The height column is put
    # second, after a decoy trait (every row carries the next row's values), so reading the
    # first column would give another table.
    vcf = tmp_path / "two_traits.vcf"
    name = fixtures.with_decoy_sample(files["gwas-vcf"], vcf)

    with pytest.raises(ldenrich.InvalidArgumentError, match=f"2 samples.*decoy, {name}"):
        ldenrich.read_sumstats(vcf)
    with pytest.raises(ldenrich.InvalidArgumentError, match="no VCF sample 'nope'"):
        ldenrich.read_sumstats(vcf, vcf_sample="nope")
    with pytest.raises(ldenrich.InvalidArgumentError, match="not a GWAS-VCF"):
        ldenrich.read_sumstats(ldenrich.example_data().sumstats, vcf_sample=name)
    assert ldenrich.read_sumstats(vcf, vcf_sample=name).vcf_sample == name
    ex = ldenrich.example_data()
    code = main(["enrich", "--sumstats", str(vcf), "--bim", str(ex.bim),
                 "--gene-loc", str(ex.gene_loc), "--gene-sets", str(ex.gene_sets),
                 "--out", str(tmp_path / "e")])  # fmt: skip
    assert code != 0
    assert "choose one with --vcf-sample" in Path(f"{tmp_path / 'e'}.log").read_text()

    table, _, log = _enrich(vcf, tmp_path / "chosen", "--vcf-sample", name)
    assert f"format gwas-vcf (detected from the header), sample {name}" in log
    single, _, _ = _enrich(files["gwas-vcf"], tmp_path / "single")
    pd.testing.assert_frame_equal(table, single)
    decoy, _, _ = _enrich(vcf, tmp_path / "decoy", "--vcf-sample", "DECOY")
    assert not decoy["enrichment"].equals(table["enrichment"])
