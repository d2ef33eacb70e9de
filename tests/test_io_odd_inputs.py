"""Well-formed but odd input files parse exactly like their clean counterparts.

``tests/data/odd/reference.tsv`` holds six SNPs (``SNP A1 A2 P``, tab separated); every other
summary-statistic fixture there carries the same rows in another dress: CRLF line ends, a UTF-8
byte-order mark, trailing tabs, quoted CSV, lower-case, METAL or GWAS-SSF headers, blank
separation, ``##`` meta lines, no final newline, gzip content behind a ``.txt`` name and BGZF
(made with ``bgzip`` from htslib 1.16). ``.gitattributes`` there keeps the bytes exact.
"""

from __future__ import annotations

import gzip
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ldenrich

ODD = Path(__file__).parent / "data" / "odd"

SNPS = ["rs1", "rs2", "rs3", "rs4", "rs5", "rs6"]
P = np.array([0.5, 0.01, 5e-08, 1e-300, 0.999, 0.2])
EXPECTED_CHISQ = stats.chi2.isf(P, 1)
RTOL = 1e-12

REFERENCE_COLUMNS = {"snp": "SNP", "p": "P", "a1": "A1", "a2": "A2"}

# fixture -> (columns as written in its header, compression, bytes the fixture must contain)
ODD_SUMSTATS: dict[str, tuple[dict[str, str], str, bytes]] = {
    "crlf.tsv": (REFERENCE_COLUMNS, "plain", b"\r\n"),
    "bom.tsv": (REFERENCE_COLUMNS, "plain", b"\xef\xbb\xbfSNP\t"),
    "bom_crlf.csv": (REFERENCE_COLUMNS, "plain", b"\xef\xbb\xbfSNP,A1,A2,P\r\n"),
    "trailing_tabs.tsv": (REFERENCE_COLUMNS, "plain", b"P\t\nrs1\tA\tG\t0.5\t\n"),
    "quoted.csv": (REFERENCE_COLUMNS, "plain", b'"SNP","A1","A2","P"\n"rs1","A","G","0.5"'),
    "lowercase.tsv": ({"snp": "snp", "p": "p", "a1": "a1", "a2": "a2"}, "plain", b"snp\ta1"),
    "space_delimited.txt": (REFERENCE_COLUMNS, "plain", b"SNP A1 A2 P\nrs1 A G 0.5\n"),
    "padded_blanks.txt": (REFERENCE_COLUMNS, "plain", b"  SNP   A1"),
    "meta_lines.tsv": (REFERENCE_COLUMNS, "plain", b"##fileformat"),
    "no_final_newline.tsv": (REFERENCE_COLUMNS, "plain", b"rs6\tT\tC\t0.2"),
    "metal.txt": (
        {"snp": "MarkerName", "p": "P-value", "a1": "Allele1", "a2": "Allele2"},
        "plain",
        b"MarkerName Allele1 Allele2 P-value\nrs1 a g 0.5",
    ),
    "gwas_ssf.tsv": (
        {
            "snp": "variant_id",
            "p": "p_value",
            "a1": "effect_allele",
            "a2": "other_allele",
            "chr": "chromosome",
            "bp": "base_pair_location",
        },
        "plain",
        b"\tstandard_error\tp_value\tvariant_id\n",
    ),
    "gzip_named.txt": (REFERENCE_COLUMNS, "gzip", b"\x1f\x8b"),
    "bgzf.tsv.gz": (REFERENCE_COLUMNS, "bgzf", b"BC\x02\x00"),
}


def _normalize(name: str) -> str:
    """Header names as ldenrich matches them: upper case, ``-``, ``.`` and blanks as ``_``."""
    return name.strip().lstrip("#").upper().replace("-", "_").replace(".", "_").replace(" ", "_")


def _assert_reference_rows(ss: ldenrich.SumStats) -> None:
    assert len(ss) == 6
    assert ss.rows_read == 6
    assert ss.dropped == {}
    assert ss.source == "p"
    assert ss.to_frame()["snp"].tolist() == SNPS
    np.testing.assert_allclose(ss.chisq, EXPECTED_CHISQ, rtol=RTOL, atol=0)


@pytest.fixture(scope="module")
def reference() -> ldenrich.SumStats:
    return ldenrich.read_sumstats(ODD / "reference.tsv")


@pytest.fixture(scope="module")
def reference_annotation(reference: ldenrich.SumStats) -> ldenrich.Annotation:
    return ldenrich.annotate(
        reference, ldenrich.read_bim(ODD / "reference.bim"), beds=ODD / "reference.bed"
    )


def test_reference_file(reference: ldenrich.SumStats) -> None:
    _assert_reference_rows(reference)
    assert reference.columns == REFERENCE_COLUMNS
    assert reference.compression == "plain"
    assert all(size < 5000 for size in (p.stat().st_size for p in ODD.iterdir()))


@pytest.mark.parametrize("fixture", sorted(ODD_SUMSTATS))
def test_odd_sumstats_match_reference(fixture: str, reference: ldenrich.SumStats) -> None:
    columns, compression, marker = ODD_SUMSTATS[fixture]
    path = ODD / fixture
    raw = path.read_bytes()
    assert marker in raw, f"{fixture} lost what makes it odd"
    ss = ldenrich.read_sumstats(path)
    _assert_reference_rows(ss)
    np.testing.assert_array_equal(ss.chisq, reference.chisq)
    assert ss.compression == compression
    assert ss.path == str(path)
    assert {role: _normalize(name) for role, name in ss.columns.items()} == {
        role: _normalize(name) for role, name in columns.items()
    }


@pytest.mark.parametrize("fixture", ["lowercase.tsv", "metal.txt", "gwas_ssf.tsv"])
def test_columns_are_reported_as_written(fixture: str) -> None:
    columns, _, _ = ODD_SUMSTATS[fixture]
    assert ldenrich.read_sumstats(ODD / fixture).columns == columns


@pytest.mark.parametrize("fixture", sorted(ODD_SUMSTATS))
def test_odd_sumstats_annotate_like_reference(
    fixture: str, reference_annotation: ldenrich.Annotation
) -> None:
    """Same universe, chi-squares and QC as the clean file (alleles in any case still match)."""
    annot = ldenrich.annotate(
        ldenrich.read_sumstats(ODD / fixture),
        ldenrich.read_bim(ODD / "reference.bim"),
        beds=ODD / "reference.bed",
    )
    pd.testing.assert_frame_equal(annot.snps(), reference_annotation.snps())
    pd.testing.assert_frame_equal(annot.qc, reference_annotation.qc)
    assert annot.qc_details["alleles_checked"]


def test_reference_annotation_contents(reference_annotation: ldenrich.Annotation) -> None:
    snps = reference_annotation.snps()
    # rs6 is on X: dropped as non-autosomal; the other five in (chrom, bp) order.
    assert snps["snp"].tolist() == ["rs1", "rs2", "rs3", "rs4", "rs5"]
    np.testing.assert_allclose(snps["chisq"], EXPECTED_CHISQ[:5], rtol=RTOL, atol=0)
    qc = reference_annotation.qc.set_index("reason")["count"]
    assert (qc["read"], qc["used"], qc["dropped_non_autosomal"]) == (6, 5, 1)
    cats = reference_annotation.categories().set_index("category")
    # reference.bed: chr1 [0, 1500) holds rs1 (bp 1000); chr2 [1000, 3000) holds rs3, rs4.
    assert int(cats.loc["reference", "n_snps"]) == 3


def test_gwas_ssf_beta_se() -> None:
    ss = ldenrich.read_sumstats(ODD / "gwas_ssf.tsv", chisq_from="beta-se")
    assert ss.source == "beta-se"
    assert {k: _normalize(v) for k, v in ss.columns.items()} == {
        "snp": "VARIANT_ID",
        "beta": "BETA",
        "se": "STANDARD_ERROR",
        "a1": "EFFECT_ALLELE",
        "a2": "OTHER_ALLELE",
        "chr": "CHROMOSOME",
        "bp": "BASE_PAIR_LOCATION",
    }
    table = pd.read_csv(ODD / "gwas_ssf.tsv", sep="\t")
    expected = (table["beta"].to_numpy() / table["standard_error"].to_numpy()) ** 2
    np.testing.assert_allclose(ss.chisq, expected, rtol=RTOL, atol=0)
    np.testing.assert_allclose(
        stats.chi2.isf(table["p_value"].to_numpy(), 1), EXPECTED_CHISQ, rtol=RTOL, atol=0
    )


def test_explicit_columns_are_case_insensitive() -> None:
    ss = ldenrich.read_sumstats(ODD / "metal.txt", snp_col="markername", p_col="p-value")
    _assert_reference_rows(ss)


# --------------------------------------------------------------------------------------------
# Compression generated on the fly: multi-member gzip, multi-block BGZF
# --------------------------------------------------------------------------------------------

BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def _bgzf_block(data: bytes) -> bytes:
    """One BGZF block (SAM spec 4.1): a gzip member whose extra field is ``BC`` + block size."""
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    cdata = deflate.compress(data) + deflate.flush()
    header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff" + struct.pack(
        "<H2sHH", 6, b"BC", 2, 18 + len(cdata) + 8 - 1
    )
    return header + cdata + struct.pack("<II", zlib.crc32(data), len(data))


def _write_bgzf(path: Path, data: bytes, block: int) -> None:
    blocks = [_bgzf_block(data[i : i + block]) for i in range(0, len(data), block)]
    path.write_bytes(b"".join(blocks) + _bgzf_block(b""))


def test_bgzf_writer_matches_the_spec() -> None:
    assert _bgzf_block(b"") == BGZF_EOF
    assert (ODD / "bgzf.tsv.gz").read_bytes().endswith(BGZF_EOF)


def test_multi_block_bgzf_with_lines_across_blocks(tmp_path: Path) -> None:
    data = (ODD / "reference.tsv").read_bytes()
    path = tmp_path / "blocks.tsv.bgz"
    _write_bgzf(path, data, block=7)  # every line straddles a block boundary
    assert gzip.decompress(path.read_bytes()) == data
    ss = ldenrich.read_sumstats(path)
    assert ss.compression == "bgzf"
    _assert_reference_rows(ss)


def test_multi_member_gzip(tmp_path: Path) -> None:
    data = (ODD / "reference.tsv").read_bytes()
    path = tmp_path / "members.tsv.gz"
    path.write_bytes(b"".join(gzip.compress(data[i : i + 10], mtime=0) for i in range(0, 92, 10)))
    ss = ldenrich.read_sumstats(path)
    assert ss.compression == "gzip"
    _assert_reference_rows(ss)


def test_large_bgzip_file(tmp_path: Path) -> None:
    """A file of several 64 KiB BGZF blocks written by htslib's ``bgzip``."""
    bgzip = shutil.which("bgzip")
    if bgzip is None:
        pytest.skip("bgzip (htslib/tabix) is not installed")
    n = 20000
    p = np.linspace(1e-6, 1.0, n)
    text = "SNP\tP\n" + "".join(f"rs{i}\t{v:.17g}\n" for i, v in enumerate(p))
    plain = tmp_path / "big.tsv"
    plain.write_text(text)
    subprocess.run([bgzip, "-f", str(plain)], check=True)
    path = tmp_path / "big.tsv.gz"
    assert path.read_bytes().count(b"BC\x02\x00") > 3
    ss = ldenrich.read_sumstats(path)
    assert (ss.compression, len(ss), ss.rows_read, ss.dropped) == ("bgzf", n, n, {})
    np.testing.assert_allclose(ss.chisq, stats.chi2.isf(p, 1), rtol=RTOL, atol=0)


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    """Plain text named ``.gz`` is read as plain; gzip named ``.bim``/``.bed`` is decompressed."""
    fake = tmp_path / "plain.tsv.gz"
    fake.write_bytes((ODD / "reference.tsv").read_bytes())
    assert ldenrich.read_sumstats(fake).compression == "plain"
    bim = tmp_path / "panel.bim"
    bim.write_bytes(gzip.compress((ODD / "reference.bim").read_bytes()))
    pd.testing.assert_frame_equal(
        ldenrich.read_bim(bim).to_frame(), ldenrich.read_bim(ODD / "reference.bim").to_frame()
    )
    bed = tmp_path / "intervals.bed"
    bed.write_bytes(gzip.compress((ODD / "reference.bed").read_bytes()))
    pd.testing.assert_frame_equal(ldenrich.read_bed(bed), ldenrich.read_bed(ODD / "reference.bed"))


def test_space_delimited_with_trailing_tab(tmp_path: Path) -> None:
    path = tmp_path / "space_trailing_tab.txt"
    path.write_bytes((ODD / "space_delimited.txt").read_bytes().replace(b"\n", b"\t\n"))
    _assert_reference_rows(ldenrich.read_sumstats(path))


# --------------------------------------------------------------------------------------------
# .bim, BED, gene locations and gene sets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["chr_prefix.bim", "crlf_bom.bim"])
def test_odd_bim_matches_reference(
    fixture: str, reference: ldenrich.SumStats, reference_annotation: ldenrich.Annotation
) -> None:
    path = ODD / fixture
    raw = path.read_bytes()
    assert (b"chr1\t" in raw and b"CHR2\t" in raw) or raw.startswith(b"\xef\xbb\xbf1 rs1")
    bim = ldenrich.read_bim(path)
    frame = bim.to_frame()
    pd.testing.assert_frame_equal(frame, ldenrich.read_bim(ODD / "reference.bim").to_frame())
    assert frame["chrom"].tolist() == [1, 1, 2, 2, 22, 23]
    annot = ldenrich.annotate(reference, bim, beds=ODD / "reference.bed")
    pd.testing.assert_frame_equal(annot.snps(), reference_annotation.snps())
    pd.testing.assert_frame_equal(annot.categories(), reference_annotation.categories())


def test_bim_prefix(tmp_path: Path) -> None:
    shutil.copy(ODD / "reference.bim", tmp_path / "panel.bim")
    bim = ldenrich.read_bim(tmp_path / "panel")
    assert bim.path == str(tmp_path / "panel.bim")
    assert len(bim) == 6


def test_odd_bed_matches_reference() -> None:
    path = ODD / "headers_crlf.bed"
    raw = path.read_bytes()
    assert raw.startswith(b"browser ") and b"\ntrack " in raw and b"\r\n# " in raw
    odd = ldenrich.read_bed(path)
    ref = ldenrich.read_bed(ODD / "reference.bed")
    pd.testing.assert_frame_equal(odd, ref)
    assert odd.attrs["skipped"] == {}
    assert ref.to_dict("list") == {"chrom": [1, 2], "start": [0, 1000], "end": [1500, 3000]}


def test_bed_bom_spaces_and_skipped_contigs(tmp_path: Path) -> None:
    path = tmp_path / "odd.bed"
    path.write_bytes(
        b"\xef\xbb\xbftrack name=x\r\n"
        b"chr1  0  1500\r\n"
        b"chrUn_gl000220\t10\t20\r\n"
        b"chr2\t1000\t3000\tname\t0\t+\r\n"
        b"chr2\t5000\t5000\r\n"
    )
    bed = ldenrich.read_bed(path)
    pd.testing.assert_frame_equal(bed, ldenrich.read_bed(ODD / "reference.bed"))
    assert bed.attrs["skipped"] == {"unknown_chromosome": 1, "empty_interval": 1}


def test_gene_loc_crlf_bom_and_comments(tmp_path: Path) -> None:
    clean = "148398\t1\t859993\t879961\t+\tSAMD11\n26155\t1\t879583\t894679\t-\tNOC2L\n"
    (tmp_path / "clean.loc").write_text(clean)
    odd = tmp_path / "odd.loc"
    odd.write_bytes(
        b"\xef\xbb\xbf# NCBI37.3\r\n" + clean.replace("\t", "  ").encode().replace(b"\n", b"\r\n")
    )
    expected = ldenrich.read_gene_loc(tmp_path / "clean.loc").to_frame()
    got = ldenrich.read_gene_loc(odd)
    pd.testing.assert_frame_equal(got.to_frame(), expected)
    assert got.to_frame()["strand"].tolist() == ["+", "-"]
    assert got.warnings == []


@pytest.mark.parametrize(
    ("name", "content", "format"),
    [
        ("sets.gmt", b"\xef\xbb\xbfS1\tdesc one\tGRIN1\tGRIN2A\t\r\nS2\tNA\tDRD2\r\n", "gmt"),
        ("sets.txt", b"\xef\xbb\xbfS1 GRIN1 GRIN2A\r\n\r\nS2  DRD2 \r\n", "magma"),
        (
            "sets.tsv",
            b"\xef\xbb\xbfgene_set\tgene\r\nS1\tGRIN1\r\nS2\tDRD2\r\nS1\tGRIN2A\r\n",
            "long",
        ),
    ],
)
def test_gene_sets_crlf_bom(name: str, content: bytes, format: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    sets = ldenrich.read_gene_sets(path)
    assert sets.format == format
    assert dict(sets) == {"S1": ["GRIN1", "GRIN2A"], "S2": ["DRD2"]}
