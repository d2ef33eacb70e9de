"""Logging of a run: progress on stderr, everything timestamped in ``PREFIX.log``, timed steps.

Shared by the command line and the library pipeline (:mod:`ldenrich.pipeline`,
:mod:`ldenrich.batch`), which log through the ``ldenrich`` logger; the command line and the
batch runner decide where its lines go.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ldenrich._atomic import PrefixLock

if TYPE_CHECKING:
    import pandas as pd

    from ldenrich.io import SumStats

LOGGER = logging.getLogger("ldenrich")


class _Session:
    """What a command holds while it writes outputs: the prefix lock and the log file."""

    lock: PrefixLock | None = None
    log_part: Path | None = None
    log_path: Path | None = None


_SESSION = _Session()


def start_logging(log_path: Path | None, verbose: int, *, console: bool = True) -> None:
    """Log progress to stderr and, when given, everything (timestamped) to ``log_path``.

    The outputs' prefix (``log_path`` without ``.log``) is locked first, so a second run into
    it fails at once. The log is written as the run goes to ``PREFIX.log.part`` and renamed to
    ``PREFIX.log`` by :func:`stop_logging`, after its last line (the outcome and exit status).
    ``console=False`` writes the log file only (the batch runner's traits, whose lines would
    interleave on a shared stderr).
    """
    from ldenrich import describe_build

    stop_logging()
    LOGGER.handlers.clear()
    LOGGER.setLevel(logging.DEBUG)
    LOGGER.propagate = False
    stream = logging.StreamHandler(sys.stderr)
    stream.setLevel(logging.DEBUG if verbose else logging.INFO)
    stream.setFormatter(logging.Formatter("%(message)s"))
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
    if console:
        LOGGER.addHandler(stream)
    LOGGER.debug("%s", describe_build())
    LOGGER.debug("command: %s", shlex.join(["ldenrich", *sys.argv[1:]]))


def log_outcome(message: str | None, status: int, *, console: bool = True) -> None:
    """Record how the command ended: the error (or ``interrupted``) and the exit status.

    On stderr the error is one ``ldenrich: error:`` line; the log gets the same line and the
    exit status, so the ``.log`` of a failed run says why it failed.
    """
    if message is not None and console:
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


def log_sumstats(ss: SumStats) -> None:
    """The file read, its layout preset and the columns used; shared by every subcommand."""
    how = "detected from the header" if ss.format_detected else "--format"
    LOGGER.info(
        "  %s: %d rows (%s), format %s, chi-square from %s, columns %s",
        ss.path, ss.rows_read, ss.compression,
        (f"{ss.format} ({how})" if ss.format else "generic (columns by synonyms)")
        + (f", sample {ss.vcf_sample}" if ss.vcf_sample else ""), ss.source,
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


@contextmanager
def separate_log(log_path: Path, outcome: list[str | None]) -> Iterator[None]:
    """Log to ``log_path`` alone (no stderr) for the duration, then go back to the logging
    that was set up before: one trait of a batch, run in the batch's own process.

    ``outcome`` holds the error message to end the log with (empty: success).
    """
    saved_handlers = list(LOGGER.handlers)
    saved = (_SESSION.lock, _SESSION.log_part, _SESSION.log_path)
    for handler in saved_handlers:
        LOGGER.removeHandler(handler)
    _SESSION.lock = _SESSION.log_part = _SESSION.log_path = None
    try:
        start_logging(log_path, 0, console=False)
        yield
    finally:
        message = outcome[0] if outcome else None
        log_outcome(message, 1 if message else 0, console=False)
        stop_logging()
        _SESSION.lock, _SESSION.log_part, _SESSION.log_path = saved
        for handler in saved_handlers:
            LOGGER.addHandler(handler)
