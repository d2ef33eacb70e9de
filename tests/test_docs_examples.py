"""Every code example of README.md and docs/ runs, and the CLI reference matches the parsers.

* ```` ```python ```` blocks of one page run in order in one namespace (a page may build on its
  earlier blocks, as a reader would), in a temporary directory.
* ```` ```bash ```` blocks whose first line starts with ``ldenrich `` run with ``bash -e`` in a
  temporary directory (one per page, so later commands read what earlier ones wrote) in which
  the file names the examples use are links to the bundled example data: ``trait.tsv.gz``
  (summary statistics), ``g1000_eur.{bed,bim,fam}`` (the PLINK panel), ``NCBI37.3.gene.loc``,
  ``targets.gmt`` (the curated gene sets), and ``enhancers.bed``, three chr22 intervals written
  here. Other bash blocks install the project or run this suite and are not run here.
* A block whose info string carries ``no-run`` (```` ```bash no-run ````) is skipped: for
  commands that build or install (they take minutes or need root). Keep it rare.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ldenrich

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(\w*)(.*)$")
ENHANCERS = "chr22\t17000000\t17400000\tpeak1\nchr22\t30000000\t30250000\tpeak2\n" + (
    "chr22\t45000000\t45600000\tpeak3\n"
)


def code_blocks(page: Path) -> list[tuple[str, int, str]]:
    """(language, first line number, code) of each fenced block not marked as not run."""
    blocks = []
    lines = page.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            start = i
            i += 1
            body = []
            while not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            if "no-run" not in m.group(2).split():
                blocks.append((m.group(1), start + 1, "\n".join(body) + "\n"))
        i += 1
    return blocks


def runnable(page: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    blocks = code_blocks(page)
    python = [(n, code) for lang, n, code in blocks if lang == "python"]
    shell = [
        (n, code) for lang, n, code in blocks if lang == "bash" and code.startswith("ldenrich ")
    ]
    return python, shell


def _id(page: Path) -> str:
    return str(page.relative_to(REPO))


PYTHON_PAGES = [p for p in PAGES if runnable(p)[0]]
SHELL_PAGES = [p for p in PAGES if runnable(p)[1]]


def test_the_examples_are_found() -> None:
    # The parser above is what the two tests below rely on: make sure it sees the examples.
    assert REPO / "README.md" in PYTHON_PAGES and REPO / "README.md" in SHELL_PAGES
    assert REPO / "docs" / "index.md" in PYTHON_PAGES and REPO / "docs" / "index.md" in SHELL_PAGES


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=_id)
def test_python_examples_run(page: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for line, code in runnable(page)[0]:
        exec(compile(code, f"{_id(page)}:{line}", "exec"), namespace)


# The shell examples run the whole analysis (ldenrich demo, ldenrich run) more than once.
@pytest.mark.slow
@pytest.mark.parametrize("page", SHELL_PAGES, ids=_id)
def test_shell_examples_run(page: Path, tmp_path: Path) -> None:
    ex = ldenrich.example_data()
    links = {
        "trait.tsv.gz": ex.sumstats,
        "g1000_eur.bed": ex.bfile.with_suffix(".bed"),
        "g1000_eur.bim": ex.bim,
        "g1000_eur.fam": ex.bfile.with_suffix(".fam"),
        "NCBI37.3.gene.loc": ex.gene_loc,
        "targets.gmt": ex.gene_sets,
    }
    for name, target in links.items():
        (tmp_path / name).symlink_to(target)
    (tmp_path / "enhancers.bed").write_text(ENHANCERS)
    # For the ldscore example: a thin ldsc annotation of the panel (one row per .bim row) and a
    # list of the SNPs to print.
    with gzip.open(ex.bim, "rt") as fh:
        snps = [line.split()[1] for line in fh]
    with gzip.open(tmp_path / "my.annot.gz", "wt") as fh:
        fh.write("base\tevery_third\n")
        fh.writelines(f"1\t{int(i % 3 == 0)}\n" for i in range(len(snps)))
    (tmp_path / "hm3.snplist").write_text("".join(f"{s}\n" for s in snps[::10]))
    # For the munge example: an allele list in ldsc's --merge-alleles layout.
    with gzip.open(ex.bim, "rt") as fh:
        rows = [line.split() for line in fh][::10]
    (tmp_path / "w_hm3.snplist").write_text(
        "SNP\tA1\tA2\n" + "".join(f"{r[1]}\t{r[4]}\t{r[5]}\n" for r in rows)
    )
    # The `ldenrich` of this interpreter's environment (the installed wheel under test).
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for line, code in runnable(page)[1]:
        done = subprocess.run(
            ["bash", "-e", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{_id(page)}:{line}\n{code}\n{done.stderr}"


def test_cli_reference_is_up_to_date() -> None:
    script = REPO / "scripts" / "make_cli_docs.py"
    spec = importlib.util.spec_from_file_location("make_cli_docs", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (REPO / "docs" / "cli.md").read_text() == module.render(), (
        "docs/cli.md is stale: run python3 scripts/make_cli_docs.py"
    )
