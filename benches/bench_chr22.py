"""Benchmark the enrichment screen on the real chr22 data shipped with ldenrich.

Every measured command runs in a fresh subprocess; its wall-clock time is taken around the
subprocess and its peak RSS is the kernel's ``ru_maxrss`` of the command, read through GNU
``/usr/bin/time`` (``apt-get install -y time``; else a minimal Python launcher). Commands run
round-robin (one of each per round) after untimed warm-up rounds, and the median over rounds
is reported, so every ratio compares numbers measured in the same run.

Measured (inputs: ``ldenrich.example_data()`` sumstats, .bim and gene.loc; categories: the first
N gene sets of a GO biological-process GMT, written to a temporary directory at run time):

* floors: ``zcat`` of the sumstats (I/O floor), ``python3 -c "import ldenrich.cli"`` and
  ``python3 -c "import pandas, scipy.stats"`` (interpreter start-up plus imports);
* ``ldenrich demo`` end to end;
* ``ldenrich enrich`` with 1, 100 and 1,000 categories (and 1,000 with ``--threads 1``);
* ``benches/reference_pandas.py`` (the same screen with pandas/scipy) with 1 and N categories.

Usage::

    python3 benches/bench_chr22.py [--repeats 5] [--pandas-categories 1000]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy

import ldenrich

HERE = Path(__file__).resolve().parent
# The first 2,005 GO BP sets (tests/data/README.md): the first 1,000 are those of the full file.
DEFAULT_GMT = Path(__file__).resolve().parents[1] / "tests/data/real/GO_BP_head_entrez.gmt.gz"
LARGE = 1000


@dataclass
class Bench:
    """One measured command and its samples."""

    key: str
    label: str
    cmd: list[str]
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    timings: Path | None = None  # step timings the command writes (pandas reference)
    inproc: list[dict] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def rss_mib(self) -> float:
        return statistics.median(self.rss_kib) / 1024.0


GNU_TIME = Path("/usr/bin/time")

# Fallback launcher when GNU time is absent: a minimal interpreter that runs the command and
# reports the children's rusage. Its own RSS (a few MiB) is a floor of the peak RSS it reports,
# because Linux records the pre-exec RSS of a vforked child.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[2:])\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(f'{u.ru_maxrss} {u.ru_utime} {u.ru_stime}')\n"
    "sys.exit(rc)\n"
)


def run_once(cmd: list[str], log_stem: Path) -> tuple[float, float, int]:
    """Run ``cmd`` in a fresh process; return (wall s, user + system CPU s, peak RSS KiB).

    The rusage is read by a small launcher process (GNU ``time``, else a minimal Python), not
    by this script: Linux charges a child's pre-exec RSS to its ``ru_maxrss``, and a child
    spawned straight from this process would inherit this process's (numpy, pandas) RSS.
    """
    out_path, err_path = log_stem.with_suffix(".out"), log_stem.with_suffix(".err")
    usage_path = log_stem.with_suffix(".rusage")
    if GNU_TIME.exists():
        launcher = [str(GNU_TIME), "-f", "%M %U %S", "-o", str(usage_path)]
    else:
        launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(usage_path)]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.run([*launcher, *cmd], stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = err_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")
    rss, user, system = usage_path.read_text().split()[-3:]
    return wall, float(user) + float(system), int(rss)  # ru_maxrss is in KiB on Linux


def rusage_method() -> str:
    if GNU_TIME.exists():
        return "peak RSS and CPU: GNU time %M and %U + %S (rusage of the command)"
    return "peak RSS and CPU: getrusage(RUSAGE_CHILDREN) in a minimal Python launcher"


def write_first_sets(gmt: Path, n: int, dest: Path) -> int:
    """Copy the first ``n`` sets of ``gmt`` (plain or gzip) to ``dest``; return how many."""
    opener = gzip.open if gmt.name.endswith(".gz") else open
    count = 0
    with opener(gmt, "rt") as src, open(dest, "w") as out:
        for line in src:
            if count == n:
                break
            if line.strip():
                out.write(line)
                count += 1
    return count


def ldenrich_command() -> list[str]:
    """The ``ldenrich`` console script of this interpreter (else ``python -m ldenrich``)."""
    script = Path(sys.executable).parent / "ldenrich"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ldenrich"]


def native_digest() -> str:
    """SHA-256 of the installed ``_native`` extension file."""
    return hashlib.sha256(Path(ldenrich._native.__file__).read_bytes()).hexdigest()


def extension_build() -> str:
    """Which cargo profile the installed ``_native`` extension matches, by content hash."""
    native = Path(ldenrich._native.__file__)
    digest = native_digest()
    repo = Path(ldenrich.__file__).resolve().parents[2]
    for profile in ("release", "debug", "profiling"):
        built = repo / "target" / profile / "lib_native.so"
        if built.exists() and hashlib.sha256(built.read_bytes()).hexdigest() == digest:
            return f"{native} == target/{profile}/lib_native.so ({profile} profile)"
    return f"{native} (matches no target/*/lib_native.so: build profile unknown)"


def source_version() -> str:
    """Git commit of the ldenrich checkout and whether its tracked files have changes."""
    repo = Path(ldenrich.__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "source: not a git checkout"
    changes = f" + uncommitted changes to {len(dirty)} tracked files" if dirty else ""
    return f"source: git {head[:72]}{changes}"


def machine() -> list[str]:
    """Lines describing the machine and software."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kib / 1024**2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    rustc = shutil.which("rustc")
    rustc_v = (
        subprocess.run([rustc, "--version"], capture_output=True, text=True).stdout.strip()
        if rustc
        else "rustc not found"
    )
    return [
        f"cpu: {cpu}; {os.cpu_count()} logical CPUs; memory {mem}",
        f"os: {platform.platform()}",
        f"python {platform.python_version()}; ldenrich {ldenrich.__version__}; "
        f"numpy {np.__version__}; pandas {pd.__version__}; scipy {scipy.__version__}",
        rustc_v,
        source_version(),
        f"extension: {extension_build()}",
        rusage_method(),
        "load average (1, 5, 15 min) at start: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    ]


def max_rel_diff(a: pd.Series, b: pd.Series) -> tuple[float, int]:
    """Max |a - b| / |b| over pairs finite in both, and the number of such pairs."""
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return float("nan"), 0
    return float(np.max(np.abs(x[ok] - y[ok]) / np.abs(y[ok]))), int(ok.sum())


def agreement(ldenrich_tsv: Path, reference_tsv: Path) -> list[str]:
    """Compare ldenrich's table with the pandas reference on the categories both ran."""
    ld = pd.read_csv(ldenrich_tsv, sep="\t")
    ref = pd.read_csv(reference_tsv, sep="\t")
    both = ld.merge(ref, on="category", suffixes=("_ld", "_ref"))
    tested = both[(both.status_ld == "tested") & (both.status_ref == "tested")]
    lines = [
        f"categories run by both: {len(both)}; tested by both: {len(tested)}; "
        f"n_snps_in differs for {int((both.n_snps_in_ld != both.n_snps_in_ref).sum())}; "
        f"tested status differs for "
        f"{int(((both.status_ld == 'tested') != (both.status_ref == 'tested')).sum())}"
    ]
    for col in ("enrichment", "enrichment_se", "welch_t", "welch_p", "mwu_u", "mwu_p"):
        finite_ld = np.isfinite(tested[f"{col}_ld"].to_numpy(dtype=float))
        finite_ref = np.isfinite(tested[f"{col}_ref"].to_numpy(dtype=float))
        diff, n = max_rel_diff(tested[f"{col}_ld"], tested[f"{col}_ref"])
        lines.append(
            f"{col:<14} max relative difference {diff:.2e} over {n} categories"
            f" (finite in one only: {int((finite_ld != finite_ref).sum())})"
        )
    return lines


def fmt_table(benches: list[Bench], floor: float) -> list[str]:
    lines = [
        "| command | median wall (s) | min-max wall (s) | median CPU user+sys (s) "
        "| median peak RSS (MiB) | wall / zcat |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for b in benches:
        lines.append(
            f"| {b.label} | {b.wall:.3f} | {min(b.walls):.3f}-{max(b.walls):.3f} | "
            f"{b.cpu:.2f} | {b.rss_mib:.1f} | {b.wall / floor:.0f}x |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark ldenrich on the bundled chr22 data.")
    p.add_argument("--repeats", type=int, default=5, help="timed rounds (median reported)")
    p.add_argument("--warmup", type=int, default=1, help="untimed rounds first")
    p.add_argument("--gene-sets", type=Path, default=DEFAULT_GMT, help="GMT to take sets from")
    p.add_argument(
        "--pandas-categories",
        type=int,
        default=LARGE,
        help=f"categories for the pandas reference; below {LARGE}, its {LARGE}-category time is "
        "EXTRAPOLATED from the N-category run and its in-process per-category cost",
    )
    p.add_argument("--threads", type=int, default=None, help="--threads for ldenrich runs")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = p.parse_args(argv)
    if args.repeats < 1 or args.warmup < 0 or not 2 <= args.pandas_categories <= LARGE:
        p.error("need --repeats >= 1, --warmup >= 0, 2 <= --pandas-categories <= 1000")

    ex = ldenrich.example_data()
    tmp = Path(tempfile.mkdtemp(prefix="ldenrich-bench-"))
    logs = tmp / "logs"
    logs.mkdir()
    try:
        gmts = {}
        for n in sorted({1, 100, LARGE, args.pandas_categories}):
            gmts[n] = tmp / f"go_bp_first{n}.gmt"
            got = write_first_sets(args.gene_sets, n, gmts[n])
            if got != n:
                raise SystemExit(f"{args.gene_sets} has only {got} sets; need {n}")
        py, ld = sys.executable, ldenrich_command()
        threads = [] if args.threads is None else ["--threads", str(args.threads)]
        inputs = [
            "--sumstats",
            str(ex.sumstats),
            "--bim",
            str(ex.bim),
            "--gene-loc",
            str(ex.gene_loc),
        ]

        def enrich(n: int, key: str, extra: list[str]) -> list[str]:
            out = tmp / key / "out"
            out.parent.mkdir(exist_ok=True)
            return [*ld, "enrich", *inputs, "--gene-sets", str(gmts[n]), "--out", str(out), *extra]

        def reference(n: int, key: str) -> list[str]:
            return [
                py,
                str(HERE / "reference_pandas.py"),
                *inputs,
                "--gene-sets",
                str(gmts[n]),
                "--out",
                str(tmp / f"{key}.tsv"),
                "--timings",
                str(tmp / f"{key}.timings.json"),
            ]

        k = args.pandas_categories
        benches = [
            Bench("zcat", "`zcat` sumstats > /dev/null (I/O floor)", ["zcat", str(ex.sumstats)]),
            Bench(
                "imp_ld",
                "`python3 -c 'import ldenrich.cli'` (start-up floor)",
                [py, "-c", "import ldenrich.cli"],
            ),
            Bench(
                "imp_pd",
                "`python3 -c 'import pandas, scipy.stats'` (start-up floor)",
                [py, "-c", "import pandas, scipy.stats"],
            ),
            Bench(
                "demo",
                "`ldenrich demo` (bundled curated sets)",
                [*ld, "demo", "--out", str(tmp / "demo"), *threads],
            ),
            Bench("ld1", "`ldenrich enrich`, 1 category", enrich(1, "ld1", threads)),
            Bench("ld100", "`ldenrich enrich`, 100 categories", enrich(100, "ld100", threads)),
            Bench(
                "ld1000", "`ldenrich enrich`, 1,000 categories", enrich(LARGE, "ld1000", threads)
            ),
            Bench(
                "ld1000t1",
                "`ldenrich enrich`, 1,000 categories, `--threads 1`",
                enrich(LARGE, "ld1000t1", ["--threads", "1"]),
            ),
            Bench("ref1", "pandas/scipy reference, 1 category", reference(1, "ref1")),
            Bench("refk", f"pandas/scipy reference, {k:,} categories", reference(k, "refk")),
        ]
        digest = native_digest()
        print("# ldenrich chr22 benchmark", flush=True)
        for line in machine():
            print(f"- {line}")
        print(
            f"- data: {ex.sumstats.name}, {ex.bim.name}, {ex.gene_loc.name}; categories: first "
            f"1/100/1,000 sets of {args.gene_sets.name}; ldenrich threads: "
            f"{args.threads or 'default (all cores)'}"
        )
        print(f"- {args.warmup} warm-up round(s), {args.repeats} timed rounds, round-robin")

        for r in range(args.warmup + args.repeats):
            timed = r >= args.warmup
            for b in benches:
                wall, cpu, rss = run_once(b.cmd, logs / b.key)
                if timed:
                    b.walls.append(wall)
                    b.cpus.append(cpu)
                    b.rss_kib.append(rss)
                    if b.key in ("ref1", "refk"):
                        b.inproc.append(json.loads((tmp / f"{b.key}.timings.json").read_text()))
            if timed:
                what = f"timed round {r - args.warmup + 1} of {args.repeats}"
            else:
                what = f"warm-up round {r + 1} of {args.warmup}"
            print(f"  {what} done", file=sys.stderr, flush=True)

        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"- load average (1, 5, 15 min) at end: {load}")
        if native_digest() != digest:
            print("- WARNING: the _native extension was replaced during the run; rerun")
        print()
        by = {b.key: b for b in benches}
        print("\n".join(fmt_table(benches, by["zcat"].wall)))

        ld1, ld1000, ref1, refk = by["ld1"], by["ld1000"], by["ref1"], by["refk"]
        floor_ld, floor_pd = by["imp_ld"].wall, by["imp_pd"].wall
        # The reference times its own category loop; its median per-category cost is robust to
        # the noise that differencing two whole-process wall times would suffer.
        ref_loop = statistics.median(t["categories_s"] / t["categories"] for t in refk.inproc)
        if k == LARGE:
            ref1000, ref1000_cpu, tag = refk.wall, refk.cpu, "measured"
        else:  # the k-category run plus (1000 - k) times its in-process per-category cost
            ref1000 = refk.wall + (LARGE - k) * ref_loop
            ref1000_cpu = refk.cpu + (LARGE - k) * ref_loop
            tag = f"EXTRAPOLATED from its {k}-category run"
        ld_per_cat = (ld1000.wall - ld1.wall) / (LARGE - 1)
        ref_per_cat = (refk.wall - ref1.wall) / (k - 1)
        print("\nRatios (medians of this run):")
        print(f"- pandas/scipy, 1,000 categories ({tag}): wall {ref1000:.3f} s")
        print(
            f"- pandas/scipy / ldenrich, 1,000 categories, wall ({tag}): "
            f"{ref1000 / ld1000.wall:.1f}x"
        )
        print(
            f"- pandas/scipy / ldenrich, 1,000 categories, CPU user+sys ({tag}): "
            f"{ref1000_cpu / ld1000.cpu:.1f}x"
        )
        print(
            "- pandas/scipy / ldenrich, 1,000 categories, wall minus each one's start-up floor "
            f"({tag}): {(ref1000 - floor_pd) / (ld1000.wall - floor_ld):.1f}x "
            f"({ref1000 - floor_pd:.3f} s vs {ld1000.wall - floor_ld:.3f} s)"
        )
        print(
            f"- pandas/scipy / ldenrich, peak RSS ({k:,} vs 1,000 categories): "
            f"{refk.rss_mib / ld1000.rss_mib:.2f}x"
        )
        print(
            "- marginal wall per category, (T_N - T_1) / (N - 1): "
            f"ldenrich {ld_per_cat * 1e6:.0f} us (N = 1,000), "
            f"pandas/scipy {ref_per_cat * 1e6:.0f} us (N = {k:,})"
        )
        print(
            "- pandas/scipy per-category cost timed inside the reference (annotation + tests, "
            f"median over rounds, first {k:,} sets): {ref_loop * 1e6:.0f} us"
        )
        print(f"- ldenrich 1,000 / 1 category, wall: {ld1000.wall / ld1.wall:.2f}x")
        print(
            "- ldenrich 1,000 categories, --threads 1 / default threads, wall: "
            f"{by['ld1000t1'].wall / ld1000.wall:.2f}x"
        )
        for key in ("demo", "ld1", "ld1000"):
            print(f"- {by[key].label} / zcat, wall: {by[key].wall / by['zcat'].wall:.0f}x")
        print(
            f"- ldenrich start-up floor (import ldenrich.cli) is "
            f"{floor_ld / ld1000.wall:.0%} of the 1,000-category run"
        )

        print(f"\nAgreement, ldenrich 1,000 categories vs pandas/scipy {k:,} (sanity check):")
        for line in agreement(tmp / "ld1000" / "out.enrichment.tsv", tmp / "refk.tsv"):
            print(f"- {line}")

        print("\nCommands (last round):")
        for b in benches:
            print(f"- {b.key}: {' '.join(b.cmd)}")
    finally:
        if args.keep:
            print(f"\nkept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
