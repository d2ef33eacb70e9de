//! One place that decides how many threads a call uses: the explicit argument, else the
//! `LDENRICH_NUM_THREADS` environment variable, else all cores.

use crate::error::{Error, Result};

/// Name of the environment variable read when no thread count is given.
pub const THREADS_ENV: &str = "LDENRICH_NUM_THREADS";

/// The thread count a call should use.
pub fn resolve_threads(threads: Option<usize>) -> Result<usize> {
    if let Some(n) = threads {
        return if n == 0 { Err(Error::InvalidArgument("threads must be at least 1".into())) } else { Ok(n) };
    }
    if let Ok(text) = std::env::var(THREADS_ENV) {
        return match text.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(Error::InvalidArgument(format!("{THREADS_ENV}={text:?} is not a positive integer"))),
        };
    }
    Ok(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// Boundaries `(i, j)` cutting two sorted sequences into about `parts` pieces for merging on
/// several threads: piece `k` is `a[i_k..i_k+1]` with `b[j_k..j_k+1]`. Every cut falls at the
/// same key in both, before the first element with that key, so equal keys never straddle two
/// pieces and what each piece computes does not depend on the number of pieces. The first
/// boundary is `(0, 0)` and the last `(a.len(), b.len())`; pieces follow `a`'s quantiles.
pub fn cuts_at_common_keys<A, B>(
    a: &[A],
    b: &[B],
    parts: usize,
    key_a: impl Fn(&A) -> u64,
    key_b: impl Fn(&B) -> u64,
) -> Vec<(usize, usize)> {
    let parts = parts.max(1);
    let mut cuts: Vec<(usize, usize)> = (0..parts)
        .filter_map(|p| match a.get(a.len() * p / parts) {
            _ if p == 0 => Some((0, 0)),
            Some(item) => {
                let key = key_a(item);
                Some((a.partition_point(|x| key_a(x) < key), b.partition_point(|y| key_b(y) < key)))
            }
            None => None,
        })
        .collect();
    cuts.push((a.len(), b.len()));
    cuts.dedup();
    cuts
}

/// Runs `work` on a dedicated rayon pool of the resolved size.
pub fn with_threads<T: Send>(threads: Option<usize>, work: impl FnOnce() -> T + Send) -> Result<T> {
    let n = resolve_threads(threads)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start {n} threads: {e}")))?;
    Ok(pool.install(work))
}
