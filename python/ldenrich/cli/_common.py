"""Helpers shared by subcommands: logging to stderr and to ``PREFIX.log``, timed steps."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
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
def step(what: str) -> Iterator[None]:
    """Log ``what ...`` then its duration."""
    LOGGER.info("%s ...", what)
    start = time.perf_counter()
    yield
    LOGGER.info("  done in %.2f s", time.perf_counter() - start)


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


_COLUMN_ROLES = ("snp", "z", "p", "beta", "or", "se", "a1", "a2", "chr", "bp")


def add_sumstats_options(parser: argparse.ArgumentParser) -> None:
    """Column overrides and the chi-square source, shared by every subcommand that reads
    summary statistics."""
    cols = parser.add_argument_group("summary-statistic columns (default: detected by synonyms)")
    for role in _COLUMN_ROLES:
        cols.add_argument(f"--{role}-col", default=None, help=f"{role.upper()} column name")
    cols.add_argument(
        "--chisq-from",
        choices=["auto", "z", "p", "beta-se"],
        default="auto",
        help="statistic the chi-square comes from (auto: Z, else P, else BETA/SE)",
    )


def read_sumstats_from_args(args: argparse.Namespace) -> ldenrich.SumStats:
    """``read_sumstats`` with the column options of :func:`add_sumstats_options`."""
    columns = {f"{role}_col": getattr(args, f"{role}_col") for role in _COLUMN_ROLES}
    return ldenrich.read_sumstats(
        args.sumstats,
        n_col=getattr(args, "n_col", None),
        chisq_from=args.chisq_from,
        threads=getattr(args, "threads", None),
        **columns,
    )


def log_snp_accounting(qc: pd.DataFrame) -> None:
    """``SNPs used: U of R rows read`` and each non-zero drop reason of a ``(reason, count)``
    QC table; shared by the screen and the gene analysis."""
    counts = qc.set_index("reason")["count"]
    LOGGER.info("  SNPs used: %d of %d rows read", counts["used"], counts["read"])
    for reason, count in counts.items():
        if str(reason).startswith("dropped_") and count:
            LOGGER.info("    %-32s %d", reason, count)
