//! Named layouts of published summary statistics, detected from the header (and `##` meta
//! lines). A preset only names the columns that synonyms would get wrong or find ambiguous
//! (Pan-UKBB's meta against per-population statistics, plink2's `A1` beside `REF`/`ALT`, the
//! GWAS Catalog's harmonised `hm_*` beside the submitted columns); every other column is found
//! by the synonyms of [`Role`]. Header names are compared after [`normalize_header`].
//!
//! [`normalize_header`]: crate::io::sumstats::normalize_header

use crate::error::{Error, Result};
use crate::io::sumstats::Role;

/// A published layout of summary statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// GWAS Catalog summary-statistics format (GWAS-SSF, 2023): `chromosome
    /// base_pair_location effect_allele other_allele beta standard_error p_value ... rsid`.
    GwasSsf,
    /// The older GWAS Catalog harmonised layout: `hm_rsid hm_chrom hm_pos hm_other_allele
    /// hm_effect_allele hm_beta hm_odds_ratio ... standard_error p_value`.
    GwasCatalogHarmonised,
    /// Pan-UK Biobank per-phenotype files: `chr pos ref alt ... beta_meta se_meta
    /// neglog10_pval_meta ... beta_EUR ...`; the meta-analysis statistics by default.
    PanUkbb,
    /// Neale lab UK Biobank round 2: `variant` (`chr:pos:ref:alt`) `minor_allele ...
    /// n_complete_samples ... beta se tstat pval`.
    NealeUkb,
    /// FinnGen: `#chrom pos ref alt rsids nearest_genes pval mlogp beta sebeta af_alt ...`
    /// (`rsids` empty or several per row); the p-value from `mlogp`.
    FinnGen,
    /// REGENIE step 2: `CHROM GENPOS ID ALLELE0 ALLELE1 A1FREQ ... N TEST BETA SE CHISQ LOG10P`;
    /// only `TEST` = `ADD` rows.
    Regenie,
    /// SAIGE: `CHR POS MarkerID Allele1 Allele2 AC_Allele2 AF_Allele2 ... BETA SE Tstat var
    /// p.value ...` (effect allele `Allele2`).
    Saige,
    /// METAL: `MarkerName Allele1 Allele2 [Freq1 FreqSE MinFreq MaxFreq] Effect StdErr P-value
    /// Direction` (or `Weight Zscore P-value`), lower-case alleles, no positions.
    Metal,
    /// plink2 `--glm`: `#CHROM POS ID REF ALT [PROVISIONAL_REF?] A1 ... TEST OBS_CT BETA|OR SE
    /// T_STAT|Z_STAT P`; alleles from `REF`/`ALT`, only `TEST` = `ADD` rows.
    Plink2,
    /// GCTA fastGWA: `CHR SNP POS A1 A2 N AF1 BETA SE P`.
    FastGwa,
    /// BOLT-LMM: `SNP CHR BP GENPOS ALLELE1 ALLELE0 A1FREQ INFO CHISQ_LINREG P_LINREG BETA SE
    /// CHISQ_BOLT_LMM_INF P_BOLT_LMM_INF [CHISQ_BOLT_LMM P_BOLT_LMM]`; `P_BOLT_LMM` (the
    /// non-infinitesimal model) when present, else `P_BOLT_LMM_INF`.
    BoltLmm,
    /// PGC daner: `CHR SNP BP A1 A2 FRQ_A_<Ncas> FRQ_U_<Ncon> INFO OR SE P ... [Nca Nco Neff]`.
    Daner,
    /// PGC VCF-like tables: a `##` block, then `#CHROM ID POS A1 A2 BETA SE PVAL NGT FCAS FCON
    /// IMPINFO NEFFDIV2 NCAS NCON DIRE` (order varies).
    PgcTable,
    /// ldsc `munge_sumstats.py` output: `SNP A1 A2 Z N`.
    Ldsc,
    /// GWAS-VCF (MRC IEU OpenGWAS): `##fileformat=VCF`, `#CHROM POS ID REF ALT QUAL FILTER INFO
    /// FORMAT <trait>`, the statistics `ES:SE:LP:AF:SS` in the first sample column; effect allele
    /// `ALT`, the p-value from `LP` (-log10 p).
    GwasVcf,
}

impl Format {
    /// Every preset, in the order they are tried (more specific layouts first).
    pub const ALL: [Format; 15] = [
        Format::GwasVcf,
        Format::GwasCatalogHarmonised,
        Format::GwasSsf,
        Format::PanUkbb,
        Format::NealeUkb,
        Format::FinnGen,
        Format::Regenie,
        Format::Saige,
        Format::Plink2,
        Format::BoltLmm,
        Format::Daner,
        Format::PgcTable,
        Format::Metal,
        Format::FastGwa,
        Format::Ldsc,
    ];

    /// The name used by `--format` and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Format::GwasSsf => "gwas-ssf",
            Format::GwasCatalogHarmonised => "gwas-catalog-harmonised",
            Format::PanUkbb => "pan-ukbb",
            Format::NealeUkb => "neale-ukb",
            Format::FinnGen => "finngen",
            Format::Regenie => "regenie",
            Format::Saige => "saige",
            Format::Metal => "metal",
            Format::Plink2 => "plink2",
            Format::FastGwa => "fastgwa",
            Format::BoltLmm => "bolt-lmm",
            Format::Daner => "daner",
            Format::PgcTable => "pgc-table",
            Format::Ldsc => "ldsc",
            Format::GwasVcf => "gwas-vcf",
        }
    }

    /// Parses a preset name (as [`Format::name`] writes it).
    pub fn parse(text: &str) -> Result<Self> {
        let wanted = text.to_ascii_lowercase().replace('_', "-");
        Format::ALL.into_iter().find(|f| f.name() == wanted).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            Error::InvalidArgument(format!("unknown format '{text}'; known: auto, {}", names.join(", ")))
        })
    }

    /// True when a normalised header (and the `##` meta lines before it) has this layout.
    fn matches(self, header: &[String], meta: &[String]) -> bool {
        let has = |name: &str| header.iter().any(|h| h == name);
        let has_prefix = |prefix: &str| header.iter().any(|h| h.starts_with(prefix));
        match self {
            Format::GwasCatalogHarmonised => has("HM_CHROM") && has("HM_POS") && has("HM_EFFECT_ALLELE"),
            Format::GwasSsf => {
                has("BASE_PAIR_LOCATION")
                    && has("EFFECT_ALLELE")
                    && (has("P_VALUE") || has("NEG_LOG_10_P_VALUE"))
                    && has("CHROMOSOME")
            }
            Format::PanUkbb => {
                has("CHR") && has("POS") && has("REF") && has("ALT") && has_prefix("NEGLOG10_PVAL_")
                    || has("CHR") && has("POS") && has("REF") && has("ALT") && has("PVAL_META")
            }
            Format::NealeUkb => has("VARIANT") && has("MINOR_ALLELE") && has("PVAL"),
            Format::FinnGen => has("CHROM") && has("POS") && has("REF") && has("ALT") && has("RSIDS") && has("MLOGP"),
            Format::Regenie => has("GENPOS") && has("ALLELE0") && has("ALLELE1") && has("LOG10P"),
            Format::Saige => has("AF_ALLELE2") && has("ALLELE1") && has("ALLELE2") && has("P_VALUE"),
            Format::Plink2 => has("CHROM") && has("REF") && has("ALT") && has("A1") && has("OBS_CT"),
            Format::BoltLmm => has("P_BOLT_LMM_INF") || has("P_BOLT_LMM"),
            Format::Daner => has_prefix("FRQ_A_") && has_prefix("FRQ_U_"),
            Format::PgcTable => {
                has("CHROM") && has("ID") && (has("NEFFDIV2") || has("FCAS") || meta.iter().any(|m| m.contains("PGC")))
            }
            Format::Metal => has("MARKERNAME") && has("ALLELE1") && has("ALLELE2") && has("DIRECTION"),
            Format::FastGwa => has("SNP") && has("POS") && has("AF1") && has("N") && has("P"),
            Format::Ldsc => has("SNP") && has("A1") && has("A2") && has("Z") && has("N") && header.len() <= 6,
            Format::GwasVcf => meta.iter().any(|m| m.starts_with("##FILEFORMAT=VCF")) && has("FORMAT"),
        }
    }

    /// The columns this layout assigns explicitly: for each role, candidate header names
    /// (normalised), the first one present used.
    fn columns(self) -> &'static [(Role, &'static [&'static str])] {
        match self {
            Format::GwasCatalogHarmonised => &[
                (Role::Snp, &["HM_RSID", "HM_VARIANT_ID", "VARIANT_ID"]),
                (Role::Chr, &["HM_CHROM"]),
                (Role::Bp, &["HM_POS"]),
                (Role::A1, &["HM_EFFECT_ALLELE"]),
                (Role::A2, &["HM_OTHER_ALLELE"]),
                (Role::Beta, &["HM_BETA"]),
                (Role::Se, &["STANDARD_ERROR"]),
                (Role::P, &["P_VALUE"]),
            ],
            Format::GwasSsf => &[
                (Role::Snp, &["RSID", "VARIANT_ID"]),
                (Role::Chr, &["CHROMOSOME"]),
                (Role::Bp, &["BASE_PAIR_LOCATION"]),
                (Role::A1, &["EFFECT_ALLELE"]),
                (Role::A2, &["OTHER_ALLELE"]),
            ],
            Format::PanUkbb => &[
                (Role::Chr, &["CHR"]),
                (Role::Bp, &["POS"]),
                (Role::A1, &["ALT"]),
                (Role::A2, &["REF"]),
                (Role::Beta, &["BETA_META", "BETA_META_HQ"]),
                (Role::Se, &["SE_META", "SE_META_HQ"]),
                (Role::NegLog10P, &["NEGLOG10_PVAL_META", "NEGLOG10_PVAL_META_HQ"]),
                (Role::P, &["PVAL_META", "PVAL_META_HQ"]),
            ],
            Format::NealeUkb => &[(Role::Snp, &["VARIANT"]), (Role::P, &["PVAL"])],
            Format::FinnGen => &[
                (Role::Snp, &["RSIDS"]),
                (Role::Chr, &["CHROM"]),
                (Role::Bp, &["POS"]),
                (Role::A1, &["ALT"]),
                (Role::A2, &["REF"]),
                (Role::NegLog10P, &["MLOGP"]),
            ],
            Format::Regenie => &[
                (Role::Snp, &["ID"]),
                (Role::Chr, &["CHROM"]),
                (Role::Bp, &["GENPOS"]),
                (Role::A1, &["ALLELE1"]),
                (Role::A2, &["ALLELE0"]),
                (Role::NegLog10P, &["LOG10P"]),
            ],
            Format::Saige => &[
                (Role::Snp, &["MARKERID", "SNPID", "RSID"]),
                (Role::A1, &["ALLELE2"]),
                (Role::A2, &["ALLELE1"]),
                (Role::P, &["P_VALUE"]),
            ],
            Format::Plink2 => &[
                (Role::Snp, &["ID"]),
                (Role::Chr, &["CHROM"]),
                (Role::Bp, &["POS"]),
                (Role::A1, &["ALT"]),
                (Role::A2, &["REF"]),
            ],
            Format::BoltLmm => &[(Role::P, &["P_BOLT_LMM", "P_BOLT_LMM_INF"])],
            Format::GwasVcf => &[
                (Role::Snp, &["ID"]),
                (Role::Chr, &["CHROM"]),
                (Role::Bp, &["POS"]),
                (Role::A1, &["ALT"]),
                (Role::A2, &["REF"]),
                (Role::Beta, &["ES"]),
                (Role::Se, &["SE"]),
                (Role::NegLog10P, &["LP"]),
                (Role::N, &["SS"]),
            ],
            _ => &[],
        }
    }

    /// The column whose rows of other tests are left out, and the test kept.
    fn test_column(self) -> Option<(&'static str, &'static str)> {
        match self {
            Format::Regenie | Format::Plink2 => Some(("TEST", "ADD")),
            _ => None,
        }
    }
}

/// What a preset decides for one file.
#[derive(Debug, Clone)]
pub struct FormatPlan {
    /// The preset.
    pub format: Format,
    /// Whether it was detected (rather than forced).
    pub detected: bool,
    /// Column chosen for each role the preset assigns (indices into the header).
    pub columns: Vec<(Role, usize)>,
    /// Column of the test, and the test whose rows are kept.
    pub test: Option<(usize, &'static str)>,
    /// Column naming, row by row, which of the preset's two allele columns the effect is for
    /// (plink2 `--glm`'s `A1`, which is `ALT` or `REF`).
    pub tested_allele: Option<usize>,
}

/// The preset of a header: `forced` if given (an error when the header lacks what it
/// needs), else the first that matches, else none.
pub fn plan_format(header: &[String], meta: &[String], forced: Option<Format>) -> Result<Option<FormatPlan>> {
    let (format, detected) = match forced {
        Some(f) => (f, false),
        None => match Format::ALL.into_iter().find(|f| f.matches(header, meta)) {
            Some(f) => (f, true),
            None => return Ok(None),
        },
    };
    let position = |name: &str| header.iter().position(|h| h == name);
    let mut columns = Vec::new();
    for &(role, names) in format.columns() {
        if let Some(i) = names.iter().find_map(|n| position(n)) {
            columns.push((role, i));
        }
    }
    // A forced preset must find its columns: else the file is another layout.
    if !detected && columns.len() < format.columns().len().min(1) {
        return Err(Error::InvalidArgument(format!(
            "the header has none of the columns of format '{}' ({})",
            format.name(),
            format.columns().iter().flat_map(|(_, n)| n.iter()).copied().collect::<Vec<_>>().join(", ")
        )));
    }
    let test = format.test_column().and_then(|(name, keep)| position(name).map(|i| (i, keep)));
    let tested_allele = match format {
        Format::Plink2 => position("A1").filter(|i| columns.iter().all(|&(_, c)| c != *i)),
        _ => None,
    };
    Ok(Some(FormatPlan { format, detected, columns, test, tested_allele }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::sumstats::normalize_header;

    fn header(line: &str) -> Vec<String> {
        line.split(['\t', ' ']).filter(|s| !s.is_empty()).map(|h| normalize_header(h.as_bytes())).collect()
    }

    #[test]
    fn detects_every_layout_from_its_header() {
        for (line, want) in [
            ("chromosome base_pair_location effect_allele other_allele beta standard_error effect_allele_frequency p_value variant_id rsid", Some(Format::GwasSsf)),
            ("hm_variant_id hm_rsid hm_chrom hm_pos hm_other_allele hm_effect_allele hm_beta hm_odds_ratio hm_ci_lower hm_ci_upper hm_effect_allele_frequency hm_code variant_id p_value chromosome base_pair_location other_allele effect_allele beta standard_error", Some(Format::GwasCatalogHarmonised)),
            ("chr pos ref alt af_meta beta_meta se_meta neglog10_pval_meta neglog10_pval_heterogeneity af_EUR beta_EUR se_EUR neglog10_pval_EUR low_confidence_EUR", Some(Format::PanUkbb)),
            ("variant minor_allele minor_AF low_confidence_variant n_complete_samples AC ytx beta se tstat pval", Some(Format::NealeUkb)),
            ("#chrom pos ref alt rsids nearest_genes pval mlogp beta sebeta af_alt af_alt_cases af_alt_controls", Some(Format::FinnGen)),
            ("CHROM GENPOS ID ALLELE0 ALLELE1 A1FREQ INFO N TEST BETA SE CHISQ LOG10P EXTRA", Some(Format::Regenie)),
            ("CHR POS MarkerID Allele1 Allele2 AC_Allele2 AF_Allele2 imputationInfo N BETA SE Tstat var p.value p.value.NA Is.SPA.converge varT varTstar", Some(Format::Saige)),
            ("MarkerName Allele1 Allele2 Effect StdErr P-value Direction", Some(Format::Metal)),
            ("#CHROM POS ID REF ALT A1 TEST OBS_CT BETA SE T_STAT P", Some(Format::Plink2)),
            ("CHR SNP POS A1 A2 N AF1 BETA SE P", Some(Format::FastGwa)),
            ("SNP CHR BP GENPOS ALLELE1 ALLELE0 A1FREQ INFO CHISQ_LINREG P_LINREG BETA SE CHISQ_BOLT_LMM_INF P_BOLT_LMM_INF CHISQ_BOLT_LMM P_BOLT_LMM", Some(Format::BoltLmm)),
            ("CHR SNP BP A1 A2 FRQ_A_2000 FRQ_U_3000 INFO OR SE P ngt Direction HetISqt HetDf HetPVa Nca Nco Neff", Some(Format::Daner)),
            ("#CHROM ID POS A1 A2 BETA SE PVAL NGT FCAS FCON IMPINFO NEFFDIV2 NCAS NCON DIRE", Some(Format::PgcTable)),
            ("SNP A1 A2 Z N", Some(Format::Ldsc)),
            ("SNP A1 A2 P", None),
        ] {
            let got = plan_format(&header(line), &[], None).unwrap().map(|p| p.format);
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn presets_choose_the_ambiguous_columns() {
        let h =
            header("chr pos ref alt af_meta beta_meta se_meta neglog10_pval_meta beta_EUR se_EUR neglog10_pval_EUR");
        let plan = plan_format(&h, &[], None).unwrap().unwrap();
        let col = |role: Role| plan.columns.iter().find(|(r, _)| *r == role).map(|&(_, i)| h[i].as_str());
        assert_eq!(
            (col(Role::Beta), col(Role::NegLog10P), col(Role::A1)),
            (Some("BETA_META"), Some("NEGLOG10_PVAL_META"), Some("ALT"))
        );
        let h = header("SNP CHR BP P_BOLT_LMM_INF");
        let plan = plan_format(&h, &[], None).unwrap().unwrap();
        assert_eq!(plan.columns, [(Role::P, 3)]);
        let h = header("CHROM GENPOS ID ALLELE0 ALLELE1 N TEST BETA SE LOG10P");
        assert_eq!(plan_format(&h, &[], None).unwrap().unwrap().test, Some((6, "ADD")));
        assert_eq!(Format::parse("Pan_UKBB").unwrap(), Format::PanUkbb);
        assert!(Format::parse("nope").is_err());
        assert!(plan_format(&header("SNP P"), &[], Some(Format::Regenie)).is_err());
    }
}
