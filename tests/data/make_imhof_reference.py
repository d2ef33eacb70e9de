"""Write ``tests/data/imhof_reference.json``: high-precision Imhof p-values for test_genes.py.

Usage (several minutes of mpmath; run again only if the bundled data or the gene rule changes)::

    python3 tests/data/make_imhof_reference.py

For the genes with the smallest P in the gene analysis of the bundled chr22 height data, the
spectrum and statistic are computed exactly as ``tests/test_genes.py`` does (numpy, from the
PLINK dosages), and P(sum_k lambda_k chi2_1 > x) by Imhof's (1961) integral in mpmath's
oscillatory quadrature at 30 significant digits. ldenrich is used only to choose the genes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import mpmath
import numpy as np
import pandas as pd

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

import test_genes  # noqa: E402  (the test's own spectrum, so both sides compute the same thing)

import ldenrich  # noqa: E402


def imhof_mpmath(lambdas: np.ndarray, x: float, digits: int = 30) -> float:
    """Imhof's integral at high precision (mpmath's oscillatory quadrature): slow, exact."""
    with mpmath.workdps(digits):
        lam = [mpmath.mpf(float(v)) for v in lambdas]
        half_x = mpmath.mpf(float(x)) / 2

        def f(u):
            theta = sum(mpmath.atan(v * u) for v in lam) / 2 - half_x * u
            rho = mpmath.fprod([(1 + (v * u) ** 2) ** mpmath.mpf(0.25) for v in lam])
            return mpmath.sin(theta) / (u * rho)

        return float(mpmath.mpf(0.5) + mpmath.quadosc(f, [0, mpmath.inf], omega=half_x) / mpmath.pi)


def main() -> None:
    ex = test_genes.EX
    ss = ldenrich.read_sumstats(ex.sumstats, n_col="N")
    table = ldenrich.gene_analysis(
        ss, ex.bfile, ldenrich.read_gene_loc(ex.gene_loc), correlations=True
    ).table
    panel = pd.read_csv(
        f"{ex.bfile}.bim.gz", sep=r"\s+", header=None, names=["chr", "snp", "cm", "bp", "a1", "a2"]
    )
    chisq, _ = test_genes.sumstats_by_snp()
    out = {}
    for i in np.argsort(table.P.to_numpy())[: test_genes.N_SMALLEST]:
        row = table.iloc[i]
        _, t, lam = test_genes.gene_spectrum(row, panel, chisq)
        p = imhof_mpmath(lam, t)
        out[row.GENE] = {"stat": float(t), "p": p, "lambdas": [float(v) for v in lam]}
        print(f"{row.GENE}: k={len(lam)} stat={t:.6g} p={p:.17g}", flush=True)
    test_genes.IMHOF_REFERENCE.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
