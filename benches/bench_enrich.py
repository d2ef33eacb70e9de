"""Genome-wide benchmark of ``ldenrich enrich`` against ``zcat`` and hand-written Python.

Generates realistic inputs with ``make_enrich_inputs.py`` (or uses ``--data``), then times, as
fresh processes, round-robin, the median over ``--repeats`` rounds (wall, CPU and peak RSS from
GNU ``time``): the I/O floors (``zcat``, ``cat``), ``ldenrich enrich`` on gzip, BGZF and plain
input with 1, 100 and 1,000 categories and 1 or all threads, and the reference pipelines
(``reference_fast.py`` with polars and with pandas, and the straightforward per-category
``reference_pandas.py`` on a few categories). Prints a table and the ratios of the issue's
targets. ``--growth`` adds time against SNPs (100k .. 10M) and against categories (1 .. 1,000)
and draws them into ``--plot``.

    python3 benches/bench_enrich.py --snps 7000000 --repeats 5 --growth --plot benches/growth.png
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
LDENRICH = [PY, "-m", "ldenrich"]


@dataclass
class Bench:
    label: str
    cmd: list[str]
    shell_out: str | None = None
    runs: list[tuple[float, float, float]] = field(default_factory=list)
    steps: list[dict[str, float]] = field(default_factory=list)
    #: Variables set for the run on top of this process's environment (e.g. PYTHONPATH).
    env: dict[str, str] | None = None

    def med(self, i: int) -> float:
        return statistics.median(r[i] for r in self.runs)

    @property
    def wall(self) -> float:
        return self.med(0)

    @property
    def cpu(self) -> float:
        return self.med(1)

    @property
    def rss(self) -> float:
        return self.med(2)


def run_once(bench: Bench, work: Path) -> None:
    timing = work / "time.txt"
    cmd = ["/usr/bin/time", "-o", str(timing), "-f", "%e %U %S %M", *bench.cmd]
    out = open(bench.shell_out, "wb") if bench.shell_out else subprocess.DEVNULL
    try:
        env = {**os.environ, **bench.env} if bench.env else None
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, check=False, env=env)
    finally:
        if bench.shell_out:
            out.close()
    if proc.returncode != 0:
        raise SystemExit(f"{bench.label} failed:\n{proc.stderr.decode()[-2000:]}")
    wall, user, sys_, rss_kb = timing.read_text().split()[-4:]
    bench.runs.append((float(wall), float(user) + float(sys_), int(rss_kb) / 1024))
    steps = {}
    text = proc.stderr.decode()
    for name, secs in re.findall(r"^(\S.*?) \.\.\.\n(?:  .*\n)*?  done in ([0-9.]+) s", text, re.M):
        steps[name] = float(secs)
    bench.steps.append(steps)


def generate(snps: int, dest: Path) -> Path:
    if not (dest / "meta.json").exists():
        print(f"# generating {snps:,} SNPs into {dest}", flush=True)
        subprocess.run(
            [PY, str(HERE / "make_enrich_inputs.py"), "--snps", str(snps), "--out", str(dest)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return dest


def input_args(d: Path, sumstats: str, sets: int, out: Path) -> list[str]:
    """The inputs and output of one run, the same for ldenrich and the reference scripts."""
    return [
        "--sumstats",
        str(d / sumstats),
        "--bim",
        str(d / "ref.bim"),
        "--gene-loc",
        str(d / "genes.loc"),
        "--gene-sets",
        str(d / f"sets_{sets}.gmt"),
        "--out",
        str(out),
    ]


def enrich_cmd(d: Path, sumstats: str, sets: int, out: Path, threads: int | None) -> list[str]:
    cmd = [*LDENRICH, "enrich", *input_args(d, sumstats, sets, out)]
    return cmd + (["--threads", str(threads)] if threads else [])


def ref_cmd(d: Path, engine: str, sets: int, out: Path) -> list[str]:
    script = str(HERE / "reference_fast.py")
    return [PY, script, "--engine", engine, *input_args(d, "sumstats.tsv.gz", sets, out)]


def rounds(benches: list[Bench], repeats: int, work: Path) -> None:
    for r in range(repeats):
        for b in benches:
            run_once(b, work)
        print(f"# round {r + 1}/{repeats} done", flush=True)


def table(benches: list[Bench], floor: float) -> list[str]:
    lines = [
        "| command | median wall (s) | min-max wall (s) | median CPU (s) | CPU / wall "
        "| median peak RSS (MiB) | wall / zcat |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for b in benches:
        walls = [r[0] for r in b.runs]
        lines.append(
            f"| {b.label} | {b.wall:.2f} | {min(walls):.2f}-{max(walls):.2f} | {b.cpu:.2f} "
            f"| {b.cpu / max(b.wall, 1e-9):.2f} | {b.rss:.0f} | {b.wall / floor:.2f} |"
        )
    return lines


def machine() -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    try:
        rev = subprocess.run(
            ["git", "-C", str(HERE), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        rev = "?"
    import ldenrich

    return [
        f"- cpu: {cpu}; {os.cpu_count()} logical CPUs; memory {int(mem) / 2**20:.1f} GiB",
        f"- os: {platform.platform()}; python {platform.python_version()}",
        f"- ldenrich {ldenrich.__version__} from {Path(ldenrich.__file__).parent}"
        f" (gzip inflate: {ldenrich._native.DEFLATE_BACKEND})",
        f"- source: git {rev}",
        f"- load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--snps", type=int, default=7_000_000)
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="directory of generated inputs, one snpsN subdirectory per size, made if missing "
        "and kept (default: a temporary directory, deleted)",
    )
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument(
        "--slow-pandas-sets",
        type=int,
        default=3,
        help="categories for the per-category pandas/scipy reference (0: skip)",
    )
    p.add_argument("--growth", action="store_true", help="time vs SNPs and vs categories")
    p.add_argument("--growth-sizes", default="100000,300000,1000000,3000000,10000000")
    p.add_argument("--plot", type=Path, default=None, help="PNG of the growth curves")
    p.add_argument("--json", type=Path, default=None, help="raw results")
    args = p.parse_args(argv)
    if not shutil.which("/usr/bin/time"):
        raise SystemExit("needs GNU time (/usr/bin/time): apt-get install -y time")

    tmp = Path(tempfile.mkdtemp(prefix="ldenrich-bench-"))
    root = args.data or tmp / "data"
    d = generate(args.snps, root / f"snps{args.snps}")
    meta = json.loads((d / "meta.json").read_text())
    out = tmp / "out"
    out.mkdir()
    t_start = time.perf_counter()
    print("\n".join(machine()))
    print(
        f"- data: {json.dumps(meta['bytes'])}; {meta['sumstats_rows']:,} sumstats rows, "
        f"{meta['bim_rows']:,} .bim rows, seed {meta['seed']}"
    )

    gz_out = str(tmp / "zcat.out")
    kinds = [("gzip", "sumstats.tsv.gz"), ("plain", "sumstats.tsv"), ("BGZF", "sumstats.tsv.bgz")]
    if not (d / "sumstats.tsv.bgz").exists():
        # make_enrich_inputs.py writes the BGZF copy only where bgzip is installed.
        print(
            "# BGZF runs skipped: no sumstats.tsv.bgz (bgzip not installed: apt-get install tabix)"
        )
        kinds.pop()
    benches = [
        Bench("`zcat sumstats.tsv.gz > /dev/null`", ["zcat", str(d / "sumstats.tsv.gz")]),
        Bench("`cat sumstats.tsv > /dev/null`", ["cat", str(d / "sumstats.tsv")]),
        Bench("ldenrich start-up (`import ldenrich.cli`)", [PY, "-c", "import ldenrich.cli"]),
        *[
            Bench(
                f"ldenrich enrich, {kind}, 100 sets" + (", --threads 1" if threads else ""),
                enrich_cmd(d, name, 100, out / f"{kind}{threads or ''}", threads),
            )
            for kind, name in kinds
            for threads in (None, 1)
        ],
        Bench("ldenrich enrich, gzip, 1 set", enrich_cmd(d, "sumstats.tsv.gz", 1, out / "e", None)),
        Bench(
            "ldenrich enrich, gzip, 1,000 sets",
            enrich_cmd(d, "sumstats.tsv.gz", 1000, out / "f", None),
        ),
        Bench(
            "polars + numpy reference, gzip, 100 sets", ref_cmd(d, "polars", 100, out / "rp.tsv")
        ),
        Bench(
            "pandas + numpy reference, gzip, 100 sets", ref_cmd(d, "pandas", 100, out / "rq.tsv")
        ),
    ]
    benches[0].shell_out = gz_out
    benches[1].shell_out = gz_out
    slow = None
    if args.slow_pandas_sets:
        k = args.slow_pandas_sets
        sub = tmp / f"sets_{k}.gmt"
        sub.write_text("".join((d / "sets_1000.gmt").read_text().splitlines(True)[:k]))
        slow = Bench(
            f"pandas/scipy per-category reference, gzip, {k} sets (1 round)",
            [
                PY,
                str(HERE / "reference_pandas.py"),
                "--sumstats",
                str(d / "sumstats.tsv.gz"),
                "--bim",
                str(d / "ref.bim"),
                "--gene-loc",
                str(d / "genes.loc"),
                "--gene-sets",
                str(sub),
                "--out",
                str(out / "slow.tsv"),
                "--timings",
                str(out / "slow.json"),
            ],
        )
    rounds(benches, args.repeats, tmp)
    if slow is not None:
        rounds([slow], 1, tmp)
        benches.append(slow)
    by = {b.label: b for b in benches}
    zcat = benches[0].wall
    lines = ["", *table(benches, zcat), ""]
    g = by["ldenrich enrich, gzip, 100 sets"]
    g1 = by["ldenrich enrich, gzip, 100 sets, --threads 1"]
    pl_ = by["ldenrich enrich, plain, 100 sets"]
    bz = by.get("ldenrich enrich, BGZF, 100 sets")
    pl1 = by["ldenrich enrich, plain, 100 sets, --threads 1"]
    bz1 = by.get("ldenrich enrich, BGZF, 100 sets, --threads 1")
    one = by["ldenrich enrich, gzip, 1 set"]
    thousand = by["ldenrich enrich, gzip, 1,000 sets"]
    polars_ref = by["polars + numpy reference, gzip, 100 sets"]
    pandas_ref = by["pandas + numpy reference, gzip, 100 sets"]
    read_step = "reading summary statistics, reference and gene locations"

    def step_ratio(single: Bench, multi: Bench) -> str:
        a = statistics.median(s.get(read_step, float("nan")) for s in single.steps)
        b = statistics.median(s.get(read_step, float("nan")) for s in multi.steps)
        return f"{a / b:.2f} ({a:.2f} s / {b:.2f} s)"

    ratio = [
        "Ratios (medians of this run; target in brackets):",
        f"- ldenrich gzip 100 sets / zcat: {g.wall / zcat:.2f} [<= 1.0]",
        f"- polars reference / ldenrich (gzip, 100 sets): {polars_ref.wall / g.wall:.1f}x [>= 4]",
        f"- pandas reference / ldenrich (gzip, 100 sets): {pandas_ref.wall / g.wall:.1f}x [>= 10]",
        f"- 1,000 sets / 1 set: {thousand.wall / one.wall:.2f} [<= 1.5]",
        f"- peak RSS, gzip 100 sets: {g.rss:.0f} MiB [<= 1024]",
        f"- gzip / plain input: {g.wall / pl_.wall:.2f} [>= 2]",
        f"- --threads 1 / default threads, whole run: gzip {g1.wall / g.wall:.2f}, plain "
        f"{pl1.wall / pl_.wall:.2f}, BGZF "
        + (f"{bz1.wall / bz.wall:.2f}" if bz and bz1 else "skipped (no bgzip)"),
        f"- --threads 1 / default threads, reading step (parse-bound) [>= 1.6]: gzip "
        f"{step_ratio(g1, g)}, plain {step_ratio(pl1, pl_)}, BGZF "
        + (step_ratio(bz1, bz) if bz and bz1 else "skipped (no bgzip)"),
    ]
    if slow is not None:
        t = json.loads((out / "slow.json").read_text())
        per_cat = t["categories_s"] / t["categories"]
        total = t["setup_s"] + 100 * per_cat
        ratio.append(
            f"- pandas/scipy per-category reference: setup {t['setup_s']:.1f} s, "
            f"{per_cat:.2f} s per category -> 100 sets EXTRAPOLATED {total:.0f} s "
            f"({total / g.wall:.0f}x ldenrich)"
        )
    step_lines = ["", "ldenrich steps (median of the `done in` lines of each run's log, s):"]
    for b in benches:
        if b.steps and b.steps[0]:
            names = list(b.steps[0])
            med = {n: statistics.median(s.get(n, float("nan")) for s in b.steps) for n in names}
            step_lines.append(f"- {b.label}: " + ", ".join(f"{n} {v:.2f}" for n, v in med.items()))
    lines += ratio + step_lines
    results = {
        "meta": meta,
        "benches": {b.label: {"runs": b.runs, "steps": b.steps} for b in benches},
    }

    if args.growth:
        sizes = [int(s) for s in args.growth_sizes.split(",")]
        grow_snps = []
        for n in sizes:
            dn = d if n == args.snps else generate(n, root / f"snps{n}")
            mn = json.loads((dn / "meta.json").read_text())
            bs = [
                Bench(f"zcat {n}", ["zcat", str(dn / "sumstats.tsv.gz")], shell_out=gz_out),
                Bench(f"ldenrich {n}", enrich_cmd(dn, "sumstats.tsv.gz", 100, out / f"g{n}", None)),
            ]
            rounds(bs, max(1, args.repeats // 2), tmp)
            grow_snps.append((mn["sumstats_rows"], bs[0].wall, bs[1].wall, bs[1].rss))
            if dn != d and args.data is None:
                shutil.rmtree(dn)
        grow_cats = []
        for k in (1, 10, 100, 1000):
            b = Bench(f"cats {k}", enrich_cmd(d, "sumstats.tsv.gz", k, out / f"k{k}", None))
            rounds([b], max(1, args.repeats // 2), tmp)
            grow_cats.append((k, b.wall, b.steps[0].get(f"testing {k} categories", float("nan"))))
        lines += ["", "Growth with SNPs (gzip, 100 sets): rows, zcat s, ldenrich s, RSS MiB"]
        lines += [
            f"- {r:,}: zcat {z:.2f}, ldenrich {w:.2f} ({w / z:.2f}x), {m:.0f} MiB"
            for r, z, w, m in grow_snps
        ]
        lines += ["", "Growth with categories (gzip, main size): sets, wall s, testing step s"]
        lines += [f"- {k}: {w:.2f} s (testing step {t:.3f} s)" for k, w, t in grow_cats]
        results["growth"] = {"snps": grow_snps, "categories": grow_cats}
        if args.plot:
            plot(grow_snps, grow_cats, args.plot)
            lines.append(f"- plot: {args.plot}")
    lines += [
        "",
        f"- load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- benchmark time: {time.perf_counter() - t_start:.0f} s",
    ]
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    shutil.rmtree(tmp)
    return 0


def plot(grow_snps: list, grow_cats: list, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=80)
    rows = [r[0] / 1e6 for r in grow_snps]
    a.plot(rows, [r[2] for r in grow_snps], "o-", label="ldenrich enrich (100 sets)")
    a.plot(rows, [r[1] for r in grow_snps], "s--", label="zcat of the sumstats")
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_xlabel("SNPs in the summary statistics (millions)")
    a.set_ylabel("wall time (s)")
    a.legend(fontsize=8)
    a.grid(alpha=0.3, which="both")
    ks = [c[0] for c in grow_cats]
    b.plot(ks, [c[1] for c in grow_cats], "o-", label="whole run")
    b.plot(ks, [c[2] for c in grow_cats], "s--", label="testing step")
    b.set_xscale("log")
    b.set_xlabel("gene sets")
    b.set_ylabel("wall time (s)")
    b.legend(fontsize=8)
    b.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    sys.exit(main())
