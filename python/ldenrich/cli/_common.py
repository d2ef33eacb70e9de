"""Helpers shared by subcommands: logging to stderr and to ``PREFIX.log``, timed steps."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import ldenrich
from ldenrich._log import (  # noqa: F401 (the subcommands' logging, re-exported)
    LOGGER,
    SHOWN_ITEMS,
    log_items,
    log_outcome,
    log_snp_accounting,
    log_sumstats,
    start_logging,
    step,
    stop_logging,
)
from ldenrich.pipeline import COLUMN_ROLES as _COLUMN_ROLES

if TYPE_CHECKING:
    pass


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default only when it has one worth reading (not None, False or [])."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, [], argparse.SUPPRESS) or "default" in text:
            return text
        return super()._get_help_string(action)


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options every subcommand has."""
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more detail; -v shows tracebacks"
    )
    parser.add_argument(
        "--threads",
        type=thread_count,
        default=None,
        help="threads to use (default: LDENRICH_NUM_THREADS or all cores)",
    )


OUT_RULE = (
    "--out is a prefix (--out results/height writes results/height.*); an existing directory "
    "or a path ending in / (--out results/) holds ldenrich.* inside it; missing directories "
    "are created."
)


def add_out_option(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """``--out`` with the rule of :func:`output_prefix` (kept as text: a trailing ``/`` matters)."""
    parser.add_argument(
        "--out", required=required, metavar="PREFIX",
        help="output prefix, or a directory (existing, or ending in /)",
    )  # fmt: skip


def output_prefix(out: Path | str, name: str = "ldenrich") -> Path:
    """The one ``--out`` rule of every subcommand.

    ``--out`` is a path prefix: ``--out results/height`` writes ``results/height.genes.out``,
    ``results/height.log`` and so on. When it names an existing directory or ends with a path
    separator (``--out results/``), the files go inside it as ``results/NAME.*`` (``NAME`` is
    ``ldenrich``, or ``--name`` of ``run``). A missing directory is created.

    Examples
    --------
    >>> output_prefix("results/")
    PosixPath('results/ldenrich')
    >>> output_prefix("results/height")
    PosixPath('results/height')
    """
    text = str(out)
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        return path / name
    return path


def start_prefix_log(out: Path | str, verbose: int, name: str = "ldenrich") -> tuple[Path, Path]:
    """The output prefix of ``--out`` (:func:`output_prefix`) and its log ``PREFIX.log``, with
    logging started to that log and to stderr.

    Returns
    -------
    (prefix, log_path)

    Examples
    --------
    >>> import tempfile
    >>> from ldenrich.cli._common import start_prefix_log, stop_logging
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     prefix, log_path = start_prefix_log(f"{tmp}/", 0, "demo")
    ...     stop_logging()
    ...     print(prefix.name, log_path.name, log_path.exists())
    demo demo.log True
    """
    prefix = output_prefix(out, name)
    log_path = prefix.with_name(prefix.name + ".log")
    start_logging(log_path, verbose)
    return prefix, log_path


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """``warnings.showwarning`` for the command line: one ``warning:`` line, logged."""
    text = f"warning: {message} [{category.__name__}]"
    if LOGGER.handlers:
        LOGGER.warning("%s", text)
    else:
        print(text, file=sys.stderr)


def gene_loc_arg(text: str) -> Path:
    """``--gene-loc``: a file, or a bundled build (``NCBI37``, ``NCBI38``, ``37``, ``38``)."""
    path = Path(text)
    if path.exists():
        return path
    from ldenrich._example import _BUILDS, bundled_gene_loc

    return bundled_gene_loc(text) if text.strip().lower() in _BUILDS else path


GENE_LOC_HELP = "MAGMA .gene.loc, or NCBI37 / NCBI38 for the bundled files"


def build_arg(text: str) -> Path:
    """``--build``: 37 or 38 (or GRCh37/hg19, GRCh38/hg38), as the bundled gene locations."""
    try:
        return ldenrich.bundled_gene_loc(text)
    except ldenrich.InvalidArgumentError:
        raise argparse.ArgumentTypeError(
            f"must be 37 or 38 (GRCh37/hg19, GRCh38/hg38); got {text!r}"
        ) from None


def add_gene_loc_options(group: argparse._ActionsContainer, required: bool, help: str) -> None:
    """``--gene-loc FILE`` or ``--build 37|38`` (the bundled NCBI gene locations of that build),
    one of the two; both set ``args.gene_loc``."""
    one = group.add_mutually_exclusive_group(required=required)
    one.add_argument("--gene-loc", type=gene_loc_arg, help=help)
    one.add_argument(
        "--build", dest="gene_loc", type=build_arg, metavar="{37,38}",
        help="genome build of the data: use the bundled NCBI37.3 (GRCh37) or NCBI38 (GRCh38) "
        "gene locations, instead of --gene-loc",
    )  # fmt: skip


def thread_count(text: str) -> int:
    """``--threads``: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {value}")
    return value


def parse_window(text: str) -> tuple[float, float]:
    """``35,10`` -> (35.0, 10.0); ``20`` -> (20.0, 20.0)."""
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"window must be UP,DOWN in kb; got {text!r}") from None
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"window must be UP,DOWN in kb (>= 0); got {text!r}")
    return values[0], values[1]


#: The presets of ``ldenrich.read_sumstats(format=...)``.
FORMATS = (
    "gwas-ssf", "gwas-catalog-harmonised", "pan-ukbb", "neale-ukb", "finngen", "regenie",
    "saige", "metal", "plink2", "fastgwa", "bolt-lmm", "daner", "pgc-table", "ldsc", "gwas-vcf",
)  # fmt: skip

_ROLE_HELP = {"mlog10p": "-log10 p", "lnp": "natural-log p"}


def add_sumstats_options(parser: argparse.ArgumentParser) -> None:
    """Column overrides and the chi-square source, shared by every subcommand that reads
    summary statistics."""
    cols = parser.add_argument_group("summary-statistic columns (default: detected by synonyms)")
    for role in _COLUMN_ROLES:
        what = _ROLE_HELP.get(role, role.upper())
        cols.add_argument(f"--{role}-col", default=None, help=f"{what} column name")
    cols.add_argument(
        "--chisq-from",
        choices=["auto", "z", "p", "beta-se"],
        default="auto",
        help="statistic the chi-square comes from (auto: Z, else P, else BETA/SE)",
    )
    cols.add_argument(
        "--format", default="auto", metavar="NAME",
        help="layout preset (auto: detected from the header): " + ", ".join(FORMATS),
    )  # fmt: skip
    cols.add_argument(
        "--vcf-sample", default=None, metavar="NAME",
        help="the sample (trait) column of a GWAS-VCF holding several",
    )  # fmt: skip
    cols.add_argument(
        "--match", choices=["auto", "rsid", "position"], default="auto",
        help="how rows find their reference SNP (auto: rs numbers by rsid, the other rows by "
        "chromosome, position and alleles)",
    )  # fmt: skip


def column_names(args: argparse.Namespace) -> dict[str, str]:
    """The ``--ROLE-col`` names given, by role."""
    return {r: getattr(args, f"{r}_col") for r in _COLUMN_ROLES if getattr(args, f"{r}_col")}


def read_sumstats_from_args(args: argparse.Namespace) -> ldenrich.SumStats:
    """``read_sumstats`` with the column options of :func:`add_sumstats_options`."""
    columns = {f"{role}_col": getattr(args, f"{role}_col") for role in _COLUMN_ROLES}
    # Subcommands with --n/--n-col read a sample size: the column named, else one detected
    # when --n does not give it.
    wants_n = hasattr(args, "n") and getattr(args, "n", None) is None
    return ldenrich.read_sumstats(
        args.sumstats,
        n_col=getattr(args, "n_col", None),
        read_n="if-found" if wants_n else False,
        n_effective=getattr(args, "n_effective", False),
        chisq_from=args.chisq_from,
        format=args.format,
        vcf_sample=getattr(args, "vcf_sample", None),
        threads=getattr(args, "threads", None),
        signed=getattr(args, "signed", False),
        **columns,
    )


def add_sample_size_options(parser: argparse.ArgumentParser) -> None:
    """``--n``, ``--n-col`` and ``--n-effective`` of the subcommands with a gene analysis."""
    size = parser.add_argument_group(
        "sample size (default: detected: N, NEFF, OBS_CT, n_complete_samples, NCAS+NCON, daner "
        "FRQ_A_/FRQ_U_ ...)"
    ).add_mutually_exclusive_group()
    size.add_argument("--n", type=float, help="sample size of the GWAS (MAGMA's N=)")
    size.add_argument("--n-col", help="per-SNP sample-size column (MAGMA's ncol=)")
    parser.add_argument(
        "--n-effective", action="store_true",
        help="with case and control counts, N = 4/(1/Ncas + 1/Ncon) instead of Ncas + Ncon",
    )  # fmt: skip
