"""The command line end to end on the bundled real data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ldenrich
from ldenrich.cli import main

# Real public data, provenance in tests/data/README.md.
REAL = Path(__file__).parent / "data" / "real"


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


def test_demo_runs_the_whole_pipeline(tmp_path: Path, capsys) -> None:
    out = tmp_path / "demo"
    # A path ending in / is a directory (created), holding demo.*.
    assert main(["demo", "--out", f"{out}/"]) == 0
    table = pd.read_csv(out / "demo.enrichment.tsv", sep="\t")
    assert {"cgr_targets", "nmda_receptors", "inflammation"} <= set(table.category)
    stdout = capsys.readouterr().out
    assert "glutamate_plasticity_expanded" in stdout and "report:" in stdout
    for suffix in ["genes.out", "genes.raw", "gsa.out", "sets.tsv", "kruskal.tsv", "members.tsv",
                   "table3.tsv", "qc.tsv", "report.html", "log"]:  # fmt: skip
        assert (out / f"demo.{suffix}").stat().st_size > 0, suffix
    figures = {p.name for p in out.iterdir() if p.suffix in (".png", ".svg")}
    assert {"demo.enrichment_forest.png", "demo.enrichment_forest.svg",
            "demo.genes_manhattan_qq.svg"} <= figures  # fmt: skip
    # Nothing but final files: no temporary file, no lock, no unfinished log.
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") or
                p.suffix in (".part", ".lock")]  # fmt: skip
    assert (out / "demo.log").read_text().rstrip().endswith("exit status 0")
    # Table 3 joins the screen to the set tests for the same set.
    t3 = pd.read_csv(out / "demo.table3.tsv", sep="\t").set_index("set")
    screen = table.set_index("category")
    tested = t3.index[t3.enrichment.notna()]
    assert len(tested) >= 10
    assert np.allclose(t3.loc[tested, "enrichment"], screen.loc[tested, "enrichment"], rtol=1e-12)
    report = (out / "demo.report.html").read_text()
    assert "ldenrich demo" in report and ldenrich.__version__ in report
    assert report.count("data:image/png;base64,") == 3 and "Gene-level Manhattan" in report
    log = (out / "demo.log").read_text()
    assert "model: GLS" in log and "Kruskal-Wallis" in log


def test_sets_on_magma_files(tmp_path: Path) -> None:
    raw = REAL / "ieu-a-298.genes.raw"
    go_subset = "neuro_glutamate_monoamine_GO_subset_entrez.gmt"
    gmt = ldenrich.example_data().gene_sets.with_name(go_subset)
    out = tmp_path / "ad"
    assert main(["sets", "--gene-results", str(raw), "--gene-sets", str(gmt), "--out", str(out),
                 "--threads", "1"]) == 0  # fmt: skip
    gsa = pd.read_csv(f"{out}.gsa.out", sep=r"\s+", comment="#")
    sets = pd.read_csv(f"{out}.sets.tsv", sep="\t")
    assert len(gsa) == (sets.status == "ok").sum() > 0
    api = ldenrich.gene_set_analysis(
        ldenrich.read_gene_results(raw), ldenrich.read_gene_sets(gmt)
    ).sets
    np.testing.assert_allclose(sets.p_competitive, api.p_competitive, rtol=1e-12)
    assert "model: GLS" in Path(f"{out}.log").read_text()
    # members.tsv: every set by default here (fewer than 200), the N most significant on request.
    members = pd.read_csv(f"{out}.members.tsv", sep="\t")
    assert set(members.set) == set(sets.set)
    assert main(["sets", "--gene-results", str(raw), "--gene-sets", str(gmt), "--out",
                 str(tmp_path / "top"), "--members-top", "2", "--threads", "1"]) == 0  # fmt: skip
    top = pd.read_csv(tmp_path / "top.members.tsv", sep="\t")
    best = sets.sort_values(["p_competitive", "p_one_sample"]).set.head(2).tolist()
    assert list(dict.fromkeys(top.set)) == best
    # Coordinates are written as integers even though missing genes have none.
    text = pd.read_csv(tmp_path / "top.members.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert (
        text.start[top.found].str.fullmatch(r"\d+").all() and (text.start[~top.found] == "NA").all()
    )
    plain = REAL / "ieu-a-298.genes.out"
    assert main(["sets", "--gene-results", str(plain), "--gene-sets", str(gmt), "--out",
                 str(tmp_path / "ols")]) == 0  # fmt: skip
    assert "# MODEL = OLS" in (tmp_path / "ols.gsa.out").read_text()
    assert "note: no gene-gene correlations" in (tmp_path / "ols.log").read_text()


def test_run_rejects_bad_arguments_before_reading(tmp_path: Path, capsys) -> None:
    ex = ldenrich.example_data()
    args = [
        "run", "--sumstats", str(ex.sumstats), "--bfile", str(ex.bfile), "--gene-loc",
        str(ex.gene_loc), "--gene-sets", str(ex.gene_sets), "--out", str(tmp_path / "r"),
    ]  # fmt: skip
    assert main([*args, "--min-genes", "0"]) == 1
    assert "--min-genes must be at least 1" in capsys.readouterr().err
    assert main([*args, "--blocks", "1"]) == 1
    assert "--blocks must be at least 2" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "genes", "sets", "enrich", "demo"])
@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_every_command_refuses_a_bad_thread_count(command: str, value: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--threads", value])
    assert exit_info.value.code == 2
    assert "argument --threads: must be" in capsys.readouterr().err


def test_help_everywhere() -> None:
    for args in (["--help"], *([c, "--help"] for c in ("run", "genes", "sets", "enrich", "demo"))):
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


def test_cli_start_up_leaves_pandas_and_scipy_to_the_steps_that_need_them() -> None:
    # The enrich command imports them while its readers run; importing them up front cost
    # 0.3 s of every run.
    code = (
        "import sys, ldenrich.cli\n"
        "heavy = sorted(m for m in ('pandas', 'scipy', 'numpy') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_lazy_public_api_resolves_every_name_and_submodule() -> None:
    code = (
        "import ldenrich\n"
        "missing = [n for n in ldenrich.__all__ if getattr(ldenrich, n, None) is None]\n"
        "mods = [ldenrich.io.read_bim, ldenrich.sets.gene_set_analysis]\n"
        "mods.append(ldenrich.plots.forest_plot)\n"
        "assert set(ldenrich.__all__) <= set(dir(ldenrich))\n"
        "from ldenrich import *  # noqa: F403\n"
        "print(missing, read_sumstats is ldenrich.io.read_sumstats)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[] True"
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        ldenrich.not_a_name  # noqa: B018


@pytest.mark.parametrize(
    "imports",
    [
        "import ldenrich.enrichment_screen",
        "import ldenrich.stats",
        "from ldenrich.enrichment_screen import verdict_p",
        "import ldenrich; ldenrich.enrichment; import ldenrich.enrichment_screen",
        "import ldenrich.report, ldenrich.plots, ldenrich.pipeline, ldenrich.batch",
    ],
)
def test_ldenrich_enrichment_stays_the_function_whatever_is_imported_first(imports: str) -> None:
    # The screen's module is not called "enrichment": importing a submodule sets the package
    # attribute of its name, which would replace the function ldenrich.enrichment.
    code = (
        f"{imports}\n"
        "import ldenrich, ldenrich.stats\n"
        "ex = ldenrich.example_data()\n"
        "annot = ldenrich.annotate(ldenrich.read_sumstats(ex.sumstats), ldenrich.read_bim(ex.bim),"
        " ldenrich.read_gene_loc(ex.gene_loc), gene_sets=ldenrich.read_gene_sets(ex.gene_sets))\n"
        "table = ldenrich.enrichment(annot, permutations=0)\n"
        "screen = ldenrich.enrichment_screen\n"
        "print(ldenrich.enrichment is screen.enrichment is ldenrich.stats.enrichment,"
        " ldenrich.stats.FEW_BLOCKS == screen.FEW_BLOCKS, len(table) > 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True True True"


def test_version_names_the_inflate_back_end(capsys) -> None:
    from ldenrich._native import DEFLATE_BACKEND

    assert DEFLATE_BACKEND in ("ISA-L", "zlib-rs")
    # scripts/test.sh says which back end it built; a wheel that silently lost ISA-L fails here.
    expected = os.environ.get("LDENRICH_EXPECT_DEFLATE")
    if expected:
        assert DEFLATE_BACKEND == expected
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"(inflate: {DEFLATE_BACKEND};" in out
    info = ldenrich.build_info()
    assert info["inflate"] == DEFLATE_BACKEND and info["rustc"] in out
    for crate in ("flate2", "faer", "rayon"):
        assert f"{crate} " in info["dependencies"]
    if DEFLATE_BACKEND == "ISA-L":
        assert "isal-rs " in info["dependencies"]


def test_genes_finds_the_sample_size_by_itself(tmp_path: Path, capsys) -> None:
    """Without --n, the N column is detected, named in the log, and gives the same genes.out
    as --n-col N; a file without any sample size is refused with the options to give one."""
    ex = ldenrich.example_data()
    base = ["genes", "--bfile", str(ex.bfile), "--gene-loc", str(ex.gene_loc), "--no-raw"]
    assert main([*base, "--sumstats", str(ex.sumstats), "--out", str(tmp_path / "auto")]) == 0
    assert "sample size: N (detected)" in (tmp_path / "auto.log").read_text()
    named = ["--sumstats", str(ex.sumstats), "--n-col", "N", "--out", str(tmp_path / "named")]
    assert main([*base, *named]) == 0
    auto = pd.read_csv(tmp_path / "auto.genes.out", sep=r"\s+")
    pd.testing.assert_frame_equal(auto, pd.read_csv(tmp_path / "named.genes.out", sep=r"\s+"))
    assert auto.N.between(400_000, 460_000).all()
    table = pd.read_csv(ex.sumstats, sep="\t").drop(columns="N")
    no_n = tmp_path / "no_n.tsv"
    table.to_csv(no_n, sep="\t", index=False)
    capsys.readouterr()
    assert main([*base, "--sumstats", str(no_n), "--out", str(tmp_path / "none")]) != 0
    err = capsys.readouterr().err
    assert "no sample-size column" in err and "--n" in err and str(no_n) in err, err
    # --n overrides a detected column.
    over = ["--sumstats", str(ex.sumstats), "--n", "1000", "--out", str(tmp_path / "over")]
    assert main([*base, *over]) == 0
    assert (pd.read_csv(tmp_path / "over.genes.out", sep=r"\s+").N == 1000).all()


def test_every_step_shows_its_running_time_on_a_terminal(tmp_path: Path) -> None:
    """stderr on a pseudo-terminal: each step gets a live ``what: mm:ss`` line (tqdm); off a
    terminal (every other test) nothing but the log lines."""
    import fcntl
    import pty
    import struct
    import termios

    ex = ldenrich.example_data()
    leader, follower = pty.openpty()
    # A new pseudo-terminal is 0 columns wide, which leaves tqdm no room: give it a real size.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    cmd = [
        sys.executable, "-m", "ldenrich", "enrich", "--sumstats", str(ex.sumstats), "--bim",
        str(ex.bim), "--gene-loc", str(ex.gene_loc), "--gene-sets", str(ex.gene_sets),
        "--out", str(tmp_path / "t"),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=300) == 0
    os.close(leader)
    text = b"".join(chunks).decode(errors="replace")
    assert "  reading summary statistics, reference and gene locations: 00:0" in text
    assert "  testing" in text and "categories: 00:0" in text


def test_build_picks_the_bundled_gene_locations(tmp_path: Path, capsys) -> None:
    """``--build 38`` is ``--gene-loc NCBI38`` (same table, same build warning); ``--build`` with
    ``--gene-loc``, or an unknown build, is a usage error naming the flag."""
    ex = ldenrich.example_data()
    tables = []
    for flags in (["--build", "38"], ["--gene-loc", "NCBI38"], ["--build", "GRCh37"]):
        out = tmp_path / "-".join(flags).replace("--", "") / "x"
        code = main(
            ["enrich", "--sumstats", str(ex.sumstats), "--bim", str(ex.bim), *flags,
             "--gene-sets", str(ex.gene_sets), "--permutations", "0", "--out", str(out)]
        )  # fmt: skip
        assert code == 0
        err = capsys.readouterr().err
        assert err.count("look like NCBI build 38") == (0 if flags[1] == "GRCh37" else 1)
        tables.append(pd.read_csv(f"{out}.enrichment.tsv", sep="\t"))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    assert not tables[0].equals(tables[2])
    for bad, message in (
        (["--build", "36"], "argument --build: must be 37 or 38"),
        (["--build", "37", "--gene-loc", "NCBI37"], "not allowed with argument"),
        ([], "one of the arguments --gene-loc --build is required"),
    ):
        with pytest.raises(SystemExit) as exc:
            main(["genes", "--sumstats", "x", "--bfile", "y", "--out", str(tmp_path / "g"), *bad])
        assert exc.value.code == 2
        assert message in capsys.readouterr().err
