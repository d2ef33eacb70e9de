"""Fault injection on the command line: signals, a killed process, write errors, an unwritable
directory, two runs on one prefix. Each command runs as a subprocess on the bundled data.

What every fault must leave: no file under a final name that the run did not finish (every
final-named file is byte-identical to the one a complete run writes), no temporary file or lock
after a clean stop, a ``.log`` that ends with what happened and the exit status, one error line
and never a traceback.
"""

from __future__ import annotations

import filecmp
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import ldenrich

EX = ldenrich.example_data()
# One thread keeps the machine free and the native loops long enough to be interrupted in.
THREADS = ["--threads", "1"]
GENES = ["genes", "--sumstats", str(EX.sumstats), "--bfile", str(EX.bfile),
         "--gene-loc", str(EX.gene_loc), "--n-col", "N", *THREADS]  # fmt: skip
RUN = ["run", "--sumstats", str(EX.sumstats), "--bfile", str(EX.bfile), "--gene-loc",
       str(EX.gene_loc), "--gene-sets", str(EX.gene_sets), "--gene-sets", str(EX.go_gene_sets),
       "--n-col", "N", *THREADS]  # fmt: skip
#: Seconds from the signal to the exit: the issue asks for about one.
PROMPT = 2.0


def sets_args(raw: Path) -> list[str]:
    return ["sets", "--gene-results", str(raw), "--gene-sets", str(EX.go_gene_sets),
            "--gene-sets", str(EX.gene_sets), "--gene-loc", str(EX.gene_loc), *THREADS]  # fmt: skip


def command(args: Sequence[str], prefix: Path) -> list[str]:
    return [sys.executable, "-m", "ldenrich", *args, "--out", str(prefix)]


def start(
    args: Sequence[str], prefix: Path, preexec: Callable[[], None] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(args, prefix), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        preexec_fn=preexec,
    )  # fmt: skip


def wait_for(proc: subprocess.Popen[str], marker: str) -> list[str]:
    """Read stderr up to the line holding ``marker`` (the run is then in that phase)."""
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if marker in line:
            return seen
    proc.wait()
    proc.stderr.close()
    raise AssertionError(f"{marker!r} never appeared; stderr:\n{''.join(seen)}")


def stop(proc: subprocess.Popen[str], sig: int) -> tuple[int, float, str]:
    """Send ``sig``; return the exit status, the seconds until exit and the rest of stderr."""
    assert proc.stderr is not None
    start_time = time.perf_counter()
    proc.send_signal(sig)
    rest = proc.stderr.read()
    proc.stderr.close()
    proc.wait(timeout=60)
    return proc.returncode, time.perf_counter() - start_time, rest


def finish(args: Sequence[str], prefix: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(args, prefix), capture_output=True, text=True, check=False, timeout=300, **kwargs
    )


def final_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))


def assert_only_complete_files(directory: Path, reference: Path, killed: bool = False) -> None:
    """Every final-named output equals the complete run's; leftovers only after SIGKILL."""
    names = {p.name for p in directory.iterdir()}
    leftovers = {n for n in names if n.startswith(".") or n.endswith((".part", ".lock"))}
    if not killed:
        assert not leftovers, f"temporary files or a lock left behind: {leftovers}"
    for path in final_files(directory):
        if path.suffix in (".part", ".lock") or path.name.endswith(".log"):
            continue
        if path.name.endswith(".report.html"):
            # The report holds the date; complete means its closing tag is there.
            assert path.read_text().rstrip().endswith("</html>"), path.name
            continue
        assert filecmp.cmp(path, reference / path.name, shallow=False), (
            f"{path.name} differs from the complete run's: a partial file under a final name"
        )


def assert_log_ends_with(log: Path, *lines: str) -> None:
    text = log.read_text().rstrip().splitlines()
    tail = [line.split("  ", 1)[-1] for line in text[-len(lines) :]]
    assert tail == list(lines), text[-5:]
    # Every log line carries a timestamp.
    assert all(line[:4].isdigit() and line[4] == "-" for line in text), text[:3]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The outputs (prefix ``x``) of complete ``genes``, ``sets`` and ``run`` runs, by command."""
    root = tmp_path_factory.mktemp("reference")
    dirs = {name: root / name for name in ("genes", "sets", "run")}
    for name, args in (("genes", GENES), ("sets", sets_args(dirs["genes"] / "x.genes.raw")),
                       ("run", RUN)):  # fmt: skip
        done = finish(args, dirs[name] / "x")
        assert done.returncode == 0, done.stderr
    return dirs


PHASES = [
    (GENES, "gene analysis ...", 0.3),
    (GENES, "reading summary statistics", 0.0),
    (RUN, "building the SNP universe", 0.0),
    (RUN, "gene analysis (SNP-wise", 0.3),
    (RUN, "gene-set analysis ...", 0.0),
    (RUN, "figures ...", 0.5),
    ("sets", "gene-set analysis ...", 0.0),
]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize(("args", "marker", "delay"), PHASES, ids=[p[1] for p in PHASES])
def test_a_signal_stops_the_run_at_once_and_leaves_only_complete_files(
    tmp_path: Path, reference: dict[str, Path], args, marker: str, delay: float, sig: int
) -> None:
    kind = args if args == "sets" else args[0]
    if args == "sets":
        args = sets_args(reference["genes"] / "x.genes.raw")
    proc = start(args, tmp_path / "x")
    wait_for(proc, marker)
    time.sleep(delay)
    assert proc.poll() is None, "the run ended before the signal"
    code, seconds, err = stop(proc, sig)
    name = signal.Signals(sig).name
    # 128 + N from exit(), or killed by the signal itself (-N), which a shell reports as the
    # same 128 + N: CPython occasionally ends a run interrupted inside a native call that way
    # after main() has returned 130 (under load, about one run in ten here), with the message
    # and the log already complete, as checked below.
    assert code in (128 + sig, -sig), f"exit {code}: " + err[-200:]
    assert seconds < PROMPT, f"{seconds:.2f} s from {name} to exit"
    assert err.rstrip().splitlines()[-1] == f"ldenrich: interrupted ({name})"
    assert "Traceback" not in err
    assert_log_ends_with(tmp_path / "x.log", f"ldenrich: interrupted ({name})",
                         f"exit status {128 + sig}")  # fmt: skip
    assert_only_complete_files(tmp_path, reference[kind])


@pytest.mark.parametrize(("args", "marker"), [(GENES, "gene analysis ..."), (RUN, "figures ...")])
def test_sigkill_leaves_no_partial_file_under_a_final_name(
    tmp_path: Path, reference: dict[str, Path], args, marker: str
) -> None:
    proc = start(args, tmp_path / "x")
    wait_for(proc, marker)
    time.sleep(0.3)
    code, _, _ = stop(proc, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert_only_complete_files(tmp_path, reference[args[0]], killed=True)
    # The log of a killed run never reaches its final name; its lock is stale, and the next run
    # on the prefix takes it over.
    assert not (tmp_path / "x.log").exists() and (tmp_path / "x.log.part").exists()
    assert (tmp_path / "x.lock").exists()
    done = finish(GENES, tmp_path / "x")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "x.lock").exists()


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG instead of killing.
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_write_error_is_one_line_and_earlier_files_stay_intact(
    tmp_path: Path, reference: dict[str, Path]
) -> None:
    # Earlier complete outputs in place; the largest output of this run cannot be written.
    raw, reference = reference["genes"] / "x.genes.raw", reference["sets"]
    for path in reference.glob("x.*"):
        shutil.copy(path, tmp_path / path.name)
    outputs = ["gsa.out", "sets.tsv", "kruskal.tsv", "members.tsv", "table3.tsv"]
    sizes = sorted(((reference / f"x.{s}").stat().st_size, s) for s in outputs)
    largest = sizes[-1][1]
    # Between the two largest outputs: every other output and the log fit.
    limit = (sizes[-1][0] + max(sizes[-2][0], 10_000)) // 2
    proc = start(sets_args(raw), tmp_path / "x", _limit_file_size(limit))
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 1
    last = err.rstrip().splitlines()[-1]
    assert last.startswith("ldenrich: error: cannot write") and f"x.{largest}" in last, err
    assert "File too large" in last and "Traceback" not in err
    assert_only_complete_files(tmp_path, reference)
    assert_log_ends_with(tmp_path / "x.log", last, "exit status 1")


@pytest.fixture
def small_tmpfs(tmp_path: Path):
    """A 128 KiB tmpfs (root only): writes past it fail with ENOSPC."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mount)],
                          capture_output=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_is_one_line_and_leaves_only_complete_files(
    small_tmpfs: Path, reference: dict[str, Path]
) -> None:
    # genes.out (64 KB) fits, genes.raw (200 KB) does not.
    done = finish(GENES, small_tmpfs / "x")
    assert done.returncode == 1
    last = done.stderr.rstrip().splitlines()[-1]
    assert "No space left on device" in last and "x.genes.raw" in last, done.stderr
    assert "Traceback" not in done.stderr
    assert_only_complete_files(small_tmpfs, reference["genes"])
    assert (small_tmpfs / "x.genes.out").exists()
    assert_log_ends_with(small_tmpfs / "x.log", last, "exit status 1")


@pytest.fixture
def read_only_dir(tmp_path: Path):
    directory = tmp_path / "ro"
    directory.mkdir()
    if os.geteuid() == 0:
        # Root ignores permission bits; a read-only mount is read-only for root too.
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs",
                               str(directory)], capture_output=True, check=False)  # fmt: skip
        if done.returncode != 0:
            pytest.skip("running as root without the right to mount a read-only tmpfs")
        try:
            yield directory
        finally:
            subprocess.run(["umount", str(directory)], check=False)
    else:
        directory.chmod(0o555)
        try:
            yield directory
        finally:
            directory.chmod(0o755)


def test_an_unwritable_directory_is_one_line_before_any_work(
    read_only_dir: Path, reference: dict[str, Path]
) -> None:
    start_time = time.perf_counter()
    done = finish(sets_args(reference["genes"] / "x.genes.raw"), read_only_dir / "x")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"ldenrich: error: cannot write in {read_only_dir}")
    assert time.perf_counter() - start_time < 30
    assert not list(read_only_dir.iterdir())


def test_two_runs_on_one_prefix_do_not_interleave(tmp_path: Path) -> None:
    first = start(GENES, tmp_path / "x")
    wait_for(first, "gene analysis ...")
    second = finish(GENES, tmp_path / "x")
    assert second.returncode == 1
    assert "another ldenrich run" in second.stderr and str(first.pid) in second.stderr
    assert "Traceback" not in second.stderr
    # The first run is unaffected; stopped here to save time.
    code, _, _ = stop(first, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM
    assert not (tmp_path / "x.lock").exists()
    assert_log_ends_with(tmp_path / "x.log", "ldenrich: interrupted (SIGTERM)", "exit status 143")


def test_an_input_that_vanishes_mid_run_is_one_line(tmp_path: Path) -> None:
    bed = tmp_path / "lrld.bed"
    bed.write_text("chr22\t17000000\t18500000\n")
    args = ["enrich", "--sumstats", str(EX.sumstats), "--bim", str(EX.bim), "--bed", str(bed),
            *THREADS]  # fmt: skip
    proc = start(args, tmp_path / "x")
    # The BED is read when annotating, after the summary statistics and the reference.
    wait_for(proc, "reading summary statistics, reference")
    bed.unlink()
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 1
    last = err.rstrip().splitlines()[-1]
    assert last.startswith("ldenrich: error:") and str(bed) in last, err
    assert "No such file" in last and "Traceback" not in err
    assert not (tmp_path / "x.enrichment.tsv").exists()
    assert_log_ends_with(tmp_path / "x.log", last, "exit status 1")
