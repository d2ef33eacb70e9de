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

This module is the public home of the analysis; its parts live beside it: the set resolution in
``_sets_resolve``, the simple tests in ``_sets_tests``, the competitive regression in
``_sets_regression`` and the ``.gsa.out`` layout in ``_gsa_format``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from ldenrich import _native
from ldenrich._atomic import write_text, write_tsv
from ldenrich._gsa_format import format_gsa_out
from ldenrich._pvalues import benjamini_hochberg, bonferroni
from ldenrich._sets_regression import (
    CompetitiveTests,
    CovariateModel,
    competitive_tests,
    default_covariates,
    fit_covariate_model,
    truncate_z,
)
from ldenrich._sets_resolve import SetGenes, resolve_sets
from ldenrich._sets_tests import (
    SimpleTests,
    kruskal_table,
    kruskal_wallis,
    one_sample_greater,
    simple_tests,
    welch_greater,
)
from ldenrich.errors import InconsistentInputError, InvalidArgumentError
from ldenrich.genes import GeneCorrelations, GeneResults
from ldenrich.io import GeneLoc, GeneSets, PathLike

__all__ = [
    "GeneSetResults",
    "default_covariates",
    "format_gsa_out",
    "gene_set_analysis",
    "kruskal_wallis",
    "one_sample_greater",
    "read_gene_results",
    "truncate_z",
    "welch_greater",
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
    table, z, p, corr, source = _gene_inputs(genes, correlations, covariates, alpha, min_genes)
    n_genes = len(table)
    symbols, resolved = resolve_sets(gene_sets, table, gene_loc, source, threads)
    simple = simple_tests(z, p, resolved, alpha)
    model = fit_covariate_model(
        table,
        z,
        corr,
        covariates=covariates,
        truncate=truncate,
        max_missing=max_missing,
        outlier_sd=covariate_outlier_sd,
        power=power,
        prune=prune,
        threads=threads,
    )
    competitive = competitive_tests(model, resolved, n_genes, min_genes=min_genes, threads=threads)
    return GeneSetResults(
        _sets_table(resolved, simple, competitive),
        _members(table, symbols, z, p, resolved, n_genes),
        kruskal_table(z, resolved),
        _model_info(table, z, model, corr is not None, source, power, prune),
    )


def _gene_inputs(
    genes: GeneResults | pd.DataFrame | PathLike,
    correlations: str,
    covariates: str,
    alpha: float,
    min_genes: int,
) -> tuple[pd.DataFrame, FloatArray, FloatArray, GeneCorrelations | None, str]:
    """The gene results checked: their table (genes with a finite ZSTAT), Z, P (one-sided from
    Z when absent), the correlations to use (None for OLS) and where they came from."""
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
    return table, z, p, corr, source


def _sets_table(
    resolved: list[SetGenes], simple: SimpleTests, competitive: CompetitiveTests
) -> pd.DataFrame:
    """:attr:`GeneSetResults.sets`: each p beside its Bonferroni and BH companions across the
    sets it was computed for (NaN p, the sets not tested, are left out of the family)."""
    s, c = simple, competitive
    return pd.DataFrame(
        {
            "set": [r.name for r in resolved],
            "description": [r.description for r in resolved],
            "source": [r.source for r in resolved],
            "n_genes": [r.n_genes for r in resolved],
            "n_genes_found": s.n_found.astype(np.int64),
            "n_genes_missing": [len(r.missing) for r in resolved],
            "mean_z": s.mean_z,
            "genome_mean_z": s.genome_mean,
            "t_one_sample": s.t_one_sample,
            "p_one_sample": s.p_one_sample,
            "p_one_sample_bonferroni": bonferroni(s.p_one_sample),
            "p_one_sample_bh": benjamini_hochberg(s.p_one_sample),
            "t_welch": s.t_welch,
            "df_welch": s.df_welch,
            "p_welch": s.p_welch,
            "p_welch_bonferroni": bonferroni(s.p_welch),
            "p_welch_bh": benjamini_hochberg(s.p_welch),
            "n_nominal": s.n_nominal,
            "n_set_bonferroni": s.n_set_bonferroni,
            "n_genome_bonferroni": s.n_genome_bonferroni,
            "beta": c.beta,
            "beta_std": c.beta_std,
            "se": c.se,
            "t_competitive": c.t,
            "df_competitive": c.df,
            "p_competitive": c.p,
            "p_competitive_bonferroni": bonferroni(c.p),
            "p_competitive_bh": benjamini_hochberg(c.p),
            "status": c.status,
            "missing_genes": [",".join(r.missing) for r in resolved],
        }
    )[SET_COLUMNS]


def _model_info(
    table: pd.DataFrame,
    z: FloatArray,
    model: CovariateModel,
    gls: bool,
    source: str,
    power: float,
    prune: float,
) -> dict[str, Any]:
    """:attr:`GeneSetResults.model`: how the competitive regression was fitted."""
    n_genes = len(table)
    native = model.native
    notes = []
    if not gls:
        notes.append(
            "no gene-gene correlations in the gene results (a .genes.out or correlations='none'):"
            " ordinary least squares, genes treated as independent; p-values of sets of nearby"
            " genes are too small"
        )
    description = (
        f"GLS with gene-gene correlations raised to the power {power:g}; {native.n_eff} effective"
        f" genes of {n_genes} in {native.n_blocks} blocks (largest {native.largest_block})"
        if gls
        else "OLS: no gene-gene correlations in the input, genes treated as independent"
    )
    mean_n = None
    if "N" in table and np.isfinite(table["N"].to_numpy(dtype=np.float64)).any():
        mean_n = float(np.nanmean(table["N"].to_numpy(dtype=np.float64)))
    return {
        "method": "GLS" if gls else "OLS",
        "description": description,
        "source": source,
        "n_genes": n_genes,
        "n_eff": native.n_eff,
        "n_blocks": native.n_blocks,
        "largest_block": native.largest_block,
        "df": native.df,
        "covariates": model.covariates,
        "covariates_dropped": model.dropped,
        "truncation": model.bounds,
        "n_truncated": int((model.z != z).sum()),
        "power": power,
        "prune": prune,
        "mean_sample_size": mean_n,
        "notes": notes,
    }


def _members(
    table: pd.DataFrame,
    symbols: list[str],
    z: FloatArray,
    p: FloatArray,
    resolved: list[SetGenes],
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
