# Stub of the compiled extension (rust/ldenrich-py). Private: use the ldenrich package API.
from typing import Any, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "BUILD_INFO",
    "DEFLATE_BACKEND",
    "Annotation",
    "Bed",
    "Bim",
    "CancelledError",
    "CategorySpecs",
    "CorrelationBand",
    "GeneLoc",
    "GenePlan",
    "GeneSets",
    "GlsModel",
    "InconsistentInputError",
    "InternalError",
    "InvalidArgumentError",
    "LdenrichError",
    "MergeAlleles",
    "MissingColumnError",
    "Munged",
    "ParseError",
    "SumStats",
    "__version__",
    "annot_cross_products",
    "annotate",
    "cancel",
    "category_specs",
    "enrichment_ranges",
    "gene_plan",
    "gls_model",
    "init_numpy",
    "kruskal_wallis_h",
    "ld_matrix",
    "ld_scores",
    "liability_factor",
    "munge",
    "panel_annotation",
    "read_bed",
    "read_bim",
    "read_dosages",
    "read_gene_loc",
    "read_gene_results",
    "read_gene_sets",
    "read_merge_alleles",
    "read_numeric_table",
    "read_sumstats",
    "resolve_gene_sets",
    "resolve_threads",
    "sldsc_h2",
    "universes_built",
    "weighted_chisq_sf",
    "welch_t",
    "write_table",
]

__version__: str
DEFLATE_BACKEND: str  # "ISA-L" or "zlib-rs": how this build inflates gzip and BGZF
BUILD_INFO: dict[str, str | list[str]]  # see ldenrich.build_info()

def resolve_threads(threads: int | None = None) -> int: ...

class LdenrichError(Exception): ...

class ParseError(LdenrichError):
    path: str
    line: int
    column: str | None

class MissingColumnError(LdenrichError): ...
class InconsistentInputError(LdenrichError): ...
class InvalidArgumentError(LdenrichError): ...
class InternalError(LdenrichError): ...
class CancelledError(LdenrichError): ...

def cancel() -> None: ...

# The native (pyo3) classes cannot be subclassed.
@final
class SumStats:
    path: str
    compression: str
    source: str
    rows_read: int
    p_zero_from_other: int
    has_alleles: bool
    has_n: bool
    has_sign: bool
    format: tuple[str, bool] | None
    vcf_sample: str | None
    def __len__(self) -> int: ...
    def columns(self) -> list[tuple[str, str]]: ...
    def dropped(self) -> list[tuple[str, int]]: ...
    def chisq(self) -> npt.NDArray[np.float64]: ...
    def snp_ids(self) -> list[str]: ...
    def n(self) -> npt.NDArray[np.float64] | None: ...

@final
class Bim:
    path: str
    def __len__(self) -> int: ...
    def chrom(self) -> npt.NDArray[np.uint8]: ...
    def bp(self) -> npt.NDArray[np.uint32]: ...
    def cm(self) -> npt.NDArray[np.float64]: ...
    def snp_ids(self, rows: list[int] | None = None) -> list[str]: ...
    def alleles(self) -> tuple[list[str], list[str]]: ...

@final
class GeneLoc:
    path: str
    has_strand: bool
    def __len__(self) -> int: ...
    def ids(self) -> list[str]: ...
    def symbols(self) -> list[str]: ...
    def chrom(self) -> npt.NDArray[np.uint8]: ...
    def start(self) -> npt.NDArray[np.uint64]: ...
    def stop(self) -> npt.NDArray[np.uint64]: ...
    def strand(self) -> list[str]: ...
    def skipped(self) -> list[tuple[str, int]]: ...
    def warnings(self) -> list[str]: ...

@final
class GeneSets:
    path: str
    format: str
    def __len__(self) -> int: ...
    def names(self) -> list[str]: ...
    def descriptions(self) -> list[str]: ...
    def genes(self, index: int) -> list[str]: ...

@final
class Bed:
    path: str
    def __len__(self) -> int: ...
    def chrom(self) -> npt.NDArray[np.uint8]: ...
    def start(self) -> npt.NDArray[np.uint64]: ...
    def end(self) -> npt.NDArray[np.uint64]: ...
    def skipped(self) -> list[tuple[str, int]]: ...

@final
class CategorySpecs:
    n_gene_sets: int
    n_intervals: int
    names: list[str]

@final
class Annotation:
    window_bp: tuple[int, int]
    def __len__(self) -> int: ...
    def chrom(self) -> npt.NDArray[np.uint8]: ...
    def bp(self) -> npt.NDArray[np.uint32]: ...
    def chisq(self) -> npt.NDArray[np.float64]: ...
    def bim_row(self) -> npt.NDArray[np.uint32]: ...
    def snp_ids(self) -> list[str]: ...
    def qc(self) -> list[tuple[str, int]]: ...
    def qc_details(self) -> dict[str, bool | int]: ...
    def categories(
        self,
    ) -> list[tuple[str, str, bool, int | None, int | None, int, int]]: ...
    def missing_genes(self, index: int) -> list[str]: ...
    def ranges(self, index: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]: ...
    def enrichment(
        self,
        blocks: int,
        min_snps: int,
        permutations: int,
        perm_stop: int,
        seed: int,
        threads: int | None,
    ) -> tuple[dict[str, object], int]: ...

def read_sumstats(
    path: str,
    columns: list[tuple[str, str]],
    chisq_from: str,
    read_n: str = "no",
    n_effective: bool = False,
    threads: int | None = None,
    format: str = "auto",
    vcf_sample: str | None = None,
    read_sign: bool = False,
) -> SumStats: ...
def read_bim(path: str, threads: int | None = None) -> Bim: ...
def read_gene_loc(path: str) -> GeneLoc: ...
def read_gene_sets(path: str, format: str) -> GeneSets: ...
def read_bed(path: str) -> Bed: ...
def category_specs(
    gene_sets: list[tuple[GeneSets, str] | tuple[str, str, list[str]]],
    intervals: list[
        tuple[str, str, Bed]
        | tuple[str, str, list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]
    ],
) -> CategorySpecs: ...
def annotate(
    sumstats: SumStats,
    bim: Bim,
    gene_loc: GeneLoc | None,
    categories: CategorySpecs,
    window_up_kb: float,
    window_down_kb: float,
    drop_strand_ambiguous: bool,
    threads: int | None,
    matching: str = "auto",
) -> Annotation: ...
def enrichment_ranges(
    chisq: npt.NDArray[np.float64],
    chrom: npt.NDArray[np.int64] | None,
    starts: list[npt.NDArray[np.uint32]],
    ends: list[npt.NDArray[np.uint32]],
    blocks: int,
    min_snps: int,
    permutations: int,
    perm_stop: int,
    seed: int,
    threads: int | None,
) -> tuple[dict[str, object], int]: ...

@final
class GenePlan:
    n_samples: int
    n_snps: int
    bim_path: str
    def __len__(self) -> int: ...
    def qc(self) -> list[tuple[str, int]]: ...
    def qc_details(self) -> dict[str, bool | int]: ...
    def run(self, start: int, end: int, threads: int | None) -> dict[str, npt.NDArray]: ...
    def correlations(
        self,
        indices: list[int],
        start: int,
        end: int,
        range_bp: int,
        max_snps: int,
        threads: int | None,
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]: ...
    def gene_ids(self) -> list[str]: ...

def gene_plan(
    sumstats: SumStats,
    bfile: str,
    gene_loc: GeneLoc,
    window_up_kb: float,
    window_down_kb: float,
    sample_size: float | None,
    drop_strand_ambiguous: bool,
    threads: int | None,
    bim: Bim | None = None,
    matching: str = "auto",
    annotation: Annotation | None = None,
) -> GenePlan: ...
def universes_built() -> int: ...
def init_numpy() -> None: ...
def ld_matrix(
    prefix: str, snp_rows: list[int]
) -> tuple[npt.NDArray[np.float64], list[int], int]: ...
def read_dosages(prefix: str, snp_rows: list[int]) -> npt.NDArray[np.float64]: ...
def ld_scores(
    prefix: str,
    annot: npt.NDArray[np.float64] | None,
    window_unit: str,
    window_size: float,
    rule: str,
    maf_min: float,
    threads: int | None = None,
    categories: tuple[CategorySpecs, GeneLoc | None, float, float] | None = None,
    print_snps: list[str] | None = None,
) -> dict[str, Any]: ...
def sldsc_h2(
    chisq: npt.NDArray[np.float64],
    ld: npt.NDArray[np.float64],
    w_ld: npt.NDArray[np.float64],
    n: npt.NDArray[np.float64],
    m: npt.NDArray[np.float64],
    blocks: int = 200,
    intercept: float | None = None,
    two_step: float | None = None,
    chisq_max: float | None = None,
    overlap: npt.NDArray[np.float64] | None = None,
    m_tot: float | None = None,
    annot_sd: npt.NDArray[np.float64] | None = None,
    threads: int | None = None,
) -> dict[str, Any]: ...
def annot_cross_products(
    annot: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def liability_factor(sample_prevalence: float, population_prevalence: float) -> float: ...
def read_numeric_table(
    path: str, text: list[str], numeric: list[str] | None = None, threads: int | None = None
) -> dict[str, Any]: ...
def weighted_chisq_sf(lambdas: npt.NDArray[np.float64], x: float) -> tuple[float, float]: ...
def read_gene_results(path: str) -> dict[str, Any]: ...

@final
class CorrelationBand:
    n_values: int
    def __new__(
        cls, lengths: npt.NDArray[np.uint64], values: npt.NDArray[np.float64]
    ) -> CorrelationBand: ...
    @staticmethod
    def from_rows(rows: list[list[float]]) -> CorrelationBand: ...
    def __len__(self) -> int: ...
    def lengths(self) -> npt.NDArray[np.uint64]: ...
    def values(self) -> npt.NDArray[np.float64]: ...
    def row(self, index: int) -> list[float]: ...

@final
class GlsModel:
    n_genes: int
    n_eff: int
    n_blocks: int
    largest_block: int
    kept: list[int]
    df: float
    def test_sets(
        self,
        offsets: npt.NDArray[np.uint64],
        genes: npt.NDArray[np.uint32],
        threads: int | None,
    ) -> dict[str, Any]: ...

def gls_model(
    z: npt.NDArray[np.float64],
    covariates: npt.NDArray[np.float64],
    band: CorrelationBand | None,
    power: float,
    prune: float,
    threads: int | None,
) -> GlsModel: ...
def resolve_gene_sets(
    ids: list[str], symbols: list[str], sets: list[GeneSets | list[list[str]]], threads: int | None
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32], list[int], list[list[str]]]: ...
def kruskal_wallis_h(values: npt.NDArray[np.float64], bounds: list[int]) -> float: ...
def welch_t(
    n1: npt.NDArray[np.float64],
    mean1: npt.NDArray[np.float64],
    var1: npt.NDArray[np.float64],
    n2: npt.NDArray[np.float64],
    mean2: npt.NDArray[np.float64],
    var2: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...

@final
class MergeAlleles:
    path: str
    def __len__(self) -> int: ...

@final
class Munged:
    merge_alleles: str | None
    def __len__(self) -> int: ...
    def qc_table(self) -> list[tuple[str, int]]: ...
    def qc_details(self) -> dict[str, Any]: ...
    def snp_ids(self) -> list[str]: ...
    def chrom(self) -> npt.NDArray[np.uint8]: ...
    def bp(self) -> npt.NDArray[np.uint32]: ...
    def alleles(self) -> tuple[list[str], list[str]]: ...
    def z(self) -> npt.NDArray[np.float64]: ...
    def n(self) -> npt.NDArray[np.float64]: ...
    def p(self) -> npt.NDArray[np.float64]: ...
    def write(self, path: str, layout: str, threads: int | None = None) -> None: ...

def read_merge_alleles(path: str) -> MergeAlleles: ...
def munge(
    sumstats: SumStats,
    bim: Bim,
    merge_alleles: MergeAlleles | None,
    n: float | None,
    drop_strand_ambiguous: bool,
    matching: str,
    threads: int | None = None,
) -> Munged: ...
def panel_annotation(
    bim: Bim,
    gene_loc: GeneLoc | None,
    categories: CategorySpecs,
    window_up_kb: float,
    window_down_kb: float,
    threads: int | None = None,
) -> tuple[
    list[tuple[str, str, bool, int | None, int | None, int, int]],
    list[list[str]],
    npt.NDArray[np.float64],
]: ...
def write_table(
    path: str,
    names: list[str],
    text: list[list[str]],
    numbers: list[npt.NDArray[np.float64]],
    decimals: int | None = None,
    threads: int | None = None,
) -> None: ...
