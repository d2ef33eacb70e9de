"""Partitioned LD scores of a PLINK reference panel, as ldsc's ``--l2`` computes them.

The computation (SNP filter, standardisation, bias-corrected r^2, windows) runs in the Rust
core; this module reads annotations, names columns and writes ldsc's file layout.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ldenrich import _native
from ldenrich._atomic import atomic_path
from ldenrich.errors import InconsistentInputError, InvalidArgumentError, ParseError
from ldenrich.io import chrom_name

if TYPE_CHECKING:
    import pandas as pd

    from ldenrich.io import Bim, GeneLoc

PathLike = str | os.PathLike[str]
WindowRule = Literal["ldsc", "exact"]

#: First four columns of a full ldsc ``.annot`` file (a thin one has annotation columns only).
FULL_ANNOT_COLUMNS = ("CHR", "BP", "SNP", "CM")


def read_annot(path: PathLike, bim_snps: Sequence[str] | None = None) -> pd.DataFrame:
    """Read an ldsc ``.annot`` or ``.annot.gz`` file, full or thin.

    A full file starts with the columns ``CHR BP SNP CM``; its SNPs must be the panel's, in the
    panel's order (checked when ``bim_snps`` is given). A thin file has annotation columns only,
    one row per panel SNP.

    Parameters
    ----------
    path : str or PathLike
        The annotation file (tab or space separated, header line, optionally gzip).
    bim_snps : sequence of str, optional
        The panel's SNP IDs in ``.bim`` order.

    Returns
    -------
    pandas.DataFrame
        One float column per annotation, one row per panel SNP.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.annot"
    >>> rows = ["CHR BP SNP CM coding", "22 5 rs1 0 1", "22 9 rs2 0 0"]
    >>> _ = p.write_text("\\n".join(rows) + "\\n")
    >>> read_annot(p, ["rs1", "rs2"])["coding"].tolist()
    [1.0, 0.0]
    """
    import pandas as pd

    path = Path(path)
    try:
        table = pd.read_csv(path, sep=r"\s+", dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise ParseError(f"{path}: line 1: not a readable .annot file ({exc})") from None
    full = tuple(table.columns[:4]) == FULL_ANNOT_COLUMNS
    if full:
        if bim_snps is not None:
            snps = table["SNP"].to_numpy()
            if len(snps) != len(bim_snps):
                raise InconsistentInputError(
                    f"{path}: {len(snps)} SNP rows; the panel has {len(bim_snps)} SNPs (the .annot "
                    "must list the panel's SNPs in the panel's order)"
                )
            differ = np.flatnonzero(snps != np.asarray(bim_snps, dtype=object))
            if differ.size:
                i = int(differ[0])
                raise InconsistentInputError(
                    f"{path}: line {i + 2}, column SNP: '{snps[i]}' but SNP {i + 1} of the panel "
                    f"is '{bim_snps[i]}' (the .annot must list the panel's SNPs in its order)"
                )
        table = table.iloc[:, 4:]
    elif bim_snps is not None and len(table) != len(bim_snps):
        raise InconsistentInputError(
            f"{path}: {len(table)} rows; the panel has {len(bim_snps)} SNPs (a thin .annot has one "
            "row per panel SNP, in the panel's order)"
        )
    if table.shape[1] == 0:
        raise ParseError(f"{path}: line 1: no annotation column")
    values = np.empty(table.shape, dtype=float)
    for c, name in enumerate(table.columns):
        column = pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(column))
        if bad.size:
            i = int(bad[0])
            raise ParseError(
                f"{path}: line {i + 2}, column {name}: expected a number, found "
                f"'{table[name].iloc[i]}'"
            )
        values[:, c] = column
    return pd.DataFrame(values, columns=list(table.columns))


def _read_print_snps(print_snps: PathLike | Sequence[str]) -> set[str]:
    if isinstance(print_snps, (str, os.PathLike)):
        path = Path(print_snps)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as fh:
            return {line.split()[0] for line in fh if line.strip()}
    return set(print_snps)


def ldscore(
    bfile: PathLike,
    annot: pd.DataFrame | np.ndarray | PathLike | Sequence[PathLike] | None = None,
    *,
    ld_wind_cm: float | None = None,
    ld_wind_kb: float | None = None,
    ld_wind_snps: int | None = None,
    window_rule: WindowRule = "ldsc",
    maf: float = 0.0,
    print_snps: PathLike | Sequence[str] | None = None,
    gene_sets: Any = None,
    beds: Any = None,
    gene_loc: PathLike | GeneLoc | None = None,
    window: tuple[float, float] = (100.0, 100.0),
    threads: int | None = None,
) -> pd.DataFrame:
    """LD scores of the SNPs of a PLINK panel for one or many annotations (ldsc ``--l2``).

    ``L2[j, a] = sum_k r2_jk * A[k, a]`` over the SNPs ``k`` of ``j``'s chromosome inside its
    window (``j`` included), with ``r2 = r^2 - (1 - r^2) / (n - 2)`` (ldsc's bias correction) of
    the genotypes standardised after mean imputation. SNPs with MAF (over called genotypes) at or
    below ``maf``, monomorphic, or only heterozygous or missing, are dropped, as in ldsc.

    Parameters
    ----------
    bfile : str or PathLike
        PLINK prefix (``.bed``, ``.bim`` or ``.bim.gz``, ``.fam``); SNP-major ``.bed``.
    annot : DataFrame, ndarray, path or list of paths, optional
        One row per ``.bim`` SNP; columns are annotations (binary or continuous). Paths are ldsc
        ``.annot[.gz]`` files (full or thin), placed side by side. Default: one all-ones column
        (plain LD scores, column ``L2``).
    ld_wind_cm, ld_wind_kb, ld_wind_snps : float or int, optional
        Window in cM (default 1 when none is given), kb or SNPs; at most one.
    window_rule : {"ldsc", "exact"}
        ``"ldsc"`` reproduces ldsc's chunked window (every SNP of a 50-SNP chunk uses the window
        of the chunk's first SNP, rounded to whole chunks), so scores combine with published
        ldsc scores; ``"exact"`` counts exactly the pairs within the window.
    maf : float
        MAF filter (strictly greater is kept).
    print_snps : path or sequence of str, optional
        Restrict the rows returned to these SNP IDs (a file: first column); LD is still computed
        over every panel SNP, and ``M`` counts every SNP kept. Only those rows are ever held.
    gene_sets, beds, gene_loc, window : optional
        Further 0/1 columns after ``annot``'s, one per gene set and BED file, as
        :func:`make_annot` builds them, but never as a matrix: thousands of sets cost memory
        in proportion to their SNP ranges and about the time of one set. Without ``annot``,
        only these columns (no all-ones column).
    threads : int, optional
        Threads (default: ``LDENRICH_NUM_THREADS`` or all cores). Results do not depend on it.

    Returns
    -------
    pandas.DataFrame
        ``CHR SNP BP CM MAF`` then one ``<name>L2`` column per annotation. ``attrs`` holds
        ``M`` and ``M_5_50`` (dicts from column to the annotation's sum over the SNPs kept, and
        over those with MAF > 0.05), ``n_samples`` and ``dropped`` (SNP counts by reason); with
        gene sets or BED files also ``categories`` and ``missing_genes`` as :func:`make_annot`.

    Examples
    --------
    >>> import ldenrich
    >>> ex = ldenrich.example_data()
    >>> scores = ldenrich.ldscore(ex.bfile, ld_wind_snps=100)
    >>> len(scores), scores.attrs["M"]["L2"] == len(scores)
    (15938, True)
    >>> round(float(scores["L2"].mean()), 2)
    16.31
    >>> sets = ldenrich.ldscore(ex.bfile, gene_sets=ex.gene_sets, gene_loc="NCBI37",
    ...                         ld_wind_snps=100)
    >>> sets.columns[5], int(sets.attrs["M"]["cgr_targetsL2"])
    ('cgr_targetsL2', 55)
    """
    import pandas as pd

    given = [
        (u, v)
        for u, v in (("cm", ld_wind_cm), ("kb", ld_wind_kb), ("snps", ld_wind_snps))
        if v is not None
    ]
    if len(given) > 1:
        raise InvalidArgumentError("give at most one of ld_wind_cm, ld_wind_kb and ld_wind_snps")
    unit, size = given[0] if given else ("cm", 1.0)
    bfile = os.fspath(bfile)
    matrix: np.ndarray | None
    if annot is None:
        names, matrix = ["L2"], None
    elif isinstance(annot, pd.DataFrame):
        names = [f"{c}L2" for c in annot.columns]
        matrix = annot.to_numpy(dtype=float)
    elif isinstance(annot, np.ndarray):
        matrix = np.asarray(annot, dtype=float)
        if matrix.ndim == 1:
            matrix = matrix[:, None]
        names = [f"ANNOT{i}L2" for i in range(matrix.shape[1])]
    else:
        paths = [annot] if isinstance(annot, (str, os.PathLike)) else list(annot)
        snps = _native.read_bim(bfile, threads).snp_ids()
        frames = [read_annot(p, snps) for p in paths]
        table = pd.concat(frames, axis=1)
        names = [f"{c}L2" for c in table.columns]
        matrix = table.to_numpy(dtype=float)
    if matrix is not None:
        if matrix.ndim != 2:
            raise InvalidArgumentError(f"annot must be 2-dimensional, got shape {matrix.shape}")
        # Column after column, as the core holds it (one copy in the binding, none here for
        # a DataFrame of float columns).
        matrix = np.asfortranarray(matrix)
    categories = None
    if gene_sets is not None or beds is not None:
        categories = _panel_categories(gene_sets, beds, gene_loc, window, "ldscore")
        # Names checked before the LD scores are computed, not after.
        names = [] if annot is None else names
        names += [f"{n}L2" for n in _category_names([(n,) for n in categories[0].names])]
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"annotation names repeat: {names}")
    wanted = None if print_snps is None else sorted(_read_print_snps(print_snps))
    out = _native.ld_scores(
        bfile, matrix, unit, float(size), window_rule, float(maf), threads, categories, wanted
    )

    frame = pd.DataFrame(
        {
            "CHR": [chrom_name(c) for c in out["chrom"]],
            "SNP": out["snp"],
            "BP": out["bp"].astype(np.int64),
            "CM": out["cm"],
            "MAF": out["maf"],
        }
    )
    # The array is ours alone: no copy (pandas 3 would copy 8 bytes per SNP and set).
    scores = pd.DataFrame(out["l2_t"].T, columns=names, copy=False)
    frame = pd.concat([frame, scores], axis=1)
    if wanted is not None and frame.empty:
        raise InconsistentInputError(
            f"none of the {len(wanted)} --print-snps SNPs is among the panel SNPs kept"
        )
    if categories is not None:
        _describe_categories(frame, out["category_rows"], out["missing_genes"])
    frame.attrs["M"] = dict(zip(names, map(float, out["m"]), strict=True))
    frame.attrs["M_5_50"] = dict(zip(names, map(float, out["m_5_50"]), strict=True))
    frame.attrs["n_samples"] = int(out["n_samples"])
    frame.attrs["dropped"] = {
        "monomorphic_or_het_only": int(out["dropped_monomorphic"]),
        "maf": int(out["dropped_maf"]),
    }
    return frame


def write_ldscore(frame: pd.DataFrame, prefix: PathLike, *, cm_maf: bool = False) -> list[Path]:
    """Write ldsc's ``PREFIX.l2.ldscore.gz``, ``PREFIX.l2.M`` and ``PREFIX.l2.M_5_50``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The result of :func:`ldscore`.
    prefix : str or PathLike
        Output prefix.
    cm_maf : bool
        Also write the ``CM`` and ``MAF`` columns (as in ldsc's distributed weight files).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import ldenrich, tempfile, pathlib
    >>> s = ldenrich.ldscore(ldenrich.example_data().bfile, ld_wind_snps=10)
    >>> [p.name for p in write_ldscore(s, pathlib.Path(tempfile.mkdtemp()) / "x")]
    ['x.l2.ldscore.gz', 'x.l2.M', 'x.l2.M_5_50']
    """
    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    names = list(frame.attrs["M"])
    columns = ["CHR", "SNP", "BP", *(["CM", "MAF"] if cm_maf else []), *names]
    paths = [Path(f"{prefix}.l2.ldscore.gz"), Path(f"{prefix}.l2.M"), Path(f"{prefix}.l2.M_5_50")]

    _write_table(paths[0], frame, ["CHR", "SNP", "BP"], columns[3:], decimals=3)
    for path, key in zip(paths[1:], ("M", "M_5_50"), strict=True):
        with atomic_path(path) as tmp:
            tmp.write_text("\t".join(repr(float(v)) for v in frame.attrs[key].values()) + "\n")
    return paths


def make_annot(
    bim: PathLike | Bim,
    gene_loc: PathLike | GeneLoc | None = None,
    gene_sets: Any = None,
    beds: Any = None,
    *,
    window: tuple[float, float] = (100.0, 100.0),
    threads: int | None = None,
) -> pd.DataFrame:
    """Annotations of a panel's SNPs from gene sets and interval files (ldsc ``make_annot``).

    One 0/1 column per gene set (the SNPs inside the window of any of its genes) and per BED
    file (the SNPs inside its intervals), one row per ``.bim`` row, in ``.bim`` order: the
    ``annot`` argument of :func:`ldscore`, and what :func:`write_annot` writes for
    ``--overlap-annot``. Gene sets are resolved as by :func:`ldenrich.annotate` (identifiers,
    then symbols); SNPs off chromosomes 1-22 are 0.

    Parameters
    ----------
    bim : path or Bim
        The panel's ``.bim`` (or PLINK prefix).
    gene_loc : path or GeneLoc, optional
        Gene locations (needed with gene sets); ``"NCBI37"``/``"NCBI38"`` for the bundled ones.
    gene_sets : path, GeneSets, mapping or list of them, optional
        As for :func:`ldenrich.annotate`.
    beds : path, DataFrame mapping or list, optional
        As for :func:`ldenrich.annotate`.
    window : (float, float)
        Kilobases before the transcription start and after its end (MAGMA's strand-aware rule,
        closed 1-based intervals). The default ``(100, 100)`` is LDSC-SEG's symmetric 100 kb
        window; ``(35, 10)`` is the gene analysis's.
    threads : int, optional
        Threads (the result does not depend on it).

    Returns
    -------
    pandas.DataFrame
        One float column per category, named by it with whitespace replaced by ``_`` (ldsc's
        files are whitespace-separated). ``attrs["categories"]`` has one record per column
        (``name``, ``source``, ``is_gene_set``, ``n_genes``, ``n_genes_found``,
        ``n_intervals``, ``n_snps``) and
        ``attrs["missing_genes"]`` the genes of each set absent from the gene locations.

    Examples
    --------
    >>> import ldenrich
    >>> ex = ldenrich.example_data()
    >>> a = ldenrich.make_annot(ex.bim, ex.gene_loc, {"pair": ["COMT", "ADORA2A"]})
    >>> a.shape, int(a["pair"].sum()) > 0
    ((15938, 1), True)
    """
    import pandas as pd

    from ldenrich.io import Bim, read_bim

    if not isinstance(bim, Bim):
        bim = read_bim(bim, threads=threads)
    specs, genes, up, down = _panel_categories(gene_sets, beds, gene_loc, window, "make_annot")
    rows, missing, matrix = _native.panel_annotation(bim._native, genes, specs, up, down, threads)
    frame = pd.DataFrame(matrix, columns=_category_names(rows))
    _describe_categories(frame, rows, missing)
    return frame


def _panel_categories(
    gene_sets: Any, beds: Any, gene_loc: PathLike | GeneLoc | None, window: Any, what: str
) -> tuple[Any, Any, float, float]:
    """The native category specifications, gene locations and window (up, down kb) of
    gene sets and interval files, checked."""
    from ldenrich._example import _BUILDS, bundled_gene_loc
    from ldenrich.annot import category_specs
    from ldenrich.io import GeneLoc, read_gene_loc

    if gene_loc is not None and not isinstance(gene_loc, GeneLoc):
        text = os.fspath(gene_loc)
        bundled = text.strip().lower() in _BUILDS and not Path(text).exists()
        gene_loc = read_gene_loc(bundled_gene_loc(text) if bundled else text)
    try:
        up, down = (float(w) for w in window)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"window must be (up_kb, down_kb); got {window!r}") from None
    specs = category_specs(gene_sets, beds)
    if specs.n_gene_sets + specs.n_intervals == 0:
        raise InvalidArgumentError(f"{what} needs gene sets or interval files")
    if specs.n_gene_sets and gene_loc is None:
        raise InvalidArgumentError("gene sets need gene locations: pass gene_loc=")
    return specs._native, None if gene_loc is None else gene_loc._native, up, down


def _category_names(rows: Sequence[tuple]) -> list[str]:
    """Column names of categories: whitespace replaced by ``_`` (ldsc's files are
    whitespace-separated), refused when two then repeat."""
    names = ["_".join(str(r[0]).split()) for r in rows]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InvalidArgumentError(
            f"category names {repeated} repeat once whitespace is replaced by '_'; rename them"
        )
    return names


def _describe_categories(frame: pd.DataFrame, rows: Sequence[tuple], missing: Sequence) -> None:
    keys = ("name", "source", "is_gene_set", "n_genes", "n_genes_found", "n_intervals", "n_snps")
    # Plain records: pandas compares attrs when it combines frames, which a DataFrame breaks.
    frame.attrs["categories"] = [dict(zip(keys, r, strict=True)) for r in rows]
    frame.attrs["missing_genes"] = {r[0]: m for r, m in zip(rows, missing, strict=True) if m}


def write_annot(annot: pd.DataFrame, bim: PathLike | Bim, path: PathLike) -> Path:
    """Write annotations as a full ldsc ``.annot.gz`` (``CHR BP SNP CM`` then the columns).

    Parameters
    ----------
    annot : pandas.DataFrame
        One row per ``.bim`` row (what :func:`make_annot` returns).
    bim : path or Bim
        The panel's ``.bim``, for the first four columns.
    path : str or PathLike
        The file (gzip when it ends in ``.gz``), written atomically.

    Returns
    -------
    Path

    Examples
    --------
    >>> import ldenrich, tempfile, pathlib
    >>> ex = ldenrich.example_data()
    >>> a = ldenrich.make_annot(ex.bim, ex.gene_loc, {"pair": ["COMT", "ADORA2A"]})
    >>> p = ldenrich.write_annot(a, ex.bim, pathlib.Path(tempfile.mkdtemp()) / "x.22.annot.gz")
    >>> list(ldenrich.read_annot(p).columns)
    ['pair']
    """
    import pandas as pd

    from ldenrich.io import Bim, read_bim

    if not isinstance(bim, Bim):
        bim = read_bim(bim)
    panel = bim.to_frame()
    if len(panel) != len(annot):
        raise InvalidArgumentError(
            f"the annotation has {len(annot)} rows but {bim.path} has {len(panel)} SNPs"
        )
    cm = np.asarray(bim._native.cm(), dtype=float)
    annot = annot.reset_index(drop=True)
    full = pd.concat(
        [
            pd.DataFrame(
                {"CHR": [chrom_name(c) for c in panel["chrom"]], "BP": panel["bp"],
                 "SNP": panel["snp"], "CM": cm}
            ),
            annot,
        ],
        axis=1,
    )  # fmt: skip
    path = Path(path)
    _write_table(path, full, ["CHR", "BP", "SNP"], list(full.columns[3:]), decimals=None)
    return path


def _write_table(
    path: Path, frame: pd.DataFrame, text: list[str], numbers: list[str], decimals: int | None
) -> None:
    """``frame``'s ``text`` then ``numbers`` columns as a tab-separated file, atomically, by the
    core's parallel writer (gzip for ``.gz``; the bytes do not depend on the threads).
    ``decimals=3`` is ldsc's ``%.3f``; ``None`` the shortest text of each double (``1``, ``0``
    for binary annotations)."""
    # One array per column: a view of the frame's block where it can be, not a copy of it.
    values = [np.ascontiguousarray(frame[c].to_numpy(dtype=float)) for c in numbers]
    columns = [frame[c].astype(str).tolist() for c in text]
    with atomic_path(path) as tmp:
        _native.write_table(os.fspath(tmp), [*text, *numbers], columns, values, decimals)
