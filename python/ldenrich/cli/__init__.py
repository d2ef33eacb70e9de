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
from ldenrich.cli import batch, demo, enrich, gather, genes, h2, h2_cts, ldscore, munge, run, sets
from ldenrich.cli._common import HelpFormatter, log_outcome, show_warning, stop_logging
from ldenrich.errors import CancelledError, LdenrichError, LdenrichWarning

_SUBCOMMANDS = (run, genes, sets, enrich, munge, ldscore, h2, h2_cts, batch, gather, demo)


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
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    previous_int = signal.getsignal(signal.SIGINT)
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
    interrupted = message is not None and message.startswith("interrupted")
    if interrupted and main_thread:
        # A second Ctrl-C (or one still pending) would otherwise escape the cleanup below, or
        # the interpreter's exit, and end the process with another status and no log.
        _ignore_interrupts()
    try:
        log_outcome(message, status)
        stop_logging()
    finally:
        if previous is not None:
            _set_handler(signal.SIGTERM, previous)
        if interrupted and main_thread:
            _set_handler(signal.SIGINT, previous_int)
    return status


def _set_handler(signum: int, handler: Any) -> None:
    """``signal.signal``, which first runs the Python handlers of pending signals: one that
    raises is dropped (the run is already ending) and the handler set anyway."""
    for _ in range(3):
        try:
            signal.signal(signum, handler)
            return
        except KeyboardInterrupt:
            continue


def _ignore_interrupts() -> None:
    """SIGINT and SIGTERM ignored until :func:`main` returns (pending ones are then dropped)."""
    _set_handler(signal.SIGINT, signal.SIG_IGN)
    _set_handler(signal.SIGTERM, signal.SIG_IGN)


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
