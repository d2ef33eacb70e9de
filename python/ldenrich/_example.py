"""Paths of the real example data and curated gene sets shipped with ldenrich."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class ExampleData:
    """Paths of the bundled example files (see ``data/example/README.md`` for provenance).

    Attributes
    ----------
    sumstats : Path
        UK Biobank standing-height GWAS, chr22 (fastGWA, gzip).
    bim : Path
        1000 Genomes EUR chr22 PLINK ``.bim`` (gzip).
    gene_loc : Path
        MAGMA NCBI37.3 gene locations (gzip).
    gene_sets : Path
        The curated gene-set library (GMT; see ``data/genesets/README.md``).
    bfile : Path
        PLINK prefix of the 1000 Genomes EUR chr22 panel (378 people; ``.bed``, ``.fam``, and the
        gzipped ``.bim``).
    go_gene_sets : Path
        20 GO neuro/glutamate/monoamine sets (GMT of Entrez IDs; see ``data/genesets/README.md``).
    """

    sumstats: Path
    bim: Path
    gene_loc: Path
    gene_sets: Path
    bfile: Path
    go_gene_sets: Path


_BUILDS = {
    "37": "NCBI37.3.gene.loc.gz", "ncbi37": "NCBI37.3.gene.loc.gz",
    "ncbi37.3": "NCBI37.3.gene.loc.gz", "grch37": "NCBI37.3.gene.loc.gz",
    "hg19": "NCBI37.3.gene.loc.gz", "38": "NCBI38.gene.loc.gz", "ncbi38": "NCBI38.gene.loc.gz",
    "grch38": "NCBI38.gene.loc.gz", "hg38": "NCBI38.gene.loc.gz",
}  # fmt: skip


def bundled_gene_loc(build: int | str) -> Path:
    """Path of MAGMA's gene locations shipped with ldenrich for a genome build.

    Parameters
    ----------
    build : int or str
        ``37`` (also ``"NCBI37.3"``, ``"GRCh37"``, ``"hg19"``) or ``38`` (``"NCBI38"``,
        ``"GRCh38"``, ``"hg38"``); see ``data/example/README.md`` for provenance.

    Returns
    -------
    Path

    Raises
    ------
    InvalidArgumentError
        Another build.

    Examples
    --------
    >>> from ldenrich import bundled_gene_loc
    >>> bundled_gene_loc(38).name
    'NCBI38.gene.loc.gz'
    """
    name = _BUILDS.get(str(build).strip().lower())
    if name is None:
        from ldenrich.errors import InvalidArgumentError

        raise InvalidArgumentError(
            f"gene locations are bundled for builds 37 and 38; got {build!r}"
        )
    return _DATA / "example" / name


def example_data() -> ExampleData:
    """Return the paths of the bundled example data.

    Returns
    -------
    ExampleData
        Paths that exist in the installed package.

    Examples
    --------
    >>> from ldenrich import example_data
    >>> example_data().gene_loc.name
    'NCBI37.3.gene.loc.gz'
    """
    example = _DATA / "example"
    return ExampleData(
        sumstats=example / "ukb_height_chr22.fastGWA.gz",
        bim=example / "1000G_eur_chr22.bim.gz",
        gene_loc=example / "NCBI37.3.gene.loc.gz",
        gene_sets=_DATA / "genesets" / "ldenrich_curated.gmt",
        bfile=example / "1000G_eur_chr22",
        go_gene_sets=_DATA / "genesets" / "neuro_glutamate_monoamine_GO_subset_entrez.gmt",
    )
