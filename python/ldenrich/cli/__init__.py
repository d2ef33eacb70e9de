"""The ``ldenrich`` command line: one module per subcommand, each calling the public API only."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from collections.abc import Sequence

from ldenrich import __version__
from ldenrich._native import DEFLATE_BACKEND
from ldenrich.cli import demo, enrich, genes, ldscore, run, sets
from ldenrich.cli._common import show_warning
from ldenrich.errors import LdenrichError, LdenrichWarning

_SUBCOMMANDS = (run, genes, sets, enrich, ldscore, demo)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ldenrich",
        description="Does the GWAS signal of a trait concentrate in these genes, gene sets or "
        "genomic annotations?",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"ldenrich {__version__} (gzip inflate: {DEFLATE_BACKEND})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ldenrich`` command; returns the exit status."""
    if "numpy" not in sys.modules:
        # A fresh ``ldenrich`` process: its linear algebra runs in Rust, and OpenBLAS threads
        # (numpy's and scipy's each start one per core) would only spin against the readers.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            # Sanity warnings are one line each on stderr and in the log, never a traceback
            # and never silenced by a filter set elsewhere.
            warnings.simplefilter("always", LdenrichWarning)
            warnings.showwarning = show_warning
            return int(args.run(args) or 0)
    except (LdenrichError, OSError) as exc:
        if getattr(args, "verbose", 0):
            traceback.print_exc()
        name = type(exc).__name__
        print(f"ldenrich: error: {exc} [{name}]", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ldenrich: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
