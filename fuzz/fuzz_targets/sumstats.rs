#![no_main]
//! Summary statistics: any input parses with exact row accounting, or fails with a good error.

use ldenrich_core::annot::universe::{build_universe, Matching, UniverseOptions};
use ldenrich_core::io::bim::read_bim;
use ldenrich_core::io::sumstats::{read_sumstats, ChisqFrom, DropReason, ReadN, SumstatsOptions};
use ldenrich_core::Error;
use ldenrich_fuzz::{check_error, control_and_body, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (control, body) = control_and_body(data);
    let path = write("gwas.tsv", &body);
    let chisq_from =
        [None, Some(ChisqFrom::Z), Some(ChisqFrom::P), Some(ChisqFrom::BetaSe)][usize::from(control >> 1 & 3)];
    let read_n = if control & 8 != 0 { ReadN::Required } else { ReadN::No };
    let options = SumstatsOptions { columns: Vec::new(), chisq_from, read_n, n_effective: control & 16 != 0, format: None };
    let s = match read_sumstats(&path, &options) {
        Ok(s) => s,
        Err(e) => return check_error(&e, &path),
    };
    let dropped: u64 = s.dropped.iter().sum();
    assert_eq!(s.rows_read, s.len() as u64 + dropped);
    assert_eq!(s.dropped_keys.len() as u64, dropped - s.dropped[DropReason::MissingId.index()] - s.dropped[DropReason::OtherTest.index()]);
    assert!(s.chisq.iter().all(|c| c.is_finite() && *c >= 0.0));
    let bim = write("ref.bim", b"1 rs1 0 100 A G\n1 rs2 0 200 C T\n2 rs3 0 50 A T\n23 rs4 0 10 A G\n");
    let bim = read_bim(&bim).expect("reference bim");
    match build_universe(&s, &bim, UniverseOptions {
        drop_strand_ambiguous: control & 16 != 0,
        matching: [Matching::Auto, Matching::Rsid, Matching::Position, Matching::Auto][usize::from(control >> 5 & 3)],
    }) {
        Ok(u) => assert_eq!(u.qc.rows_read, u.qc.used + u.qc.dropped.iter().sum::<u64>()),
        Err(Error::InconsistentInput(_)) => {}
        Err(e) => panic!("unexpected universe error: {e}"),
    }
});
