"""The ``ldenrich`` command line: one module per subcommand, each calling the public API only."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Sequence
from typing import Any

from ldenrich import describe_build
from ldenrich.cli import batch, demo, enrich, gather, genes, h2, h2_cts, ldscore, run, sets
from ldenrich.cli._common import HelpFormatter, log_outcome, show_warning, stop_logging
from ldenrich.errors import CancelledError, LdenrichError, LdenrichWarning

_SUBCOMMANDS = (run, genes, sets, enrich, ldscore, h2, h2_cts, batch, gather, demo)


class _PrintBuild(argparse.Action):
    """``--version``: the build on one line (argparse's own action would re-wrap it)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(describe_build())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ldenrich",
        description="Does the GWAS signal of a trait concentrate in these genes, gene sets or "
        "genomic annotations?",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version", action=_PrintBuild, nargs=0, help="show the build (inflate, CPU features, "
        "compiler, crate versions) and exit",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _SUBCOMMANDS:
        module.add_parser(sub)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread as Ctrl-C is: the run stops at once and cleans up."""


_TERMINATED = threading.Event()


def _on_sigterm(signum: int, frame: object) -> None:
    _TERMINATED.set()
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ldenrich`` command; returns the exit status.

    An error is one ``ldenrich: error:`` line (no traceback unless ``-v``), also the last
    lines of ``PREFIX.log`` with the exit status; Ctrl-C (SIGINT) exits with 130 and SIGTERM
    with 143, within about a second, leaving only complete files under final names.
    """
    if "numpy" not in sys.modules:
        # A fresh ``ldenrich`` process: its linear algebra runs in Rust, and OpenBLAS threads
        # (numpy's and scipy's each start one per core) would only spin against the readers.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    status, message = 0, None
    _TERMINATED.clear()
    try:
        with warnings.catch_warnings():
            # Sanity warnings are one line each on stderr and in the log, never a traceback
            # and never silenced by a filter set elsewhere.
            warnings.simplefilter("always", LdenrichWarning)
            warnings.showwarning = show_warning
            status = int(args.run(args) or 0)
    except (LdenrichError, OSError) as exc:
        if getattr(args, "verbose", 0):
            traceback.print_exc()
        status = 1
        message = f"error: {_describe(exc)} [{type(exc).__name__}]"
        if isinstance(exc, CancelledError):
            status, message = _interrupted(exc)
    except KeyboardInterrupt as exc:
        status, message = _interrupted(exc)
    finally:
        log_outcome(message, status)
        stop_logging()
        if previous is not None:
            _restore_sigterm(previous, interrupted=message is not None
                             and message.startswith("interrupted"))  # fmt: skip
    return status


def _restore_sigterm(previous: Any, interrupted: bool) -> None:
    """Put back the caller's SIGTERM handler. ``signal.signal`` first runs the Python handlers
    of signals still pending; after an interruption that is a second Ctrl-C (or SIGTERM) that
    would escape with no handler around it and kill the process with another status."""
    try:
        signal.signal(signal.SIGTERM, previous)
    except KeyboardInterrupt:
        if not interrupted:
            raise
        signal.signal(signal.SIGTERM, previous)


def _describe(exc: BaseException) -> str:
    """An error without Python's ``[Errno N]`` prefix: the reason, then the file."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {exc.filename}" if exc.filename else "")
    return str(exc)


def _interrupted(exc: BaseException) -> tuple[int, str]:
    """Exit status 128 + signal number, as a shell reports a process killed by the signal."""
    if isinstance(exc, Terminated) or _TERMINATED.is_set():
        return 128 + signal.SIGTERM, "interrupted (SIGTERM)"
    return 128 + signal.SIGINT, "interrupted (SIGINT)"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
