"""Benchmark ``ldenrich genes``: genome-wide on a synthetic panel, and on the real chr22 data.

Genome-wide input: ``make_synthetic_panel.py`` (next to this file) builds a seeded synthetic
PLINK panel of 500 people on GRCh37 coordinates of chromosomes 1-22 at 2.3 SNPs per kb (about
6.4M SNPs, an 800 MB ``.bed``) with LD from a haplotype-copying model, and matching summary
statistics (a null GWAS with the panel's LD, plus 300 planted signals), in a temporary directory
(or reuse ``--data DIR``). Its generation time is reported separately; it is not benchmarked.

Measured, each as the median over ``--repeats`` fresh processes (round-robin: one of each per
round), with wall time around the process and CPU time and peak RSS from GNU ``/usr/bin/time``
(``apt-get install -y time``):

* ``ldenrich genes --no-raw`` genome-wide (gene p-values only), ``--threads 1`` and default
  threads;
* the same with the gene-gene correlations (``.genes.raw``, default settings);
* ``ldenrich genes`` on the bundled real chr22 data (UK Biobank height, 1000G EUR panel), with
  and without ``--no-raw``;
* floors: ``zcat`` of each summary-statistics file, ``cat`` of the synthetic ``.bed`` and
  ``.bim`` (page-cached), ``python3 -c "import ldenrich.cli"``.

Also printed: where the time of a genome-wide run goes (the per-step timings of the runs' logs
and progress lines, and one in-process run timing reading, planning, genes, correlations and
writing separately), the calibration of the synthetic run (fraction of gene p < 0.05 among genes
far from every planted signal: ~0.05 when the test is calibrated), and agreement between thread
counts and between runs with and without correlations.

Usage::

    python3 benches/bench_genes.py [--repeats 3] [--data DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
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

import ldenrich

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_chr22 import ldenrich_command, machine, native_digest  # noqa: E402

GNU_TIME = Path("/usr/bin/time")
GOAL_S = 60.0
PREFIX = "synthetic"


@dataclass
class Bench:
    """One measured command and its samples."""

    key: str
    label: str
    cmd: list[str]
    out: Path | None = None  # ldenrich --out prefix
    devnull: bool = False  # stdout to /dev/null (floors)
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    others: list[float] = field(default_factory=list)  # CPU cores used by other processes
    steps: list[dict[str, float]] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def rss_mib(self) -> float:
        return statistics.median(self.rss_kib) / 1024.0

    def step(self, name: str) -> float:
        values = [s[name] for s in self.steps if name in s]
        return statistics.median(values) if values else float("nan")


def busy_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from ``/proc/stat``."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def run_once(b: Bench, log_stem: Path) -> tuple[float, float, int, float]:
    """Run ``b.cmd`` fresh under GNU time; return (wall s, CPU s, peak RSS KiB, CPU cores used
    by other processes during the run)."""
    usage = log_stem.with_suffix(".rusage")
    err_path = log_stem.with_suffix(".err")
    hz = os.sysconf("SC_CLK_TCK")
    out = subprocess.DEVNULL if b.devnull else open(log_stem.with_suffix(".out"), "wb")
    try:
        with open(err_path, "wb") as err:
            busy0, _ = busy_jiffies()
            start = time.perf_counter()
            proc = subprocess.run(
                [str(GNU_TIME), "-f", "%e %M %U %S", "-o", str(usage), *b.cmd],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
            wall = time.perf_counter() - start
            busy1, _ = busy_jiffies()
    finally:
        if out is not subprocess.DEVNULL:
            out.close()
    if proc.returncode != 0:
        tail = err_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(b.cmd)}\n{tail}")
    _, rss, user, system = usage.read_text().split()[-4:]
    cpu = float(user) + float(system)
    others = max(0.0, ((busy1 - busy0) / hz - cpu) / wall)
    return wall, cpu, int(rss), others


def step_timings(b: Bench, log_stem: Path) -> dict[str, float]:
    """Per-step seconds of an ``ldenrich genes`` run from its log and progress lines.

    ``read``: reading the summary statistics and gene locations; ``analysis``: the whole gene
    analysis step; ``first_chunk``: from its start to the first 500 genes done (this includes
    building the plan: the ``.bim``, matching, windows); ``genes``: to the last gene done;
    ``correlations``: from there to the last correlation row done.
    """
    log = b.out.with_name(b.out.name + ".log").read_text()
    err = log_stem.with_suffix(".err").read_text(errors="replace")
    done = [float(x) for x in re.findall(r"done in ([0-9.]+) s", log)]
    out: dict[str, float] = {}
    if len(done) >= 2:
        out["read"], out["analysis"] = done[0], done[1]
    genes = [
        (int(a), int(t), float(s))
        for a, t, s in re.findall(r"genes\s+\[[#.]+\] (\d+)/(\d+) ([0-9.]+) s", err)
    ]
    if genes:
        out["first_chunk"] = genes[0][2]
        out["genes"] = genes[-1][2]
    corr = re.findall(r"correlations\s+\[[#.]+\] (\d+)/(\d+) ([0-9.]+) s", err)
    if corr and genes:
        out["correlations"] = float(corr[-1][2]) - genes[-1][2]
    m = re.search(r"SNPs used: (\d+) of (\d+)", log)
    if m:
        out["snps_used"], out["rows_read"] = float(m.group(1)), float(m.group(2))
    return out


# One in-process run, timing the steps ``ldenrich genes`` goes through: the public API, with
# ``gene_plan`` wrapped to time it and the progress callback to time the gene and correlation
# chunks. Run as a fresh process; prints a JSON object.
_BREAKDOWN = r"""
import json, resource, sys, time

t0 = time.perf_counter()
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB so far

import ldenrich
import ldenrich.genes as G

sumstats, bfile, gene_loc, n, out, raw = sys.argv[1:7]
t = {"import": time.perf_counter() - t0}
mib = {"import": peak()}
a = time.perf_counter()
ss = ldenrich.read_sumstats(sumstats)
t["read_sumstats"] = time.perf_counter() - a
mib["read_sumstats"] = peak()
a = time.perf_counter()
gl = ldenrich.read_gene_loc(gene_loc)
t["read_gene_loc"] = time.perf_counter() - a
native = G._native
marks = {}
class Timed:
    def __getattr__(self, name):
        return getattr(native, name)
    def gene_plan(self, *args):
        marks["plan0"] = time.perf_counter()
        plan = native.gene_plan(*args)
        marks["plan1"] = time.perf_counter()
        mib["gene_plan"] = peak()
        return plan
def progress(what, done, total):
    marks[what] = time.perf_counter()
    if done == total:
        mib[what] = peak()
G._native = Timed()
try:
    a = time.perf_counter()
    res = ldenrich.gene_analysis(
        ss, bfile, gl, n=float(n), correlations=raw == "1", progress=progress
    )
    end = time.perf_counter()
finally:
    G._native = native
t["gene_plan"] = marks["plan1"] - marks["plan0"]
t["genes"] = marks["genes"] - marks["plan1"]
if "correlations" in marks:
    t["correlations"] = marks["correlations"] - marks["genes"]
last = max(marks["genes"], marks.get("correlations", 0))
t["rest_of_gene_analysis"] = end - last + (marks["plan0"] - a)
a = time.perf_counter()
res.write(out)
t["write"] = time.perf_counter() - a
mib["write"] = peak()
t["total"] = time.perf_counter() - t0
info = {
    "genes_analysed": len(res.table),
    "nsnps": res.table.NSNPS.describe(percentiles=[0.5, 0.9, 0.99]).to_dict(),
    "over_people": int((res.table.NSNPS > res.n_samples).sum()),
    "peak_rss_mib_after": mib,
}
print(json.dumps({"seconds": t, **info}))
"""


# CPU time per gene by its number of SNPs: every STEP-th gene of the plan run alone on one
# thread (the plan built as ``gene_analysis`` builds it). Prints a JSON object.
_SIZES = r"""
import json, sys, time
import numpy as np
import ldenrich
from ldenrich import _native

sumstats, bfile, gene_loc, n, step = sys.argv[1:6]
ss = ldenrich.read_sumstats(sumstats)
gl = ldenrich.read_gene_loc(gene_loc)
plan = _native.gene_plan(ss._native, bfile, gl._native, 35.0, 10.0, float(n), False, 1)
k, cpu = [], []
for i in range(0, len(plan), int(step)):
    a = time.process_time()
    r = plan.run(i, i + 1, 1)
    cpu.append(time.process_time() - a)
    k.append(int(r["n_snps"][0]))
k, cpu = np.array(k), np.array(cpu)
bins = [(0, 100), (100, 200), (200, 300), (300, 500), (500, 1000), (1000, 10**9)]
out = []
for lo, hi in bins:
    m = (k > lo) & (k <= hi)
    out.append([lo, hi, float(m.mean()), float(cpu[m].sum() / cpu.sum()),
                float(cpu[m].mean() * 1e3) if m.any() else float("nan")])
print(json.dumps({"genes": len(plan), "sampled": len(k), "cpu_s": float(cpu.sum()),
                  "people": plan.n_samples, "bins": out}))
"""


def calibration(genes_out: Path, data: Path) -> dict[str, float]:
    """Gene p-values of the synthetic run, split by distance to the planted signals."""
    g = pd.read_csv(genes_out, sep=r"\s+", usecols=["CHR", "START", "STOP", "NSNPS", "P"])
    meta = json.loads((data / f"{PREFIX}.json").read_text())
    reach = int(meta["settings"]["signal_range"])
    sig = pd.read_csv(data / f"{PREFIX}.signals.tsv", sep="\t")
    near = np.zeros(len(g), dtype=bool)
    hit = np.zeros(len(g), dtype=bool)
    chrom, lo, hi = g.CHR.astype(str).to_numpy(), g.START.to_numpy(), g.STOP.to_numpy()
    for r in sig.itertuples(index=False):
        same = chrom == str(r.CHR)
        near |= same & (lo - reach <= r.BP) & (hi + reach >= r.BP)
        hit |= same & (lo <= r.BP) & (hi >= r.BP)
    null = g.P.to_numpy()[~near]
    bonf = 0.05 / len(g)
    return {
        "genes": len(g),
        "null_genes": len(null),
        "reach_kb": reach / 1000,
        "null_p05": float(np.mean(null < 0.05)),
        "null_p01": float(np.mean(null < 0.01)),
        "null_p001": float(np.mean(null < 0.001)),
        "null_se05": float(np.sqrt(0.05 * 0.95 / len(null))),
        "signals": len(sig),
        "hit_genes": int(hit.sum()),
        "hit_bonferroni": float(np.mean(g.P.to_numpy()[hit] < bonf)) if hit.any() else np.nan,
        "bonferroni": bonf,
        "null_bonferroni": int(np.sum(null < bonf)),
    }


def compare(a: Path, b: Path) -> str:
    """Largest difference in P and ZSTAT between two ``.genes.out`` files."""
    x = pd.read_csv(a, sep=r"\s+", usecols=["GENE", "P", "ZSTAT", "NSNPS"])
    y = pd.read_csv(b, sep=r"\s+", usecols=["GENE", "P", "ZSTAT", "NSNPS"])
    if len(x) != len(y) or not (x.GENE.to_numpy() == y.GENE.to_numpy()).all():
        return f"DIFFERENT genes ({len(x)} vs {len(y)})"
    dp = float(np.max(np.abs(x.P - y.P)))
    dz = float(np.nanmax(np.abs(x.ZSTAT - y.ZSTAT)))
    same = (a.read_bytes() == b.read_bytes()) if a.suffix == b.suffix else False
    return (
        f"{len(x)} genes, max |dP| {dp:.2g}, max |dZSTAT| {dz:.2g}, NSNPS equal "
        f"{bool((x.NSNPS == y.NSNPS).all())}" + ("; files byte-identical" if same else "")
    )


def fmt_row(b: Bench, genes: str, snps: str) -> str:
    return (
        f"| {b.label} | {genes} | {snps} | {b.wall:.2f} | {min(b.walls):.2f}-{max(b.walls):.2f} | "
        f"{b.cpu:.1f} | {b.cpu / b.wall:.2f} | {b.rss_mib:,.0f} | "
        f"{statistics.median(b.others):.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark ldenrich genes genome-wide and on chr22.")
    p.add_argument("--repeats", type=int, default=3, help="timed rounds (median reported)")
    p.add_argument("--warmup", type=int, default=0, help="untimed rounds first")
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="reuse synthetic data in DIR (made there by make_synthetic_panel.py if absent)",
    )
    p.add_argument("--people", type=int, default=500, help="synthetic panel size")
    p.add_argument("--density", type=float, default=2.3, help="synthetic SNPs per kb")
    p.add_argument("--chromosomes", default="1-22", help="synthetic chromosomes")
    p.add_argument("--seed", type=int, default=20261121, help="synthetic data seed")
    p.add_argument("--threads", type=int, default=None, help="the 'default threads' runs")
    p.add_argument("--no-breakdown", action="store_true", help="skip the in-process breakdown")
    p.add_argument(
        "--size-profile",
        type=int,
        default=0,
        metavar="STEP",
        help="also time every STEP-th gene alone on one thread, by its number of SNPs (0: no)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = p.parse_args(argv)
    if args.repeats < 1 or args.warmup < 0:
        p.error("need --repeats >= 1 and --warmup >= 0")
    if not GNU_TIME.exists():
        p.error("GNU time is needed for CPU and peak RSS: apt-get install -y time")

    ex = ldenrich.example_data()
    tmp = Path(tempfile.mkdtemp(prefix="ldenrich-bench-genes-"))
    logs = tmp / "logs"
    logs.mkdir()
    py, ld = sys.executable, ldenrich_command()
    try:
        print("# ldenrich genes benchmark", flush=True)
        for line in machine():
            print(f"- {line}")
        digest = native_digest()

        # Synthetic data (not timed as part of the benchmark).
        data = args.data or tmp / "synthetic"
        if not (data / f"{PREFIX}.json").exists():
            cmd = [
                py,
                str(HERE / "make_synthetic_panel.py"),
                "--out",
                str(data),
                "--people",
                str(args.people),
                "--density",
                str(args.density),
                "--chromosomes",
                args.chromosomes,
                "--seed",
                str(args.seed),
            ]
            print(f"- generating synthetic data: {' '.join(cmd)}", flush=True)
            gen = Bench("generate", "generate", cmd)
            wall, cpu, rss, _ = run_once(gen, logs / "generate")
            print(
                f"- synthetic data generated in {wall:.1f} s wall, {cpu:.1f} s CPU, "
                f"peak RSS {rss / 1024:.0f} MiB (not part of the benchmark)"
            )
        meta = json.loads((data / f"{PREFIX}.json").read_text())
        sizes = {k: v / 2**20 for k, v in meta["files"].items()}
        print(
            f"- synthetic data {data}: {meta['snps']:,} SNPs x {meta['people']} people, "
            f"{meta['sumstats_rows']:,} sumstats rows, {len(meta['settings']['chromosomes'])} "
            f"chromosomes, {meta['settings']['signals']} planted signals; seed "
            f"{meta['settings']['seed']}; generated in {meta['seconds']} s; "
            + ", ".join(f"{k} {v:,.0f} MiB" for k, v in sizes.items() if v >= 1)
        )
        print(
            "- synthetic LD, mean r^2 of common SNPs by distance (kb): "
            + ", ".join(f"{k} {v:.3f}" for k, v in meta["ld_decay_mean_r2_common_kb"].items())
        )

        ss_gw = data / f"{PREFIX}.sumstats.tsv.gz"
        bfile = data / PREFIX
        gene_loc = ex.gene_loc
        n_gw = str(meta["settings"]["n_gwas"])
        threads = [] if args.threads is None else ["--threads", str(args.threads)]
        default = "default threads" if args.threads is None else f"--threads {args.threads}"

        def genes(key: str, sumstats: Path, bf: Path, size: list[str], extra: list[str]) -> Bench:
            out = tmp / key / "out"
            out.parent.mkdir(exist_ok=True)
            cmd = [
                *ld,
                "genes",
                "--sumstats",
                str(sumstats),
                "--bfile",
                str(bf),
                "--gene-loc",
                str(gene_loc),
                *size,
                "--out",
                str(out),
                *extra,
            ]
            return Bench(key, "", cmd, out=out)

        gw, c22 = ["--n", n_gw], ["--n-col", "N"]
        benches = [
            Bench(
                "zcat_gw",
                "`zcat` synthetic sumstats (I/O floor)",
                ["zcat", str(ss_gw)],
                devnull=True,
            ),
            Bench(
                "cat_bed",
                "`cat` synthetic .bed + .bim (page cache)",
                ["cat", f"{bfile}.bed", f"{bfile}.bim"],
                devnull=True,
            ),
            Bench(
                "zcat_22",
                "`zcat` chr22 sumstats (I/O floor)",
                ["zcat", str(ex.sumstats)],
                devnull=True,
            ),
            Bench(
                "import",
                "`python3 -c 'import ldenrich.cli'` (start-up)",
                [py, "-c", "import ldenrich.cli"],
                devnull=True,
            ),
            genes("c22_noraw", ex.sumstats, ex.bfile, c22, ["--no-raw", *threads]),
            genes("c22_raw", ex.sumstats, ex.bfile, c22, threads),
            genes("gw_noraw_t1", ss_gw, bfile, gw, ["--no-raw", "--threads", "1"]),
            genes("gw_noraw", ss_gw, bfile, gw, ["--no-raw", *threads]),
            genes("gw_raw_t1", ss_gw, bfile, gw, ["--threads", "1"]),
            genes("gw_raw", ss_gw, bfile, gw, threads),
        ]
        labels = {
            "c22_noraw": f"chr22 real, `--no-raw`, {default}",
            "c22_raw": f"chr22 real, with `.genes.raw`, {default}",
            "gw_noraw_t1": "genome-wide, `--no-raw`, `--threads 1`",
            "gw_noraw": f"genome-wide, `--no-raw`, {default}",
            "gw_raw_t1": "genome-wide, with `.genes.raw`, `--threads 1`",
            "gw_raw": f"genome-wide, with `.genes.raw`, {default}",
        }
        for b in benches:
            b.label = labels.get(b.key, b.label)
        by = {b.key: b for b in benches}
        print(
            f"- {args.warmup} warm-up round(s), {args.repeats} timed rounds, round-robin; "
            "'other cores': CPU used by other processes during the run (from /proc/stat)",
            flush=True,
        )

        t_bench = time.perf_counter()
        for r in range(args.warmup + args.repeats):
            timed = r >= args.warmup
            for b in benches:
                wall, cpu, rss, others = run_once(b, logs / b.key)
                if timed:
                    b.walls.append(wall)
                    b.cpus.append(cpu)
                    b.rss_kib.append(rss)
                    b.others.append(others)
                    if b.out is not None:
                        b.steps.append(step_timings(b, logs / b.key))
                print(
                    f"  round {r + 1}: {b.key} {wall:.2f} s (cpu {cpu:.1f} s, other cores "
                    f"{others:.2f})",
                    file=sys.stderr,
                    flush=True,
                )

        breakdown = None
        if not args.no_breakdown:
            out = tmp / "breakdown" / "out"
            out.parent.mkdir()
            cmd = [py, "-c", _BREAKDOWN, str(ss_gw), str(bfile), str(gene_loc), n_gw, str(out), "1"]
            env_threads = (
                {} if args.threads is None else {"LDENRICH_NUM_THREADS": str(args.threads)}
            )
            res = subprocess.run(
                cmd, capture_output=True, text=True, env={**os.environ, **env_threads}
            )
            if res.returncode == 0:
                breakdown = json.loads(res.stdout.strip().splitlines()[-1])
            else:
                print(f"- breakdown failed: {res.stderr[-2000:]}")
        sizes = None
        if args.size_profile > 0:
            cmd = [py, "-c", _SIZES, str(ss_gw), str(bfile), str(gene_loc), n_gw]
            res = subprocess.run([*cmd, str(args.size_profile)], capture_output=True, text=True)
            if res.returncode == 0:
                sizes = json.loads(res.stdout.strip().splitlines()[-1])
            else:
                print(f"- size profile failed: {res.stderr[-2000:]}")
        bench_s = time.perf_counter() - t_bench

        print(
            "- load average (1, 5, 15 min) at end: "
            + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        if native_digest() != digest:
            print("- WARNING: the _native extension was replaced during the run; rerun")
        print(f"- benchmark time (without data generation): {bench_s:.0f} s")
        print()
        print(
            "| command | genes analysed | SNPs used | median wall (s) | min-max wall (s) "
            "| median CPU user+sys (s) | CPU / wall | median peak RSS (MiB) | other cores |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        gene_counts = {}
        for b in benches:
            if b.out is not None:
                table = pd.read_csv(
                    b.out.with_name(b.out.name + ".genes.out"), sep=r"\s+", usecols=["GENE"]
                )
                gene_counts[b.key] = len(table)
                print(fmt_row(b, f"{len(table):,}", f"{b.step('snps_used'):,.0f}"))
            else:
                print(fmt_row(b, "", ""))

        gn, gr, gn1, gr1 = by["gw_noraw"], by["gw_raw"], by["gw_noraw_t1"], by["gw_raw_t1"]
        cn, cr = by["c22_noraw"], by["c22_raw"]
        print("\nRatios (medians of this run):")
        print(
            f"- genome-wide `--no-raw`, {default}: {gn.wall:.1f} s wall "
            f"({'UNDER' if gn.wall < GOAL_S else 'OVER'} the {GOAL_S:.0f} s goal); "
            f"with `.genes.raw`: {gr.wall:.1f} s "
            f"({'UNDER' if gr.wall < GOAL_S else 'OVER'})"
        )
        print(
            f"- speedup, --threads 1 / {default}, wall: `--no-raw` {gn1.wall / gn.wall:.2f}x, "
            f"with .genes.raw {gr1.wall / gr.wall:.2f}x (CPU/wall of the default-thread runs: "
            f"{gn.cpu / gn.wall:.2f}, {gr.cpu / gr.wall:.2f}; other processes used "
            f"{statistics.median(gn.others):.2f} and {statistics.median(gr.others):.2f} cores "
            "meanwhile)"
        )
        print(
            f"- cost of the correlations (.genes.raw), genome-wide: wall x{gr.wall / gn.wall:.2f}"
            f", CPU x{gr.cpu / gn.cpu:.2f}; chr22: wall x{cr.wall / cn.wall:.2f}"
        )
        ng, n22 = gene_counts["gw_noraw"], gene_counts["c22_noraw"]
        print(
            f"- CPU per gene, `--no-raw`: genome-wide {gn1.cpu / ng * 1e3:.2f} ms "
            f"({ng:,} genes, --threads 1), chr22 {cn.cpu / n22 * 1e3:.2f} ms ({n22:,} genes, "
            "start-up included)"
        )
        print(
            f"- genome-wide / chr22 (`--no-raw`): genes x{ng / n22:.1f}, wall "
            f"x{gn.wall / cn.wall:.1f}"
        )
        print(
            f"- genome-wide `--no-raw` / zcat of its sumstats: "
            f"x{gn.wall / by['zcat_gw'].wall:.0f}; chr22 `--no-raw` / zcat: "
            f"x{cn.wall / by['zcat_22'].wall:.0f}"
        )

        print("\nWhere the time goes (medians over rounds; each run's log and progress lines):")
        print(
            "| run | wall | read sumstats + gene.loc | plan + first 500 genes "
            "| all genes (from start of the analysis step) | correlations "
            "| start-up, imports, writing (the rest) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for b in (gn1, gn, gr1, gr, cn, cr):
            rest = b.wall - b.step("read") - b.step("analysis")
            corr = b.step("correlations")
            print(
                f"| {b.label} | {b.wall:.2f} | {b.step('read'):.2f} | "
                f"{b.step('first_chunk'):.1f} | {b.step('genes'):.1f} | "
                f"{'' if np.isnan(corr) else f'{corr:.1f}'} | {rest:.2f} |"
            )
        if breakdown:
            nsnps, over = breakdown["nsnps"], breakdown["over_people"]
            count = breakdown["genes_analysed"]
            print(
                f"\nIn-process breakdown, genome-wide with .genes.raw, {default} (one run, "
                "seconds):"
            )
            print("- " + ", ".join(f"{k} {v:.2f}" for k, v in breakdown["seconds"].items()))
            print(
                "- peak RSS (MiB) after: "
                + ", ".join(f"{k} {v:,.0f}" for k, v in breakdown["peak_rss_mib_after"].items())
            )
            print(
                f"- SNPs per gene: mean {nsnps['mean']:.0f}, median {nsnps['50%']:.0f}, "
                f"90th percentile {nsnps['90%']:.0f}, 99th {nsnps['99%']:.0f}, max "
                f"{nsnps['max']:.0f}; {over} of {count:,} genes have more SNPs than the panel "
                f"has people ({meta['people']})"
            )

        if sizes:
            print(
                f"\nCPU per gene by SNPs used (1 gene in {args.size_profile} of {sizes['genes']:,} "
                f"genes, each run alone on one thread; {sizes['cpu_s']:.1f} s CPU for "
                f"{sizes['sampled']:,} genes; panel of {sizes['people']} people):"
            )
            print("| SNPs in gene | share of genes | share of gene CPU | mean CPU per gene (ms) |")
            print("|---|---:|---:|---:|")
            for lo, hi, share, cpu_share, mean_ms in sizes["bins"]:
                span = f"> {lo}" if hi >= 10**9 else f"{lo + 1}-{hi}"
                print(f"| {span} | {share:.1%} | {cpu_share:.1%} | {mean_ms:.2f} |")

        cal = calibration(gn.out.with_name(gn.out.name + ".genes.out"), data)
        print("\nSanity checks (synthetic genome-wide run, default threads, `--no-raw`):")
        print(
            f"- genes analysed: {cal['genes']:,} (gene.loc has {meta['genes_in_loc']:,} genes on "
            "these chromosomes)"
        )
        print(
            f"- calibration: {cal['null_genes']:,} genes more than {cal['reach_kb']:.0f} kb "
            f"from every planted signal: fraction with P < 0.05 = {cal['null_p05']:.4f} "
            f"(binomial SE {cal['null_se05']:.4f}; genes overlap, so the real SE is larger), "
            f"P < 0.01 = {cal['null_p01']:.4f}, P < 0.001 = {cal['null_p001']:.4f}, "
            f"Bonferroni-significant = {cal['null_bonferroni']}"
        )
        print(
            f"- planted signals: {cal['signals']}; {cal['hit_genes']} genes contain one in their "
            f"window, of which {cal['hit_bonferroni']:.0%} reach P < {cal['bonferroni']:.2g}"
        )
        print(
            f"- --threads 1 vs {default}, --no-raw: "
            + compare(
                gn1.out.with_name(gn1.out.name + ".genes.out"),
                gn.out.with_name(gn.out.name + ".genes.out"),
            )
        )
        print(
            "- with vs without .genes.raw, genes.out: "
            + compare(
                gr.out.with_name(gr.out.name + ".genes.out"),
                gn.out.with_name(gn.out.name + ".genes.out"),
            )
        )
        raw = [
            gr.out.with_name(gr.out.name + ".genes.raw"),
            gr1.out.with_name(gr1.out.name + ".genes.raw"),
        ]
        print(
            f"- .genes.raw: {raw[0].stat().st_size / 2**20:.0f} MiB; identical for --threads 1 "
            f"and {default}: {raw[0].read_bytes() == raw[1].read_bytes()}"
        )

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
