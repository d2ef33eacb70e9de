//! Mutational fuzzer for every file parser of the core, for machines with only a stable
//! toolchain (cargo-fuzz needs nightly). It is blind (no coverage feedback): each iteration
//! takes a seed (the repository's fixtures plus built-in samples, and inputs that parsed
//! successfully earlier in the run), applies random byte- and token-level mutations, sometimes
//! gzips the result and mutates the compressed bytes, writes it to a file and runs the parser
//! under `catch_unwind`. A panic, or a result that breaks a documented invariant, is a crash:
//! the input is saved under `fuzz/crashes/` and the run exits non-zero.
//!
//! ```text
//! cargo run --release -p ldenrich-core --example fuzz_parsers -- PARSER SECONDS [SEED]
//! ```
//!
//! `PARSER` is one of `sumstats bim fam bed geneloc genesets intervals lines` or `all` (each
//! parser in turn for `SECONDS`). See `fuzz/README.md` for the recorded runs.

use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ldenrich_core::annot::universe::{build_universe, Matching, UniverseOptions};
use ldenrich_core::io::bed::read_bed;
use ldenrich_core::io::bim::read_bim;
use ldenrich_core::io::geneloc::read_gene_loc;
use ldenrich_core::io::generesults::read_gene_results;
use ldenrich_core::io::genesets::{read_gene_sets, GeneSetFormat};
use ldenrich_core::io::plink::{count_fam, open_bfile};
use ldenrich_core::io::sumstats::{read_sumstats, ChisqFrom, DropReason, ReadN, Role, SumstatsOptions};
use ldenrich_core::io::text::LineReader;
use ldenrich_core::sets::{BaseModel, GlsOptions};
use ldenrich_core::Error;

const PARSERS: [&str; 9] =
    ["sumstats", "bim", "fam", "bed", "geneloc", "genesets", "intervals", "lines", "generesults"];
/// Inputs that parsed are added to the corpus up to this many per parser, so mutations can
/// build on structure that got past the early checks.
const MAX_CORPUS: usize = 2_000;
/// Mutated inputs are capped so one slow iteration cannot dominate the run.
const MAX_INPUT: usize = 1 << 16;

/// splitmix64: tiny, fast and good enough to drive mutations; no dependency needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Tokens that real GWAS files contain and parsers must survive.
const TOKENS: &[&str] = &[
    "NA",
    "nan",
    "-nan",
    "NaN",
    ".",
    "-",
    "",
    "inf",
    "-inf",
    "Infinity",
    "1e-400",
    "1e-320",
    "0",
    "-0",
    "0.0",
    "1",
    "1.0000001",
    "2",
    "-0.1",
    "1e308",
    "1e309",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "9223372036854775807",
    "rs0",
    "rs1",
    "rs01",
    "rs99999999999999999999",
    "1:12345:A:G",
    "chr1",
    "chrX",
    "chrUn_gl000220",
    "X",
    "Y",
    "XY",
    "MT",
    "M",
    "0",
    "23",
    "26",
    "27",
    "A",
    "C",
    "G",
    "T",
    "AT",
    "I",
    "D",
    "<DEL>",
    "+",
    "-",
    "?",
    "\"",
    "\"\"",
    "\"a\"",
    "#",
    "##",
    "track",
    "browser",
    "SNP",
    "P",
    "Z",
    "BETA",
    "SE",
    "OR",
    "A1",
    "A2",
    "N",
    "CHR",
    "BP",
    "\u{FEFF}",
    "é",
    "\u{0}",
];
const BYTES: &[u8] = b"\t\n\r ,\"#.-+eE0123456789\x00\xff\xef\xbb\xbf";

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut data = input.to_vec();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = data.len();
        match rng.below(12) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = BYTES[rng.below(BYTES.len())];
            }
            2 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                data.splice(i..i, bytes);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                data.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let chunk = data[i..i + n].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, chunk);
            }
            5 => {
                // Replace one field (the bytes between two separators) by a token.
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let i = rng.below(len + 1);
                let start = data[..i].iter().rposition(|b| b"\t ,\n".contains(b)).map_or(0, |p| p + 1);
                let end = data[i..].iter().position(|b| b"\t ,\n\r".contains(b)).map_or(len, |p| i + p);
                data.splice(start..end.max(start), token.iter().copied());
            }
            6 if len > 0 => {
                data.truncate(rng.below(len));
            }
            7 => {
                // Splice a piece of another corpus entry.
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let i = rng.below(other.len());
                    let n = 1 + rng.below((other.len() - i).min(512));
                    let at = rng.below(len + 1);
                    data.splice(at..at, other[i..i + n].iter().copied());
                }
            }
            8 => {
                // Duplicate or drop a whole line.
                let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
                let k = rng.below(lines.len());
                let mut out: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
                if rng.chance(50) {
                    let copy = out[k].clone();
                    out.insert(k, copy);
                } else if out.len() > 1 {
                    out.remove(k);
                }
                data = out.join(&b'\n');
            }
            9 => {
                // Change the line ends or the field separator of the whole input.
                let (from, to): (&[u8], &[u8]) = match rng.below(4) {
                    0 => (b"\n", b"\r\n"),
                    1 => (b"\t", b" "),
                    2 => (b"\t", b","),
                    _ => (b" ", b"\t"),
                };
                data = replace_all(&data, from, to);
            }
            10 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let at = rng.below(len + 1);
                data.splice(at..at, token.iter().copied());
            }
            _ => {
                // A long field or line, to exercise lengths and offsets.
                let n = 1 + rng.below(5_000);
                let at = rng.below(len + 1);
                let b = if rng.chance(50) { b'x' } else { b'9' };
                data.splice(at..at, std::iter::repeat_n(b, n));
            }
        }
    }
    data.truncate(MAX_INPUT);
    data
}

fn replace_all(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("in-memory gzip");
    enc.finish().expect("in-memory gzip")
}

/// Sometimes gzip the text and damage the compressed bytes, to exercise the decoder path.
fn maybe_compress(rng: &mut Rng, text: Vec<u8>) -> Vec<u8> {
    if !rng.chance(15) {
        return text;
    }
    let mut z = gzip(&text);
    if rng.chance(50) && !z.is_empty() {
        match rng.below(3) {
            0 => z.truncate(rng.below(z.len())),
            1 => {
                let i = rng.below(z.len());
                z[i] ^= 1 << rng.below(8);
            }
            _ => {
                let more = gzip(b"SNP\tP\nrs1\t0.5\n");
                z.extend_from_slice(&more);
            }
        }
    }
    z
}

fn read_seed_files(dirs: &[PathBuf], accept: impl Fn(&str) -> bool) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if accept(&name) {
                if let Ok(bytes) = std::fs::read(&p) {
                    out.push(bytes);
                }
            }
        }
    }
    out
}

fn seeds(parser: &str, data: &Path) -> Vec<Vec<u8>> {
    let dirs = [data.join("bad"), data.join("odd"), data.join("plink")];
    let builtin: Vec<&str> = match parser {
        "sumstats" => vec![
            "SNP\tA1\tA2\tP\nrs1\tA\tG\t0.5\nrs2\tC\tT\t1e-400\nrs3\tA\tT\tNA\n",
            "CHR,SNP,BP,A1,A2,BETA,SE\n1,rs1,100,A,G,0.1,0.02\n1,rs2,200,C,T,-0.3,0\n",
            "##meta\nsnp z p n\nrs1 1.5 0.1 1000\nrs2 -2 0.05 900\n",
            "SNP OR SE\nrs1 2.0 0.5\nrs2 -1 0.5\n",
        ],
        "bim" | "lines" => vec!["1\trs1\t0\t100\tA\tG\n22 rs2 0.5 200 C T\nchrX rs3 0 300 AT A\n"],
        "fam" => vec!["F1 I1 0 0 1 -9\nF2 I2 0 0 2 1\nF3 I3 F1 I1 0 -9\n"],
        "bed" => vec![],
        "geneloc" => vec!["148398\t1\t859993\t879961\t+\tSAMD11\n26155\t1\t879583\t894679\t-\tNOC2L\n1 1 100 200\n"],
        "genesets" => {
            vec!["A\tdesc words\tG1\tG2\nB\tNA\tG3\n", "set gene\nA G1\nB G2\nA G3\n", "A G1 G2 G3\nB G4\n"]
        }
        "intervals" => vec!["track name=x\n#c\nchr1\t10\t20\tn\nchrUn_x\t1\t2\nchr2 5 5\n22 0 1\n"],
        "generesults" => vec![
            "# VERSION = 109\n# COVAR = NSAMP MAC\n79906 1 2241719 2358190 5 1 74046 245 2.3496\n\
             261734 1 5912870 6087618 1 1 74046 27 -1.92205 0.000827061\n\
             8514 1 6017358 6171253 1 1 74046 27 -1.92205 0.000827061 1\n\
             83715 1 6449836 6531004 1 1 74046 94 1.18201 0.00443989 0.00193989 0.00193989\n",
            "GENE CHR START STOP NSNPS NPARAM N ZSTAT P\n148398 1 824993 889961 100 20 5000 1.5 0.0668\n\
             26155 1 869583 904679 80 15 5000 -0.3 0.61\n9636 1 913838 959309 30 7 5000 NA NA\n",
        ],
        _ => vec![],
    };
    let mut out: Vec<Vec<u8>> = builtin.iter().map(|s| s.as_bytes().to_vec()).collect();
    let accept = |name: &str| -> bool {
        match parser {
            "sumstats" => {
                name.starts_with("ss_")
                    || name.ends_with(".tsv")
                    || name.ends_with(".csv")
                    || name.ends_with(".txt")
                    || name.ends_with(".gz")
            }
            "bim" => name.ends_with(".bim"),
            "fam" => name.ends_with(".fam"),
            "geneloc" => name.contains("gene.loc") || name.starts_with("gl_"),
            "generesults" => name.contains("genes."),
            "genesets" => name.starts_with("gs_") || name.ends_with(".gmt"),
            "intervals" => name.ends_with(".bed") && !name.starts_with("bed_size") && !name.starts_with("fam_"),
            "lines" => true,
            _ => false,
        }
    };
    out.extend(read_seed_files(&dirs, accept));
    out
}

/// A PLINK fileset as three byte strings (bed, bim, fam).
type Fileset = (Vec<u8>, Vec<u8>, Vec<u8>);

fn plink_seeds(data: &Path) -> Vec<Fileset> {
    let mut out = Vec::new();
    for stem in ["good", "bad_magic", "fam_mismatch", "sample_major", "short_fam", "truncated"] {
        let read = |ext: &str| std::fs::read(data.join("plink").join(format!("{stem}.{ext}"))).unwrap_or_default();
        out.push((read("bed"), read("bim"), read("fam")));
    }
    out
}

#[derive(Default)]
struct Stats {
    iterations: u64,
    ok: u64,
    errors: BTreeMap<&'static str, u64>,
    crashes: u64,
    slowest: Duration,
}

fn variant(e: &Error) -> &'static str {
    match e {
        Error::Io { .. } => "io",
        Error::Parse { .. } => "parse",
        Error::MissingColumn { .. } => "missing_column",
        Error::NoRecords { .. } => "no_records",
        Error::InconsistentInput(_) => "inconsistent_input",
        Error::InvalidArgument(_) => "invalid_argument",
        Error::Internal(_) => "internal",
        Error::Interrupted => "interrupted",
    }
}

/// Checks what every error must do: name the file it is about and never be an internal error.
fn check_error(e: &Error, file: &Path) -> Result<(), String> {
    let text = e.to_string();
    if matches!(e, Error::Internal(_)) {
        return Err(format!("internal error: {text}"));
    }
    if text.contains('\n') {
        return Err(format!("multi-line message: {text}"));
    }
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if !text.contains(&stem) {
        return Err(format!("message does not name the file {}: {text}", file.display()));
    }
    if let Error::Parse { line, .. } = e {
        if *line == 0 {
            return Err(format!("line 0 in {text}"));
        }
    }
    Ok(())
}

type Outcome = Result<Result<(), Error>, String>;
/// One iteration: what happened, the file the error should name, and the inputs to save.
type Attempt = (std::thread::Result<Outcome>, PathBuf, Vec<(String, Vec<u8>)>);

fn run_sumstats(path: &Path, rng: &mut Rng, bim: &Path) -> Outcome {
    let chisq_from =
        [None, Some(ChisqFrom::Auto), Some(ChisqFrom::Z), Some(ChisqFrom::P), Some(ChisqFrom::BetaSe)][rng.below(5)];
    let mut columns = Vec::new();
    if rng.chance(10) {
        columns.push((Role::Snp, "snp".to_string()));
    }
    if rng.chance(10) {
        columns.push((Role::P, "P".to_string()));
    }
    let read_n = if rng.chance(20) { ReadN::Required } else { ReadN::No };
    let options = SumstatsOptions {
        columns,
        chisq_from,
        read_n,
        n_effective: rng.chance(2),
        format: None,
        vcf_sample: None,
        read_sign: false,
    };
    let s = match read_sumstats(path, &options) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let dropped: u64 = s.dropped.iter().sum();
    if s.rows_read != s.len() as u64 + dropped {
        return Err(format!("rows_read {} != kept {} + dropped {dropped}", s.rows_read, s.len()));
    }
    if s.dropped_keys.len() as u64
        != dropped - s.dropped[DropReason::MissingId.index()] - s.dropped[DropReason::OtherTest.index()]
    {
        return Err("dropped_keys does not match the drop counts".into());
    }
    if let Some(bad) = s.chisq.iter().find(|c| !c.is_finite() || **c < 0.0) {
        return Err(format!("chi-square {bad} kept"));
    }
    if let Some(n) = &s.n {
        if n.len() != s.len() || n.iter().any(|v| !v.is_finite() || *v <= 0.0) {
            return Err("sample sizes do not match the kept rows".into());
        }
    }
    let bim = read_bim(bim).map_err(|e| format!("reference bim: {e}"))?;
    let matching = [Matching::Auto, Matching::Rsid, Matching::Position][rng.below(3)];
    let options = UniverseOptions { drop_strand_ambiguous: rng.chance(50), matching };
    match build_universe(&s, &bim, options) {
        Ok(u) => {
            let q = &u.qc;
            if q.rows_read != q.used + q.dropped.iter().sum::<u64>() || q.used as usize != u.len() {
                return Err("universe accounting does not add up".into());
            }
            Ok(Ok(()))
        }
        Err(Error::InconsistentInput(_)) => Ok(Ok(())),
        Err(e) => Err(format!("unexpected universe error: {e}")),
    }
}

fn run_text_parser(parser: &str, path: &Path, rng: &mut Rng) -> Outcome {
    match parser {
        "bim" => Ok(read_bim(path).and_then(|b| {
            if b.chrom.len() != b.len() || b.ids.len() != b.len() || b.a1.codes.len() != b.len() {
                return Err(Error::Internal("bim columns of different lengths".into()));
            }
            Ok(())
        })),
        "fam" => Ok(count_fam(path).map(|_| ())),
        "geneloc" => Ok(read_gene_loc(path).and_then(|g| {
            let ok = (0..g.len()).all(|i| g.stop[i] > g.start[i]) && g.symbol.len() == g.len();
            if ok {
                Ok(())
            } else {
                Err(Error::Internal("gene with stop <= start kept".into()))
            }
        })),
        "genesets" => {
            let format =
                [GeneSetFormat::Auto, GeneSetFormat::Gmt, GeneSetFormat::MagmaRows, GeneSetFormat::Long][rng.below(4)];
            Ok(read_gene_sets(path, format).and_then(|g| {
                if g.sets.iter().any(|s| s.name.trim().is_empty() || s.genes.iter().any(String::is_empty)) {
                    return Err(Error::Internal("empty set name or gene kept".into()));
                }
                Ok(())
            }))
        }
        "generesults" => Ok(read_gene_results(path).and_then(|r| {
            let z = r.column("ZSTAT").unwrap_or(&[]).to_vec();
            if z.len() != r.len() || z.iter().any(|v| !v.is_finite()) {
                return Err(Error::Internal("ZSTAT missing or not finite for a gene kept".into()));
            }
            if let Some(band) = &r.correlations {
                let ok = band.offsets.len() == r.len() + 1
                    && (0..r.len()).all(|k| band.row(k).len() <= k)
                    && band.values.iter().all(|v| v.abs() <= 1.0);
                if !ok {
                    return Err(Error::Internal("correlation band out of shape".into()));
                }
            }
            if r.len() >= 3 {
                match BaseModel::fit(&z, &[], r.correlations.as_ref(), GlsOptions::default()) {
                    Ok(m) if m.n_eff() > r.len() => {
                        return Err(Error::Internal("more effective genes than genes".into()))
                    }
                    Err(Error::Internal(e)) => return Err(Error::Internal(e)),
                    _ => {}
                }
            }
            Ok(())
        })),
        "intervals" => Ok(read_bed(path).and_then(|b| {
            if (0..b.len()).any(|i| b.end[i] <= b.start[i] || b.end[i] > u64::from(u32::MAX)) {
                return Err(Error::Internal("empty or out-of-range interval kept".into()));
            }
            Ok(())
        })),
        "lines" => Ok((|| {
            let mut r = LineReader::open(path)?;
            let mut expected = 0u64;
            while let Some((n, line)) = r.next_line()? {
                expected += 1;
                if n != expected || line.contains(&b'\n') {
                    return Err(Error::Internal(format!("line {n}: numbering or line end wrong")));
                }
            }
            Ok(())
        })()),
        other => Err(format!("unknown parser {other}")),
    }
}

fn run_bed(prefix: &Path, rng: &mut Rng) -> Outcome {
    let (bim, bed) = match open_bfile(prefix) {
        Ok(x) => x,
        Err(e) => return Ok(Err(e)),
    };
    if bed.n_snps() != bim.len() {
        return Err("bed and bim disagree on the SNP count".into());
    }
    let mut out = vec![0.0; bed.n_samples()];
    for snp in 0..bed.n_snps().min(64) {
        if let Err(e) = bed.read_dosages(snp, &mut out) {
            return Ok(Err(e));
        }
        if out.iter().any(|&d| !(d.is_nan() || d == 0.0 || d == 1.0 || d == 2.0)) {
            return Err(format!("dosage outside 0/1/2/NaN at SNP {snp}"));
        }
    }
    let snps: Vec<usize> = (0..rng.below(8)).map(|_| rng.below(bed.n_snps().max(1))).collect();
    if bed.n_snps() > 0 {
        match bed.standardized(&snps) {
            Ok(s) => {
                if s.kept.len() + s.monomorphic != snps.len() || s.matrix.ncols() != s.kept.len() {
                    return Err("standardized accounting does not add up".into());
                }
            }
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(()))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: fuzz_parsers PARSER|all SECONDS [SEED]");
        std::process::exit(2);
    }
    let which: Vec<&str> = if args[1] == "all" { PARSERS.to_vec() } else { vec![args[1].as_str()] };
    let seconds: u64 = args[2].parse().expect("SECONDS must be an integer");
    let seed: u64 = args.get(3).map_or(20_261_121, |s| s.parse().expect("SEED must be an integer"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = root.join("tests/data");
    let crash_dir = root.join("fuzz/crashes");
    // Files go to RAM when possible: the run writes hundreds of thousands of small inputs.
    let scratch = if Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm").expect("scratch dir")
    } else {
        tempfile::tempdir().expect("scratch dir")
    };
    let panic_message = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    {
        let slot = std::sync::Arc::clone(&panic_message);
        std::panic::set_hook(Box::new(move |info| {
            if let Ok(mut m) = slot.lock() {
                *m = info.to_string();
            }
        }));
    }
    let mut failed = false;
    for parser in which {
        assert!(PARSERS.contains(&parser), "unknown parser {parser}; one of {PARSERS:?} or all");
        let mut rng = Rng(seed ^ parser.len() as u64 ^ (parser.as_bytes()[0] as u64) << 32);
        let mut stats = Stats::default();
        let mut corpus = seeds(parser, &data);
        let mut filesets = plink_seeds(&data);
        let reference_bim = scratch.path().join("reference.bim");
        std::fs::write(&reference_bim, "1 rs1 0 100 A G\n1 rs2 0 200 C T\n2 rs3 0 50 A T\n23 rs4 0 10 A G\n")
            .expect("write reference");
        let seeds_count = if parser == "bed" { filesets.len() } else { corpus.len() };
        let start = Instant::now();
        let deadline = Duration::from_secs(seconds);
        while start.elapsed() < deadline {
            stats.iterations += 1;
            let tick = Instant::now();
            let (outcome, file, saved): Attempt = if parser == "bed" {
                let (b, m, f) = filesets[rng.below(filesets.len())].clone();
                let flat: Vec<Vec<u8>> = filesets.iter().map(|x| x.1.clone()).collect();
                let (mut b, mut m, mut f) = (b, m, f);
                match rng.below(4) {
                    0 => b = mutate(&mut rng, &b, &[b.clone()]),
                    1 => m = mutate(&mut rng, &m, &flat),
                    2 => f = mutate(&mut rng, &f, &[f.clone()]),
                    _ => {
                        b = mutate(&mut rng, &b, &[b.clone()]);
                        f = mutate(&mut rng, &f, &[f.clone()]);
                    }
                }
                if rng.chance(10) {
                    m = gzip(&m);
                }
                let prefix = scratch.path().join("set");
                for (ext, bytes) in [("bed", &b), ("bim", &m), ("fam", &f)] {
                    std::fs::write(prefix.with_extension(ext), bytes).expect("write input");
                }
                let outcome = catch_unwind(AssertUnwindSafe(|| run_bed(&prefix, &mut rng)));
                if matches!(outcome, Ok(Ok(Ok(())))) && filesets.len() < MAX_CORPUS {
                    filesets.push((b.clone(), m.clone(), f.clone()));
                }
                let saved = vec![("bed".into(), b), ("bim".into(), m), ("fam".into(), f)];
                (outcome, prefix.with_extension("bed"), saved)
            } else {
                let base = corpus[rng.below(corpus.len())].clone();
                let text = mutate(&mut rng, &base, &corpus);
                let bytes = maybe_compress(&mut rng, text.clone());
                let path = scratch.path().join(format!("input.{parser}"));
                std::fs::write(&path, &bytes).expect("write input");
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    if parser == "sumstats" {
                        run_sumstats(&path, &mut rng, &reference_bim)
                    } else {
                        run_text_parser(parser, &path, &mut rng)
                    }
                }));
                if matches!(outcome, Ok(Ok(Ok(())))) && corpus.len() < MAX_CORPUS && bytes == text {
                    corpus.push(text);
                }
                (outcome, path, vec![("input".into(), bytes)])
            };
            stats.slowest = stats.slowest.max(tick.elapsed());
            let problem = match outcome {
                Err(_) => Some(format!("panic: {}", panic_message.lock().map(|m| m.clone()).unwrap_or_default())),
                Ok(Err(broken)) => Some(format!("invariant: {broken}")),
                Ok(Ok(Ok(()))) => {
                    stats.ok += 1;
                    None
                }
                Ok(Ok(Err(e))) => {
                    *stats.errors.entry(variant(&e)).or_default() += 1;
                    check_error(&e, &file).err().map(|m| format!("bad error: {m}"))
                }
            };
            if let Some(problem) = problem {
                stats.crashes += 1;
                failed = true;
                std::fs::create_dir_all(&crash_dir).expect("crash dir");
                for (ext, bytes) in saved {
                    let p = crash_dir.join(format!("{parser}-{}.{ext}", stats.crashes));
                    std::fs::write(&p, bytes).expect("save crash");
                }
                eprintln!("{parser}: CRASH {} ({problem}); saved under {}", stats.crashes, crash_dir.display());
            }
        }
        let errors: Vec<String> = stats.errors.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!(
            "{parser}: {:.0} s, {} iterations ({:.0}/s), parsed {}, errors [{}], crashes {}, slowest {:.1} ms, \
             seeds {seeds_count}, corpus at end {}",
            start.elapsed().as_secs_f64(),
            stats.iterations,
            stats.iterations as f64 / start.elapsed().as_secs_f64(),
            stats.ok,
            errors.join(" "),
            stats.crashes,
            stats.slowest.as_secs_f64() * 1e3,
            if parser == "bed" { filesets.len() } else { corpus.len() },
        );
    }
    if failed {
        // exit() skips destructors: remove the scratch directory first.
        drop(scratch);
        std::process::exit(1);
    }
}
