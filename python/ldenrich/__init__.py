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

from typing import TYPE_CHECKING, Any

from ldenrich._native import BUILD_INFO as _BUILD_INFO
from ldenrich._native import __version__
from ldenrich.errors import (
    CancelledError,
    InconsistentInputError,
    InternalError,
    InvalidArgumentError,
    LdenrichError,
    LdenrichWarning,
    MissingColumnError,
    ParseError,
)

if TYPE_CHECKING:
    from ldenrich._example import ExampleData, bundled_gene_loc, example_data
    from ldenrich.annot import Annotation, annotate
    from ldenrich.enrichment_screen import enrichment, enrichment_arrays
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
    from ldenrich.ldscores import ldscore, make_annot, read_annot, write_annot, write_ldscore
    from ldenrich.munge import MergeAlleles, MungedSumStats, munge_sumstats, read_merge_alleles
    from ldenrich.sets import GeneSetResults, gene_set_analysis, read_gene_results
    from ldenrich.sldsc import H2Result, h2_cts, partitioned_h2

# The public API is imported on first use (PEP 562): pandas and scipy take 0.3 s to import,
# which the command line overlaps with reading its inputs instead of paying up front.
_LAZY = {
    "ExampleData": "ldenrich._example",
    "example_data": "ldenrich._example",
    "bundled_gene_loc": "ldenrich._example",
    "Annotation": "ldenrich.annot",
    "annotate": "ldenrich.annot",
    "GeneResults": "ldenrich.genes",
    "gene_analysis": "ldenrich.genes",
    "Bim": "ldenrich.io",
    "GeneLoc": "ldenrich.io",
    "GeneSets": "ldenrich.io",
    "SumStats": "ldenrich.io",
    "read_bed": "ldenrich.io",
    "read_bim": "ldenrich.io",
    "read_gene_loc": "ldenrich.io",
    "read_gene_sets": "ldenrich.io",
    "read_sumstats": "ldenrich.io",
    "GeneSetResults": "ldenrich.sets",
    "gene_set_analysis": "ldenrich.sets",
    "read_gene_results": "ldenrich.sets",
    "enrichment": "ldenrich.enrichment_screen",
    "enrichment_arrays": "ldenrich.enrichment_screen",
    "MergeAlleles": "ldenrich.munge",
    "MungedSumStats": "ldenrich.munge",
    "munge_sumstats": "ldenrich.munge",
    "read_merge_alleles": "ldenrich.munge",
    "ldscore": "ldenrich.ldscores",
    "read_annot": "ldenrich.ldscores",
    "write_ldscore": "ldenrich.ldscores",
    "make_annot": "ldenrich.ldscores",
    "write_annot": "ldenrich.ldscores",
    "H2Result": "ldenrich.sldsc",
    "partitioned_h2": "ldenrich.sldsc",
    "h2_cts": "ldenrich.sldsc",
}


# Not "enrichment": that name is the screen's function, and a submodule of the same name would
# replace it on the package as soon as it is imported. "stats" is the screen module's old name.
_SUBMODULES = frozenset(
    {
        "annot",
        "enrichment_screen",
        "genes",
        "io",
        "ldscores",
        "plots",
        "report",
        "sets",
        "sldsc",
        "stats",
    }
)


_NUMPY_READY = False


def _init_numpy() -> None:
    """numpy's C API for the extension, looked up once with SIGINT and SIGTERM blocked in the
    main thread: a Ctrl-C inside that lookup would be a panic, not a KeyboardInterrupt. A signal
    arriving meanwhile is delivered right after."""
    global _NUMPY_READY
    if _NUMPY_READY:
        return
    import signal
    import threading

    from ldenrich import _native

    if threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask"):
        blocked = {signal.SIGINT, signal.SIGTERM}
        old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            _native.init_numpy()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
    else:
        _native.init_numpy()
    _NUMPY_READY = True


def __getattr__(name: str) -> Any:
    import importlib

    _init_numpy()
    if name in _SUBMODULES:
        return importlib.import_module(f"ldenrich.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ldenrich' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def build_info() -> dict[str, Any]:
    """What this build is made of: the inflate, the CPU features, the compiler, the crates.

    Returns
    -------
    dict
        ``version``, ``inflate`` (``"ISA-L"`` or ``"zlib-rs"``), ``arch``,
        ``compiled_features`` (SIMD the build assumes on every CPU: its baseline),
        ``runtime_features`` (SIMD of this CPU, which the inflate picks at run time),
        ``rustc`` and ``dependencies`` (versions of the crates that decide speed and results).

    Examples
    --------
    >>> import ldenrich
    >>> info = ldenrich.build_info()
    >>> info["inflate"] in ("ISA-L", "zlib-rs"), info["version"] == ldenrich.__version__
    (True, True)
    """
    return {k: list(v) if isinstance(v, list) else v for k, v in _BUILD_INFO.items()}


def describe_build() -> str:
    """One line naming the version, inflate, CPU baseline and runtime features, and compiler.

    Examples
    --------
    >>> import ldenrich
    >>> ldenrich.describe_build().startswith(f"ldenrich {ldenrich.__version__} (inflate: ")
    True
    """
    info = build_info()
    return (
        f"ldenrich {info['version']} (inflate: {info['inflate']}; {info['arch']} baseline: "
        f"{' '.join(info['compiled_features']) or 'none'}; this CPU: "
        f"{' '.join(info['runtime_features']) or 'none'}; {info['rustc']}; "
        f"{info['dependencies']})"
    )


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)


__all__ = [
    "Annotation",
    "Bim",
    "CancelledError",
    "ExampleData",
    "GeneLoc",
    "GeneResults",
    "GeneSetResults",
    "GeneSets",
    "H2Result",
    "InconsistentInputError",
    "InternalError",
    "InvalidArgumentError",
    "LdenrichError",
    "LdenrichWarning",
    "MergeAlleles",
    "MissingColumnError",
    "MungedSumStats",
    "ParseError",
    "SumStats",
    "__version__",
    "annotate",
    "build_info",
    "bundled_gene_loc",
    "describe_build",
    "enrichment",
    "enrichment_arrays",
    "example_data",
    "gene_analysis",
    "gene_set_analysis",
    "h2_cts",
    "ldscore",
    "make_annot",
    "munge_sumstats",
    "partitioned_h2",
    "read_annot",
    "read_bed",
    "read_bim",
    "read_gene_loc",
    "read_gene_results",
    "read_gene_sets",
    "read_merge_alleles",
    "read_sumstats",
    "write_annot",
    "write_ldscore",
]
