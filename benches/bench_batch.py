"""Many traits: ``ldenrich batch`` against the same traits as separate ``ldenrich enrich`` runs.

In one run, on inputs generated on the fly (benches/make_enrich_inputs.py: a panel ``.bim``
10% larger than the summary statistics, 18,000 genes, 100 gene sets), with ``--traits``
summary-statistic files that differ in their P column (a shuffle of the generated one, each
gzip -6):

* the peer: ``ldenrich enrich`` once per trait, in a shell loop (each reads the ``.bim``,
  gene locations and gene sets again, and pays Python's start-up);
* ``ldenrich batch --analyses screen`` with 1 worker and with 2 workers (each worker reads the
  reference once).

Reports wall time, traits per minute, the speed-up over the loop, the scaling from 1 to 2
workers, and the peak RSS of the largest process (a worker, or one ``enrich`` run). The tables
of every trait are checked to be the same bytes in the loop and in the batch.

    python3 benches/bench_batch.py --snps 1000000 --traits 50
    python3 benches/bench_batch.py --snps 7000000 --traits 6
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from make_enrich_inputs import make

#: Run a command and print the largest RSS (KiB) of it and its descendants: the kernel folds a
#: reaped child's peak, and its own children's, into the parent's RUSAGE_CHILDREN.
PEAK = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(r.returncode)"
)


def measured(cmd: list[str], log: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of ``cmd`` (its stderr goes to ``log``)."""
    start = time.perf_counter()
    with open(log, "w") as fh:
        done = subprocess.run([sys.executable, "-c", PEAK, *cmd], stderr=fh, stdout=fh)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}; see {log}")
    peak_kib = int(log.read_text().strip().splitlines()[-1])
    return wall, peak_kib / 1024


def make_traits(base: Path, n_traits: int, seed: int) -> list[Path]:
    frame = pl.read_csv(base / "sumstats.tsv", separator="\t", infer_schema_length=0)
    rng = np.random.default_rng(seed)
    paths = []
    for k in range(n_traits):
        path = base / f"trait{k:03d}.tsv.gz"
        shuffled = frame.with_columns(
            pl.Series("P", frame["P"].to_numpy()[rng.permutation(len(frame))])
        )
        with open(path, "wb") as out:
            gz = subprocess.Popen(["gzip", "-6", "-c"], stdin=subprocess.PIPE, stdout=out)
            shuffled.write_csv(gz.stdin, separator="\t")  # type: ignore[arg-type]
            gz.stdin.close()  # type: ignore[union-attr]
            gz.wait()
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--snps", type=int, default=1_000_000)
    p.add_argument("--traits", type=int, default=50)
    p.add_argument("--sets", type=int, default=100, choices=[1, 10, 100, 1000])
    p.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    p.add_argument("--seed", type=int, default=20261207)
    args = p.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="ldenrich-batch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    ldenrich = shutil.which("ldenrich") or str(Path(sys.executable).with_name("ldenrich"))
    t0 = time.perf_counter()
    previous = work / "meta.json"
    reuse = previous.exists() and json.loads(previous.read_text()).get("traits") == [
        args.snps,
        args.traits,
        args.seed,
    ]
    if reuse:
        # The same inputs from an earlier run in --dir (they take minutes to generate).
        meta = json.loads(previous.read_text())
        traits = [work / f"trait{k:03d}.tsv.gz" for k in range(args.traits)]
    else:
        meta = make(args.snps, work, args.seed, set())
        traits = make_traits(work, args.traits, args.seed)
        meta["traits"] = [args.snps, args.traits, args.seed]
        previous.write_text(json.dumps(meta))
    print(
        f"inputs: {meta['sumstats_rows']:,} SNPs x {len(traits)} traits, .bim of "
        f"{meta['bim_rows']:,} rows, {args.sets} gene sets ({time.perf_counter() - t0:.0f} s "
        f"to generate) in {work}",
        flush=True,
    )
    sets = work / f"sets_{args.sets}.gmt"
    manifest = work / "manifest.tsv"
    manifest.write_text(
        "trait\tsumstats\n" + "".join(f"{t.name.split('.')[0]}\t{t}\n" for t in traits)
    )
    common = ["--gene-loc", str(work / "genes.loc"), "--gene-sets", str(sets)]

    loop_dir = work / "loop"
    loop_dir.mkdir(exist_ok=True)
    script = work / "loop.sh"
    script.write_text(
        "set -e\n"
        + "".join(
            f"{ldenrich} enrich --sumstats {t} --bim {work / 'ref.bim'} {' '.join(common)} "
            f"--out {loop_dir / t.name.split('.')[0]}\n"
            for t in traits
        )
    )
    runs: dict[str, tuple[float, float]] = {}
    runs["enrich loop"] = measured(["bash", str(script)], work / "loop.log")
    for workers in (1, 2):
        out = work / f"batch{workers}"
        shutil.rmtree(out, ignore_errors=True)
        runs[f"batch, {workers} worker{'s' * (workers > 1)}"] = measured(
            [
                ldenrich,
                "batch",
                "--manifest",
                str(manifest),
                "--analyses",
                "screen",
                "--bim",
                str(work / "ref.bim"),
                *common,
                "--workers",
                str(workers),
                "--out",
                str(out),
            ],
            work / f"batch{workers}.log",
        )
    # The same tables: the batch is the loop, faster.
    for t in traits:
        name = t.name.split(".")[0]
        for suffix in (".enrichment.tsv", ".qc.tsv"):
            loop = (loop_dir / (name + suffix)).read_bytes()
            for workers in (1, 2):
                batch = (work / f"batch{workers}" / "traits" / name / (name + suffix)).read_bytes()
                if batch != loop:
                    raise SystemExit(f"{name}{suffix}: batch and loop differ")
    base = runs["enrich loop"][0]
    print(
        f"\n{len(traits)} traits of {meta['sumstats_rows']:,} SNPs, {os.cpu_count()} cores, "
        f"ldenrich {subprocess.check_output([ldenrich, '--version'], text=True).split()[1]}"
    )
    print("| run | wall | traits/min | speed-up vs loop | peak RSS (largest process) |")
    print("|---|---:|---:|---:|---:|")
    for name, (wall, rss) in runs.items():
        print(
            f"| {name} | {wall:.1f} s | {len(traits) / wall * 60:.1f} | {base / wall:.2f}x | "
            f"{rss:.0f} MiB |"
        )
    one, two = runs["batch, 1 worker"][0], runs["batch, 2 workers"][0]
    print(f"\nscaling 1 -> 2 workers: {one / two:.2f}x; tables identical to the loop's: yes")
    (work / "bench_batch.json").write_text(
        json.dumps({"traits": len(traits), "snps": meta["sumstats_rows"], "runs": runs}, indent=1)
    )
    if args.dir is None:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
