"""Peak memory of reading a large summary-statistics file (issue 6: bounded memory).

Writes an N-row file (``CHR SNP BP A1 A2 BETA SE P N INFO``, plain text, about 58 bytes a row)
to a temporary directory, reads it with ``ldenrich.read_sumstats`` in a fresh process and
reports the peak RSS added by the read, per row. ``--ids chrpos`` writes ``chr:pos:a1:a2`` ids
instead of rs numbers. The file is deleted at the end (10M rows take 585 MB).

    python3 benches/mem_sumstats.py --rows 10000000 [--ids rs|chrpos]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.special import ndtr

MEASURE = """
import resource, sys, time
import ldenrich
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
ss = ldenrich.read_sumstats(sys.argv[1])
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"rows {ss.rows_read:,}; columns kept {sorted(ss.columns)}; read {dt:.1f} s; peak RSS "
      f"{base / 1024:.0f} MiB after import, {peak / 1024:.0f} MiB after the read: "
      f"+{(peak - base) / 1024:.0f} MiB = {(peak - base) * 1024 / ss.rows_read:.1f} bytes/row")
"""


def write(path: Path, n: int, ids: str) -> None:
    rng = np.random.default_rng(1)
    alleles = np.array(list("ACGT"))
    with path.open("w") as f:
        f.write("CHR\tSNP\tBP\tA1\tA2\tBETA\tSE\tP\tN\tINFO\n")
        for start in range(0, n, 1_000_000):
            m = min(1_000_000, n - start)
            idx = np.arange(start + 1, start + m + 1)
            chrom = 1 + idx * 22 // (n + 1)
            bp = (idx % 10_000_000) * 25 + 1
            a1 = rng.integers(0, 4, m)
            a2 = (a1 + 1) % 4
            beta = rng.normal(0, 0.01, m)
            p = 2 * ndtr(-np.abs(beta / 0.01))
            rows = []
            for c, i, b, x, y, bt, pp in zip(
                chrom.tolist(), idx.tolist(), bp.tolist(), alleles[a1].tolist(),
                alleles[a2].tolist(), beta.tolist(), p.tolist(), strict=True,
            ):  # fmt: skip
                snp = f"rs{i}" if ids == "rs" else f"{c}:{b}:{x}:{y}"
                rows.append(f"{c}\t{snp}\t{b}\t{x}\t{y}\t{bt:.5f}\t0.01\t{pp:.4g}\t350000\t0.98\n")
            f.write("".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--ids", choices=["rs", "chrpos"], default="rs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sumstats.tsv"
        write(path, args.rows, args.ids)
        print(f"{path.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows, {args.ids} ids")
        subprocess.run([sys.executable, "-c", MEASURE, str(path)], check=True)


if __name__ == "__main__":
    main()
