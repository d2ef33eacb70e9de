"""MAGMA's ``.gsa.out`` layout of a gene-set analysis (:meth:`GeneSetResults.write` writes it;
:mod:`ldenrich.sets` re-exports :func:`format_gsa_out`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ldenrich.sets import GeneSetResults


def _g5(x: float) -> str:
    return "NA" if not math.isfinite(x) else f"{x:.5g}"


def format_gsa_out(results: GeneSetResults, max_name: int = 30) -> str:
    """MAGMA's ``.gsa.out`` layout: ``#`` header lines, then ``VARIABLE TYPE NGENES BETA
    BETA_STD SE P`` for each set tested (names longer than ``max_name`` characters are cut and
    the full name added in a ``FULL_NAME`` column, as MAGMA does).

    Parameters
    ----------
    results : GeneSetResults
        From :func:`ldenrich.gene_set_analysis`.
    max_name : int
        Longest set name written in ``VARIABLE``.

    Returns
    -------
    str
        The file's text, ending in a newline.

    Examples
    --------
    >>> import ldenrich, numpy as np, pandas as pd
    >>> from ldenrich.sets import format_gsa_out
    >>> rng = np.random.default_rng(1)
    >>> table = pd.DataFrame({"GENE": [f"g{i}" for i in range(200)],
    ...                       "NSNPS": rng.integers(1, 100, 200), "ZSTAT": rng.normal(size=200)})
    >>> table.loc[:9, "ZSTAT"] += 3
    >>> res = ldenrich.gene_set_analysis(table, {"top": [f"g{i}" for i in range(10)]})
    >>> print(format_gsa_out(res), end="")
    # TOTAL_GENES = 200
    # TEST_DIRECTION = one-sided, positive (set)
    # CONDITIONED_INTERNAL = gene size, log(gene size)
    # MODEL = OLS: no gene-gene correlations in the input, genes treated as independent
    VARIABLE TYPE NGENES   BETA BETA_STD      SE          P
    top       SET     10 3.3422  0.73025 0.31151 1.0044e-21
    """
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
