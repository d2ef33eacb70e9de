"""Figures (ldenrich.plots) and the self-contained HTML report (ldenrich.report): files written
and readable, on the demo's real enrichment table and real MAGMA gene results, on edge cases,
and the report's page parsed back to check its content, escaping and self-containedness."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ldenrich
from ldenrich import plots
from ldenrich.report import format_value, render_report, write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EX = ldenrich.example_data()
# Real public data, provenance in tests/data/README.md.
REAL = Path(__file__).parent / "data" / "real"
MEMBERS_TSV = EX.gene_sets.parent / "ldenrich_curated_members.tsv"


# ----------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def demo_enrichment() -> pd.DataFrame:
    """The table `ldenrich demo` writes: bundled chr22 height data and curated sets."""
    annot = ldenrich.annotate(
        ldenrich.read_sumstats(EX.sumstats),
        ldenrich.read_bim(EX.bim),
        ldenrich.read_gene_loc(EX.gene_loc),
        gene_sets=ldenrich.read_gene_sets(EX.gene_sets),
    )
    return ldenrich.enrichment(annot)


@pytest.fixture(scope="module")
def height_genes() -> pd.DataFrame:
    """MAGMA v1.10 gene results for height (18k genes) with symbols from NCBI37.3."""
    path = REAL / "Yengo2018.Height.genes.out.gz"
    genes = pd.read_csv(path, sep=r"\s+", dtype={"CHR": str})
    loc = pd.read_csv(
        EX.gene_loc, sep="\t", header=None,
        names=["GENE", "chr", "start", "stop", "strand", "SYMBOL"],
    )  # fmt: skip
    return genes.merge(loc[["GENE", "SYMBOL"]], on="GENE", how="left")


@pytest.fixture(scope="module")
def members(height_genes: pd.DataFrame) -> pd.DataFrame:
    """Table 1/2 layout: the bundled curated sets against the height gene results."""
    sets = pd.read_csv(MEMBERS_TSV, sep="\t")
    by_id = height_genes.set_index("GENE")
    n_genome = len(height_genes)
    rows = []
    for name, entrez, symbol in sets[["set", "entrez", "symbol"]].itertuples(index=False):
        found = entrez in by_id.index
        p = float(by_id.P[entrez]) if found else np.nan
        rows.append({
            "set": name, "gene": entrez, "symbol": symbol,
            "chr": by_id.CHR[entrez] if found else None,
            "start": by_id.START[entrez] if found else np.nan,
            "stop": by_id.STOP[entrez] if found else np.nan,
            "nsnps": by_id.NSNPS[entrez] if found else np.nan,
            "z": float(by_id.ZSTAT[entrez]) if found else np.nan, "p": p,
            "p_set_bonferroni": np.nan, "p_genome_bonferroni": min(1.0, p * n_genome),
            "found": found,
        })  # fmt: skip
    table = pd.DataFrame(rows)
    table["p_set_bonferroni"] = (
        table.p * table.groupby("set").p.transform(lambda s: s.notna().sum())
    ).clip(upper=1)
    return table.sort_values(["set", "p"], kind="stable").reset_index(drop=True)


def sets_table(members: pd.DataFrame) -> pd.DataFrame:
    """One row per set in the lead's `sets` layout (values computed here, not by ldenrich)."""
    rows = []
    for name, group in members.groupby("set", sort=False):
        z = group.z.dropna()
        rows.append({
            "set": name, "n_genes": len(group), "n_genes_found": len(z), "mean_z": z.mean(),
            "genome_mean_z": 0.5, "t_one_sample": 2.0, "p_one_sample": 0.03,
            "t_welch": 1.5, "df_welch": 30.2, "p_welch": 0.14, "n_nominal": 3,
            "n_set_bonferroni": 1, "n_genome_bonferroni": 0, "beta": 0.1, "beta_std": 0.01,
            "se": 0.05, "p_competitive": 0.02 / (len(rows) + 1),
        })  # fmt: skip
    return pd.DataFrame(rows)


def assert_png(path: Path) -> None:
    assert path.suffix == ".png" and path.read_bytes()[:8] == PNG_MAGIC


def assert_svg(path: Path) -> str:
    assert path.suffix == ".svg"
    root = ET.parse(path).getroot()  # raises on malformed XML
    assert root.tag.endswith("svg")
    return path.read_text()


def assert_figure(paths: list[Path], stem: Path) -> str:
    """Both files written next to the stem; returns the SVG text (matplotlib keeps every text
    of the figure as an XML comment even when glyphs are drawn as paths)."""
    assert [p.name for p in paths] == [stem.name + ".png", stem.name + ".svg"]
    assert_png(paths[0])
    return assert_svg(paths[1])


# ----------------------------------------------------------------------------------------------
# forest plot


def test_forest_plot_on_the_demo_table(demo_enrichment, tmp_path) -> None:
    svg = assert_figure(plots.forest_plot(demo_enrichment, tmp_path / "demo.forest"),
                        tmp_path / "demo.forest")  # fmt: skip
    drawn = demo_enrichment[np.isfinite(demo_enrichment.enrichment)]
    skipped = demo_enrichment[~np.isfinite(demo_enrichment.enrichment)]
    assert len(drawn) and len(skipped)  # the demo has both kinds
    for name in drawn.category:
        assert name in svg
    assert "Not drawn, skipped_no_snps" in svg
    row = drawn.dropna(subset=["enrichment_se"]).iloc[0]
    # The interval is formed on the log scale (delta method), so it stays above 0.
    half = plots.Z95 * row.enrichment_se / row.enrichment
    lo, hi = row.enrichment * np.exp(-half), row.enrichment * np.exp(half)
    assert f"{row.enrichment:.2f} [{lo:.2f}, {hi:.2f}]" in svg
    assert "permutation p" in svg  # the calibrated p is the one shown


def test_forest_plot_interval_never_below_zero(tmp_path) -> None:
    table = pd.DataFrame({
        "category": ["wide", "narrow"], "enrichment": [1.1, 2.0], "enrichment_se": [0.9, 0.1],
        "enrichment_p_perm": [0.4, 0.001], "p_perm_bonferroni": [0.8, 0.002],
        "few_blocks": [True, False],
    })  # fmt: skip
    svg = assert_figure(plots.forest_plot(table, tmp_path / "f"), tmp_path / "f")
    lo = 1.1 * np.exp(-plots.Z95 * 0.9 / 1.1)
    assert 0 < lo and f"1.10 [{lo:.2f}," in svg
    assert "wide\u2020" in svg and "fewer than 10 jackknife blocks" in svg


def test_forest_plot_all_nan(demo_enrichment, tmp_path) -> None:
    table = demo_enrichment.assign(enrichment=np.nan, enrichment_se=np.nan, enrichment_p=np.nan,
                                   status="skipped_no_snps")  # fmt: skip
    svg = assert_figure(plots.forest_plot(table, tmp_path / "f"), tmp_path / "f")
    assert "No category has an enrichment ratio" in svg


def test_forest_plot_single_category_and_empty_table(tmp_path) -> None:
    one = pd.DataFrame({"category": ["only"], "enrichment": [1.5], "enrichment_se": [0.2]})
    assert "only" in assert_figure(plots.forest_plot(one, tmp_path / "one"), tmp_path / "one")
    empty = one.iloc[:0]
    assert_figure(plots.forest_plot(empty, tmp_path / "none"), tmp_path / "none")


def test_forest_plot_many_categories_shows_the_top_by_p(rng, tmp_path) -> None:
    n = 150
    p = rng.uniform(size=n)
    table = pd.DataFrame({
        "category": [f"cat{i:03d}" for i in range(n)], "enrichment": rng.uniform(0.5, 2, n),
        "enrichment_se": rng.uniform(0.05, 0.3, n), "enrichment_p": p,
        "p_bonferroni": np.minimum(1, p * n),
    })  # fmt: skip
    svg = assert_figure(plots.forest_plot(table, tmp_path / "many", max_categories=20),
                        tmp_path / "many")  # fmt: skip
    # Without the calibrated columns the plot falls back to the study's p, and says so.
    assert "Showing the 20 categories with the smallest study's jackknife p of 150" in svg
    best = set(table.nsmallest(20, "enrichment_p").category)
    shown = {c for c in table.category if f"<!-- {c} -->" in svg}
    assert shown == best


def test_forest_plot_is_byte_stable(demo_enrichment, tmp_path) -> None:
    first = [p.read_bytes() for p in plots.forest_plot(demo_enrichment, tmp_path / "a")]
    second = [p.read_bytes() for p in plots.forest_plot(demo_enrichment, tmp_path / "b")]
    assert first == second


def test_forest_plot_bad_input(tmp_path) -> None:
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"missing column.*enrichment_se"):
        plots.forest_plot(pd.DataFrame({"category": ["a"], "enrichment": [1.0]}), tmp_path / "x")
    bad = pd.DataFrame({"category": ["a", "b"], "enrichment": [1.0, "high"],
                        "enrichment_se": [0.1, 0.1]})  # fmt: skip
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"'enrichment', row 1: 'high'"):
        plots.forest_plot(bad, tmp_path / "x")
    with pytest.raises(ldenrich.InvalidArgumentError, match="DataFrame"):
        plots.forest_plot([1, 2], tmp_path / "x")


# ----------------------------------------------------------------------------------------------
# gene Z per set


def test_set_z_distributions_on_real_data(height_genes, members, tmp_path) -> None:
    svg = assert_figure(plots.set_z_distributions(height_genes, members, tmp_path / "z"),
                        tmp_path / "z")  # fmt: skip
    genome = height_genes.ZSTAT
    assert f"all genes (n {len(genome):,}, mean {genome.mean():.2f})" in svg
    group = members[members.set == "cgr_targets"]
    z = group.z.dropna()
    assert f"cgr_targets (n {len(z)}/{len(group)}, mean {z.mean():.2f})" in svg


def test_set_z_distributions_edge_cases(height_genes, tmp_path) -> None:
    members = pd.DataFrame({
        "set": ["single", "absent", "absent", "<script>alert(1)</script>"],
        "z": [1.7, np.nan, np.nan, 0.3], "found": [True, False, None, True],
    })  # fmt: skip
    svg = assert_figure(plots.set_z_distributions(height_genes, members, tmp_path / "e"),
                        tmp_path / "e")  # fmt: skip
    assert "single (n 1/1, mean 1.70)" in svg
    assert "absent (n 0/2)" in svg and "no gene of this set in the gene results" in svg
    # Without the genome-wide reference, and with every set absent.
    assert_figure(plots.set_z_distributions(None, members.iloc[1:3], tmp_path / "n"),
                  tmp_path / "n")  # fmt: skip


def test_set_z_distributions_caps_the_number_of_sets(tmp_path) -> None:
    members = pd.DataFrame({"set": [f"s{i}" for i in range(12)], "z": np.linspace(-1, 2, 12)})
    svg = assert_figure(
        plots.set_z_distributions(None, members, tmp_path / "c", max_sets=5), tmp_path / "c"
    )
    assert "Showing the first 5 of 12 sets." in svg and "s4 (n 1/1" in svg and "s5 (" not in svg


# ----------------------------------------------------------------------------------------------
# Manhattan and QQ


def test_manhattan_qq_on_real_magma_results(height_genes, tmp_path) -> None:
    svg = assert_figure(plots.gene_manhattan_qq(height_genes, tmp_path / "g"), tmp_path / "g")
    lam = stats.chi2.isf(height_genes.P, 1)
    expected = np.median(lam) / stats.chi2.ppf(0.5, 1)
    assert plots.lambda_gc(height_genes.P) == pytest.approx(expected, rel=1e-12)
    assert f"= {expected:.3f}" in svg
    assert f"Bonferroni 0.05 / {len(height_genes):,} genes" in svg
    top = height_genes.sort_values("P", kind="stable").head(10)
    for symbol in top.SYMBOL:
        assert f"<!-- {symbol} -->" in svg
    # 18k points are rasterised inside the SVG, so it stays small.
    assert (tmp_path / "g.svg").stat().st_size < 1_000_000


def test_manhattan_qq_chromosome_x_and_p_zero(tmp_path) -> None:
    genes = pd.DataFrame({
        "GENE": [1, 2, 3, 4, 5, 6],
        "CHR": ["2", "X", "10", "1", "X", "chr3"],
        "START": [100, 500, 900, 50, 2000, 10],
        "STOP": [200, 800, 1000, 90, 2400, 30],
        "ZSTAT": [0.2, 40.0, -1.0, 1.0, np.nan, 2.0],
        "P": [0.42, 0.0, 0.84, 0.16, 0.0, 0.023],
        "SYMBOL": ["GA", "GB", "GC", "GD", None, "GF"],
    })  # fmt: skip
    svg = assert_figure(plots.gene_manhattan_qq(genes, tmp_path / "x", label_top=3),
                        tmp_path / "x")  # fmt: skip
    # Ticks in genome order, X after the autosomes.
    ticks = [t for t in ["1", "2", "3", "10", "X"] if f"<!-- {t} -->" in svg]
    assert ticks == ["1", "2", "3", "10", "X"]
    assert svg.index("<!-- 10 -->") < svg.index("<!-- X -->")
    # P = 0 with a Z is drawn from Z (-log10 Phi(-40) = 349.1); without Z it cannot be placed.
    # Labels: the top three placed genes; GB (P = 0, Z = 40) first; gene 5 (P = 0, no Z) not.
    assert all(f"<!-- {g} -->" in svg for g in ("GB", "GF", "GD")) and "<!-- GA -->" not in svg
    assert "<!-- 5 -->" not in svg
    mlog = plots._gene_mlog10p(genes, "t")
    assert mlog[1] == pytest.approx(-stats.norm.logsf(40.0) / np.log(10), rel=1e-12)
    assert np.isinf(mlog[4])
    # MLOG10P, when given, is used as is.
    with_m = genes.assign(MLOG10P=[0.4, 400.0, 0.1, 0.8, 300.0, 1.6])
    assert plots._gene_mlog10p(with_m, "t")[[1, 4]].tolist() == [400.0, 300.0]
    assert_figure(plots.gene_manhattan_qq(with_m, tmp_path / "m"), tmp_path / "m")


def test_manhattan_qq_degenerate_inputs(tmp_path) -> None:
    one = pd.DataFrame({"CHR": [1], "START": [10], "STOP": [20], "P": [0.5]})
    svg = assert_figure(plots.gene_manhattan_qq(one, tmp_path / "one"), tmp_path / "one")
    assert "chromosome 1: gene midpoint (Mb)" in svg  # one chromosome: a position axis
    assert_figure(plots.gene_manhattan_qq(one.iloc[:0], tmp_path / "zero"), tmp_path / "zero")
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"'P', row 0: 1.5 is not in \[0, 1\]"):
        plots.gene_manhattan_qq(one.assign(P=1.5), tmp_path / "bad")
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"missing column.*STOP"):
        plots.gene_manhattan_qq(one.drop(columns="STOP"), tmp_path / "bad")


def test_lambda_gc_of_uniform_pvalues_is_one() -> None:
    p = (np.arange(1, 100_001) - 0.5) / 100_000
    assert plots.lambda_gc(p) == pytest.approx(1.0, abs=1e-3)
    assert np.isnan(plots.lambda_gc([np.nan]))


def test_importing_ldenrich_does_not_import_matplotlib() -> None:
    code = (
        "import sys, ldenrich, ldenrich.plots, ldenrich.report; print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------------------------------------
# the HTML report


class Page(HTMLParser):
    """Parses the report: checks nesting, collects sections, tables, links and images."""

    VOID: ClassVar[set[str]] = {"meta", "img", "br", "hr", "link", "input", "col", "wbr", "source"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.sections: dict[str, list[list[list[str]]]] = {}
        self.section: str | None = None
        self.attrs: list[tuple[str, dict[str, str | None]]] = []
        self.cell: list[str] | None = None
        self.text: list[str] = []
        self.feed(text)
        self.close()
        assert self.stack == [], f"unclosed tags: {self.stack}"

    def handle_starttag(self, tag, attrs):
        self.attrs.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "section":
            self.section = dict(attrs)["id"]
            self.sections[self.section] = []
        elif tag == "table":
            self.sections[self.section].append([])
        elif tag == "tr":
            self.sections[self.section][-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("td", "th"):
            self.sections[self.section][-1][-1].append("".join(self.cell or []))
            self.cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)

    def table(self, section: str, k: int = 0) -> pd.DataFrame:
        rows = self.sections[section][k]
        header, body = rows[0], [r for r in rows[1:] if len(r) == len(rows[0])]
        return pd.DataFrame(body, columns=header)


def number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def figures(demo_enrichment, height_genes, members, tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("figures")
    return [
        *plots.forest_plot(demo_enrichment, out / "demo.forest"),
        *plots.set_z_distributions(height_genes, members, out / "demo.setz"),
        *plots.gene_manhattan_qq(height_genes, out / "demo.genes"),
    ]


def full_report(demo_enrichment, height_genes, members, figures, **extra) -> str:
    gsa_path = REAL / "ieu-a-298.gsa.out"
    members = members.copy()
    members.loc[len(members)] = {"set": "<script>alert('x')</script>", "gene": 1, "found": False}
    sets = sets_table(members)
    table3 = sets.rename(columns={"n_genes_found": "n_evaluable", "p_one_sample": "p",
                                  "t_one_sample": "t"})  # fmt: skip
    return render_report(
        title="Height <demo>", command='ldenrich run --sets "a b.gmt" --out r', version="9.9.9",
        qc=pd.DataFrame({"reason": ["read", "used", "dropped_p_zero"], "count": [15935, 15930, 5]}),
        genes=height_genes, sets=sets, members=members, table3=table3,
        kruskal=pd.DataFrame({"h": [12.5], "df": [14], "p": [0.56], "n_sets": [15]}),
        enrichment=demo_enrichment, gsa=pd.read_csv(gsa_path, sep=r"\s+", comment="#"),
        figures=[("Forest plot", figures[:2]), *figures[2:]],
        notes=["competitive test fell back to OLS: no gene-gene correlations"],
        extra_tables={"Housekeeping <genes>": pd.DataFrame({"x": range(80)})},
        date="2026-01-02 03:04 UTC", **extra,
    )  # fmt: skip


def test_report_sections_tables_and_figures(
    demo_enrichment, height_genes, members, figures
) -> None:
    html = full_report(demo_enrichment, height_genes, members, figures)
    page = Page(html)
    assert list(page.sections) == [
        "notes", "figures", "enrichment", "sets", "table3", "kruskal", "members", "gsa", "genes",
        "extra-1", "qc", "run",
    ]  # fmt: skip
    # Three figures (PNG and SVG of a stem are one), each embedded as a data URI.
    images = [a for tag, a in page.attrs if tag == "img"]
    assert len(images) == 3
    assert all(a["src"].startswith("data:image/png;base64,") for a in images)
    assert "Forest plot" in "".join(page.text)
    # Self-contained: no script, no external resource, links only to anchors in the page.
    for tag, attrs in page.attrs:
        assert tag not in ("script", "link", "iframe", "object")
        assert (attrs.get("src") or "data:").split(":")[0] not in ("http", "https", "file")
        assert (attrs.get("href") or "#").startswith("#")
    assert 'src="http' not in html and "url(" not in html
    # Strings from inputs are escaped.
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "Height &lt;demo&gt;" in html and "Housekeeping &lt;genes&gt;" in html
    assert "ldenrich run --sets &quot;a b.gmt&quot; --out r" in html
    assert "9.9.9" in html and "2026-01-02 03:04 UTC" in html
    assert "competitive test fell back to OLS" in html


def test_report_numbers_equal_the_dataframes(
    demo_enrichment, height_genes, members, figures
) -> None:
    page = Page(full_report(demo_enrichment, height_genes, members, figures))
    # Gene table: the top 50 genes by P (ties at MAGMA's floor broken by the larger Z), and
    # every shown number is the DataFrame's rounded to what the page prints.
    genes = page.table("genes")
    assert len(genes) == 50
    text = "".join(page.text)
    assert f"Showing the 50 genes with the smallest P of {len(height_genes):,}" in text
    by_id = height_genes.set_index("GENE")
    assert set(genes.GENE.map(number)) <= set(by_id.index)
    for _, row in genes.iterrows():
        ref = by_id.loc[int(number(row.GENE))]
        assert number(row.P) == pytest.approx(ref.P, rel=5e-3)
        assert number(row.ZSTAT) == pytest.approx(ref.ZSTAT, rel=5e-4)
        assert number(row.NSNPS) == ref.NSNPS and row.CHR == str(ref.CHR)
        assert row.GENE == str(ref.name)  # ids print as they are
    expected = height_genes.sort_values(["P", "ZSTAT"], ascending=[True, False], kind="stable")
    assert genes.GENE.map(number).tolist() == expected.GENE.head(50).tolist()
    n_sig = int((height_genes.P < 0.05 / len(height_genes)).sum())
    assert f"{n_sig:,} genes below it" in text
    # Enrichment: every category, values as in the table.
    enr = page.table("enrichment").set_index("category")
    assert set(enr.index) == set(demo_enrichment.category)
    row = demo_enrichment.set_index("category").loc["glutamate_plasticity_expanded"]
    assert number(enr.loc[row.name, "enrichment"]) == pytest.approx(row.enrichment, rel=5e-4)
    assert number(enr.loc[row.name, "enrichment_p"]) == pytest.approx(row.enrichment_p, rel=5e-3)
    assert number(enr.loc[row.name, "n_snps_in"]) == row.n_snps_in
    skipped = demo_enrichment[demo_enrichment.status != "tested"].category.iloc[0]
    assert enr.loc[skipped, "enrichment"] == "NA"
    # QC accounting and its balance.
    qc = page.table("qc").set_index("reason")
    assert number(qc.loc["dropped_p_zero", "count"]) == 5
    assert "Every row is accounted for" in text
    # Kruskal-Wallis sentence; the MAGMA gsa table sorted by P.
    assert "H = 12.5, df = 14, p = 0.56" in text
    gsa = page.table("gsa")
    assert list(gsa.P.map(number)) == sorted(gsa.P.map(number))
    # Members: grouped by set, capped per set; the missing gene shows NA.
    member_rows = page.sections["members"][0]
    assert ["cgr_targets"] in member_rows
    extra = page.table("extra-1")
    assert len(extra) == 50 and "Showing the first 50 rows of 80" in text


def test_report_caps_genes_per_set(demo_enrichment, height_genes, members, figures) -> None:
    page = Page(full_report(demo_enrichment, height_genes, members, figures,
                            max_genes_per_set=3))  # fmt: skip
    rows = page.sections["members"][0][1:]
    groups: dict[str, int] = {}
    current = None
    for r in rows:
        if len(r) == 1:
            current = r[0]
        else:
            groups[current] = groups.get(current, 0) + 1
    assert max(groups.values()) == 3
    assert set(groups) == set(members.set) | {"<script>alert('x')</script>"}


def test_report_shows_the_genes_of_the_first_sets_and_links_full_tables(
    demo_enrichment, height_genes, members, figures
) -> None:
    files = {"members": "x.members.tsv", "genes": "x.genes.out", "enrichment": "x.enr.tsv"}
    page = Page(full_report(demo_enrichment, height_genes, members, figures,
                            max_sets_with_members=2, table_files=files))  # fmt: skip
    groups = [r[0] for r in page.sections["members"][0][1:] if len(r) == 1]
    assert groups == list(dict.fromkeys(members.set.astype(str)))[:2]
    hrefs = {attrs["href"] for tag, attrs in page.attrs if tag == "a" and "href" in attrs}
    # The genes (17,850 rows) and the members (cut to 2 sets) are cut: their files are linked.
    assert {"x.members.tsv", "x.genes.out"} <= hrefs
    # Links leave the page only for the tables' files beside it.
    assert all(h.startswith("#") or h in files.values() for h in hrefs)


def test_report_minimal_and_write(tmp_path) -> None:
    path = write_report(tmp_path / "sub" / "r.html", title="t", command="c", version="v")
    page = Page(path.read_text())
    assert list(page.sections) == ["run"]
    assert "UTC" in "".join(page.text)  # a date is always shown


def test_report_figure_and_table_errors(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.png"):
        render_report(title="t", command="c", version="v", figures=[tmp_path / "missing.png"])
    (tmp_path / "f.pdf").write_bytes(b"%PDF")
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"not a \.png or \.svg"):
        render_report(title="t", command="c", version="v", figures=[tmp_path / "f.pdf"])
    with pytest.raises(ldenrich.InvalidArgumentError, match="qc needs columns reason and count"):
        render_report(title="t", command="c", version="v", qc=pd.DataFrame({"x": [1]}))
    with pytest.raises(ldenrich.InvalidArgumentError, match="genes must be a pandas DataFrame"):
        render_report(title="t", command="c", version="v", genes=[1, 2])


def test_report_embeds_an_svg_alone(tmp_path) -> None:
    paths = plots.forest_plot(
        pd.DataFrame({"category": ["a"], "enrichment": [1.2], "enrichment_se": [0.1]}),
        tmp_path / "f",
    )
    page = Page(render_report(title="t", command="c", version="v", figures=[paths[1]]))
    (img,) = [a for tag, a in page.attrs if tag == "img"]
    assert img["src"].startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize(
    ("value", "column", "shown"),
    [
        (1.2345e-5, "p_welch", "1.23e-05"),
        (0.0012345, "P", "0.00123"),
        (0.00099999, "q_bh", "1.00e-03"),
        (0.5, "p_competitive_bh", "0.5"),
        (0.0, "enrichment_p", "0"),
        (3.0, "n_set_bonferroni", "3"),  # a count, not a p-value
        (633787.0, "N", "633,787"),
        (18213, "n_genes", "18,213"),
        (2.7266, "ZSTAT", "2.727"),
        (-0.0068163, "ZSTAT", "-0.006816"),
        (12.3456789, "MLOG10P", "12.35"),
        (np.nan, "P", "NA"),
        (None, "symbol", "NA"),
        (np.bool_(False), "found", "no"),
        ("GRIN2A", "symbol", "GRIN2A"),
        (148398, "GENE", "148398"),  # an id: no thousands separator
        (2902.0, "gene", "2902"),
        (249250621, "STOP", "249,250,621"),
    ],
)
def test_format_value(value, column, shown) -> None:
    assert format_value(value, column) == shown


def test_write_report_takes_exactly_the_parameters_of_render_report() -> None:
    # write_report repeats render_report's keyword list (both are documented, typed public
    # functions): a parameter or default added to one only would be silently dropped.
    import inspect

    rendered = inspect.signature(render_report).parameters
    written = dict(inspect.signature(write_report).parameters)
    assert written.pop("path").kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert [(p.name, p.default, p.annotation) for p in written.values()] == [
        (p.name, p.default, p.annotation) for p in rendered.values()
    ]
