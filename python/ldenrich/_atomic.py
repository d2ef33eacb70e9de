"""Atomic output files and the lock of an output prefix.

Every file ldenrich writes goes through :func:`atomic_path` (or :func:`atomic_open`): it is
written under a hidden temporary name in the target directory, flushed to disk, and renamed
onto its final name only when complete. A run that fails, is interrupted or is killed therefore
never leaves a file under a final name that it did not finish; an earlier complete file of the
same name stays as it was until the new one replaces it in one step.

:class:`PrefixLock` keeps two runs from writing into one output prefix at once.
"""

from __future__ import annotations

import errno
import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ldenrich.errors import InvalidArgumentError

#: Temporary files are named ``.FINAL.TOKEN.part`` so that a killed run's leftovers are hidden
#: and recognisable.
TEMP_SUFFIX = ".part"


def temp_name(path: Path) -> Path:
    """A fresh hidden temporary name beside ``path`` that keeps its extension (matplotlib
    and other writers pick the format from it)."""
    return path.with_name(f".{path.stem}.{secrets.token_hex(4)}{TEMP_SUFFIX}{path.suffix}")


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        # Some file systems cannot sync a directory; the rename itself is still atomic.
        pass
    finally:
        os.close(fd)


def _with_path(exc: OSError, path: Path) -> OSError:
    """The same error naming the final file (a write error on a handle names none)."""
    if exc.filename is not None and str(path) in str(exc.filename):
        return exc
    return type(exc)(exc.errno, f"cannot write {path}: {exc.strerror or exc}")


@contextmanager
def atomic_path(path: os.PathLike[str] | str) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on failure it is removed.

    The parent directory is created when missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "table.tsv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("a\\tb\\n")
    ...     target.exists()
    False
    >>> target.read_text()
    'a\\tb\\n'
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(final)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _with_path(exc, final) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(final.parent)


@contextmanager
def atomic_open(path: os.PathLike[str] | str, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """:func:`open` for writing through :func:`atomic_path`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_open(target) as fh:
    ...     _ = fh.write("done\\n")
    >>> target.read_text()
    'done\\n'
    """
    if "w" not in mode:
        raise ValueError(f"atomic_open writes a new file; mode {mode!r} has no 'w'")
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
        kwargs.setdefault("newline", "\n")
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as fh:
        yield fh


def write_text(path: os.PathLike[str] | str, text: str) -> Path:
    """Write ``text`` atomically; returns the final path."""
    with atomic_open(path) as fh:
        fh.write(text)
    return Path(path)


def write_tsv(path: os.PathLike[str] | str, table: Any, **kwargs: Any) -> Path:
    """``DataFrame.to_csv`` as a tab-separated file, atomically; returns the final path."""
    options: dict[str, Any] = {"sep": "\t", "index": False, "na_rep": "NA", **kwargs}
    with atomic_open(path) as fh:
        table.to_csv(fh, **options)
    return Path(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PrefixLock:
    """An exclusive ``PREFIX.lock`` (created with ``O_EXCL``) held while a run writes ``PREFIX.*``.

    A lock left by a run that was killed (its process no longer exists on this host) is taken
    over; a live one is an error naming the process.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> prefix = pathlib.Path(tempfile.mkdtemp()) / "study"
    >>> with PrefixLock(prefix):
    ...     (prefix.parent / "study.lock").exists()
    True
    >>> (prefix.parent / "study.lock").exists()
    False
    """

    def __init__(self, prefix: os.PathLike[str] | str) -> None:
        prefix = Path(prefix)
        self.path = prefix.with_name(prefix.name + ".lock")
        self.held = False

    def _holder(self) -> tuple[str, int | None, str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return "", None, ""
        fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        pid = int(fields["pid"]) if fields.get("pid", "").isdigit() else None
        return fields.get("host", ""), pid, fields.get("started", "?")

    def acquire(self) -> None:
        """Create the lock file or fail with :class:`ldenrich.InvalidArgumentError`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = (
            f"pid={os.getpid()}\nhost={socket.gethostname()}\n"
            f"started={time.strftime('%Y-%m-%d %H:%M:%S')}\n"
        )
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                host, pid, started = self._holder()
                if host == socket.gethostname() and pid is not None and not _pid_alive(pid):
                    # Left by a run that was killed: nothing writes these files any more.
                    self.path.unlink(missing_ok=True)
                    continue
                who = f"process {pid} on {host or '?'}, started {started}"
                raise InvalidArgumentError(
                    f"{self.path}: another ldenrich run ({who}) is writing outputs with this "
                    "prefix; wait for it, choose another --out, or delete the lock file if no "
                    "such run exists"
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body)
            self.held = True
            return
        raise InvalidArgumentError(f"{self.path}: cannot take the lock")  # pragma: no cover

    def release(self) -> None:
        """Remove the lock file (when this process holds it)."""
        if self.held:
            self.held = False
            try:
                self.path.unlink()
            except OSError as exc:  # pragma: no cover - vanished or unwritable directory
                if exc.errno != errno.ENOENT:
                    raise

    def __enter__(self) -> PrefixLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
