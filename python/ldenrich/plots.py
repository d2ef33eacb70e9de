"""Figures of an ldenrich run, written as PNG and SVG.

Three figures, each taking pandas DataFrames and writing ``STEM.png`` and ``STEM.svg``:

- :func:`forest_plot`: enrichment ratio of each category with its 95% jackknife interval;
- :func:`set_z_distributions`: the gene Z of each gene set against the genome-wide distribution;
- :func:`gene_manhattan_qq`: gene-level Manhattan and QQ plots, with the genomic inflation.

matplotlib is imported inside the functions, so that ``import ldenrich`` stays fast, and figures
are drawn on the Agg canvas without pyplot (no global figure state, nothing to close, safe in
threads). Reruns on the same input write byte-identical files: the SVG carries no date and a
fixed hash salt for its element ids.

Examples
--------
>>> import tempfile
>>> import pandas as pd
>>> from ldenrich.plots import forest_plot
>>> table = pd.DataFrame({"category": ["a", "b"], "enrichment": [1.4, 0.9],
...                       "enrichment_se": [0.1, 0.2], "enrichment_p": [1e-4, 0.6]})
>>> with tempfile.TemporaryDirectory() as tmp:
...     [p.name for p in forest_plot(table, f"{tmp}/trait.forest")]
['trait.forest.png', 'trait.forest.svg']
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ldenrich._atomic import atomic_path
from ldenrich._pvalues import lambda_gc
from ldenrich.errors import InvalidArgumentError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["forest_plot", "gene_manhattan_qq", "lambda_gc", "set_z_distributions"]

#: Two-sided 95% normal quantile, for ratio +- Z95 * SE.
Z95 = 1.959963984540054

_BLUE = "#2b5d8a"
_LIGHT_BLUE = "#8fb3d6"
_RED = "#b2182b"
_GREY = "#8c8c8c"
_LIGHT_GREY = "#d9d9d9"
_DPI = 150
#: Above this many points, scatter layers are rasterised inside the SVG so that a
#: genome-wide Manhattan plot stays a few hundred kB instead of several MB.
_RASTERISE_ABOVE = 2000
_LABEL_CHARS = 48


# ----------------------------------------------------------------------------------------------
# shared helpers


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, stem: str | Path) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg`` (the stem may itself contain dots)."""
    import matplotlib

    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png = stem.with_name(stem.name + ".png")
    svg = stem.with_name(stem.name + ".svg")
    # A fixed salt and no date make reruns byte-identical (matplotlib otherwise salts ids with
    # random bytes and stamps the SVG with the current time).
    with matplotlib.rc_context({"svg.hashsalt": "ldenrich", "svg.fonttype": "path"}):
        with atomic_path(png) as tmp:
            fig.savefig(tmp, dpi=_DPI, metadata={"Software": None})
        with atomic_path(svg) as tmp:
            fig.savefig(tmp, metadata={"Date": None, "Creator": None})
    return [png, svg]


def _require(table: Any, columns: Sequence[str], what: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise InvalidArgumentError(
            f"{what}: expected a pandas DataFrame, got {type(table).__name__}"
        )
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InvalidArgumentError(
            f"{what}: missing column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, table.columns))})"
        )
    return table


def _numeric(table: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """A column as float64, NaN where empty; a clear error naming the first bad cell otherwise."""
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() & table[column].notna() & (table[column].astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InvalidArgumentError(
            f"{what}: column {column!r}, row {row}: {table[column].iloc[row]!r} is not a number"
        )
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _short(label: object, limit: int = _LABEL_CHARS) -> str:
    text = str(label)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _label(name: str, descriptions: Mapping[str, str] | None) -> str:
    """``GO:0007268 chemical synaptic transmission``: the name, then its description if any."""
    text = (descriptions or {}).get(name, "")
    return f"{name} {text}" if text and text != name else name


def _listing(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(_short(n, 32) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _fmt_p(p: float) -> str:
    if not math.isfinite(p):
        return "NA"
    return f"{p:.2e}" if p < 1e-3 else f"{p:.3g}"


# ----------------------------------------------------------------------------------------------
# forest plot


def forest_plot(
    enrichment: pd.DataFrame,
    stem: str | Path,
    *,
    max_categories: int = 60,
    order: Literal["enrichment", "p", "input"] = "enrichment",
    title: str = "Enrichment of mean chi-square",
    descriptions: Mapping[str, str] | None = None,
) -> list[Path]:
    """Forest plot of enrichment ratios with their 95% jackknife intervals.

    One row per category: the ratio (point) and its 95% interval (line), a reference line at 1,
    and on the right the ratio, interval and p. The interval is formed on the log scale,
    ``ratio * exp(+-1.96 SE / ratio)`` (the delta method), so it never extends below 0. The p
    shown, the colour and the selection use the calibrated permutation p
    (``enrichment_p_perm``, Bonferroni ``p_perm_bonferroni``) when the table has it, else the
    t-referred jackknife p, else the study's jackknife p; the figure says which. Significant
    categories (Bonferroni < 0.05) are drawn in red; a ratio without a jackknife SE is a hollow
    point without a line; categories in few jackknife blocks are marked with a dagger.
    Categories without a ratio (skipped) are not drawn and are listed under the axis. With more
    than ``max_categories`` categories, the ones with the smallest p are shown.

    Parameters
    ----------
    enrichment : pandas.DataFrame
        The screen's table (:func:`ldenrich.enrichment`): needs ``category``, ``enrichment``
        and ``enrichment_se``; uses the p-value columns, ``few_blocks`` and ``status`` when
        present.
    stem : str or pathlib.Path
        Output path without extension; ``stem.png`` and ``stem.svg`` are written.
    max_categories : int, default 60
        Most categories drawn.
    order : {"enrichment", "p", "input"}, default "enrichment"
        Top-to-bottom order: decreasing ratio, increasing p, or the table's order.
    title : str
        Figure title.
    descriptions : mapping of str to str, optional
        Shown after each name (GMT column 2: ``GeneSets.descriptions``).

    Returns
    -------
    list of pathlib.Path
        The PNG and SVG paths.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> table = pd.DataFrame({"category": ["synaptic", "skipped"], "enrichment": [1.3, None],
    ...                       "enrichment_se": [0.1, None],
    ...                       "status": ["tested", "skipped_no_snps"]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = forest_plot(table, f"{tmp}/forest")
    ...     [p.stat().st_size > 0 for p in paths]
    [True, True]
    """
    what = "forest_plot: enrichment table"
    table = _require(enrichment, ["category", "enrichment", "enrichment_se"], what)
    if max_categories < 1:
        raise InvalidArgumentError(
            f"forest_plot: max_categories must be >= 1, got {max_categories}"
        )
    if order not in ("enrichment", "p", "input"):
        raise InvalidArgumentError(
            f"forest_plot: order must be enrichment, p or input, got {order!r}"
        )
    names = table["category"].astype(str).to_numpy()
    ratio = _numeric(table, "enrichment", what)
    se = _numeric(table, "enrichment_se", what)
    n = len(table)
    from ldenrich.enrichment_screen import verdict_p

    p_label, p_column, bonf_column = verdict_p(table)
    p = _numeric(table, p_column, what) if p_column in table else np.full(n, np.nan)
    p_bonf = _numeric(table, bonf_column, what) if bonf_column in table else np.full(n, np.nan)
    status = table["status"].astype(str).to_numpy() if "status" in table else np.full(n, "")
    few = (
        table["few_blocks"].fillna(False).astype(bool).to_numpy()
        if "few_blocks" in table
        else np.zeros(n, dtype=bool)
    )

    drawable = np.flatnonzero(np.isfinite(ratio))
    omitted: dict[str, list[str]] = {}
    for i in np.flatnonzero(~np.isfinite(ratio)):
        reason = status[i] if status[i] not in ("", "nan", "None") else "no ratio"
        omitted.setdefault(reason, []).append(str(names[i]))
    notes = []
    if len(drawable) > max_categories:
        # Most significant first; categories without a jackknife p come after all with one.
        by_p = sorted(drawable, key=lambda i: (not np.isfinite(p[i]), p[i], -ratio[i], i))
        drawable = np.array(by_p[:max_categories])
        notes.append(
            f"Showing the {max_categories} categories with the smallest {p_label} "
            f"of {int(np.isfinite(ratio).sum())} with a ratio."
        )
    if order == "enrichment":
        rows = sorted(drawable, key=lambda i: (-ratio[i], i))
    elif order == "p":
        rows = sorted(drawable, key=lambda i: (not np.isfinite(p[i]), p[i], i))
    else:
        rows = sorted(drawable)
    for reason, skipped in omitted.items():
        notes.append(f"Not drawn, {reason} ({len(skipped)}): {_listing(skipped)}.")
    if any(not np.isfinite(se[i]) for i in rows):
        notes.append("Hollow point: no jackknife interval (a block held all annotated SNPs).")
    if any(few[i] for i in rows):
        notes.append(
            "\u2020: annotated SNPs in fewer than 10 jackknife blocks; the interval rests on few "
            "degrees of freedom and the study's normal p would be far too small."
        )
    notes.append(f"p: {p_label}. Interval: ratio \u00d7 exp(\u00b11.96 SE / ratio).")

    k = len(rows)
    fig = _new_figure(9.0, 1.6 + 0.26 * max(k, 3) + 0.18 * len(notes))
    ax, ax_text = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3.0, 1.45]})
    ax.set_title(title, loc="left", fontsize=11)
    y = np.arange(k)[::-1].astype(float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        half = np.array([Z95 * se[i] / ratio[i] for i in rows])
        lo = np.array([ratio[i] for i in rows]) * np.exp(-half)
        hi = np.array([ratio[i] for i in rows]) * np.exp(half)
    r = np.array([ratio[i] for i in rows])
    sig = np.array([np.isfinite(p_bonf[i]) and p_bonf[i] < 0.05 for i in rows], dtype=bool)
    has_ci = np.isfinite(lo) & np.isfinite(hi)
    colours = np.where(sig, _RED, _BLUE)
    if k:
        ax.hlines(y[has_ci], lo[has_ci], hi[has_ci], colors=colours[has_ci], linewidth=1.6)
        ax.scatter(r[has_ci], y[has_ci], s=30, marker="s", c=colours[has_ci], zorder=3)
        ax.scatter(
            r[~has_ci],
            y[~has_ci],
            s=30,
            marker="s",
            facecolors="white",
            edgecolors=colours[~has_ci],
            zorder=3,
        )
    ax.axvline(1.0, color=_GREY, linestyle="--", linewidth=1, zorder=1)
    ax.set_yticks(
        y,
        [_short(_label(names[i], descriptions)) + ("\u2020" if few[i] else "") for i in rows],
        fontsize=8,
    )
    ax.set_ylim(-0.7, max(k, 1) - 0.3)
    ax.grid(axis="x", color="#eeeeee", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    xlabel = "Enrichment ratio (mean \u03c7\u00b2 in / out), 95% jackknife interval"
    if sig.any():
        xlabel += f"; red: Bonferroni {p_label} < 0.05"
    ax.set_xlabel(xlabel, fontsize=9)
    if notes:
        wrapped = "\n".join(textwrap.fill(note, 120) for note in notes)
        fig.supxlabel(wrapped, fontsize=7.5, x=0.01, ha="left", color="#444444")
    if k == 0:
        ax.text(
            0.5,
            0.5,
            "No category has an enrichment ratio",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=_GREY,
        )
        ax.set_xlim(0.0, 2.0)
        ax.set_yticks([])

    ax_text.set_axis_off()
    ax_text.set_xlim(0, 1)
    ax_text.text(
        0.0,
        1.0,
        "ratio [95% CI]",
        transform=ax_text.transAxes,
        fontsize=8,
        fontweight="bold",
        va="bottom",
    )
    ax_text.text(
        0.98,
        1.0,
        "p",
        transform=ax_text.transAxes,
        fontsize=8,
        fontweight="bold",
        va="bottom",
        ha="right",
    )
    for row, i in enumerate(rows):
        ci = f"[{lo[row]:.2f}, {hi[row]:.2f}]" if has_ci[row] else "[no interval]"
        ax_text.text(0.0, y[row], f"{ratio[i]:.2f} {ci}", fontsize=8, va="center")
        ax_text.text(
            0.98,
            y[row],
            _fmt_p(p[i]),
            fontsize=8,
            va="center",
            ha="right",
            color=_RED if sig[row] else "black",
        )
    return _save(fig, stem)


# ----------------------------------------------------------------------------------------------
# gene Z per set


def _violin_half_width(values: np.ndarray, grid: np.ndarray) -> np.ndarray | None:
    """Kernel density of ``values`` on ``grid`` scaled to a half-width of 0.42 at the mode."""
    from scipy.stats import gaussian_kde

    if len(values) < 2 or np.ptp(values) == 0:
        return None
    density = gaussian_kde(values)(grid)
    return 0.42 * density / density.max()


def _box(ax: Any, values: np.ndarray, y: float) -> None:
    """Horizontal Tukey box at ``y``: quartiles, median, whiskers to the furthest values within
    1.5 IQR. Drawn by hand because ``boxplot``'s orientation argument changed across the
    matplotlib versions ldenrich supports."""
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    iqr = q3 - q1
    low = float(values[values >= q1 - 1.5 * iqr].min())
    high = float(values[values <= q3 + 1.5 * iqr].max())
    h = 0.25
    style = {"color": _BLUE, "linewidth": 1, "zorder": 4}
    ax.plot([q1, q3, q3, q1, q1], [y - h, y - h, y + h, y + h, y - h], **style)
    ax.plot([median, median], [y - h, y + h], **{**style, "linewidth": 1.6})
    ax.plot([low, q1], [y, y], **style)
    ax.plot([q3, high], [y, y], **style)
    ax.plot([low, low], [y - h / 2, y + h / 2], **style)
    ax.plot([high, high], [y - h / 2, y + h / 2], **style)


def set_z_distributions(
    genes: pd.DataFrame | None,
    members: pd.DataFrame,
    stem: str | Path,
    *,
    max_sets: int = 40,
    title: str = "Gene Z of each set against all genes",
    descriptions: Mapping[str, str] | None = None,
) -> list[Path]:
    """Gene Z of each set's genes against the genome-wide distribution of ``ZSTAT``.

    The top row is the genome-wide distribution (violin, with its mean); each set row shows
    the genome-wide violin in light grey behind the set's own genes (points and box), the set
    mean (red diamond) and, as a dashed line through all rows, the genome mean. Sets whose
    genes were all missing from the gene results say so.

    Parameters
    ----------
    genes : pandas.DataFrame or None
        Gene results with a ``ZSTAT`` column (MAGMA ``.genes.out`` layout); None draws the sets
        without the genome-wide reference.
    members : pandas.DataFrame
        One row per (set, gene): needs ``set`` and ``z``; rows with ``found`` False are counted
        but not drawn. Sets are drawn in order of first appearance.
    stem : str or pathlib.Path
        Output path without extension; ``stem.png`` and ``stem.svg`` are written.
    max_sets : int, default 40
        Most sets drawn (the first ones); the figure says when some are left out.
    title : str
        Figure title.
    descriptions : mapping of str to str, optional
        Shown after each set name (GMT column 2: ``GeneSets.descriptions``).

    Returns
    -------
    list of pathlib.Path
        The PNG and SVG paths.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> genes = pd.DataFrame({"ZSTAT": [-1.0, -0.2, 0.1, 0.4, 1.5, 2.2]})
    >>> members = pd.DataFrame({"set": ["s", "s", "s"], "z": [0.4, 1.5, None],
    ...                         "found": [True, True, False]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.suffix for p in set_z_distributions(genes, members, f"{tmp}/setz")]
    ['.png', '.svg']
    """
    what = "set_z_distributions: members table"
    members = _require(members, ["set", "z"], what)
    if max_sets < 1:
        raise InvalidArgumentError(f"set_z_distributions: max_sets must be >= 1, got {max_sets}")
    genome = np.empty(0)
    if genes is not None:
        _require(genes, ["ZSTAT"], "set_z_distributions: genes table")
        genome = _numeric(genes, "ZSTAT", "set_z_distributions: genes table")
        genome = genome[np.isfinite(genome)]
    z_all = _numeric(members, "z", what)
    found = (
        np.array([bool(v) if pd.notna(v) else False for v in members["found"]], dtype=bool)
        if "found" in members
        else np.isfinite(z_all)
    )
    set_names = list(dict.fromkeys(members["set"].astype(str)))
    notes = []
    if len(set_names) > max_sets:
        notes.append(f"Showing the first {max_sets} of {len(set_names)} sets.")
        set_names = set_names[:max_sets]
    key = members["set"].astype(str).to_numpy()

    finite_sets = [z_all[(key == s) & found & np.isfinite(z_all)] for s in set_names]
    pooled = np.concatenate([genome, *finite_sets]) if (len(genome) or finite_sets) else genome
    if len(pooled):
        lo, hi = float(pooled.min()), float(pooled.max())
    else:
        lo, hi = -3.0, 3.0
    pad = 0.05 * max(hi - lo, 1.0)
    grid = np.linspace(lo - pad, hi + pad, 256)

    rows = len(set_names) + (1 if len(genome) else 0)
    fig = _new_figure(9.0, 1.5 + 0.42 * max(rows, 2) + 0.18 * len(notes))
    ax = fig.subplots()
    ax.set_title(title, loc="left", fontsize=11)
    labels = []
    y = float(rows - 1)
    genome_mean = float(genome.mean()) if len(genome) else math.nan
    rng = np.random.default_rng(0)  # fixed seed: the jitter is part of the byte-stable output
    half = _violin_half_width(genome, grid)
    if len(genome):
        if half is not None:
            ax.fill_between(grid, y - half, y + half, color=_LIGHT_BLUE, linewidth=0)
        ax.scatter([genome_mean], [y], marker="D", s=36, color=_BLUE, zorder=4)
        labels.append((y, f"all genes (n {len(genome):,}, mean {genome_mean:.2f})"))
        y -= 1
    for name, z in zip(set_names, finite_sets, strict=True):
        total = int((key == name).sum())
        if half is not None:
            ax.fill_between(grid, y - half, y + half, color=_LIGHT_GREY, alpha=0.7, linewidth=0)
        if len(z):
            jitter = rng.uniform(-0.16, 0.16, len(z))
            ax.scatter(z, y + jitter, s=12, color=_BLUE, alpha=0.75, linewidth=0, zorder=3)
            _box(ax, z, y)
            mean = float(z.mean())
            ax.scatter([mean], [y], marker="D", s=40, color=_RED, zorder=5, edgecolors="white")
            shown = _short(_label(name, descriptions), 40)
            labels.append((y, f"{shown} (n {len(z)}/{total}, mean {mean:.2f})"))
        else:
            ax.text(
                0.5,
                y,
                "no gene of this set in the gene results",
                transform=ax.get_yaxis_transform(),
                ha="center",
                va="center",
                fontsize=8,
                color=_GREY,
            )
            labels.append((y, f"{_short(_label(name, descriptions), 40)} (n 0/{total})"))
        y -= 1
    if math.isfinite(genome_mean):
        ax.axvline(genome_mean, color=_BLUE, linestyle="--", linewidth=1, zorder=2)
    ax.axvline(0.0, color=_GREY, linewidth=0.6, zorder=1)
    ax.set_yticks([t for t, _ in labels], [s for _, s in labels], fontsize=8)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.set_xlim(grid[0], grid[-1])
    ax.set_xlabel("gene Z (ZSTAT); red diamond: set mean; dashed line: genome mean", fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if notes:
        fig.supxlabel(" ".join(notes), fontsize=7.5, x=0.01, ha="left", color="#444444")
    return _save(fig, stem)


# ----------------------------------------------------------------------------------------------
# Manhattan and QQ


def _chrom_key(name: str) -> tuple[int, int, str]:
    bare = name[3:] if name.lower().startswith("chr") else name
    if bare.isdigit():
        return (0, int(bare), bare)
    special = {"X": 23, "Y": 24, "XY": 25, "M": 26, "MT": 26}
    if bare.upper() in special:
        return (0, special[bare.upper()], bare.upper())
    return (1, 0, bare)


def _chrom_label(name: str) -> str:
    return _chrom_key(name)[2]


def _gene_mlog10p(genes: pd.DataFrame, what: str) -> np.ndarray:
    """-log10 P: the ``MLOG10P`` column where finite, else from P, else from ZSTAT when P is 0."""
    from scipy.special import log_ndtr

    p = _numeric(genes, "P", what)
    if ((p < 0) | (p > 1)).any():
        row = int(np.flatnonzero((p < 0) | (p > 1))[0])
        raise InvalidArgumentError(f"{what}: column 'P', row {row}: {p[row]} is not in [0, 1]")
    with np.errstate(divide="ignore"):
        out = -np.log10(p)
    if "MLOG10P" in genes:
        given = _numeric(genes, "MLOG10P", what)
        out = np.where(np.isfinite(given), given, out)
    if "ZSTAT" in genes:
        # MAGMA's ZSTAT is the one-sided probit of P, so P = Phi(-Z) in log space stays finite.
        z = _numeric(genes, "ZSTAT", what)
        from_z = -log_ndtr(-z) / math.log(10.0)
        out = np.where(np.isinf(out) & np.isfinite(from_z), from_z, out)
    return out


def _spread_labels(fig: Figure, texts: list[Any]) -> None:
    """Nudge gene labels upwards until no two overlap on the canvas (small greedy pass)."""
    from matplotlib.text import Text

    if not texts:
        return
    fig.draw_without_rendering()  # runs the layout, so that canvas positions are final
    renderer = fig.canvas.get_renderer()

    def extent(text: Any) -> Any:
        # Text's own box: an Annotation's box also spans its leader line, which always overlaps.
        text.update_positions(renderer)
        return Text.get_window_extent(text, renderer)

    placed: list[Any] = []
    # Lowest points first, so that labels of higher points move up into the empty space.
    for text in sorted(texts, key=lambda t: t.xy[1]):
        for _ in range(8):
            box = extent(text).expanded(1.04, 1.1)
            if not any(box.overlaps(other) for other in placed):
                break
            dx, dy = text.get_position()
            # The offset is in points: one step is about one line of 7 pt text.
            text.set_position((dx, dy + 8))
        placed.append(extent(text))


def gene_manhattan_qq(
    genes: pd.DataFrame,
    stem: str | Path,
    *,
    label_top: int = 10,
    alpha: float = 0.05,
    title: str = "Gene-level association",
) -> list[Path]:
    """Gene-level Manhattan plot and QQ plot, side by side.

    Manhattan: ``-log10 P`` of each gene at the midpoint of ``START``-``STOP``, chromosomes in
    order (1-22, then X, Y, MT, then others), the genome-wide Bonferroni line at
    ``alpha / n genes``, and the ``label_top`` strongest genes labelled with ``SYMBOL`` (else
    ``GENE``). QQ: observed against expected ``-log10 P`` with the pointwise 95% band of
    uniform order statistics (Beta quantiles) and ``lambda_GC`` of the gene p-values.
    ``-log10 P`` comes from ``MLOG10P`` when present, else from ``P``, else (``P`` = 0) from
    ``ZSTAT`` as MAGMA's ``P = Phi(-ZSTAT)``.

    Parameters
    ----------
    genes : pandas.DataFrame
        Gene results in MAGMA's ``.genes.out`` layout: needs ``CHR``, ``START``, ``STOP`` and
        ``P``; uses ``GENE``, ``SYMBOL``, ``ZSTAT`` and ``MLOG10P`` when present.
    stem : str or pathlib.Path
        Output path without extension; ``stem.png`` and ``stem.svg`` are written.
    label_top : int, default 10
        Genes labelled (0 for none).
    alpha : float, default 0.05
        Family-wise level of the Bonferroni line.
    title : str
        Figure title.

    Returns
    -------
    list of pathlib.Path
        The PNG and SVG paths.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> genes = pd.DataFrame({"GENE": [1, 2, 3], "CHR": ["1", "2", "X"],
    ...                       "START": [100, 500, 900], "STOP": [200, 800, 1000],
    ...                       "P": [0.3, 1e-9, 0.02], "SYMBOL": ["A", "B", "C"]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in gene_manhattan_qq(genes, f"{tmp}/genes", label_top=1)]
    ['genes.png', 'genes.svg']
    """
    what = "gene_manhattan_qq: genes table"
    genes = _require(genes, ["CHR", "START", "STOP", "P"], what)
    if label_top < 0:
        raise InvalidArgumentError(f"gene_manhattan_qq: label_top must be >= 0, got {label_top}")
    if not 0 < alpha < 1:
        raise InvalidArgumentError(f"gene_manhattan_qq: alpha must be in (0, 1), got {alpha}")
    chrom = genes["CHR"].astype(str).str.strip().to_numpy()
    mid = 0.5 * (_numeric(genes, "START", what) + _numeric(genes, "STOP", what))
    mlog10p = _gene_mlog10p(genes, what)
    p = _numeric(genes, "P", what)
    if "SYMBOL" in genes:
        names = genes["SYMBOL"].astype(str).to_numpy()
        if "GENE" in genes:
            gene_ids = genes["GENE"].astype(str).to_numpy()
            names = np.where(genes["SYMBOL"].isna().to_numpy(), gene_ids, names)
    elif "GENE" in genes:
        names = genes["GENE"].astype(str).to_numpy()
    else:
        names = np.array([f"row {i}" for i in range(len(genes))])
    ok = np.isfinite(mid) & np.isfinite(mlog10p)
    n_tested = int(np.isfinite(p).sum())
    threshold = -math.log10(alpha / n_tested) if n_tested else math.nan

    fig = _new_figure(12.5, 4.6)
    ax, ax_qq = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3.1, 1.0]})
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)

    # Manhattan: chromosomes laid end to end with a gap, each spanning its largest midpoint.
    chroms = sorted(set(chrom[ok]), key=_chrom_key)
    spans = {c: float(mid[ok & (chrom == c)].max()) for c in chroms}
    gap = 0.02 * sum(spans.values()) if spans else 0.0
    offset, start = {}, 0.0
    for c in chroms:
        offset[c] = start
        start += spans[c] + gap
    x = np.array([offset.get(c, np.nan) for c in chrom]) + mid
    if len(chroms) == 1:
        x = mid / 1e6
    rasterise = int(ok.sum()) > _RASTERISE_ABOVE
    for k, c in enumerate(chroms):
        sel = ok & (chrom == c)
        ax.scatter(
            x[sel],
            mlog10p[sel],
            s=5,
            linewidth=0,
            color=_BLUE if k % 2 == 0 else _LIGHT_BLUE,
            rasterized=rasterise,
        )
    xlabel = "chromosome (gene midpoint)"
    if len(chroms) == 1:
        # One chromosome (e.g. a chr22 run): a position axis in Mb over the genes' range reads
        # better than one tick and a blank stretch from 0 to the first gene.
        c = chroms[0]
        span = float(np.ptp(x[ok])) or 1.0
        ax.set_xlim(float(np.nanmin(x[ok])) - 0.02 * span, float(np.nanmax(x[ok])) + 0.02 * span)
        xlabel = f"chromosome {_chrom_label(c)}: gene midpoint (Mb)"
    elif chroms:
        ax.set_xticks(
            [offset[c] + spans[c] / 2 for c in chroms],
            [_chrom_label(c) for c in chroms],
            fontsize=7 if len(chroms) > 12 else 8,
        )
        ax.set_xlim(-gap, start)
    ymax = float(np.nanmax(mlog10p[ok])) if ok.any() else 1.0
    if math.isfinite(threshold):
        ax.axhline(threshold, color=_RED, linestyle="--", linewidth=1)
        ax.text(
            0.995,
            threshold,
            f"Bonferroni {alpha:g} / {n_tested:,} genes",
            transform=ax.get_yaxis_transform(),
            color=_RED,
            fontsize=7,
            va="bottom",
            ha="right",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
        ymax = max(ymax, threshold)
    ax.set_ylim(0, ymax * 1.15 + 0.5)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel("-log$_{10}$ P", fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if not ok.any():
        ax.text(
            0.5, 0.5, "No gene with a p-value", transform=ax.transAxes, ha="center", color=_GREY
        )
    top = [
        i for i in np.argsort(-np.where(ok, mlog10p, -np.inf), kind="stable")[:label_top] if ok[i]
    ]
    texts = [
        ax.annotate(
            _short(names[i], 16),
            (x[i], mlog10p[i]),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=7,
            color="#222222",
            arrowprops={
                "arrowstyle": "-",
                "color": _GREY,
                "linewidth": 0.5,
                "shrinkA": 0,
                "shrinkB": 2,
            },
        )
        for i in top
    ]
    _spread_labels(fig, texts)

    # QQ against uniform order statistics: the i-th smallest of n p-values is Beta(i, n-i+1).
    from scipy.stats import beta

    observed = np.sort(mlog10p[np.isfinite(mlog10p)])[::-1]
    n = len(observed)
    if n:
        i = np.arange(1, n + 1)
        expected = -np.log10(i / (n + 1))
        # The band is smooth: ~400 log-spaced ranks draw it as well as all n and keep the SVG small.
        j = np.unique(np.geomspace(1, n, min(n, 400)).round().astype(np.int64))
        band_lo = -np.log10(beta.ppf(0.975, j, n - j + 1))
        band_hi = -np.log10(beta.ppf(0.025, j, n - j + 1))
        ax_qq.fill_between(-np.log10(j / (n + 1)), band_lo, band_hi, color=_LIGHT_GREY, linewidth=0)
        ax_qq.scatter(
            expected, observed, s=5, linewidth=0, color=_BLUE, rasterized=n > _RASTERISE_ABOVE
        )
        top_e = float(expected[0])
        ax_qq.plot([0, top_e], [0, top_e], color=_RED, linewidth=1)
        ax_qq.set_xlim(0, top_e * 1.05)
        ax_qq.set_ylim(0, max(float(observed[0]), top_e) * 1.08)
    lam = lambda_gc(p)
    ax_qq.text(
        0.04,
        0.96,
        f"\u03bb$_{{GC}}$ = {lam:.3f}\nn = {n:,} genes",
        transform=ax_qq.transAxes,
        va="top",
        fontsize=8,
    )
    ax_qq.set_xlabel("expected -log$_{10}$ P", fontsize=9)
    ax_qq.set_ylabel("observed -log$_{10}$ P", fontsize=9)
    for side in ("top", "right"):
        ax_qq.spines[side].set_visible(False)
    return _save(fig, stem)
