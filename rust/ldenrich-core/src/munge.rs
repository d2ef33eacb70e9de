//! Harmonised summary statistics: every usable row joined to the reference, with a signed Z
//! for the reference's first allele, a sample size and a p-value, optionally restricted and
//! aligned to an allele list (ldsc's `--merge-alleles`, e.g. `w_hm3.snplist`). Written in
//! ldenrich's harmonised layout or in ldsc's `.sumstats` layout (`SNP A1 A2 Z N`), so that
//! S-LDSC, ldsc itself and other tools reuse one clean file.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::annot::universe::{join, Joined, Qc, UniverseOptions};
use crate::chrom::chrom_name;
use crate::error::{Error, Result};
use crate::io::alleles::{orientation, AlleleColumn, MISSING};
use crate::io::bim::Bim;
use crate::io::sumstats::SumStats;
use crate::io::table::read_numeric_table;
use crate::io::text::LineReader;
use crate::io::write::{write_number, write_rows};

/// Options of [`munge`].
#[derive(Debug, Clone, Copy)]
pub struct MungeOptions {
    /// How rows find their reference SNP; strand-ambiguous SNPs (A/T, C/G) are dropped unless
    /// `drop_strand_ambiguous` is false, since the direction of their effect is a guess.
    pub join: UniverseOptions,
    /// One sample size for every row, overriding the file's (needed when it has none).
    pub n: Option<f64>,
}

/// Why a row joined to the reference is still left out of the harmonised table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MungeDrop {
    /// The file's effect or other allele is missing: the effect has no direction.
    AlleleMissing,
    /// The reference SNP has a missing allele (`0`): the harmonised alleles are unknown.
    ReferenceAlleleMissing,
    /// The SNP is not in the allele list.
    NotInMergeAlleles,
    /// The SNP's alleles differ from the allele list's.
    MergeAllelesMismatch,
    /// The effect is written as exactly 0 (a rounded BETA or Z) while the p-value is below 1:
    /// the direction is unknown.
    EffectZero,
}

impl MungeDrop {
    /// Every reason, in the order they are applied and reported.
    pub const ALL: [MungeDrop; 5] = [
        MungeDrop::AlleleMissing,
        MungeDrop::ReferenceAlleleMissing,
        MungeDrop::NotInMergeAlleles,
        MungeDrop::MergeAllelesMismatch,
        MungeDrop::EffectZero,
    ];

    /// Name in QC tables (`dropped_<name>`).
    pub fn name(self) -> &'static str {
        match self {
            MungeDrop::AlleleMissing => "allele_missing",
            MungeDrop::ReferenceAlleleMissing => "reference_allele_missing",
            MungeDrop::NotInMergeAlleles => "not_in_merge_alleles",
            MungeDrop::MergeAllelesMismatch => "merge_alleles_mismatch",
            MungeDrop::EffectZero => "effect_zero",
        }
    }
}

/// An allele list (`SNP A1 A2`, ldsc's `--merge-alleles`): the SNPs to keep and the alleles
/// to express them in.
#[derive(Debug, Clone)]
pub struct MergeAlleles {
    /// File read.
    pub path: PathBuf,
    /// First allele of each listed SNP.
    pub a1: AlleleColumn,
    /// Second allele.
    pub a2: AlleleColumn,
    index: FxHashMap<Box<[u8]>, u32>,
}

impl MergeAlleles {
    /// Number of SNPs listed.
    pub fn len(&self) -> usize {
        self.a1.codes.len()
    }

    /// True when no SNP is listed.
    pub fn is_empty(&self) -> bool {
        self.a1.codes.is_empty()
    }
}

/// Reads an allele list: a header naming `SNP`, `A1` and `A2` (any case; other columns are ignored),
/// tab or blank separated, plain or gzip. A SNP listed twice is an error.
pub fn read_merge_alleles(path: &Path) -> Result<MergeAlleles> {
    // The header's own spelling of SNP, A1 and A2 (matched case-insensitively).
    let mut reader = LineReader::open(path)?;
    let mut names: Vec<String> = ["SNP", "A1", "A2"].map(String::from).to_vec();
    while let Some((_, line)) = reader.next_line()? {
        let header = String::from_utf8_lossy(line);
        if header.trim().is_empty() {
            continue;
        }
        for name in names.iter_mut() {
            if let Some(found) = header.split_whitespace().find(|h| h.eq_ignore_ascii_case(name)) {
                *name = found.to_string();
            }
        }
        break;
    }
    drop(reader);
    let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
    let table = read_numeric_table(path, &wanted, Some(&[]))?;
    // The table keeps the file's column order; find each by name.
    let column = |name: &str| table.text_names.iter().position(|n| n == name);
    let (Some(i_snp), Some(i_a1), Some(i_a2)) = (column(wanted[0]), column(wanted[1]), column(wanted[2])) else {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            message: format!("an allele list needs the columns SNP, A1 and A2 (header: {})", table.header.join(", ")),
        });
    };
    let (snp, a1, a2) = (&table.text[i_snp], &table.text[i_a1], &table.text[i_a2]);
    if snp.is_empty() {
        return Err(Error::no_records(path, "SNP", 1, &[]));
    }
    let mut list = MergeAlleles {
        path: path.to_path_buf(),
        a1: AlleleColumn::default(),
        a2: AlleleColumn::default(),
        index: FxHashMap::with_capacity_and_hasher(snp.len(), Default::default()),
    };
    for (i, ((s, x), y)) in snp.iter().zip(a1).zip(a2).enumerate() {
        // The header is line 1 and blank lines are skipped, so the data line is not known
        // exactly; the SNP names the row.
        if list.index.insert(s.as_bytes().into(), i as u32).is_some() {
            return Err(Error::InconsistentInput(format!(
                "{}: SNP {s} is listed more than once; an allele list names each SNP once",
                path.display()
            )));
        }
        list.a1.push(x.as_bytes());
        list.a2.push(y.as_bytes());
    }
    list.a1.finish();
    list.a2.finish();
    Ok(list)
}

/// The harmonised table, in genome order.
#[derive(Debug, Clone)]
pub struct Munged {
    /// .bim row of each SNP (its id, chromosome and position).
    pub bim_rows: Vec<u32>,
    /// Alleles the Z is expressed in: Z > 0 means `a1` raises the trait. They are the
    /// reference's, or the allele list's when one was applied.
    pub a1: AlleleColumn,
    /// The other allele.
    pub a2: AlleleColumn,
    /// Signed Z for `a1`: the direction of the file's effect times the square root of its
    /// chi-square.
    pub z: Vec<f64>,
    /// Sample size of each SNP.
    pub n: Vec<f64>,
    /// The join's accounting; `used` is the number of rows in the table.
    pub qc: Qc,
    /// Rows joined to the reference but left out here, by [`MungeDrop`] reason.
    pub dropped: [u64; MungeDrop::ALL.len()],
    /// The allele list applied, if any.
    pub merge_alleles: Option<PathBuf>,
}

impl Munged {
    /// Number of SNPs in the table.
    pub fn len(&self) -> usize {
        self.z.len()
    }

    /// True when the table is empty (never, for a value [`munge`] returned).
    pub fn is_empty(&self) -> bool {
        self.z.is_empty()
    }

    /// Every summary-statistic row accounted for: `read == used + sum(dropped_*)`.
    pub fn qc_table(&self) -> Vec<(String, u64)> {
        let mut rows = self.qc.table();
        for reason in MungeDrop::ALL {
            rows.push((format!("dropped_{}", reason.name()), self.dropped[reason as usize]));
        }
        rows
    }
}

/// A joined SNP's Z with the allele-list row it is expressed in, or why it is left out.
type Outcome = std::result::Result<(f64, Option<u32>), MungeDrop>;

/// Harmonises `sumstats` to `bim` (and to `merge_alleles`, when given).
///
/// Rows are joined as for the screen ([`join`]); each kept row's Z is the direction of its
/// effect (read with [`crate::io::sumstats::SumstatsOptions::read_sign`]) times the square
/// root of its chi-square, negated when the file's effect allele is the reference's second
/// allele (directly or on the other strand). With an allele list, only listed SNPs whose
/// alleles match the list's (directly, swapped or strand-flipped) are kept, expressed in the
/// list's alleles.
pub fn munge(
    sumstats: &SumStats,
    bim: &Bim,
    merge_alleles: Option<&MergeAlleles>,
    options: MungeOptions,
) -> Result<Munged> {
    let path = || sumstats.path.display();
    let sign = sumstats.sign.as_ref().ok_or_else(|| {
        Error::InvalidArgument(format!(
            "{}: the statistics were read without the direction of each effect; read them with \
             signed=True (read_sign)",
            path()
        ))
    })?;
    let (s1, s2) = sumstats.alleles.as_ref().ok_or_else(|| Error::MissingColumn {
        path: sumstats.path.clone(),
        message: "a signed Z needs the effect and other allele columns (A1/A2, effect_allele/other_allele, \
                  ...); none were found"
            .to_string(),
    })?;
    if let Some(n) = options.n {
        if !(n.is_finite() && n > 0.0) {
            return Err(Error::InvalidArgument(format!("n must be a positive number; got {n}")));
        }
    } else if sumstats.n.is_none() {
        return Err(Error::InvalidArgument(format!(
            "{}: no sample-size column was found; give one N for every SNP (--n / n=) or name the \
             column (--n-col / n_col=)",
            path()
        )));
    }
    let n_of = |row: usize| options.n.or_else(|| sumstats.n.as_ref().map(|n| n[row])).unwrap_or(f64::NAN);
    let Joined { bim_rows, sumstats_rows, qc } = join(sumstats, bim, options.join)?;
    crate::cancel::check()?;
    // Each SNP's outcome in parallel: its Z for its own alleles, or the reason it is left out.
    let outcome: Vec<Outcome> = bim_rows
        .par_iter()
        .zip(sumstats_rows.par_iter())
        // One buffer per worker for the SNP's name, looked up in the allele list.
        .map_init(Vec::new, |name: &mut Vec<u8>, (&b, &row)| {
            let (b, row) = (b as usize, row as usize);
            let (c1, c2) = (s1.codes[row], s2.codes[row]);
            if c1 == MISSING || c2 == MISSING {
                return Err(MungeDrop::AlleleMissing);
            }
            let (r1, r2) = (bim.a1.codes[b], bim.a2.codes[b]);
            if r1 == MISSING || r2 == MISSING {
                return Err(MungeDrop::ReferenceAlleleMissing);
            }
            // The join kept only pairs that match, and neither pair has a missing allele here.
            let same = orientation((s1, s2), (c1, c2), (&bim.a1, &bim.a2), (r1, r2)).unwrap_or(true);
            let magnitude = sumstats.chisq[row].sqrt();
            if sign[row] == 0 && magnitude > 0.0 {
                return Err(MungeDrop::EffectZero);
            }
            let z = match (sign[row], same) {
                (0, _) => 0.0,
                (d, true) => f64::from(d) * magnitude,
                (d, false) => -f64::from(d) * magnitude,
            };
            let Some(list) = merge_alleles else {
                return Ok((z, None));
            };
            name.clear();
            bim.ids.write_name(b, name);
            let m = *list.index.get(name.as_slice()).ok_or(MungeDrop::NotInMergeAlleles)?;
            let (l1, l2) = (list.a1.codes[m as usize], list.a2.codes[m as usize]);
            let same = orientation((&bim.a1, &bim.a2), (r1, r2), (&list.a1, &list.a2), (l1, l2))
                .filter(|_| l1 != MISSING && l2 != MISSING)
                .ok_or(MungeDrop::MergeAllelesMismatch)?;
            Ok((if same { z } else { -z }, Some(m)))
        })
        .collect();
    crate::cancel::check()?;
    let mut munged = Munged {
        bim_rows: Vec::with_capacity(bim_rows.len()),
        a1: AlleleColumn::default(),
        a2: AlleleColumn::default(),
        z: Vec::with_capacity(bim_rows.len()),
        n: Vec::with_capacity(bim_rows.len()),
        qc,
        dropped: [0; MungeDrop::ALL.len()],
        merge_alleles: merge_alleles.map(|l| l.path.clone()),
    };
    for ((&b, &row), result) in bim_rows.iter().zip(&sumstats_rows).zip(outcome) {
        match result {
            Err(reason) => munged.dropped[reason as usize] += 1,
            Ok((z, listed)) => {
                munged.bim_rows.push(b);
                munged.z.push(if z == 0.0 { 0.0 } else { z });
                munged.n.push(n_of(row as usize));
                // The alleles the Z is for: the allele list's row, else the reference's.
                let ((c1, c2), allele_row) = match (listed, merge_alleles) {
                    (Some(m), Some(list)) => ((&list.a1, &list.a2), m as usize),
                    _ => ((&bim.a1, &bim.a2), b as usize),
                };
                munged.a1.push_from(c1, c1.codes[allele_row]);
                munged.a2.push_from(c2, c2.codes[allele_row]);
            }
        }
    }
    munged.a1.finish();
    munged.a2.finish();
    munged.qc.used = munged.len() as u64;
    if munged.is_empty() {
        let summary: Vec<String> =
            munged.qc_table().into_iter().filter(|(_, n)| *n > 0).map(|(r, n)| format!("{r}={n}")).collect();
        return Err(Error::InconsistentInput(format!(
            "no SNP of {} is left for the harmonised table ({})",
            path(),
            summary.join(", ")
        )));
    }
    Ok(munged)
}

/// The layout of a written harmonised table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MungedLayout {
    /// `SNP CHR BP A1 A2 Z N P`.
    Harmonised,
    /// ldsc's `.sumstats`: `SNP A1 A2 Z N`.
    Ldsc,
}

impl MungedLayout {
    /// Parses `harmonised` or `ldsc`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "harmonised" => Ok(MungedLayout::Harmonised),
            "ldsc" => Ok(MungedLayout::Ldsc),
            other => Err(Error::InvalidArgument(format!("layout must be harmonised or ldsc; got '{other}'"))),
        }
    }
}

/// Writes `munged` to `path` (tab-separated with a header; gzip when the name ends in `.gz`;
/// see [`write_rows`]). The caller makes the write atomic (a temporary name, then a rename).
pub fn write_munged(munged: &Munged, bim: &Bim, path: &Path, layout: MungedLayout) -> Result<()> {
    let header: &[u8] = match layout {
        MungedLayout::Harmonised => b"SNP\tCHR\tBP\tA1\tA2\tZ\tN\tP\n",
        MungedLayout::Ldsc => b"SNP\tA1\tA2\tZ\tN\n",
    };
    write_rows(path, header, munged.len(), |i, text| {
        let b = munged.bim_rows[i] as usize;
        bim.ids.write_name(b, text);
        text.push(b'\t');
        if layout == MungedLayout::Harmonised {
            write!(text, "{}\t{}\t", chrom_name(bim.chrom[b]), bim.bp[b]).expect("writing to memory");
        }
        text.extend_from_slice(munged.a1.text(munged.a1.codes[i]).as_bytes());
        text.push(b'\t');
        text.extend_from_slice(munged.a2.text(munged.a2.codes[i]).as_bytes());
        text.push(b'\t');
        write_number(text, munged.z[i]);
        text.push(b'\t');
        write_number(text, munged.n[i]);
        if layout == MungedLayout::Harmonised {
            text.push(b'\t');
            write_number(text, p_of_z(munged.z[i]));
        }
        text.push(b'\n');
    })
}

/// Two-sided p-value of a Z score: the exact chi-square(1) tail of `z^2`, to ~1e-15 relative.
pub fn p_of_z(z: f64) -> f64 {
    crate::stats::quadform::chisq1_sf(z * z).p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annot::universe::Matching;
    use crate::io::bim::read_bim;
    use crate::io::sumstats::{read_sumstats, ReadN, SumstatsOptions};

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn signed(path: &Path) -> SumStats {
        read_sumstats(path, &SumstatsOptions { read_sign: true, read_n: ReadN::IfFound, ..Default::default() }).unwrap()
    }

    const STRICT: MungeOptions =
        MungeOptions { join: UniverseOptions { drop_strand_ambiguous: true, matching: Matching::Auto }, n: None };

    #[test]
    fn z_is_signed_for_the_reference_first_allele() {
        let dir = tempfile::tempdir().unwrap();
        let bim = write(
            &dir,
            "r.bim",
            "1 rs1 0 100 A G\n1 rs2 0 200 C T\n1 rs3 0 300 A T\n1 rs4 0 400 A 0\n1 rs5 0 500 G A\n1 rs6 0 600 C A\n",
        );
        // rs1 direct, rs2 swapped, rs3 ambiguous, rs4 monomorphic in the reference, rs5 flipped
        // and swapped, rs6 missing allele in the file.
        let ss = write(
            &dir,
            "s.txt",
            "SNP A1 A2 BETA P N\nrs1 A G 0.5 0.05 100\nrs2 T C 0.5 0.05 100\nrs3 A T 1 0.5 100\n\
             rs4 A G 1 0.5 100\nrs5 T C -2 0.01 90\nrs6 C . 1 0.5 100\n",
        );
        let m = munge(&signed(&ss), &read_bim(&bim).unwrap(), None, STRICT).unwrap();
        let z = crate::special::chisq_from_p(0.05).sqrt();
        assert_eq!(m.len(), 2 + 1);
        assert_eq!(m.z[0], z);
        assert_eq!(m.z[1], -z);
        // rs5: the file's T (effect, -2) is the reference's A (its second allele): Z > 0 for G.
        assert_eq!(m.z[2], crate::special::chisq_from_p(0.01).sqrt());
        assert_eq!(m.n, [100.0, 100.0, 90.0]);
        assert_eq!((m.a1.text(m.a1.codes[2]), m.a2.text(m.a2.codes[2])), ("G".into(), "A".into()));
        let table: FxHashMap<String, u64> = m.qc_table().into_iter().collect();
        assert_eq!(table["read"], 6);
        assert_eq!(table["used"], 3);
        assert_eq!(table["dropped_strand_ambiguous"], 1);
        assert_eq!(table["dropped_reference_allele_missing"], 1);
        assert_eq!(table["dropped_allele_missing"], 1);
        assert_eq!(table.iter().filter(|(k, _)| k.starts_with("dropped")).map(|(_, v)| v).sum::<u64>(), 3);
    }

    #[test]
    fn an_allele_list_restricts_and_aligns() {
        let dir = tempfile::tempdir().unwrap();
        let bim = write(&dir, "r.bim", "1 rs1 0 100 A G\n1 rs2 0 200 C T\n1 rs3 0 300 A C\n");
        let ss = write(&dir, "s.txt", "SNP A1 A2 Z N\nrs1 A G 2 10\nrs2 C T 1.5 10\nrs3 A C -1 10\n");
        let list = write(&dir, "l.snplist", "SNP A1 A2\nrs1 G A\nrs3 A G\nrs9 A C\n");
        let list = read_merge_alleles(&list).unwrap();
        let m = munge(&signed(&ss), &read_bim(&bim).unwrap(), Some(&list), STRICT).unwrap();
        assert_eq!(m.z, [-2.0]);
        assert_eq!(m.a1.text(m.a1.codes[0]), "G");
        assert_eq!(m.dropped, [0, 0, 1, 1, 0]);
        let out = dir.path().join("o.sumstats.gz");
        write_munged(&m, &read_bim(&bim).unwrap(), &out, MungedLayout::Ldsc).unwrap();
        let back = signed(&out);
        assert_eq!(back.len(), 1);
        assert_eq!(back.chisq[0], 4.0);
        assert_eq!(back.sign.as_deref(), Some(&[-1i8][..]));
    }

    #[test]
    fn without_a_direction_or_sample_size_it_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let bim = read_bim(&write(&dir, "r.bim", "1 rs1 0 100 A G\n")).unwrap();
        let p_only = write(&dir, "p.txt", "SNP A1 A2 P N\nrs1 A G 0.5 10\n");
        let err = read_sumstats(&p_only, &SumstatsOptions { read_sign: true, ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("direction of effect"), "{err}");
        let unsigned = read_sumstats(&p_only, &SumstatsOptions::default()).unwrap();
        assert!(munge(&unsigned, &bim, None, STRICT).unwrap_err().to_string().contains("signed=True"));
        let no_n = write(&dir, "n.txt", "SNP A1 A2 Z\nrs1 A G 1\n");
        let err = munge(&signed(&no_n), &bim, None, STRICT).unwrap_err();
        assert!(err.to_string().contains("--n"), "{err}");
        let fixed = munge(&signed(&no_n), &bim, None, MungeOptions { n: Some(50.0), ..STRICT }).unwrap();
        assert_eq!(fixed.n, [50.0]);
        let no_alleles = write(&dir, "a.txt", "SNP Z N\nrs1 1 10\n");
        assert!(munge(&signed(&no_alleles), &bim, None, STRICT).unwrap_err().to_string().contains("allele"));
        let dup = write(&dir, "d.snplist", "SNP A1 A2\nrs1 A G\nrs1 A G\n");
        assert!(read_merge_alleles(&dup).unwrap_err().to_string().contains("more than once"));
        let lower = write(&dir, "c.snplist", "snp\ta1\ta2\nrs1\ta\tg\n");
        assert_eq!(read_merge_alleles(&lower).unwrap().len(), 1);
        // Columns in another order, and another column first.
        let shuffled = write(&dir, "s.snplist", "CM A2 A1 SNP\n0 G A rs1\n");
        let list = read_merge_alleles(&shuffled).unwrap();
        assert_eq!((list.a1.text(list.a1.codes[0]), list.a2.text(list.a2.codes[0])), ("A".into(), "G".into()));
        // An effect written as 0 with p < 1 has no direction: left out and counted.
        let zero = write(&dir, "zero.txt", "SNP A1 A2 BETA P N\nrs1 A G 0.000 0.001 10\n");
        let err = munge(&signed(&zero), &bim, None, STRICT).unwrap_err();
        assert!(err.to_string().contains("dropped_effect_zero=1"), "{err}");
        let null = write(&dir, "null.txt", "SNP A1 A2 BETA P N\nrs1 A G 0 1 10\n");
        assert_eq!(munge(&signed(&null), &bim, None, STRICT).unwrap().z, [0.0]);
        let bad = write(&dir, "b.snplist", "SNP REF\nrs1 A\n");
        assert!(read_merge_alleles(&bad).unwrap_err().to_string().contains("SNP, A1 and A2"));
    }

    #[test]
    fn the_effect_allele_of_each_layout_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let bim = read_bim(&write(&dir, "r.bim", "1 rs1 0 100 A G\n1 rs2 0 200 C T\n")).unwrap();
        // plink2: BETA is for A1, which is ALT on one row and REF on the other.
        let plink2 = write(
            &dir,
            "p.glm.linear",
            "#CHROM\tPOS\tID\tREF\tALT\tA1\tTEST\tOBS_CT\tBETA\tSE\tT_STAT\tP\n\
             1\t100\trs1\tA\tG\tG\tADD\t10\t0.5\t0.25\t2\t0.0455\n\
             1\t200\trs2\tC\tT\tC\tADD\t10\t0.5\t0.25\t2\t0.0455\n",
        );
        let m = munge(&signed(&plink2), &bim, None, STRICT).unwrap();
        // rs1: the effect is G's, the reference's second allele; rs2: C's, its first.
        assert!(m.z[0] < 0.0 && m.z[1] > 0.0, "{:?}", m.z);
        // `chr:pos:ref:alt` ids: the effect is ALT's.
        let ids = write(&dir, "v.tsv", "variant\tbeta\tse\tpval\tn\n1:100:A:G\t0.5\t0.25\t0.0455\t10\n");
        let m = munge(&signed(&ids), &bim, None, STRICT).unwrap();
        assert!(m.z[0] < 0.0, "{:?}", m.z);
    }
}
