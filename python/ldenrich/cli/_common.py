"""Helpers shared by subcommands: logging to stderr and to ``PREFIX.log``, timed steps."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import ldenrich
from ldenrich import describe_build

if TYPE_CHECKING:
    import pandas as pd

LOGGER = logging.getLogger("ldenrich")


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


def start_logging(log_path: Path | None, verbose: int) -> None:
    """Log progress to stderr and, when given, everything to ``log_path``."""
    LOGGER.handlers.clear()
    LOGGER.setLevel(logging.DEBUG)
    LOGGER.propagate = False
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.INFO)
    console.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.addHandler(console)
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
        file_handler.setLevel(logging.DEBUG)
        file_handler.setFormatter(logging.Formatter("%(message)s"))
        LOGGER.addHandler(file_handler)
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


def stop_logging() -> None:
    """Close the log file."""
    for handler in list(LOGGER.handlers):
        handler.close()
        LOGGER.removeHandler(handler)


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
