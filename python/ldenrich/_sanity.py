"""Sanity checks that catch wrong inputs early, as :class:`ldenrich.LdenrichWarning` warnings.

Each check looks at numbers ldenrich computes anyway (the QC counts, the positions of the SNPs
matched by id, the chi-squares, the genes of each set found in the gene locations), so it costs
nothing measurable. The thresholds are module constants, documented in the README section
"What happens to bad input".
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ldenrich._pvalues import CHI2_1_MEDIAN
from ldenrich.errors import LdenrichWarning

#: Warn when fewer than this fraction of the SNPs that reach the reference check (valid
#: statistic, unique id) are found in the reference ``.bim``.
MIN_FRACTION_IN_REFERENCE = 0.5
#: Warn when fewer than this fraction of the SNPs matched by id have the same chromosome and
#: position in the summary statistics and the reference (summary statistics with CHR and BP).
MIN_FRACTION_SAME_POSITION = 0.5
#: Median of the chi-square with 1 degree of freedom under the null: lambda_GC = median / this.
NULL_MEDIAN_CHISQ = CHI2_1_MEDIAN
#: Warn when lambda_GC (median chi-square / 0.455) is below this ...
MIN_LAMBDA_GC = 0.5
#: ... or above this. Very large polygenic GWAS run high without anything wrong (UK Biobank
#: height, N ~ 450,000: lambda_GC 2.51 on the bundled chr22 data), so the bar is well above them.
MAX_LAMBDA_GC = 4.0
#: Warn for a gene set when fewer than this fraction of its genes are in the gene locations.
MIN_FRACTION_GENES_FOUND = 0.5
#: The fraction checks need this many SNPs (or genes); below it a fraction says little.
MIN_COUNT_FOR_FRACTIONS = 20
#: The median chi-square check needs this many SNPs.
MIN_SNPS_FOR_MEDIAN = 500
#: At most this many gene sets get a warning each; beyond it one warning sums them up.
MAX_GENE_SET_WARNINGS = 5

# Reasons counted before a row reaches the reference (see DropReason in the core).
_BEFORE_REFERENCE = (
    "dropped_missing_snp_id",
    "dropped_missing_statistic",
    "dropped_invalid_statistic",
    "dropped_p_zero",
    "dropped_duplicate_snp_id",
)


def _warn(message: str) -> None:
    # stacklevel 4: past _warn, the check and the public function, to the user's call.
    warnings.warn(message, LdenrichWarning, stacklevel=4)


def check_reference_match(
    qc: Mapping[str, int], details: Mapping[str, Any], sumstats: str, bim: str
) -> None:
    """Warn when few SNPs are found in the reference, or their positions disagree."""
    reached = int(qc["read"]) - sum(int(qc.get(r, 0)) for r in _BEFORE_REFERENCE)
    absent = int(qc.get("dropped_not_in_reference", 0))
    found = reached - absent
    if reached >= MIN_COUNT_FOR_FRACTIONS and found < MIN_FRACTION_IN_REFERENCE * reached:
        _warn(
            f"only {reached - absent:,} of {reached:,} SNPs of {sumstats} "
            f"({(reached - absent) / reached:.1%}) are in the reference {bim}: the two files may "
            "use different SNP ids (rs numbers vs chr:pos), or the reference panel is much smaller "
            "than the summary statistics (e.g. HapMap3 SNPs only, then this is expected)"
        )
    compared = int(details.get("positions_compared", 0))
    if compared < MIN_COUNT_FOR_FRACTIONS:
        return
    same = int(details["positions_same"])
    if same >= MIN_FRACTION_SAME_POSITION * compared:
        return
    off_by_one = int(details["positions_off_by_one"])
    other = int(details["positions_other_chromosome"])
    if off_by_one >= MIN_FRACTION_SAME_POSITION * compared:
        why = (
            "most are off by exactly one base: the summary statistics look 0-based (the .bim is "
            "1-based)"
        )
    elif other >= MIN_FRACTION_SAME_POSITION * compared:
        why = (
            "most are on another chromosome: the CHR column may be mislabelled, or the ids "
            "refer to other variants"
        )
    elif same == 0 or same < 0.05 * compared:
        why = (
            "the summary statistics look like a different genome build from the reference "
            "(e.g. GRCh38 positions against a GRCh37 panel)"
        )
    else:
        why = "the two files may be on different genome builds, or the ids are unreliable"
    _warn(
        f"only {same:,} of {compared:,} SNPs matched by id ({same / compared:.1%}) have the same "
        f"chromosome and position in {sumstats} and {bim}; {why}. ldenrich places SNPs at the "
        "reference's positions, so the gene locations and BED files must use the reference's build"
    )


def check_chisq(chisq: np.ndarray, source: str, qc: Mapping[str, int], path: str) -> None:
    """Warn when the median chi-square is far from the expected range.

    (A P column holding -log10 p is refused by the reader at its first value above 1.)
    """
    if len(chisq) < MIN_SNPS_FOR_MEDIAN:
        return
    # The exact median of 7M values costs ~0.1 s on the critical path of every run; a spread
    # sample of 200k decides the clear cases (its median is within ~1% of the whole's), and
    # the exact median is taken only near a threshold, so the warning and its numbers are exact.
    step = max(1, len(chisq) // 200_000)
    if step > 1:
        rough = float(np.median(chisq[::step])) / NULL_MEDIAN_CHISQ
        if 1.25 * MIN_LAMBDA_GC <= rough <= MAX_LAMBDA_GC / 1.25:
            return
    lam = float(np.median(chisq)) / NULL_MEDIAN_CHISQ
    if MIN_LAMBDA_GC <= lam <= MAX_LAMBDA_GC:
        return
    if lam > MAX_LAMBDA_GC:
        why = (
            "p-values given as -log10(p), a column that is not the statistic (e.g. a sample "
            "size read as Z), or strong inflation (population stratification)"
        )
    else:
        why = (
            "a column that is not the statistic (e.g. an effect size, standard error or "
            "frequency read as Z, or a chi-square read as Z), or over-corrected statistics"
        )
    _warn(
        f"median chi-square of {path} is {lam * NULL_MEDIAN_CHISQ:.3g} (lambda_GC {lam:.2f}, "
        f"chi-square from {source}); expected lambda_GC between {MIN_LAMBDA_GC} and "
        f"{MAX_LAMBDA_GC}. This usually means {why}"
    )


def _id_hint(missing: Sequence[str]) -> str:
    kind = _id_kind(missing)
    if kind == "entrez":
        return (
            "they look like Entrez ids: does the gene-loc's first column hold Entrez ids "
            "(NCBI37.3.gene.loc does; Ensembl-based files do not)?"
        )
    if kind == "ensembl":
        return "they look like Ensembl ids: use a gene-loc keyed by Ensembl ids"
    return (
        "they look like symbols: symbols vs Entrez IDs? The gene-loc needs a symbol column "
        "(6th), and outdated symbols (aliases) are not resolved"
    )


def _id_kind(ids: Sequence[str]) -> str:
    """The kind most ids are: ``entrez`` (digits), ``ensembl`` (ENSG...) or ``symbol``."""
    kinds = ["entrez" if g.isdigit() else "ensembl" if g.upper().startswith("ENSG") else "symbol"
             for g in ids]  # fmt: skip
    return max(("entrez", "ensembl", "symbol"), key=kinds.count) if kinds else "symbol"


#: A build is called when at least this fraction of the shared genes (SNPs) sit at its positions.
MIN_FRACTION_SAME_BUILD = 0.5
#: ... compared over at least this many genes (SNPs).
MIN_COUNT_FOR_BUILD = 50


def _fraction_same(
    ids: Sequence[str], starts: np.ndarray, ref_ids: Sequence[str], ref_starts: np.ndarray
) -> tuple[float, int]:
    """Fraction of the ids shared with a reference that sit at the reference's position (an id
    repeated in the reference takes its last position)."""
    import pandas as pd  # already imported by the caller's steps; a hash join in C, not a dict

    if len(ref_ids) != len(ref_starts) or len(ids) != len(starts):
        raise ValueError("ids and positions differ in length")
    ref = pd.Series(np.asarray(ref_starts), index=pd.Index(ref_ids, dtype=object))
    ref = ref[~ref.index.duplicated(keep="last")]
    at = ref.index.get_indexer(pd.Index(ids, dtype=object))
    found = at >= 0
    n = int(np.count_nonzero(found))
    if n == 0:
        return 0.0, 0
    same = ref.to_numpy()[at[found]] == np.asarray(starts)[found]
    return int(np.count_nonzero(same)) / n, n


@functools.cache
def _bundled() -> tuple[Any, Any, Any]:
    """The bundled NCBI37.3 and NCBI38 gene locations and the GRCh37 chr22 panel (read once)."""
    from ldenrich._example import bundled_gene_loc, example_data
    from ldenrich.io import read_bim, read_gene_loc

    return (
        read_gene_loc(bundled_gene_loc(37)),
        read_gene_loc(bundled_gene_loc(38)),
        read_bim(example_data().bim),
    )


def gene_loc_build(gene_loc: Any) -> str | None:
    """``"37"`` or ``"38"`` when most genes shared with the bundled NCBI37.3 / NCBI38 files
    start where that build puts them; ``None`` when neither (or too few genes to tell)."""
    ncbi37, ncbi38, _ = _bundled()
    ids, starts = gene_loc._native.ids(), gene_loc._native.start()
    best = None
    for build, ref in (("37", ncbi37), ("38", ncbi38)):
        frac, n = _fraction_same(ids, starts, ref._native.ids(), ref._native.start())
        if n >= MIN_COUNT_FOR_BUILD and frac >= MIN_FRACTION_SAME_BUILD:
            if best is None or frac > best[1]:
                best = (build, frac)
    return None if best is None else best[0]


def panel_is_grch37(bim: Any) -> bool | None:
    """Whether the panel's chr22 SNPs shared with the bundled GRCh37 1000G chr22 panel sit at
    its positions (``None``: too few shared SNPs to tell)."""
    _, _, ref = _bundled()
    rows = np.flatnonzero(bim._native.chrom() == 22)
    if len(rows) == 0:
        return None
    ids = bim._native.snp_ids(rows.astype(np.uint32).tolist())
    ref_rows = np.flatnonzero(ref._native.chrom() == 22)
    frac, n = _fraction_same(
        ids, bim._native.bp()[rows], ref._native.snp_ids(), ref._native.bp()[ref_rows]
    )
    if n < MIN_COUNT_FOR_BUILD:
        return None
    return frac >= MIN_FRACTION_SAME_BUILD


def check_gene_loc_build(gene_loc: Any, bim: Any) -> None:
    """Warn when the gene locations are on another genome build than the panel."""
    build = gene_loc_build(gene_loc)
    panel37 = panel_is_grch37(bim)
    if build is None or panel37 is None or (build == "37") == panel37:
        return
    panel = "GRCh37" if panel37 else "not GRCh37 (GRCh38?)"
    _warn(
        f"the gene locations {gene_loc.path} look like NCBI build {build} (their genes start "
        f"where the bundled NCBI{'37.3' if build == '37' else '38'} file puts them) but the "
        f"reference panel {bim.path} is {panel} (its chr22 SNPs against the bundled 1000G "
        "panel): genes would be placed on the wrong SNPs. Use gene locations of the panel's "
        "build (bundled: --gene-loc NCBI37 / NCBI38, ldenrich.bundled_gene_loc(37 | 38))"
    )


def check_gene_sets(rows: Sequence[tuple[str, str, int, int, list[str]]], gene_loc: str) -> None:
    """Warn when most genes of a file's sets, or of one set, are absent from the gene locations.

    ``rows`` holds ``(name, source, n_genes, n_found, missing genes)`` per gene set. When most
    genes of a whole source are missing, the cause is the kind of id (one warning for the
    source); otherwise each set with most genes missing gets a warning (non-coding genes absent
    from a protein-coding gene-loc are the usual reason), up to ``MAX_GENE_SET_WARNINGS``.
    """
    by_source: dict[str, list[tuple[str, str, int, int, list[str]]]] = {}
    for row in rows:
        by_source.setdefault(row[1], []).append(row)
    bad_sets = []
    for source, sets in by_source.items():
        listed = sum(r[2] for r in sets)
        found = sum(r[3] for r in sets)
        if listed >= MIN_COUNT_FOR_FRACTIONS and found < MIN_FRACTION_GENES_FOUND * listed:
            missing = [g for r in sets for g in r[4]][:1000]
            _warn(
                f"{listed - found:,} of the {listed:,} gene memberships (a gene counts once per "
                f"set) of the {len(sets)} gene sets of {source} are not in {gene_loc} "
                f"({', '.join(missing[:5])} ...); "
                f"{_id_hint(missing)}"
            )
            continue
        bad_sets += [r for r in sets if r[2] > 0 and r[3] < MIN_FRACTION_GENES_FOUND * r[2]]
    for name, source, n_genes, n_found, missing in bad_sets[:MAX_GENE_SET_WARNINGS]:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        _warn(
            f"gene set {name!r} ({source}): {n_genes - n_found} of {n_genes} genes are not in "
            f"{gene_loc} ({shown}), so "
            + ("it is not tested" if n_found == 0 else "its test covers only the others")
            + ". Usual causes: "
            f"non-coding genes absent from a protein-coding gene-loc, or the kind of id "
            f"({_id_hint(missing)})"
        )
    if len(bad_sets) > MAX_GENE_SET_WARNINGS:
        rest = bad_sets[MAX_GENE_SET_WARNINGS:]
        _warn(
            f"{len(rest)} more gene sets have fewer than {MIN_FRACTION_GENES_FOUND:.0%} of their "
            f"genes in {gene_loc} ({', '.join(r[0] for r in rest[:5])} ...); see "
            "Annotation.missing_genes(name)"
        )


def check_set_ids(
    n_listed: int,
    n_found: int,
    missing: Sequence[str],
    result_ids: Sequence[str],
    has_symbols: bool,
    source: str,
) -> None:
    """Warn when most genes named by the gene sets are not in the gene results and the sets use
    another kind of gene id than the results: symbols against results keyed by Entrez ids
    without symbols (MAGMA's files; ``gene_loc=`` / ``--gene-loc`` fixes it), or Ensembl
    against Entrez. Results that cover only some genes (one chromosome, a subset) miss most
    genes of a set for no fault of the ids, and do not warn."""
    if n_listed < MIN_COUNT_FOR_FRACTIONS or n_found >= MIN_FRACTION_GENES_FOUND * n_listed:
        return
    hint = result_id_hint(missing, result_ids, has_symbols)
    if hint is None:
        return
    _warn(
        f"{n_listed - n_found:,} of the {n_listed:,} gene memberships (a gene counts once per "
        f"set) of the gene sets are not in the gene results {source} "
        f"({', '.join(list(missing)[:5])} ...); {hint}"
    )


def result_id_hint(
    missing: Sequence[str], result_ids: Sequence[str], has_symbols: bool
) -> str | None:
    """Why gene-set genes are missing from gene results when the kinds of id differ, else None."""
    wanted, have = _id_kind(missing), _id_kind(result_ids)
    if wanted == have or (wanted == "symbol" and has_symbols):
        return None
    if wanted == "symbol":
        return (
            "the sets name genes by symbol but the gene results carry only ids: give the gene "
            "locations (gene_loc= / --gene-loc) so symbols can be matched"
        )
    return f"the sets use {wanted} ids but the gene results {have} ids"
