"""SNP universe, row accounting and gene-window annotation on small hand-made files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ldenrich

BIM = """\
1 rs1 0 1000 A G
1 rs2 0 64999 A G
1 rs3 0 65000 A G
1 rs4 0 100000 A G
1 rs5 0 110000 A G
1 rs6 0 110001 A G
1 rs7 0 200000 A T
1 rs8 0 300000 C G
1 rs9 0 300000 A C
1 rs9 0 300001 A C
23 rs10 0 100 A G
2 rs11 0 5000 A G
1 rs12 0 500000 A G
"""

SUMSTATS = """\
SNP A1 A2 P
rs1 A G 0.5
rs2 G A 0.01
rs3 T C 0.02
rs4 A G 0.3
rs5 A G 0.4
rs6 A G 0.04
rs7 A T 0.2
rs8 C G 0.9
rs9 A C 0.1
rs10 A G 0.1
rs11 A G NA
rs12 A C 0.2
rs13 A G 0.2
rs14 A G 0.2
rs14 A G 0.3
"""

# Gene A (+): [100000, 100500] -> window [65000, 110500]; gene B (-): [300000, 400000] ->
# window [290000, 435000]; gene C (+) on chr 2 near 0 -> start clamped at 0.
GENES = """\
11 1 100000 100500 + GENEA
22 1 300000 400000 - GENEB
33 2 100 200 + GENEC
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in [("ref.bim", BIM), ("ss.txt", SUMSTATS), ("g.loc", GENES)]:
        paths[name] = tmp_path / name
        paths[name].write_text(text)
    return paths


def build(files: dict[str, Path], **kwargs) -> ldenrich.Annotation:
    return ldenrich.annotate(
        ldenrich.read_sumstats(files["ss.txt"]),
        ldenrich.read_bim(files["ref.bim"]),
        ldenrich.read_gene_loc(files["g.loc"]),
        **kwargs,
    )


def test_every_row_is_accounted_for(files) -> None:
    annot = build(files, gene_sets={"a": ["GENEA"]})
    qc = dict(zip(annot.qc.reason, annot.qc["count"], strict=True))
    assert qc["read"] == 15
    assert qc["used"] == 8
    assert qc["dropped_missing_statistic"] == 1  # rs11
    assert qc["dropped_duplicate_snp_id"] == 2  # rs14 twice
    assert qc["dropped_not_in_reference"] == 1  # rs13
    assert qc["dropped_duplicate_in_reference"] == 1  # rs9
    assert qc["dropped_non_autosomal"] == 1  # rs10
    assert qc["dropped_allele_mismatch"] == 1  # rs12: A/C vs A/G
    assert qc["read"] == sum(v for k, v in qc.items() if k != "read")
    assert annot.qc_details["strand_ambiguous_kept"] == 2  # rs7 A/T, rs8 C/G
    dropped = build(files, gene_sets={"a": ["GENEA"]}, drop_strand_ambiguous=True)
    assert (
        dict(zip(dropped.qc.reason, dropped.qc["count"], strict=True))["dropped_strand_ambiguous"]
        == 2
    )


def test_windows_are_closed_strand_aware_and_clamped(files) -> None:
    annot = build(
        files, gene_sets={"a": ["GENEA"], "b": ["22"], "c": ["genec"], "ab": ["GENEA", "GENEB"]}
    )
    snps = annot.snps().snp.tolist()

    def members(name: str) -> list[str]:
        return [s for s, m in zip(snps, annot.membership(name), strict=True) if m]

    # rs2 at 64999 is one base before the window start 65000; rs6 at 110001 is inside
    # (window end 110500).
    assert members("a") == ["rs3", "rs4", "rs5", "rs6"]
    assert members("b") == ["rs8"]  # minus strand: 10 kb before 300000 -> 290000
    assert members("ab") == ["rs3", "rs4", "rs5", "rs6", "rs8"]
    assert members("c") == []  # rs11 (chr2 5000) was dropped for a missing statistic
    cats = annot.categories().set_index("category")
    assert cats.loc["c", "n_genes_found"] == 1  # symbols match case-insensitively


def test_missing_genes_are_counted(files) -> None:
    with pytest.warns(ldenrich.LdenrichWarning, match="2 of 3 genes are not in"):
        annot = build(files, gene_sets={"s": ["GENEA", "NOPE", "999", "GENEA"]})
    cats = annot.categories().set_index("category")
    assert cats.loc["s", "n_genes"] == 3
    assert cats.loc["s", "n_genes_found"] == 1
    assert annot.missing_genes("s") == ["NOPE", "999"]


def test_bed_intervals_are_half_open(files, tmp_path: Path) -> None:
    bed = tmp_path / "x.bed"
    # [64999, 65000) in BED is base 65000 only.
    bed.write_text("track name=x\nchr1\t64999\t65000\nchr1\t109999\t110000\n")
    annot = build(files, beds=[bed])
    snps = annot.snps().snp.to_numpy()
    assert snps[annot.membership("x")].tolist() == ["rs3", "rs5"]
    frame = ldenrich.read_bed(bed)
    annot2 = build(files, beds={"same": frame})
    np.testing.assert_array_equal(annot.membership("x"), annot2.membership("same"))


def test_universe_order_is_genome_order(files) -> None:
    snps = build(files, gene_sets={"a": ["GENEA"]}).snps()
    assert list(zip(snps.chrom, snps.bp, strict=True)) == sorted(
        zip(snps.chrom, snps.bp, strict=True)
    )


def test_duplicate_category_names_are_refused(files, tmp_path: Path) -> None:
    bed = tmp_path / "a.bed"
    bed.write_text("chr1\t0\t10\n")
    with pytest.raises(ldenrich.InconsistentInputError, match="used twice"):
        build(files, gene_sets={"a": ["GENEA"]}, beds=[bed])


def test_gene_sets_without_gene_locations_are_refused(files) -> None:
    with pytest.raises(ldenrich.InvalidArgumentError):
        ldenrich.annotate(
            ldenrich.read_sumstats(files["ss.txt"]),
            ldenrich.read_bim(files["ref.bim"]),
            gene_sets={"a": ["GENEA"]},
        )


def test_no_shared_snp_is_a_clear_error(files, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("SNP P\nrsX 0.1\n")
    with pytest.raises(ldenrich.InconsistentInputError, match="no SNP of"):
        ldenrich.annotate(ldenrich.read_sumstats(other), ldenrich.read_bim(files["ref.bim"]))


def test_gene_set_formats(tmp_path: Path) -> None:
    rows = tmp_path / "sets.txt"
    rows.write_text("A G1 G2\nB G3\n")
    long = tmp_path / "long.txt"
    long.write_text("A\tG1\nA\tG2\nB\tG3\n")
    gmt = tmp_path / "sets.gmt.gz"
    import gzip

    with gzip.open(gmt, "wt") as fh:
        fh.write("A\tfirst set\tG1\tG2\nB\tNA\tG3\n")
    for path, fmt in [(rows, "magma"), (long, "long"), (gmt, "gmt")]:
        sets = ldenrich.read_gene_sets(path)
        assert sets.format == fmt
        assert dict(sets) == {"A": ["G1", "G2"], "B": ["G3"]}


def test_matching_by_position_finds_the_same_snps_as_by_rsid(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The bundled real height data by rsid, by position, without its id column, and with
    ``chr:pos:a1:a2`` ids and flipped / swapped alleles: the same SNPs and chi-squares."""
    import pandas as pd

    ex = ldenrich.example_data()
    bim = ldenrich.read_bim(ex.bim)
    genes = ldenrich.read_gene_loc(ex.gene_loc)

    def snps(path, match="auto"):  # type: ignore[no-untyped-def]
        annot = ldenrich.annotate(ldenrich.read_sumstats(path), bim, genes, match=match)
        qc = dict(zip(annot.qc["reason"], annot.qc["count"], strict=True))
        return annot.snps()[["snp", "chisq"]], qc

    by_rsid, qc_rsid = snps(ex.sumstats, "rsid")
    table = pd.read_csv(ex.sumstats, sep="\t")
    noid = tmp_path / "noid.tsv"
    table.drop(columns="SNP").to_csv(noid, sep="\t", index=False)
    flip = {"A": "T", "C": "G", "G": "C", "T": "A"}
    ids = table.copy()
    ids["SNP"] = [
        f"{c}:{p}:{a}:{b}" for c, p, a, b in zip(ids.CHR, ids.POS, ids.A2, ids.A1, strict=True)
    ]
    ids["A1"], ids["A2"] = ids.A1.map(flip), ids.A2.map(flip)
    ids = ids.drop(columns=["CHR", "POS"])
    with_ids = tmp_path / "ids.tsv"
    ids.to_csv(with_ids, sep="\t", index=False)
    for path, match in [(ex.sumstats, "position"), (noid, "auto"), (with_ids, "auto")]:
        got, qc = snps(path, match)
        assert qc == qc_rsid, (path, match)
        pd.testing.assert_series_equal(got.chisq, by_rsid.chisq)
    # Forced by rsid, a file without ids has nothing to match.
    with pytest.raises(ldenrich.InconsistentInputError, match="dropped_missing_snp_id=15935"):
        snps(noid, "rsid")
    with pytest.raises(ldenrich.InvalidArgumentError, match="match must be"):
        snps(noid, "bp")


def test_set_and_bed_files_reach_the_core_without_python_lists(
    files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A GO-BP-scale file must go from the core's reader to annotate as the core's own object:
    # with every Python-side view of the sets and of BED frames disabled, annotating from the
    # files still works and gives what the same categories built in Python give.
    rng = np.random.default_rng(3)
    genes = ["GENEA", "GENEB", "GENEC", "22", "NOPE"]
    sets = {f"SET_{i}": sorted(set(rng.choice(genes, 3).tolist())) for i in range(8_000)}
    gmt = tmp_path / "go_bp_like.gmt"
    gmt.write_text("".join(f"{n}\tdesc {n}\t" + "\t".join(g) + "\n" for n, g in sets.items()))
    bed = tmp_path / "peaks.bed"
    bed.write_text("chr1\t64999\t65000\nchrUn_gl000220\t1\t9\n 1\t109999\t300000\n")
    with pytest.warns(ldenrich.LdenrichWarning):
        expected = build(files, gene_sets=sets, beds={"peaks": ldenrich.read_bed(bed)})
    read = ldenrich.read_gene_sets(gmt)
    assert len(read) == len(sets) and read["SET_7"] == sets["SET_7"]  # the Mapping view

    def refuse(*_args, **_kwargs):
        raise AssertionError("a category file went through Python objects")

    for name in ("__getitem__", "__iter__", "items", "values"):
        monkeypatch.setattr(ldenrich.GeneSets, name, refuse)
    monkeypatch.setattr(ldenrich.annot, "read_bed", refuse, raising=False)
    monkeypatch.setattr(ldenrich.io, "read_bed", refuse)
    with pytest.warns(ldenrich.LdenrichWarning):
        native = build(files, gene_sets=read, beds=[bed])
        from_path = build(files, gene_sets=gmt, beds=[bed])
    for annot in (native, from_path):
        assert annot.category_names == expected.category_names
        for name in ["SET_0", "SET_7999", "peaks"]:
            np.testing.assert_array_equal(annot.membership(name), expected.membership(name))
        assert annot.descriptions["SET_5"] == "desc SET_5"
    cats, want = native.categories(), expected.categories()
    assert (cats["source"].iloc[:-1] == gmt.name).all()
    for column in ["n_genes", "n_genes_found", "n_intervals", "n_snps"]:
        assert cats[column].tolist() == want[column].tolist()


def test_frame_intervals_follow_the_bed_file_rules(files, tmp_path: Path) -> None:
    import pandas as pd

    bed = tmp_path / "f.bed"
    bed.write_text(
        "chr1\t64999\t65000\nchrUn_x\t0\t5\nchr1\t5\t5\nchrX\t0\t200\n1\t109999\t110000\n"
    )
    frame = pd.DataFrame(
        {
            "chrom": [" chr1", "chrUn_x", "chr1", "X", 1],
            "start": np.array([64999, 0, 5, 0, 109999], dtype=np.uint32),
            "end": [65000, 5, 5, 200, 110000],
        }
    )
    from_file, from_frame = build(files, beds=[bed]), build(files, beds={"f": frame})
    np.testing.assert_array_equal(from_file.membership("f"), from_frame.membership("f"))
    assert from_file.categories()["n_intervals"].tolist() == [3]
    assert from_frame.categories()["n_intervals"].tolist() == [3]
    for start, end, message in [(5, 4, "start <= end"), (-1, 4, "between 0 and"),
                                (0, 2**40, "between 0 and")]:  # fmt: skip
        bad = pd.DataFrame({"chrom": ["1"], "start": [start], "end": [end]})
        with pytest.raises(ldenrich.InvalidArgumentError, match=message):
            build(files, beds={"bad": bad})
    with pytest.raises(ldenrich.InvalidArgumentError, match="must be integers"):
        build(files, beds={"bad": frame.assign(start=frame["start"] + 0.5)})
    unsigned = frame.assign(end=np.array([2**63 + 5] * 5, dtype=np.uint64))
    with pytest.raises(ldenrich.InvalidArgumentError, match="between 0 and"):
        build(files, beds={"bad": unsigned})


def test_gene_sets_read_from_a_file_pickle_as_their_sets() -> None:
    import pickle

    sets = ldenrich.read_gene_sets(ldenrich.example_data().gene_sets)
    copy = pickle.loads(pickle.dumps(sets))
    assert dict(copy) == dict(sets) and copy.descriptions == sets.descriptions
    assert (copy.source, copy.format) == (sets.source, sets.format)
