#![no_main]
//! PLINK .bed with its .bim and .fam: opened and fully decoded, or a good error. The first two
//! bytes choose the numbers of SNPs (0-15) and samples (0-63); the rest is the .bed.

use ldenrich_core::io::plink::open_bfile;
use ldenrich_fuzz::{check_error, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (n_snps, n_samples) = (usize::from(data[0] & 15), usize::from(data[1] & 63));
    let bim: String = (0..n_snps).map(|i| format!("1 rs{} 0 {} A G\n", i + 1, 100 * (i + 1))).collect();
    let fam: String = (0..n_samples).map(|i| format!("F{i} I{i} 0 0 1 -9\n")).collect();
    write("set.bim", bim.as_bytes());
    write("set.fam", fam.as_bytes());
    let bed = write("set.bed", &data[2..]);
    let prefix = bed.with_extension("");
    match open_bfile(&prefix) {
        Ok((bim, plink)) => {
            assert_eq!(plink.n_snps(), bim.len());
            let mut out = vec![0.0; plink.n_samples()];
            for snp in 0..plink.n_snps() {
                plink.read_dosages(snp, &mut out).expect("validated .bed");
                assert!(out.iter().all(|d| d.is_nan() || [0.0, 1.0, 2.0].contains(d)));
            }
            let all: Vec<usize> = (0..plink.n_snps()).collect();
            let s = plink.standardized(&all).expect("validated .bed");
            assert_eq!(s.kept.len() + s.monomorphic, all.len());
            assert!((0..s.matrix.ncols()).all(|j| s.matrix.col_as_slice(j).iter().all(|v| v.is_finite())));
        }
        Err(e) => check_error(&e, &bed),
    }
});
