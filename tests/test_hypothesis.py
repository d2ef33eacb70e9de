"""Hypothesis tests of the Python API on random small inputs: every failure is an
``LdenrichError`` (never another exception, never a crash of the interpreter), and whenever the
universe is built, the QC identity ``read = used + sum(dropped_*)`` holds."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import ldenrich

TOKENS = [
    "NA", "nan", ".", "", "inf", "1e-400", "0", "-0", "1", "2", "-0.1", "0.5", "1e-8", "3.2",
    "-1.5", "1e309", "4294967296", "rs1", "rs2", "rs3", "rs4", "rs01", "1:100:A:G", "chr1",
    "chrX", "X", "22", "A", "C", "G", "T", "AT", "+", "-", '"0.2"', "é", "#x", "100", "200",
]  # fmt: skip
HEADER = ["SNP", "rsid", "P", "pval", "Z", "BETA", "OR", "SE", "A1", "A2", "N", "CHR", "BP"]
BIM = "1\trs1\t0\t100\tA\tG\n1\trs2\t0\t200\tC\tT\n2\trs3\t0\t50\tA\tT\n23\trs4\t0\t10\tA\tG\n"

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

rows = st.lists(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=7), max_size=25)


def _table(header: list[str], body: list[list[str]], sep: str, pad: bool) -> str:
    if pad:
        body = [(r + ["0.5"] * len(header))[: len(header)] for r in body]
    return "".join(sep.join(r) + "\n" for r in [header, *body])


@SETTINGS
@given(
    header=st.lists(st.sampled_from(HEADER), min_size=1, max_size=6, unique=True),
    body=rows,
    sep=st.sampled_from(["\t", " ", ","]),
    pad=st.booleans(),
    chisq_from=st.sampled_from(["auto", "z", "p", "beta-se"]),
)
# Found by hypothesis in CI: a universe of one SNP.
@example(header=["SNP", "BETA", "rsid", "P"], body=[["NA", "NA", "rs1"]], sep="\t", pad=True,
         chisq_from="auto")  # fmt: skip
def test_sumstats_then_annotate(
    header: list[str], body: list[list[str]], sep: str, pad: bool, chisq_from: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ss_path = Path(tmp) / "gwas.txt"
        ss_path.write_text(_table(header, body, sep, pad), encoding="utf-8")
        bim_path = Path(tmp) / "ref.bim"
        bim_path.write_text(BIM)
        try:
            ss = ldenrich.read_sumstats(ss_path, chisq_from=chisq_from)  # type: ignore[arg-type]
        except ldenrich.LdenrichError as exc:
            assert str(ss_path) in str(exc)
            return
        assert ss.rows_read == len(ss) + sum(ss.dropped.values())
        assert np.all(np.isfinite(ss.chisq)) and np.all(ss.chisq >= 0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ldenrich.LdenrichWarning)
                annot = ldenrich.annotate(ss, ldenrich.read_bim(bim_path), beds={"b": _bed()})
        except ldenrich.InconsistentInputError as exc:
            assert "no SNP" in str(exc)
            return
        qc = annot.qc.set_index("reason")["count"]
        dropped = qc[[r for r in qc.index if r.startswith("dropped_")]].sum()
        assert qc["read"] == qc["used"] + dropped == ss.rows_read
        assert qc["used"] == len(annot)
        if len(annot) < 2:
            # A single SNP has no "outside" to compare with: a clear error, never a number.
            with pytest.raises(ldenrich.InconsistentInputError, match="at least 2 SNPs"):
                ldenrich.enrichment(annot, blocks=2)
            return
        table = ldenrich.enrichment(annot, blocks=2)
        assert len(table) == 1


def _bed() -> pd.DataFrame:
    return pd.DataFrame({"chrom": ["chr1"], "start": [0], "end": [150]})


@SETTINGS
@given(
    data=st.binary(max_size=300) | rows.map(lambda r: _table(["x"], r, "\t", False).encode()),
    reader=st.sampled_from(["bim", "gene_loc", "gene_sets", "bed"]),
    name=st.sampled_from(["f.txt", "f.gmt", "f.bed", "f.bim"]),
)
def test_readers_raise_only_ldenrich_errors(data: bytes, reader: str, name: str) -> None:
    function = {
        "bim": ldenrich.read_bim,
        "gene_loc": ldenrich.read_gene_loc,
        "gene_sets": ldenrich.read_gene_sets,
        "bed": ldenrich.read_bed,
    }[reader]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            function(path)
        except ldenrich.LdenrichError as exc:
            assert str(path) in str(exc)
            if isinstance(exc, ldenrich.ParseError) and exc.line is None:
                # A file without a usable record is not about one line.
                assert f"{path}: no " in str(exc)
            elif isinstance(exc, ldenrich.ParseError):
                assert exc.line >= 1 and f"line {exc.line}" in str(exc)


@SETTINGS
@given(
    chisq=st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=0, max_size=60),
    mask_bits=st.lists(st.booleans(), min_size=0, max_size=60),
    blocks=st.integers(min_value=-1, max_value=80),
)
def test_enrichment_arrays_never_crash(
    chisq: list[float], mask_bits: list[bool], blocks: int
) -> None:
    values = np.array(chisq, dtype=np.float64)
    mask = np.array((mask_bits + [False] * len(chisq))[: len(chisq)], dtype=bool)
    try:
        table = ldenrich.enrichment_arrays(values, {"m": mask}, blocks=blocks)
    except ldenrich.LdenrichError:
        return
    assert len(table) == 1
    assert int(table.n_snps_in.iloc[0]) == int(mask.sum())
