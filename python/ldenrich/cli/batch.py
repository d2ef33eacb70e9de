"""``ldenrich batch``: many traits against one reference, locally or on a Dask cluster."""

from __future__ import annotations

import argparse
from pathlib import Path

from ldenrich.batch import parse_shard, run_batch
from ldenrich.cli._common import LOGGER, HelpFormatter, start_logging
from ldenrich.cli.run import (
    add_run_options,
    options_from_args,
    reference_from_args,
    sumstats_options_from_args,
)
from ldenrich.errors import InvalidArgumentError
from ldenrich.pipeline import ANALYSES

HELP = "many traits: one reference read once, a manifest of summary statistics, local or Dask"

#: Exit statuses above this many failed traits are this number (shells keep 8 bits).
MAX_FAILED_STATUS = 100


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "batch",
        help=HELP,
        description=HELP + ". The manifest is a TSV with columns trait and sumstats, optionally "
        "n, n_col, format, ncase, ncontrol and metadata columns. Writes DIR/traits/TRAIT/TRAIT.* "
        "(what `ldenrich run` writes), DIR/status.tsv, DIR/batch.qc.tsv, "
        "DIR/batch.enrichment.tsv (long, with batch-wide Bonferroni and BH), "
        "DIR/batch.enrichment.wide.tsv, DIR/batch.sets.tsv, DIR/batch.report.html and "
        "DIR/batch.log. A rerun skips traits whose inputs, options and version are unchanged. "
        "Exit status: 0, or the number of failed traits (at most 100).",
        formatter_class=HelpFormatter,
    )
    p.add_argument("--manifest", required=True, type=Path, help="TSV of traits (see above)")
    add_run_options(p, required=False, sumstats=False)
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="batch directory")
    p.add_argument(
        "--analyses", default=",".join(ANALYSES), metavar="LIST",
        help="comma-separated analyses among screen, genes, sets, h2 (S-LDSC: needs "
        "--ref-ld-chr and --w-ld-chr)",
    )  # fmt: skip
    p.add_argument(
        "--bim", type=Path, help="reference .bim for a screen alone (instead of --bfile)"
    )
    run = p.add_argument_group("execution")
    run.add_argument(
        "--workers", type=int, default=1,
        help="local worker processes (threads are divided among them)",
    )  # fmt: skip
    run.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="run on a Dask cluster (e.g. tcp://host:8786) instead of local workers",
    )  # fmt: skip
    run.add_argument(
        "--shard", type=_shard, metavar="I/N",
        help="run only every N-th trait from the I-th (then `ldenrich gather DIR`)",
    )  # fmt: skip
    p.set_defaults(run=run_command)
    return p


def _shard(text: str) -> tuple[int, int]:
    try:
        return parse_shard(text)
    except InvalidArgumentError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run_command(args: argparse.Namespace) -> int:
    """Run ``ldenrich batch``."""
    analyses = tuple(a.strip() for a in args.analyses.split(",") if a.strip())
    options = options_from_args(args, analyses)
    reference = reference_from_args(args)
    reference.check(options)
    args.out.mkdir(parents=True, exist_ok=True)
    shard = args.shard
    log_name = "batch.log" if shard is None else f"batch.shard-{shard[0]}-of-{shard[1]}.log"
    start_logging(args.out / log_name, args.verbose)
    result = run_batch(
        args.manifest, reference, args.out, options, sumstats_options_from_args(args),
        workers=args.workers, scheduler=args.scheduler, shard=shard,
    )  # fmt: skip
    counts = {k: sum(s["status"] == k for s in result.statuses) for k in ("ok", "reused", "failed")}
    LOGGER.info(
        "batch: %d ok, %d reused (unchanged), %d failed", counts["ok"], counts["reused"],
        counts["failed"],
    )  # fmt: skip
    for kind, path in result.tables.items():
        LOGGER.info("wrote %s (%s)", path, kind)
    if shard is not None:
        LOGGER.info("shard %d/%d done; when every shard is: ldenrich gather %s", *shard, args.out)
    return min(result.n_failed, MAX_FAILED_STATUS)
