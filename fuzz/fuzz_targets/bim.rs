#![no_main]
//! PLINK .bim: parsed columns have one entry per variant, or a good error.

use ldenrich_core::io::bim::read_bim;
use ldenrich_fuzz::{check_error, control_and_body, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, body) = control_and_body(data);
    let path = write("panel.bim", &body);
    match read_bim(&path) {
        Ok(b) => {
            assert_eq!(b.ids.len(), b.len());
            assert_eq!(b.chrom.len(), b.len());
            assert_eq!(b.a1.codes.len(), b.len());
            assert_eq!(b.a2.codes.len(), b.len());
        }
        Err(e) => check_error(&e, &path),
    }
});
