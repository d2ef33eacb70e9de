"""Many traits against one reference: a manifest in, per-trait outputs and batch tables out.

:func:`run_batch` runs every trait of a manifest (TSV: ``trait``, ``sumstats``, optional ``n``,
``n_col``, ``format``, ``ncase``, ``ncontrol`` and any metadata columns) through
:func:`ldenrich.pipeline.run_trait`. Each worker reads the reference (the panel's ``.bim``, gene
locations, gene sets, BED annotations) once and keeps it for all of its traits; per trait only
the summary statistics are read. Workers are a local process pool (``workers``) or the workers
of a Dask cluster (``scheduler``); ``shard=(i, n)`` runs every n-th trait so that a SLURM array
or a workflow manager needs no cluster at all, and :func:`gather` builds the batch tables once
every shard is done.

Layout of the output directory::

    DIR/batch.json                 what the batch is (reference, options, version)
    DIR/manifest.tsv               the manifest, as read
    DIR/traits/TRAIT/TRAIT.*       the files ``ldenrich run --out DIR/traits/TRAIT/TRAIT`` writes
    DIR/traits/TRAIT/done.json     written last: the fingerprint of inputs, options and version
    DIR/traits/TRAIT/failed.json   the error of a trait that failed
    DIR/status.tsv                 one row per trait: ok / failed / not run, seconds, error
    DIR/batch.qc.tsv               per trait: SNPs used, mean chi-square, lambda_GC, N
    DIR/batch.enrichment.tsv       trait x category (long), with batch-wide Bonferroni and BH
    DIR/batch.enrichment.wide.tsv  category x trait enrichment and p (wide)
    DIR/batch.sets.tsv             trait x gene set (long), with batch-wide Bonferroni and BH
    DIR/batch.report.html          heatmap of the screen across traits, links to each trait

A trait's files depend only on its own inputs and the options: the same bytes whatever the
executor, the number of workers, the shard split or the other traits of the batch.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ldenrich
from ldenrich import _native
from ldenrich._atomic import write_text, write_tsv
from ldenrich._log import LOGGER, separate_log
from ldenrich.errors import InvalidArgumentError, ParseError
from ldenrich.pipeline import (
    Options,
    Reference,
    ReferenceInputs,
    SumStatsOptions,
    load_reference,
    run_trait,
)

if TYPE_CHECKING:
    import pandas as pd

PathLike = str | os.PathLike[str]

#: Manifest columns with a meaning; any other column is metadata carried into the tables.
MANIFEST_COLUMNS = ("trait", "sumstats", "n", "n_col", "format", "ncase", "ncontrol", "vcf_sample")

_TRAIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


@dataclass(frozen=True)
class Trait:
    """One row of a manifest."""

    name: str
    sumstats: Path
    n: float | None = None
    n_col: str | None = None
    format: str | None = None
    ncase: float | None = None
    ncontrol: float | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    vcf_sample: str | None = None

    def sumstats_options(self, base: SumStatsOptions) -> SumStatsOptions:
        """The batch's reading options with this trait's own ``n``, ``n_col``, ``format`` and
        ``vcf_sample`` (a multi-trait GWAS-VCF can serve several rows, one sample each).

        ``ncase`` and ``ncontrol`` give ``n = ncase + ncontrol`` (or the effective
        ``4 / (1/ncase + 1/ncontrol)`` with ``n_effective``) when the row has no ``n``.
        """
        n, n_col = base.n, base.n_col
        if self.n is not None or self.n_col is not None or self.ncase is not None:
            n, n_col = self.n, self.n_col
        if n is None and n_col is None and self.ncase is not None and self.ncontrol is not None:
            if base.n_effective:
                n = 4.0 / (1.0 / self.ncase + 1.0 / self.ncontrol)
            else:
                n = self.ncase + self.ncontrol
        return SumStatsOptions(
            n=n, n_col=n_col, n_effective=base.n_effective,
            format=self.format or base.format, chisq_from=base.chisq_from, columns=base.columns,
            vcf_sample=self.vcf_sample or base.vcf_sample,
        )  # fmt: skip


def read_manifest(path: PathLike) -> list[Trait]:
    """Read a batch manifest (tab-separated, one trait per row).

    Relative ``sumstats`` paths are taken from the manifest's directory. Errors name the file,
    line and column.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    list of Trait

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "m.tsv").write_text("trait\\tsumstats\\tn\\theight\\th.tsv.gz\\t5000\\n"
    ...                              .replace("n\\theight", "n\\nheight"))
    >>> [(t.name, t.sumstats.name, t.n) for t in read_manifest(d / "m.tsv")]
    [('height', 'h.tsv.gz', 5000.0)]
    """
    path = Path(path)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    rows = [(i + 1, r) for i, r in enumerate(rows) if r and not r[0].startswith("#") and any(r)]
    if not rows:
        raise ParseError(f"{path}: the manifest is empty (needs a header: trait, sumstats)")
    header_line, header = rows[0]
    header = [h.strip() for h in header]
    for needed in ("trait", "sumstats"):
        if needed not in header:
            raise ParseError(f"{path}:{header_line}: the manifest has no {needed!r} column")
    if len(set(header)) != len(header):
        raise ParseError(f"{path}:{header_line}: repeated column names in the header")
    traits: list[Trait] = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise ParseError(f"{path}:{line}: {len(row)} fields where the header has {len(header)}")
        values = dict(zip(header, (v.strip() for v in row), strict=True))

        def where(column: str, line: int = line) -> str:
            return f"{path}:{line}:{header.index(column) + 1}"

        name = values["trait"]
        if not _TRAIT_NAME.fullmatch(name):
            raise ParseError(
                f"{where('trait')}: trait {name!r} must be letters, digits, '_', '.', '+' or "
                "'-' (it names a directory)"
            )
        if name in seen:
            raise ParseError(f"{where('trait')}: trait {name!r} repeats line {seen[name]}")
        seen[name] = line
        if not values["sumstats"]:
            raise ParseError(f"{where('sumstats')}: no summary-statistics file")
        sumstats = Path(values["sumstats"])
        if not sumstats.is_absolute():
            sumstats = path.parent / sumstats

        def number(column: str, values: dict[str, str] = values) -> float | None:
            text = values.get(column, "")
            if text in ("", "NA", "na", "."):
                return None
            try:
                value = float(text)
            except ValueError:
                raise ParseError(f"{where(column)}: {column} {text!r} is not a number") from None
            if not (math.isfinite(value) and value > 0):
                raise ParseError(f"{where(column)}: {column} must be a positive number")
            return value

        traits.append(
            Trait(
                name=name, sumstats=sumstats, n=number("n"),
                n_col=values.get("n_col") or None, format=values.get("format") or None,
                ncase=number("ncase"), ncontrol=number("ncontrol"),
                metadata={k: v for k, v in values.items() if k not in MANIFEST_COLUMNS},
                vcf_sample=values.get("vcf_sample") or None,
            )
        )  # fmt: skip
        if (traits[-1].ncase is None) != (traits[-1].ncontrol is None):
            raise ParseError(f"{path}:{line}: give both ncase and ncontrol, or neither")
    if not traits:
        raise ParseError(f"{path}: the manifest has a header but no trait")
    return traits


def _file_digest(path: PathLike) -> str:
    """BLAKE2b of a file's bytes (the part of a fingerprint that a copy or touch cannot fool)."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _stat(path: PathLike) -> list[int]:
    """``[size, mtime_ns]``: the cheap test of "unchanged" before any digest is computed."""
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


def _digests(paths: Sequence[Path], known: dict[str, Any]) -> list[list[Any]]:
    """``[path, size, mtime_ns, digest]`` of each file, reusing a known digest whose size and
    modification time still hold (a reference of several GB is hashed once, not per run)."""
    rows = []
    for p in paths:
        stat = _stat(p)
        old = known.get(os.fspath(p))
        digest = old[3] if old is not None and old[1:3] == stat else _file_digest(p)
        rows.append([os.fspath(p), *stat, digest])
    return rows


def _reference_files(inputs: ReferenceInputs) -> list[Path]:
    files: list[Path] = []
    if inputs.bfile is not None:
        prefix = Path(inputs.bfile)
        for suffix in (".bed", ".bim", ".fam"):
            candidate = prefix.with_name(prefix.name + suffix)
            gz = candidate.with_name(candidate.name + ".gz")
            files.append(candidate if candidate.exists() or not gz.exists() else gz)
    if inputs.bim is not None:
        files.append(Path(inputs.bim))
    for p in (inputs.gene_loc, *inputs.gene_sets, *inputs.beds):
        if p is not None:
            files.append(Path(p))
    prefixes = [*(inputs.ref_ld_chr or "").split(","), inputs.w_ld_chr, inputs.frqfile_chr]
    for prefix in prefixes:
        if prefix:
            # Every file of the prefix's fileset (per chromosome: LD scores, M, annotations).
            base = Path(prefix.replace("@", ""))
            files += sorted(base.parent.glob(base.name + "*"))
    return sorted({f for f in files if f.is_file()})


@dataclass(frozen=True)
class BatchSpec:
    """Everything a worker needs, as plain values: the same on every machine of a cluster."""

    reference: ReferenceInputs
    options: Options
    sumstats_options: SumStatsOptions
    out: Path
    reference_digest: str

    def key(self) -> str:
        """Identifies the reference a worker keeps: its files' digest and the options."""
        text = json.dumps([self.reference_digest, self.options.as_dict()], sort_keys=True)
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _batch_record(spec: BatchSpec) -> dict[str, Any]:
    return {
        "ldenrich": ldenrich.__version__,
        "reference": spec.reference.as_dict(),
        "reference_digest": spec.reference_digest,
        "options": spec.options.as_dict(),
        "sumstats_options": spec.sumstats_options.as_dict(),
    }


def _trait_fingerprint(spec: BatchSpec, trait: Trait) -> str:
    """Everything a trait's files depend on but the bytes of its summary statistics (their
    digest is recorded beside it)."""
    record = {
        **_batch_record(spec),
        "trait": trait.name,
        "sumstats_options": trait.sumstats_options(spec.sumstats_options).as_dict(),
    }
    record["options"] = {k: v for k, v in record["options"].items() if k != "threads"}
    text = json.dumps(record, sort_keys=True)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


# The reference each worker process keeps, by BatchSpec.key(); tasks that run in threads of
# one worker (Dask) share it and run one at a time, since a trait's log is the process's.
_WORKER_REFERENCES: dict[str, Reference] = {}
_WORKER_LOCK = threading.Lock()
#: How many times this process has read a batch reference (what sharing saves, tested).
REFERENCE_LOADS = {"count": 0}


def _worker_reference(spec: BatchSpec) -> Reference:
    key = spec.key()
    ref = _WORKER_REFERENCES.get(key)
    if ref is None:
        ref = load_reference(spec.reference, spec.options)
        REFERENCE_LOADS["count"] += 1
        _WORKER_REFERENCES.clear()
        _WORKER_REFERENCES[key] = ref
    return ref


def trait_dir(out: PathLike, trait: str) -> Path:
    """``DIR/traits/TRAIT``: where a trait's files go."""
    return Path(out) / "traits" / trait


def run_one(spec: BatchSpec, trait: Trait) -> dict[str, Any]:
    """Run one trait in this process (a worker's task); never raises for the trait's own errors.

    Returns the trait's status record: ``trait``, ``status`` (``ok``, ``reused`` or
    ``failed``), ``seconds``, ``error`` and the QC summary.
    """
    with _WORKER_LOCK:
        return _run_one(spec, trait)


def _run_one(spec: BatchSpec, trait: Trait) -> dict[str, Any]:
    start = time.perf_counter()
    where = trait_dir(spec.out, trait.name)
    done, failed = where / "done.json", where / "failed.json"
    record: dict[str, Any] = {"trait": trait.name, "status": "failed", "error": ""}
    fingerprint = _trait_fingerprint(spec, trait)
    try:
        stat = _stat(trait.sumstats)
        previous = _read_json(done)
        if previous is not None and previous.get("fingerprint") == fingerprint:
            # Same size and modification time, or (a copy, a touch) the same bytes.
            if previous.get("sumstats_stat") == stat or (
                previous.get("sumstats_digest") == _file_digest(trait.sumstats)
            ):
                return {**previous, "status": "reused", "seconds": 0.0}
    except OSError as exc:
        record["error"] = f"{exc.strerror or exc}: {exc.filename or trait.sumstats}"
        return _finish_failed(failed, record, start)
    # The digest is read beside the analysis (hashlib lets go of the GIL on large blocks).
    from concurrent.futures import ThreadPoolExecutor

    hasher = ThreadPoolExecutor(max_workers=1)
    digest_job = hasher.submit(_file_digest, trait.sumstats)
    where.mkdir(parents=True, exist_ok=True)
    done.unlink(missing_ok=True)
    failed.unlink(missing_ok=True)
    prefix = where / trait.name
    outcome: list[str | None] = [None]
    try:
        with separate_log(prefix.with_name(prefix.name + ".log"), outcome):
            try:
                LOGGER.info("batch trait %s: %s", trait.name, trait.sumstats)
                ref = _worker_reference(spec)
                sumstats_options = trait.sumstats_options(spec.sumstats_options)
                results = run_trait(
                    ref, trait.sumstats, prefix, spec.options, sumstats_options,
                    command=_equivalent_command(spec, trait, sumstats_options),
                )  # fmt: skip
            except Exception as exc:
                outcome[0] = f"error: {_describe(exc)}"
                raise
        record = {"trait": trait.name, "status": "ok", "error": "", **results.summary}
        record["fingerprint"] = fingerprint
        record["sumstats_stat"] = stat
        record["sumstats_digest"] = digest_job.result()
        record["files"] = sorted(p.name for p in results.written.values())
    except Exception as exc:
        # One trait's bad file (or a bug it triggers) is that trait's failure, not the batch's;
        # Ctrl-C and SIGTERM (not Exceptions) still stop the batch.
        record["error"] = _describe(exc)
    finally:
        hasher.shutdown(wait=True, cancel_futures=True)
    if record["status"] != "ok":
        return _finish_failed(failed, record, start)
    record["seconds"] = round(time.perf_counter() - start, 3)
    write_text(done, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return record


def _describe(exc: BaseException) -> str:
    """``reason: file [ErrorType]``, as the command line prints an error."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if isinstance(exc, OSError) and exc.filename:
        text += f": {exc.filename}"
    return f"{text} [{type(exc).__name__}]"


def _finish_failed(path: Path, record: dict[str, Any], start: float) -> dict[str, Any]:
    record["seconds"] = round(time.perf_counter() - start, 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return record


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


#: Options of ``run`` given as a switch when they differ from their default.
_SWITCHES = {
    "raw": "--no-raw",
    "set_correlations": "--no-correlations",
    "figures": "--no-figures",
    "drop_strand_ambiguous": "--drop-strand-ambiguous",
}


def _equivalent_command(spec: BatchSpec, trait: Trait, ss: SumStatsOptions) -> str:
    """The ``ldenrich run`` command that writes this trait's files, for its report: run in the
    batch directory, so that it reads the same wherever the batch was written."""
    import shlex

    ref = spec.reference
    words = ["ldenrich", "run", "--sumstats", os.fspath(trait.sumstats)]
    if ref.bfile is not None:
        words += ["--bfile", os.fspath(ref.bfile)]
    if ref.gene_loc is not None:
        words += ["--gene-loc", os.fspath(ref.gene_loc)]
    for p in ref.gene_sets:
        words += ["--gene-sets", os.fspath(p)]
    for p in ref.beds:
        words += ["--bed", os.fspath(p)]
    for flag, value in (("--ref-ld-chr", ref.ref_ld_chr), ("--w-ld-chr", ref.w_ld_chr),
                        ("--frqfile-chr", ref.frqfile_chr)):  # fmt: skip
        if value is not None:
            words += [flag, value]
    if ref.overlap_annot:
        words.append("--overlap-annot")
    if ss.n is not None:
        words += ["--n", f"{ss.n:g}"]
    if ss.n_col is not None:
        words += ["--n-col", ss.n_col]
    if ss.n_effective:
        words += ["--n-effective"]
    if ss.format != "auto":
        words += ["--format", ss.format]
    if ss.vcf_sample is not None:
        words += ["--vcf-sample", ss.vcf_sample]
    if ss.chisq_from != "auto":
        words += ["--chisq-from", ss.chisq_from]
    for role, name in sorted(ss.columns.items()):
        words += [f"--{role}-col", name]
    default = Options()
    for f in fields(Options):
        value = getattr(spec.options, f.name)
        if f.name in ("threads", "analyses", "report") or value == getattr(default, f.name):
            continue
        if f.name in _SWITCHES:
            words.append(_SWITCHES[f.name])
        elif isinstance(value, tuple):
            words += [f"--{f.name.replace('_', '-')}", ",".join(f"{v:g}" for v in value)]
        else:
            words += [f"--{f.name.replace('_', '-')}", str(value)]
    words += ["--out", f"traits/{trait.name}/{trait.name}"]
    note = f"  # batch trait {trait.name}, in the batch directory"
    if spec.options.analyses != default.analyses:
        note += f" (analyses: {','.join(spec.options.analyses)})"
    return shlex.join(words) + note


@dataclass
class BatchResult:
    """What :func:`run_batch` did: the status of each trait run and where the tables are."""

    out: Path
    statuses: list[dict[str, Any]]
    tables: dict[str, Path]

    @property
    def n_failed(self) -> int:
        """Traits of this run that failed."""
        return sum(s["status"] == "failed" for s in self.statuses)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for s in self.statuses:
            counts[s["status"]] = counts.get(s["status"], 0) + 1
        return f"BatchResult({self.out}, {counts})"


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``: the second of three shards.

    Examples
    --------
    >>> parse_shard("2/3")
    (2, 3)
    """
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise InvalidArgumentError(f"shard must be I/N with 1 <= I <= N; got {text!r}")
    return int(match[1]), int(match[2])


def run_batch(
    manifest: PathLike | Sequence[Trait],
    reference: ReferenceInputs,
    out: PathLike,
    options: Options | None = None,
    sumstats_options: SumStatsOptions | None = None,
    *,
    workers: int = 1,
    scheduler: Any = None,
    shard: tuple[int, int] | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> BatchResult:
    """Run every trait of a manifest against one reference; write per-trait and batch outputs.

    Parameters
    ----------
    manifest : path or list of Trait
        A manifest file (see :func:`read_manifest`) or its traits.
    reference : ReferenceInputs
    out : str or PathLike
        The batch directory.
    options : Options, optional
        The options of every trait (``threads`` is per worker: by default the cores divided
        among the workers, so ``workers x threads`` never oversubscribes).
    sumstats_options : SumStatsOptions, optional
        How summary statistics are read; a manifest row's ``n``, ``n_col``, ``format``,
        ``ncase``/``ncontrol`` override it for that trait.
    workers : int
        Local worker processes (ignored with ``scheduler``).
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://host:8786``) or a client: the traits run on the
        cluster's workers, each reading the reference once. Paths must be readable there.
    shard : (int, int), optional
        ``(i, n)``: run only traits ``i, i + n, i + 2n, ...`` (1-based, manifest order) and
        leave the batch tables to :func:`gather`.
    progress : callable, optional
        Called with each trait's status record as it finishes.

    Returns
    -------
    BatchResult

    Examples
    --------
    >>> import ldenrich, tempfile, pathlib
    >>> from ldenrich.batch import Trait, run_batch
    >>> from ldenrich.pipeline import Options, ReferenceInputs
    >>> ex = ldenrich.example_data()
    >>> ref = ReferenceInputs(bim=ex.bim, gene_loc=ex.gene_loc, gene_sets=[ex.gene_sets])
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> res = run_batch([Trait("height", pathlib.Path(ex.sumstats))], ref, out,
    ...                 Options(analyses=("screen",), permutations=100))
    >>> res.n_failed, (out / "batch.enrichment.tsv").exists()
    (0, True)
    """
    options = options or Options()
    sumstats_options = sumstats_options or SumStatsOptions()
    if workers < 1:
        raise InvalidArgumentError(f"workers must be at least 1; got {workers}")
    shard_i, shard_n = shard or (1, 1)
    if not 1 <= shard_i <= shard_n:
        raise InvalidArgumentError(f"shard must be (i, n) with 1 <= i <= n; got {shard}")
    reference.check(options)
    out = Path(out)
    traits = read_manifest(manifest) if isinstance(manifest, (str, os.PathLike)) else list(manifest)
    if not traits:
        raise InvalidArgumentError("the batch has no trait")
    names = [t.name for t in traits]
    if len(set(names)) != len(names):
        raise InvalidArgumentError("trait names must be distinct")
    out.mkdir(parents=True, exist_ok=True)
    if options.threads is None and scheduler is None:
        per_worker = max(1, _native.resolve_threads(None) // workers)
        options = _with_threads(options, per_worker)
    earlier = _read_json(out / "batch.json") or {}
    known = {row[0]: row for row in earlier.get("reference_files", []) if len(row) == 4}
    files = sorted(_digests(_reference_files(reference), known))
    contents = [[row[0], row[3]] for row in files]
    digest = hashlib.blake2b(json.dumps(contents).encode(), digest_size=16).hexdigest()
    spec = BatchSpec(reference, options, sumstats_options, out, digest)
    _write_batch_files(spec, traits, files)
    mine = traits[shard_i - 1 :: shard_n]
    LOGGER.info(
        "batch: %d traits%s, %s", len(mine),
        f" (shard {shard_i}/{shard_n} of {len(traits)})" if shard_n > 1 else "",
        f"Dask cluster {scheduler}" if scheduler is not None else f"{workers} local workers",
    )  # fmt: skip
    statuses = list(_execute(spec, mine, workers, scheduler, progress))
    tables: dict[str, Path] = {}
    if shard_n == 1:
        tables = gather(out)
    return BatchResult(out, statuses, tables)


def _with_threads(options: Options, threads: int) -> Options:
    from dataclasses import replace

    return replace(options, threads=threads)


def _write_batch_files(spec: BatchSpec, traits: Sequence[Trait], files: list) -> None:
    record = _batch_record(spec)
    record["reference_files"] = files
    record["options"] = {k: v for k, v in record["options"].items() if k != "threads"}
    record["traits"] = [t.name for t in traits]
    write_text(spec.out / "batch.json", json.dumps(record, indent=1, sort_keys=True) + "\n")
    metadata = sorted({k for t in traits for k in t.metadata})
    lines = ["\t".join([*MANIFEST_COLUMNS, *metadata])]

    def text(v: Any) -> str:
        return "" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))

    for t in traits:
        lines.append("\t".join([t.name, os.fspath(t.sumstats), text(t.n), text(t.n_col),
                                text(t.format), text(t.ncase), text(t.ncontrol),
                                text(t.vcf_sample),
                                *(t.metadata.get(k, "") for k in metadata)]))  # fmt: skip
    write_text(spec.out / "manifest.tsv", "\n".join(lines) + "\n")


def _execute(
    spec: BatchSpec,
    traits: Sequence[Trait],
    workers: int,
    scheduler: Any,
    progress: Callable[[dict[str, Any]], None] | None,
) -> Iterable[dict[str, Any]]:
    def report(status: dict[str, Any]) -> dict[str, Any]:
        LOGGER.info(
            "  %-24s %-7s %7.1f s%s", status["trait"], status["status"], status["seconds"],
            f"  {status['error']}" if status["error"] else "",
        )  # fmt: skip
        if progress is not None:
            progress(status)
        return status

    if scheduler is not None:
        yield from (report(s) for s in _execute_dask(spec, traits, scheduler))
        return
    if workers == 1 or len(traits) == 1:
        for trait in traits:
            yield report(run_one(spec, trait))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: a forked child would inherit the parent's threads' locks (rayon, tqdm, logging).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(traits)), mp_context=context) as pool:
        futures = [pool.submit(run_one, spec, trait) for trait in traits]
        try:
            for future in as_completed(futures):
                yield report(future.result())
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def _execute_dask(spec: BatchSpec, traits: Sequence[Trait], scheduler: Any) -> Iterable[dict]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InvalidArgumentError(
            "a Dask scheduler needs dask.distributed: pip install 'ldenrich[dask]'"
        ) from None
    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = [
            client.submit(run_one, spec, trait, pure=False, key=f"ldenrich-{trait.name}-{i}")
            for i, trait in enumerate(traits)
        ]
        for future in as_completed(futures):
            yield future.result()
    finally:
        if own:
            client.close()


def gather(out: PathLike) -> dict[str, Path]:
    """Build the batch tables of a batch directory from its traits' files.

    Run after every shard of a ``shard`` split has finished (``ldenrich gather DIR``);
    :func:`run_batch` calls it itself when it ran every trait.

    Returns
    -------
    dict
        The tables written, by kind.

    Examples
    --------
    >>> import ldenrich, tempfile, pathlib
    >>> from ldenrich.batch import Trait, gather, run_batch
    >>> from ldenrich.pipeline import Options, ReferenceInputs
    >>> ex = ldenrich.example_data()
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> ref = ReferenceInputs(bim=ex.bim, gene_loc=ex.gene_loc, gene_sets=[ex.gene_sets])
    >>> _ = run_batch([Trait("h", pathlib.Path(ex.sumstats))], ref, out,
    ...               Options(analyses=("screen",), permutations=0), shard=(1, 1))
    >>> sorted(gather(out))[:2]
    ['batch.enrichment.tsv', 'batch.enrichment.wide.tsv']
    """
    import pandas as pd

    from ldenrich.enrichment_screen import verdict_p

    out = Path(out)
    record = _read_json(out / "batch.json")
    if record is None:
        raise InvalidArgumentError(f"{out}: not a batch directory (no batch.json)")
    manifest = pd.read_csv(out / "manifest.tsv", sep="\t", dtype=str, keep_default_na=False)
    rows, qc_rows = [], []
    enrichment, sets, h2 = [], [], []
    for trait in manifest.trait:
        where = trait_dir(out, trait)
        done, failed = _read_json(where / "done.json"), _read_json(where / "failed.json")
        if done is not None:
            rows.append({"trait": trait, "status": "ok", "seconds": done.get("seconds"),
                         "error": ""})  # fmt: skip
            qc_rows.append({"trait": trait, **{k: done.get(k) for k in _QC_KEYS}})
            table = where / f"{trait}.enrichment.tsv"
            if table.exists():
                enrichment.append(pd.read_csv(table, sep="\t").assign(trait=trait))
            table = where / f"{trait}.sets.tsv"
            if table.exists():
                sets.append(pd.read_csv(table, sep="\t").assign(trait=trait))
            table = where / f"{trait}.h2.results"
            if table.exists():
                h2.append(pd.read_csv(table, sep="\t").assign(trait=trait))
        elif failed is not None:
            rows.append({"trait": trait, "status": "failed", "seconds": failed.get("seconds"),
                         "error": failed.get("error", "")})  # fmt: skip
        else:
            rows.append({"trait": trait, "status": "not run", "seconds": None, "error": ""})
    meta = manifest.drop(columns=[c for c in MANIFEST_COLUMNS if c != "trait" and c in manifest])
    written: dict[str, Path] = {}
    status = pd.DataFrame(rows).merge(meta, on="trait", how="left")
    written["status.tsv"] = write_tsv(out / "status.tsv", status)
    qc = pd.DataFrame(qc_rows, columns=["trait", *_QC_KEYS]).merge(meta, on="trait", how="left")
    written["batch.qc.tsv"] = write_tsv(out / "batch.qc.tsv", qc)
    long = None
    if enrichment:
        long = _stacked(enrichment)
        _, p_col, _ = verdict_p(long)
        long["batch_p"] = long[p_col]
        long["batch_p_source"] = p_col
        _adjust_across_traits(long, p_col)
        written["batch.enrichment.tsv"] = write_tsv(out / "batch.enrichment.tsv", long)
        wide = long.pivot_table(
            index="category",
            columns="trait",
            values=["enrichment", "batch_p"],
            aggfunc="first",
            sort=False,
        )
        wide.columns = [f"{trait}.{'p' if v == 'batch_p' else v}" for v, trait in wide.columns]
        order = [t for t in manifest.trait if f"{t}.p" in wide.columns]
        wide = wide[[f"{t}.{v}" for t in order for v in ("enrichment", "p")]].reset_index()
        written["batch.enrichment.wide.tsv"] = write_tsv(out / "batch.enrichment.wide.tsv", wide)
    if sets:
        frame = _stacked(sets)
        _adjust_across_traits(frame, "p_competitive")
        written["batch.sets.tsv"] = write_tsv(out / "batch.sets.tsv", frame)
    if h2:
        frame = _stacked(h2)
        # Coefficient_p: one-sided, the cell-type/annotation test of S-LDSC.
        _adjust_across_traits(frame, "Coefficient_p")
        written["batch.h2.tsv"] = write_tsv(out / "batch.h2.tsv", frame)
    written["batch.report.html"] = _batch_report(out, status, qc, long)
    return written


def _stacked(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The traits' tables one under the other, ``trait`` first."""
    import pandas as pd

    frame = pd.concat(tables, ignore_index=True)
    return frame[["trait", *[c for c in frame.columns if c != "trait"]]]


def _adjust_across_traits(frame: pd.DataFrame, p_column: str) -> None:
    """Add ``batch_p_bonferroni`` and ``batch_q_bh``: ``p_column`` adjusted over every row of
    every trait (the batch's family of tests), in place."""
    from ldenrich._pvalues import benjamini_hochberg, bonferroni

    p = frame[p_column].to_numpy(dtype=float)
    frame["batch_p_bonferroni"] = bonferroni(p)
    frame["batch_q_bh"] = benjamini_hochberg(p)


_QC_KEYS = ("n_rows_read", "n_snps_used", "mean_chisq", "lambda_gc", "n", "n_genes", "h2", "h2_se")


def _batch_report(
    out: Path, status: pd.DataFrame, qc: pd.DataFrame, long: pd.DataFrame | None
) -> Path:
    """One page: the traits' status and QC, and a heatmap of the screen across traits."""
    import html

    from ldenrich.report import format_value

    def table(frame: pd.DataFrame, link: bool = False) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
        body = []
        for row in frame.itertuples(index=False):
            cells = []
            for col, value in zip(frame.columns, row, strict=True):
                text = html.escape(format_value(value, str(col)))
                if link and col == "trait":
                    report = Path("traits") / str(value) / f"{value}.report.html"
                    if (out / report).exists():
                        text = f'<a href="{html.escape(report.as_posix())}">{text}</a>'
                cells.append(f"<td>{text}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>ldenrich batch</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}</style></head><body>",
        f"<h1>ldenrich batch</h1><p>{html.escape(str(out.name))}: {len(status)} traits, "
        f"{int((status.status == 'ok').sum())} ok, {int((status.status == 'failed').sum())} "
        f"failed, {int((status.status == 'not run').sum())} not run.</p>",
    ]
    if long is not None and len(long):
        parts.append("<h2>Enrichment screen across traits</h2>" + _heatmap(long))
    parts += ["<h2>Traits</h2>", table(status, link=True), "<h2>QC</h2>", table(qc)]
    parts.append(f"<footer><p>Written by ldenrich {ldenrich.__version__}.</p></footer>")
    parts.append("</body></html>")
    return write_text(out / "batch.report.html", "\n".join(parts) + "\n")


#: The heatmap shows the categories with the smallest batch p (GO runs have thousands).
HEATMAP_CATEGORIES = 40


def _heatmap(long: pd.DataFrame) -> str:
    """An embedded PNG of -log10 p (traits x the most significant categories)."""
    import base64
    import io

    import numpy as np

    best = long.groupby("category", sort=False)["batch_p"].min().sort_values()
    categories = best.index[:HEATMAP_CATEGORIES].tolist()
    traits = list(dict.fromkeys(long.trait))
    grid = (
        long[long.category.isin(categories)]
        .pivot_table(index="category", columns="trait", values="batch_p", aggfunc="first")
        .reindex(index=categories, columns=traits)
    )
    values = -np.log10(grid.to_numpy(dtype=float).clip(1e-300, 1))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Room for 40-character labels whatever the number of traits.
    fig, ax = plt.subplots(
        figsize=(4.5 + 0.35 * len(traits), 1.5 + 0.28 * len(categories)), layout="constrained"
    )
    image = ax.imshow(values, aspect="auto", cmap="viridis", interpolation="nearest")
    ax.set_xticks(range(len(traits)), traits, rotation=90, fontsize=7)
    ax.set_yticks(range(len(categories)), [c[:40] for c in categories], fontsize=7)
    fig.colorbar(image, ax=ax, label=f"-log10 {long.batch_p_source.iloc[0]}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return (
        f"<p>The {len(categories)} categories with the smallest p in any trait; blank: not "
        f"tested.</p><img alt='heatmap' src='data:image/png;base64,{data}'>"
    )
