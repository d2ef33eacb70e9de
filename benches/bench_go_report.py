"""Size of the HTML report and of ``members.tsv`` for GO BP on the bundled data, as ``ldenrich run``
writes them now and as it wrote them before issue 19 (the genes of every set in the report and
in ``members.tsv``).

Inputs: the bundled chr22 height summary statistics, 1000 Genomes panel and NCBI37.3 gene
locations, and the shared GO BP gene sets (15,975 sets, Entrez ids). Both reports come from the
same results: "before" is ``write_report`` with every set's members (``max_sets_with_members``
above the number of sets) and every membership in ``members.tsv``; "now" is what ``run`` passes
(the 20 most significant sets in the report, 200 in ``members.tsv``). Rows are counted as
``<tr>`` tags. Where headless Chromium is installed (Debian: ``apt-get install chromium``), each
report is also rendered to a screenshot and timed. Writes only to a temporary directory (or
``--keep DIR``).

Usage::

    python3 benches/bench_go_report.py --shared DATA_DIR [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import ldenrich
from ldenrich.report import write_report


def render_seconds(page: Path, browser: str) -> float:
    """Wall time for headless Chromium to load, lay out and paint the page into a screenshot."""
    start = time.perf_counter()
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={page.with_suffix('.png')}", "--window-size=1280,2000", page.as_uri()],
        check=True, capture_output=True, timeout=900,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        required=True,
        help="directory of the public data this bench needs and the project does not ship "
        "(genesets/, magma_outputs/, gene_loc/ as named in the module docstring)",
    )
    parser.add_argument("--keep", type=Path, help="write the files here instead of a temp dir")
    args = parser.parse_args()
    ex = ldenrich.example_data()
    go = args.shared / "genesets" / "GO_BP_propagated_entrez.gmt.gz"
    ss, loc = ldenrich.read_sumstats(ex.sumstats, n_col="N"), ldenrich.read_gene_loc(ex.gene_loc)
    genes = ldenrich.gene_analysis(ss, ex.bfile, loc)
    sets = ldenrich.gene_set_analysis(genes, ldenrich.read_gene_sets(go), gene_loc=loc)
    out = args.keep or Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    ranked = sets.top_members()
    common = dict(title="GO BP", command="bench", version=ldenrich.__version__,
                  genes=genes.table, sets=sets.sets, table3=sets.table3(), kruskal=sets.kruskal,
                  date="2026-01-01")  # fmt: skip
    print(f"{len(sets.sets):,} sets, {len(sets.members):,} memberships")
    for label, kwargs, members_sets in (
        ("before", {"max_sets_with_members": 10**9}, None),
        ("now", {}, 200),
    ):
        start = time.perf_counter()
        path = write_report(out / f"{label}.report.html", members=ranked, **common, **kwargs)
        seconds = time.perf_counter() - start
        rows = path.read_text().count("<tr")
        written = sets.write(out / label, members_sets=members_sets)
        members_mb = written["members.tsv"].stat().st_size / 1e6
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        render = f"; rendered in {render_seconds(path, browser):.1f} s" if browser else ""
        print(
            f"{label:6s} report {path.stat().st_size / 1e6:6.2f} MB, {rows:7,} table rows, "
            f"written in {seconds:.2f} s; members.tsv {members_mb:6.2f} MB{render}"
        )


if __name__ == "__main__":
    main()
