"""Helpers shared by subcommands: logging to stderr and to ``PREFIX.log``, timed steps."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import ldenrich
from ldenrich import describe_build
from ldenrich._atomic import PrefixLock

if TYPE_CHECKING:
    import pandas as pd

LOGGER = logging.getLogger("ldenrich")


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default only when it has one worth reading (not None, False or [])."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, [], argparse.SUPPRESS) or "default" in text:
            return text
        return super()._get_help_string(action)


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options every subcommand has."""
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more detail; -v shows tracebacks"
    )
    parser.add_argument(
        "--threads",
        type=thread_count,
        default=None,
        help="threads to use (default: LDENRICH_NUM_THREADS or all cores)",
    )


OUT_RULE = (
    "--out is a prefix (--out results/height writes results/height.*); an existing directory "
    "or a path ending in / (--out results/) holds ldenrich.* inside it; missing directories "
    "are created."
)


def add_out_option(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """``--out`` with the rule of :func:`output_prefix` (kept as text: a trailing ``/`` matters)."""
    parser.add_argument(
        "--out", required=required, metavar="PREFIX",
        help="output prefix, or a directory (existing, or ending in /)",
    )  # fmt: skip


def output_prefix(out: Path | str, name: str = "ldenrich") -> Path:
    """The one ``--out`` rule of every subcommand.

    ``--out`` is a path prefix: ``--out results/height`` writes ``results/height.genes.out``,
    ``results/height.log`` and so on. When it names an existing directory or ends with a path
    separator (``--out results/``), the files go inside it as ``results/NAME.*`` (``NAME`` is
    ``ldenrich``, or ``--name`` of ``run``). A missing directory is created.

    Examples
    --------
    >>> output_prefix("results/")
    PosixPath('results/ldenrich')
    >>> output_prefix("results/height")
    PosixPath('results/height')
    """
    text = str(out)
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        return path / name
    return path


class _Session:
    """What a command holds while it writes outputs: the prefix lock and the log file."""

    lock: PrefixLock | None = None
    log_part: Path | None = None
    log_path: Path | None = None


_SESSION = _Session()


def start_logging(log_path: Path | None, verbose: int) -> None:
    """Log progress to stderr and, when given, everything (timestamped) to ``log_path``.

    The outputs' prefix (``log_path`` without ``.log``) is locked first, so a second run into
    it fails at once. The log is written as the run goes to ``PREFIX.log.part`` and renamed to
    ``PREFIX.log`` by :func:`stop_logging`, after its last line (the outcome and exit status).
    """
    stop_logging()
    LOGGER.handlers.clear()
    LOGGER.setLevel(logging.DEBUG)
    LOGGER.propagate = False
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.INFO)
    console.setFormatter(logging.Formatter("%(message)s"))
    if log_path is not None:
        log_path = Path(log_path)
        lock = PrefixLock(log_path.with_suffix("") if log_path.suffix == ".log" else log_path)
        try:
            lock.acquire()
        except OSError as exc:
            raise OSError(exc.errno, f"cannot write in {log_path.parent}: {exc.strerror}") from exc
        _SESSION.lock, _SESSION.log_path = lock, log_path
        _SESSION.log_part = log_path.with_name(log_path.name + ".part")
        try:
            file_handler = logging.FileHandler(_SESSION.log_part, mode="w", encoding="utf-8")
        except OSError:
            _SESSION.log_part = None
            stop_logging()
            raise
        file_handler.setLevel(logging.DEBUG)
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s  %(message)s", datefmt="%Y-%m-%d %H:%M:%S")
        )
        LOGGER.addHandler(file_handler)
    LOGGER.addHandler(console)
    LOGGER.debug("%s", describe_build())
    LOGGER.debug("command: %s", shlex.join(["ldenrich", *sys.argv[1:]]))


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """``warnings.showwarning`` for the command line: one ``warning:`` line, logged."""
    text = f"warning: {message} [{category.__name__}]"
    if LOGGER.handlers:
        LOGGER.warning("%s", text)
    else:
        print(text, file=sys.stderr)


def log_outcome(message: str | None, status: int) -> None:
    """Record how the command ended: the error (or ``interrupted``) and the exit status.

    On stderr the error is one ``ldenrich: error:`` line; the log gets the same line and the
    exit status, so the ``.log`` of a failed run says why it failed.
    """
    if message is not None:
        print(f"ldenrich: {message}", file=sys.stderr)
    file_handlers = [h for h in LOGGER.handlers if isinstance(h, logging.FileHandler)]
    if not file_handlers:
        return
    lines = ([f"ldenrich: {message}"] if message else []) + [f"exit status {status}"]
    for line in lines:
        record = logging.makeLogRecord({"msg": line, "levelno": logging.INFO, "levelname": "INFO"})
        for handler in file_handlers:
            handler.handle(record)


def stop_logging() -> None:
    """Close the log, rename it to its final name and release the prefix lock."""
    for handler in list(LOGGER.handlers):
        handler.close()
        LOGGER.removeHandler(handler)
    part, final, lock = _SESSION.log_part, _SESSION.log_path, _SESSION.lock
    _SESSION.log_part = _SESSION.log_path = _SESSION.lock = None
    try:
        if part is not None and final is not None:
            try:
                os.replace(part, final)
            except FileNotFoundError:
                # The directory vanished under the run; nothing is left to rename.
                pass
    finally:
        if lock is not None:
            lock.release()


#: Per-item messages (one per gene set, say) shown on stderr before the rest go to the log only.
SHOWN_ITEMS = 5


def log_items(lines: list[str], what: str) -> None:
    """The first :data:`SHOWN_ITEMS` lines on stderr and in the log, every other one in the log
    only (``-v`` shows them too), then how many were not shown: GO runs have thousands."""
    for line in lines[:SHOWN_ITEMS]:
        LOGGER.info("%s", line)
    for line in lines[SHOWN_ITEMS:]:
        LOGGER.debug("%s", line)
    if len(lines) > SHOWN_ITEMS:
        LOGGER.info("  ... and %d more %s (all listed in the log)", len(lines) - SHOWN_ITEMS, what)


@contextmanager
def step(what: str, live: bool = True) -> Iterator[None]:
    """Log ``what ...`` then its duration; on a terminal, show the time running meanwhile.

    ``live=False`` for steps that draw bars of their own (one bar per line is all a terminal
    shows cleanly).
    """
    LOGGER.info("%s ...", what)
    start = time.perf_counter()
    with _running_clock(what, enabled=live):
        yield
    LOGGER.info("  done in %.2f s", time.perf_counter() - start)


@contextmanager
def _running_clock(what: str, enabled: bool) -> Iterator[None]:
    """A tqdm line ``  what: 00:03`` refreshed twice a second while the step runs (the native
    calls release the GIL, so the refresh thread runs beside them). Nothing off a terminal."""
    from tqdm import tqdm

    bar = tqdm(
        desc=f"  {what}", bar_format="{desc}: {elapsed}", file=sys.stderr, leave=False,
        disable=None if enabled else True,
    )  # fmt: skip
    if bar.disable:
        yield
        return
    done = threading.Event()

    def refresh() -> None:
        while not done.wait(0.5):
            bar.refresh()

    ticker = threading.Thread(target=refresh, name="ldenrich-clock", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        bar.close()


def gene_loc_arg(text: str) -> Path:
    """``--gene-loc``: a file, or a bundled build (``NCBI37``, ``NCBI38``, ``37``, ``38``)."""
    path = Path(text)
    if path.exists():
        return path
    from ldenrich._example import _BUILDS, bundled_gene_loc

    return bundled_gene_loc(text) if text.strip().lower() in _BUILDS else path


GENE_LOC_HELP = "MAGMA .gene.loc, or NCBI37 / NCBI38 for the bundled files"


def build_arg(text: str) -> Path:
    """``--build``: 37 or 38 (or GRCh37/hg19, GRCh38/hg38), as the bundled gene locations."""
    try:
        return ldenrich.bundled_gene_loc(text)
    except ldenrich.InvalidArgumentError:
        raise argparse.ArgumentTypeError(
            f"must be 37 or 38 (GRCh37/hg19, GRCh38/hg38); got {text!r}"
        ) from None


def add_gene_loc_options(group: argparse._ActionsContainer, required: bool, help: str) -> None:
    """``--gene-loc FILE`` or ``--build 37|38`` (the bundled NCBI gene locations of that build),
    one of the two; both set ``args.gene_loc``."""
    one = group.add_mutually_exclusive_group(required=required)
    one.add_argument("--gene-loc", type=gene_loc_arg, help=help)
    one.add_argument(
        "--build", dest="gene_loc", type=build_arg, metavar="{37,38}",
        help="genome build of the data: use the bundled NCBI37.3 (GRCh37) or NCBI38 (GRCh38) "
        "gene locations, instead of --gene-loc",
    )  # fmt: skip


def thread_count(text: str) -> int:
    """``--threads``: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {value}")
    return value


def parse_window(text: str) -> tuple[float, float]:
    """``35,10`` -> (35.0, 10.0); ``20`` -> (20.0, 20.0)."""
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"window must be UP,DOWN in kb; got {text!r}") from None
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"window must be UP,DOWN in kb (>= 0); got {text!r}")
    return values[0], values[1]


_COLUMN_ROLES = ("snp", "z", "p", "mlog10p", "lnp", "beta", "or", "se", "a1", "a2", "chr", "bp")


#: The presets of ``ldenrich.read_sumstats(format=...)``.
FORMATS = (
    "gwas-ssf", "gwas-catalog-harmonised", "pan-ukbb", "neale-ukb", "finngen", "regenie",
    "saige", "metal", "plink2", "fastgwa", "bolt-lmm", "daner", "pgc-table", "ldsc", "gwas-vcf",
)  # fmt: skip

_ROLE_HELP = {"mlog10p": "-log10 p", "lnp": "natural-log p"}


def add_sumstats_options(parser: argparse.ArgumentParser) -> None:
    """Column overrides and the chi-square source, shared by every subcommand that reads
    summary statistics."""
    cols = parser.add_argument_group("summary-statistic columns (default: detected by synonyms)")
    for role in _COLUMN_ROLES:
        what = _ROLE_HELP.get(role, role.upper())
        cols.add_argument(f"--{role}-col", default=None, help=f"{what} column name")
    cols.add_argument(
        "--chisq-from",
        choices=["auto", "z", "p", "beta-se"],
        default="auto",
        help="statistic the chi-square comes from (auto: Z, else P, else BETA/SE)",
    )
    cols.add_argument(
        "--format", default="auto", metavar="NAME",
        help="layout preset (auto: detected from the header): " + ", ".join(FORMATS),
    )  # fmt: skip
    cols.add_argument(
        "--match", choices=["auto", "rsid", "position"], default="auto",
        help="how rows find their reference SNP (auto: rs numbers by rsid, the other rows by "
        "chromosome, position and alleles)",
    )  # fmt: skip


def read_sumstats_from_args(args: argparse.Namespace) -> ldenrich.SumStats:
    """``read_sumstats`` with the column options of :func:`add_sumstats_options`."""
    columns = {f"{role}_col": getattr(args, f"{role}_col") for role in _COLUMN_ROLES}
    # Subcommands with --n/--n-col read a sample size: the column named, else one detected
    # when --n does not give it.
    wants_n = hasattr(args, "n") and getattr(args, "n", None) is None
    return ldenrich.read_sumstats(
        args.sumstats,
        n_col=getattr(args, "n_col", None),
        read_n="if-found" if wants_n else False,
        n_effective=getattr(args, "n_effective", False),
        chisq_from=args.chisq_from,
        format=args.format,
        threads=getattr(args, "threads", None),
        **columns,
    )


def add_sample_size_options(parser: argparse.ArgumentParser) -> None:
    """``--n``, ``--n-col`` and ``--n-effective`` of the subcommands with a gene analysis."""
    size = parser.add_argument_group(
        "sample size (default: detected: N, NEFF, OBS_CT, n_complete_samples, NCAS+NCON, daner "
        "FRQ_A_/FRQ_U_ ...)"
    ).add_mutually_exclusive_group()
    size.add_argument("--n", type=float, help="sample size of the GWAS (MAGMA's N=)")
    size.add_argument("--n-col", help="per-SNP sample-size column (MAGMA's ncol=)")
    parser.add_argument(
        "--n-effective", action="store_true",
        help="with case and control counts, N = 4/(1/Ncas + 1/Ncon) instead of Ncas + Ncon",
    )  # fmt: skip


def require_sample_size(
    args: argparse.Namespace, ss: ldenrich.SumStats, *, required: bool = True
) -> None:
    """Log where the sample size comes from; without one, refuse when ``required``."""
    if args.n is not None:
        LOGGER.info("  sample size: --n %g", args.n)
    elif ss.has_n:
        how = "named by --n-col" if args.n_col else "detected"
        LOGGER.info("  sample size: %s (%s)", ss.columns["n"], how)
    elif required:
        raise ldenrich.MissingColumnError(
            f"{ss.path}: no sample-size column found (N, NEFF, OBS_CT, n_complete_samples, "
            "NCAS with NCON, daner FRQ_A_<Ncas>/FRQ_U_<Ncon>, ...); give --n or --n-col"
        )
    else:
        LOGGER.info("  sample size: none (give --n or --n-col for the genes' N)")


def log_sumstats(ss: ldenrich.SumStats) -> None:
    """The file read, its layout preset and the columns used; shared by every subcommand."""
    how = "detected from the header" if ss.format_detected else "--format"
    LOGGER.info(
        "  %s: %d rows (%s), format %s, chi-square from %s, columns %s",
        ss.path, ss.rows_read, ss.compression,
        f"{ss.format} ({how})" if ss.format else "generic (columns by synonyms)", ss.source,
        ", ".join(f"{k}={v}" for k, v in ss.columns.items()),
    )  # fmt: skip


def log_snp_accounting(qc: pd.DataFrame) -> None:
    """``SNPs used: U of R rows read`` and each non-zero drop reason of a ``(reason, count)``
    QC table; shared by the screen and the gene analysis."""
    counts = qc.set_index("reason")["count"]
    LOGGER.info("  SNPs used: %d of %d rows read", counts["used"], counts["read"])
    for reason, count in counts.items():
        if str(reason).startswith("dropped_") and count:
            LOGGER.info("    %-32s %d", reason, count)
