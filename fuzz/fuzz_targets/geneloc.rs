#![no_main]
//! MAGMA gene locations: every kept gene has stop > start, or a good error.

use ldenrich_core::io::geneloc::read_gene_loc;
use ldenrich_fuzz::{check_error, control_and_body, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, body) = control_and_body(data);
    let path = write("genes.loc", &body);
    match read_gene_loc(&path) {
        Ok(g) => {
            assert!((0..g.len()).all(|i| g.stop[i] > g.start[i]));
            assert_eq!(g.symbol.len(), g.len());
            let _ = (0..g.len()).map(|i| g.window(i, 35_000, 10_000)).count();
        }
        Err(e) => check_error(&e, &path),
    }
});
