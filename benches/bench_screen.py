"""The 7M-SNP screen of issue 21 in one run: ``zcat``, ldenrich builds, the polars script.

Times, as fresh processes, round-robin, the median over ``--repeats`` rounds (wall, CPU = user
+ sys and peak RSS from GNU ``time``): ``zcat`` of the gzip summary statistics, ``ldenrich
enrich`` of the importable build (the default source build when run from a ``maturin develop``
venv), of any other build given by ``--build LABEL=DIR`` (a directory holding an ``ldenrich``
package, put first on ``PYTHONPATH``) or ``--wheel PATH`` (a built wheel, unpacked into a
temporary directory and run the same way, so it uses this interpreter's numpy/pandas/scipy), and
``reference_fast.py --engine polars`` (the same screen written with polars and numpy), for each
``--sets`` count. Prints one table with ratios to ``zcat``, peak RSS and the step times of each
ldenrich run's log, and the inflate backend of each build.

    python3 benches/bench_screen.py --data /path/to/snps7000000 --repeats 3 \\
        --wheel dist/ldenrich-0.1.0-cp310-abi3-manylinux_2_28_x86_64.whl

``--data`` is a directory written by ``make_enrich_inputs.py`` (made with ``--snps`` in a
temporary directory when not given).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bench_enrich import PY, Bench, generate, machine, ref_cmd, rounds, table

HERE = Path(__file__).resolve().parent
STEPS = {
    "reading summary statistics, reference and gene locations": "reading",
    "building the SNP universe and annotating": "annotate",
}


def backend(pythonpath: str | None) -> str:
    """The inflate backend of the build that ``pythonpath`` (or this venv) imports."""
    env = {**os.environ, "PYTHONPATH": pythonpath} if pythonpath else None
    # Builds older than build_info() (issue 21) named it only in _native.DEFLATE_BACKEND.
    code = (
        "import ldenrich; info = getattr(ldenrich, 'build_info', None); "
        "print(info()['inflate'] if info else ldenrich._native.DEFLATE_BACKEND)"
    )
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, env=env, check=False)
    return out.stdout.strip() or "inflate unknown"


def unpack_wheel(wheel: Path, dest: Path) -> str:
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(dest)
    return str(dest)


def step_medians(b: Bench) -> str:
    if not b.steps or not b.steps[0]:
        return "-"
    parts = []
    for name in b.steps[0]:
        label = STEPS.get(name, "testing" if name.startswith("testing ") else None)
        if label:
            v = statistics.median(s.get(name, float("nan")) for s in b.steps)
            parts.append(f"{label} {v:.2f}")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=None, help="a make_enrich_inputs.py directory")
    p.add_argument("--snps", type=int, default=7_000_000, help="SNPs to generate without --data")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sets", default="100,1000", help="gene-set counts (sets_N.gmt), comma list")
    p.add_argument("--wheel", type=Path, default=None, help="a built wheel to time as well")
    p.add_argument(
        "--build",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="another build: DIR holds an ldenrich package with its _native (repeatable)",
    )
    p.add_argument("--no-polars", action="store_true", help="leave out the polars script")
    p.add_argument("--json", type=Path, default=None, help="raw results")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ldenrich-screen-") as tmp_name:
        tmp = Path(tmp_name)
        d = args.data or generate(args.snps, tmp / "data")
        meta = json.loads((d / "meta.json").read_text())
        builds: list[tuple[str, str | None]] = [("this venv's build", None)]
        for spec in args.build:
            label, _, path = spec.partition("=")
            if not path or not (Path(path) / "ldenrich").is_dir():
                raise SystemExit(f"--build {spec}: expected LABEL=DIR with DIR/ldenrich")
            builds.append((label, path))
        if args.wheel is not None:
            builds.append((f"wheel {args.wheel.name}", unpack_wheel(args.wheel, tmp / "wheel")))
        sets = [int(k) for k in args.sets.split(",")]

        print("\n".join(machine()))
        print(f"- data: {d}; {meta['sumstats_rows']:,} sumstats rows, {meta['bim_rows']:,} .bim")
        zcat = Bench("`zcat sumstats.tsv.gz > /dev/null`", ["zcat", str(d / "sumstats.tsv.gz")])
        zcat.shell_out = str(tmp / "zcat.out")
        benches = [zcat]
        for k in sets:
            gmt = d / f"sets_{k}.gmt"
            if not gmt.exists():
                raise SystemExit(f"{gmt} is missing (make_enrich_inputs.py writes 1-1000)")
            for label, path in builds:
                out = tmp / f"out-{len(benches)}/"
                cmd = [PY, "-m", "ldenrich", "enrich", "--sumstats", str(d / "sumstats.tsv.gz")]
                cmd += ["--bim", str(d / "ref.bim"), "--gene-loc", str(d / "genes.loc")]
                cmd += ["--gene-sets", str(gmt), "--out", str(out)]
                b = Bench(f"ldenrich enrich, {label} ({backend(path)}), {k} sets", cmd)
                b.env = {"PYTHONPATH": path} if path else None
                benches.append(b)
            if not args.no_polars:
                out_tsv = tmp / f"polars-{k}.tsv"
                benches.append(Bench(f"polars script, {k} sets", ref_cmd(d, "polars", k, out_tsv)))
        rounds(benches, args.repeats, tmp)

    lines = ["", *table(benches, zcat.wall), "", "Steps (median of each run's log, s):"]
    lines += [f"- {b.label}: {step_medians(b)}" for b in benches if b.steps and b.steps[0]]
    lines.append(f"\n- load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n".join(lines))
    if args.json:
        results = {b.label: {"runs": b.runs, "steps": b.steps} for b in benches}
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
