"""Stratified LD score regression: SNP heritability and its partition by annotation.

Reads ldsc's files (``.l2.ldscore.gz``, ``.l2.M_5_50``, ``.annot.gz``, ``.frq``, one set per
chromosome) and summary statistics, lines them up as ldsc does, and hands the regression, its
jackknife, the enrichment table and its p-values to the Rust core
(Bulik-Sullivan et al. 2015 Nat Genet 47:291; Finucane et al. 2015 Nat Genet 47:1228;
Finucane et al. 2018 Nat Genet 50:621 for the cell-type test of :func:`h2_cts`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ldenrich import _native
from ldenrich.errors import (
    InconsistentInputError,
    InvalidArgumentError,
    MissingColumnError,
    ParseError,
)

if TYPE_CHECKING:
    import pandas as pd

PathLike = str | os.PathLike[str]

#: Columns of ldsc's ``.results`` table, in its order.
RESULTS_COLUMNS = (
    "Category",
    "Prop._SNPs",
    "Prop._h2",
    "Prop._h2_std_error",
    "Enrichment",
    "Enrichment_std_error",
    "Enrichment_p",
    "Coefficient",
    "Coefficient_std_error",
    "Coefficient_z-score",
)
#: Columns ldenrich adds after ldsc's.
EXTRA_COLUMNS = ("Coefficient_p", "h2", "h2_std_error", "tau_star", "tau_star_std_error")

_CHROMS = range(1, 23)
_COMPRESSIONS = ("", ".gz", ".bz2")
# Columns of an LD-score or annotation file that are not scores.
_ID_COLUMNS = ("CHR", "SNP", "BP", "CM", "MAF")


def _sub_chr(prefix: str, chrom: int) -> str:
    """ldsc's rule: ``@`` in the prefix stands for the chromosome, else it is appended."""
    return prefix.replace("@", str(chrom)) if "@" in prefix else f"{prefix}{chrom}"


def _find(stem: str) -> Path | None:
    for ext in _COMPRESSIONS:
        path = Path(stem + ext)
        if path.is_file():
            return path
    return None


def _files(prefix: PathLike, suffix: str, per_chrom: bool, what: str) -> list[Path]:
    """The files of ``prefix`` (one per chromosome present, in chromosome order, or one)."""
    prefix = os.fspath(prefix)
    if not per_chrom:
        found = _find(prefix + suffix)
        if found is None:
            raise FileNotFoundError(f"{prefix}{suffix}[.gz|.bz2]: {what} not found")
        return [found]
    paths = [p for c in _CHROMS if (p := _find(_sub_chr(prefix, c) + suffix)) is not None]
    if not paths:
        raise FileNotFoundError(
            f"{_sub_chr(prefix, 1)}{suffix}[.gz|.bz2] ... {_sub_chr(prefix, 22)}{suffix}: no "
            f"{what} for any of chromosomes 1-22"
        )
    return paths


@dataclass
class _Table:
    """The columns of a table read by the core: text columns by name, numbers as a matrix."""

    path: Path
    header: list[str]
    text: dict[str, list[str]]
    numeric_names: list[str]
    numeric: np.ndarray

    def column(self, name: str) -> np.ndarray:
        return self.numeric[:, self.numeric_names.index(name)]

    def __len__(self) -> int:
        return len(self.numeric) if self.numeric.shape[1] else len(next(iter(self.text.values())))


def _read_table(
    path: Path, what: str, required: Sequence[str] = (), numeric: Sequence[str] | None = None
) -> _Table:
    """A table in one parallel pass of the core (plain, gzip or BGZF; bzip2 is inflated to a
    temporary file first): ``SNP`` as text, the other columns (or ``numeric``) as finite
    numbers, anything else an error naming the file, line and column."""
    if path.suffix == ".bz2":
        import bz2
        import shutil
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".txt") as tmp:
            with bz2.open(path, "rb") as src:
                shutil.copyfileobj(src, tmp)
            tmp.flush()
            table = _read_table(Path(tmp.name), what, required, numeric)
        table.path = path
        return table
    out = _native.read_numeric_table(
        os.fspath(path), ["SNP"], None if numeric is None else list(numeric)
    )
    missing = [c for c in required if c not in out["header"]]
    if missing:
        raise MissingColumnError(
            f"{path}: no {', '.join(missing)} column in the header of this {what} (found: "
            f"{' '.join(out['header'])})"
        )
    # numeric_t is column after column: its transpose is a Fortran-order view, no copy.
    return _Table(path, out["header"], out["text"], out["numeric_names"], out["numeric_t"].T)


def _columns(matrix: np.ndarray, picked: Sequence[int]) -> np.ndarray:
    """Columns ``picked`` of ``matrix``: a view when they are consecutive (the usual case),
    so that a 1 GB table is not copied to drop its ID columns."""
    if len(picked) and list(picked) == list(range(picked[0], picked[0] + len(picked))):
        return matrix[:, picked[0] : picked[0] + len(picked)]
    return matrix[:, list(picked)]


@dataclass
class _Scores:
    """One LD-score fileset, sorted by chromosome and position, first of each SNP kept (as
    ldsc), with where each row was read (for messages)."""

    snps: np.ndarray
    ld: np.ndarray
    names: list[str]
    files: list[Path]
    file_index: np.ndarray
    line: np.ndarray

    def where(self, row: int) -> str:
        return f"{self.files[self.file_index[row]]}: line {self.line[row]}"


def _read_ldscores(prefix: PathLike, per_chrom: bool) -> _Scores:
    import pandas as pd

    parts, files = [], []
    names: list[str] | None = None
    for path in _files(prefix, ".l2.ldscore", per_chrom, "LD-score file"):
        table = _read_table(path, "LD-score file", ("CHR", "SNP", "BP"))
        scores = [c for c in table.numeric_names if c not in _ID_COLUMNS]
        if not scores:
            raise MissingColumnError(f"{path}: no LD-score column besides {' '.join(_ID_COLUMNS)}")
        if names is not None and scores != names:
            raise InconsistentInputError(
                f"{prefix}: the per-chromosome LD-score files have different columns: "
                f"{' '.join(names)} / {' '.join(scores)} ({path})"
            )
        names = scores
        picked = [table.numeric_names.index(c) for c in scores]
        parts.append((table, _columns(table.numeric, picked)))
        files.append(path)
    assert names is not None
    one = len(parts) == 1
    chrom = np.concatenate([t.column("CHR") for t, _ in parts])
    bp = np.concatenate([t.column("BP") for t, _ in parts])
    snps = np.concatenate([np.asarray(t.text["SNP"], dtype=object) for t, _ in parts])
    ld = parts[0][1] if one else np.concatenate([m for _, m in parts])
    file_index = np.concatenate([np.full(len(t), i) for i, (t, _) in enumerate(parts)])
    line = np.concatenate([np.arange(2, len(t) + 2) for t, _ in parts])
    order = np.lexsort((bp, chrom))  # stable: ties keep file order, as ldsc's sort
    first = ~pd.Series(snps[order]).duplicated().to_numpy()
    rows = order[first]
    if not (len(rows) == len(snps) and (rows == np.arange(len(rows))).all()):
        snps, ld, file_index, line = snps[rows], ld[rows], file_index[rows], line[rows]
    return _Scores(snps, ld, names, files, file_index, line)


def _read_m(prefix: PathLike, per_chrom: bool, common: bool, count: int) -> np.ndarray:
    suffix = ".l2.M_5_50" if common else ".l2.M"
    total = np.zeros(count)
    prefix_s = os.fspath(prefix)
    stems = [_sub_chr(prefix_s, c) for c in _CHROMS] if per_chrom else [prefix_s]
    # M files go with the LD-score files: the chromosomes present are those with scores.
    stems = [s for s in stems if _find(s + ".l2.ldscore") is not None]
    for stem in stems:
        path = Path(stem + suffix)
        try:
            fields = path.read_text().split()
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{path}: not found ({'--not-M-5-50 reads .l2.M' if common else ''})".rstrip(" ()")
            ) from None
        try:
            values = np.array([float(v) for v in fields])
        except ValueError:
            shown = " ".join(fields)
            raise ParseError(f"{path}: line 1: expected numbers, found {shown}") from None
        if len(values) != count:
            raise InconsistentInputError(
                f"{path}: {len(values)} values for the {count} LD-score columns of its fileset"
            )
        total += values
    return total


@dataclass
class _Reference:
    """Reference LD scores of every prefix, side by side, with ldsc's column names."""

    snps: np.ndarray
    ld: np.ndarray
    names: list[str]
    m: np.ndarray
    # Per prefix, the LD-score columns it contributed (before zero-variance ones are dropped).
    columns: list[list[str]]
    kept: np.ndarray  # boolean mask over all columns: not of zero variance


def _read_reference(
    prefixes: Sequence[PathLike], per_chrom: bool, common: bool, require_variance: bool = True
) -> _Reference:
    first: _Scores | None = None
    blocks, names, ms, columns = [], [], [], []
    for i, prefix in enumerate(prefixes):
        scores = _read_ldscores(prefix, per_chrom)
        if first is None:
            first = scores
        else:
            a, b = first.snps, scores.snps
            if len(a) != len(b) or (a != b).any():
                n = min(len(a), len(b))
                differ = np.flatnonzero(a[:n] != b[:n])
                k = int(differ[0]) if differ.size else n
                left = f"{first.where(k)} ({a[k]})" if k < len(a) else "its end"
                right = f"{scores.where(k)} ({b[k]})" if k < len(b) else "its end"
                raise InconsistentInputError(
                    f"LD-score filesets {prefixes[0]} and {prefix} list different SNPs (after "
                    f"sorting by position): SNP {k + 1} is {left} but {right}; filesets given "
                    "together must cover the same SNPs"
                )
        blocks.append(scores.ld)
        names += [f"{c}_{i}" for c in scores.names]
        ms.append(_read_m(prefix, per_chrom, common, len(scores.names)))
        columns.append(scores.names)
    assert first is not None
    ld = blocks[0] if len(blocks) == 1 else np.hstack(blocks)
    # ldsc drops LD-score columns of zero variance; max == min says so without a copy.
    kept = ld.max(axis=0) != ld.min(axis=0)
    if require_variance and not kept.any():
        raise InconsistentInputError(
            f"every LD-score column of {','.join(map(str, prefixes))} has zero variance"
        )
    return _Reference(
        snps=first.snps,
        ld=ld,
        names=names,
        m=np.concatenate(ms),
        columns=columns,
        kept=kept,
    )


def _annot_values(
    groups: Sequence[Sequence[tuple[PathLike, list[str]]]],
    per_chrom: bool,
    frqfile: PathLike | None,
) -> Iterator[list[np.ndarray]]:
    """Per chromosome of the first group's LD scores, the ``.annot`` values of every group
    (``(prefix, LD-score column names)`` pairs side by side), their rows and columns checked
    against each other and, with a frequency file, cut to the SNPs with 0.05 < FRQ < 0.95, as
    ldsc's ``--overlap-annot``."""
    chroms = list(_CHROMS) if per_chrom else [None]
    for chrom in chroms:

        def stem_of(prefix: PathLike, chrom: int | None = chrom) -> str:
            return _sub_chr(os.fspath(prefix), chrom) if chrom is not None else os.fspath(prefix)

        if any(_find(stem_of(prefix) + ".l2.ldscore") is None for prefix, _ in groups[0]):
            continue
        parts: list[list[tuple[Path, _Table, np.ndarray]]] = []
        for group in groups:
            parts.append([])
            for prefix, score_names in group:
                stem = stem_of(prefix)
                path = _find(stem + ".annot")
                if path is None:
                    raise FileNotFoundError(
                        f"{stem}.annot[.gz|.bz2]: not found (--overlap-annot reads the "
                        "annotation file beside each LD-score file)"
                    )
                table = _read_table(path, "annotation file")
                cols = [c for c in table.numeric_names if c not in ("CHR", "BP", "CM")]
                _same_columns(path, cols, score_names)
                values = _columns(table.numeric, [table.numeric_names.index(c) for c in cols])
                parts[-1].append((path, table, values))
        flat = [part for group in parts for part in group]
        first_path, first_table, first_values = flat[0]
        for path, table, values in flat[1:]:
            if len(values) != len(first_values):
                raise InconsistentInputError(
                    "annotation files of one chromosome have different numbers of rows: "
                    f"{first_path} ({len(first_values)}), {path} ({len(values)})"
                )
            _same_snps(first_path, first_table, path, table)
        common: np.ndarray | None = None
        if frqfile is not None:
            fstem = stem_of(frqfile)
            fpath = _find(fstem + ".frq")
            if fpath is None:
                raise FileNotFoundError(f"{fstem}.frq[.gz|.bz2]: frequency file not found")
            frq_table = _read_table(fpath, "frequency file", ("SNP",), numeric=("FRQ", "MAF"))
            col = "FRQ" if "FRQ" in frq_table.header else "MAF"
            if col not in frq_table.header:
                raise MissingColumnError(
                    f"{fpath}: no FRQ or MAF column in the header of this frequency file "
                    f"(found: {' '.join(frq_table.header)})"
                )
            if len(frq_table) != len(first_values):
                raise InconsistentInputError(
                    f"{fpath}: {len(frq_table)} SNPs but {first_path} has {len(first_values)} "
                    "(the frequency file must list the annotation file's SNPs in its order)"
                )
            _same_snps(first_path, first_table, fpath, frq_table)
            frq = frq_table.column(col)
            common = (frq > 0.05) & (frq < 0.95)
            if common.all():
                common = None
        out = []
        for group in parts:
            values = [v for _, _, v in group]
            matrix = values[0] if len(values) == 1 else np.hstack(values)
            out.append(matrix if common is None else matrix[common])
        yield out


def _same_columns(path: Path, annot_columns: Sequence[str], score_names: Sequence[str]) -> None:
    """An annotation file must hold its LD-score file's annotations, in its order: another
    count, or the same columns in another order (which would pair each LD score with another
    annotation's values), is refused."""
    names = [c.removesuffix("L2") for c in score_names]
    if len(annot_columns) != len(names):
        raise InconsistentInputError(
            f"{path}: {len(annot_columns)} annotation columns but its LD-score file has "
            f"{len(names)}"
        )
    if names != list(annot_columns) and sorted(names) == sorted(annot_columns):
        raise InconsistentInputError(
            f"{path}: the annotation columns ({' '.join(annot_columns)}) are in another order "
            f"than the LD-score columns ({' '.join(names)})"
        )


def _same_snps(path_a: Path, a: _Table, path_b: Path, b: _Table) -> None:
    """Files describing the same SNPs row by row must name the same SNP on every row (when
    both have a SNP column)."""
    if "SNP" not in a.text or "SNP" not in b.text:
        return
    a_snps = np.asarray(a.text["SNP"], dtype=object)
    b_snps = np.asarray(b.text["SNP"], dtype=object)
    differ = np.flatnonzero(a_snps != b_snps)
    if differ.size:
        i = int(differ[0])
        raise InconsistentInputError(
            f"{path_b}: line {i + 2}, column SNP: '{b_snps[i]}' but {path_a} line {i + 2} is "
            f"'{a_snps[i]}'"
        )


def _standard_deviations(sums: np.ndarray, squares: np.ndarray, m_tot: float) -> np.ndarray:
    """Each annotation's SD over the reference SNPs; NaN for a constant one (its tau* is not
    defined)."""
    var = (squares - sums**2 / m_tot) / (m_tot - 1)
    sd = np.sqrt(np.maximum(var, 0.0))
    return np.where(sd > 0, sd, np.nan)


def _read_overlap(
    prefixes: Sequence[PathLike],
    per_chrom: bool,
    columns: Sequence[Sequence[str]],
    frqfile: PathLike | None,
) -> tuple[np.ndarray, float, np.ndarray]:
    """``A'A``, the SNP count and each annotation's SD (NaN when constant) over the reference
    SNPs of the ``.annot`` files (with a frequency file, only those with 0.05 < FRQ < 0.95),
    as ldsc's ``--overlap-annot``."""
    c = sum(len(names) for names in columns)
    ata = np.zeros((c, c))
    sums = np.zeros(c)
    m_tot = 0
    for (matrix,) in _annot_values([list(zip(prefixes, columns, strict=True))], per_chrom, frqfile):
        cross, column_sums = _native.annot_cross_products(matrix)
        ata += cross
        sums += column_sums
        m_tot += len(matrix)
    _check_overlap_snps(m_tot, frqfile)
    return ata, float(m_tot), _standard_deviations(sums, np.diag(ata), m_tot)


def _check_overlap_snps(m_tot: int, frqfile: PathLike | None) -> None:
    if m_tot < 2:
        raise InconsistentInputError(
            f"{m_tot} reference SNPs in the annotation files"
            + (" with 0.05 < FRQ < 0.95" if frqfile is not None else "")
        )


def _read_gwas(sumstats: PathLike | Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """SNP IDs, chi-squares and N of the summary statistics (any format ``read_sumstats``
    reads, ldsc's ``.sumstats.gz`` included), first of each SNP kept, with drop counts."""
    from ldenrich.io import SumStats, read_sumstats

    ss = sumstats if isinstance(sumstats, SumStats) else read_sumstats(sumstats, read_n=True)
    n = ss.n
    if n is None:
        raise MissingColumnError(f"{ss.path}: no sample-size column (N): h2 needs N per SNP")
    dropped = {k: v for k, v in ss.dropped.items() if v}
    if dropped.get("invalid_statistic") and "n" in ss.columns:
        _refuse_bad_n(Path(ss.path), ss.columns["n"])
    snps = np.asarray(ss._native.snp_ids(), dtype=object)
    chisq = ss.chisq
    import pandas as pd

    first = ~pd.Series(snps).duplicated().to_numpy()
    if not first.all():
        dropped["duplicate_snp"] = int((~first).sum())
    return snps[first], chisq[first], n[first], dropped


def _refuse_bad_n(path: Path, column: str) -> None:
    """N <= 0 is an error naming the line (the reader only counts such rows)."""
    import pandas as pd

    try:
        table = pd.read_csv(path, sep=None, engine="python", dtype=str, usecols=[column])
    except (ValueError, pd.errors.ParserError):
        return
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(values <= 0)
    if bad.size:
        i = int(bad[0])
        raise ParseError(
            f"{path}: line {i + 2}, column {column}: N must be positive, found "
            f"'{table[column].iloc[i]}'"
        )


@dataclass
class H2Result:
    """The result of :func:`partitioned_h2`.

    Attributes
    ----------
    results : pandas.DataFrame
        One row per annotation: ldsc's ``.results`` columns (:data:`RESULTS_COLUMNS`), then
        ``Coefficient_p`` (one-sided normal p of the coefficient), ``h2`` and
        ``h2_std_error`` (heritability of the annotation's SNPs) and ``tau_star`` with its
        jackknife SE (Gazal et al. 2017; with ``overlap_annot`` only).
    summary : dict
        ``h2``, ``h2_se`` (observed scale; ``h2_liability``/``h2_liability_se`` with
        prevalences), ``intercept``, ``intercept_se``, ``ratio``, ``ratio_se``,
        ``lambda_gc``, ``mean_chisq``, ``n_snps`` (in the regression), ``blocks``,
        ``chisq_max``, ``two_step``.
    dropped : dict
        SNPs left out, by reason.
    coef_delete, h2_delete : numpy.ndarray
        Jackknife delete values of the coefficients (blocks x annotations) and of total h2.
    qc : list of str
        Warnings about the fit (see the methods page).
    """

    results: pd.DataFrame
    summary: dict[str, Any]
    dropped: dict[str, int]
    coef_delete: np.ndarray
    h2_delete: np.ndarray
    qc: list[str] = field(default_factory=list)


@dataclass
class _Merged:
    reference: _Reference
    chisq: np.ndarray
    n: np.ndarray
    ld: np.ndarray
    w_ld: np.ndarray
    snps: np.ndarray
    dropped: dict[str, int]


def _read_weights(w_ld: PathLike, per_chrom: bool) -> _Scores:
    weights = _read_ldscores(w_ld, per_chrom)
    if len(weights.names) != 1:
        raise InconsistentInputError(
            f"{w_ld}: the regression-weight LD scores must have one column; found "
            f"{' '.join(weights.names)}"
        )
    return weights


def _merge(
    sumstats: PathLike | Any,
    ref_ld: Sequence[PathLike],
    w_ld: PathLike,
    per_chrom: bool,
    common: bool,
) -> _Merged:
    reference = _read_reference(ref_ld, per_chrom, common)
    return _merge_read(sumstats, reference, _read_weights(w_ld, per_chrom))


def _merge_read(sumstats: PathLike | Any, reference: _Reference, weights: _Scores) -> _Merged:
    snps, chisq, n, dropped = _read_gwas(sumstats)
    import pandas as pd

    # ldsc's order: the reference's rows (genomic order) that have statistics and a weight.
    in_ss = pd.Index(snps).get_indexer(reference.snps)
    in_w = pd.Index(weights.snps).get_indexer(reference.snps)
    has_ss = in_ss >= 0
    dropped["not_in_ref_ld"] = int(len(snps) - has_ss.sum())
    rows = np.flatnonzero(has_ss & (in_w >= 0))
    dropped["not_in_w_ld"] = int(has_ss.sum() - len(rows))
    if len(rows) == 0:
        raise InconsistentInputError(
            "no SNP is in the summary statistics, the reference LD scores and the weights"
        )
    w = weights.ld[:, 0]
    # Every reference SNP used (the usual case with ldsc's own files): no 1 GB copy.
    ld = reference.ld if len(rows) == len(reference.snps) else reference.ld[rows]
    if not reference.kept.all():
        ld = ld[:, reference.kept]
    return _Merged(
        reference=reference,
        chisq=chisq[in_ss[rows]],
        n=n[in_ss[rows]],
        ld=ld,
        w_ld=w[in_w[rows]],
        snps=reference.snps[rows],
        dropped={k: v for k, v in dropped.items() if v},
    )


def _as_list(value: PathLike | Sequence[PathLike]) -> list[PathLike]:
    if isinstance(value, (str, os.PathLike)):
        return [p for p in os.fspath(value).split(",") if p]
    return list(value)


def _fit(
    merged: _Merged,
    ld: np.ndarray,
    m: np.ndarray,
    *,
    blocks: int,
    intercept: float | None,
    two_step: float | None,
    chisq_max: float | None,
    overlap: tuple[np.ndarray, float, np.ndarray | None] | None,
    threads: int | None,
) -> dict[str, Any]:
    """The core's regression of the merged chi-squares on ``ld`` (rows of ``merged``)."""
    if overlap is None:
        matrix, m_tot, sd = np.diag(m), float(m.sum()), None
    else:
        matrix, m_tot, sd = overlap
    return _native.sldsc_h2(
        np.ascontiguousarray(merged.chisq),
        ld,
        np.ascontiguousarray(merged.w_ld),
        np.ascontiguousarray(merged.n),
        np.ascontiguousarray(m),
        blocks,
        intercept,
        two_step,
        chisq_max,
        np.ascontiguousarray(matrix),
        m_tot,
        sd,
        threads,
    )


def _resolve(
    ref_ld_chr: PathLike | Sequence[PathLike] | None,
    ref_ld: PathLike | Sequence[PathLike] | None,
    w_ld_chr: PathLike | None,
    w_ld: PathLike | None,
    intercept: float | None,
    no_intercept: bool,
) -> tuple[list[PathLike], PathLike, bool, float | None]:
    """Checks the reference and weight arguments shared by the estimators: (reference
    prefixes, weight prefix, per chromosome, fixed intercept)."""
    if (ref_ld_chr is None) == (ref_ld is None):
        raise InvalidArgumentError("give one of ref_ld_chr and ref_ld")
    if (w_ld_chr is None) == (w_ld is None):
        raise InvalidArgumentError("give one of w_ld_chr and w_ld")
    per_chrom = ref_ld_chr is not None
    if (w_ld_chr is not None) != per_chrom:
        raise InvalidArgumentError("use ref_ld_chr with w_ld_chr, or ref_ld with w_ld")
    if no_intercept:
        if intercept is not None:
            raise InvalidArgumentError("give at most one of intercept and no_intercept")
        intercept = 1.0
    reference = ref_ld_chr if per_chrom else ref_ld
    weights = w_ld_chr if per_chrom else w_ld
    assert reference is not None and weights is not None
    return _as_list(reference), weights, per_chrom, intercept


@dataclass
class LdReference:
    """Reference LD scores, regression weights and (with ``overlap_annot``) the annotation
    overlap, read once to fit many traits: :func:`load_ld_reference`, then
    ``partitioned_h2(sumstats, reference=...)`` per trait."""

    reference: _Reference
    weights: _Scores
    overlap: tuple[np.ndarray, float, np.ndarray] | None

    def __repr__(self) -> str:
        return (
            f"LdReference({len(self.reference.snps):,} SNPs, "
            f"{len(self.reference.names)} LD-score columns, overlap: {self.overlap is not None})"
        )


def load_ld_reference(
    ref_ld_chr: PathLike | Sequence[PathLike] | None = None,
    w_ld_chr: PathLike | None = None,
    *,
    ref_ld: PathLike | Sequence[PathLike] | None = None,
    w_ld: PathLike | None = None,
    overlap_annot: bool = False,
    frqfile_chr: PathLike | None = None,
    frqfile: PathLike | None = None,
    not_m_5_50: bool = False,
) -> LdReference:
    """Read what :func:`partitioned_h2` needs besides the summary statistics, once.

    The arguments are those of :func:`partitioned_h2`.

    Examples
    --------
    >>> import tempfile, pathlib, ldenrich
    >>> from ldenrich.sldsc import load_ld_reference
    >>> ex = ldenrich.example_data()
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = ldenrich.write_ldscore(ldenrich.ldscore(ex.bfile, ld_wind_snps=100), d / "ref.22")
    >>> ref = load_ld_reference(d / "ref.", d / "ref.")
    >>> fit = ldenrich.partitioned_h2(ex.sumstats, reference=ref)
    >>> round(fit.summary["intercept"], 3)
    1.198
    """
    prefixes, weights, per_chrom, _ = _resolve(ref_ld_chr, ref_ld, w_ld_chr, w_ld, None, False)
    frq = _frequency_file(overlap_annot, frqfile_chr, frqfile, per_chrom)
    reference = _read_reference(prefixes, per_chrom, not not_m_5_50)
    overlap = None
    if overlap_annot:
        ata, m_tot, sd = _read_overlap(prefixes, per_chrom, reference.columns, frq)
        kept = reference.kept
        overlap = (ata[np.ix_(kept, kept)], m_tot, sd[kept])
    return LdReference(reference, _read_weights(weights, per_chrom), overlap)


def partitioned_h2(
    sumstats: PathLike | Any,
    ref_ld_chr: PathLike | Sequence[PathLike] | None = None,
    w_ld_chr: PathLike | None = None,
    *,
    ref_ld: PathLike | Sequence[PathLike] | None = None,
    w_ld: PathLike | None = None,
    overlap_annot: bool = False,
    frqfile_chr: PathLike | None = None,
    frqfile: PathLike | None = None,
    not_m_5_50: bool = False,
    intercept: float | None = None,
    no_intercept: bool = False,
    two_step: float | None = None,
    chisq_max: float | None = None,
    blocks: int = 200,
    samp_prev: float | None = None,
    pop_prev: float | None = None,
    threads: int | None = None,
    reference: LdReference | None = None,
) -> H2Result:
    """SNP heritability partitioned by annotation (stratified LD score regression), as ldsc's
    ``--h2``.

    The regression of each SNP's chi-square on its LD scores, with ldsc's weights (and its
    two-step estimator when there is one LD-score column), standard errors from a jackknife
    over ``blocks`` contiguous blocks of SNPs in genomic order, and ldsc's ``.results``
    table. See the methods page for the estimators.

    Parameters
    ----------
    sumstats : path or SumStats
        ldsc ``.sumstats[.gz]`` (``SNP A1 A2 Z N``) or any file :func:`ldenrich.read_sumstats`
        reads with a per-SNP N.
    ref_ld_chr : path or list of paths
        Prefixes of per-chromosome LD-score files (``PREFIX{chr}.l2.ldscore[.gz]``, ``@``
        stands for the chromosome), comma-separated or a list: placed side by side, they must
        list the same SNPs. ``ref_ld`` is the same for a single file per prefix.
    w_ld_chr : path
        Prefix of the regression-weight LD scores (one column); ``w_ld`` for a single file.
    overlap_annot : bool
        Compute the table over the reference SNPs of the ``.annot[.gz]`` files beside the
        LD-score files, taking the overlap between annotations into account (needed whenever
        annotations overlap, as in the baseline models).
    frqfile_chr, frqfile : path, optional
        PLINK ``.frq`` prefix (per chromosome or single): with ``overlap_annot``, count only
        SNPs with 0.05 < FRQ < 0.95.
    not_m_5_50 : bool
        Use ``.l2.M`` (all SNPs) instead of ``.l2.M_5_50`` (MAF above 5%).
    intercept : float, optional
        Fix the intercept (``no_intercept``: fix it at 1).
    two_step : float, optional
        Cutoff of the two-step estimator (default 30 with one LD-score column and a free
        intercept; not allowed otherwise).
    chisq_max : float, optional
        Keep SNPs with chi-square below this (default: ``max(80, 0.001 max N)`` with several
        LD-score columns, no filter with one).
    blocks : int
        Jackknife blocks.
    samp_prev, pop_prev : float, optional
        Sample and population prevalence: report h2 on the liability scale too.
    threads : int, optional
        Threads (default ``LDENRICH_NUM_THREADS`` or all cores); results do not depend on it.
    reference : LdReference, optional
        The LD scores, weights and overlap read by :func:`load_ld_reference`, instead of
        ``ref_ld_chr``/``w_ld_chr``/``overlap_annot``/``frqfile*``/``not_m_5_50``.

    Returns
    -------
    H2Result

    Examples
    --------
    >>> import tempfile, pathlib, ldenrich
    >>> ex = ldenrich.example_data()
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> scores = ldenrich.ldscore(ex.bfile, ld_wind_snps=100)
    >>> _ = ldenrich.write_ldscore(scores, d / "ref.22")
    >>> fit = ldenrich.partitioned_h2(ex.sumstats, d / "ref.", d / "ref.")
    >>> fit.summary["n_snps"], fit.results["Category"].tolist()
    (15935, ['L2_0'])
    >>> round(fit.summary["intercept"], 3)
    1.198
    """
    if (samp_prev is None) != (pop_prev is None):
        raise InvalidArgumentError("give both samp_prev and pop_prev, or neither")
    if no_intercept:
        if intercept is not None:
            raise InvalidArgumentError("give at most one of intercept and no_intercept")
        intercept = 1.0
    if reference is None:
        reference = load_ld_reference(
            ref_ld_chr, w_ld_chr, ref_ld=ref_ld, w_ld=w_ld, overlap_annot=overlap_annot,
            frqfile_chr=frqfile_chr, frqfile=frqfile, not_m_5_50=not_m_5_50,
        )  # fmt: skip
    elif any(v is not None for v in (ref_ld_chr, w_ld_chr, ref_ld, w_ld, frqfile_chr, frqfile)):
        raise InvalidArgumentError("give the LD scores as files or as a reference, not both")
    factor = 1.0 if samp_prev is None else _native.liability_factor(samp_prev, pop_prev)
    merged = _merge_read(sumstats, reference.reference, reference.weights)
    overlap = reference.overlap
    fit = _fit(
        merged,
        merged.ld,
        merged.reference.m[merged.reference.kept],
        blocks=blocks,
        intercept=intercept,
        two_step=two_step,
        chisq_max=chisq_max,
        overlap=overlap,
        threads=threads,
    )
    return _result(merged, fit, factor, overlap is not None)


def _result(merged: _Merged, fit: dict[str, Any], factor: float, overlap: bool) -> H2Result:
    import pandas as pd

    t = fit["table"]
    names = [n for n, k in zip(merged.reference.names, merged.reference.kept, strict=True) if k]
    columns = {"Category": names, **{c: t[k] for c, k in _SHARE_KEYS.items()}}
    columns.update(
        {
            "Coefficient": fit["coef"],
            "Coefficient_std_error": fit["coef_se"],
            "Coefficient_z-score": t["coef_z"],
            "Coefficient_p": t["coef_p"],
            "h2": t["h2"] * factor,
            "h2_std_error": t["h2_se"] * factor,
        }
    )
    results = pd.DataFrame({c: columns[c] for c in RESULTS_COLUMNS + EXTRA_COLUMNS})
    summary: dict[str, Any] = {
        "h2": fit["tot"],
        "h2_se": fit["tot_se"],
        "intercept": fit["intercept"],
        "intercept_se": fit["intercept_se"],
        "intercept_fixed": fit["intercept_fixed"],
        "ratio": fit["ratio"],
        "ratio_se": fit["ratio_se"],
        "lambda_gc": fit["lambda_gc"],
        "mean_chisq": fit["mean_chisq"],
        "n_snps": fit["n_snps"],
        "blocks": fit["blocks"],
        "chisq_max": fit["chisq_max"],
        "two_step": fit["two_step"],
        "overlap_annot": overlap,
        "dropped_columns": [
            n for n, k in zip(merged.reference.names, merged.reference.kept, strict=True) if not k
        ],
    }
    if factor != 1.0:
        summary["h2_liability"] = fit["tot"] * factor
        summary["h2_liability_se"] = fit["tot_se"] * factor
    dropped = dict(merged.dropped)
    if fit["dropped_chisq"]:
        dropped["chisq_above_max"] = int(fit["dropped_chisq"])
    return H2Result(
        results=results,
        summary=summary,
        dropped=dropped,
        coef_delete=fit["coef_delete"],
        h2_delete=fit["tot_delete"],
        qc=_qc(summary),
    )


def _qc(summary: dict[str, Any]) -> list[str]:
    """Warnings that the literature attaches to a fit."""
    out = []
    h2, se = summary["h2"], summary["h2_se"]
    if not 0.0 <= h2 <= 1.0:
        out.append(f"total h2 {h2:.4g} is outside [0, 1]: the model does not fit these data")
    if se > 0 and h2 / se < 7:
        out.append(
            f"total h2 z = {h2 / se:.2f} < 7: too little signal for a reliable partition "
            "(Finucane et al. 2015 analyse traits with z > 7)"
        )
    i, ise = summary["intercept"], summary["intercept_se"]
    if not summary["intercept_fixed"] and np.isfinite(ise) and i < 1 - 2 * ise:
        out.append(
            f"intercept {i:.4f} ({ise:.4f}) is below 1: the statistics were probably "
            "corrected by genomic control"
        )
    if summary["mean_chisq"] < 1.02:
        out.append(f"mean chi-square {summary['mean_chisq']:.4f} < 1.02: little polygenic signal")
    return out


def results_frame(result: H2Result, ldsc_columns: bool = False) -> pd.DataFrame:
    """The ``.results`` table (``ldsc_columns``: only ldsc's columns).

    Examples
    --------
    >>> import pandas as pd
    >>> r = H2Result(pd.DataFrame({c: [1.0] for c in RESULTS_COLUMNS + EXTRA_COLUMNS}), {}, {},
    ...              np.zeros((2, 1)), np.zeros(2))
    >>> list(results_frame(r, ldsc_columns=True).columns) == list(RESULTS_COLUMNS)
    True
    """
    columns = RESULTS_COLUMNS + (() if ldsc_columns else EXTRA_COLUMNS)
    return result.results[list(columns)]


#: Columns of :func:`h2_cts` after ldsc's four: the BH q, then (with ``overlap_annot``) the
#: set's row of the ``.results`` table in the model with the baseline.
CTS_EXTRA_COLUMNS = (
    "Coefficient_q_BH",
    "Prop._SNPs",
    "Prop._h2",
    "Prop._h2_std_error",
    "Enrichment",
    "Enrichment_std_error",
    "Enrichment_p",
    "tau_star",
    "tau_star_std_error",
    "h2",
    "h2_std_error",
)
# The core's names of the columns a set's share takes from the fit's table.
_SHARE_KEYS = {
    "Prop._SNPs": "prop_snps", "Prop._h2": "prop_h2", "Prop._h2_std_error": "prop_h2_se",
    "Enrichment": "enrichment", "Enrichment_std_error": "enrichment_se",
    "Enrichment_p": "enrichment_p", "tau_star": "tau_star", "tau_star_std_error": "tau_star_se",
    "h2": "h2", "h2_std_error": "h2_se",
}  # fmt: skip


def _frequency_file(
    overlap_annot: bool, frqfile_chr: PathLike | None, frqfile: PathLike | None, per_chrom: bool
) -> PathLike | None:
    """The frequency-file prefix that goes with the LD scores' layout, checked."""
    if frqfile_chr is not None and frqfile is not None:
        raise InvalidArgumentError("give at most one of frqfile_chr and frqfile")
    if (frqfile_chr is not None or frqfile is not None) and not overlap_annot:
        raise InvalidArgumentError("a frequency file is only used with overlap_annot")
    # A file of the other layout cannot be lined up with the annotation files: refused, not
    # silently ignored (ldsc ignores it).
    if per_chrom and frqfile is not None:
        raise InvalidArgumentError(
            "frqfile is one file; with per-chromosome LD scores (ref_ld_chr) give frqfile_chr"
        )
    if not per_chrom and frqfile_chr is not None:
        raise InvalidArgumentError(
            "frqfile_chr is per chromosome; with one LD-score file (ref_ld) give frqfile"
        )
    return frqfile_chr if per_chrom else frqfile


@dataclass
class _SetOverlap:
    """A group of tested annotations' cross-products with themselves and the baseline, over
    the reference SNPs of the ``.annot`` files."""

    each_column: bool  # tested one column at a time (sets_ld) or all together (a cts entry)
    with_base: np.ndarray  # S'B, sets x baseline columns
    sums: np.ndarray
    squares: np.ndarray  # S'S (all together) or the diagonal of S'S (one at a time)


def _cts_overlaps(
    base: Sequence[tuple[PathLike, list[str]]],
    groups: Sequence[tuple[Sequence[tuple[PathLike, list[str]]], bool]],
    per_chrom: bool,
    frqfile: PathLike | None,
) -> tuple[np.ndarray, np.ndarray, float, list[_SetOverlap]]:
    """One pass over the ``.annot`` files of the baseline and of every tested group:
    (B'B, B's column sums, the SNP count, each group's overlap)."""
    c = sum(len(names) for _, names in base)
    btb, b_sums, m_tot = np.zeros((c, c)), np.zeros(c), 0
    out = []
    for group, each in groups:
        width = sum(len(names) for _, names in group)
        squares = np.zeros(width) if each else np.zeros((width, width))
        out.append(_SetOverlap(each, np.zeros((width, c)), np.zeros(width), squares))
    for matrices in _annot_values([base, *[g for g, _ in groups]], per_chrom, frqfile):
        b = matrices[0]
        cross, column_sums = _native.annot_cross_products(b)
        btb += cross
        b_sums += column_sums
        m_tot += len(b)
        for acc, s in zip(out, matrices[1:], strict=True):
            acc.with_base += s.T @ b
            acc.sums += s.sum(axis=0)
            acc.squares += np.einsum("ij,ij->j", s, s) if acc.each_column else s.T @ s
    _check_overlap_snps(m_tot, frqfile)
    return btb, b_sums, float(m_tot), out


def h2_cts(
    sumstats: PathLike | Any,
    ref_ld_chr_cts: PathLike | Sequence[tuple[str, PathLike | Sequence[PathLike]]] | None = None,
    ref_ld_chr: PathLike | Sequence[PathLike] | None = None,
    w_ld_chr: PathLike | None = None,
    *,
    sets_ld: PathLike | Sequence[PathLike] | None = None,
    ref_ld: PathLike | Sequence[PathLike] | None = None,
    w_ld: PathLike | None = None,
    overlap_annot: bool = False,
    frqfile_chr: PathLike | None = None,
    frqfile: PathLike | None = None,
    not_m_5_50: bool = False,
    intercept: float | None = None,
    no_intercept: bool = False,
    chisq_max: float | None = None,
    blocks: int = 200,
    threads: int | None = None,
) -> pd.DataFrame:
    """Cell-type or gene-set test (LDSC-SEG, Finucane et al. 2018), as ldsc's ``--h2-cts``,
    with each set's share of h2, enrichment and tau*.

    For each extra annotation (a cell type's specific genes, a gene set), the regression on
    its LD scores placed before the baseline's; the test is whether its coefficient is
    positive: one-sided ``P(Z > tau / se)``. With ``overlap_annot``, also the set's row of
    ldsc's ``.results`` table in that model (what ``partitioned_h2`` with the set's and the
    baseline's LD scores and ``overlap_annot`` gives): its share of SNPs and of h2, the
    enrichment and its p, tau* and h2.

    Parameters
    ----------
    sumstats : path or SumStats
        As for :func:`partitioned_h2`.
    ref_ld_chr_cts : path or list of (name, prefixes), optional
        ldsc's ``--ref-ld-chr-cts`` file (lines ``name prefix[,prefix...]``), or the pairs.
        Every regression SNP must have LD scores in each set's files. An entry whose first
        (tested) column has no variance gets a row of NaN, named in ``attrs["empty"]``; its
        other columns without variance are left out of its regression.
    sets_ld : prefix or list of prefixes, optional
        Instead of ``ref_ld_chr_cts``: LD-score files holding many sets, one column each (what
        ``ldenrich ldscore --gene-sets`` writes in one pass); every column is tested on its
        own, named by the column (``L2`` removed). Per chromosome when the baseline is. A column
        without variance (a set with no SNP) gets a row of NaN, named in ``attrs["empty"]``.
    overlap_annot : bool
        Read the ``.annot[.gz]`` files beside the baseline's and every set's LD-score files
        (``ldenrich ldscore --write-annot`` writes them for gene sets) and report the set's
        share of h2 and enrichment, counting the set's overlap with every baseline
        annotation. Without it those columns are NaN: they are not defined without the
        overlap.
    frqfile_chr, frqfile : path, optional
        As for :func:`partitioned_h2`: with ``overlap_annot``, count only SNPs with
        0.05 < FRQ < 0.95.
    ref_ld_chr, w_ld_chr, ref_ld, w_ld, not_m_5_50, intercept, no_intercept : optional
        As for :func:`partitioned_h2` (``ref_ld_chr``: the baseline).
    chisq_max, blocks, threads : optional
        As for :func:`partitioned_h2`.

    Returns
    -------
    pandas.DataFrame
        ``Name``, ``Coefficient``, ``Coefficient_std_error``, ``Coefficient_P_value`` (ldsc's
        columns), ``Coefficient_q_BH`` (Benjamini-Hochberg over the sets), then
        ``Prop._SNPs``, ``Prop._h2``, ``Prop._h2_std_error``, ``Enrichment``,
        ``Enrichment_std_error``, ``Enrichment_p``, ``tau_star``, ``tau_star_std_error``,
        ``h2``, ``h2_std_error`` (NaN without ``overlap_annot``); sorted by p.

    Examples
    --------
    >>> import tempfile, pathlib, ldenrich
    >>> ex = ldenrich.example_data()
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> base = ldenrich.ldscore(ex.bfile, ld_wind_snps=100)
    >>> _ = ldenrich.write_ldscore(base, d / "base.22")
    >>> half = (base["BP"] < base["BP"].median()).astype(float).to_frame("left")
    >>> left = ldenrich.ldscore(ex.bfile, half, ld_wind_snps=100)
    >>> _ = ldenrich.write_ldscore(left, d / "left.22")
    >>> out = ldenrich.h2_cts(ex.sumstats, [("left", str(d / "left."))], d / "base.", d / "base.")
    >>> list(out.columns)[:4]
    ['Name', 'Coefficient', 'Coefficient_std_error', 'Coefficient_P_value']
    """
    import pandas as pd

    from ldenrich._pvalues import benjamini_hochberg

    prefixes, weights, per_chrom, intercept = _resolve(
        ref_ld_chr, ref_ld, w_ld_chr, w_ld, intercept, no_intercept
    )
    frq = _frequency_file(overlap_annot, frqfile_chr, frqfile, per_chrom)
    if (ref_ld_chr_cts is None) == (sets_ld is None):
        raise InvalidArgumentError("give ref_ld_chr_cts or sets_ld (one of the two)")
    entries = _cts_entries(ref_ld_chr_cts)
    if ref_ld_chr_cts is not None and not entries:
        raise InconsistentInputError(f"{ref_ld_chr_cts}: no annotation listed")
    merged = _merge(sumstats, prefixes, weights, per_chrom, not not_m_5_50)
    base_m = merged.reference.m[merged.reference.kept]

    def rows_of(snps: np.ndarray, what: str) -> np.ndarray:
        where = pd.Index(snps).get_indexer(merged.snps)
        if (where < 0).any():
            missing = merged.snps[where < 0]
            raise InconsistentInputError(
                f"{what}: {len(missing)} regression SNPs have no LD score in it (first: "
                f"{missing[0]}); the set's files must cover the baseline's SNPs"
            )
        return where

    # What each regression tests: (name, LD scores, M, (group, columns) of its annotation).
    tests: list[tuple[str, np.ndarray | None, np.ndarray, tuple[int, np.ndarray]]] = []
    groups: list[tuple[list[tuple[PathLike, list[str]]], bool]] = []
    empty: list[str] = []
    for name, cts_prefixes in entries:
        cts = _read_reference(cts_prefixes, per_chrom, not not_m_5_50, require_variance=False)
        where = rows_of(cts.snps, f"{name} ({','.join(map(str, cts_prefixes))})")
        # The tested (first) column without variance: a row of NaN, as for an empty set of
        # sets_ld; other columns without variance (an empty control) are left out, as ldsc
        # leaves out the baseline's.
        columns = np.flatnonzero(cts.kept)
        ld = cts.ld[where][:, columns] if cts.kept[0] else None
        if ld is None:
            empty.append(name)
        tests.append((name, ld, cts.m[columns], (len(groups), columns)))
        groups.append((list(zip(cts_prefixes, cts.columns, strict=True)), False))
    for prefix in [] if sets_ld is None else _as_list(sets_ld):
        # One read of the file, one regression per column.
        scores = _read_ldscores(prefix, per_chrom)
        m = _read_m(prefix, per_chrom, not not_m_5_50, len(scores.names))
        where = rows_of(scores.snps, str(prefix))
        for j, column in enumerate(scores.names):
            name = column.removesuffix("L2")
            ld = scores.ld[where, j : j + 1]
            if ld.max() == ld.min():
                empty.append(name)
                ld = None
            tests.append((name, ld, m[j : j + 1], (len(groups), np.array([j]))))
        groups.append(([(prefix, scores.names)], True))

    overlaps = None
    if overlap_annot:
        base_group = list(zip(prefixes, merged.reference.columns, strict=True))
        overlaps = _cts_overlaps(base_group, groups, per_chrom, frq)

    def overlap_of(group: int, columns: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        """The overlap matrix, SNP count and SDs of [the set's columns, the kept baseline]."""
        assert overlaps is not None
        btb, b_sums, m_tot, sets = overlaps
        kept = merged.reference.kept
        acc = sets[group]
        s_b = acc.with_base[columns][:, kept]
        if acc.each_column:
            s_s = np.diag(acc.squares[columns])
        else:
            s_s = acc.squares[np.ix_(columns, columns)]
        matrix = np.block([[s_s, s_b], [s_b.T, btb[np.ix_(kept, kept)]]])
        squares = np.concatenate([np.diag(s_s), np.diag(btb)[kept]])
        sums = np.concatenate([acc.sums[columns], b_sums[kept]])
        return matrix, m_tot, _standard_deviations(sums, squares, m_tot)

    rows = []
    for name, ld, m, (group, columns) in tests:
        if ld is None:
            rows.append((name, *[np.nan] * (3 + len(_SHARE_KEYS))))
            continue
        fit = _fit(
            merged,
            np.hstack([ld, merged.ld]),
            np.concatenate([m, base_m]),
            blocks=blocks,
            intercept=intercept,
            two_step=None,
            chisq_max=chisq_max,
            overlap=None if overlaps is None else overlap_of(group, columns),
            threads=threads,
        )
        table = fit["table"]
        shares = [
            table[_SHARE_KEYS[c]][0] if overlaps is not None else np.nan
            for c in CTS_EXTRA_COLUMNS[1:]
        ]
        rows.append((name, fit["coef"][0], fit["coef_se"][0], table["coef_p"][0], *shares))
    columns = ["Name", "Coefficient", "Coefficient_std_error", "Coefficient_P_value"]
    out = pd.DataFrame(rows, columns=columns + list(CTS_EXTRA_COLUMNS[1:]))
    out.insert(4, "Coefficient_q_BH", benjamini_hochberg(out["Coefficient_P_value"].to_numpy()))
    out = out.sort_values("Coefficient_P_value", kind="stable").reset_index(drop=True)
    out.attrs["dropped"] = merged.dropped
    out.attrs["empty"] = empty
    out.attrs["overlap_annot"] = overlap_annot
    return out


def _cts_entries(
    ref_ld_chr_cts: PathLike | Sequence[tuple[str, PathLike | Sequence[PathLike]]] | None,
) -> list[tuple[str, list[PathLike]]]:
    """The (name, prefixes) of an ldsc ``.ldcts`` file or of the pairs given."""
    if ref_ld_chr_cts is None:
        return []
    if not isinstance(ref_ld_chr_cts, (str, os.PathLike)):
        return [(str(n), _as_list(p)) for n, p in ref_ld_chr_cts]
    entries = []
    path = Path(ref_ld_chr_cts)
    for i, line in enumerate(path.read_text().splitlines()):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            raise ParseError(
                f"{path}: line {i + 1}: expected 'name prefix[,prefix...]', found {line!r}"
            )
        entries.append((fields[0], _as_list(fields[1])))
    return entries
