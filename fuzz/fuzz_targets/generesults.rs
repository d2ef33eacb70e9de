#![no_main]
//! Gene results (`.genes.out`/`.genes.raw`): every kept gene has a finite ZSTAT, the
//! correlation band is well formed, and the gene-set regression on it fits or errs cleanly.

use ldenrich_core::io::generesults::read_gene_results;
use ldenrich_core::sets::{BaseModel, GlsOptions};
use ldenrich_core::Error;
use ldenrich_fuzz::{check_error, control_and_body, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, body) = control_and_body(data);
    let path = write("x.genes.raw", &body);
    match read_gene_results(&path) {
        Ok(r) => {
            let z = r.column("ZSTAT").unwrap_or(&[]).to_vec();
            assert_eq!(z.len(), r.len());
            assert!(z.iter().all(|v| v.is_finite()));
            if let Some(band) = &r.correlations {
                assert_eq!(band.offsets.len(), r.len() + 1);
                assert!((0..r.len()).all(|k| band.row(k).len() <= k));
                assert!(band.values.iter().all(|v| v.abs() <= 1.0));
            }
            if r.len() >= 3 {
                match BaseModel::fit(&z, &[], r.correlations.as_ref(), GlsOptions::default()) {
                    Ok(m) => assert!(m.n_eff() <= r.len()),
                    Err(e) => assert!(!matches!(e, Error::Internal(_)), "{e}"),
                }
            }
        }
        Err(e) => check_error(&e, &path),
    }
});
