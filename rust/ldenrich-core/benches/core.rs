//! Micro-benchmarks of the enrichment screen's hot paths: the summary-statistics parser (plain
//! and gzip), the `.bim` parser, the sumstats x .bim merge, the rank and radix kernels and the
//! per-category statistics. Inputs are generated deterministically into a temporary directory.
//!
//! `cargo bench -p ldenrich-core` (or `-- parse` to filter). `cargo test` does not run them.

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

use criterion::{criterion_main, Criterion, Throughput};
use ldenrich_core::annot::universe::{build_universe, UniverseOptions};
use ldenrich_core::io::bim::read_bim;
use ldenrich_core::io::sumstats::{read_sumstats, SumstatsOptions};
use ldenrich_core::stats::enrichment::{EnrichmentContext, EnrichmentOptions};
use ldenrich_core::stats::ranks::Ranks;

const ROWS: usize = 200_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A sumstats file (`SNP CHR BP A1 A2 FRQ BETA SE P N`) and a matching `.bim` with 10% extra SNPs.
fn write_inputs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let bases = [b'A', b'C', b'G', b'T'];
    let mut ss = Vec::with_capacity(ROWS * 70);
    let mut bim = Vec::with_capacity(ROWS * 35);
    writeln!(ss, "SNP\tCHR\tBP\tA1\tA2\tFRQ\tBETA\tSE\tP\tN").unwrap();
    for i in 0..(ROWS + ROWS / 10) {
        let chrom = 1 + i * 22 / (ROWS + ROWS / 10);
        let bp = 10_000 + i * 400 + (rng.next() % 300) as usize;
        let rs = 1_000 + i * 37 + (rng.next() % 30) as usize;
        let a = (rng.next() % 4) as usize;
        let b = (a + 1 + (rng.next() % 3) as usize) % 4;
        let (a1, a2) = (bases[a] as char, bases[b] as char);
        writeln!(bim, "{chrom}\trs{rs}\t0\t{bp}\t{a1}\t{a2}").unwrap();
        if i % 11 != 10 {
            let p = rng.unit().max(1e-12);
            let frq = 0.01 + 0.98 * rng.unit();
            let beta = (rng.unit() - 0.5) * 0.02;
            writeln!(ss, "rs{rs}\t{chrom}\t{bp}\t{a1}\t{a2}\t{frq:.4}\t{beta:.6}\t0.003412\t{p:.4e}\t400000").unwrap();
        }
    }
    let plain = dir.join("ss.tsv");
    std::fs::write(&plain, &ss).unwrap();
    let gz = dir.join("ss.tsv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(&ss).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let bim_path = dir.join("ref.bim");
    std::fs::write(&bim_path, &bim).unwrap();
    (plain, gz, bim_path)
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (plain, gz, bim_path) = write_inputs(dir.path());
    let bytes = std::fs::metadata(&plain).unwrap().len();
    let opts = SumstatsOptions::default();

    let mut g = c.benchmark_group("parse");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("sumstats_plain", |b| b.iter(|| read_sumstats(black_box(&plain), &opts).unwrap()));
    g.bench_function("sumstats_gzip", |b| b.iter(|| read_sumstats(black_box(&gz), &opts).unwrap()));
    g.bench_function("bim_plain", |b| b.iter(|| read_bim(black_box(&bim_path)).unwrap()));
    g.finish();

    let ss = read_sumstats(&plain, &opts).unwrap();
    let bim = read_bim(&bim_path).unwrap();
    let mut g = c.benchmark_group("merge");
    g.sample_size(10);
    g.throughput(Throughput::Elements(ss.len() as u64));
    g.bench_function("build_universe", |b| {
        b.iter(|| build_universe(black_box(&ss), &bim, UniverseOptions::default()).unwrap())
    });
    g.finish();

    let universe = build_universe(&ss, &bim, UniverseOptions::default()).unwrap();
    let chisq = universe.chisq.clone();
    let mut g = c.benchmark_group("stats");
    g.sample_size(10);
    g.throughput(Throughput::Elements(chisq.len() as u64));
    g.bench_function("ranks", |b| b.iter(|| Ranks::new(black_box(&chisq))));
    g.bench_function("radix_sort_pairs", |b| {
        let pairs: Vec<(u64, u32)> = chisq.iter().enumerate().map(|(i, x)| (x.to_bits(), i as u32)).collect();
        b.iter(|| {
            let mut v = pairs.clone();
            ldenrich_core::radix::sort_pairs(&mut v);
            v
        })
    });
    let jackknife_only = EnrichmentOptions { permutations: 0, ..Default::default() };
    let context = EnrichmentContext::new(&chisq, vec![0, chisq.len()], jackknife_only).unwrap();
    let with_permutations = EnrichmentContext::new(&chisq, vec![0, chisq.len()], EnrichmentOptions::default()).unwrap();
    // A gene set: 300 windows of ~60 SNPs spread over the genome (~18k annotated SNPs).
    let m = chisq.len() as u32;
    let ranges: Vec<(u32, u32)> = (0..300u32).map(|k| (k * (m / 300), k * (m / 300) + 60)).collect();
    g.throughput(Throughput::Elements(18_000));
    g.bench_function("category_18k_snps", |b| b.iter(|| context.category(black_box(&ranges))));
    g.bench_function("category_18k_snps_1000_permutations", |b| {
        b.iter(|| with_permutations.category(black_box(&ranges)))
    });
    g.finish();
}

// The macro defines an undocumented public function.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(core, super::benches);
}
use group::core;
criterion_main!(core);
