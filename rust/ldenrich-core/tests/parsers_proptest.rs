//! Property tests of every file parser: on random bytes and on random tables built from the
//! tokens real GWAS files contain, a parser returns either a value that keeps its documented
//! invariants or an error that names the file (and a line >= 1 for parse errors); it never
//! panics and never reports an internal error. Short enough for CI; the long mutational runs
//! are `examples/fuzz_parsers.rs` (see `fuzz/README.md`).

use std::io::Write;
use std::path::{Path, PathBuf};

use ldenrich_core::annot::universe::{build_universe, UniverseOptions};
use ldenrich_core::io::bed::read_bed;
use ldenrich_core::io::bim::read_bim;
use ldenrich_core::io::geneloc::read_gene_loc;
use ldenrich_core::io::generesults::read_gene_results;
use ldenrich_core::io::genesets::{read_gene_sets, GeneSetFormat};
use ldenrich_core::io::plink::{count_fam, open_bfile};
use ldenrich_core::io::sumstats::{read_sumstats, ChisqFrom, DropReason, ReadN, SumstatsOptions};
use ldenrich_core::io::text::LineReader;
use ldenrich_core::sets::{BaseModel, GlsOptions};
use ldenrich_core::special::chisq_from_p;
use ldenrich_core::Error;
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "NA",
    "nan",
    ".",
    "-",
    "",
    "inf",
    "1e-400",
    "0",
    "-0",
    "1",
    "2",
    "-0.1",
    "0.5",
    "1e-8",
    "3.2",
    "-1.5",
    "1e309",
    "4294967296",
    "18446744073709551616",
    "rs1",
    "rs2",
    "rs3",
    "rs01",
    "1:100:A:G",
    "chr1",
    "chrX",
    "chrUn",
    "X",
    "22",
    "27",
    "A",
    "C",
    "G",
    "T",
    "AT",
    "+",
    "-",
    "\"0.2\"",
    "é",
    "#x",
    "track",
    "100",
    "200",
    "300",
];
const HEADER_NAMES: &[&str] =
    &["SNP", "rsid", "P", "p_value", "Z", "BETA", "OR", "SE", "A1", "A2", "N", "CHR", "BP", "pos", "INFO", "FRQ"];

fn config() -> ProptestConfig {
    ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// An error must be one line, name the file (its stem) and never be an internal error.
fn assert_good_error(e: &Error, file: &Path) {
    let text = e.to_string();
    assert!(!matches!(e, Error::Internal(_)), "internal error: {text}");
    assert!(!text.contains('\n'), "multi-line message: {text}");
    let stem = file.file_stem().unwrap().to_string_lossy();
    assert!(text.contains(stem.as_ref()), "message does not name {}: {text}", file.display());
    if let Error::Parse { line, .. } = e {
        assert!(*line >= 1, "{text}");
    }
}

/// Random bytes biased towards separators, digits and line ends.
fn noisy_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"\t\n ,.-+eE0123456789rsACGTNa\"#\r".to_vec()),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..400)
}

/// A table of `rows` lines of tokens joined by `sep`, optionally with CRLF ends.
fn token_table(max_cols: usize, max_rows: usize) -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(
        prop::collection::vec(prop::sample::select(TOKENS).prop_map(String::from), 1..=max_cols),
        0..max_rows,
    )
}

fn render(rows: &[Vec<String>], sep: &str, crlf: bool) -> Vec<u8> {
    let end = if crlf { "\r\n" } else { "\n" };
    rows.iter().map(|r| r.join(sep) + end).collect::<String>().into_bytes()
}

fn sumstats_file() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(prop::sample::select(HEADER_NAMES), 1..7),
        token_table(8, 30),
        prop::sample::select(vec!["\t", " ", ","]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(header, mut rows, sep, crlf, pad)| {
            let mut header: Vec<String> = header.into_iter().map(String::from).collect();
            header.dedup();
            if pad {
                // Most rows have the header's width, so parsing goes past the field-count check.
                for r in &mut rows {
                    r.resize(header.len(), "0.5".into());
                }
            }
            let mut out = render(&[header], sep, crlf);
            out.extend(render(&rows, sep, crlf));
            out
        })
}

fn check_sumstats(path: &Path, chisq_from: Option<ChisqFrom>, read_n: bool, bim: &Path) {
    let read_n = if read_n { ReadN::Required } else { ReadN::No };
    let options = SumstatsOptions {
        columns: Vec::new(),
        chisq_from,
        read_n,
        n_effective: false,
        format: None,
        vcf_sample: None,
        read_sign: false,
    };
    let s = match read_sumstats(path, &options) {
        Ok(s) => s,
        Err(e) => return assert_good_error(&e, path),
    };
    let dropped: u64 = s.dropped.iter().sum();
    assert_eq!(s.rows_read, s.len() as u64 + dropped);
    assert_eq!(
        s.dropped_keys.len() as u64,
        dropped - s.dropped[DropReason::MissingId.index()] - s.dropped[DropReason::OtherTest.index()]
    );
    assert!(s.chisq.iter().all(|c| c.is_finite() && *c >= 0.0));
    if let Some((c, b)) = &s.positions {
        assert_eq!((c.len(), b.len()), (s.len(), s.len()));
    }
    let bim = read_bim(bim).unwrap();
    match build_universe(&s, &bim, UniverseOptions::default()) {
        Ok(u) => {
            let q = &u.qc;
            assert_eq!(q.rows_read, q.used + q.dropped.iter().sum::<u64>());
            assert_eq!(q.used as usize, u.len());
            if let Some(p) = q.positions {
                assert!(p.same + p.off_by_one + p.other_chromosome <= p.compared && p.compared <= q.used);
            }
        }
        Err(Error::InconsistentInput(m)) => assert!(m.contains("no SNP"), "{m}"),
        Err(e) => panic!("unexpected universe error {e}"),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sumstats_tables_keep_the_accounting(
        bytes in sumstats_file(),
        compress in any::<bool>(),
        source in prop::sample::select(vec![None, Some(ChisqFrom::Z), Some(ChisqFrom::P), Some(ChisqFrom::BetaSe)]),
        read_n in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let bim = write(dir.path(), "ref.bim", b"1 rs1 0 100 A G\n1 rs2 0 200 C T\n23 rs3 0 5 A G\n");
        let bytes = if compress { gzip(&bytes) } else { bytes };
        let path = write(dir.path(), "gwas.tsv", &bytes);
        check_sumstats(&path, source, read_n, &bim);
    }

    #[test]
    fn sumstats_random_bytes(bytes in noisy_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        let bim = write(dir.path(), "ref.bim", b"1 rs1 0 100 A G\n");
        let mut content = b"SNP\tP\tCHR\tBP\n".to_vec();
        content.extend(bytes);
        let path = write(dir.path(), "noise.txt", &content);
        check_sumstats(&path, None, false, &bim);
    }

    #[test]
    fn p_values_give_the_normal_chisq(ps in prop::collection::vec(1e-300f64..=1.0, 1..50)) {
        let dir = tempfile::tempdir().unwrap();
        let text: String = std::iter::once("SNP P\n".to_string())
            .chain(ps.iter().enumerate().map(|(i, p)| format!("rs{} {p:e}\n", i + 1)))
            .collect();
        let path = write(dir.path(), "p.txt", text.as_bytes());
        let s = read_sumstats(&path, &SumstatsOptions::default()).unwrap();
        prop_assert_eq!(s.len(), ps.len());
        for (c, p) in s.chisq.iter().zip(&ps) {
            prop_assert_eq!(*c, chisq_from_p(*p));
        }
    }

    #[test]
    fn bim_lines(rows in token_table(7, 20), crlf in any::<bool>(), noise in noisy_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        for (i, bytes) in [render(&rows, "\t", crlf), noise].into_iter().enumerate() {
            let path = write(dir.path(), &format!("p{i}.bim"), &bytes);
            match read_bim(&path) {
                Ok(b) => {
                    prop_assert_eq!(b.ids.len(), b.len());
                    prop_assert_eq!(b.chrom.len(), b.len());
                    prop_assert_eq!(b.a2.codes.len(), b.len());
                }
                Err(e) => assert_good_error(&e, &path),
            }
        }
    }

    #[test]
    fn fam_and_bed_filesets(
        fam in token_table(7, 9),
        bed in prop::collection::vec(any::<u8>(), 0..40),
        magic in any::<bool>(),
        snps in 0usize..6,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let bim: String = (0..snps).map(|i| format!("1 rs{} 0 {} A G\n", i + 1, 100 * (i + 1))).collect();
        write(dir.path(), "set.bim", bim.as_bytes());
        let fam_path = write(dir.path(), "set.fam", &render(&fam, " ", false));
        let bed = if magic { [&[0x6c, 0x1b, 0x01][..], &bed].concat() } else { bed };
        write(dir.path(), "set.bed", &bed);
        match count_fam(&fam_path) {
            Ok(n) => prop_assert!(n <= fam.len()),
            Err(e) => assert_good_error(&e, &fam_path),
        }
        match open_bfile(&dir.path().join("set")) {
            Ok((bim, plink)) => {
                prop_assert_eq!(plink.n_snps(), bim.len());
                let mut out = vec![0.0; plink.n_samples()];
                for snp in 0..plink.n_snps() {
                    plink.read_dosages(snp, &mut out).unwrap();
                    prop_assert!(out.iter().all(|d| d.is_nan() || [0.0, 1.0, 2.0].contains(d)));
                }
                let all: Vec<usize> = (0..plink.n_snps()).collect();
                let s = plink.standardized(&all).unwrap();
                prop_assert_eq!(s.kept.len() + s.monomorphic, all.len());
            }
            Err(e) => assert_good_error(&e, &dir.path().join("set")),
        }
    }

    #[test]
    fn gene_locations(rows in token_table(7, 20), noise in noisy_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        for (i, bytes) in [render(&rows, "\t", false), noise].into_iter().enumerate() {
            let path = write(dir.path(), &format!("g{i}.gene.loc"), &bytes);
            match read_gene_loc(&path) {
                Ok(g) => {
                    prop_assert!((0..g.len()).all(|k| g.stop[k] > g.start[k]));
                    prop_assert_eq!(g.symbol.len(), g.len());
                }
                Err(e) => assert_good_error(&e, &path),
            }
        }
    }

    #[test]
    fn gene_results_out_and_raw(rows in token_table(12, 20), noise in noisy_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        let mut out = b"GENE CHR START STOP NSNPS NPARAM N ZSTAT P\n".to_vec();
        out.extend(render(&rows, " ", false));
        let mut raw = b"# VERSION = 110\n# COVAR = NSAMP MAC\n".to_vec();
        raw.extend(render(&rows, " ", false));
        for (i, bytes) in [out, raw, noise].into_iter().enumerate() {
            let path = write(dir.path(), &format!("r{i}.genes"), &bytes);
            match read_gene_results(&path) {
                Ok(r) => {
                    let z = r.column("ZSTAT").unwrap_or(&[]).to_vec();
                    prop_assert_eq!(z.len(), r.len());
                    prop_assert!(z.iter().all(|v| v.is_finite()));
                    if let Some(band) = &r.correlations {
                        prop_assert_eq!(band.offsets.len(), r.len() + 1);
                        prop_assert!((0..r.len()).all(|k| band.row(k).len() <= k));
                        prop_assert!(band.values.iter().all(|v| v.abs() <= 1.0));
                    }
                    if r.len() >= 3 {
                        // Whatever the file holds, the regression fits or says why.
                        match BaseModel::fit(&z, &[], r.correlations.as_ref(), GlsOptions::default()) {
                            Ok(m) => prop_assert!(m.n_eff() <= r.len()),
                            Err(e) => prop_assert!(!matches!(e, Error::Internal(_)), "{}", e),
                        }
                    }
                }
                Err(e) => assert_good_error(&e, &path),
            }
        }
    }

    #[test]
    fn gene_sets_in_every_layout(
        rows in token_table(6, 15),
        noise in noisy_bytes(),
        format in prop::sample::select(vec![GeneSetFormat::Auto, GeneSetFormat::Gmt, GeneSetFormat::MagmaRows, GeneSetFormat::Long]),
        name in prop::sample::select(vec!["sets.gmt", "sets.txt", "sets.gmt.gz"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (i, bytes) in [render(&rows, "\t", false), render(&rows, " ", true), noise].into_iter().enumerate() {
            let path = write(dir.path(), &format!("{i}{name}"), &bytes);
            match read_gene_sets(&path, format) {
                Ok(g) => {
                    for set in &g.sets {
                        prop_assert!(!set.name.trim().is_empty());
                        prop_assert!(set.genes.iter().all(|x| !x.is_empty()));
                        let mut unique = set.genes.clone();
                        unique.sort();
                        unique.dedup();
                        prop_assert_eq!(unique.len(), set.genes.len());
                    }
                }
                Err(e) => assert_good_error(&e, &path),
            }
        }
    }

    #[test]
    fn bed_intervals(rows in token_table(5, 20), noise in noisy_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        for (i, bytes) in [render(&rows, "\t", false), noise].into_iter().enumerate() {
            let path = write(dir.path(), &format!("i{i}.bed"), &bytes);
            match read_bed(&path) {
                Ok(b) => prop_assert!((0..b.len()).all(|k| b.start[k] < b.end[k] && b.end[k] <= u64::from(u32::MAX))),
                Err(e) => assert_good_error(&e, &path),
            }
        }
    }

    #[test]
    fn line_reader_round_trips(
        lines in prop::collection::vec(prop::collection::vec(prop::sample::select(b"ab \t,\"x1".to_vec()), 0..30), 0..30),
        crlf in any::<bool>(),
        bom in any::<bool>(),
        final_newline in any::<bool>(),
        compress in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut text: Vec<u8> = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        for (i, l) in lines.iter().enumerate() {
            text.extend_from_slice(l);
            if i + 1 < lines.len() || final_newline {
                text.extend_from_slice(end);
            }
        }
        let bytes = if compress { gzip(&text) } else { text };
        let path = write(dir.path(), "lines.txt", &bytes);
        let mut reader = LineReader::open(&path).unwrap();
        let mut got = Vec::new();
        while let Some((n, line)) = reader.next_line().unwrap() {
            prop_assert_eq!(n as usize, got.len() + 1);
            got.push(line.to_vec());
        }
        // An empty unterminated last line is no line at all, unless a BOM is all the file holds
        // before it (the BOM's bytes make a line, which reads as empty).
        let mut expected = lines.clone();
        if !final_newline && expected.last().is_some_and(Vec::is_empty) && !(bom && expected.len() == 1) {
            expected.pop();
        }
        if bom && lines.is_empty() {
            expected.push(Vec::new());
        }
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn damaged_gzip_is_a_parse_error_or_a_clean_read(
        rows in token_table(4, 30),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut z = gzip(&render(&rows, "\t", false));
        if flip.index(3) == 0 {
            let i = flip.index(z.len());
            z[i] ^= 1 << bit;
        } else {
            z.truncate(cut.index(z.len()));
        }
        let path = write(dir.path(), "damaged.gz", &z);
        if let Ok(mut reader) = LineReader::open(&path) {
            loop {
                match reader.next_line() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        prop_assert!(matches!(e, Error::Parse { .. }), "{}", e);
                        assert_good_error(&e, &path);
                        break;
                    }
                }
            }
        }
    }
}

proptest! {
    // Cheap cases: many more than the file-level tests.
    #![proptest_config(ProptestConfig { cases: 20_000, ..config() })]

    /// The number parser reads exactly what `str::parse::<f64>` reads, bit for bit, and rejects
    /// what it rejects: on text made of number characters, and on doubles printed every way.
    #[test]
    fn number_parser_is_str_parse(
        text in proptest::collection::vec(proptest::sample::select(b"0123456789.eE+-infatyINFATY_ x\xff".to_vec()), 0..16),
        bits in any::<u64>(),
    ) {
        let expected: Option<f64> = std::str::from_utf8(&text).ok().and_then(|t| t.parse().ok());
        let got = ldenrich_core::io::text::parse_f64(&text);
        prop_assert_eq!(got.map(f64::to_bits), expected.map(f64::to_bits), "{:?}", String::from_utf8_lossy(&text));
        let x = f64::from_bits(bits);
        if x.is_finite() {
            for printed in [format!("{x}"), format!("{x:e}"), format!("{x:.3e}"), format!("{x:.5}"), format!("{x:E}")] {
                let got = ldenrich_core::io::text::parse_f64(printed.as_bytes());
                prop_assert_eq!(got.map(f64::to_bits), printed.parse::<f64>().ok().map(f64::to_bits), "{}", printed);
            }
        }
    }

    /// Short decimals as GWAS software prints them (the parser's exact fast path and its edges:
    /// 2^53, 19 digits, powers of ten near ±22), bit for bit `str::parse::<f64>`.
    #[test]
    fn short_decimals_are_str_parse(
        mantissa in prop_oneof![0u64..100_000, 0u64..=(1 << 54), Just(1u64 << 53), Just((1u64 << 53) + 1), Just(9_999_999_999_999_999_999)],
        point in 0usize..22,
        exponent in -40i32..40,
        sign in proptest::sample::select(vec!["", "-", "+"]),
        marker in proptest::sample::select(vec!["e", "E", "e+", "e-0", "E-"]),
    ) {
        let digits = mantissa.to_string();
        let digits = format!("{}{digits}", "0".repeat(point.saturating_sub(digits.len())));
        let (int, frac) = digits.split_at(digits.len() - point.min(digits.len()));
        for printed in [
            format!("{sign}{int}.{frac}"),
            format!("{sign}{int}.{frac}e{exponent}"),
            format!("{sign}{int}{frac}{marker}{}", exponent.unsigned_abs()),
            format!("{sign}.{frac}"),
            format!("{sign}{int}."),
        ] {
            let got = ldenrich_core::io::text::parse_f64(printed.as_bytes());
            prop_assert_eq!(got.map(f64::to_bits), printed.parse::<f64>().ok().map(f64::to_bits), "{}", printed);
        }
    }
}
