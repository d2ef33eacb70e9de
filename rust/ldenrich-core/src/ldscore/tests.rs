use super::*;
use crate::testing::xorshift;

/// Uniform in [0, 1).
fn uniform(state: &mut u64) -> f64 {
    (xorshift(state) >> 11) as f64 / (1u64 << 53) as f64
}

/// Standardized random genotypes with LD (each SNP copies its neighbour with probability 0.7).
fn genotypes(rng: &mut u64, n: usize, m: usize) -> Mat<f64> {
    let mut g = Mat::<f64>::zeros(n, m);
    for j in 0..m {
        for i in 0..n {
            g[(i, j)] = if j > 0 && uniform(rng) < 0.7 { g[(i, j - 1)] } else { (uniform(rng) * 3.0).floor() };
        }
    }
    for j in 0..m {
        let col = g.col_as_slice_mut(j);
        let mean = col.iter().sum::<f64>() / n as f64;
        let sd = (col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64).sqrt().max(1e-12);
        col.iter_mut().for_each(|v| *v = (*v - mean) / sd);
    }
    g
}

/// Direct double loop over every pair allowed by `inside(j, k)`.
fn brute(g: &Mat<f64>, a: &Mat<f64>, inside: impl Fn(usize, usize) -> bool) -> Mat<f64> {
    let (n, m) = (g.nrows(), g.ncols());
    Mat::from_fn(m, a.ncols(), |j, c| {
        (0..m)
            .filter(|&k| k == j || inside(j.min(k), j.max(k)))
            .map(|k| {
                if k == j {
                    return a[(k, c)];
                }
                let r: f64 = (0..n).map(|i| g[(i, j)] * g[(i, k)]).sum::<f64>() / n as f64;
                (r * r - (1.0 - r * r) / (n as f64 - 2.0)) * a[(k, c)]
            })
            .sum()
    })
}

#[test]
fn banded_scores_match_every_pair_for_random_edges() {
    let mut rng = 17u64;
    let rng = &mut rng;
    for &(n, m) in &[(5, 1), (30, 7), (20, 300)] {
        let g = genotypes(rng, n, m);
        // Dense columns (GEMM) beside sparse ones (at most m / 16 runs of one value: through
        // prefix sums over the runs): all ones (one run), single SNPs, runs of 7 SNPs like
        // gene windows, and single SNPs with continuous values.
        let a = Mat::from_fn(m, 6, |i, c| match c {
            0 => 1.0,
            1 => f64::from(u8::from(i % 5 == 0)),
            2 => uniform(rng) * 4.0 - 1.0,
            3 => f64::from(u8::from(i % 37 == 3)),
            4 => {
                if i % 23 == 7 {
                    uniform(rng) * 6.0 - 3.0
                } else {
                    0.0
                }
            }
            _ => f64::from(u8::from(i % 40 >= 30 && i % 40 < 37)) * 2.5,
        });
        let sparse_only = a.subcols(3, 3).to_owned();
        // Exact windows of random sorted positions, wide and narrow.
        let mut pos = 0.0;
        let coords: Vec<f64> = (0..m)
            .map(|_| {
                pos += (uniform(rng) * 3.0).floor();
                pos
            })
            .collect();
        for max_dist in [0.0, 2.0, 40.0, 1e9] {
            let left = exact_edges(&coords, max_dist);
            let got = banded_scores(g.as_ref(), a.as_ref(), &left).unwrap();
            let want = brute(&g, &a, |j, k| coords[k] - coords[j] <= max_dist);
            for j in 0..m {
                for c in 0..6 {
                    assert!((got[(j, c)] - want[(j, c)]).abs() < 1e-9, "n {n} m {m} w {max_dist} j {j} c {c}");
                }
            }
            // Only sparse columns: the same numbers as beside dense ones.
            let alone = banded_scores(g.as_ref(), sparse_only.as_ref(), &left).unwrap();
            for j in 0..m {
                for c in 0..3 {
                    assert!((alone[(j, c)] - got[(j, c + 3)]).abs() < 1e-12, "n {n} m {m} j {j} c {c}");
                }
            }
            let ldsc = ldsc_edges(&left, LDSC_CHUNK);
            let got = banded_scores(g.as_ref(), a.as_ref(), &ldsc).unwrap();
            let want = brute(&g, &a, |j, k| j >= ldsc[k]);
            assert!((0..m).all(|j| (0..6).all(|c| (got[(j, c)] - want[(j, c)]).abs() < 1e-9)));
            // ldsc's window contains the exact one.
            assert!(ldsc.iter().zip(&left).all(|(l, e)| l <= e));
        }
    }
}

#[test]
fn ldsc_edges_follow_the_chunk_rule() {
    // Window of 60 SNPs, 200 SNPs: SNP 61 is the first not reaching SNP 0, so SNPs 0..100 are dense;
    // chunk 100 (first SNP's edge 40) pairs with ceil(60/50) = 2 chunks: edge 0; chunk 150: edge 50.
    let coords: Vec<f64> = (0..200).map(f64::from).collect();
    let exact = exact_edges(&coords, 60.0);
    assert_eq!((exact[60], exact[61], exact[150]), (0, 1, 90));
    let ldsc = ldsc_edges(&exact, 50);
    assert!(ldsc[..150].iter().all(|&l| l == 0));
    assert!(ldsc[150..].iter().all(|&l| l == 50));
    // Everything within reach of SNP 0 (after rounding): one dense block.
    assert_eq!(ldsc_edges(&exact_edges(&coords[..70], 60.0), 50), vec![0; 70]);
    assert_eq!(ldsc_edges(&exact_edges(&coords[..120], 60.0), 50)[100..], [0; 20]);
    // A window of zero: each chunk pairs with itself only.
    let zero = ldsc_edges(&exact_edges(&coords, 0.0), 50);
    assert_eq!((zero[0], zero[49], zero[50], zero[99], zero[199]), (0, 0, 50, 50, 150));
}

#[test]
fn window_rule_parses() {
    assert_eq!(WindowRule::parse("ldsc").unwrap(), WindowRule::Ldsc);
    assert_eq!(WindowRule::parse("exact").unwrap(), WindowRule::Exact);
    assert!(WindowRule::parse("Exact").unwrap_err().to_string().contains("'ldsc' or 'exact'"));
}

/// A PLINK fileset of `m` SNPs on two chromosomes (`m / 2` each, 1 kb apart) and `n` people with
/// random genotypes.
fn write_panel(dir: &std::path::Path, rng: &mut u64, n: usize, m: usize) -> std::path::PathBuf {
    let prefix = dir.join("panel");
    let bim: String = (0..m)
        .map(|i| {
            let chrom = 1 + i / (m / 2);
            format!("{chrom}\trs{i}\t0\t{}\tA\tG\n", 1000 * (1 + i % (m / 2)))
        })
        .collect();
    std::fs::write(prefix.with_extension("bim"), bim).unwrap();
    let fam: String = (0..n).map(|i| format!("f{i} i{i} 0 0 0 -9\n")).collect();
    std::fs::write(prefix.with_extension("fam"), fam).unwrap();
    let mut bed = vec![0x6c, 0x1b, 0x01];
    for i in 0..m {
        let mut bytes = vec![0u8; n.div_ceil(4)];
        for p in 0..n {
            // 00, 10, 11 (no missing calls), skewed so that frequencies vary; SNP 7 is
            // monomorphic (dropped, so a chromosome's kept SNPs are not contiguous rows).
            let draw = if i == 7 { 0 } else { (uniform(rng) * 4.0) as u8 };
            let code = match draw {
                0 => 0b00,
                1 | 2 => 0b10,
                _ => 0b11,
            };
            bytes[p / 4] |= code << (2 * (p % 4));
        }
        bed.extend(bytes);
    }
    std::fs::write(prefix.with_extension("bed"), bed).unwrap();
    prefix
}

#[test]
fn run_columns_and_printed_rows_give_the_dense_scores() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = 5u64;
    let (n, m) = (40, 400);
    let prefix = write_panel(dir.path(), &mut rng, n, m);
    let (bim, bed) = crate::io::plink::open_bfile(&prefix).unwrap();
    // Two gene-set-like columns as runs (one crossing the chromosome bound) and the same dense.
    let runs = vec![vec![(5, 17), (150, 230), (390, 400)], vec![(0, 3), (199, 260)]];
    let dense_runs = Mat::from_fn(m, 2, |i, c| f64::from(u8::from(runs[c].iter().any(|&(a, b)| (a..b).contains(&i)))));
    let base = Mat::from_fn(m, 1, |_, _| 1.0);
    let both = Mat::from_fn(m, 3, |i, c| if c == 0 { 1.0 } else { dense_runs[(i, c - 1)] });
    let options = LdScoreOptions { window: Window::Kb(30.0), ..LdScoreOptions::default() };
    let want = ld_scores(&bim, &bed, both.as_ref(), &options).unwrap();
    assert_eq!((want.kept.len(), want.dropped_monomorphic), (m - 1, 1));
    let annotations = Annotations { dense: base.as_ref(), runs: &runs, printed: None };
    let got = ld_scores_of(&bim, &bed, &annotations, &options).unwrap();
    assert_eq!(got.kept, want.kept);
    assert_eq!((got.m.clone(), got.m_5_50.clone()), (want.m.clone(), want.m_5_50.clone()));
    for j in 0..want.kept.len() {
        for c in 0..3 {
            assert!((got.l2[(j, c)] - want.l2[(j, c)]).abs() < 1e-10, "j {j} c {c}");
        }
    }
    // Only every third SNP printed: the same rows, the same M.
    let printed: Vec<bool> = (0..m).map(|i| i % 3 == 0).collect();
    let some = Annotations { printed: Some(&printed), ..annotations };
    let part = ld_scores_of(&bim, &bed, &some, &options).unwrap();
    let rows: Vec<usize> = (0..want.kept.len()).filter(|&j| want.kept[j] % 3 == 0).collect();
    assert_eq!(part.kept, rows.iter().map(|&j| want.kept[j]).collect::<Vec<_>>());
    assert_eq!(part.m, want.m);
    for (r, &j) in rows.iter().enumerate() {
        assert!((0..3).all(|c| (part.l2[(r, c)] - want.l2[(j, c)]).abs() < 1e-10));
        assert_eq!(part.maf[r], want.maf[j]);
    }
    // Runs alone (no dense column), with the dropped SNP inside a run.
    let none = Mat::<f64>::zeros(m, 0);
    let alone =
        ld_scores_of(&bim, &bed, &Annotations { dense: none.as_ref(), runs: &runs, printed: None }, &options).unwrap();
    assert_eq!(alone.m[..], want.m[1..]);
    for j in 0..want.kept.len() {
        assert!((0..2).all(|c| (alone.l2[(j, c)] - want.l2[(j, c + 1)]).abs() < 1e-10));
    }
    // Bad runs are refused.
    let bad = vec![vec![(10, 5)]];
    let err = ld_scores_of(&bim, &bed, &Annotations { dense: base.as_ref(), runs: &bad, printed: None }, &options);
    assert!(matches!(err, Err(crate::Error::InvalidArgument(_))));
}
