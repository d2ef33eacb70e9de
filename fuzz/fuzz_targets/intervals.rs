#![no_main]
//! BED intervals: every kept interval is non-empty and within 32-bit positions, or a good error.

use ldenrich_core::io::bed::read_bed;
use ldenrich_fuzz::{check_error, control_and_body, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, body) = control_and_body(data);
    let path = write("peaks.bed", &body);
    match read_bed(&path) {
        Ok(b) => assert!((0..b.len()).all(|i| b.start[i] < b.end[i] && b.end[i] <= u64::from(u32::MAX))),
        Err(e) => check_error(&e, &path),
    }
});
