#![no_main]
//! PLINK .fam: a sample count, or a good error.

use ldenrich_core::io::plink::count_fam;
use ldenrich_fuzz::{check_error, control_and_body, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, body) = control_and_body(data);
    let path = write("panel.fam", &body);
    if let Err(e) = count_fam(&path) {
        check_error(&e, &path);
    }
});
