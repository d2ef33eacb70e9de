"""Sanity warnings: inputs that parse but look wrong raise one LdenrichWarning that says what
and what it usually means; the bundled real data raises none."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ldenrich
from ldenrich import _sanity
from ldenrich.cli import main


def _write_inputs(
    tmp_path: Path,
    n: int,
    *,
    in_bim: int | None = None,
    z: np.ndarray | None = None,
    p: np.ndarray | None = None,
    shift: int = 0,
) -> tuple[Path, Path]:
    """``n`` SNPs on chr1 at 1000 i; the .bim holds the first ``in_bim``; the sumstats carry
    CHR and BP ``shift`` bases off the .bim's."""
    in_bim = n if in_bim is None else in_bim
    bim = tmp_path / "ref.bim"
    bim.write_text("".join(f"1\trs{i}\t0\t{1000 * i}\tA\tG\n" for i in range(1, in_bim + 1)))
    rng = np.random.default_rng(7)
    if p is None:
        z = rng.standard_normal(n) if z is None else z
        stat, values = "Z", z
    else:
        stat, values = "P", p
    ss = tmp_path / "gwas.tsv"
    rows = "".join(f"rs{i}\t1\t{1000 * i + shift}\t{values[i - 1]:.6g}\n" for i in range(1, n + 1))
    ss.write_text(f"SNP\tCHR\tBP\t{stat}\n{rows}")
    return ss, bim


def _annotate(ss: Path, bim: Path, **kwargs: object) -> ldenrich.Annotation:
    bed = {"all": _whole_chr1()}
    return ldenrich.annotate(ldenrich.read_sumstats(ss), ldenrich.read_bim(bim), beds=bed, **kwargs)


def _whole_chr1() -> pd.DataFrame:
    return pd.DataFrame({"chrom": ["chr1"], "start": [0], "end": [10**8]})


def test_bundled_data_raises_no_warning() -> None:
    ex = ldenrich.example_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        annot = ldenrich.annotate(
            ldenrich.read_sumstats(ex.sumstats),
            ldenrich.read_bim(ex.bim),
            ldenrich.read_gene_loc(ex.gene_loc),
            gene_sets=ldenrich.read_gene_sets(ex.gene_sets),
        )
    details = annot.qc_details
    # The fastGWA file has CHR and POS: every position agrees with the panel's.
    assert details["positions_compared"] == details["positions_same"] == len(annot)


def test_clean_synthetic_inputs_raise_no_warning(tmp_path: Path) -> None:
    ss, bim = _write_inputs(tmp_path, 600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _annotate(ss, bim)


def test_few_snps_in_reference(tmp_path: Path) -> None:
    ss, bim = _write_inputs(tmp_path, 100, in_bim=30)
    with pytest.warns(ldenrich.LdenrichWarning) as record:
        annot = _annotate(ss, bim)
    assert len(record) == 1
    message = str(record[0].message)
    assert f"only 30 of 100 SNPs of {ss}" in message
    assert str(bim) in message
    assert "different SNP ids" in message
    assert len(annot) == 30


def test_genome_build_mismatch(tmp_path: Path) -> None:
    ss, bim = _write_inputs(tmp_path, 100, shift=123_457)
    with pytest.warns(ldenrich.LdenrichWarning, match="different genome build") as record:
        annot = _annotate(ss, bim)
    assert "only 0 of 100 SNPs matched by id (0.0%) have the same chromosome and position" in str(
        record[0].message
    )
    assert "GRCh38" in str(record[0].message)
    # Positions come from the reference: the universe is unaffected.
    assert annot.snps()["bp"].tolist()[:2] == [1000, 2000]


def test_zero_based_positions(tmp_path: Path) -> None:
    ss, bim = _write_inputs(tmp_path, 100, shift=-1)
    with pytest.warns(ldenrich.LdenrichWarning, match="look 0-based"):
        _annotate(ss, bim)


def test_positions_compared_only_when_present(tmp_path: Path) -> None:
    ss, bim = _write_inputs(tmp_path, 50)
    text = ss.read_text().replace("\tCHR\tBP", "\tCHROM\tPOS")
    ss.write_text(text)
    annot = _annotate(ss, bim)
    assert annot.qc_details["positions_same"] == 50
    no_pos = tmp_path / "nopos.tsv"
    no_pos.write_text("".join(line.split("\t")[0] + "\t" + line.split("\t")[3] + "\n"
                              for line in text.splitlines()))  # fmt: skip
    assert "positions_compared" not in _annotate(no_pos, bim).qc_details


def test_median_chisq_too_high(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    ss, bim = _write_inputs(tmp_path, 600, z=rng.standard_normal(600) * 4)
    with pytest.warns(ldenrich.LdenrichWarning, match=r"lambda_GC \d") as record:
        _annotate(ss, bim)
    message = str(record[0].message)
    assert "chi-square from z" in message
    assert "-log10(p)" in message


def test_median_chisq_too_low(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    ss, bim = _write_inputs(tmp_path, 600, z=rng.standard_normal(600) * 0.05)
    with pytest.warns(ldenrich.LdenrichWarning, match="standard error or frequency read as Z"):
        _annotate(ss, bim)


def test_minus_log10_p_given_as_p_is_refused_not_half_dropped(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    ss, _ = _write_inputs(tmp_path, 600, p=-np.log10(rng.uniform(size=600)))
    with pytest.raises(ldenrich.ParseError) as info:
        ldenrich.read_sumstats(ss)
    message = str(info.value)
    assert str(ss) in message and "column 'P'" in message and "-log10" in message, message
    lines = ss.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if i and float(line.split()[3]) > 1)
    assert f"line {first + 1}," in message, message


GENE_LOC = (
    "1\t1\t1000\t5000\t+\tGRIN1\n2\t1\t20000\t30000\t-\tGRIN2A\n3\t1\t50000\t60000\t+\tGRIK1\n"
)


@pytest.mark.parametrize(
    ("genes", "hint"),
    [
        (["GRIN1", "NOPE1", "NOPE2", "NOPE3"], "symbols vs Entrez IDs?"),
        (["1", "111", "112", "113"], "look like Entrez ids"),
        (["ENSG0001", "ENSG0002", "GRIN1"], "look like Ensembl ids"),
    ],
)
def test_gene_set_mostly_not_found(tmp_path: Path, genes: list[str], hint: str) -> None:
    ss, bim = _write_inputs(tmp_path, 100)
    gene_loc = tmp_path / "genes.loc"
    gene_loc.write_text(GENE_LOC)
    with pytest.warns(ldenrich.LdenrichWarning) as record:
        ldenrich.annotate(
            ldenrich.read_sumstats(ss), ldenrich.read_bim(bim), ldenrich.read_gene_loc(gene_loc),
            gene_sets={"ok": ["GRIN1", "2"], "bad": genes},
        )  # fmt: skip
    assert len(record) == 1
    message = str(record[0].message)
    assert f"gene set 'bad' (python): {len(genes) - 1} of {len(genes)} genes are not in" in message
    assert str(gene_loc) in message
    assert hint in message


def test_wrong_kind_of_gene_id_is_one_warning(tmp_path: Path) -> None:
    ss, bim = _write_inputs(tmp_path, 100)
    gene_loc = tmp_path / "genes.loc"
    gene_loc.write_text(GENE_LOC)
    sets = {f"s{i}": ["GRIN1", f"{1000 + i}", f"{2000 + i}"] for i in range(30)}
    with pytest.warns(ldenrich.LdenrichWarning) as record:
        ldenrich.annotate(
            ldenrich.read_sumstats(ss), ldenrich.read_bim(bim), ldenrich.read_gene_loc(gene_loc),
            gene_sets=sets,
        )  # fmt: skip
    assert len(record) == 1
    message = str(record[0].message)
    assert (
        "60 of the 90 gene memberships (a gene counts once per set) of the 30 gene sets of "
        "python are not in" in message
    )
    assert "look like Entrez ids" in message


def test_many_bad_gene_sets_are_summed_up(tmp_path: Path) -> None:
    ss, bim = _write_inputs(tmp_path, 100)
    gene_loc = tmp_path / "genes.loc"
    gene_loc.write_text(GENE_LOC)
    sets = {f"s{i}": [f"X{i}"] for i in range(12)}
    with pytest.warns(ldenrich.LdenrichWarning) as record:
        ldenrich.annotate(
            ldenrich.read_sumstats(ss), ldenrich.read_bim(bim), ldenrich.read_gene_loc(gene_loc),
            gene_sets=sets,
        )  # fmt: skip
    assert len(record) == _sanity.MAX_GENE_SET_WARNINGS + 1
    assert "7 more gene sets" in str(record[-1].message)


def test_warnings_can_be_made_errors(tmp_path: Path) -> None:
    ss, bim = _write_inputs(tmp_path, 100, in_bim=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ldenrich.LdenrichWarning)
        with pytest.raises(ldenrich.LdenrichWarning):
            _annotate(ss, bim)


def test_cli_prints_each_warning_once_and_logs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ss, bim = _write_inputs(tmp_path, 100, in_bim=30, shift=500_000)
    bed = tmp_path / "all.bed"
    bed.write_text("chr1\t0\t100000000\n")
    out = tmp_path / "out" / "run"
    rc = main(["enrich", "--sumstats", str(ss), "--bim", str(bim), "--bed", str(bed),
               "--blocks", "10", "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert rc == 0
    assert "Traceback" not in err
    lines = [x for x in err.splitlines() if x.startswith("warning: ")]
    assert len(lines) == 2, err
    assert all(x.endswith("[LdenrichWarning]") for x in lines)
    assert "only 30 of 100 SNPs" in lines[0]
    assert "different genome build" in lines[1]
    log = (tmp_path / "out" / "run.log").read_text()
    assert all(x in log for x in lines)


def test_gene_analysis_checks_the_reference_too(tmp_path: Path) -> None:
    """30 SNPs in the summary statistics, 3 in the panel (tests/data/plink/good)."""
    bfile = Path(__file__).parent / "data" / "plink" / "good"
    ss = tmp_path / "gwas.tsv"
    ss.write_text("SNP\tP\n" + "".join(f"rs{i}\t0.{i:02d}\n" for i in range(1, 31)))
    gene_loc = tmp_path / "genes.loc"
    gene_loc.write_text("1\t22\t900\t3100\t+\tG1\n")
    with pytest.warns(ldenrich.LdenrichWarning, match=r"only 3 of 30 SNPs") as record:
        res = ldenrich.gene_analysis(
            ldenrich.read_sumstats(ss), bfile, ldenrich.read_gene_loc(gene_loc), n=1000,
            correlations=False,
        )  # fmt: skip
    assert len(record) == 1
    assert f"{bfile}.bim" in str(record[0].message)
    assert res.table.NSNPS.tolist() == [2]


def test_median_check_on_large_inputs_is_exact_where_it_warns() -> None:
    rng = np.random.default_rng(7)
    qc = {"read": 1_000_000}
    null = rng.chisquare(1, 1_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _sanity.check_chisq(null, "z", qc, "null.tsv")
    inflated = null * 4.2  # lambda_GC 4.2, just above the limit of 4
    exact = np.median(inflated) / _sanity.NULL_MEDIAN_CHISQ
    with pytest.warns(ldenrich.LdenrichWarning, match=f"lambda_GC {exact:.2f}"):
        _sanity.check_chisq(inflated, "z", qc, "inflated.tsv")


def test_gene_locations_of_another_build_than_the_panel_warn() -> None:
    """NCBI38 genes with the GRCh37 chr22 panel: a loud warning; NCBI37.3: none."""
    import warnings

    ex = ldenrich.example_data()
    ss, bim = ldenrich.read_sumstats(ex.sumstats), ldenrich.read_bim(ex.bim)
    ncbi38 = ldenrich.read_gene_loc(ldenrich.bundled_gene_loc("GRCh38"))
    assert _sanity.gene_loc_build(ncbi38) == "38" and _sanity.panel_is_grch37(bim) is True
    with pytest.warns(ldenrich.LdenrichWarning, match="look like NCBI build 38") as record:
        ldenrich.annotate(ss, bim, ncbi38, gene_sets={"g": ["GRIK1"]})
    assert any(str(bim.path) in str(r.message) for r in record)
    ncbi37 = ldenrich.read_gene_loc(ldenrich.bundled_gene_loc(37))
    assert _sanity.gene_loc_build(ncbi37) == "37"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ldenrich.annotate(ss, bim, ncbi37, gene_sets={"g": ["GRIK1"]})
    assert not [w for w in caught if "NCBI build" in str(w.message)]
    with pytest.raises(ldenrich.InvalidArgumentError, match="builds 37 and 38"):
        ldenrich.bundled_gene_loc(36)


@pytest.mark.parametrize("seed", range(20))
def test_fraction_same_matches_a_dict_lookup(seed: int) -> None:
    # The build check's vectorised join against the plain definition: each query id found in
    # the reference counts once per occurrence, a repeated reference id takes its last position.
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 60)), int(rng.integers(0, 60))
    ids = [f"rs{x}" for x in rng.integers(0, 40, n)]
    starts = rng.integers(0, 3, n)
    ref_ids = [f"rs{x}" for x in rng.integers(0, 40, m)]
    ref_starts = rng.integers(0, 3, m)
    ref = dict(zip(ref_ids, ref_starts.tolist(), strict=True))
    same = [ref[i] == s for i, s in zip(ids, starts.tolist(), strict=True) if i in ref]
    expected = (sum(same) / len(same) if same else 0.0, len(same))
    assert _sanity._fraction_same(ids, starts, ref_ids, ref_starts) == expected
