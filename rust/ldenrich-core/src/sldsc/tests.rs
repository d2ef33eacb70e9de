use faer::Mat;

use super::*;

/// A reproducible data set: LD scores, weights and chi-squares with a planted per-SNP h2.
/// LD scores, weight LD scores, N, M and chi-squares.
type Data = (Mat<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

fn data(n: usize, c: usize, seed: u64) -> Data {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let ld =
        Mat::from_fn(n, c, |_, k| if k == 0 { 1.0 + 60.0 * rng.random::<f64>() } else { 20.0 * rng.random::<f64>() });
    let w_ld: Vec<f64> = (0..n).map(|j| ld[(j, 0)] * (0.8 + 0.4 * rng.random::<f64>())).collect();
    let nn: Vec<f64> = (0..n).map(|_| 40_000.0 + 20_000.0 * rng.random::<f64>()).collect();
    let m: Vec<f64> = (0..c).map(|k| if k == 0 { 5e5 } else { 5e4 }).collect();
    let chisq: Vec<f64> = (0..n)
        .map(|j| {
            let mean = 1.02 + nn[j] * (0..c).map(|k| 0.3 / 5e5 * ld[(j, k)]).sum::<f64>();
            // A scaled chi-square(1) draw: the square of a normal.
            let z: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
            mean * z * z
        })
        .collect();
    (ld, w_ld, nn, m, chisq)
}

fn input<'a>(ld: &'a Mat<f64>, w: &'a [f64], n: &'a [f64], m: &'a [f64], chisq: &'a [f64]) -> H2Input<'a> {
    H2Input { chisq, ld: ld.as_ref(), w_ld: w, n, m }
}

#[test]
fn solve_matches_a_known_system() {
    let a = vec![2.0, 1.0, 1.0, 1.0, 3.0, 2.0, 1.0, 0.0, 0.0];
    let x = solve(a, vec![4.0, 5.0, 6.0]).unwrap();
    for (v, want) in x.iter().zip([6.0, 15.0, -23.0]) {
        assert!((v - want).abs() < 1e-12, "{v} vs {want}");
    }
    assert!(solve(vec![1.0, 2.0, 2.0, 4.0], vec![1.0, 1.0]).is_none());
}

#[test]
fn jackknife_of_a_mean_is_the_standard_error() {
    // Regressing on a constant gives the mean; with one SNP per block the jackknife SE is s/sqrt(n).
    let y: Vec<f64> = (0..10).map(|i| (i * i) as f64).collect();
    let x = Mat::from_fn(10, 1, |_, _| 1.0);
    let jk = lstsq_jackknife(x.as_ref(), &y, block_separators(10, 10)).unwrap();
    let mean = y.iter().sum::<f64>() / 10.0;
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 9.0;
    assert!((jk.est[0] - mean).abs() < 1e-12);
    assert!((jk.cov[0] - var / 10.0).abs() < 1e-9);
}

#[test]
fn partitioned_fit_is_thread_independent_and_recovers_the_scale() {
    let (ld, w, n, m, chisq) = data(20_000, 3, 7);
    let fit = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| h2(&input(&ld, &w, &n, &m, &chisq), &H2Options::default()).unwrap())
    };
    let (a, b) = (fit(1), fit(3));
    assert_eq!(a.coef, b.coef);
    assert_eq!(a.coef_cov, b.coef_cov);
    assert_eq!(a.prop_cov, b.prop_cov);
    assert_eq!(a.blocks, 200);
    // Planted: tot = 0.3 * (5e5 + 2 * 5e4) / 5e5 = 0.36, intercept 1.02.
    assert!((a.tot - 0.36).abs() < 4.0 * a.tot_se, "{} +- {}", a.tot, a.tot_se);
    assert!((a.intercept - 1.02).abs() < 4.0 * a.intercept_se);
    let s: f64 = a.prop.iter().sum();
    assert!((s - 1.0).abs() < 1e-12);
}

#[test]
fn options_are_validated() {
    let (ld, w, n, m, chisq) = data(500, 2, 1);
    let run = |o: H2Options| h2(&input(&ld, &w, &n, &m, &chisq), &o);
    assert!(matches!(run(H2Options { blocks: 1, ..Default::default() }), Err(Error::InvalidArgument(_))));
    let two = H2Options { two_step: TwoStep::Cutoff(30.0), ..Default::default() };
    assert!(matches!(run(two), Err(Error::InvalidArgument(_))));
    let fixed = H2Options { intercept: Some(1.0), two_step: TwoStep::Cutoff(30.0), ..Default::default() };
    assert!(matches!(run(fixed), Err(Error::InvalidArgument(_))));
    let mut bad_n = n.clone();
    bad_n[3] = 0.0;
    let err = h2(&input(&ld, &w, &bad_n, &m, &chisq), &H2Options::default()).unwrap_err();
    assert!(err.to_string().contains("SNP 4"), "{err}");
}

#[test]
fn univariate_two_step_and_fixed_intercept_run() {
    let (ld, w, n, _, chisq) = data(5_000, 1, 3);
    let m = [5e5];
    let free = h2(&input(&ld, &w, &n, &m, &chisq), &H2Options::default()).unwrap();
    assert_eq!(free.two_step.map(|t| t.0), Some(30.0));
    assert!(free.intercept_se > 0.0 && free.tot_se > 0.0);
    let fixed = h2(&input(&ld, &w, &n, &m, &chisq), &H2Options { intercept: Some(1.0), ..Default::default() }).unwrap();
    assert!(fixed.intercept_se.is_nan() && fixed.intercept_delete.is_empty() && fixed.two_step.is_none());
}

#[test]
fn overlap_table_without_overlap_reduces_to_the_proportions() {
    let (ld, w, n, m, chisq) = data(5_000, 3, 11);
    let fit = h2(&input(&ld, &w, &n, &m, &chisq), &H2Options::default()).unwrap();
    let c = 3;
    let mut diag = vec![0.0; c * c];
    for i in 0..c {
        diag[i * c + i] = m[i];
    }
    let m_tot: f64 = m.iter().sum();
    let table = overlap_table(&fit, &Overlap { matrix: &diag, m_tot, sd: None }).unwrap();
    for i in 0..c {
        assert!((table.prop_h2[i] - fit.prop[i]).abs() < 1e-12);
        assert!((table.prop_h2_se[i] - fit.prop_se[i]).abs() < 1e-12);
        assert!((table.h2[i] - fit.cat[i]).abs() < 1e-12 * fit.cat[i].abs().max(1.0));
        assert!(table.enrichment_p[i] > 0.0 && table.enrichment_p[i] <= 1.0);
    }
}

#[test]
fn normal_tail_and_liability_factor() {
    assert!((normal_sf(1.959963984540054) - 0.025).abs() < 1e-15);
    assert!((normal_sf(-1.0) - 0.8413447460685429).abs() < 1e-15);
    // Lee et al. 2011 with P = K = 0.5: factor pi / 2.
    assert!((liability_factor(0.5, 0.5).unwrap() - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
    assert!(liability_factor(0.0, 0.1).is_err());
}

#[test]
fn student_t_tail_of_the_enrichment_p_is_accurate_far_out() {
    // scipy.stats.t.sf(x, 200): the two-sided Enrichment_p is twice this.
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let t = StudentsT::new(0.0, 1.0, 200.0).unwrap();
    for (x, want) in [
        (1.0, 0.15925942395487336),
        (3.0, 0.0015215235569529524),
        (6.0, 4.557560174405173e-09),
        (10.0, 1.1887415722103823e-19),
        (15.0, 7.082249639357039e-35),
        (25.0, 9.269548053746297e-64),
    ] {
        let got = t.sf(x);
        assert!((got - want).abs() <= 1e-9 * want, "x = {x}: {got} vs {want}");
    }
}

#[test]
fn annotation_cross_products_match_a_double_loop_for_any_thread_count() {
    let n = 150_000; // three pieces of rows
    let a = Mat::from_fn(n, 3, |i, j| ((i * (j + 3)) % 7) as f64 - 2.5 * (j as f64));
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| annot_cross_products(a.as_ref()))
    };
    let (ata, sums) = run(1);
    assert_eq!((ata.clone(), sums.clone()), run(3));
    for i in 0..3 {
        let s: f64 = (0..n).map(|r| a[(r, i)]).sum();
        assert!((sums[i] - s).abs() <= 1e-9 * s.abs().max(1.0));
        for k in 0..3 {
            let d: f64 = (0..n).map(|r| a[(r, i)] * a[(r, k)]).sum();
            assert!((ata[i * 3 + k] - d).abs() <= 1e-9 * d.abs().max(1.0), "{i} {k}");
        }
    }
}
