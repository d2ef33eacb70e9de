#![no_main]
//! Gene sets in every layout: named sets of distinct non-empty genes, or a good error.

use ldenrich_core::io::genesets::{read_gene_sets, GeneSetFormat};
use ldenrich_fuzz::{check_error, control_and_body, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (control, body) = control_and_body(data);
    let format = [GeneSetFormat::Auto, GeneSetFormat::Gmt, GeneSetFormat::MagmaRows, GeneSetFormat::Long]
        [usize::from(control >> 1 & 3)];
    let name = if control & 8 != 0 { "sets.gmt" } else { "sets.txt" };
    let path = write(name, &body);
    match read_gene_sets(&path, format) {
        Ok(g) => {
            for set in &g.sets {
                assert!(!set.name.trim().is_empty());
                assert!(set.genes.iter().all(|x| !x.is_empty()));
                let mut unique = set.genes.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(unique.len(), set.genes.len());
            }
        }
        Err(e) => check_error(&e, &path),
    }
});
