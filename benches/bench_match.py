"""Benchmark of matching summary statistics to the reference by position against rsid matching
and ``zcat``.

Uses the genome-wide inputs of ``make_enrich_inputs.py`` (``SNP CHR BP A1 A2 FRQ BETA SE P N``,
gzip) and, made once from them, ``sumstats_noid.tsv.gz``: the same rows without the ``SNP``
column, gzip level 6 like the original, as Pan-UKBB ships position-keyed files. Times as fresh
processes, round-robin, the median over ``--repeats`` rounds (wall, CPU, peak RSS from GNU
``time``): ``zcat`` of each file, and ``ldenrich enrich`` (100 gene sets) with ``--match rsid``,
``auto`` and ``position`` on the original and ``auto`` on the file without ids.

    python3 benches/bench_match.py --snps 7000000 --repeats 3 --data /tmp/enrich-data
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_enrich import Bench, enrich_cmd, generate, machine, rounds, table


def without_ids(d: Path) -> str:
    """``sumstats_noid.tsv.gz``: the sumstats without their SNP column (made once)."""
    name = "sumstats_noid.tsv.gz"
    if not (d / name).exists():
        print(f"# writing {d / name}", flush=True)
        tmp = d / (name + ".part")
        with open(tmp, "wb") as out:
            zcat = subprocess.Popen(["zcat", str(d / "sumstats.tsv.gz")], stdout=subprocess.PIPE)
            cut = subprocess.Popen(["cut", "-f2-"], stdin=zcat.stdout, stdout=subprocess.PIPE)
            subprocess.run(["gzip", "-6"], stdin=cut.stdout, stdout=out, check=True)
            if zcat.wait() or cut.wait():
                raise SystemExit("zcat | cut failed")
        tmp.rename(d / name)
    return name


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--snps", type=int, default=7_000_000)
    p.add_argument("--data", type=Path, default=None, help="generated inputs (kept)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="site directory of another ldenrich build (pip install --target DIR wheel), "
        "timed on the same rsid run as the before of a change",
    )
    args = p.parse_args(argv)
    if not shutil.which("/usr/bin/time"):
        raise SystemExit("needs GNU time (/usr/bin/time): apt-get install -y time")
    tmp = Path(tempfile.mkdtemp(prefix="ldenrich-bench-match-"))
    d = generate(args.snps, (args.data or tmp / "data") / f"snps{args.snps}")
    noid = without_ids(d)
    out = tmp / "out"
    out.mkdir()
    print("\n".join(machine()))
    zcat_out = str(tmp / "zcat.out")
    gz = "sumstats.tsv.gz"

    def enrich(name: str, match: str, label: str) -> Bench:
        prefix = out / f"{Path(name).stem}-{match}"
        return Bench(label, [*enrich_cmd(d, name, 100, prefix, None), "--match", match])

    benches = [
        Bench("`zcat sumstats.tsv.gz`", ["zcat", str(d / gz)], shell_out=zcat_out),
        Bench(f"`zcat {noid}`", ["zcat", str(d / noid)], shell_out=zcat_out),
        enrich(gz, "rsid", "enrich --match rsid"),
        enrich(gz, "auto", "enrich --match auto"),
        enrich(gz, "position", "enrich --match position"),
        enrich(noid, "auto", "enrich, no id column (position)"),
    ]
    if args.baseline is not None:
        cmd = enrich_cmd(d, gz, 100, out / "baseline", None)
        benches.insert(
            2, Bench("baseline build, enrich", ["env", f"PYTHONPATH={args.baseline}", *cmd])
        )
    rounds(benches, args.repeats, tmp)
    print("\n".join(["", *table(benches, benches[0].wall), ""]))
    by = {b.label: b for b in benches}
    rsid, pos = by["enrich --match rsid"], by["enrich --match position"]
    noid_run = by["enrich, no id column (position)"]
    print(f"- position / zcat (same file): {pos.wall / benches[0].wall:.2f} [<= 1.0]")
    print(f"- no-id file, position / its zcat: {noid_run.wall / benches[1].wall:.2f} [<= 1.0]")
    print(f"- position / rsid: {pos.wall / rsid.wall:.2f}; peak RSS {pos.rss:.0f} MiB [<= 1024]")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
