"""Gene-set analysis on gene-level results (ours or MAGMA's ``.genes.out``/``.genes.raw``).

Per set, three tests of whether its genes carry more signal than the rest of the genome:

* **competitive regression as MAGMA fits it** (docs/methods.md §3): gene Z regressed on set
  membership and the default gene covariates (gene size, gene density, sample size and inverse minor
  allele count, each with its log), by generalised least squares with the gene-gene
  correlations of a ``.genes.raw`` (raised to the power 1.1), one-sided test of beta > 0. Without
  correlations (a plain ``.genes.out``) it falls back to ordinary least squares and says so;
* the study's **one-sample t test** of the set's mean Z against the genome-wide mean of Z, and
  its **Welch t test** of the set's genes against all other genes (both one-sided, greater);
* counts of genes significant nominally, after within-set and after genome-wide Bonferroni.

Across sets: Bonferroni and Benjamini-Hochberg for each test, and a Kruskal-Wallis test of
gene Z across the sets.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from ldenrich import _native
from ldenrich._atomic import write_text, write_tsv
from ldenrich._pvalues import benjamini_hochberg, bonferroni
from ldenrich._sanity import check_set_ids, result_id_hint
from ldenrich.errors import InconsistentInputError, InvalidArgumentError
from ldenrich.genes import GeneCorrelations, GeneResults
from ldenrich.io import GeneLoc, GeneSets, PathLike

__all__ = [
    "GeneSetResults",
    "gene_set_analysis",
    "kruskal_wallis",
    "read_gene_results",
]

FloatArray = npt.NDArray[np.float64]

#: Columns of :attr:`GeneSetResults.sets`.
SET_COLUMNS = [
    "set", "description", "source", "n_genes", "n_genes_found", "n_genes_missing", "mean_z",
    "genome_mean_z",
    "t_one_sample", "p_one_sample", "p_one_sample_bonferroni", "p_one_sample_bh",
    "t_welch", "df_welch", "p_welch", "p_welch_bonferroni", "p_welch_bh",
    "n_nominal", "n_set_bonferroni", "n_genome_bonferroni",
    "beta", "beta_std", "se", "t_competitive", "df_competitive", "p_competitive",
    "p_competitive_bonferroni", "p_competitive_bh", "status", "missing_genes",
]  # fmt: skip

#: Columns of :attr:`GeneSetResults.members` (the study's Tables 1 and 2).
MEMBER_COLUMNS = [
    "set", "gene", "symbol", "chr", "start", "stop", "nsnps", "z", "p",
    "p_set_bonferroni", "p_genome_bonferroni", "found",
]  # fmt: skip

#: Columns of :meth:`GeneSetResults.table3` (the study's Table 3).
#: The competitive GLS p leads: it allows for LD between genes, which the study's one-sample t
#: (``t``, ``p``) does not; likewise the screen's permutation p leads the study's jackknife p.
TABLE3_COLUMNS = [
    "set", "description", "n_genes", "n_evaluable", "n_nominal", "n_set_bonferroni", "beta",
    "se", "p_competitive", "mean_z", "t", "p", "p_bonferroni", "q_bh", "enrichment",
    "enrichment_se", "enrichment_p_perm", "n_blocks_in", "enrichment_p",
]  # fmt: skip

_COVARIATE_LABELS = {
    "size": "gene size",
    "density": "gene density",
    "nsamp": "sample size",
    "invmac": "inverse mac",
}


def read_gene_results(path: PathLike) -> GeneResults:
    """Read MAGMA's (or ldenrich's) ``.genes.out`` or ``.genes.raw``.

    The layout is detected from the first line: ``# VERSION = ...`` lines start a ``.genes.raw``
    (fixed columns ``GENE CHR START STOP NSNPS NPARAM`` then the ``# COVAR`` columns, ``ZSTAT``,
    and each gene's correlations with the genes before it); otherwise a header line names the
    columns (``GENE`` and ``ZSTAT`` required; ``CHR START STOP NSNPS NPARAM N P SYMBOL MAC``
    used when present). Genes with a missing ZSTAT are dropped and counted in ``qc``.

    Parameters
    ----------
    path : str or PathLike
        Plain or gzip.

    Returns
    -------
    GeneResults
        ``table`` with the columns found (``CHR`` as text), ``correlations`` (``.genes.raw``
        only, else None), ``qc`` (``reason, count``) and ``settings["format"]``.

    Examples
    --------
    >>> import ldenrich, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.genes.raw"
    >>> _ = path.write_text("# VERSION = 110\\n# COVAR = NSAMP MAC\\n"
    ...     "1 1 10 20 3 2 1000 15 1.5\\n2 1 15 40 2 2 1000 30 -0.4 0.25\\n")
    >>> res = ldenrich.read_gene_results(path)
    >>> res.table[["GENE", "NSNPS", "MAC", "ZSTAT"]].values.tolist(), list(res.correlations)
    ([['1', 3, 15.0, 1.5], ['2', 2, 30.0, -0.4]], [[], [0.25]])
    """
    raw = _native.read_gene_results(os.fspath(path))
    columns: dict[str, Any] = {"GENE": np.asarray(raw["ids"], dtype=object)}
    if any(raw["chrom"]):
        columns["CHR"] = np.asarray(raw["chrom"], dtype=object)
    for name, values in raw["numeric"].items():
        if name in ("START", "STOP", "NSNPS") and np.isfinite(values).all():
            values = values.astype(np.int64)
        columns[name] = values
    if raw["symbols"] is not None:
        columns["SYMBOL"] = np.asarray(raw["symbols"], dtype=object)
    table = pd.DataFrame(columns)
    band = raw["correlations"]
    correlations = None if band is None else GeneCorrelations._from_native(band)
    n_dropped = sum(count for _, count in raw["dropped"])
    qc = pd.DataFrame(
        [("read", len(table) + n_dropped), ("used", len(table)), *raw["dropped"]],
        columns=["reason", "count"],
    )
    settings: dict[str, object] = {
        "source": raw["path"],
        "format": raw["format"],
        "version": raw["version"],
        "covar_names": raw["covar_names"],
    }
    return GeneResults(table, correlations, qc, 0, settings)


@dataclass
class GeneSetResults:
    """Results of :func:`gene_set_analysis`.

    Attributes
    ----------
    sets : pandas.DataFrame
        One row per set (:data:`SET_COLUMNS`): set sizes, mean Z against the genome-wide mean
        (one-sample t) and against the other genes (Welch t), the counts of significant genes,
        the competitive regression (``beta, beta_std, se, t_competitive, df_competitive,
        p_competitive``), each p with its Bonferroni and BH companions across the sets tested,
        ``status`` (``ok``, ``no_genes_found``, ``too_few_genes``, ``collinear``, ...) and the
        set's genes missing from the results.
    members : pandas.DataFrame
        One row per gene of each set (:data:`MEMBER_COLUMNS`), sorted by set then p: the
        study's Tables 1 and 2.
    kruskal : pandas.DataFrame
        One row ``h, df, p, n_sets, n_memberships, n_distinct_genes, sets_overlap``:
        Kruskal-Wallis of gene Z across the sets with genes found. When the sets share genes
        (``sets_overlap``), the test's groups are not independent samples and its p is not a
        valid test: read it only for disjoint sets.
    model : dict
        How the competitive regression was fitted: ``method`` (``GLS`` or ``OLS``), genes,
        effective genes, covariates used and dropped, truncation limits, notes.
    """

    sets: pd.DataFrame
    members: pd.DataFrame
    kruskal: pd.DataFrame
    model: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        status = self.sets["status"].value_counts()
        counts = ", ".join(f"{k} {v:,}" for k, v in status.items())
        return (
            f"GeneSetResults({len(self.sets):,} sets ({counts}), {len(self.members):,} "
            f"memberships, model {self.model.get('method', '?')})"
        )

    def table3(self, enrichment: pd.DataFrame | None = None) -> pd.DataFrame:
        """The study's Table 3: per set, counts, mean Z and its t test, the competitive test and,
        when the enrichment screen's table is given, that set's screen row.

        Parameters
        ----------
        enrichment : pandas.DataFrame, optional
            From :func:`ldenrich.enrichment`; matched on ``category == set``.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`TABLE3_COLUMNS`.
        """
        s = self.sets
        out = pd.DataFrame(
            {
                "set": s["set"],
                "description": s["description"],
                "n_genes": s["n_genes"],
                "n_evaluable": s["n_genes_found"],
                "n_nominal": s["n_nominal"],
                "n_set_bonferroni": s["n_set_bonferroni"],
                "mean_z": s["mean_z"],
                "t": s["t_one_sample"],
                "p": s["p_one_sample"],
                "p_bonferroni": s["p_one_sample_bonferroni"],
                "q_bh": s["p_one_sample_bh"],
                "beta": s["beta"],
                "se": s["se"],
                "p_competitive": s["p_competitive"],
            }
        )
        screen = ["enrichment", "enrichment_se", "enrichment_p_perm", "n_blocks_in", "enrichment_p"]
        if enrichment is not None:
            present = [c for c in screen if c in enrichment]
            rows = enrichment.drop_duplicates("category").set_index("category")[present]
            out = out.join(rows, on="set")
            for c in screen:
                if c not in out:
                    out[c] = np.nan
        else:
            for c in screen:
                out[c] = np.nan
        return out[TABLE3_COLUMNS].reset_index(drop=True)

    def ranked_sets(self) -> list[str]:
        """Set names, most significant first (competitive p, then one-sample p; untested last)."""
        order = self.sets.sort_values(
            ["p_competitive", "p_one_sample"], na_position="last", kind="mergesort"
        )
        return [str(s) for s in order["set"]]

    def top_members(self, n_sets: int | None = None) -> pd.DataFrame:
        """:attr:`members` of the ``n_sets`` most significant sets (all when None), in the
        order of :meth:`ranked_sets`."""
        ranked = self.ranked_sets()
        keep = ranked if n_sets is None else ranked[:n_sets]
        rank = {name: i for i, name in enumerate(keep)}
        chosen = self.members[self.members["set"].isin(rank)]
        return chosen.sort_values("set", key=lambda c: c.map(rank), kind="stable").reset_index(
            drop=True
        )

    def write(
        self,
        prefix: PathLike,
        enrichment: pd.DataFrame | None = None,
        members_sets: int | None = None,
    ) -> dict[str, Path]:
        """Write ``PREFIX.gsa.out`` (MAGMA layout), ``PREFIX.sets.tsv``, ``PREFIX.kruskal.tsv``,
        ``PREFIX.members.tsv`` (Tables 1/2) and ``PREFIX.table3.tsv``.

        ``members_sets`` limits ``members.tsv`` to the genes of that many most significant sets
        (most significant first; all sets, in their input order, when None): GO BP's 1.5
        million memberships would otherwise make a 100 MB file.

        Returns
        -------
        dict
            Paths written, by kind.
        """
        prefix = Path(prefix)

        def path(suffix: str) -> Path:
            return prefix.with_name(prefix.name + suffix)

        written = {
            "gsa.out": path(".gsa.out"),
            "sets.tsv": path(".sets.tsv"),
            "kruskal.tsv": path(".kruskal.tsv"),
            "members.tsv": path(".members.tsv"),
            "table3.tsv": path(".table3.tsv"),
        }
        write_text(written["gsa.out"], format_gsa_out(self))
        write_tsv(written["sets.tsv"], self.sets)
        write_tsv(written["kruskal.tsv"], self.kruskal)
        members = self.members if members_sets is None else self.top_members(members_sets)
        write_tsv(written["members.tsv"], members)
        write_tsv(written["table3.tsv"], self.table3(enrichment))
        return written


def _g5(x: float) -> str:
    return "NA" if not math.isfinite(x) else f"{x:.5g}"


def format_gsa_out(results: GeneSetResults, max_name: int = 30) -> str:
    """MAGMA's ``.gsa.out`` layout: ``#`` header lines, then ``VARIABLE TYPE NGENES BETA
    BETA_STD SE P`` for each set tested (names longer than ``max_name`` characters are cut and
    the full name added in a ``FULL_NAME`` column, as MAGMA does)."""
    m = results.model
    lines = []
    if m.get("mean_sample_size") is not None:
        lines.append(f"# MEAN_SAMPLE_SIZE = {m['mean_sample_size']:.6g}")
    lines.append(f"# TOTAL_GENES = {m.get('n_genes', 0)}")
    lines.append("# TEST_DIRECTION = one-sided, positive (set)")
    if m.get("covariates"):
        lines.append("# CONDITIONED_INTERNAL = " + ", ".join(m["covariates"]))
    lines.append(f"# MODEL = {m.get('description', '')}")
    tested = results.sets[results.sets["status"] == "ok"]
    names = [str(n) for n in tested["set"]]
    abbreviate = any(len(n) > max_name for n in names)
    header = ["VARIABLE", "TYPE", "NGENES", "BETA", "BETA_STD", "SE", "P"]
    rows = [
        [
            n[:max_name],
            "SET",
            str(int(r.n_genes_found)),
            _g5(r.beta),
            _g5(r.beta_std),
            _g5(r.se),
            _g5(r.p_competitive),
        ]
        + ([n] if abbreviate else [])
        for n, r in zip(names, tested.itertuples(index=False), strict=True)
    ]
    if abbreviate:
        header.append("FULL_NAME")
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        cells = [
            v.ljust(widths[i])
            if i == 0 or (i == len(header) - 1 and abbreviate)
            else v.rjust(widths[i])
            for i, v in enumerate(row)
        ]
        lines.append(" ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


# --- the simple tests -------------------------------------------------------------------------


def _t_sf(t: FloatArray, df: FloatArray) -> FloatArray:
    """Upper tail of Student's t, NaN-propagating (``stdtr`` is accurate in the far tail)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(special.stdtr(df, -t), dtype=np.float64)


def one_sample_greater(
    n: FloatArray, mean: FloatArray, var: FloatArray, mu0: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One-sample t of ``mean > mu0`` from group summaries (``var`` with ddof 1), as
    ``scipy.stats.ttest_1samp(..., alternative="greater")``: ``(t, df, p)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(n >= 2, n - 1.0, np.nan)
        t = (mean - mu0) / np.sqrt(var / n)
        t = np.where(n >= 2, t, np.nan)
    return t, df, _t_sf(t, df)


def welch_greater(
    n1: FloatArray, m1: FloatArray, v1: FloatArray, n2: FloatArray, m2: FloatArray, v2: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Welch's t of ``mean1 > mean2`` from group summaries, as ``scipy.stats.ttest_ind(...,
    equal_var=False, alternative="greater")`` (df = 1 when both variances are 0): ``(t, df, p)``."""
    # The formula is the core's, shared with the screen's Welch columns.
    shape = np.shape(n1)
    columns = [np.ascontiguousarray(np.broadcast_to(x, shape), dtype=np.float64)
               for x in (n1, m1, v1, n2, m2, v2)]  # fmt: skip
    t, df = _native.welch_t(*columns)
    ok = (np.asarray(n1) >= 2) & (np.asarray(n2) >= 2)
    t, df = np.where(ok, t, np.nan), np.where(ok, df, np.nan)
    return t, df, _t_sf(t, df)


def kruskal_wallis(groups: Sequence[npt.ArrayLike]) -> tuple[float, float, float]:
    """Kruskal-Wallis H test with mid-ranks and the tie correction (SciPy's ``kruskal``).

    Parameters
    ----------
    groups : sequence of array-like
        At least two groups; an empty group or all values equal give NaN, as in SciPy.

    Returns
    -------
    (h, df, p)

    Examples
    --------
    >>> from ldenrich.sets import kruskal_wallis
    >>> x = [1.2, 3.4, 2.2, 5.0, 4.4, 3.3, 2.9, 6.1, 0.5, 4.0]
    >>> y = [2.0, 1.1, 0.3, 1.9, 2.5, 3.0, 0.9, 1.2, 2.2, 1.7, 0.4]
    >>> h, df, p = kruskal_wallis([x, y, [1, 1, 2, 2, 3]])
    >>> round(h, 6), df, round(p, 7)
    (7.366379, 2.0, 0.0251427)
    """
    arrays = [np.asarray(g, dtype=np.float64).ravel() for g in groups]
    if len(arrays) < 2:
        raise InvalidArgumentError("Kruskal-Wallis needs at least two groups")
    df = float(len(arrays) - 1)
    pooled = np.concatenate(arrays)
    if np.isnan(pooled).any():
        return math.nan, df, math.nan
    bounds = np.r_[0, np.cumsum([a.size for a in arrays])].tolist()
    h = _native.kruskal_wallis_h(pooled, bounds)
    p = float(special.chdtrc(df, h))
    return h, df, p


# --- the competitive regression ----------------------------------------------------------------


def _impute_and_truncate(
    values: FloatArray, max_missing: float, outlier_sd: float
) -> tuple[FloatArray | None, str]:
    """MAGMA's covariate hygiene: median imputation of missing values (a variable missing for
    more than ``max_missing`` of the genes is discarded), then truncation at ``outlier_sd``
    standard deviations from the mean. Returns None (and why) for a discarded variable."""
    bad = ~np.isfinite(values)
    if bad.mean() > max_missing:
        return None, f"missing for {bad.mean():.1%} of genes"
    out = values.copy()
    if bad.any():
        out[bad] = np.median(values[~bad])
    mean, sd = float(out.mean()), float(out.std(ddof=1))
    if not sd > 1e-12 * max(1.0, abs(mean)):
        return None, "constant"
    if outlier_sd > 0:
        out = np.clip(out, mean - outlier_sd * sd, mean + outlier_sd * sd)
    return out, ""


def default_covariates(
    table: pd.DataFrame, *, max_missing: float = 0.05, outlier_sd: float = 5.0
) -> tuple[FloatArray, list[str], list[str]]:
    """MAGMA's default gene covariates: gene size (NSNPS), gene density (NPARAM / NSNPS),
    sample size (N) and inverse minor allele count (1 / MAC), then the log of each; constant or
    mostly missing ones are dropped.

    Returns
    -------
    (matrix, names, dropped)
        ``genes x covariates`` matrix, the covariates' names, and ``name: reason`` for each
        covariate left out.
    """
    raw: dict[str, FloatArray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        if "NSNPS" in table:
            size = table["NSNPS"].to_numpy(dtype=np.float64)
            raw["size"] = size
            if "NPARAM" in table:
                raw["density"] = table["NPARAM"].to_numpy(dtype=np.float64) / size
        if "N" in table:
            raw["nsamp"] = table["N"].to_numpy(dtype=np.float64)
        if "MAC" in table:
            raw["invmac"] = 1.0 / table["MAC"].to_numpy(dtype=np.float64)
        candidates = [(_COVARIATE_LABELS[k], v) for k, v in raw.items()]
        candidates += [
            (f"log({_COVARIATE_LABELS[k]})", np.log(np.where(v > 0, v, np.nan)))
            for k, v in raw.items()
        ]
    columns, names, dropped = [], [], []
    for name, values in candidates:
        kept, why = _impute_and_truncate(values, max_missing, outlier_sd)
        if kept is None:
            dropped.append(f"{name}: {why}")
        else:
            columns.append(kept)
            names.append(name)
    matrix = np.column_stack(columns) if columns else np.empty((len(table), 0))
    return np.ascontiguousarray(matrix, dtype=np.float64), names, dropped


def truncate_z(z: FloatArray, low: float, high: float) -> tuple[FloatArray, float, float]:
    """MAGMA's outcome truncation: Z below ``-low`` is set to ``-low`` and Z above
    ``mean + high * SD`` to that bound (mean and SD of the untruncated Z); 0 disables a side.
    Returns the truncated Z and the two bounds used (infinite when disabled)."""
    lo = -low if low > 0 else -math.inf
    hi = float(z.mean() + high * z.std(ddof=1)) if high > 0 else math.inf
    return np.clip(z, lo, hi), lo, hi


def _band(
    correlations: GeneCorrelations | Sequence[Sequence[float]] | None, n: int
) -> _native.CorrelationBand | None:
    """The core's band for the GLS: a :class:`GeneCorrelations` as it is, other rows converted
    (and checked) once."""
    if correlations is None:
        return None
    if len(correlations) != n:
        raise InconsistentInputError(
            f"gene results have {n} genes but correlations for {len(correlations)}"
        )
    if not isinstance(correlations, GeneCorrelations):
        correlations = GeneCorrelations(correlations)
    return correlations._native


# --- set resolution ----------------------------------------------------------------------------


class _SetGenes(NamedTuple):
    """One gene set resolved against the gene results."""

    name: str
    source: str
    description: str
    rows: npt.NDArray[np.uint32]  # rows of the genes found, sorted and distinct
    missing: list[str]  # tokens that name no gene of the results
    n_genes: int  # distinct tokens of the set


def _symbols(table: pd.DataFrame, gene_loc: GeneLoc | None) -> list[str]:
    """Symbol of each gene of the results: their SYMBOL column, else through the gene
    locations' ID -> symbol map, else none."""
    if "SYMBOL" in table:
        return [str(s) for s in table["SYMBOL"]]
    if gene_loc is None:
        return []
    loc_symbol = dict(zip(gene_loc._native.ids(), gene_loc._native.symbols(), strict=True))
    return [loc_symbol.get(str(g), "") for g in table["GENE"]]


def _resolve_sets(
    sets: _Sets,
    table: pd.DataFrame,
    symbols: list[str],
    threads: int | None,
) -> list[_SetGenes]:
    """The screen's rule (the core's ``GeneResolver``): exact gene ID first, then a
    case-insensitive symbol."""
    offsets, rows, n_genes, missing = _native.resolve_gene_sets(
        [str(g) for g in table["GENE"]], symbols, sets.parts, threads
    )
    return [
        _SetGenes(name, src, desc, rows[offsets[i] : offsets[i + 1]], missing[i], n_genes[i])
        for i, (name, src, desc) in enumerate(sets.labels)
    ]


@dataclass
class _Sets:
    """The sets to test: ``(name, source, description)`` of each, in order, and their genes as
    parts for the core: a file read by the core is passed as it is (its genes never become
    Python strings); sets built in Python as token lists."""

    labels: list[tuple[str, str, str]] = field(default_factory=list)
    parts: list[_native.GeneSets | list[list[str]]] = field(default_factory=list)


def _as_sets(
    gene_sets: GeneSets | Mapping[str, Sequence[str]] | Sequence[GeneSets],
) -> _Sets:
    """The sets of every group, names unique across groups; the source is the file's name (the
    same on every machine; the full path is in the log)."""
    if isinstance(gene_sets, GeneSets):
        groups: list[Any] = [gene_sets]
    elif isinstance(gene_sets, Mapping):
        groups = [GeneSets(gene_sets)]
    else:
        groups = list(gene_sets)
    out = _Sets()
    seen: dict[str, str] = {}
    for group in groups:
        if not isinstance(group, GeneSets):
            group = GeneSets(group)
        source = os.path.basename(group.source)
        for name in group:
            if name in seen:
                raise InconsistentInputError(
                    f"gene set name '{name}' is used twice (in {seen[name]} and {group.source}); "
                    "set names must be unique"
                )
            seen[name] = group.source
            out.labels.append((name, source, group.descriptions.get(name, "")))
        native = group._native
        out.parts.append(native if native is not None else [list(g) for g in group.values()])
    return out


# --- the analysis ------------------------------------------------------------------------------


def gene_set_analysis(
    genes: GeneResults | pd.DataFrame | PathLike,
    gene_sets: GeneSets | Mapping[str, Sequence[str]] | Sequence[GeneSets],
    *,
    gene_loc: GeneLoc | None = None,
    correlations: Literal["auto", "none"] = "auto",
    covariates: Literal["default", "none"] = "default",
    truncate: tuple[float, float] = (3.0, 6.0),
    covariate_outlier_sd: float = 5.0,
    max_missing: float = 0.05,
    power: float = 1.1,
    prune: float = 0.1,
    min_genes: int = 2,
    alpha: float = 0.05,
    threads: int | None = None,
) -> GeneSetResults:
    """Test gene sets on gene-level results.

    Parameters
    ----------
    genes : GeneResults, pandas.DataFrame or path
        Gene results: from :func:`ldenrich.gene_analysis`, :func:`read_gene_results` (MAGMA's
        ``.genes.out``/``.genes.raw``), a path to one of those, or a table with at least
        ``GENE`` and ``ZSTAT`` (``P`` defaults to the one-sided ``norm.sf(ZSTAT)``).
    gene_sets : GeneSets, mapping or sequence of GeneSets
        Sets of gene IDs or symbols. IDs are matched first, then symbols (case-insensitive),
        taken from the results' ``SYMBOL`` column or, for MAGMA files, from ``gene_loc``.
    gene_loc : GeneLoc, optional
        To resolve symbols when the results carry only gene IDs.
    correlations : {"auto", "none"}
        ``auto`` uses the results' gene-gene correlations when present (GLS), else OLS;
        ``none`` forces OLS.
    covariates : {"default", "none"}
        MAGMA's default covariates (see :func:`default_covariates`) or none.
    truncate : (float, float)
        Z truncation for the regression: below ``-truncate[0]`` and above mean +
        ``truncate[1]`` SD (MAGMA's defaults 3 and 6; 0 disables a side).
    covariate_outlier_sd, max_missing : float
        Covariate truncation (SDs from the mean) and the largest missing fraction imputed.
    power : float
        Power applied to the gene-gene correlations (MAGMA: 1.1).
    prune : float
        Eigenvalues of a correlation block at or below this are dropped when whitening.
    min_genes : int
        Sets with fewer genes found are not regressed (MAGMA drops single-gene sets).
    alpha : float
        Level of the gene-level significance counts.
    threads : int, optional
        Threads for the regression; results do not depend on it.

    Returns
    -------
    GeneSetResults

    Examples
    --------
    >>> import ldenrich, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> table = pd.DataFrame({"GENE": [f"g{i}" for i in range(200)],
    ...                       "NSNPS": rng.integers(1, 100, 200), "ZSTAT": rng.normal(size=200)})
    >>> table.loc[:9, "ZSTAT"] += 3
    >>> res = ldenrich.gene_set_analysis(table, {"top": [f"g{i}" for i in range(10)]})
    >>> row = res.sets.iloc[0]
    >>> int(row.n_genes_found), bool(row.p_competitive < 1e-6), res.model["method"]
    (10, True, 'OLS')
    """
    if not isinstance(genes, (GeneResults, pd.DataFrame)):
        genes = read_gene_results(genes)
    if isinstance(genes, GeneResults):
        table, corr = genes.table, genes.correlations
        source = str(genes.settings.get("source", "gene analysis"))
    else:
        table, corr, source = genes, None, "DataFrame"
    if "GENE" not in table or "ZSTAT" not in table:
        raise InvalidArgumentError("gene results need GENE and ZSTAT columns")
    if correlations not in ("auto", "none") or covariates not in ("default", "none"):
        raise InvalidArgumentError("correlations must be auto|none and covariates default|none")
    if not (0 < alpha < 1) or min_genes < 1:
        raise InvalidArgumentError("alpha must be in (0, 1) and min_genes >= 1")
    table = table.reset_index(drop=True)
    z = table["ZSTAT"].to_numpy(dtype=np.float64)
    keep = np.isfinite(z)
    if not keep.all():
        if corr is not None:
            raise InconsistentInputError("gene results with correlations have non-finite ZSTAT")
        table, z = table[keep].reset_index(drop=True), z[keep]
    n_genes = len(table)
    if n_genes < 3:
        raise InconsistentInputError(f"gene-set analysis needs at least 3 genes; found {n_genes}")
    ids = table["GENE"].astype(str)
    if ids.duplicated().any():
        raise InconsistentInputError(
            f"gene '{ids[ids.duplicated()].iloc[0]}' appears twice in the gene results"
        )
    if "P" in table:
        p = table["P"].to_numpy(dtype=np.float64)
    else:
        p = special.ndtr(-z)
    if correlations == "none":
        corr = None

    sets = _as_sets(gene_sets)
    symbols = _symbols(table, gene_loc)
    resolved = _resolve_sets(sets, table, symbols, threads)
    check_set_ids(
        sum(r.n_genes for r in resolved),
        sum(r.n_genes - len(r.missing) for r in resolved),
        [g for r in resolved for g in r.missing[:20]][:1000],
        [str(g) for g in table["GENE"].iloc[:: max(1, n_genes // 1000)]],
        bool(symbols),
        source,
    )
    if resolved and not any(len(r.rows) for r in resolved):
        missing = [g for r in resolved for g in r.missing[:20]][:1000]
        hint = (
            result_id_hint(
                missing,
                [str(g) for g in table["GENE"].iloc[:: max(1, n_genes // 1000)]],
                bool(symbols),
            )
            or "check that the sets and the gene results use the same kind of gene id and build"
        )
        raise InconsistentInputError(
            f"no gene of the {len(resolved)} gene sets is in the gene results {source} "
            f"(sets name {', '.join(missing[:3])} ...; results have "
            f"{', '.join(map(str, table['GENE'].iloc[:3]))} ...): {hint}"
        )  # fmt: skip

    # Genome-wide summaries, and per set the summaries of its genes and of the other genes. Sums
    # of squares are taken about the genome-wide mean, so the rest's variance by subtraction
    # keeps its digits: sum_rest (z - m_rest)^2 = sum_rest (z - mu)^2 - n_rest (m_rest - mu)^2.
    genome_mean = float(z.mean())
    centered = z - genome_mean
    ss_all = float(centered @ centered)
    k = len(resolved)
    n_found = np.array([len(r.rows) for r in resolved], dtype=np.float64)
    sum_c = np.array([centered[r.rows].sum() for r in resolved])
    ss_c = np.array([float(centered[r.rows] @ centered[r.rows]) for r in resolved])
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_set = np.where(n_found > 0, genome_mean + sum_c / n_found, np.nan)
        var_set = np.array(
            [np.var(z[r.rows], ddof=1) if len(r.rows) >= 2 else np.nan for r in resolved]
        )
        n_rest = n_genes - n_found
        shift_rest = -sum_c / n_rest
        mean_rest = genome_mean + shift_rest
        var_rest = np.maximum(ss_all - ss_c - n_rest * shift_rest**2, 0.0) / (n_rest - 1)
    t1, _, p1 = one_sample_greater(n_found, mean_set, var_set, genome_mean)
    tw, dfw, pw = welch_greater(n_found, mean_set, var_set, n_rest, mean_rest, var_rest)
    n_nominal = np.array([int((p[r.rows] < alpha).sum()) for r in resolved])
    n_set_bonf = np.array(
        [int((p[r.rows] < alpha / len(r.rows)).sum()) if len(r.rows) else 0 for r in resolved]
    )
    n_genome_bonf = np.array([int((p[r.rows] < alpha / n_genes).sum()) for r in resolved])

    # The competitive regression.
    z_trunc, lo, hi = truncate_z(z, *truncate)
    if covariates == "default":
        cov, cov_names, cov_dropped = default_covariates(
            table, max_missing=max_missing, outlier_sd=covariate_outlier_sd
        )
    else:
        cov, cov_names, cov_dropped = np.empty((n_genes, 0)), [], []
    band = _band(corr, n_genes)
    model = _native.gls_model(
        np.ascontiguousarray(z_trunc), cov, band, float(power), float(prune), threads
    )
    kept_names = [cov_names[i] for i in model.kept]
    collinear_covs = [n for i, n in enumerate(cov_names) if i not in set(model.kept)]
    status = np.array(["ok"] * k, dtype=object)
    testable = [len(r.rows) >= min_genes for r in resolved]
    for i, r in enumerate(resolved):
        if not len(r.rows):
            status[i] = "no_genes_found"
        elif not testable[i]:
            status[i] = "too_few_genes"
    test_idx = [i for i in range(k) if testable[i]]
    set_offsets = np.zeros(len(test_idx) + 1, dtype=np.uint64)
    np.cumsum([len(resolved[i].rows) for i in test_idx], out=set_offsets[1:])
    set_genes = np.concatenate([resolved[i].rows for i in test_idx] or [np.empty(0, np.uint32)])
    fits = model.test_sets(set_offsets, set_genes, threads)
    beta, se, tc, dfc = (np.full(k, np.nan) for _ in range(4))
    beta[test_idx], se[test_idx] = fits["beta"], fits["se"]
    tc[test_idx], dfc[test_idx] = fits["t"], fits["df"]
    for i, s in zip(test_idx, fits["status"], strict=True):
        if s != "ok":
            status[i] = s
    pc = _t_sf(tc, dfc)
    frac = n_found / n_genes
    with np.errstate(invalid="ignore"):
        beta_std = beta * np.sqrt(n_found * (1 - frac) / (n_genes - 1))

    def adjust(pv: FloatArray) -> tuple[FloatArray, FloatArray]:
        ok = np.isfinite(pv)
        b, q = np.full(k, np.nan), np.full(k, np.nan)
        if ok.any():
            b[ok], q[ok] = bonferroni(pv[ok]), benjamini_hochberg(pv[ok])
        return b, q

    p1_b, p1_q = adjust(p1)
    pw_b, pw_q = adjust(pw)
    pc_b, pc_q = adjust(pc)
    sets_table = pd.DataFrame(
        {
            "set": [r.name for r in resolved],
            "description": [r.description for r in resolved],
            "source": [r.source for r in resolved],
            "n_genes": [r.n_genes for r in resolved],
            "n_genes_found": n_found.astype(np.int64),
            "n_genes_missing": [len(r.missing) for r in resolved],
            "mean_z": mean_set,
            "genome_mean_z": genome_mean,
            "t_one_sample": t1,
            "p_one_sample": p1,
            "p_one_sample_bonferroni": p1_b,
            "p_one_sample_bh": p1_q,
            "t_welch": tw,
            "df_welch": dfw,
            "p_welch": pw,
            "p_welch_bonferroni": pw_b,
            "p_welch_bh": pw_q,
            "n_nominal": n_nominal,
            "n_set_bonferroni": n_set_bonf,
            "n_genome_bonferroni": n_genome_bonf,
            "beta": beta,
            "beta_std": beta_std,
            "se": se,
            "t_competitive": tc,
            "df_competitive": dfc,
            "p_competitive": pc,
            "p_competitive_bonferroni": pc_b,
            "p_competitive_bh": pc_q,
            "status": status,
            "missing_genes": [",".join(r.missing) for r in resolved],
        }
    )[SET_COLUMNS]
    members = _members(table, symbols, z, p, resolved, n_genes)
    found = [r.rows for r in resolved if len(r.rows)]
    groups = [z[rows] for rows in found]
    h, kdf, kp = kruskal_wallis(groups) if len(groups) >= 2 else (math.nan, math.nan, math.nan)
    # Kruskal-Wallis assumes each gene belongs to one group: a gene in several sets enters
    # several times and its sets stop being independent samples, so the p then means nothing.
    memberships = sum(len(rows) for rows in found)
    distinct = len(np.unique(np.concatenate(found))) if found else 0
    kruskal = pd.DataFrame(
        {
            "h": [h],
            "df": [kdf],
            "p": [kp],
            "n_sets": [len(groups)],
            "n_memberships": [memberships],
            "n_distinct_genes": [distinct],
            "sets_overlap": [memberships > distinct],
        }
    )

    method = "GLS" if corr is not None else "OLS"
    notes = []
    if corr is None:
        notes.append(
            "no gene-gene correlations in the gene results (a .genes.out or correlations='none'):"
            " ordinary least squares, genes treated as independent; p-values of sets of nearby"
            " genes are too small"
        )
    description = (
        f"GLS with gene-gene correlations raised to the power {power:g}; {model.n_eff} effective"
        f" genes of {n_genes} in {model.n_blocks} blocks (largest {model.largest_block})"
        if corr is not None
        else "OLS: no gene-gene correlations in the input, genes treated as independent"
    )
    mean_n = None
    if "N" in table and np.isfinite(table["N"].to_numpy(dtype=np.float64)).any():
        mean_n = float(np.nanmean(table["N"].to_numpy(dtype=np.float64)))
    model_info: dict[str, Any] = {
        "method": method,
        "description": description,
        "source": source,
        "n_genes": n_genes,
        "n_eff": model.n_eff,
        "n_blocks": model.n_blocks,
        "largest_block": model.largest_block,
        "df": model.df,
        "covariates": kept_names,
        "covariates_dropped": cov_dropped + [f"{n}: collinear" for n in collinear_covs],
        "truncation": (lo, hi),
        "n_truncated": int((z_trunc != z).sum()),
        "power": power,
        "prune": prune,
        "mean_sample_size": mean_n,
        "notes": notes,
    }
    return GeneSetResults(sets_table, members, kruskal, model_info)


def _members(
    table: pd.DataFrame,
    symbols: list[str],
    z: FloatArray,
    p: FloatArray,
    resolved: list[_SetGenes],
    n_genes: int,
) -> pd.DataFrame:
    """One row per gene of each set, found genes by p then the missing ones; vectorised, as GO
    runs have millions of memberships."""
    k = len(resolved)
    found_counts = np.array([len(r.rows) for r in resolved], dtype=np.int64)
    missing_counts = np.array([len(r.missing) for r in resolved], dtype=np.int64)
    rows = np.concatenate([r.rows for r in resolved] or [np.empty(0, np.uint32)]).astype(np.int64)
    set_of_row = np.repeat(np.arange(k), found_counts)
    n_found = np.repeat(found_counts, found_counts).astype(np.float64)
    pf = p[rows]
    found = pd.DataFrame(
        {
            "_set": set_of_row,
            "gene": table["GENE"].astype(str).to_numpy()[rows],
            "symbol": np.asarray(symbols, dtype=object)[rows] if symbols else None,
            "chr": table["CHR"].to_numpy()[rows] if "CHR" in table else None,
            "start": table["START"].to_numpy()[rows] if "START" in table else None,
            "stop": table["STOP"].to_numpy()[rows] if "STOP" in table else None,
            "nsnps": table["NSNPS"].to_numpy()[rows] if "NSNPS" in table else None,
            "z": z[rows],
            "p": pf,
            "p_set_bonferroni": bonferroni(pf, n_tests=n_found),
            "p_genome_bonferroni": bonferroni(pf, n_tests=n_genes),
            "found": True,
        }
    )
    missing = pd.DataFrame(
        {
            "_set": np.repeat(np.arange(k), missing_counts),
            "gene": [tok for r in resolved for tok in r.missing],
            "found": False,
        }
    )
    out = pd.concat([found, missing], ignore_index=True) if len(missing) else found
    out["_missing"] = ~out["found"].astype(bool)
    # Missing genes have no coordinates: nullable integers keep the others integers (243641535,
    # not 243641535.0) in the written table.
    for column in ("start", "stop", "nsnps"):
        values = out[column]
        if values.notna().any() and np.allclose(values.dropna() % 1, 0):
            out[column] = values.astype("Int64")
    out = out.sort_values(["_set", "_missing", "p"], kind="mergesort", na_position="last")
    names = np.asarray([r.name for r in resolved], dtype=object)
    out.insert(0, "set", names[out["_set"].to_numpy(dtype=np.int64)])
    return out.drop(columns=["_set", "_missing"]).reset_index(drop=True)[MEMBER_COLUMNS]
