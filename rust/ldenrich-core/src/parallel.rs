//! One place that decides how many threads a call uses: the explicit argument, else the
//! `LDENRICH_NUM_THREADS` environment variable, else all cores.

use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

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

/// Runs `work` on a rayon pool of the resolved size. Pools are kept, one per size: starting
/// threads costs a few milliseconds, paid once per process instead of once per call.
pub fn with_threads<T: Send>(threads: Option<usize>, work: impl FnOnce() -> T + Send) -> Result<T> {
    let n = resolve_threads(threads)?;
    Ok(pool(n)?.install(work))
}

fn pool(n: usize) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<FxHashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    // A panic while the lock was held leaves the map intact: keep using it.
    let mut pools = POOLS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(pool) = pools.get(&n) {
        return Ok(Arc::clone(pool));
    }
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::Internal(format!("cannot start {n} threads: {e}")))?,
    );
    pools.insert(n, Arc::clone(&pool));
    Ok(pool)
}

#[cfg(test)]
mod pool_tests {
    use super::*;

    #[test]
    fn pools_are_reused_and_sized_as_asked() {
        let a = with_threads(Some(3), || (rayon::current_num_threads(), rayon::current_thread_index())).unwrap();
        assert_eq!(a.0, 3);
        assert!(a.1.is_some());
        assert!(Arc::ptr_eq(&pool(3).unwrap(), &pool(3).unwrap()));
        assert!(!Arc::ptr_eq(&pool(3).unwrap(), &pool(2).unwrap()));
        assert!(with_threads(Some(0), || ()).is_err());
    }
}
