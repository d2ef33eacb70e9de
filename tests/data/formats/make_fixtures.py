"""Re-express the bundled real UK Biobank height GWAS (chr22, fastGWA) in the layout of every
summary-statistics format ldenrich recognises, with the header spellings of each format's
specification or published files (see ``tests/data/README.md``, section "Formats").

The p-values are the original's text where the format writes p, and ``-log10`` of it (full
precision) where the format writes -log10 p. Statistics a layout carries beside the one it is
read from (Pan-UKBB's per-population columns, BOLT-LMM's infinitesimal-model p) are given
other values, so that a reader choosing the wrong column gives a different table. Rows the
format adds (REGENIE dominance tests, plink2 covariate rows) are extra rows.

    python tests/data/formats/make_fixtures.py OUT_DIR

``tests/test_formats.py`` writes them into a temporary directory the same way.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[2] / "python" / "ldenrich" / "data" / "example"
SUMSTATS = EXAMPLE / "ukb_height_chr22.fastGWA.gz"
BIM = EXAMPLE / "1000G_eur_chr22.bim.gz"
#: daner's case and control counts (in the FRQ_A_/FRQ_U_ header names).
DANER_CASES, DANER_CONTROLS = 100_000, 300_000


def original() -> pd.DataFrame:
    """The fastGWA table, every column as its text (p-values exactly as written)."""
    return pd.read_csv(SUMSTATS, sep="\t", dtype=str, keep_default_na=False)


def _num(t: pd.DataFrame, col: str) -> np.ndarray:
    return t[col].astype(float).to_numpy()


def _text(values: np.ndarray) -> list[str]:
    """Shortest round-trip text of each float."""
    return [repr(float(v)) for v in values]


def _mlog10(t: pd.DataFrame) -> list[str]:
    return _text(-np.log10(_num(t, "P")))


def _variant(t: pd.DataFrame, sep: str) -> list[str]:
    """``chr<sep>pos<sep>ref<sep>alt`` with ref = A2, alt = A1 (the effect allele)."""
    return [sep.join(r) for r in zip(t.CHR, t.POS, t.A2, t.A1, strict=True)]


def _other_p(t: pd.DataFrame) -> list[str]:
    """A different, valid p-value per row (for the columns that must not be read)."""
    return _text(np.sqrt(_num(t, "P")))


def _write(path: Path, frame: pd.DataFrame, sep: str = "\t", meta: str = "") -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        out.write(meta)
        frame.to_csv(out, sep=sep, index=False, lineterminator="\n")


def gwas_ssf(t: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "chromosome": t.CHR, "base_pair_location": t.POS, "effect_allele": t.A1,
            "other_allele": t.A2, "beta": t.BETA, "standard_error": t.SE,
            "effect_allele_frequency": t.AF1, "p_value": t.P,
            "variant_id": _variant(t, "_"), "rsid": t.SNP, "n": t.N,
        }
    )  # fmt: skip


def gwas_catalog_harmonised(t: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hm_variant_id": _variant(t, "_"), "hm_rsid": t.SNP, "hm_chrom": t.CHR,
            "hm_pos": t.POS, "hm_other_allele": t.A2, "hm_effect_allele": t.A1,
            "hm_beta": t.BETA, "hm_odds_ratio": "NA", "hm_ci_lower": "NA", "hm_ci_upper": "NA",
            "hm_effect_allele_frequency": t.AF1, "hm_code": "10", "variant_id": t.SNP,
            "p_value": t.P, "chromosome": t.CHR, "base_pair_location": t.POS,
            "other_allele": t.A2, "effect_allele": t.A1, "beta": t.BETA,
            "standard_error": t.SE, "effect_allele_frequency": t.AF1,
        }
    )  # fmt: skip


def pan_ukbb(t: pd.DataFrame) -> pd.DataFrame:
    # No rsid: matched by position. EUR columns differ from the meta-analysis.
    return pd.DataFrame(
        {
            "chr": t.CHR, "pos": t.POS, "ref": t.A2, "alt": t.A1, "af_meta": t.AF1,
            "beta_meta": t.BETA, "se_meta": t.SE, "neglog10_pval_meta": _mlog10(t),
            "neglog10_pval_heterogeneity": "NA", "af_EUR": t.AF1,
            "beta_EUR": _text(2 * _num(t, "BETA")), "se_EUR": t.SE,
            "neglog10_pval_EUR": _text(-np.log10(np.sqrt(_num(t, "P")))),
            "low_confidence_EUR": "false",
        }
    )  # fmt: skip


def neale_ukb(t: pd.DataFrame) -> pd.DataFrame:
    af = _num(t, "AF1")
    return pd.DataFrame(
        {
            "variant": _variant(t, ":"), "minor_allele": np.where(af <= 0.5, t.A1, t.A2),
            "minor_AF": _text(np.minimum(af, 1 - af)), "low_confidence_variant": "false",
            "n_complete_samples": t.N, "AC": "NA", "ytx": "NA", "beta": t.BETA, "se": t.SE,
            "tstat": _text(_num(t, "BETA") / _num(t, "SE")), "pval": t.P,
        }
    )  # fmt: skip


def finngen(t: pd.DataFrame) -> pd.DataFrame:
    # rsids empty for every 7th row and two rsids for every 11th: those matched by position.
    rsids = t.SNP.copy()
    rsids[np.arange(len(t)) % 7 == 3] = ""
    several = np.arange(len(t)) % 11 == 5
    rsids[several] = rsids[several] + ",rs999999999"
    return pd.DataFrame(
        {
            "#chrom": t.CHR, "pos": t.POS, "ref": t.A2, "alt": t.A1, "rsids": rsids,
            "nearest_genes": "GENE", "pval": t.P, "mlogp": _mlog10(t), "beta": t.BETA,
            "sebeta": t.SE, "af_alt": t.AF1, "af_alt_cases": t.AF1, "af_alt_controls": t.AF1,
        }
    )  # fmt: skip


def regenie(t: pd.DataFrame) -> pd.DataFrame:
    add = pd.DataFrame(
        {
            "CHROM": t.CHR, "GENPOS": t.POS, "ID": _variant(t, ":"), "ALLELE0": t.A2,
            "ALLELE1": t.A1, "A1FREQ": t.AF1, "INFO": "1", "N": t.N, "TEST": "ADD",
            "BETA": t.BETA, "SE": t.SE,
            "CHISQ": _text((_num(t, "BETA") / _num(t, "SE")) ** 2), "LOG10P": _mlog10(t),
            "EXTRA": "NA",
        }
    )  # fmt: skip
    # Dominance tests of every 10th SNP, interleaved: other statistics of the same variants.
    dom = add.iloc[::10].copy()
    dom["TEST"] = "DOM"
    dom["LOG10P"] = _text(-np.log10(np.sqrt(_num(t.iloc[::10], "P"))))
    both = pd.concat([add, dom]).sort_index(kind="stable")
    return both.reset_index(drop=True)


def saige(t: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "CHR": t.CHR, "POS": t.POS, "MarkerID": t.SNP, "Allele1": t.A2, "Allele2": t.A1,
            "AC_Allele2": "NA", "AF_Allele2": t.AF1, "imputationInfo": "1", "N": t.N,
            "BETA": t.BETA, "SE": t.SE, "Tstat": "NA", "var": "NA", "p.value": t.P,
            "p.value.NA": t.P, "Is.SPA.converge": "1", "varT": "NA", "varTstar": "NA",
        }
    )  # fmt: skip


def metal(t: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "MarkerName": t.SNP, "Allele1": t.A1.str.lower(), "Allele2": t.A2.str.lower(),
            "Freq1": t.AF1, "FreqSE": "0", "MinFreq": t.AF1, "MaxFreq": t.AF1,
            "Effect": t.BETA, "StdErr": t.SE, "P-value": t.P, "Direction": "+",
            "HetISq": "0", "HetChiSq": "0", "HetDf": "0", "HetPVal": "1",
        }
    )  # fmt: skip


def plink2(t: pd.DataFrame) -> pd.DataFrame:
    # A1 (the tested allele) is REF for every 5th row; ID "." for every 13th (by position).
    ref_tested = np.arange(len(t)) % 5 == 2
    beta = _num(t, "BETA")
    ids = t.SNP.copy()
    ids[np.arange(len(t)) % 13 == 6] = "."
    add = pd.DataFrame(
        {
            "#CHROM": t.CHR, "POS": t.POS, "ID": ids, "REF": t.A2, "ALT": t.A1,
            "A1": np.where(ref_tested, t.A2, t.A1), "TEST": "ADD", "OBS_CT": t.N,
            "BETA": _text(np.where(ref_tested, -beta, beta)), "SE": t.SE,
            "T_STAT": _text(np.where(ref_tested, -beta, beta) / _num(t, "SE")), "P": t.P,
        }
    )  # fmt: skip
    # A covariate row after every 20th SNP.
    cov = add.iloc[::20].copy()
    cov["TEST"] = "AGE"
    cov["P"] = _other_p(t.iloc[::20])
    return pd.concat([add, cov]).sort_index(kind="stable").reset_index(drop=True)


def bolt_lmm(t: pd.DataFrame) -> pd.DataFrame:
    bim = pd.read_csv(BIM, sep="\t", header=None, names=["c", "snp", "cm", "bp", "a1", "a2"])
    cm = t.SNP.map(dict(zip(bim.snp, bim.cm, strict=True))).fillna(0)
    return pd.DataFrame(
        {
            "SNP": t.SNP, "CHR": t.CHR, "BP": t.POS, "GENPOS": cm, "ALLELE1": t.A1,
            "ALLELE0": t.A2, "A1FREQ": t.AF1, "INFO": "1", "CHISQ_LINREG": "NA",
            "P_LINREG": _other_p(t), "BETA": t.BETA, "SE": t.SE, "CHISQ_BOLT_LMM_INF": "NA",
            "P_BOLT_LMM_INF": _other_p(t), "CHISQ_BOLT_LMM": "NA", "P_BOLT_LMM": t.P,
        }
    )  # fmt: skip


def daner(t: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "CHR": t.CHR, "SNP": t.SNP, "BP": t.POS, "A1": t.A1, "A2": t.A2,
            f"FRQ_A_{DANER_CASES}": t.AF1, f"FRQ_U_{DANER_CONTROLS}": t.AF1, "INFO": "1",
            "OR": _text(np.exp(_num(t, "BETA"))), "SE": t.SE, "P": t.P, "ngt": "0",
            "Direction": "+", "HetISqt": "0", "HetDf": "0", "HetPVa": "1",
            "Nca": str(DANER_CASES), "Nco": str(DANER_CONTROLS),
            "Neff": repr(4 / (1 / DANER_CASES + 1 / DANER_CONTROLS)),
        }
    )  # fmt: skip


PGC_META = "##fileformat=PGCv1.0\n##genome_build=GRCh37\n##pgc_phenotype=height (re-expressed)\n"


def pgc_table(t: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "#CHROM": t.CHR, "ID": t.SNP, "POS": t.POS, "A1": t.A1, "A2": t.A2,
            "BETA": t.BETA, "SE": t.SE, "PVAL": t.P, "NGT": "0", "FCAS": t.AF1,
            "FCON": t.AF1, "IMPINFO": "1", "NEFFDIV2": _text(_num(t, "N") / 2),
            "NCAS": "NA", "NCON": "NA", "DIRE": "+",
        }
    )  # fmt: skip


def ldsc(t: pd.DataFrame) -> pd.DataFrame:
    from scipy import special

    z = np.sign(_num(t, "BETA")) * -special.ndtri(_num(t, "P") / 2)
    return pd.DataFrame({"SNP": t.SNP, "A1": t.A1, "A2": t.A2, "Z": _text(z), "N": t.N})


VCF_META = "".join(
    [
        "##fileformat=VCFv4.2\n",
        '##FORMAT=<ID=ES,Number=A,Type=Float,Description="Effect size estimate relative to '
        'the alternative allele">\n',
        '##FORMAT=<ID=SE,Number=A,Type=Float,Description="Standard error of effect size '
        'estimate">\n',
        '##FORMAT=<ID=LP,Number=A,Type=Float,Description="-log10 p-value for effect estimate">\n',
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency in the '
        'association study">\n',
        '##FORMAT=<ID=SS,Number=A,Type=Float,Description="Sample size used to estimate genetic '
        'effect">\n',
        '##FORMAT=<ID=ID,Number=1,Type=String,Description="Study variant identifier">\n',
        "##contig=<ID=22,length=51304566,assembly=HG19/GRCh37>\n",
    ]
)


def gwas_vcf(t: pd.DataFrame) -> pd.DataFrame:
    # FORMAT without SS for every 9th row: the keys are read per row.
    no_ss = np.arange(len(t)) % 9 == 4
    values = [t.BETA, t.SE, pd.Series(_mlog10(t)), t.AF1, t.N, t.SNP]
    full = [":".join(v) for v in zip(*values, strict=True)]
    short = [":".join(v) for v in zip(*(values[:4] + values[5:]), strict=True)]
    return pd.DataFrame(
        {
            "#CHROM": t.CHR, "POS": t.POS, "ID": t.SNP, "REF": t.A2, "ALT": t.A1, "QUAL": ".",
            "FILTER": "PASS", "INFO": "AF=" + t.AF1,
            "FORMAT": np.where(no_ss, "ES:SE:LP:AF:ID", "ES:SE:LP:AF:SS:ID"),
            "UKB-height": np.where(no_ss, short, full),
        }
    )  # fmt: skip


#: (file name, preset name, builder, separator, meta lines, p-values kept as written)
FIXTURES: list[tuple[str, str, Callable[[pd.DataFrame], pd.DataFrame], str, str, bool]] = [
    ("height.gwas-ssf.tsv.gz", "gwas-ssf", gwas_ssf, "\t", "", True),
    ("height.h.tsv.gz", "gwas-catalog-harmonised", gwas_catalog_harmonised, "\t", "", True),
    ("height.pan-ukbb.tsv.gz", "pan-ukbb", pan_ukbb, "\t", "", False),
    ("height.neale.tsv.gz", "neale-ukb", neale_ukb, "\t", "", True),
    ("height.finngen.gz", "finngen", finngen, "\t", "", False),
    ("height.regenie.gz", "regenie", regenie, " ", "", False),
    ("height.saige.txt.gz", "saige", saige, "\t", "", True),
    ("height.metal1.tbl.gz", "metal", metal, "\t", "", True),
    ("height.plink2.glm.linear.gz", "plink2", plink2, "\t", "", True),
    ("height.fastGWA.gz", "fastgwa", lambda t: t, "\t", "", True),
    ("height.bolt.stats.gz", "bolt-lmm", bolt_lmm, "\t", "", True),
    ("daner_height.gz", "daner", daner, "\t", "", True),
    ("height.pgc.tsv.gz", "pgc-table", pgc_table, "\t", PGC_META, True),
    ("height.sumstats.gz", "ldsc", ldsc, "\t", "", False),
    ("height.vcf.gz", "gwas-vcf", gwas_vcf, "\t", VCF_META, False),
]


def with_decoy_sample(vcf: Path, out: Path) -> str:
    """Writes ``out``: the GWAS-VCF ``vcf`` with a second trait, ``decoy``, put *before* its
    sample column (each row carries the next row's values), as in a multi-trait OpenGWAS
    file; returns the name of the original sample."""
    raw = vcf.read_bytes()
    lines = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode().splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("#CHROM"))
    body = lines[head + 1 :]
    name = lines[head].split("\t")[9]
    rows = [*lines[:head], "\t".join([*lines[head].split("\t")[:9], "decoy", name])]
    for i, line in enumerate(body):
        fields = line.split("\t")
        after = body[(i + 1) % len(body)].split("\t")
        decoy = after[9] if after[8] == fields[8] else ":".join("." for _ in fields[8].split(":"))
        rows.append("\t".join([*fields[:9], decoy, fields[9]]))
    out.write_text("\n".join(rows) + "\n")
    return name


def write_all(out: Path) -> dict[str, Path]:
    """Writes every fixture into ``out``; returns the path of each preset's file."""
    out.mkdir(parents=True, exist_ok=True)
    t = original()
    paths = {}
    for name, preset, build, sep, meta, _ in FIXTURES:
        _write(out / name, build(t), sep, meta)
        paths[preset] = out / name
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for preset, path in write_all(Path(sys.argv[1])).items():
        print(f"{preset}\t{path}")
