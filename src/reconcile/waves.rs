//! Waves: how many buckets the daemon may write to through fleet policies in one pass, so a
//! policy edit reaching thousands of buckets is rolled out a bounded share at a time.
//!
//! A pass is one discovery interval: every complete discovery [refills](WaveBudget::refill)
//! the budget. A policy bucket that needs writes takes one unit before writing; without one
//! its writes are held until the next pass (its reconcile ends [`super::Applied::Held`]),
//! and it is listed and planned as usual meanwhile. Buckets declared by a `BucketInventory`
//! never draw on it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The per-pass budget of policy buckets to write to; clones share it.
#[derive(Debug, Clone)]
pub struct WaveBudget {
    limit: usize,
    remaining: Arc<AtomicUsize>,
    /// How long a bucket left out of this pass waits: the discovery interval.
    pass: Duration,
}

impl WaveBudget {
    /// A full budget of `limit` buckets per pass of length `pass`.
    pub fn new(limit: usize, pass: Duration) -> Self {
        WaveBudget {
            limit,
            remaining: Arc::new(AtomicUsize::new(limit)),
            pass,
        }
    }

    /// Takes one bucket's share of this pass; false when the pass's wave is full.
    pub fn try_take(&self) -> bool {
        self.remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Starts a new pass: the whole limit is available again.
    pub fn refill(&self) {
        self.remaining.store(self.limit, Ordering::SeqCst);
    }

    /// How long a bucket left out of the wave waits before it is looked at again.
    pub fn pass(&self) -> Duration {
        self.pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_admits_at_most_the_limit_and_a_refill_starts_the_next() {
        let budget = WaveBudget::new(2, Duration::from_secs(60));
        let shared = budget.clone();
        assert!(budget.try_take());
        assert!(shared.try_take());
        assert!(
            !budget.try_take(),
            "the third bucket waits for the next pass"
        );
        budget.refill();
        assert!(shared.try_take());
    }

    #[test]
    fn a_zero_limit_admits_nothing() {
        assert!(!WaveBudget::new(0, Duration::from_secs(1)).try_take());
    }
}
