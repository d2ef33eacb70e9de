"""A self-contained HTML report of an ldenrich run.

:func:`write_report` writes one HTML file holding the tables, the figures (embedded as data
URIs), the QC accounting, the exact command, the version and the date. It needs no server, no
script and no network: it opens from disk in any browser and can be mailed as one file. Every
string from the inputs (set names, gene symbols, the command) is HTML-escaped. Long tables are
cut to their top rows by p-value with a note saying how many rows were left out, so an 18,000
gene table never lands in the page.

Examples
--------
>>> import tempfile
>>> import pandas as pd
>>> from ldenrich.report import write_report
>>> qc = pd.DataFrame({"reason": ["read", "used", "dropped_p_zero"], "count": [10, 9, 1]})
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = write_report(f"{tmp}/run.html", title="demo", command="ldenrich demo",
...                         version="0.1.0", qc=qc, date="2026-01-01")
...     "dropped_p_zero" in path.read_text()
True
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import math
import numbers
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ldenrich._atomic import write_text
from ldenrich.errors import InvalidArgumentError

if TYPE_CHECKING:
    from ldenrich.sldsc import H2Result

__all__ = ["format_value", "render_report", "write_report"]

FigureSpec = str | Path | tuple[str, str | Path | Sequence[str | Path]]

#: Columns shown for the enrichment screen (the full table is in the TSV).
ENRICHMENT_COLUMNS = [
    "category", "description", "kind", "n_genes", "n_genes_found", "n_snps_in", "mean_chisq_in",
    "mean_chisq_out", "enrichment", "enrichment_se", "enrichment_p_perm", "p_perm_bonferroni",
    "q_perm_bh", "n_blocks_in", "few_blocks", "enrichment_p_t", "enrichment_p", "p_bonferroni",
    "welch_p", "mwu_p", "status",
]  # fmt: skip
#: Columns shown for gene-level results.
GENE_COLUMNS = [
    "GENE", "SYMBOL", "CHR", "START", "STOP", "NSNPS", "NPARAM", "N", "ZSTAT", "P", "MLOG10P",
    "P_BONFERRONI",
]  # fmt: skip

#: Header tooltips for columns whose name alone is terse.
GLOSSARY = {
    "enrichment": "mean chi-square of annotated SNPs / mean chi-square of all other SNPs",
    "enrichment_se": "delete-one-block jackknife standard error of the ratio",
    "enrichment_p_perm": "calibrated p: one-sided, from circular shifts of the category "
    "along each chromosome",
    "p_perm_bonferroni": "Bonferroni-adjusted permutation p across the tested family",
    "q_perm_bh": "Benjamini-Hochberg q of the permutation p across the tested family",
    "n_blocks_in": "jackknife blocks holding annotated SNPs (they alone inform the SE)",
    "few_blocks": "fewer than 10 such blocks: the study's p is unreliable, read the permutation p",
    "enrichment_p_t": "two-sided Student t p of (ratio - 1) / SE, df = n_blocks_in - 1",
    "enrichment_p": "the study's p: two-sided normal p of (ratio - 1) / SE; far too small for "
    "categories in few blocks",
    "p_bonferroni": "Bonferroni-adjusted p across the tested family",
    "q_bh": "Benjamini-Hochberg q across the tested family",
    "welch_p": "Welch t test p (SNPs treated as independent: descriptive)",
    "mwu_p": "Mann-Whitney U p (SNPs treated as independent: descriptive)",
    "ZSTAT": "gene Z, one-sided probit of P (MAGMA convention)",
    "MLOG10P": "-log10 P, finite where P underflows",
    "mean_z": "mean gene Z of the set's genes found",
    "genome_mean_z": "mean gene Z over all genes",
    "p_one_sample": "one-sample t test of the set's gene Z against the genome mean",
    "p_welch": "Welch t test of set genes against all other genes",
    "p_competitive": "competitive gene-set regression p (MAGMA-style)",
    "n_nominal": "genes of the set with p < 0.05",
    "n_set_bonferroni": "genes with p < 0.05 / genes in the set",
    "n_genome_bonferroni": "genes with p < 0.05 / genes genome-wide",
    "p_set_bonferroni": "gene p times the number of genes of its set (capped at 1)",
    "p_genome_bonferroni": "gene p times the number of genes genome-wide (capped at 1)",
}

#: Integer-valued columns that pandas may hold as float (because of a missing value).
_COUNT_NAMES = {
    "start", "stop", "nsnps", "nparam", "n", "ngenes", "count", "n_sets", "nmono", "mac",
}  # fmt: skip

_CSS = """
:root { --ink: #1d2733; --muted: #5b6673; --line: #dde3ea; --accent: #2b5d8a; --red: #b2182b; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f6f8fa;
  font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; background: #fff;
  min-height: 100vh; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 34px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line);
  font-size: 19px; color: var(--accent); }
h3 { margin: 18px 0 6px; font-size: 15px; }
p, li { max-width: 88ch; }
.meta, .note, figcaption, .muted { color: var(--muted); }
.note { font-size: 13px; margin: 6px 0; }
.warning { color: #9a3412; font-size: 13px; margin: 6px 0; }
nav ol { columns: 2; padding-left: 20px; margin: 8px 0; }
nav a, nav a:visited { color: var(--accent); text-decoration: none; }
pre { background: #f1f4f7; border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px;
  white-space: pre-wrap; word-break: break-all; font-size: 12.5px; }
.scroll { overflow-x: auto; margin: 6px 0 4px; }
table { border-collapse: collapse; font-size: 12.5px; }
th, td { padding: 3px 9px; border-bottom: 1px solid var(--line); text-align: left;
  white-space: nowrap; }
th { background: #eef2f6; position: sticky; top: 0; font-weight: 600; }
th[title] { text-decoration: underline dotted #9aa5b1; cursor: help; }
tbody tr:nth-child(even) { background: #fafbfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.na { color: #a0a8b0; }
td.sig { color: var(--red); font-weight: 600; }
tr.group td { background: #e8eef5; font-weight: 600; }
figure { margin: 16px 0 26px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr));
  gap: 8px; padding: 0; list-style: none; }
.summary li { background: #f1f4f7; border-radius: 4px; padding: 7px 10px; }
.summary b { display: block; font-size: 17px; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
"""


# ----------------------------------------------------------------------------------------------
# value formatting


def _is_p_column(name: str) -> bool:
    low = name.lower()
    if low.startswith("n_") or "mlog10" in low:
        return False
    return (
        low in ("p", "q", "q_bh", "pval", "pvalue")
        or low.startswith(("p_", "q_"))
        or low.endswith(("_p", "_bh", "_bonferroni", "_q"))
    )


def _is_adjusted_p(name: str) -> bool:
    low = name.lower()
    return _is_p_column(name) and ("bonferroni" in low or "bh" in low or low.startswith("q"))


#: Integer identifiers, printed without thousands separators.
_ID_NAMES = {"gene", "gene_id", "entrez", "id", "chr", "chrom", "snp"}


def _is_count_column(name: str) -> bool:
    low = name.lower()
    return low in _COUNT_NAMES or low.startswith("n_")


def format_value(value: Any, column: str = "") -> str:
    """Format one table value for reading: p-values, counts and other numbers.

    p-values (columns named ``p``, ``p_*``, ``*_p``, ``*_bh``, ``*_bonferroni``, ``q_*``) get
    3 significant digits, in scientific notation below 0.001; counts get thousands
    separators (gene ids and chromosomes none); other numbers 4 significant digits
    (scientific outside ``[0.001, 1e5)``); missing values ``NA``; booleans ``yes``/``no``.
    The result is plain text (not escaped).

    Parameters
    ----------
    value : object
        The value.
    column : str, optional
        Its column name, which selects the p-value and count rules.

    Returns
    -------
    str

    Examples
    --------
    >>> format_value(0.000012345, "enrichment_p"), format_value(0.04567, "q_bh")
    ('1.23e-05', '0.0457')
    >>> format_value(18213.0, "n_genes"), format_value(1.07845, "enrichment")
    ('18,213', '1.078')
    >>> format_value(float("nan")), format_value(True), format_value(123456.7)
    ('NA', 'yes', '1.23e+05')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return "NA"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value)) if column.lower() in _ID_NAMES else f"{int(value):,}"
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return "NA"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if _is_p_column(column):
            return "0" if v == 0 else (f"{v:.2e}" if abs(v) < 1e-3 else f"{v:.3g}")
        if column.lower() in _ID_NAMES and v.is_integer():
            return str(int(v))
        if _is_count_column(column) and v.is_integer():
            return f"{int(v):,}"
        if v == 0:
            return "0"
        if abs(v) >= 1e5 or abs(v) < 1e-3:
            return f"{v:.3g}" if abs(v) >= 1e5 else f"{v:.2e}"
        return f"{v:.4g}"
    return str(value)


def _cell(value: Any, column: str) -> str:
    text = html.escape(format_value(value, column))
    classes = []
    if isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_):
        classes.append("num")
        if _is_adjusted_p(column) and float(value) < 0.05:  # type: ignore[arg-type]
            classes.append("sig")
    if text == "NA":
        classes.append("na")
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attr}>{text}</td>"


# ----------------------------------------------------------------------------------------------
# tables


def _check_frame(table: Any, what: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise InvalidArgumentError(
            f"report: {what} must be a pandas DataFrame, got {type(table).__name__}"
        )
    return table


def _order_by_p(table: pd.DataFrame, p_column: str | None) -> pd.DataFrame:
    """Rows by increasing p (NaN last). Ties, as at p = 0 or at MAGMA's 1e-50 floor, are broken
    by a larger -log10 p when the table has it, else by a larger gene Z (same order as P)."""
    if p_column is None or p_column not in table:
        return table
    keys = pd.DataFrame({"p": pd.to_numeric(table[p_column], errors="coerce")})
    by, ascending = ["p"], [True]
    tie = next((c for c in (f"{p_column}_mlog10p", "MLOG10P", "ZSTAT") if c in table), None)
    if tie is not None and p_column in ("P", "p"):
        keys["tie"] = pd.to_numeric(table[tie], errors="coerce")
        by.append("tie")
        ascending.append(False)
    order = (
        keys.reset_index(drop=True)
        .sort_values(by, ascending=ascending, na_position="last", kind="stable")
        .index
    )
    return table.iloc[order.to_numpy()]


def _html_table(
    table: pd.DataFrame, columns: Sequence[str] | None = None, group_by: str | None = None
) -> str:
    cols = [c for c in (columns or table.columns) if c in table.columns]
    head = "".join(
        f'<th title="{html.escape(GLOSSARY[str(c)])}">{html.escape(str(c))}</th>'
        if str(c) in GLOSSARY
        else f"<th>{html.escape(str(c))}</th>"
        for c in cols
    )
    body = []
    previous = object()
    values = table[cols].itertuples(index=False, name=None)
    groups = table[group_by].tolist() if group_by else [None] * len(table)
    for row, group in zip(values, groups, strict=True):
        if group_by and group != previous:
            body.append(
                f'<tr class="group"><td colspan="{len(cols)}">{html.escape(str(group))}</td></tr>'
            )
            previous = group
        body.append(
            "<tr>" + "".join(_cell(v, str(c)) for v, c in zip(row, cols, strict=True)) + "</tr>"
        )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _full_table(file: str | None) -> str:
    """Where the rows not shown are: a link to the table's file beside the report."""
    if file is None:
        return "the full table is in the tab-separated output"
    name = html.escape(file, quote=True)
    return f'the full table is <a href="{name}">{name}</a>'


def _top_table(
    table: pd.DataFrame,
    *,
    what: str,
    p_column: str | None,
    max_rows: int,
    columns: Sequence[str] | None = None,
    sort: bool = False,
    file: str | None = None,
) -> str:
    """The table, or its ``max_rows`` rows with the smallest p and a note (linking the full
    table's ``file`` when given) when longer."""
    n = len(table)
    if n == 0:
        return f'<p class="note">No {html.escape(what)}.</p>'
    shown = _order_by_p(table, p_column) if (sort or n > max_rows) else table
    note = ""
    if n > max_rows:
        shown = shown.head(max_rows)
        if p_column in table:
            what_shown = (
                f"{max_rows:,} {html.escape(what)} with the smallest {html.escape(p_column)}"
            )
        else:
            what_shown = f"first {max_rows:,} {html.escape(what)}"
        note = f'<p class="note">Showing the {what_shown} of {n:,}; {_full_table(file)}.</p>'
    elif sort and p_column in table:
        note = f'<p class="note">Sorted by {html.escape(p_column)}.</p>'
    return note + _html_table(shown, columns)


# ----------------------------------------------------------------------------------------------
# sections


@dataclass
class _Section:
    key: str
    title: str
    body: str


def _first_present(table: pd.DataFrame, candidates: Iterable[str]) -> str | None:
    return next((c for c in candidates if c in table.columns), None)


def _qc_section(qc: pd.DataFrame) -> str:
    qc = _check_frame(qc, "qc")
    if not {"reason", "count"} <= set(qc.columns):
        raise InvalidArgumentError("report: qc needs columns reason and count")
    counts = dict(
        zip(qc["reason"].astype(str), pd.to_numeric(qc["count"], errors="coerce"), strict=True)
    )
    text = ""
    if "read" in counts and "used" in counts:
        dropped = sum(v for k, v in counts.items() if k.startswith("dropped"))
        balanced = counts["read"] == counts["used"] + dropped
        text = (
            f"<p>{format_value(counts['read'], 'count')} rows read, "
            f"{format_value(counts['used'], 'count')} used, "
            f"{format_value(dropped, 'count')} dropped. "
            + (
                "Every row is accounted for (read = used + dropped)."
                if balanced
                else "<b>The counts do not balance (read != used + dropped).</b>"
            )
            + "</p>"
        )
    return text + _html_table(qc)


def _genes_section(
    genes: pd.DataFrame, max_rows: int, alpha: float = 0.05, file: str | None = None
) -> tuple[str, list[tuple[str, str]]]:
    from ldenrich._pvalues import lambda_gc

    genes = _check_frame(genes, "genes")
    if "P" not in genes:
        raise InvalidArgumentError("report: genes needs a P column (MAGMA .genes.out layout)")
    p = pd.to_numeric(genes["P"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    n = int(np.isfinite(p).sum())
    threshold = alpha / n if n else math.nan
    n_sig = int((p < threshold).sum()) if n else 0
    lam = lambda_gc(p)
    summary = (
        f"<p>{n:,} genes with a p-value; genome-wide Bonferroni threshold "
        f"{format_value(threshold, 'p')} ({alpha:g} / {n:,}): <b>{n_sig:,}</b> genes below it. "
        f"Genomic inflation of the gene p-values: &lambda;<sub>GC</sub> = "
        f"{format_value(lam)}.</p>"
    )
    table = _top_table(
        genes, what="genes", p_column="P", max_rows=max_rows, sort=True, columns=GENE_COLUMNS,
        file=file,
    )  # fmt: skip
    glance = [
        (f"{n_sig:,} of {n:,}", "genes below the genome-wide Bonferroni threshold"),
        (format_value(lam), "\u03bbGC of the gene p-values"),
    ]
    return summary + table, glance


def _members_section(
    members: pd.DataFrame, max_per_set: int, max_sets: int, file: str | None = None
) -> str:
    members = _check_frame(members, "members")
    if "set" not in members:
        raise InvalidArgumentError("report: members needs a set column")
    parts, hidden, n_sets = [], 0, 0
    for _, rows in members.groupby(members["set"].astype(str), sort=False):
        n_sets += 1
        if n_sets <= max_sets:
            parts.append(rows.head(max_per_set))
            hidden += max(0, len(rows) - max_per_set)
        else:
            hidden += len(rows)
    shown = pd.concat(parts) if parts else members
    cols = [c for c in members.columns if c != "set"]
    which = f"the first {max_sets:,} of {n_sets:,} sets" if n_sets > max_sets else "each set"
    where = (
        f'<a href="{html.escape(file, quote=True)}">{html.escape(file)}</a>'
        if file
        else "the tab-separated output"
    )
    note = (
        f'<p class="note">The first {max_per_set} genes of {which}; {hidden:,} more rows are '
        f"in {where}.</p>"
        if hidden
        else ""
    )
    # The set name heads each group of rows instead of repeating in a column.
    return note + _html_table(shown, cols, group_by="set")


def _kruskal_section(kruskal: pd.DataFrame) -> str:
    kruskal = _check_frame(kruskal, "kruskal")
    text = ""
    if len(kruskal) == 1 and {"h", "p"} <= set(kruskal.columns):
        row = kruskal.iloc[0]
        sets = f" across {format_value(row['n_sets'], 'n_sets')} sets" if "n_sets" in row else ""
        df = f", df = {format_value(row['df'], 'df')}" if "df" in row else ""
        text = (
            f"<p>Kruskal-Wallis test of gene Z{sets}: H = {format_value(row['h'])}{df}, "
            f"p = {format_value(row['p'], 'p')}.</p>"
        )
        if bool(row.get("sets_overlap", False)):
            text += (
                '<p class="warning">The sets share genes, so the groups are not independent '
                "samples and this p is not a valid test (shown for the study's layout only).</p>"
            )
    return text + _html_table(kruskal)


def _figure_files(spec: FigureSpec) -> tuple[str | None, list[Path]]:
    if isinstance(spec, tuple):
        caption, files = spec
        paths = [Path(files)] if isinstance(files, str | Path) else [Path(f) for f in files]
        return caption, paths
    return None, [Path(spec)]


def _figures_section(figures: Iterable[FigureSpec]) -> str:
    """Embed each figure once: files sharing a stem (PNG and SVG) are one figure, PNG preferred
    (it is smaller than an SVG of 18,000 points and cannot carry script)."""
    stems: dict[str, dict[str, Path]] = {}
    captions: dict[str, str] = {}
    for spec in figures:
        caption, paths = _figure_files(spec)
        for path in paths:
            suffix = path.suffix.lower()
            if suffix not in (".png", ".svg"):
                raise InvalidArgumentError(f"report: figure {path} is not a .png or .svg file")
            if not path.is_file():
                raise FileNotFoundError(f"report: figure file not found: {path}")
            stem = str(path)[: -len(suffix)]
            stems.setdefault(stem, {})[suffix] = path
            if caption:
                captions[stem] = caption
    out = []
    for stem, files in stems.items():
        path = files.get(".png") or files[".svg"]
        mime = "image/png" if path.suffix.lower() == ".png" else "image/svg+xml"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        names = sorted(p.name for p in files.values())
        caption = captions.get(stem, Path(stem).name)
        alt = html.escape(caption, quote=True)
        out.append(
            f'<figure><img alt="{alt}" src="data:{mime};base64,{data}">'
            f"<figcaption>{html.escape(caption)} "
            f'<span class="muted">({html.escape(", ".join(names))})'
            f"</span></figcaption></figure>"
        )
    return "".join(out)


# ----------------------------------------------------------------------------------------------
# the page


def _report_date() -> str:
    """Now, or ``SOURCE_DATE_EPOCH`` when set: the reproducible-builds convention, so a rerun
    of the same analysis can write a byte-identical report."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = _dt.datetime.now(_dt.timezone.utc)
    if epoch.isdigit():
        when = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M UTC")


_H2_COLUMNS = ("Category", "Prop._SNPs", "Prop._h2", "Prop._h2_std_error", "Enrichment",
               "Enrichment_std_error", "Enrichment_p", "Coefficient_p", "tau_star")  # fmt: skip


def _h2_section(
    fit: H2Result, max_rows: int, file: str | None
) -> tuple[str, list[tuple[str, str]]]:
    """Total h2 and the annotations of a :class:`ldenrich.sldsc.H2Result`, those with the
    smallest ``Enrichment_p`` first."""
    s = fit.summary
    results = _check_frame(fit.results, "h2 results")
    lines = [
        f"Total observed-scale h2 {s['h2']:.4g} (SE {s['h2_se']:.3g}); intercept "
        f"{s['intercept']:.4g} (SE {s['intercept_se']:.3g}); {s['n_snps']:,} SNPs in the "
        f"regression, {s['blocks']} jackknife blocks.",
        "Enrichment_p is ldsc's two-sided test of enrichment and Coefficient_p the one-sided "
        "test of the annotation's own contribution (tau). The block jackknife assumes blocks "
        "longer than the LD: on one chromosome or a small panel use fewer blocks (see the "
        "S-LDSC page of the documentation).",
    ]
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    body += "".join(f'<p class="warning">{html.escape(str(w))}</p>' for w in fit.qc)
    columns = [c for c in _H2_COLUMNS if c in results.columns]
    body += _top_table(results, what="annotations", p_column="Enrichment_p",
                       max_rows=max_rows, columns=columns, sort=True, file=file)  # fmt: skip
    if file:
        link = html.escape(file, quote=True)
        body += f'<p>Every column of ldsc\'s .results: <a href="{link}">{link}</a>.</p>'
    return body, [("total h2 (S-LDSC)", f"{s['h2']:.3g}")]


def render_report(
    *,
    title: str,
    command: str,
    version: str,
    qc: pd.DataFrame | None = None,
    genes: pd.DataFrame | None = None,
    sets: pd.DataFrame | None = None,
    members: pd.DataFrame | None = None,
    table3: pd.DataFrame | None = None,
    kruskal: pd.DataFrame | None = None,
    enrichment: pd.DataFrame | None = None,
    gsa: pd.DataFrame | None = None,
    h2: H2Result | None = None,
    figures: Iterable[FigureSpec] = (),
    notes: Iterable[str] = (),
    extra_tables: Mapping[str, pd.DataFrame] | None = None,
    max_rows: int = 50,
    max_genes_per_set: int = 25,
    max_sets_with_members: int = 20,
    table_files: Mapping[str, str] | None = None,
    date: str | None = None,
) -> str:
    """The report as an HTML string; see :func:`write_report` for the parameters.

    Examples
    --------
    >>> page = render_report(title="<b>x</b>", command="ldenrich run", version="0.1.0",
    ...                      date="2026-01-01")
    >>> "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    True
    """
    if max_rows < 1 or max_genes_per_set < 1 or max_sets_with_members < 1:
        raise InvalidArgumentError(
            "report: max_rows, max_genes_per_set and max_sets_with_members must be >= 1"
        )
    files = dict(table_files or {})
    when = date or _report_date()
    sections: list[_Section] = []
    glance: list[tuple[str, str]] = []

    note_items = [str(n) for n in notes]
    if note_items:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in note_items)
        sections.append(_Section("notes", "Notes", f"<ul>{items}</ul>"))

    figures = list(figures)
    if figures:
        sections.append(_Section("figures", "Figures", _figures_section(figures)))

    if enrichment is not None:
        enrichment = _check_frame(enrichment, "enrichment")
        from ldenrich.enrichment_screen import verdict_p

        label, p_column, bonf_column = verdict_p(enrichment)
        intro = (
            "<p>Per category, the mean chi-square of its SNPs over that of all other SNPs. The "
            "calibrated p (<code>enrichment_p_perm</code>, one-sided) compares the category's "
            "jackknife z, (ratio - 1) / SE, with that of "
            "the category's own SNP runs shifted circularly along each chromosome, which keeps "
            "its shape and the LD along the genome. The study's p (<code>enrichment_p</code>) "
            "refers the delete-one-block jackknife z to a normal; only the blocks holding the "
            "category's SNPs (<code>n_blocks_in</code>) inform its SE, so for categories in few "
            "blocks (<code>few_blocks</code>) it is far too small. Welch and Mann-Whitney "
            f"p-values treat SNPs as independent: they are descriptive. Sorted by {label}.</p>"
        )
        shown = [c for c in ENRICHMENT_COLUMNS if c in enrichment]
        body = _top_table(
            enrichment,
            what="categories",
            p_column=p_column,
            max_rows=max_rows,
            columns=shown,
            sort=True,
            file=files.get("enrichment"),
        )
        sections.append(_Section("enrichment", "Enrichment screen", intro + body))
        if bonf_column in enrichment:
            bonf = pd.to_numeric(enrichment[bonf_column], errors="coerce")
            glance.append(
                (
                    f"{int((bonf < 0.05).sum()):,} of {len(enrichment):,}",
                    f"categories with Bonferroni {label} < 0.05",
                )
            )
        if "few_blocks" in enrichment:
            few = int(enrichment["few_blocks"].fillna(False).astype(bool).sum())
            if few:
                glance.append((f"{few:,}", "categories in fewer than 10 jackknife blocks"))

    if sets is not None:
        sets = _check_frame(sets, "sets")
        p_col = _first_present(sets, ["p_competitive", "p_one_sample", "p_welch"])
        sections.append(
            _Section(
                "sets",
                "Gene sets",
                _top_table(
                    sets, what="sets", p_column=p_col, max_rows=max_rows, file=files.get("sets")
                ),
            )
        )
        glance.append((f"{len(sets):,}", "gene sets"))

    if table3 is not None:
        table3 = _check_frame(table3, "table3")
        sections.append(
            _Section(
                "table3",
                "Gene-set summary (Table 3 layout)",
                _top_table(
                    table3,
                    what="sets",
                    p_column=_first_present(table3, ["p_competitive", "p"]),
                    max_rows=max_rows,
                    file=files.get("table3"),
                ),
            )
        )

    if kruskal is not None:
        sections.append(
            _Section("kruskal", "Kruskal-Wallis across sets", _kruskal_section(kruskal))
        )

    if members is not None:
        sections.append(
            _Section(
                "members",
                "Genes of each set (Table 1/2 layout)",
                _members_section(
                    members, max_genes_per_set, max_sets_with_members, files.get("members")
                ),
            )
        )

    if gsa is not None:
        gsa = _check_frame(gsa, "gsa")
        p_col = _first_present(gsa, ["P", "p"])
        sections.append(
            _Section(
                "gsa",
                "Competitive gene-set analysis",
                _top_table(
                    gsa,
                    what="rows",
                    p_column=p_col,
                    max_rows=max_rows,
                    sort=True,
                    file=files.get("gsa"),
                ),
            )
        )

    if h2 is not None:
        body, h2_glance = _h2_section(h2, max_rows, file=files.get("h2"))
        sections.append(_Section("h2", "Partitioned heritability (S-LDSC)", body))
        glance.extend(h2_glance)

    if genes is not None:
        body, gene_glance = _genes_section(genes, max_rows, file=files.get("genes"))
        sections.append(_Section("genes", "Gene-level results", body))
        glance.extend(gene_glance)

    for k, (name, table) in enumerate((extra_tables or {}).items()):
        table = _check_frame(table, f"extra table {name!r}")
        sections.append(
            _Section(
                f"extra-{k + 1}",
                str(name),
                _top_table(table, what="rows", p_column=None, max_rows=max_rows),
            )
        )

    if qc is not None:
        sections.append(_Section("qc", "Input accounting (QC)", _qc_section(qc)))

    run = (
        f"<dl><dt>Command</dt><dd><pre><code>{html.escape(command)}</code></pre></dd>"
        f"<dt>Version</dt><dd>ldenrich {html.escape(version)}</dd>"
        f"<dt>Date</dt><dd>{html.escape(when)}</dd></dl>"
    )
    sections.append(_Section("run", "Run", run))

    nav = "".join(f'<li><a href="#{s.key}">{html.escape(s.title)}</a></li>' for s in sections)
    at_a_glance = (
        '<ul class="summary">'
        + "".join(f"<li><b>{html.escape(v)}</b>{html.escape(k)}</li>" for v, k in glance)
        + "</ul>"
        if glance
        else ""
    )
    body = "".join(
        f'<section id="{s.key}"><h2>{html.escape(s.title)}</h2>{s.body}</section>' for s in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n<body><main>"
        f"<header><h1>{html.escape(title)}</h1>"
        f'<p class="meta">ldenrich {html.escape(version)} &middot; {html.escape(when)}</p>'
        f"</header>{at_a_glance}<nav><ol>{nav}</ol></nav>{body}"
        f"<footer>Written by ldenrich {html.escape(version)}. This page is self-contained: "
        "figures are embedded and nothing is loaded from elsewhere.</footer>"
        "</main></body></html>\n"
    )


def write_report(
    path: str | Path,
    *,
    title: str,
    command: str,
    version: str,
    qc: pd.DataFrame | None = None,
    genes: pd.DataFrame | None = None,
    sets: pd.DataFrame | None = None,
    members: pd.DataFrame | None = None,
    table3: pd.DataFrame | None = None,
    kruskal: pd.DataFrame | None = None,
    enrichment: pd.DataFrame | None = None,
    gsa: pd.DataFrame | None = None,
    h2: H2Result | None = None,
    figures: Iterable[FigureSpec] = (),
    notes: Iterable[str] = (),
    extra_tables: Mapping[str, pd.DataFrame] | None = None,
    max_rows: int = 50,
    max_genes_per_set: int = 25,
    max_sets_with_members: int = 20,
    table_files: Mapping[str, str] | None = None,
    date: str | None = None,
) -> Path:
    """Write a self-contained HTML report of a run.

    Each table given becomes a section; a table left as None is skipped. Sections: notes,
    figures, the enrichment screen, gene sets, the Table 3 summary, Kruskal-Wallis, the genes
    of each set, the competitive gene-set analysis, partitioned heritability (S-LDSC), gene-level
    results (with the Bonferroni count and ``lambda_GC``), extra tables, the QC accounting and
    the run (command, version, date). Tables longer than ``max_rows`` show their rows with the
    smallest p and say so.

    Parameters
    ----------
    path : str or pathlib.Path
        The HTML file to write (parent directories are created).
    title : str
        Page title.
    command : str
        The exact command line of the run.
    version : str
        ``ldenrich.__version__``.
    qc : pandas.DataFrame, optional
        Row accounting, columns ``reason`` and ``count``.
    genes : pandas.DataFrame, optional
        Gene results in MAGMA's ``.genes.out`` layout (``P`` required).
    sets, members, table3, kruskal : pandas.DataFrame, optional
        Gene-set statistics: one row per set, one row per (set, gene) sorted by set then p
        (the study's Table 1/2), the study's Table 3, and the Kruskal-Wallis row.
    enrichment : pandas.DataFrame, optional
        The enrichment screen's table.
    h2 : ldenrich.sldsc.H2Result, optional
        Partitioned heritability (S-LDSC): total h2, intercept and the annotations.
    gsa : pandas.DataFrame, optional
        Competitive gene-set analysis (e.g. MAGMA ``.gsa.out``: ``VARIABLE ... P``).
    figures : iterable
        Figure files (``.png``/``.svg``), or ``(caption, file or files)`` pairs; a PNG and an
        SVG of the same stem are one figure (the PNG is embedded).
    notes : iterable of str
        Free-form notes shown near the top.
    extra_tables : mapping of str to pandas.DataFrame, optional
        More named tables, each cut to ``max_rows``.
    max_rows : int, default 50
        Most rows shown per table.
    max_genes_per_set : int, default 25
        Most genes shown per set in the members table.
    max_sets_with_members : int, default 20
        Most sets whose genes are shown (the first in ``members``' order: pass it sorted by
        significance), so a report of thousands of GO sets stays a few MB.
    table_files : mapping of str to str, optional
        File of each full table (keys ``enrichment``, ``sets``, ``table3``, ``members``,
        ``gsa``, ``genes``), linked, relative to the report, where a table is cut.
    date : str, optional
        Date shown (default: now, UTC); fix it for byte-identical reruns.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> genes = pd.DataFrame({"GENE": [1, 2], "CHR": ["1", "X"], "START": [10, 50],
    ...                       "STOP": [20, 90], "ZSTAT": [0.1, 5.2], "P": [0.46, 1e-7]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     page = write_report(f"{tmp}/r.html", title="t", command="c", version="v",
    ...                         genes=genes).read_text()
    >>> "1.00e-07" in page
    True
    """
    page = render_report(
        title=title,
        command=command,
        version=version,
        qc=qc,
        genes=genes,
        sets=sets,
        members=members,
        table3=table3,
        kruskal=kruskal,
        enrichment=enrichment,
        gsa=gsa,
        h2=h2,
        figures=figures,
        notes=notes,
        extra_tables=extra_tables,
        max_rows=max_rows,
        max_genes_per_set=max_genes_per_set,
        max_sets_with_members=max_sets_with_members,
        table_files=table_files,
        date=date,
    )
    return write_text(path, page)
