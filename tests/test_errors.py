"""Malformed input gets a clear error naming the file, the line and (when one field is at fault)
the column; the command line turns every such error into one ``ldenrich: error:`` line.

The fixtures live in ``tests/data/bad/`` (a few lines each). ``ss_truncated.tsv.gz`` is
``gzip.compress`` of a 401-line file (``SNP P`` then ``rs1 .. rs400``) cut to half its bytes.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

import ldenrich
from ldenrich import _native
from ldenrich.cli import main

BAD = Path(__file__).parent / "data" / "bad"
ODD = Path(__file__).parent / "data" / "odd"

READERS = {
    "sumstats": ldenrich.read_sumstats,
    "bim": ldenrich.read_bim,
    "gene_loc": ldenrich.read_gene_loc,
    "bed": ldenrich.read_bed,
    "gene_sets": ldenrich.read_gene_sets,
}


def _truncated_gzip_line(path: Path) -> int:
    """Line at which a truncated gzip breaks off: one past the last complete decompressed line."""
    decoded = zlib.decompressobj(wbits=31).decompress(path.read_bytes())
    return decoded.count(b"\n") + 1


# (fixture, reader, reader kwargs, exception, line, column, other substrings of str(exc))
PARSE_CASES: list[tuple[str, str, dict[str, Any], int, str | None, tuple[str, ...]]] = [
    # summary statistics
    ("ss_extra_field.tsv", "sumstats", {}, 3, None, ("expected 4 fields", "found 5")),
    ("ss_missing_field.txt", "sumstats", {}, 4, None, ("expected 4 fields", "found 3")),
    ("ss_ragged_after_meta.tsv", "sumstats", {}, 5, None, ("header (line 3)", "found 1")),
    ("ss_empty.tsv", "sumstats", {}, 1, None, ("empty", "header")),
    ("ss_truncated.tsv.gz", "sumstats", {}, -1, None, ("ends early",)),
    ("ss_crlf_missing_field.csv", "sumstats", {}, 4, None, ("expected 4 fields", "found 3")),
    ("ss_mis_delimited.csv", "sumstats", {}, 2, None, ("expected 4 fields", "found 1")),
    ("ss_truncated_last_line.tsv", "sumstats", {}, 4, None, ("expected 4 fields", "found 2")),
    ("ss_bom_extra_field.tsv", "sumstats", {}, 4, None, ("expected 2 fields", "found 3")),
    ("ss_ragged_gzip.tsv.gz", "sumstats", {}, 31, None, ("expected 2 fields", "found 1")),
    # .bim
    ("bim_five_fields.bim", "bim", {}, 2, None, ("6 fields", "found 5")),
    ("bim_unknown_chrom.bim", "bim", {}, 2, "1 (chromosome)", ("'chrUn'",)),
    ("bim_bp_text.bim", "bim", {}, 3, "4 (bp)", ("'3e3'",)),
    ("bim_bp_negative.bim", "bim", {}, 2, "4 (bp)", ("'-5'",)),
    ("bim_cm_text.bim", "bim", {}, 2, "3 (cM)", ("expected a number", "'NA'")),
    ("bim_seven_fields.bim", "bim", {}, 2, None, ("6 fields", "found 7")),
    ("bim_bp_overflow.bim", "bim", {}, 2, "4 (bp)", ("'4294967296'",)),
    ("bim_truncated.bim.gz", "bim", {}, -1, None, ("ends early",)),
    ("bim_chrom_empty_crlf.bim", "bim", {}, 2, "1 (chromosome)", ("chromosome code 'chr'",)),
    # gene locations
    ("gl_three_fields.gene.loc", "gene_loc", {}, 2, None, ("at least 4 fields", "found 3")),
    ("gl_start_text.gene.loc", "gene_loc", {}, 2, "3 (start)", ("'8.8e5'",)),
    ("gl_duplicate_id.gene.loc", "gene_loc", {}, 3, "1 (gene id)", ("'148398'", "line 1")),
    ("gl_strand_dropped.gene.loc", "gene_loc", {}, 2, "5 (strand)", ("present on the first",)),
    ("gl_stop_negative.gene.loc", "gene_loc", {}, 2, "4 (stop)", ("'-5'",)),
    ("gl_stop_na.gene.loc", "gene_loc", {}, 2, "4 (stop)", ("positive integer", "'NA'")),
    ("gl_truncated.gene.loc.gz", "gene_loc", {}, -1, None, ("ends early",)),
    # BED
    ("bed_end_before_start.bed", "bed", {}, 2, "3 (end)", ("end 400 is before start 500",)),
    ("bed_start_text.bed", "bed", {}, 2, "2 (start)", ("'abc'",)),
    ("bed_two_fields.bed", "bed", {}, 3, None, ("at least 3 fields", "found 2")),
    ("bed_header.bed", "bed", {}, 1, "2 (start)", ("'start'", "'#', 'track' or 'browser'")),
    ("bed_negative_start.bed", "bed", {}, 2, "2 (start)", ("'-10'",)),
    ("bed_end_na.bed", "bed", {}, 2, "3 (end)", ("'NA'",)),
    ("bed_end_overflow.bed", "bed", {}, 2, "3 (end)", ("between 0 and 4294967295", "'4294967296'")),
    ("bed_crlf_one_field.bed", "bed", {}, 3, None, ("at least 3 fields", "found 1")),
    # gene sets
    ("gs_duplicate_name.txt", "gene_sets", {}, 3, "1 (set name)", ("'setA'", "line 1")),
    ("gs_duplicate_name.gmt", "gene_sets", {}, 2, "1 (set name)", ("'setA'", "line 1")),
    ("gs_empty_name.txt", "gene_sets", {}, 2, "1 (set name)", ("empty gene-set name",)),
    ("gs_gmt_name_only.gmt", "gene_sets", {}, 2, None, ("name and a description",)),
    ("gs_gmt_empty_name.gmt", "gene_sets", {}, 2, "1 (set name)", ("empty gene-set name",)),
    ("gs_gmt_truncated.gmt.gz", "gene_sets", {}, -1, None, ("ends early",)),
    (
        "gs_long_three_fields.txt",
        "gene_sets",
        {"format": "long"},
        3,
        None,
        ("2 fields", "found 3"),
    ),
]


@pytest.mark.parametrize(
    ("fixture", "reader", "kwargs", "line", "column", "needles"),
    PARSE_CASES,
    ids=[case[0] for case in PARSE_CASES],
)
def test_parse_error_names_file_line_and_column(
    fixture: str,
    reader: str,
    kwargs: dict[str, Any],
    line: int,
    column: str | None,
    needles: tuple[str, ...],
) -> None:
    path = BAD / fixture
    if line == -1:
        line = _truncated_gzip_line(path)
    with pytest.raises(ldenrich.ParseError) as info:
        READERS[reader](str(path), **kwargs)
    exc = info.value
    message = str(exc)
    assert type(exc) is ldenrich.ParseError
    assert isinstance(exc, ldenrich.LdenrichError)
    assert exc.path == str(path)
    assert exc.line == line
    assert exc.column == column
    assert message.startswith(f"{path}: line {line}"), message
    assert fixture in message
    if column is not None:
        assert f"line {line}, column {column}: " in message
    else:
        assert f"line {line}: " in message
    for needle in needles:
        assert needle in message
    assert "\n" not in message


def test_truncated_gzip_breaks_mid_file() -> None:
    """The truncated fixture really is cut in the middle, so the error is not at line 1 or EOF."""
    path = BAD / "ss_truncated.tsv.gz"
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    assert os.path.getsize(path) < 5000
    assert 10 < _truncated_gzip_line(path) < 401


def test_truncated_gzip_trailer_is_an_error(tmp_path: Path) -> None:
    """Every line decodes but the CRC/size trailer is missing: still an error, after the data."""
    text = "SNP\tP\n" + "".join(f"rs{i}\t0.{i}\n" for i in range(1, 10))
    path = tmp_path / "no_trailer.tsv.gz"
    path.write_bytes(gzip.compress(text.encode(), mtime=0)[:-8])
    with pytest.raises(ldenrich.ParseError, match=r"no_trailer\.tsv\.gz: line 11: .*ends early"):
        ldenrich.read_sumstats(path)


def test_corrupt_gzip_checksum_is_a_parse_error(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(b"SNP\tP\nrs1\t0.5\nrs2\t0.1\n", mtime=0))
    data[-8] ^= 0xFF  # flip a CRC-32 byte
    path = tmp_path / "bad_crc.tsv.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(ldenrich.ParseError) as info:
        ldenrich.read_sumstats(path)
    assert "bad_crc.tsv.gz: line " in str(info.value)
    assert "corrupt compressed stream" in str(info.value)
    assert info.value.line == 4


# (fixture, reader kwargs, substrings of str(exc))
MISSING_COLUMN_CASES: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("ss_no_snp_column.tsv", {}, ("no SNP identifier", "header: CHR, BP, A1, A2, P")),
    ("ss_no_stat_column.tsv", {}, ("no statistic", "header: SNP, A1, A2, N")),
    ("ss_beta_and_or.tsv", {}, ("'BETA'", "'OR'", "name the one to use")),
    ("ss_two_z.tsv", {}, ("'Z'", "'ZSCORE'", "name the one to use")),
    ("ss_extra_field.tsv", {"snp_col": "rsid"}, ("'rsid' given explicitly", "SNP, A1, A2, P")),
    ("ss_extra_field.tsv", {"chisq_from": "z"}, ("no Z",)),
    ("ss_extra_field.tsv", {"chisq_from": "beta-se"}, ("no BETA (or OR) with SE",)),
    ("ss_no_header.tsv", {}, ("no SNP identifier", "header: rs1, 0.5")),
    ("ss_duplicate_column.tsv", {}, ("names column 'Z' more than once",)),
    ("ss_explicit_column_absent.tsv", {"p_col": "P"}, ("'P' given explicitly", "A2, PVAL")),
]


@pytest.mark.parametrize(
    ("fixture", "kwargs", "needles"),
    MISSING_COLUMN_CASES,
    ids=[f"{c[0]}-{','.join(c[1]) or 'default'}" for c in MISSING_COLUMN_CASES],
)
def test_missing_or_ambiguous_column(
    fixture: str, kwargs: dict[str, Any], needles: tuple[str, ...]
) -> None:
    path = BAD / fixture
    with pytest.raises(ldenrich.MissingColumnError) as info:
        ldenrich.read_sumstats(path, **kwargs)
    message = str(info.value)
    assert type(info.value) is ldenrich.MissingColumnError
    # The header is at fault: its line (after any ## meta lines) is named.
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header_line = next(i for i, x in enumerate(lines, 1) if x.strip() and not x.startswith("##"))
    assert message.startswith(f"{path}: line {header_line} (header): "), message
    for needle in needles:
        assert needle in message, message


# (fileset prefix in tests/data/bad, exception, file at fault, line, substrings of str(exc))
PLINK_CASES: list[tuple[str, type[Exception], str, int | None, tuple[str, ...]]] = [
    ("fam_five_fields", ldenrich.ParseError, "fam", 3, ("6 fields", "found 5")),
    ("bim_for_bed_bad_line", ldenrich.ParseError, "bim", 2, ("6 fields", "found 5")),
    ("bed_text_as_plink", ldenrich.ParseError, "bed", 1, ("magic number", "not a PLINK 1 .bed")),
    # A size mismatch is a property of the whole file: no line, but all three files and sizes.
    ("bed_size_longer", ldenrich.InconsistentInputError, "bed", None, ("11 bytes", "= 9 bytes")),
]


@pytest.mark.parametrize(
    ("prefix", "exc_type", "culprit", "line", "needles"),
    PLINK_CASES,
    ids=[c[0] for c in PLINK_CASES],
)
def test_bad_plink_filesets(
    prefix: str,
    exc_type: type[Exception],
    culprit: str,
    line: int | None,
    needles: tuple[str, ...],
) -> None:
    base = BAD / prefix
    with pytest.raises(ldenrich.LdenrichError) as info:
        _native.read_dosages(str(base), [0])
    exc = info.value
    message = str(exc)
    assert type(exc) is exc_type
    assert f"{base}.{culprit}" in message
    if line is not None:
        assert isinstance(exc, ldenrich.ParseError)
        assert (exc.path, exc.line) == (f"{base}.{culprit}", line)
        assert message.startswith(f"{base}.{culprit}: line {line}")
    else:
        assert f"{base}.bim" in message and f"{base}.fam" in message
    for needle in needles:
        assert needle in message, message


def test_bad_fixture_battery_size() -> None:
    """The battery covers at least 40 malformed inputs across every kind of input file."""
    cases = (
        [c[0] for c in PARSE_CASES]
        + [c[0] for c in MISSING_COLUMN_CASES]
        + [c[0] for c in PLINK_CASES]
        + ["ss_header_only.tsv", "ss_p_values.tsv"]
    )
    assert len(set(cases)) >= 40
    kinds = {name.split("_")[0] for name in cases}
    assert kinds >= {"ss", "bim", "fam", "bed", "gl", "gs"}
    on_disk = {p.name.split(".")[0] for p in BAD.iterdir() if not p.name.startswith(".")}
    tested = {name.split(".")[0] for name in cases}
    assert on_disk - {"ss_p_values"} <= tested, on_disk - tested


def test_two_z_columns_resolved_by_naming_one() -> None:
    ss = ldenrich.read_sumstats(BAD / "ss_two_z.tsv", z_col="ZSCORE")
    assert ss.source == "z"
    assert ss.columns["z"] == "ZSCORE"
    np.testing.assert_allclose(ss.chisq, [1.44], rtol=1e-15)
    # The ambiguity only matters for the statistic used: from P, the two Z columns are ignored.
    ss = ldenrich.read_sumstats(BAD / "ss_two_z.tsv", chisq_from="p")
    assert ss.source == "p"
    np.testing.assert_allclose(ss.chisq, stats.chi2.isf([0.23], 1), rtol=1e-12)


def test_beta_and_or_resolved_by_naming_one() -> None:
    ss = ldenrich.read_sumstats(BAD / "ss_beta_and_or.tsv", or_col="OR")
    assert ss.source == "log(or)-se"
    np.testing.assert_allclose(ss.chisq, [(np.log(1.105) / 0.05) ** 2], rtol=1e-14)
    ss = ldenrich.read_sumstats(BAD / "ss_beta_and_or.tsv", beta_col="BETA")
    assert ss.source == "beta-se"
    np.testing.assert_allclose(ss.chisq, [4.0], rtol=1e-14)


@pytest.mark.parametrize("reader", sorted(READERS))
def test_missing_file_is_file_not_found(reader: str, tmp_path: Path) -> None:
    path = tmp_path / "does_not_exist.txt"
    with pytest.raises(FileNotFoundError) as info:
        READERS[reader](path)
    assert type(info.value) is FileNotFoundError
    assert str(path) in str(info.value)


@pytest.mark.parametrize("reader", sorted(READERS))
def test_directory_is_an_os_error(reader: str, tmp_path: Path) -> None:
    with pytest.raises(OSError, match=r"[Dd]irectory") as info:
        READERS[reader](tmp_path)
    assert str(tmp_path) in str(info.value)
    assert not isinstance(info.value, ldenrich.LdenrichError)


def test_unknown_gene_set_format_is_invalid_argument() -> None:
    with pytest.raises(ldenrich.InvalidArgumentError, match="auto, gmt, magma or long; got 'xml'"):
        ldenrich.read_gene_sets(BAD / "gs_duplicate_name.txt", format="xml")  # type: ignore[arg-type]


def test_unknown_chisq_source_is_invalid_argument() -> None:
    with pytest.raises(ldenrich.InvalidArgumentError, match="got 'logp'"):
        ldenrich.read_sumstats(ODD / "reference.tsv", chisq_from="logp")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Header-only summary statistics, bad statistic values and argument errors of the API
# --------------------------------------------------------------------------------------------


def test_header_only_sumstats_reads_zero_rows_then_annotate_refuses() -> None:
    path = BAD / "ss_header_only.tsv"
    ss = ldenrich.read_sumstats(path)
    assert (len(ss), ss.rows_read, ss.dropped, ss.source) == (0, 0, {}, "p")
    assert ss.chisq.shape == (0,)
    bim = ldenrich.read_bim(ODD / "reference.bim")
    with pytest.raises(ldenrich.InconsistentInputError) as info:
        ldenrich.annotate(ss, bim, beds=ODD / "reference.bed")
    message = str(info.value)
    assert type(info.value) is ldenrich.InconsistentInputError
    assert str(path) in message
    assert str(ODD / "reference.bim") in message
    assert "no SNP" in message


def test_bad_p_values_are_counted_not_errors() -> None:
    """p = abc / NA / 2 / 0 / -0.1 / empty / inf each land in their QC reason."""
    ss = ldenrich.read_sumstats(BAD / "ss_p_values.tsv")
    assert ss.rows_read == 10
    assert ss.dropped == {
        "missing_snp_id": 1,  # NA as the SNP id
        "missing_statistic": 2,  # NA, empty
        "invalid_statistic": 2,  # abc, inf
        "p_out_of_range": 2,  # 2, -0.1
        "p_zero": 1,  # 0
    }
    annot = ldenrich.annotate(ss, ldenrich.read_bim(BAD / "ss_p_values.bim"))
    qc = dict(zip(annot.qc["reason"], annot.qc["count"].tolist(), strict=True))
    assert qc == {
        "read": 10,
        "used": 2,
        "dropped_missing_snp_id": 1,
        "dropped_missing_statistic": 2,
        "dropped_invalid_statistic": 2,
        "dropped_p_out_of_range": 2,
        "dropped_p_zero": 1,
        "dropped_duplicate_snp_id": 0,
        "dropped_not_in_reference": 0,
        "dropped_duplicate_in_reference": 0,
        "dropped_non_autosomal": 0,
        "dropped_allele_mismatch": 0,
        "dropped_strand_ambiguous": 0,
    }
    assert qc["read"] == qc["used"] + sum(v for k, v in qc.items() if k.startswith("dropped_"))
    snps = annot.snps()
    assert snps["snp"].tolist() == ["rs1", "rs9"]
    assert snps["chisq"].iloc[0] == pytest.approx(stats.chi2.isf(0.5, 1), rel=1e-12)
    # p = 1e-400 underflows a double but is still used, through its decimal text.
    assert snps["chisq"].iloc[1] > stats.chi2.isf(1e-300, 1)


def test_p_zero_takes_the_chisq_from_beta_se(tmp_path: Path) -> None:
    """p = 0 rows are the strongest signals: with BETA/SE in the file they are kept."""
    path = tmp_path / "p0.tsv"
    path.write_text("SNP\tBETA\tSE\tP\nrs1\t0.5\t0.01\t0\nrs2\t0.5\tNA\t0\nrs3\t0.1\t0.1\t0.3\n")
    ss = ldenrich.read_sumstats(path)
    assert ss.source == "p"
    assert (len(ss), ss.p_zero_from_other, ss.dropped) == (2, 1, {"p_zero": 1})
    assert ss.chisq[0] == pytest.approx(2500.0, rel=1e-15)
    assert ldenrich.read_sumstats(ODD / "reference.tsv").p_zero_from_other == 0


def test_api_argument_errors() -> None:
    ss = ldenrich.read_sumstats(ODD / "reference.tsv")
    bim = ldenrich.read_bim(ODD / "reference.bim")
    bed = ODD / "reference.bed"
    with pytest.raises(ldenrich.InvalidArgumentError, match="gene sets need gene locations"):
        ldenrich.annotate(ss, bim, gene_sets={"s": ["GRIN1"]})
    with pytest.raises(ldenrich.InvalidArgumentError, match="window sizes must be between 0"):
        ldenrich.annotate(ss, bim, beds=bed, window=(-5, 3))
    with pytest.raises(ldenrich.InvalidArgumentError, match="window must be"):
        ldenrich.annotate(ss, bim, beds=bed, window=(5,))  # type: ignore[arg-type]
    with pytest.raises(ldenrich.InvalidArgumentError, match="needs a SumStats and a Bim"):
        ldenrich.annotate(str(ODD / "reference.tsv"), bim)  # type: ignore[arg-type]
    annot = ldenrich.annotate(ss, bim, beds=bed)
    with pytest.raises(ldenrich.InvalidArgumentError, match="blocks must be at least 2; got 1"):
        ldenrich.enrichment(annot, blocks=1)
    with pytest.raises(ldenrich.InvalidArgumentError, match="min_snps must be at least 1"):
        ldenrich.enrichment(annot, min_snps=0)


def test_bed_coordinate_beyond_int64_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.bed"
    path.write_text("chr1\t0\t1500\nchr1\t9223372036854775800\t9223372036854775810\n")
    ss = ldenrich.read_sumstats(ODD / "reference.tsv")
    bim = ldenrich.read_bim(ODD / "reference.bim")
    with pytest.raises(ldenrich.LdenrichError) as info:
        ldenrich.annotate(ss, bim, beds=path)
    assert str(path) in str(info.value)
    assert "line 2" in str(info.value)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _enrich_args(tmp_path: Path, **overrides: str) -> list[str]:
    inputs = {
        "--sumstats": str(ODD / "reference.tsv"),
        "--bim": str(ODD / "reference.bim"),
        "--bed": str(ODD / "reference.bed"),
        "--out": str(tmp_path / "out" / "run"),
        # The reference has 6 SNPs: the default 200 blocks would be more blocks than SNPs.
        "--blocks": "3",
    }
    inputs.update({f"--{k.replace('_', '-')}": v for k, v in overrides.items()})
    return ["enrich", *[x for kv in inputs.items() for x in kv]]


def _single_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("ldenrich: error:")]
    assert len(lines) == 1, err
    return lines[0]


CLI_PARSE_CASES = [
    ("sumstats", "ss_extra_field.tsv", "line 3", "ParseError"),
    ("sumstats", "ss_empty.tsv", "line 1", "ParseError"),
    ("bim", "bim_unknown_chrom.bim", "line 2, column 1 (chromosome)", "ParseError"),
    ("bed", "bed_end_before_start.bed", "line 2, column 3 (end)", "ParseError"),
    ("sumstats", "ss_two_z.tsv", "'ZSCORE'", "MissingColumnError"),
    ("sumstats", "ss_header_only.tsv", "no SNP", "InconsistentInputError"),
]


@pytest.mark.parametrize(
    ("option", "fixture", "where", "kind"), CLI_PARSE_CASES, ids=[c[1] for c in CLI_PARSE_CASES]
)
def test_cli_bad_input_is_one_error_line(
    option: str,
    fixture: str,
    where: str,
    kind: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = BAD / fixture
    rc = main(_enrich_args(tmp_path, **{option: str(path)}))
    out, err = capsys.readouterr()
    assert rc == 1
    assert "Traceback" not in out
    line = _single_error_line(err)
    assert str(path) in line
    assert where in line
    assert line.endswith(f"[{kind}]")
    assert not (tmp_path / "out" / "run.enrichment.tsv").exists()


def test_cli_bad_gene_set_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gene_loc = tmp_path / "genes.loc"
    gene_loc.write_text("1\t1\t100\t2000\t+\tGRIN1\n")
    path = BAD / "gs_duplicate_name.txt"
    rc = main(_enrich_args(tmp_path, gene_loc=str(gene_loc), gene_sets=str(path)))
    line = _single_error_line(capsys.readouterr().err)
    assert rc == 1
    assert f"{path}: line 3, column 1 (set name)" in line
    assert line.endswith("[ParseError]")


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "gwas.tsv"
    rc = main(_enrich_args(tmp_path, sumstats=str(missing)))
    line = _single_error_line(capsys.readouterr().err)
    assert rc == 1
    assert str(missing) in line
    assert line.endswith("[FileNotFoundError]")


def test_cli_verbose_shows_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main([*_enrich_args(tmp_path, sumstats=str(BAD / "ss_extra_field.tsv")), "-v"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "Traceback" in err
    assert sum(line.startswith("ldenrich: error:") for line in err.splitlines()) == 1


def test_cli_blocks_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(_enrich_args(tmp_path, blocks="1"))
    line = _single_error_line(capsys.readouterr().err)
    assert rc == 1
    assert line == "ldenrich: error: --blocks must be at least 2; got 1 [InvalidArgumentError]"


def test_cli_gene_sets_without_gene_loc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(_enrich_args(tmp_path, gene_sets=str(BAD / "gs_duplicate_name.txt")))
    line = _single_error_line(capsys.readouterr().err)
    assert rc == 1
    assert line == "ldenrich: error: --gene-sets needs --gene-loc [InvalidArgumentError]"


def test_cli_nothing_to_test(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _enrich_args(tmp_path)
    i = args.index("--bed")
    del args[i : i + 2]
    rc = main(args)
    line = _single_error_line(capsys.readouterr().err)
    assert rc == 1
    assert "nothing to test" in line


def test_cli_negative_window_separate_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--window -5,3``: argparse takes ``-5,3`` for an option, so the value is missing."""
    with pytest.raises(SystemExit) as info:
        main([*_enrich_args(tmp_path), "--window", "-5,3"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "Traceback" not in err
    assert "ldenrich enrich: error: argument --window: expected one argument" in err


def test_cli_negative_window_attached_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*_enrich_args(tmp_path), "--window=-5,3"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "Traceback" not in err
    assert "argument --window: window must be UP,DOWN in kb (>= 0); got '-5,3'" in err


@pytest.mark.parametrize("value", ["abc", "1,2,3"])
def test_cli_malformed_window(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*_enrich_args(tmp_path), "--window", value])
    assert info.value.code == 2
    assert "argument --window: window must be UP,DOWN in kb" in capsys.readouterr().err


def test_cli_blocks_not_an_integer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(_enrich_args(tmp_path, blocks="many"))
    assert info.value.code == 2
    assert "argument --blocks: invalid int value: 'many'" in capsys.readouterr().err


def test_cli_clean_run_succeeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The inputs the CLI error tests perturb are themselves valid."""
    rc = main(_enrich_args(tmp_path))
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "error" not in err
    assert (tmp_path / "out" / "run.enrichment.tsv").is_file()


# --------------------------------------------------------------------------------------------
# Empty and absurd input: never a silent success
# --------------------------------------------------------------------------------------------

EMPTY_INPUTS = [
    ("gene_sets", "sets.gmt", "", "no gene sets: the file is empty"),
    ("gene_sets", "sets.txt", "# only a comment\n\n", "no gene sets: its 2 lines are blank"),
    ("bed", "a.bed", "track name=x\n", "no interval on chromosomes 1-26"),
    ("bed", "b.bed", "chrUn_gl000220\t1\t9\nchr1\t5\t5\n",
     "skipped: 1 unknown_chromosome, 1 empty_interval"),
    ("gene_loc", "g.gene.loc", "", "no gene locations: the file is empty"),
    ("gene_loc", "h.gene.loc", "g1 1 5 5 +\n", "skipped: 1 stop_not_after_start"),
]  # fmt: skip


@pytest.mark.parametrize(("reader", "name", "text", "message"), EMPTY_INPUTS,
                         ids=[f"{c[0]}:{c[3][:24]}" for c in EMPTY_INPUTS])  # fmt: skip
def test_an_input_without_usable_records_is_an_error_naming_it(
    tmp_path: Path, reader: str, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ldenrich.ParseError) as info:
        READERS[reader](path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)
    assert info.value.path == str(path) and info.value.line is None


def test_cli_empty_gene_sets_fail_instead_of_testing_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.gmt"
    empty.write_text("")
    ex = ldenrich.example_data()
    rc = main(["enrich", "--sumstats", str(ex.sumstats), "--bim", str(ex.bim), "--gene-loc",
               str(ex.gene_loc), "--gene-sets", str(empty),
               "--out", str(tmp_path / "x")])  # fmt: skip
    line = _single_error_line(capsys.readouterr().err)
    assert rc == 1 and str(empty) in line and "no gene sets" in line
    assert not (tmp_path / "x.enrichment.tsv").exists()
    assert (tmp_path / "x.log").read_text().rstrip().endswith("exit status 1")


def test_cli_more_blocks_than_snps_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(_enrich_args(tmp_path, blocks="100000000"))
    line = _single_error_line(capsys.readouterr().err)
    assert rc == 1 and "100000000 jackknife blocks for" in line and "InvalidArgumentError" in line


def test_sets_whose_genes_are_never_found_fail_with_the_id_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Symbol sets against results keyed by Entrez ids without symbols: MAGMA's .genes.out.
    rng = np.random.default_rng(3)
    out = tmp_path / "m.genes.out"
    rows = "".join(f"{1000 + i} 22 {i * 100} {i * 100 + 50} 5 3 1000 {rng.normal():.4f} 0.5\n"
                   for i in range(50))  # fmt: skip
    out.write_text("GENE CHR START STOP NSNPS NPARAM N ZSTAT P\n" + rows)
    sets = tmp_path / "s.gmt"
    sets.write_text("".join(f"set{k}\tdesc\tGRIN2A\tDRD{k}\tHTR{k}\n" for k in range(30)))
    with (
        pytest.warns(ldenrich.LdenrichWarning, match="gene memberships"),
        pytest.raises(ldenrich.InconsistentInputError, match="give the gene locations"),
    ):
        ldenrich.gene_set_analysis(ldenrich.read_gene_results(out), ldenrich.read_gene_sets(sets))
    rc = main(["sets", "--gene-results", str(out), "--gene-sets", str(sets), "--out",
               str(tmp_path / "x")])  # fmt: skip
    line = _single_error_line(capsys.readouterr().err)
    assert rc == 1 and "no gene of the 30 gene sets" in line and "--gene-loc" in line


# --------------------------------------------------------------------------------------------
# --out: one rule for every subcommand
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "prefix"),
    [("res/", "res/ldenrich"), ("existing", "existing/ldenrich"), ("res/trait", "res/trait"),
     ("a/b/c/trait", "a/b/c/trait")],
)  # fmt: skip
def test_out_is_a_prefix_or_a_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str, prefix: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    assert main(_enrich_args(tmp_path, out=out)) == 0
    assert (tmp_path / f"{prefix}.enrichment.tsv").is_file()
    assert (tmp_path / f"{prefix}.log").is_file()
    # Nothing lands beside the directory (`--out res/` once wrote ./res.enrichment.tsv).
    assert not list(tmp_path.glob("*.enrichment.tsv"))
