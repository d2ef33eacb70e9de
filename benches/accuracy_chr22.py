"""Max relative difference between ldenrich and the slow numpy/scipy oracle on the real chr22
data, over the curated sets, 20 GO neuro sets and the first 1,000 GO BP sets.
Run: python3 benches/accuracy_chr22.py"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

import ldenrich
from ldenrich import _reference

COLUMNS = ["mean_chisq_in", "mean_chisq_out", "enrichment", "enrichment_se", "enrichment_p",
           "welch_t", "welch_df", "welch_p", "mwu_u", "mwu_p"]  # fmt: skip
# The first GO BP sets, as in the tests (tests/data/README.md).
GO_BP = Path(__file__).resolve().parents[1] / "tests/data/real/GO_BP_head_entrez.gmt.gz"


def main() -> None:
    ex = ldenrich.example_data()
    sets = dict(ldenrich.read_gene_sets(ex.gene_sets))
    sets.update(ldenrich.read_gene_sets(ex.gene_sets.with_name(
        "neuro_glutamate_monoamine_GO_subset_entrez.gmt")))  # fmt: skip
    if GO_BP.exists():
        with gzip.open(GO_BP, "rt") as fh:
            for i, line in enumerate(fh):
                if i == 1000:
                    break
                fields = line.rstrip("\n").split("\t")
                sets[fields[0]] = fields[2:]
    annot = ldenrich.annotate(
        ldenrich.read_sumstats(ex.sumstats), ldenrich.read_bim(ex.bim),
        ldenrich.read_gene_loc(ex.gene_loc), gene_sets=sets,
    )  # fmt: skip
    table = ldenrich.enrichment(annot).set_index("category")
    worst = dict.fromkeys(COLUMNS, 0.0)
    checked = 0
    for name in sets:
        mask = annot.membership(name)
        if not 0 < mask.sum() < mask.size:
            continue
        want = _reference.enrichment_one(annot.chisq, mask)
        checked += 1
        for col in COLUMNS:
            got, ref = float(table.loc[name, col]), float(want[col])
            if np.isfinite(ref) and ref != 0:
                worst[col] = max(worst[col], abs(got - ref) / abs(ref))
    print(f"categories checked against the oracle: {checked} of {len(sets)}")
    for col, err in worst.items():
        print(f"  {col:16s} max relative difference {err:.2e}")


if __name__ == "__main__":
    main()
