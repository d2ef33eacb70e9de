"""``ldenrich gather``: the batch tables of a batch directory whose shards have all run."""

from __future__ import annotations

import argparse
from pathlib import Path

from ldenrich.batch import gather
from ldenrich.cli._common import LOGGER, HelpFormatter, add_common_options, start_logging

HELP = "build the batch tables of `ldenrich batch --shard` runs once all shards are done"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand."""
    p = sub.add_parser(
        "gather",
        help=HELP,
        description=HELP + ". Writes DIR/status.tsv, DIR/batch.qc.tsv, "
        "DIR/batch.enrichment.tsv, DIR/batch.enrichment.wide.tsv, DIR/batch.sets.tsv and "
        "DIR/batch.report.html from DIR/traits/*. Exit status: 0, or the number of traits "
        "that failed or have not run (at most 100).",
        formatter_class=HelpFormatter,
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the batch directory (--out of batch)")
    add_common_options(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``ldenrich gather``."""
    import pandas as pd

    start_logging(args.dir / "gather.log", args.verbose)
    written = gather(args.dir)
    for kind, path in written.items():
        LOGGER.info("wrote %s (%s)", path, kind)
    status = pd.read_csv(written["status.tsv"], sep="\t", keep_default_na=False)
    counts = status.status.value_counts()
    LOGGER.info("traits: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return min(int((status.status != "ok").sum()), 100)
