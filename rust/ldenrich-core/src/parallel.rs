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

/// Runs `work` on a dedicated rayon pool of the resolved size.
pub fn with_threads<T: Send>(threads: Option<usize>, work: impl FnOnce() -> T + Send) -> Result<T> {
    let n = resolve_threads(threads)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start {n} threads: {e}")))?;
    Ok(pool.install(work))
}
