//! GWAS summary statistics: column detection by synonyms (ldsc's munge_sumstats list plus
//! GWAS-SSF names), chi-square from Z, P or BETA/SE, and per-reason accounting of every row.

use std::path::{Path, PathBuf};

use crate::chrom::parse_chrom;
use crate::error::{Error, Result};
use crate::io::alleles::{AlleleColumn, MISSING as MISSING_ALLELE};
use crate::io::formats::{plan_format, Format};
use crate::io::snpid::{parse_variant_id, SnpIds, VariantId};
use crate::io::text::{
    field, is_missing_token, par_chunks_fold, parse_f64, parse_u64, split_fields, Compression, Delimiter,
    FieldSplitter, LineReader, Lines,
};
use crate::special::{chisq_from_log_p, chisq_from_p};

/// Where the chi-square of each row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChisqFrom {
    /// Z if there is a Z column, else P, else BETA/SE (or ln OR/SE).
    Auto,
    /// chi2 = Z^2.
    Z,
    /// chi2 = upper chi2_1 quantile of the two-sided p, from a P, -log10 p or ln p column.
    P,
    /// chi2 = (BETA/SE)^2, or (ln OR/SE)^2 when the effect column is an odds ratio.
    BetaSe,
}

impl ChisqFrom {
    /// Parses `auto`, `z`, `p` or `beta-se`.
    pub fn parse(text: &str) -> Result<Self> {
        match text.to_ascii_lowercase().as_str() {
            "auto" => Ok(ChisqFrom::Auto),
            "z" => Ok(ChisqFrom::Z),
            "p" => Ok(ChisqFrom::P),
            "beta-se" | "beta_se" | "betase" => Ok(ChisqFrom::BetaSe),
            other => {
                Err(Error::InvalidArgument(format!("chisq source must be one of auto, z, p, beta-se; got '{other}'")))
            }
        }
    }
}

/// The statistic the chi-squares were computed from, after resolving [`ChisqFrom::Auto`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChisqSource {
    /// Z column.
    Z,
    /// P column.
    P,
    /// -log10 p column.
    NegLog10P,
    /// Natural-log p column.
    LnP,
    /// BETA and SE columns.
    BetaSe,
    /// OR and SE columns.
    LogOrSe,
}

impl ChisqSource {
    /// Name used in logs and outputs.
    pub fn name(self) -> &'static str {
        match self {
            ChisqSource::Z => "z",
            ChisqSource::P => "p",
            ChisqSource::NegLog10P => "-log10 p",
            ChisqSource::LnP => "ln p",
            ChisqSource::BetaSe => "beta-se",
            ChisqSource::LogOrSe => "log(or)-se",
        }
    }
}

/// Roles a column can play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// SNP identifier.
    Snp,
    /// Z score.
    Z,
    /// Two-sided p-value.
    P,
    /// -log10 of the two-sided p-value.
    NegLog10P,
    /// Natural log of the two-sided p-value.
    LnP,
    /// Effect size (linear or log-odds scale).
    Beta,
    /// Odds ratio.
    Or,
    /// Standard error of the effect.
    Se,
    /// Effect allele.
    A1,
    /// Other allele.
    A2,
    /// Per-SNP sample size (read only when asked for).
    N,
    /// Per-SNP number of cases (with [`Role::NControls`], a sample size).
    NCases,
    /// Per-SNP number of controls.
    NControls,
    /// Chromosome (optional; only used to check the genome build against the reference).
    Chr,
    /// Base-pair position (optional; only used to check the genome build against the reference).
    Bp,
}

impl Role {
    /// All roles in the order they are reported.
    pub const ALL: [Role; 15] = [
        Role::Snp,
        Role::Z,
        Role::P,
        Role::NegLog10P,
        Role::LnP,
        Role::Beta,
        Role::Or,
        Role::Se,
        Role::A1,
        Role::A2,
        Role::N,
        Role::NCases,
        Role::NControls,
        Role::Chr,
        Role::Bp,
    ];

    /// Lower-case role name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Snp => "snp",
            Role::Z => "z",
            Role::P => "p",
            Role::NegLog10P => "mlog10p",
            Role::LnP => "lnp",
            Role::Beta => "beta",
            Role::Or => "or",
            Role::Se => "se",
            Role::A1 => "a1",
            Role::A2 => "a2",
            Role::N => "n",
            Role::NCases => "ncas",
            Role::NControls => "ncon",
            Role::Chr => "chr",
            Role::Bp => "bp",
        }
    }

    /// Accepted header names after normalisation (upper case, `-`, `.` and blanks as `_`,
    /// leading `#` removed), best first.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Role::Snp => &[
                "RSID",
                "SNP",
                "MARKERNAME",
                "SNPID",
                "SNP_ID",
                "RS",
                "RS_ID",
                "RS_NUMBER",
                "RS_NUMBERS",
                "RSIDS",
                "MARKER",
                "MARKER_NAME",
                "VARIANT_ID",
                "VARIANTID",
                "ID",
                "VARIANT",
            ],
            Role::Z => &["Z", "ZSCORE", "Z_SCORE", "GC_ZSCORE", "ZSTAT", "Z_STAT", "Z_STATISTIC"],
            Role::P => &[
                "P",
                "PVALUE",
                "P_VALUE",
                "PVAL",
                "P_VAL",
                "GC_PVALUE",
                "P_BOLT_LMM",
                "PVAL_NOMINAL",
                "FREQUENTIST_ADD_PVALUE",
            ],
            // REGENIE (LOG10P), GWAS-VCF (LP), FinnGen (mlogp), Pan-UKBB (neglog10_pval_*),
            // GWAS-SSF (neg_log_10_p_value).
            Role::NegLog10P => &[
                "LOG10P",
                "LP",
                "MLOGP",
                "MLOG10P",
                "NEG_LOG_10_P_VALUE",
                "NEGLOG10_PVAL",
                "NEGLOG10P",
                "NEG_LOG10_P",
                "MINUS_LOG10_P",
                "NEGLOG10_PVAL_META",
            ],
            Role::LnP => &["LNP", "LN_P", "LN_PVAL", "LOGE_P", "LN_P_VALUE"],
            Role::Beta => &["BETA", "B", "EFFECT", "EFFECTS", "EFFECT_SIZE", "LOG_ODDS", "LOGOR", "LOG_OR"],
            Role::Or => &["OR", "ODDS_RATIO", "ODDSRATIO"],
            Role::Se => &["SE", "STDERR", "STD_ERR", "STANDARD_ERROR", "SEBETA", "SE_BETA", "LOG_ODDS_SE", "SE_LOGOR"],
            Role::A1 => &[
                "A1",
                "ALLELE1",
                "ALLELE_1",
                "EFFECT_ALLELE",
                "REFERENCE_ALLELE",
                "INC_ALLELE",
                "EA",
                "TESTED_ALLELE",
                "ALT",
            ],
            Role::A2 => &[
                "A2",
                "ALLELE2",
                "ALLELE_2",
                "OTHER_ALLELE",
                "NON_EFFECT_ALLELE",
                "DEC_ALLELE",
                "NEA",
                "ALLELE0",
                "REF",
            ],
            // NEFFDIV2 (PGC: half the effective N) is read doubled, see `NSource`.
            Role::N => &[
                "N",
                "NEFF",
                "N_EFF",
                "N_TOTAL",
                "TOTAL_N",
                "OBS_CT",
                "NMISS",
                "N_COMPLETE_SAMPLES",
                "SAMPLESIZE",
                "SAMPLE_SIZE",
                "TOTALSAMPLESIZE",
                "SS",
                "WEIGHT",
                "NEFFDIV2",
            ],
            Role::NCases => &["NCAS", "N_CAS", "NCASE", "N_CASE", "N_CASES", "NCASES", "NCA", "CASES"],
            Role::NControls => {
                &["NCON", "N_CON", "NCONTROL", "N_CONTROL", "N_CONTROLS", "NCONTROLS", "NCO", "N_CTRL", "CONTROLS"]
            }
            Role::Chr => &["CHR", "CHROM", "CHROMOSOME", "CHR_ID", "CHR_NAME"],
            Role::Bp => &["BP", "POS", "POSITION", "BASE_PAIR_LOCATION", "GENPOS", "BP_POS", "CHR_POS", "PS"],
        }
    }

    /// What a column of this role gives: roles of one kind are alternatives (a p-value in
    /// any scale; an effect as BETA or OR).
    pub fn kind(self) -> Role {
        match self {
            Role::NegLog10P | Role::LnP => Role::P,
            Role::Or => Role::Beta,
            other => other,
        }
    }

    /// Roles whose duplicates are resolved by synonym priority rather than refused.
    fn by_priority(self) -> bool {
        matches!(
            self,
            Role::Snp | Role::A1 | Role::A2 | Role::N | Role::NCases | Role::NControls | Role::Chr | Role::Bp
        )
    }
}

/// Normalises a header name the way ldsc does, plus GWAS-SSF and VCF habits.
pub fn normalize_header(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim().trim_start_matches('#');
    text.chars()
        .map(|c| match c {
            '-' | '.' | ' ' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// User choices for reading summary statistics.
#[derive(Debug, Clone, Default)]
pub struct SumstatsOptions {
    /// Explicit column names by role (matched case-insensitively), overriding synonyms.
    pub columns: Vec<(Role, String)>,
    /// Where chi-squares come from.
    pub chisq_from: Option<ChisqFrom>,
    /// The layout preset to use; `None` detects it from the header (none may match).
    pub format: Option<Format>,
    /// Whether to read a per-SNP sample size (needed by the gene analysis); a row with a
    /// missing or invalid N is then dropped like one with a bad statistic.
    pub read_n: ReadN,
    /// With case and control counts, use the effective sample size 4 / (1/Ncas + 1/Ncon)
    /// rather than Ncas + Ncon.
    pub n_effective: bool,
    /// The sample (trait) column of a GWAS-VCF holding several; required then, since each
    /// column is another trait. `None` takes the only one.
    pub vcf_sample: Option<String>,
    /// Also read the direction of each effect (the sign of Z, BETA or ln OR), which a
    /// harmonised table needs; a row whose direction is missing is then dropped.
    pub read_sign: bool,
}

/// Whether [`read_sumstats`] reads a sample size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReadN {
    /// No sample size.
    #[default]
    No,
    /// The sample size when the file has one (column, case and control columns, or daner's
    /// `FRQ_A_<Ncas>`/`FRQ_U_<Ncon>` header), none otherwise.
    IfFound,
    /// The sample size; an error if the file has none.
    Required,
}

impl ReadN {
    /// Parses `no`, `if-found` or `required`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "no" => Ok(ReadN::No),
            "if-found" => Ok(ReadN::IfFound),
            "required" => Ok(ReadN::Required),
            other => Err(Error::InvalidArgument(format!("read_n must be no, if-found or required; got '{other}'"))),
        }
    }
}

/// Where the sample size of a row comes from, in the order it is looked for (cases and
/// controls first when the effective N is asked for).
#[derive(Debug, Clone, Copy, PartialEq)]
enum NSource {
    /// A sample-size column, times a factor (2 for PGC's `NEFFDIV2`, 1 otherwise).
    Column(usize, f64),
    /// Case and control columns: their sum, or the effective N.
    CasesControls(usize, usize, bool),
    /// One size for every row (daner's `FRQ_A_<Ncas>`/`FRQ_U_<Ncon>` header names).
    Constant(f64),
}

/// Case and control counts from daner headers (`FRQ_A_2000`, `FRQ_U_3000`).
fn daner_counts(header: &[String]) -> Option<(f64, f64)> {
    let count = |prefix: &str| -> Option<f64> {
        let mut hits = header.iter().filter_map(|h| h.strip_prefix(prefix)?.parse::<u64>().ok());
        let first = hits.next()?;
        hits.next().is_none().then_some(first as f64)
    };
    Some((count("FRQ_A_")?, count("FRQ_U_")?)).filter(|&(a, u)| a > 0.0 && u > 0.0)
}

/// Sample size from case and control counts.
fn cases_controls_n(cases: f64, controls: f64, effective: bool) -> f64 {
    if effective {
        4.0 / (1.0 / cases + 1.0 / controls)
    } else {
        cases + controls
    }
}

/// Why a row of the summary statistics was not used. The order is the order in which reasons
/// are checked; each row is counted under the first reason that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropReason {
    /// Empty SNP identifier.
    MissingId,
    /// A row of another test than the additive one (REGENIE's and plink2's `TEST` column).
    OtherTest,
    /// The statistic (or one of BETA/SE) is empty, `NA`, `NaN`, `.`.
    MissingStatistic,
    /// Not a number, infinite, or SE/OR not positive.
    InvalidStatistic,
    /// P exactly 0 and no other statistic (Z, BETA/SE) in the row: no chi-square can be derived.
    PZero,
    /// The identifier occurs more than once in the summary statistics, or two rows match the
    /// same reference SNP (all copies dropped).
    DuplicateId,
    /// The row is to be matched by position but has no readable chromosome and position.
    NoPosition,
    /// The identifier (or, matched by position, the chromosome and position) is not in the
    /// reference .bim.
    NotInReference,
    /// The identifier occurs more than once in the reference .bim (matched by position: several
    /// SNPs at the position match the alleles).
    DuplicateInReference,
    /// The reference places the SNP outside chromosomes 1-22.
    NonAutosomal,
    /// Both files carry alleles and they do not match, even swapped or strand-flipped
    /// (matched by position: no SNP at the position has the row's alleles).
    AlleleMismatch,
    /// A/T or C/G SNP, dropped on request.
    StrandAmbiguous,
}

impl DropReason {
    /// Every reason, in checking order.
    pub const ALL: [DropReason; 12] = [
        DropReason::MissingId,
        DropReason::OtherTest,
        DropReason::MissingStatistic,
        DropReason::InvalidStatistic,
        DropReason::PZero,
        DropReason::DuplicateId,
        DropReason::NoPosition,
        DropReason::NotInReference,
        DropReason::DuplicateInReference,
        DropReason::NonAutosomal,
        DropReason::AlleleMismatch,
        DropReason::StrandAmbiguous,
    ];

    /// Snake-case name used in QC tables.
    pub fn name(self) -> &'static str {
        match self {
            DropReason::MissingId => "missing_snp_id",
            DropReason::OtherTest => "other_test",
            DropReason::MissingStatistic => "missing_statistic",
            DropReason::InvalidStatistic => "invalid_statistic",
            DropReason::PZero => "p_zero",
            DropReason::DuplicateId => "duplicate_snp_id",
            DropReason::NoPosition => "no_position",
            DropReason::NotInReference => "not_in_reference",
            DropReason::DuplicateInReference => "duplicate_in_reference",
            DropReason::NonAutosomal => "non_autosomal",
            DropReason::AlleleMismatch => "allele_mismatch",
            DropReason::StrandAmbiguous => "strand_ambiguous",
        }
    }

    /// Index into count arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Rows dropped while parsing, indexed by [`DropReason::index`].
pub type DropCounts = [u64; DropReason::ALL.len()];

/// Summary statistics reduced to what the enrichment screen needs.
#[derive(Debug)]
pub struct SumStats {
    /// File read.
    pub path: PathBuf,
    /// The layout preset used, and whether it was detected (rather than forced).
    pub format: Option<(Format, bool)>,
    /// Storage format detected.
    pub compression: Compression,
    /// Field separator detected.
    pub delimiter: Delimiter,
    /// Header name used for each role found.
    pub columns: Vec<(Role, String)>,
    /// Statistic the chi-squares come from.
    pub source: ChisqSource,
    /// Identifiers of the rows with a valid statistic.
    pub ids: SnpIds,
    /// Chi-square of each such row.
    pub chisq: Vec<f64>,
    /// Effect and other alleles, when both columns exist.
    pub alleles: Option<(AlleleColumn, AlleleColumn)>,
    /// Per-SNP sample size, when asked for.
    pub n: Option<Vec<f64>>,
    /// Chromosome code and position (0 when unreadable or absent) of each kept row, from the
    /// chromosome and position columns or from `chr:pos:a1:a2` ids; used to match rows by
    /// position and to compare id-matched rows with the reference's positions.
    pub positions: Option<(Vec<u8>, Vec<u32>)>,
    /// The GWAS-VCF sample column the statistics come from, when the file is one.
    pub vcf_sample: Option<String>,
    /// Direction of each kept row's effect (-1, 0 or +1, for its effect allele), when asked
    /// for ([`SumstatsOptions::read_sign`]).
    pub sign: Option<Vec<i8>>,
    /// Rows with p = 0 whose chi-square came from the file's Z or BETA/SE instead.
    pub p_zero_from_other: u64,
    /// Data rows read (blank lines excluded).
    pub rows_read: u64,
    /// Rows dropped while parsing, by reason.
    pub dropped: DropCounts,
    /// Keys (in `ids`) of rows dropped while parsing, so duplicates among all rows can be found.
    pub dropped_keys: Vec<u64>,
}

struct ColumnPlan {
    /// The test column (REGENIE, plink2) and the test whose rows are kept.
    test: Option<(usize, &'static str)>,
    /// The id column; none in files keyed by position only (Pan-UKBB's `chr pos ref alt`).
    snp: Option<usize>,
    n: Option<NSource>,
    /// Where the chi-square of a row with p = 0 comes from when the file has another statistic.
    p_zero_fallback: Option<StatColumns>,
    positions: Option<(usize, usize)>,
    stat: StatColumns,
    alleles: Option<(usize, usize)>,
    /// Where the direction of an effect is read, when asked for.
    sign: Option<SignColumn>,
    /// The column naming the allele each row's effect is for (plink2's `A1`), with the
    /// effect and other allele columns it is one of: the direction is for the effect column.
    tested_allele: Option<(usize, usize, usize)>,
    columns: Vec<(Role, String)>,
    source: ChisqSource,
}

/// The direction of a row's effect for its effect-allele column: the sign of `column`, turned
/// where `tested_allele` (the column naming the allele the effect is for, with the effect and
/// other allele columns) names the other allele; a row naming neither has no direction.
#[inline]
fn direction_of_row(
    line: &[u8],
    ranges: &[(u32, u32)],
    column: SignColumn,
    tested_allele: Option<(usize, usize, usize)>,
) -> std::result::Result<i8, DropReason> {
    let d = column.of_row(line, ranges)?;
    let Some((t, effect, other)) = tested_allele else {
        return Ok(d);
    };
    let tested = field(line, ranges, t);
    if tested.eq_ignore_ascii_case(field(line, ranges, effect)) {
        Ok(d)
    } else if tested.eq_ignore_ascii_case(field(line, ranges, other)) {
        Ok(-d)
    } else {
        Err(DropReason::AlleleMismatch)
    }
}

/// A column whose sign is the direction of the effect.
#[derive(Debug, Clone, Copy)]
enum SignColumn {
    /// Z or BETA: its own sign.
    Signed(usize),
    /// An odds ratio: the sign of its logarithm.
    OddsRatio(usize),
}

impl SignColumn {
    /// The direction of the effect in `line`, or why it has none.
    #[inline]
    fn of_row(self, line: &[u8], ranges: &[(u32, u32)]) -> std::result::Result<i8, DropReason> {
        let (i, null) = match self {
            SignColumn::Signed(i) => (i, 0.0),
            SignColumn::OddsRatio(i) => (i, 1.0),
        };
        let value = parse_number(field(line, ranges, i))?;
        if matches!(self, SignColumn::OddsRatio(_)) && value <= 0.0 {
            return Err(DropReason::InvalidStatistic);
        }
        Ok(if value > null {
            1
        } else if value < null {
            -1
        } else {
            0
        })
    }
}

/// The scale a p-value column is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PScale {
    Linear,
    NegLog10,
    Ln,
}

enum StatColumns {
    Z(usize),
    P(usize, PScale),
    BetaSe(usize, usize),
    LogOrSe(usize, usize),
}

/// Chooses a column for each role. `header` holds normalised names (for matching), `raw` the
/// names as written (for messages and reports).
fn plan_columns(path: &Path, header: &[String], raw: &[String], options: &SumstatsOptions) -> Result<ColumnPlan> {
    let found_names = || raw.join(", ");
    let find = |role: Role| -> Result<Option<usize>> {
        if let Some((_, name)) = options.columns.iter().find(|(r, _)| *r == role) {
            let wanted = normalize_header(name.as_bytes());
            return match header.iter().position(|h| *h == wanted) {
                Some(i) => Ok(Some(i)),
                None => Err(Error::MissingColumn {
                    path: path.to_path_buf(),
                    message: format!(
                        "the {} column '{name}' given explicitly is not in the header (found: {})",
                        role.name(),
                        found_names()
                    ),
                }),
            };
        }
        let hits: Vec<usize> = role.synonyms().iter().filter_map(|syn| header.iter().position(|h| h == syn)).collect();
        match hits.len() {
            0 => Ok(None),
            1 => Ok(Some(hits[0])),
            _ if role.by_priority() => Ok(Some(hits[0])),
            _ => Err(Error::MissingColumn {
                path: path.to_path_buf(),
                message: format!(
                    "columns {} all look like the {} column; name the one to use explicitly",
                    hits.iter().map(|&i| format!("'{}'", raw[i])).collect::<Vec<_>>().join(" and "),
                    role.name()
                ),
            }),
        }
    };
    let missing = |what: &str| Error::MissingColumn {
        path: path.to_path_buf(),
        message: format!("no {what} column found (header: {})", found_names()),
    };
    let snp = find(Role::Snp)?;
    if snp.is_none() && (find(Role::Chr)?.is_none() || find(Role::Bp)?.is_none()) {
        return Err(missing("SNP identifier (SNP, RSID, MARKERNAME, variant_id, ...) or chromosome and position"));
    }
    let chisq_from = options.chisq_from.unwrap_or(ChisqFrom::Auto);
    // Ambiguity only matters for the statistic actually used, so look up lazily.
    let beta_se = || -> Result<Option<StatColumns>> {
        let se = find(Role::Se)?;
        let beta = find(Role::Beta)?;
        let or = find(Role::Or)?;
        match (beta, or, se) {
            (Some(b), Some(o), Some(_)) if options.columns.iter().all(|(r, _)| *r != Role::Beta && *r != Role::Or) => {
                Err(Error::MissingColumn {
                    path: path.to_path_buf(),
                    message: format!(
                        "both an effect column '{}' and an odds-ratio column '{}' are present; name the one to use",
                        raw[b], raw[o]
                    ),
                })
            }
            (Some(b), _, Some(s)) if options.columns.iter().all(|(r, _)| *r != Role::Or) => {
                Ok(Some(StatColumns::BetaSe(b, s)))
            }
            (_, Some(o), Some(s)) => Ok(Some(StatColumns::LogOrSe(o, s))),
            (Some(b), None, Some(s)) => Ok(Some(StatColumns::BetaSe(b, s))),
            _ => Ok(None),
        }
    };
    // A p-value in whichever scale the file writes it: P, then -log10 p, then ln p. Each scale
    // is recognised by its name only, and values impossible in it are refused when read.
    let any_p = || -> Result<Option<StatColumns>> {
        // A scale named explicitly wins over the others found by synonyms.
        for (role, scale) in [(Role::P, PScale::Linear), (Role::NegLog10P, PScale::NegLog10), (Role::LnP, PScale::Ln)] {
            if options.columns.iter().any(|(r, _)| *r == role) {
                return Ok(find(role)?.map(|i| StatColumns::P(i, scale)));
            }
        }
        if let Some(i) = find(Role::P)? {
            return Ok(Some(StatColumns::P(i, PScale::Linear)));
        }
        if let Some(i) = find(Role::NegLog10P)? {
            return Ok(Some(StatColumns::P(i, PScale::NegLog10)));
        }
        Ok(find(Role::LnP)?.map(|i| StatColumns::P(i, PScale::Ln)))
    };
    let stat = match chisq_from {
        ChisqFrom::Z => StatColumns::Z(find(Role::Z)?.ok_or_else(|| missing("Z (Z, ZSCORE, ...)"))?),
        ChisqFrom::P => any_p()?.ok_or_else(|| missing("P (P, PVAL, P_VALUE, LOG10P, neglog10_pval, ...)"))?,
        ChisqFrom::BetaSe => beta_se()?.ok_or_else(|| missing("BETA (or OR) with SE"))?,
        ChisqFrom::Auto => {
            if let Some(z) = find(Role::Z)? {
                StatColumns::Z(z)
            } else if let Some(p) = any_p()? {
                p
            } else if let Some(bs) = beta_se()? {
                bs
            } else {
                return Err(missing("statistic: need Z, P, or BETA/OR with SE"));
            }
        }
    };
    // p = 0 (written as 0, or below the smallest double without an exponent to read) gives no
    // chi-square; dropping those rows would drop the strongest signals, so another statistic
    // of the same row is used when the file has one.
    let p_zero_fallback = if matches!(stat, StatColumns::P(_, PScale::Linear)) {
        find(Role::Z).ok().flatten().map(StatColumns::Z).or_else(|| beta_se().ok().flatten())
    } else {
        None
    };
    let mut n_name = String::new();
    let n = if options.read_n == ReadN::No {
        None
    } else {
        let column = find(Role::N)?.map(|i| {
            n_name = raw[i].clone();
            let factor = if header[i] == "NEFFDIV2" {
                n_name = format!("2 x {}", raw[i]);
                2.0
            } else {
                1.0
            };
            NSource::Column(i, factor)
        });
        let pair = match (find(Role::NCases)?, find(Role::NControls)?) {
            (Some(a), Some(b)) if a != b => Some((a, b)),
            _ => None,
        };
        let pair_name = |(a, b): (usize, usize)| {
            if options.n_effective {
                format!("4/(1/{} + 1/{})", raw[a], raw[b])
            } else {
                format!("{} + {}", raw[a], raw[b])
            }
        };
        let from_pair = pair.map(|(a, b)| NSource::CasesControls(a, b, options.n_effective));
        let explicit_n = options.columns.iter().any(|(r, _)| *r == Role::N);
        let chosen = match (column, from_pair) {
            (Some(_), Some(p)) if options.n_effective && !explicit_n => {
                n_name = pair_name(pair.unwrap_or_default());
                Some(p)
            }
            (Some(c), _) => Some(c),
            (None, Some(p)) => {
                n_name = pair_name(pair.unwrap_or_default());
                Some(p)
            }
            (None, None) => daner_counts(header).map(|(cases, controls)| {
                let (a, u) = (cases as u64, controls as u64);
                n_name = if options.n_effective {
                    format!("4/(1/{a} + 1/{u}) from the FRQ_A_{a}/FRQ_U_{u} header")
                } else {
                    format!("{a} + {u} from the FRQ_A_{a}/FRQ_U_{u} header")
                };
                NSource::Constant(cases_controls_n(cases, controls, options.n_effective))
            }),
        };
        if chosen.is_none() && options.read_n == ReadN::Required {
            return Err(missing(
                "sample size (N, NEFF, OBS_CT, n_complete_samples, NCAS with NCON, daner FRQ_A_/FRQ_U_, ...)",
            ));
        }
        chosen
    };
    let alleles = match (find(Role::A1)?, find(Role::A2)?) {
        (Some(a), Some(b)) if a != b => Some((a, b)),
        _ => None,
    };
    let positions = match (find(Role::Chr)?, find(Role::Bp)?) {
        (Some(c), Some(b)) if c != b => Some((c, b)),
        _ => None,
    };
    let mut columns: Vec<(Role, String)> = snp.map(|i| (Role::Snp, raw[i].clone())).into_iter().collect();
    let source = match stat {
        StatColumns::Z(i) => {
            columns.push((Role::Z, raw[i].clone()));
            ChisqSource::Z
        }
        StatColumns::P(i, scale) => {
            let (role, source) = match scale {
                PScale::Linear => (Role::P, ChisqSource::P),
                PScale::NegLog10 => (Role::NegLog10P, ChisqSource::NegLog10P),
                PScale::Ln => (Role::LnP, ChisqSource::LnP),
            };
            columns.push((role, raw[i].clone()));
            source
        }
        StatColumns::BetaSe(b, s) => {
            columns.push((Role::Beta, raw[b].clone()));
            columns.push((Role::Se, raw[s].clone()));
            ChisqSource::BetaSe
        }
        StatColumns::LogOrSe(o, s) => {
            columns.push((Role::Or, raw[o].clone()));
            columns.push((Role::Se, raw[s].clone()));
            ChisqSource::LogOrSe
        }
    };
    if let Some((a, b)) = alleles {
        columns.push((Role::A1, raw[a].clone()));
        columns.push((Role::A2, raw[b].clone()));
    }
    if n.is_some() {
        columns.push((Role::N, n_name));
    }
    if let Some((c, b)) = positions {
        columns.push((Role::Chr, raw[c].clone()));
        columns.push((Role::Bp, raw[b].clone()));
    }
    let sign = if options.read_sign {
        let own = match stat {
            StatColumns::Z(i) | StatColumns::BetaSe(i, _) => Some(SignColumn::Signed(i)),
            StatColumns::LogOrSe(i, _) => Some(SignColumn::OddsRatio(i)),
            StatColumns::P(..) => None,
        };
        let sign = match own {
            Some(sign) => sign,
            None => {
                let (role, sign) = if let Some(i) = find(Role::Z)? {
                    (Role::Z, SignColumn::Signed(i))
                } else if let Some(i) = find(Role::Beta)? {
                    (Role::Beta, SignColumn::Signed(i))
                } else if let Some(i) = find(Role::Or)? {
                    (Role::Or, SignColumn::OddsRatio(i))
                } else {
                    return Err(missing(
                        "direction of effect (Z, BETA or OR; the p-value alone has none), needed for signed Z",
                    ));
                };
                let i = match sign {
                    SignColumn::Signed(i) | SignColumn::OddsRatio(i) => i,
                };
                columns.push((role, raw[i].clone()));
                sign
            }
        };
        Some(sign)
    } else {
        None
    };
    let used: Vec<usize> = match stat {
        StatColumns::Z(i) | StatColumns::P(i, _) => snp.into_iter().chain([i]).collect(),
        StatColumns::BetaSe(a, b) | StatColumns::LogOrSe(a, b) => snp.into_iter().chain([a, b]).collect(),
    };
    for i in used {
        if header.iter().filter(|h| **h == header[i]).count() > 1 {
            return Err(Error::MissingColumn {
                path: path.to_path_buf(),
                message: format!("the header names column '{}' more than once; which one to use is ambiguous", raw[i]),
            });
        }
    }
    Ok(ColumnPlan {
        snp,
        n,
        p_zero_fallback,
        positions,
        stat,
        alleles,
        sign,
        tested_allele: None,
        columns,
        source,
        test: None,
    })
}

enum Parsed {
    Value(f64),
    /// A usable p (>= 1e-300), whose chi-square [`convert_pending_p`] computes once the piece's
    /// rows are parsed.
    FromP(f64),
    Drop(DropReason),
    /// A value no row of a column in this scale can hold (p > 1 in a P column): the whole
    /// column is in another scale, so the file is refused rather than half its rows dropped.
    WrongScale(usize, String),
}

#[inline]
fn parse_number(raw: &[u8]) -> std::result::Result<f64, DropReason> {
    if is_missing_token(raw) {
        return Err(DropReason::MissingStatistic);
    }
    match parse_f64(raw) {
        Some(v) if v.is_finite() => Ok(v),
        _ => Err(DropReason::InvalidStatistic),
    }
}

/// The sample size of one row.
#[inline]
fn n_of_row(line: &[u8], ranges: &[(u32, u32)], source: NSource) -> std::result::Result<f64, DropReason> {
    match source {
        NSource::Column(i, factor) => parse_number(field(line, ranges, i)).map(|n| n * factor),
        NSource::CasesControls(a, b, effective) => {
            let cases = parse_number(field(line, ranges, a))?;
            let controls = parse_number(field(line, ranges, b))?;
            if cases <= 0.0 || controls <= 0.0 {
                return Err(DropReason::InvalidStatistic);
            }
            Ok(cases_controls_n(cases, controls, effective))
        }
        NSource::Constant(n) => Ok(n),
    }
}

/// `##` meta lines kept for format detection.
const MAX_META_LINES: usize = 1000;

/// p-values above 1 by at most this much are rounding artefacts and read as 1.
const P_ROUNDING: f64 = 1e-9;

/// Natural log of a p-value written in decimal text, exact even when the value underflows a
/// double (`1e-400`).
fn log_p_from_text(raw: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(raw).ok()?;
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    let m: f64 = mantissa.parse().ok()?;
    (m > 0.0 && m.is_finite()).then(|| m.ln() + exponent as f64 * std::f64::consts::LN_10)
}

/// The chi-square of one row from `stat` (for a usable p, the p it comes from), or why the
/// row has none.
#[inline]
fn chisq_of_row(line: &[u8], ranges: &[(u32, u32)], stat: &StatColumns) -> Parsed {
    let value = |i: usize| parse_number(field(line, ranges, i));
    let result = match *stat {
        // |Z| above ~1.3e154 squares to infinity: no usable chi-square (found by fuzzing).
        StatColumns::Z(i) => {
            value(i).and_then(|z| Some(z * z).filter(|c| c.is_finite()).ok_or(DropReason::InvalidStatistic))
        }
        StatColumns::P(i, PScale::Linear) => match value(i) {
            // Tools that print p computed as 1 - x sometimes write 1.0000000000000002.
            Ok(p) if p > 1.0 && p <= 1.0 + P_ROUNDING => return Parsed::Value(0.0),
            Ok(p) if p > 1.0 => {
                return Parsed::WrongScale(
                    i,
                    format!(
                        "p-value {p} is above 1: this column is not on the p scale (-log10 p?); \
                         name a -log10 p column with --mlog10p-col / mlog10p_col="
                    ),
                )
            }
            Ok(p) if p < 0.0 => {
                return Parsed::WrongScale(
                    i,
                    format!(
                        "p-value {p} is negative: this column is not on the p scale (ln p?); \
                         name a natural-log p column with --lnp-col / lnp_col="
                    ),
                )
            }
            Ok(p) if p >= 1e-300 => return Parsed::FromP(p),
            Ok(_) => match log_p_from_text(field(line, ranges, i)) {
                Some(lnp) => Ok(chisq_from_log_p(lnp)),
                None => Err(DropReason::PZero),
            },
            Err(e) => Err(e),
        },
        StatColumns::P(i, scale) => match value(i) {
            Ok(v) => {
                let ln_p = if scale == PScale::NegLog10 { -v * std::f64::consts::LN_10 } else { v };
                if ln_p > 0.0 {
                    let what = if scale == PScale::NegLog10 { "-log10 p" } else { "ln p" };
                    return Parsed::WrongScale(
                        i,
                        format!("{what} value {v} would be a p-value above 1: this column is not on the {what} scale"),
                    );
                }
                // -log10 p of 1e308 has no finite chi-square.
                Some(chisq_from_log_p(ln_p)).filter(|c| c.is_finite()).ok_or(DropReason::InvalidStatistic)
            }
            Err(e) => Err(e),
        },
        StatColumns::BetaSe(b, s) | StatColumns::LogOrSe(b, s) => {
            let effect = value(b);
            let se = value(s);
            match (effect, se) {
                (Err(DropReason::MissingStatistic), _) | (_, Err(DropReason::MissingStatistic)) => {
                    Err(DropReason::MissingStatistic)
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
                (Ok(_), Ok(se)) if se <= 0.0 => Err(DropReason::InvalidStatistic),
                (Ok(or), Ok(_)) if matches!(stat, StatColumns::LogOrSe(..)) && or <= 0.0 => {
                    Err(DropReason::InvalidStatistic)
                }
                (Ok(effect), Ok(se)) => {
                    let beta = if matches!(stat, StatColumns::LogOrSe(..)) { effect.ln() } else { effect };
                    // Z itself may be finite while Z^2 is not (found by fuzzing).
                    let z = beta / se;
                    let chisq = z * z;
                    if chisq.is_finite() {
                        Ok(chisq)
                    } else {
                        Err(DropReason::InvalidStatistic)
                    }
                }
            }
        }
    };
    match result {
        Ok(v) => Parsed::Value(v),
        Err(r) => Parsed::Drop(r),
    }
}

/// Reads a summary-statistics file in one streaming pass.
///
/// The first line that is not blank and does not start with `##` is the header. Rows whose
/// field count differs from the header's are fatal (they signal a corrupt or mis-delimited
/// file); trailing empty fields are tolerated.
pub fn read_sumstats(path: &Path, options: &SumstatsOptions) -> Result<SumStats> {
    let mut reader = LineReader::open(path)?;
    let compression = reader.compression();
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut meta: Vec<String> = Vec::new();
    let (delimiter, raw_header) = loop {
        match reader.next_line()? {
            None => {
                return Err(Error::parse(
                    path,
                    reader.line_number().max(1),
                    "no header line found (the file is empty or blank): a header line is required",
                ))
            }
            Some((_, line)) if line.iter().all(u8::is_ascii_whitespace) => continue,
            Some((_, line)) if line.starts_with(b"##") => {
                // Meta lines may name the layout (`##fileformat=VCF`, PGC's `##` block).
                if meta.len() < MAX_META_LINES {
                    meta.push(String::from_utf8_lossy(line).to_ascii_uppercase());
                }
                continue;
            }
            Some((_, line)) => {
                let delimiter = Delimiter::detect(line);
                split_fields(line, delimiter, &mut ranges);
                let mut raw: Vec<String> = (0..ranges.len())
                    .map(|i| String::from_utf8_lossy(field(line, &ranges, i)).trim().to_string())
                    .collect();
                while raw.last().is_some_and(String::is_empty) {
                    raw.pop();
                }
                break (delimiter, raw);
            }
        }
    };
    let header_line = reader.line_number();
    let mut raw_header = raw_header;
    let real_fields = raw_header.len();
    let mut header: Vec<String> = raw_header.iter().map(|h| normalize_header(h.as_bytes())).collect();
    // GWAS-VCF: the statistics are the `:`-separated values of the chosen sample column, named
    // by the row's FORMAT field; they become columns after the real ones, named by their keys.
    let vcf = vcf_sample_keys(&header, &meta);
    let vcf_column = match &vcf {
        Some(_) => Some(choose_vcf_sample(path, header_line, &raw_header, options.vcf_sample.as_deref())?),
        None if options.vcf_sample.is_some() => {
            return Err(Error::InvalidArgument(format!(
                "{}: a VCF sample was asked for ('{}'), but the file is not a GWAS-VCF",
                path.display(),
                options.vcf_sample.as_deref().unwrap_or_default()
            )));
        }
        None => None,
    };
    let vcf_sample_name = vcf_column.map(|c| raw_header[c].clone());
    if let Some(keys) = &vcf {
        for key in keys {
            header.push(key.clone());
            raw_header.push(key.clone());
        }
    }
    let header_error = |message: String| Error::MissingColumn {
        path: path.to_path_buf(),
        message: format!("line {header_line} (header): {message}"),
    };
    let format = plan_format(&header, &meta, options.format).map_err(|e| header_error(e.to_string()))?;
    // The preset's columns, unless the user named a column of the same kind (a p-value in
    // any scale, an effect) or of the same role.
    let mut effective = options.clone();
    if let Some(plan) = &format {
        let named = |role: Role| options.columns.iter().any(|(r, _)| r.kind() == role.kind());
        for &(role, i) in &plan.columns {
            if !named(role) {
                effective.columns.push((role, raw_header[i].clone()));
            }
        }
    }
    let options = &effective;
    let plan = plan_columns(path, &header, &raw_header, options).map_err(|e| match e {
        // Column problems are problems of the header line: say which line that is.
        Error::MissingColumn { path, message } => {
            Error::MissingColumn { path, message: format!("line {header_line} (header): {message}") }
        }
        other => other,
    })?;
    let n_fields = real_fields;
    // A preset whose effect is for one of its allele columns row by row (plink2's `A1`): a
    // direction is turned where that is the other allele.
    let tested_allele = match (format.as_ref().and_then(|f| f.tested_allele), plan.sign, plan.alleles) {
        (Some(t), Some(_), Some((effect, other))) if t != effect && t != other => Some((t, effect, other)),
        _ => None,
    };
    let plan = ColumnPlan { test: format.as_ref().and_then(|f| f.test), tested_allele, ..plan };
    let vcf = vcf.zip(vcf_column).map(|(keys, column)| VcfSample {
        keys: keys.into_iter().map(String::into_bytes).collect(),
        first: n_fields,
        column,
    });
    let rows = RowParser { path, names: &raw_header, plan: &plan, delimiter, n_fields, header_line, vcf: vcf.as_ref() };
    // Pieces are folded in as soon as they are parsed in order, so only the pieces in flight
    // exist besides the growing result.
    let whole =
        par_chunks_fold(reader, |bytes| rows.parse(bytes), Part::new(&plan, 0), |whole, part| whole.absorb(part))?;
    let Part {
        mut ids,
        mut chisq,
        mut alleles,
        n: mut sample_size,
        mut positions,
        mut sign,
        p_zero_from_other,
        dropped,
        dropped_keys,
        rows_read,
    } = whole;
    if let Some(sign) = sign.as_mut() {
        sign.shrink_to_fit();
    }
    ids.finish();
    chisq.shrink_to_fit();
    if let Some((c1, c2)) = alleles.as_mut() {
        c1.finish();
        c2.finish();
    }
    if let Some((c, b)) = positions.as_mut() {
        c.shrink_to_fit();
        b.shrink_to_fit();
    }
    if let Some(n) = sample_size.as_mut() {
        n.shrink_to_fit();
    }
    Ok(SumStats {
        path: path.to_path_buf(),
        format: format.map(|f| (f.format, f.detected)),
        compression,
        delimiter,
        columns: plan.columns,
        source: plan.source,
        ids,
        chisq,
        alleles,
        n: sample_size,
        positions,
        vcf_sample: vcf_sample_name,
        sign,
        p_zero_from_other,
        rows_read,
        dropped,
        dropped_keys,
    })
}

/// The rows of one piece of the file, with identifiers and alleles interned locally.
struct Part {
    ids: SnpIds,
    chisq: Vec<f64>,
    alleles: Option<(AlleleColumn, AlleleColumn)>,
    n: Option<Vec<f64>>,
    positions: Option<(Vec<u8>, Vec<u32>)>,
    sign: Option<Vec<i8>>,
    p_zero_from_other: u64,
    dropped: DropCounts,
    dropped_keys: Vec<u64>,
    rows_read: u64,
}

impl Part {
    fn new(plan: &ColumnPlan, capacity: usize) -> Self {
        Part {
            ids: SnpIds::with_capacity(capacity),
            chisq: Vec::with_capacity(capacity),
            alleles: plan.alleles.map(|_| (AlleleColumn::default(), AlleleColumn::default())),
            n: plan.n.map(|_| Vec::new()),
            positions: plan.positions.map(|_| (Vec::new(), Vec::new())),
            sign: plan.sign.map(|_| Vec::with_capacity(capacity)),
            p_zero_from_other: 0,
            dropped: [0; DropReason::ALL.len()],
            dropped_keys: Vec::new(),
            rows_read: 0,
        }
    }

    /// Records the position (and alleles) an id gives the row just pushed, or none. Files
    /// of rs numbers never allocate: the columns start at the first id with a position,
    /// the rows before it filled with 0 (no position) and missing alleles.
    #[inline]
    fn push_id_position(&mut self, from_id: Option<VariantId<'_>>, alleles_from_id: bool) {
        if from_id.is_none() && self.positions.is_none() {
            return;
        }
        let before = self.chisq.len() - 1;
        let (chrom, bp, alleles) = from_id.unwrap_or((0, 0, None));
        let (chroms, bps) = self.positions.get_or_insert_with(|| (vec![0; before], vec![0; before]));
        chroms.push(chrom);
        bps.push(bp);
        if !alleles_from_id {
            return;
        }
        if alleles.is_some() && self.alleles.is_none() {
            self.alleles = Some((AlleleColumn::missing(before), AlleleColumn::missing(before)));
        }
        if let Some((c1, c2)) = self.alleles.as_mut() {
            // `chr:pos:ref:alt`: the effect allele is the last (Neale UKB, REGENIE, plink2).
            let (other, effect) = alleles.unwrap_or((b"", b""));
            c1.push(effect);
            c2.push(other);
        }
    }

    /// Appends a later piece, re-keying what it interned.
    fn absorb(&mut self, mut part: Part) {
        let (before, added) = (self.chisq.len(), part.chisq.len());
        self.ids.absorb(part.ids, &mut part.dropped_keys);
        self.chisq.extend_from_slice(&part.chisq);
        // Positions and alleles from ids exist in the pieces that had such ids only.
        if self.alleles.is_none() && part.alleles.is_some() {
            self.alleles = Some((AlleleColumn::missing(before), AlleleColumn::missing(before)));
        }
        if let Some((a, b)) = self.alleles.as_mut() {
            let (pa, pb) = part.alleles.unwrap_or_else(|| (AlleleColumn::missing(added), AlleleColumn::missing(added)));
            a.absorb(pa);
            b.absorb(pb);
        }
        if let (Some(n), Some(pn)) = (self.n.as_mut(), part.n) {
            n.extend_from_slice(&pn);
        }
        if let (Some(sign), Some(ps)) = (self.sign.as_mut(), part.sign) {
            sign.extend_from_slice(&ps);
        }
        if self.positions.is_none() && part.positions.is_some() {
            self.positions = Some((vec![0; before], vec![0; before]));
        }
        if let Some((c, b)) = self.positions.as_mut() {
            match part.positions {
                Some((pc, pb)) => {
                    c.extend_from_slice(&pc);
                    b.extend_from_slice(&pb);
                }
                None => {
                    c.resize(before + added, 0);
                    b.resize(before + added, 0);
                }
            }
        }
        self.p_zero_from_other += part.p_zero_from_other;
        for (total, d) in self.dropped.iter_mut().zip(part.dropped) {
            *total += d;
        }
        self.dropped_keys.extend_from_slice(&part.dropped_keys);
        self.rows_read += part.rows_read;
    }
}

/// The FORMAT keys of a GWAS-VCF sample column read as columns `first..`.
struct VcfSample {
    keys: Vec<Vec<u8>>,
    first: usize,
    /// The field of the sample column used.
    column: usize,
}

/// The field of the GWAS-VCF sample column to read: the one named (exactly, else the only
/// case-insensitive match), or the only one. Several samples are several traits, so without a
/// name that is an error listing them.
fn choose_vcf_sample(path: &Path, header_line: u64, raw_header: &[String], wanted: Option<&str>) -> Result<usize> {
    let samples = &raw_header[VCF_FORMAT + 1..];
    let listed = || {
        let shown: Vec<&str> = samples.iter().take(10).map(String::as_str).collect();
        let more = if samples.len() > 10 { format!(" and {} more", samples.len() - 10) } else { String::new() };
        format!("{}{more}", shown.join(", "))
    };
    let found = match wanted {
        None if samples.len() == 1 => Some(0),
        None => {
            return Err(Error::InvalidArgument(format!(
                "{}: line {header_line} (header): this GWAS-VCF holds {} samples (traits): {}; choose one with \
                 --vcf-sample (vcf_sample=)",
                path.display(),
                samples.len(),
                listed()
            )));
        }
        Some(name) => samples.iter().position(|s| s == name).or_else(|| {
            let folded: Vec<usize> = (0..samples.len()).filter(|&i| samples[i].eq_ignore_ascii_case(name)).collect();
            (folded.len() == 1).then(|| folded[0])
        }),
    };
    match found {
        Some(i) => Ok(VCF_FORMAT + 1 + i),
        None => Err(Error::InvalidArgument(format!(
            "{}: line {header_line} (header): no VCF sample '{}'; the samples are {}",
            path.display(),
            wanted.unwrap_or_default(),
            listed()
        ))),
    }
}

/// Column index of the VCF `FORMAT` field (the first sample follows it).
const VCF_FORMAT: usize = 8;

/// The statistic keys of a GWAS-VCF (`##fileformat=VCF`, `FORMAT` then a sample column): the
/// `##FORMAT=<ID=..>` keys in their order (the MRC IEU GWAS-VCF ones when none are declared),
/// without `ID`, which would shadow the variant id column.
fn vcf_sample_keys(header: &[String], meta: &[String]) -> Option<Vec<String>> {
    let is_vcf = meta.iter().any(|m| m.starts_with("##FILEFORMAT=VCF"))
        && header.get(VCF_FORMAT).is_some_and(|h| h == "FORMAT")
        && header.len() > VCF_FORMAT + 1;
    if !is_vcf {
        return None;
    }
    let mut keys: Vec<String> = meta
        .iter()
        .filter_map(|m| m.strip_prefix("##FORMAT=<ID=")?.split(',').next().map(str::to_string))
        .filter(|k| k != "ID" && !header.contains(k))
        .collect();
    if keys.is_empty() {
        keys = ["ES", "SE", "LP", "AF", "SS", "EZ", "SI", "NC"].map(String::from).to_vec();
    }
    Some(keys)
}

/// Appends to `ranges` the sample values of a GWAS-VCF row, in the order of `vcf.keys`
/// (empty where the row's FORMAT lacks a key).
fn split_vcf_sample(line: &[u8], ranges: &mut Vec<(u32, u32)>, vcf: &VcfSample) {
    let (format, sample) = (ranges[VCF_FORMAT], ranges[vcf.column]);
    ranges.truncate(vcf.first);
    ranges.resize(vcf.first + vcf.keys.len(), (0, 0));
    let keys = line[format.0 as usize..format.1 as usize].split(|&b| b == b':');
    let mut start = sample.0;
    let values = line[sample.0 as usize..sample.1 as usize].split(|&b| b == b':').map(|v| {
        let range = (start, start + v.len() as u32);
        start = range.1 + 1;
        range
    });
    for (key, range) in keys.zip(values) {
        if let Some(k) = vcf.keys.iter().position(|want| want.eq_ignore_ascii_case(key)) {
            ranges[vcf.first + k] = range;
        }
    }
}

struct RowParser<'a> {
    /// GWAS-VCF sample columns, when the file is one.
    vcf: Option<&'a VcfSample>,
    path: &'a Path,
    /// Header names as written, for messages.
    names: &'a [String],
    plan: &'a ColumnPlan,
    delimiter: Delimiter,
    n_fields: usize,
    header_line: u64,
}

impl RowParser<'_> {
    /// Parses a buffer of whole data lines; line numbers of errors are local to the buffer.
    fn parse(&self, bytes: &[u8]) -> Result<Part> {
        let (plan, n_fields) = (self.plan, self.n_fields);
        // ~60-70 bytes a row in typical files: one reservation instead of repeated growth.
        let mut part = Part::new(plan, bytes.len() / 48);
        let mut ranges: Vec<(u32, u32)> = Vec::with_capacity(n_fields + 1);
        let splitter = FieldSplitter::new(bytes, self.delimiter);
        for (line_no, line) in Lines::new(bytes) {
            if line.is_empty() || line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            splitter.split(line, &mut ranges);
            if ranges.len() != n_fields {
                let extra_empty =
                    ranges.len() > n_fields && (n_fields..ranges.len()).all(|i| ranges[i].0 == ranges[i].1);
                if !extra_empty {
                    return Err(Error::parse(
                        self.path,
                        line_no,
                        format!(
                            "expected {n_fields} fields as in the header (line {}), found {}; is the file truncated or mis-delimited?",
                            self.header_line,
                            ranges.len()
                        ),
                    ));
                }
            }
            part.rows_read += 1;
            if let Some(vcf) = self.vcf {
                split_vcf_sample(line, &mut ranges, vcf);
            }
            if let Some((i, keep)) = plan.test {
                // Rows of other tests (dominant, covariates) are other statistics of the same
                // SNP, not duplicates: left out, counted, and never part of the duplicate check.
                if !field(line, &ranges, i).eq_ignore_ascii_case(keep.as_bytes()) {
                    part.dropped[DropReason::OtherTest.index()] += 1;
                    continue;
                }
            }
            let mut id = plan.snp.map_or(&b""[..], |i| field(line, &ranges, i));
            if id.is_empty() || is_missing_token(id) {
                // With positions, a row without an id can still be matched by position.
                if plan.positions.is_none() {
                    part.dropped[DropReason::MissingId.index()] += 1;
                    continue;
                }
                id = b"";
            }
            let parsed = match (chisq_of_row(line, &ranges, &plan.stat), &plan.p_zero_fallback) {
                (Parsed::Drop(DropReason::PZero), Some(other)) => match chisq_of_row(line, &ranges, other) {
                    Parsed::Drop(_) => Parsed::Drop(DropReason::PZero),
                    usable => {
                        part.p_zero_from_other += 1;
                        usable
                    }
                },
                (parsed, _) => parsed,
            };
            let mut direction = 0i8;
            let parsed = match (parsed, plan.sign) {
                (usable @ (Parsed::Value(_) | Parsed::FromP(_)), Some(column)) => {
                    match direction_of_row(line, &ranges, column, plan.tested_allele) {
                        Ok(d) => {
                            direction = d;
                            usable
                        }
                        Err(reason) => Parsed::Drop(reason),
                    }
                }
                (parsed, _) => parsed,
            };
            let parsed = match (parsed, plan.n) {
                (usable @ (Parsed::Value(_) | Parsed::FromP(_)), Some(source)) => {
                    match n_of_row(line, &ranges, source) {
                        Ok(size) if size > 0.0 && size.is_finite() => {
                            if let Some(n) = part.n.as_mut() {
                                n.push(size);
                            }
                            usable
                        }
                        Ok(_) => Parsed::Drop(DropReason::InvalidStatistic),
                        Err(reason) => Parsed::Drop(reason),
                    }
                }
                (parsed, _) => parsed,
            };
            let chisq = match parsed {
                Parsed::Value(chisq) => chisq,
                // Negated: every chi-square is >= +0, so the sign marks what `convert_pending_p`
                // has left to compute.
                Parsed::FromP(p) => -p,
                Parsed::WrongScale(column, message) => {
                    return Err(Error::parse_col(self.path, line_no, format!("'{}'", self.names[column]), message));
                }
                Parsed::Drop(reason) => {
                    part.dropped[reason.index()] += 1;
                    let key = part.ids.key_of(id);
                    part.dropped_keys.push(key);
                    continue;
                }
            };
            part.ids.push(id);
            part.chisq.push(chisq);
            if let Some(sign) = part.sign.as_mut() {
                sign.push(direction);
            }
            if let (Some((c1, c2)), Some((i1, i2))) = (part.alleles.as_mut(), plan.alleles) {
                c1.push(field(line, &ranges, i1));
                c2.push(field(line, &ranges, i2));
            }
            if let (Some((chroms, bps)), Some((ic, ib))) = (part.positions.as_mut(), plan.positions) {
                let mut chrom = parse_chrom(field(line, &ranges, ic)).unwrap_or(0);
                let mut bp = parse_u64(field(line, &ranges, ib)).and_then(|v| u32::try_from(v).ok()).unwrap_or(0);
                if (chrom == 0 || bp == 0) && id.first() != Some(&b'r') {
                    // Empty position fields: a `chr:pos:a1:a2` id stands in, alleles included
                    // when the allele fields are empty too.
                    if let Some((c, b, alleles)) = parse_variant_id(id) {
                        (chrom, bp) = (c, b);
                        if let (Some((c1, c2)), Some((a1, a2))) = (part.alleles.as_mut(), alleles) {
                            if c1.codes.last() == Some(&MISSING_ALLELE) && c2.codes.last() == Some(&MISSING_ALLELE) {
                                c1.codes.pop();
                                c2.codes.pop();
                                // `chr:pos:ref:alt`: the effect allele is the last.
                                c1.push(a2);
                                c2.push(a1);
                            }
                        }
                    }
                }
                // Still unreadable (0): the row is left to its id, or counted as without position.
                chroms.push(chrom);
                bps.push(bp);
            } else if plan.positions.is_none() {
                // `chr:pos:a1:a2` ids (not rs numbers, which start with `r`) carry their
                // position and alleles; allele columns, when the file has them, come first.
                let from_id = if id.first() != Some(&b'r') { parse_variant_id(id) } else { None };
                part.push_id_position(from_id, plan.alleles.is_none());
            }
        }
        convert_pending_p(&mut part.chisq);
        Ok(part)
    }
}

/// Replaces each pending p-value (a [`Parsed::FromP`], stored negated) by its chi-square.
///
/// One chi-square from p is ~100 cycles of dependent arithmetic (a logarithm, a square root,
/// two polynomials and a division). Computed inline, each row waited for its own; in this loop
/// the evaluations are independent, so the CPU overlaps them (the parse of a P file takes ~20%
/// less CPU). Each value is computed by the same function, so the bits do not change.
fn convert_pending_p(chisq: &mut [f64]) {
    for value in chisq.iter_mut() {
        if *value < 0.0 {
            *value = chisq_from_p(-*value);
        }
    }
}

impl SumStats {
    /// Number of rows with a valid chi-square.
    pub fn len(&self) -> usize {
        self.chisq.len()
    }

    /// True when no row had a valid chi-square.
    pub fn is_empty(&self) -> bool {
        self.chisq.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn detects_columns_and_sources() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "a.tsv", "MarkerName\tAllele1\tAllele2\tP-value\n rs1\ta\tg\t0.05\nrs2\tA\tC\tNA\nrs3\tA\tC\t1.0000000000000002\nrs4\tA\tC\t0\nrs5\tA\tC\tabc\n\tA\tC\t0.1\nrs6\tA\tC\t1e-400\n");
        let mut s = read_sumstats(&p, &SumstatsOptions::default()).unwrap();
        assert_eq!(s.source, ChisqSource::P);
        assert_eq!(s.rows_read, 7);
        assert_eq!(s.len(), 3);
        // p a rounding error above 1 is p = 1.
        assert_eq!(s.chisq.remove(1), 0.0);
        assert!((s.chisq[0] - 3.841_458_820_694_124).abs() < 1e-12);
        assert!((s.chisq[1] - 1_834.101_092_947_028_8).abs() < 1e-9, "{}", s.chisq[1]);
        assert_eq!(s.dropped[DropReason::MissingStatistic.index()], 1);
        assert_eq!(s.dropped[DropReason::PZero.index()], 1);
        assert_eq!(s.dropped[DropReason::InvalidStatistic.index()], 1);
        assert_eq!(s.dropped[DropReason::MissingId.index()], 1);
        assert_eq!(s.dropped_keys.len(), 3);
    }

    #[test]
    fn p_in_every_scale_and_impossible_scales_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ln10 = std::f64::consts::LN_10;
        let p = write(&dir, "l.tsv", "ID LOG10P\nrs1 1.3010299956639813\nrs2 0\nrs3 400\nrs4 NA\nrs5 1e308\n");
        let s = read_sumstats(&p, &SumstatsOptions::default()).unwrap();
        assert_eq!((s.source, s.len()), (ChisqSource::NegLog10P, 3));
        assert_eq!(s.columns[1], (Role::NegLog10P, "LOG10P".to_string()));
        assert!((s.chisq[0] - 3.841_458_820_694_124).abs() < 1e-12, "{}", s.chisq[0]);
        assert_eq!(s.chisq[1], 0.0);
        assert!((s.chisq[2] - chisq_from_log_p(-400.0 * ln10)).abs() < 1e-9);
        assert_eq!(s.dropped[DropReason::MissingStatistic.index()], 1);
        assert_eq!(s.dropped[DropReason::InvalidStatistic.index()], 1);
        let p = write(&dir, "n.tsv", "SNP ln_p\nrs1 -2.995732273553991\n");
        let s = read_sumstats(&p, &SumstatsOptions::default()).unwrap();
        assert_eq!(s.source, ChisqSource::LnP);
        assert!((s.chisq[0] - 3.841_458_820_694_124).abs() < 1e-12);
        // -log10 p written in a column named P: refused at the first value above 1, with
        // file, line and column, instead of half the rows dropped.
        let p = write(&dir, "w.tsv", "SNP P\nrs1 0.5\nrs2 0.01\nrs3 7.3\nrs4 0.2\n");
        let err = read_sumstats(&p, &SumstatsOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Parse { line: 4, .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("w.tsv") && text.contains("column 'P'") && text.contains("-log10"), "{text}");
        let p = write(&dir, "v.tsv", "SNP P\nrs1 -0.5\n");
        assert!(read_sumstats(&p, &SumstatsOptions::default()).unwrap_err().to_string().contains("ln p"));
        let p = write(&dir, "x.tsv", "SNP LP\nrs1 -0.5\n");
        assert!(matches!(read_sumstats(&p, &SumstatsOptions::default()), Err(Error::Parse { line: 2, .. })));
    }

    #[test]
    fn z_wins_over_p_and_overrides_work() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "b.csv", "snp,z,p,beta,se\nrs1,2,0.5,1,0.5\n");
        let s = read_sumstats(&p, &SumstatsOptions::default()).unwrap();
        assert_eq!((s.source, s.chisq[0]), (ChisqSource::Z, 4.0));
        let opts = SumstatsOptions { chisq_from: Some(ChisqFrom::BetaSe), ..Default::default() };
        let s = read_sumstats(&p, &opts).unwrap();
        assert_eq!((s.source, s.chisq[0]), (ChisqSource::BetaSe, 4.0));
        let opts = SumstatsOptions { columns: vec![(Role::Z, "nope".into())], ..Default::default() };
        assert!(matches!(read_sumstats(&p, &opts), Err(Error::MissingColumn { .. })));
    }

    #[test]
    fn ambiguous_and_ragged_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "c.txt", "SNP BETA OR SE\nrs1 0.1 1.1 0.1\n");
        let err = read_sumstats(&p, &SumstatsOptions::default()).unwrap_err().to_string();
        assert!(err.contains("odds-ratio"), "{err}");
        let p = write(&dir, "d.txt", "SNP P\nrs1 0.1\nrs2\n");
        let err = read_sumstats(&p, &SumstatsOptions::default()).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("d.txt"), "{err}");
        let p = write(&dir, "e.txt", "SNP A1 A2\nrs1 A G\n");
        assert!(read_sumstats(&p, &SumstatsOptions::default()).is_err());
        let p = write(&dir, "f.txt", "");
        assert!(read_sumstats(&p, &SumstatsOptions::default()).is_err());
    }

    #[test]
    fn p_zero_falls_back_to_another_statistic() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "p0.txt", "SNP BETA SE P\nrs1 1 0.1 0\nrs2 1 NA 0\nrs3 0.2 0.1 0.05\n");
        let s = read_sumstats(&p, &SumstatsOptions::default()).unwrap();
        assert_eq!(s.source, ChisqSource::P);
        assert_eq!(s.chisq[0], 100.0);
        assert_eq!((s.len(), s.p_zero_from_other, s.dropped[DropReason::PZero.index()]), (2, 1, 1));
    }

    #[test]
    fn every_chisq_from_p_is_exact_whatever_its_neighbours() {
        // P rows of every kind, mixed with p = 0 rows whose chi-square comes from Z, rows
        // below 1e-300 (the log route), p = 1 (chi-square +0) and dropped rows, over several
        // 4 MiB pieces: each value must be exactly what its own row alone gives.
        let dir = tempfile::tempdir().unwrap();
        let rows: [(&str, &str, Option<f64>); 10] = [
            ("0.05", "1", Some(chisq_from_p(0.05))),
            ("0", "-3", Some(9.0)),
            ("1", "5", Some(0.0)),
            ("1e-300", "1", Some(chisq_from_p(1e-300))),
            ("2.5e-350", "1", Some(chisq_from_log_p((2.5f64).ln() - 350.0 * std::f64::consts::LN_10))),
            ("0", "-0", Some(0.0)),
            ("NA", "1", None),
            ("0.999999", "1", Some(chisq_from_p(0.999_999))),
            ("1e-320", "1", Some(chisq_from_log_p(-320.0 * std::f64::consts::LN_10))),
            ("9.815e-01", "1", Some(chisq_from_p(0.9815))),
        ];
        let mut text = String::from("SNP P Z\n");
        let mut want = Vec::new();
        for copy in 0..500_000 {
            let (p, z, chisq) = rows[copy % rows.len()];
            text.push_str(&format!("rs{} {p} {z}\n", copy + 1));
            want.extend(chisq);
        }
        let path = write(&dir, "mixed.txt", &text);
        let opts = SumstatsOptions { chisq_from: Some(ChisqFrom::P), ..Default::default() };
        for threads in [1, 3] {
            let s = crate::parallel::with_threads(Some(threads), || read_sumstats(&path, &opts)).unwrap().unwrap();
            assert_eq!(s.len(), want.len());
            for (k, (got, want)) in s.chisq.iter().zip(&want).enumerate() {
                assert_eq!(got.to_bits(), want.to_bits(), "row {k}: {got} vs {want}");
            }
            assert_eq!(s.p_zero_from_other, 100_000);
        }
    }

    #[test]
    fn sample_size_is_found_by_itself() {
        let dir = tempfile::tempdir().unwrap();
        let if_found = SumstatsOptions { read_n: ReadN::IfFound, ..Default::default() };
        let n_of = |text: &str, options: &SumstatsOptions| {
            let p = write(&dir, "n.tsv", text);
            let s = read_sumstats(&p, options).unwrap();
            let name = s.columns.iter().find(|(r, _)| *r == Role::N).map(|(_, n)| n.clone());
            (s.n, name)
        };
        assert_eq!(
            n_of("SNP P n_complete_samples\nrs1 0.5 1000\n", &if_found),
            (Some(vec![1000.0]), Some("n_complete_samples".into()))
        );
        assert_eq!(n_of("SNP P OBS_CT\nrs1 0.5 7\n", &if_found).0, Some(vec![7.0]));
        assert_eq!(n_of("SNP P SS\nrs1 0.5 9\n", &if_found).0, Some(vec![9.0]));
        assert_eq!(n_of("SNP P NEFFDIV2\nrs1 0.5 9\n", &if_found), (Some(vec![18.0]), Some("2 x NEFFDIV2".into())));
        assert_eq!(n_of("SNP P Nca Nco\nrs1 0.5 100 300\n", &if_found), (Some(vec![400.0]), Some("Nca + Nco".into())));
        let effective = SumstatsOptions { n_effective: true, ..if_found.clone() };
        // The effective N from the counts, even beside a total N column.
        let (n, name) = n_of("SNP P N NCAS NCON\nrs1 0.5 400 100 300\n", &effective);
        assert!((n.unwrap()[0] - 300.0).abs() < 1e-12 && name.unwrap().starts_with("4/(1/NCAS"));
        assert_eq!(n_of("SNP P N NCAS NCON\nrs1 0.5 400 100 300\n", &if_found).0, Some(vec![400.0]));
        // daner: the counts are in the header names.
        let daner = "CHR SNP BP A1 A2 FRQ_A_1000 FRQ_U_3000 INFO OR SE P\n22 rs1 100 A G 0.1 0.1 1 1.1 0.1 0.5\n";
        let (n, name) = n_of(daner, &effective);
        assert!((n.unwrap()[0] - 3000.0).abs() < 1e-9);
        assert!(name.unwrap().contains("FRQ_A_1000/FRQ_U_3000"));
        assert_eq!(n_of(daner, &if_found).0, Some(vec![4000.0]));
        assert_eq!(n_of("SNP P\nrs1 0.5\n", &if_found).0, None);
        let p = write(&dir, "m.tsv", "SNP P\nrs1 0.5\n");
        let required = SumstatsOptions { read_n: ReadN::Required, ..Default::default() };
        assert!(matches!(read_sumstats(&p, &required), Err(Error::MissingColumn { .. })));
        // A row without a usable count is dropped.
        let p = write(&dir, "k.tsv", "SNP P NCAS NCON\nrs1 0.5 0 3\nrs2 0.5 NA 3\nrs3 0.5 1 1\n");
        let s = read_sumstats(&p, &if_found).unwrap();
        assert_eq!(
            (s.len(), s.dropped[DropReason::InvalidStatistic.index()], s.dropped[DropReason::MissingStatistic.index()]),
            (1, 1, 1)
        );
    }

    #[test]
    fn gwas_vcf_statistics_come_from_the_sample_column() {
        let dir = tempfile::tempdir().unwrap();
        let text = "##fileformat=VCFv4.2\n##FORMAT=<ID=ES,Number=A>\n##FORMAT=<ID=SE,Number=A>\n##FORMAT=<ID=LP,Number=A>\n##FORMAT=<ID=SS,Number=A>\n##FORMAT=<ID=ID,Number=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ttrait\n22\t100\trs1\tG\tA\t.\tPASS\t.\tES:SE:LP:SS:ID\t0.1:0.05:1.3010299956639813:900:rs1\n22\t200\trs2\tC\tT\t.\tPASS\t.\tLP:ES:ID\t0:0.2:rs2\n22\t300\trs3\tC\tT\t.\tPASS\t.\tES:SE:ID\t0.2:0.1:rs3\n";
        let p = write(&dir, "g.vcf", text);
        let options = SumstatsOptions { read_n: ReadN::IfFound, ..Default::default() };
        let s = read_sumstats(&p, &options).unwrap();
        assert_eq!(s.format, Some((Format::GwasVcf, true)));
        assert_eq!(s.source, ChisqSource::NegLog10P);
        // rs1: LP of p = 0.05; rs2: keys in another order, no SS (dropped when N is read);
        // rs3: no LP at all.
        assert_eq!((s.len(), s.rows_read), (1, 3));
        assert!((s.chisq[0] - 3.841_458_820_694_124).abs() < 1e-12);
        assert_eq!(s.n, Some(vec![900.0]));
        assert_eq!(s.dropped[DropReason::MissingStatistic.index()], 2);
        let s = read_sumstats(&p, &SumstatsOptions::default()).unwrap();
        assert_eq!((s.len(), s.chisq[1]), (2, 0.0));
        assert_eq!(s.columns.iter().find(|(r, _)| *r == Role::A1).unwrap().1, "ALT");
    }

    #[test]
    fn gwas_vcf_with_several_samples_reads_the_one_named() {
        let dir = tempfile::tempdir().unwrap();
        // Two traits; each row's FORMAT applies to both sample columns.
        let text = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tieu-a-2\tIEU-B-7\n\
                    22\t100\trs1\tG\tA\t.\tPASS\t.\tES:SE:LP\t0.1:0.05:2:50\t0.3:0.1:1:7\n\
                    22\t200\trs2\tC\tT\t.\tPASS\t.\tES:SE:LP\t0.2:0.1:4\t0.1:0.1:0.5\n";
        let p = write(&dir, "two.vcf", text);
        let read = |name: Option<&str>| {
            read_sumstats(&p, &SumstatsOptions { vcf_sample: name.map(String::from), ..Default::default() })
        };
        let chisq_of = |lp: f64| crate::special::chisq_from_log_p(-lp * std::f64::consts::LN_10);
        let first = read(Some("ieu-a-2")).unwrap();
        assert_eq!(first.vcf_sample.as_deref(), Some("ieu-a-2"));
        assert_eq!(first.chisq, [chisq_of(2.0), chisq_of(4.0)]);
        // A case-insensitive name matches when it matches one sample only.
        let second = read(Some("ieu-b-7")).unwrap();
        assert_eq!(second.vcf_sample.as_deref(), Some("IEU-B-7"));
        assert_eq!(second.chisq, [chisq_of(1.0), chisq_of(0.5)]);
        let message = read(None).unwrap_err().to_string();
        assert!(message.contains("2 samples") && message.contains("ieu-a-2, IEU-B-7"), "{message}");
        let message = read(Some("nope")).unwrap_err().to_string();
        assert!(message.contains("no VCF sample 'nope'") && message.contains("line 2"), "{message}");
        let plain = write(&dir, "plain.txt", "SNP P\nrs1 0.5\n");
        let message = read_sumstats(&plain, &SumstatsOptions { vcf_sample: Some("x".into()), ..Default::default() })
            .unwrap_err()
            .to_string();
        assert!(message.contains("not a GWAS-VCF"), "{message}");
    }

    #[test]
    fn huge_z_is_invalid_not_infinite() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "z.txt", "SNP Z\nrs1 1e308\nrs2 2\n");
        let s = read_sumstats(&p, &SumstatsOptions::default()).unwrap();
        assert_eq!(s.chisq, [4.0]);
        assert_eq!(s.dropped[DropReason::InvalidStatistic.index()], 1);
        let p = write(&dir, "b.txt", "SNP BETA SE\nrs1 -1e200 0.1\nrs2 0.2 0.1\n");
        let s = read_sumstats(&p, &SumstatsOptions::default()).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s.dropped[DropReason::InvalidStatistic.index()], 1);
    }

    #[test]
    fn odds_ratios_use_their_log() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "g.txt", "SNP OR SE\nrs1 2.0 0.5\nrs2 -1 0.5\nrs3 1 0\n");
        let s = read_sumstats(&p, &SumstatsOptions::default()).unwrap();
        assert_eq!(s.source, ChisqSource::LogOrSe);
        assert!((s.chisq[0] - (2f64.ln() / 0.5).powi(2)).abs() < 1e-15);
        assert_eq!(s.dropped[DropReason::InvalidStatistic.index()], 2);
    }
}
