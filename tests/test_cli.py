"""The command line end to end on the bundled real data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ldenrich
from ldenrich.cli import main


def test_enrich_writes_tables_equal_to_the_api(tmp_path: Path, capsys) -> None:
    ex = ldenrich.example_data()
    bed = tmp_path / "lrld.bed"
    bed.write_text("chr22\t17000000\t18500000\nchr22\t30000000\t31000000\n")
    out = tmp_path / "run" / "height"
    code = main(
        [
            "enrich",
            "--sumstats", str(ex.sumstats),
            "--bim", str(ex.bim),
            "--gene-loc", str(ex.gene_loc),
            "--gene-sets", str(ex.gene_sets),
            "--bed", str(bed),
            "--blocks", "100",
            "--threads", "2",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    table = pd.read_csv(f"{out}.enrichment.tsv", sep="\t")
    api = ldenrich.enrichment(
        ldenrich.annotate(
            ldenrich.read_sumstats(ex.sumstats),
            ldenrich.read_bim(ex.bim),
            ldenrich.read_gene_loc(ex.gene_loc),
            gene_sets=ldenrich.read_gene_sets(ex.gene_sets),
            beds=[bed],
        ),
        blocks=100,
    )
    assert table.columns.tolist() == api.columns.tolist()
    assert table.category.tolist()[-1] == "lrld"
    for col in ["enrichment", "enrichment_se", "welch_t", "mwu_z", "q_bh"]:
        # Written with full precision: values round-trip exactly.
        np.testing.assert_array_equal(table[col].to_numpy(), api[col].to_numpy(), err_msg=col)
    qc = pd.read_csv(f"{out}.qc.tsv", sep="\t").set_index("reason")["count"]
    assert qc["read"] == qc.drop("read").sum() == 15935
    log = Path(f"{out}.log").read_text()
    assert "ldenrich " + ldenrich.__version__ in log and "jackknife blocks: 100" in log
    err = capsys.readouterr().err
    assert "testing 16 categories" in err


def test_demo_runs(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    table = pd.read_csv(tmp_path / "demo" / "demo.enrichment.tsv", sep="\t")
    assert {"cgr_targets", "nmda_receptors", "inflammation"} <= set(table.category)
    assert "glutamate_plasticity_expanded" in capsys.readouterr().out


def test_help_everywhere() -> None:
    for args in (["--help"], ["enrich", "--help"], ["demo", "--help"]):
        run = subprocess.run(
            [sys.executable, "-m", "ldenrich", *args], capture_output=True, text=True, check=False
        )
        assert run.returncode == 0 and "usage: ldenrich" in run.stdout


def test_errors_are_one_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("SNP P\nrs1 0.1\nrs2\n")
    ex = ldenrich.example_data()
    code = main(["enrich", "--sumstats", str(bad), "--bim", str(ex.bim), "--bed", str(bad),
                 "--out", str(tmp_path / "x")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("ldenrich: error:") and "bad.txt" in last and "line 3" in last
    assert "Traceback" not in err


@pytest.mark.parametrize("flag", [["--blocks", "1"], ["--min-snps", "0"]])
def test_invalid_arguments(tmp_path: Path, capsys, flag: list[str]) -> None:
    ex = ldenrich.example_data()
    code = main(["enrich", "--sumstats", str(ex.sumstats), "--bim", str(ex.bim),
                 "--gene-loc", str(ex.gene_loc), "--gene-sets", str(ex.gene_sets),
                 "--out", str(tmp_path / "x"), *flag])  # fmt: skip
    assert code == 1
    assert "InvalidArgumentError" in capsys.readouterr().err
