"""ldenrich: does the GWAS signal of a trait concentrate in these genes, gene sets or annotations?

Fast and exact gene-set / annotation enrichment of GWAS summary statistics, with a Rust core.

Examples
--------
>>> import ldenrich
>>> ex = ldenrich.example_data()
>>> annot = ldenrich.annotate(
...     ldenrich.read_sumstats(ex.sumstats), ldenrich.read_bim(ex.bim),
...     ldenrich.read_gene_loc(ex.gene_loc), gene_sets=ldenrich.read_gene_sets(ex.gene_sets))
>>> table = ldenrich.enrichment(annot)
>>> row = table.set_index("category").loc["glutamate_plasticity_expanded"]
>>> int(row.n_snps_in), round(float(row.enrichment), 3)
(231, 1.078)
"""

from ldenrich._example import ExampleData, example_data
from ldenrich._native import __version__
from ldenrich.annot import Annotation, annotate
from ldenrich.errors import (
    InconsistentInputError,
    InternalError,
    InvalidArgumentError,
    LdenrichError,
    LdenrichWarning,
    MissingColumnError,
    ParseError,
)
from ldenrich.genes import GeneResults, gene_analysis
from ldenrich.io import (
    Bim,
    GeneLoc,
    GeneSets,
    SumStats,
    read_bed,
    read_bim,
    read_gene_loc,
    read_gene_sets,
    read_sumstats,
)
from ldenrich.sets import GeneSetResults, gene_set_analysis, read_gene_results
from ldenrich.stats import enrichment, enrichment_arrays

__all__ = [
    "Annotation",
    "Bim",
    "ExampleData",
    "GeneLoc",
    "GeneResults",
    "GeneSetResults",
    "GeneSets",
    "InconsistentInputError",
    "InternalError",
    "InvalidArgumentError",
    "LdenrichError",
    "LdenrichWarning",
    "MissingColumnError",
    "ParseError",
    "SumStats",
    "__version__",
    "annotate",
    "enrichment",
    "enrichment_arrays",
    "example_data",
    "gene_analysis",
    "gene_set_analysis",
    "read_bed",
    "read_bim",
    "read_gene_loc",
    "read_gene_results",
    "read_gene_sets",
    "read_sumstats",
]
