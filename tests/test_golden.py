"""Golden test: ``ldenrich demo`` (the main job on the bundled data) writes the same tables as
when they were recorded in ``tests/data/golden``.

Refactors must not change a result. Text must be equal; numbers equal to 1e-9 relative (a
different CPU's SIMD may change the last bits of a GEMM, never a printed digit that matters).
The figures, the report and the log carry times and are left out. When an output changes on
purpose, regenerate with ``LDENRICH_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and say why
in the commit.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from ldenrich.cli import main

GOLDEN = Path(__file__).parent / "data" / "golden"
TABLES = (
    "demo.enrichment.tsv", "demo.qc.tsv", "demo.genes.out", "demo.genes.raw", "demo.gsa.out",
    "demo.sets.tsv", "demo.table3.tsv", "demo.members.tsv", "demo.kruskal.tsv",
)  # fmt: skip


def _number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


def _same(got: str, want: str) -> bool:
    if got == want:
        return True
    a, b = _number(got), _number(want)
    if a is None or b is None:
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    assert main(["demo", "--out", f"{out}/"]) == 0
    return out


@pytest.mark.parametrize("name", TABLES)
def test_demo_tables_are_unchanged(demo: Path, name: str) -> None:
    got = (demo / name).read_text()
    if os.environ.get("LDENRICH_UPDATE_GOLDEN"):
        (GOLDEN / name).write_text(got)
    want = (GOLDEN / name).read_text()
    got_lines, want_lines = got.splitlines(), want.splitlines()
    assert len(got_lines) == len(want_lines), (
        f"{name}: {len(got_lines)} lines, recorded {len(want_lines)}"
    )
    for i, (g, w) in enumerate(zip(got_lines, want_lines, strict=True)):
        gt, wt = g.split(), w.split()
        same = len(gt) == len(wt) and all(_same(a, b) for a, b in zip(gt, wt, strict=True))
        assert same, f"{name} line {i + 1} changed:\n  now:      {g[:300]}\n  recorded: {w[:300]}"
