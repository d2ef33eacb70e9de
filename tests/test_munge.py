"""Harmonised summary statistics (``ldenrich munge``, ``ldenrich.munge_sumstats``) on the
bundled real height GWAS: the signed Z against pyldsc's ``munge_sumstats`` (a port of ldsc's),
every format preset harmonised to the same table, ldsc's layout read back by pyldsc's and our
S-LDSC alike, and bad input refused with one clear error."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

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

W_LD = f"{Path(__file__).parent / 'data' / 'real' / 'w_ld'}/"
COMPLEMENT = str.maketrans("ACGT", "TGCA")
# pyldsc reads files without closing them.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture(scope="module")
def bim() -> ldenrich.Bim:
    return ldenrich.read_bim(ldenrich.example_data().bim)


@pytest.fixture(scope="module")
def allele_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The panel's SNPs as an allele list with every kind of agreement: a third swapped, a
    fifth on the other strand, every seventh left out and every eleventh with other alleles."""
    ex = ldenrich.example_data()
    t = pd.read_csv(ex.bim, sep="\t", header=None, names=["CHR", "SNP", "CM", "BP", "A1", "A2"])
    i = np.arange(len(t))
    swap = i % 3 == 0
    t.loc[swap, ["A1", "A2"]] = t.loc[swap, ["A2", "A1"]].to_numpy()
    flip = i % 5 == 0
    t.loc[flip, "A1"] = t.loc[flip, "A1"].str.translate(COMPLEMENT)
    t.loc[flip, "A2"] = t.loc[flip, "A2"].str.translate(COMPLEMENT)
    t.loc[i % 11 == 0, ["A1", "A2"]] = ["AC", "A"]
    path = tmp_path_factory.mktemp("list") / "list.snplist"
    t.loc[i % 7 != 0, ["SNP", "A1", "A2"]].to_csv(path, sep="\t", index=False)
    return path


def _munge(path: Path, bim: ldenrich.Bim, **kwargs) -> ldenrich.MungedSumStats:
    # As ldenrich munge: a sample-size column is read only when n does not give one.
    ss = ldenrich.read_sumstats(
        path, signed=True, read_n="if-found" if "n" not in kwargs else False
    )
    return ldenrich.munge_sumstats(ss, bim, **kwargs)


def test_z_matches_pyldsc(bim: ldenrich.Bim, allele_list: Path) -> None:
    pyldsc = pytest.importorskip("pyldsc")
    ex = ldenrich.example_data()
    ours = _munge(ex.sumstats, bim, merge_alleles=allele_list).to_frame().set_index("SNP")
    theirs = pyldsc.munge_sumstats(str(ex.sumstats), merge_alleles=str(allele_list), write=False)
    theirs = theirs.dropna(subset=["Z"]).set_index("SNP")
    # The same SNPs: ambiguous ones, unlisted ones and those with other alleles are left out.
    assert sorted(ours.index) == sorted(theirs.index)
    assert len(ours) > 9000
    listed = pd.read_csv(allele_list, sep="\t").set_index("SNP").loc[ours.index]
    assert (ours.A1 == listed.A1).all() and (ours.A2 == listed.A2).all()
    # ldsc keeps the file's alleles; ours are the list's. Same allele (on either strand): same Z.
    theirs = theirs.loc[ours.index]
    same = (theirs.A1 == listed.A1) | (theirs.A1.str.translate(COMPLEMENT) == listed.A1)
    assert 0 < same.mean() < 1
    z_theirs = np.where(same, theirs.Z, -theirs.Z)
    np.testing.assert_allclose(ours.Z.to_numpy(), z_theirs, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(ours.N.to_numpy(), theirs.N.to_numpy())


def test_every_format_harmonises_alike(tmp_path: Path, bim: ldenrich.Bim) -> None:
    files = fixtures.write_all(tmp_path / "formats")
    want = _munge(ldenrich.example_data().sumstats, bim, n=1000.0)
    want_table = want.to_frame()
    want_qc = want.qc.set_index("reason")["count"]
    assert len(want_table) == 14954
    for _, preset, _, _, _, keeps_p in fixtures.FIXTURES:
        got = _munge(files[preset], bim, n=1000.0)
        table = got.to_frame()
        for col in ("SNP", "CHR", "BP", "A1", "A2", "N"):
            assert table[col].tolist() == want_table[col].tolist(), (preset, col)
        if keeps_p:
            np.testing.assert_array_equal(table.Z, want_table.Z, err_msg=preset)
        else:
            np.testing.assert_allclose(table.Z, want_table.Z, rtol=1e-9, err_msg=preset)
        qc = got.qc.set_index("reason")["count"]
        other = int(qc["dropped_other_test"])
        assert int(qc["read"]) - other == int(want_qc["read"]), preset
        assert qc.drop(["read", "dropped_other_test"]).equals(
            want_qc.drop(["read", "dropped_other_test"])
        ), preset


def test_cli_writes_both_layouts_that_ldsc_and_h2_read(tmp_path: Path, allele_list: Path) -> None:
    pyldsc = pytest.importorskip("pyldsc")
    ex = ldenrich.example_data()
    out = tmp_path / "height"
    args = [
        "munge", "--sumstats", str(ex.sumstats), "--bfile", str(ex.bfile),
        "--merge-alleles", str(allele_list), "--out", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    harmonised = pd.read_csv(f"{out}.munged.tsv.gz", sep="\t")
    assert harmonised.columns.tolist() == ["SNP", "CHR", "BP", "A1", "A2", "Z", "N", "P"]
    ldsc = pd.read_csv(f"{out}.sumstats.gz", sep="\t")
    assert ldsc.columns.tolist() == ["SNP", "A1", "A2", "Z", "N"]
    assert ldsc.equals(harmonised[ldsc.columns])
    # The text reads back as the same doubles, and P is the two-sided p of Z.
    frame = _munge(ex.sumstats, ldenrich.read_bim(ex.bim), merge_alleles=allele_list).to_frame()
    np.testing.assert_array_equal(harmonised.Z, frame.Z)
    from scipy import stats

    np.testing.assert_allclose(harmonised.P, 2 * stats.norm.sf(np.abs(frame.Z)), rtol=1e-13)
    qc = pd.read_csv(f"{out}.munge.qc.tsv", sep="\t").set_index("reason")["count"]
    assert qc["used"] == len(ldsc)
    assert qc["read"] == qc.drop("read").sum()
    assert qc["dropped_not_in_merge_alleles"] > 0 and qc["dropped_merge_alleles_mismatch"] > 0
    assert qc["dropped_strand_ambiguous"] > 0
    log = Path(f"{out}.log").read_text()
    assert "dropped_merge_alleles_mismatch" in log and "allele list" in log
    # ldsc's h2 (pyldsc) and ours read the file alike.
    scores = tmp_path / "univ"
    ldenrich.write_ldscore(ldenrich.ldscore(ex.bfile, ld_wind_cm=1.0), f"{scores}.22")
    ref = pyldsc.estimate_h2(f"{out}.sumstats.gz", f"{scores}.22", f"{W_LD}22")
    fit = ldenrich.partitioned_h2(f"{out}.sumstats.gz", f"{scores}.", W_LD)
    np.testing.assert_allclose(fit.summary["h2"], ref.tot, rtol=1e-8)
    np.testing.assert_allclose(fit.summary["intercept"], ref.intercept, rtol=1e-8)


def test_output_does_not_depend_on_threads(tmp_path: Path, bim: ldenrich.Bim) -> None:
    m = _munge(ldenrich.example_data().sumstats, bim)
    one = m.write(tmp_path / "one.tsv.gz", threads=1)
    two = m.write(tmp_path / "two.tsv.gz", threads=2)
    assert one.read_bytes() == two.read_bytes()
    plain = m.write(tmp_path / "plain.tsv")
    assert gzip.decompress(one.read_bytes()) == plain.read_bytes()
    assert not list(tmp_path.glob(".*part*"))


def test_keep_strand_ambiguous_and_position_matching(bim: ldenrich.Bim) -> None:
    ex = ldenrich.example_data()
    strict = _munge(ex.sumstats, bim)
    loose = _munge(ex.sumstats, bim, drop_strand_ambiguous=False)
    assert len(loose) == len(strict) + 981
    by_position = _munge(ex.sumstats, bim, match="position").to_frame()
    pd.testing.assert_frame_equal(by_position, strict.to_frame())


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_bad_input_gets_one_clear_error(tmp_path: Path, bim: ldenrich.Bim) -> None:
    ex = ldenrich.example_data()
    p_only = _write(tmp_path / "p.txt", "SNP A1 A2 P N\nrs131538 A G 0.5 10\n")
    with pytest.raises(ldenrich.MissingColumnError, match="direction of effect"):
        ldenrich.read_sumstats(p_only, signed=True)
    unsigned = ldenrich.read_sumstats(ex.sumstats)
    with pytest.raises(ldenrich.InvalidArgumentError, match="signed=True"):
        ldenrich.munge_sumstats(unsigned, bim)
    no_n = _write(tmp_path / "z.txt", "SNP A1 A2 Z\nrs131538 A G 1.5\n")
    with pytest.raises(ldenrich.InvalidArgumentError, match="--n"):
        _munge(no_n, bim)
    assert _munge(no_n, bim, n=20.0).to_frame().N.tolist() == [20.0]
    with pytest.raises(ldenrich.InvalidArgumentError, match="positive number"):
        _munge(no_n, bim, n="many")
    # A rounded effect of exactly 0 beside a small p has no direction: counted, not guessed.
    zero = _write(tmp_path / "zero.txt", "SNP A1 A2 BETA P N\nrs131538 A G 0.000 1e-5 10\n"
                  "rs9605903 C T 0.1 0.5 10\n")  # fmt: skip
    qc = _munge(zero, bim).qc.set_index("reason")["count"]
    assert (qc["used"], qc["dropped_effect_zero"]) == (1, 1)
    no_alleles = _write(tmp_path / "a.txt", "SNP Z N\nrs131538 1.5 10\n")
    with pytest.raises(ldenrich.MissingColumnError, match="allele"):
        _munge(no_alleles, bim)
    bad_list = _write(tmp_path / "bad.snplist", "SNP REF\nrs131538 A\n")
    with pytest.raises(ldenrich.MissingColumnError, match="SNP, A1 and A2"):
        ldenrich.read_merge_alleles(bad_list)
    twice = _write(tmp_path / "twice.snplist", "SNP A1 A2\nrs131538 A G\nrs131538 A G\n")
    with pytest.raises(ldenrich.InconsistentInputError, match="more than once"):
        ldenrich.read_merge_alleles(twice)
    elsewhere = _write(tmp_path / "other.snplist", "SNP A1 A2\nrs1 A G\n")
    with pytest.raises(ldenrich.InconsistentInputError, match="not_in_merge_alleles=14954"):
        _munge(ex.sumstats, bim, merge_alleles=elsewhere)
    # On the command line: one line naming the problem, a non-zero exit, no output.
    out = tmp_path / "cli"
    code = main(["munge", "--sumstats", str(no_n), "--bim", str(ex.bim), "--out", str(out)])
    assert code != 0
    assert "sample-size" in Path(f"{out}.log").read_text()
    assert not list(tmp_path.glob("cli.munged*")) and not list(tmp_path.glob("cli.sumstats*"))
