//! Cooperative cancellation of long calls (Ctrl-C, SIGTERM).
//!
//! A process-wide flag, set by [`request`] (the Python binding sets it when a signal arrives
//! while core work runs) and checked by [`check`] between work units of every long loop: genes
//! of the gene analysis, rows of the gene-gene correlations, chunks of the readers, categories
//! of the screen, sets of the gene-set analysis. A check is one relaxed atomic load, so loops
//! check once per unit of work (a gene, a 4 MiB chunk), never per element.
//!
//! Calls register themselves with [`Active`]; the flag is cleared when the last registered call
//! returns, so a cancellation stops every call in flight and none started afterwards.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::error::{Error, Result};

/// A cancellation flag and the count of calls that watch it.
struct Flag {
    requested: AtomicBool,
    active: AtomicUsize,
}

impl Flag {
    const fn new() -> Self {
        Flag { requested: AtomicBool::new(false), active: AtomicUsize::new(0) }
    }
    fn check(&self) -> Result<()> {
        if self.requested.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
    fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
        // With no call in flight there is nothing to stop, and nobody left to clear the flag for
        // the next call. (Set first, then look: a call leaving in between cannot leave it set.)
        if self.active.load(Ordering::SeqCst) == 0 {
            self.requested.store(false, Ordering::SeqCst);
        }
    }
    fn enter(&self) {
        self.active.fetch_add(1, Ordering::SeqCst);
    }
    fn leave(&self) {
        if self.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.requested.store(false, Ordering::SeqCst);
        }
    }
}

static FLAG: Flag = Flag::new();

/// Asks every running call to stop at its next check with [`Error::Interrupted`]; without a
/// running call it does nothing.
pub fn request() {
    FLAG.request();
}

/// `Err(Error::Interrupted)` once a cancellation is pending.
pub fn check() -> Result<()> {
    FLAG.check()
}

/// Registration of one running call; dropping the last one clears a pending cancellation.
#[derive(Debug)]
pub struct Active(());

impl Active {
    /// Registers a call.
    pub fn enter() -> Self {
        FLAG.enter();
        Active(())
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        FLAG.leave();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_stops_checks_until_the_last_call_returns() {
        // A flag of its own: the process-wide one would interrupt tests running beside this one.
        let flag = Flag::new();
        flag.request();
        assert!(flag.check().is_ok(), "a request with no call in flight must not stop the next call");
        flag.enter();
        assert!(flag.check().is_ok());
        flag.enter();
        flag.request();
        assert!(matches!(flag.check(), Err(Error::Interrupted)));
        flag.leave();
        // Another call is still in flight: it must see the request too.
        assert!(matches!(flag.check(), Err(Error::Interrupted)));
        flag.leave();
        assert!(flag.check().is_ok());
    }
}
