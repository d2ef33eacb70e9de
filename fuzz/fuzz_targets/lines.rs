#![no_main]
//! The line reader over plain, gzip and BGZF bytes: consecutive line numbers, no line ends in
//! a line, and a parse error (never a panic) for damaged compressed streams.

use ldenrich_core::io::text::LineReader;
use ldenrich_core::Error;
use ldenrich_fuzz::{check_error, control_and_body, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, body) = control_and_body(data);
    let path = write("input.txt", &body);
    let mut reader = LineReader::open(&path).expect("open");
    let mut expected = 0u64;
    loop {
        match reader.next_line() {
            Ok(Some((n, line))) => {
                expected += 1;
                assert_eq!(n, expected);
                assert!(!line.contains(&b'\n'));
            }
            Ok(None) => break,
            Err(e) => {
                assert!(matches!(e, Error::Parse { .. }), "{e}");
                check_error(&e, &path);
                break;
            }
        }
    }
});
