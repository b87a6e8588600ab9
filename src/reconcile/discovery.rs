//! When the daemon lists the fleet's buckets next: at start, every `--discover-interval`
//! (± 10 %), at once on request (the push hook, a new revision), and after a failed pass with
//! backoff. A pure state machine like [`crate::scheduler`]: every call takes `now`, the
//! jitter comes in as a number.
//!
//! # Guarantees
//! - One pass at a time: nothing is due while one runs; a request made meanwhile makes the
//!   next pass due the moment the running one finishes.
//! - After a complete pass the next is due after the interval ± the jitter share.
//! - After `n` failed passes in a row the next is due after `min(1 s · 2^(n-1), interval)`:
//!   a failing listing is retried sooner than the interval, never more often than once a
//!   second, and never later than a healthy one would run. A complete pass resets the count.
//! - Disabled (the revision declares no policy), nothing is ever due.

use std::time::{Duration, Instant};

use crate::backoff::Backoff;
use crate::scheduler::{DEFAULT_JITTER, SchedulerConfig};

/// Default `--discover-interval`: a new bucket is covered within five minutes, at the cost of
/// one listing pass (a page per 1,000 buckets on S3) per provider.
pub(crate) const DEFAULT_DISCOVER_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// First retry of a failed pass: the providers' rate limits are per second.
const RETRY_BASE: Duration = Duration::from_secs(1);

/// The discovery timer.
#[derive(Debug, Clone)]
pub(crate) struct DiscoverySchedule {
    interval: Duration,
    /// When the next pass is due; `None` while one runs or when disabled.
    next: Option<Instant>,
    running: bool,
    /// Requested while a pass ran: the next one is due at once.
    again: bool,
    enabled: bool,
    /// Failed passes in a row.
    failures: u32,
}

impl DiscoverySchedule {
    /// A disabled schedule with `interval` between passes.
    pub(crate) fn new(interval: Duration) -> Self {
        DiscoverySchedule {
            interval,
            next: None,
            running: false,
            again: false,
            enabled: false,
            failures: 0,
        }
    }

    /// Turns discovery on (a revision declares policies): due at once the first time.
    pub(crate) fn enable(&mut self, now: Instant) {
        if !self.enabled {
            self.enabled = true;
            self.request(now);
        }
    }

    /// Turns discovery off (no policy left); a running pass's result is still taken.
    pub(crate) fn disable(&mut self) {
        self.enabled = false;
        self.next = None;
        self.again = false;
    }

    /// Makes a pass due at once, or right after the running one.
    pub(crate) fn request(&mut self, now: Instant) {
        if !self.enabled {
            return;
        }
        if self.running {
            self.again = true;
        } else {
            self.next = Some(now);
        }
    }

    /// When the next pass is due, if one is scheduled and none runs.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.next.filter(|_| self.enabled && !self.running)
    }

    /// Takes the due pass, if any: the caller starts it and reports back with
    /// [`Self::finish`].
    pub(crate) fn take_due(&mut self, now: Instant) -> bool {
        if self.next_due().is_some_and(|at| at <= now) {
            self.running = true;
            self.next = None;
            return true;
        }
        false
    }

    /// Records how the running pass ended; `unit` in `[0, 1)` draws the interval's jitter.
    /// Returns the delay until the next pass.
    pub(crate) fn finish(&mut self, now: Instant, complete: bool, unit: f64) -> Duration {
        self.running = false;
        let delay = if complete {
            self.failures = 0;
            self.jittered_interval(unit)
        } else {
            self.failures = self.failures.saturating_add(1);
            self.retry_delay()
        };
        let delay = if std::mem::take(&mut self.again) {
            Duration::ZERO
        } else {
            delay
        };
        if self.enabled {
            self.next = Some(now + delay);
        }
        delay
    }

    /// Failed passes in a row.
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }

    fn jittered_interval(&self, unit: f64) -> Duration {
        SchedulerConfig {
            resync_interval: self.interval,
            jitter: DEFAULT_JITTER,
            ..SchedulerConfig::default()
        }
        .jittered_interval(unit)
    }

    fn retry_delay(&self) -> Duration {
        Backoff::new(RETRY_BASE.min(self.interval), self.interval)
            .ceiling(self.failures.saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn enabled(now: Instant) -> DiscoverySchedule {
        let mut schedule = DiscoverySchedule::new(5 * MINUTE);
        schedule.enable(now);
        schedule
    }

    #[test]
    fn a_disabled_schedule_is_never_due_even_on_request() {
        let now = Instant::now();
        let mut schedule = DiscoverySchedule::new(MINUTE);
        schedule.request(now);
        assert_eq!(schedule.next_due(), None);
        assert!(!schedule.take_due(now + 10 * MINUTE));
    }

    #[test]
    fn the_first_pass_is_due_at_start_and_the_next_after_the_jittered_interval() {
        let start = Instant::now();
        let mut schedule = enabled(start);
        assert!(schedule.take_due(start));
        assert_eq!(
            schedule.next_due(),
            None,
            "nothing is due while a pass runs"
        );
        for (unit, expected) in [(0.0, 270), (0.5, 300), (0.999_999, 330)] {
            let delay = schedule.finish(start, true, unit);
            assert_eq!(delay.as_secs_f64().round() as u64, expected, "unit {unit}");
            assert!(!schedule.take_due(start + delay - Duration::from_millis(1)));
            assert!(schedule.take_due(start + delay));
        }
    }

    #[test]
    fn the_jitter_stays_within_ten_percent_of_the_interval() {
        let start = Instant::now();
        let mut schedule = enabled(start);
        for step in 0..=100 {
            assert!(schedule.take_due(start + 100 * MINUTE));
            let delay = schedule.finish(start, true, f64::from(step) / 100.0);
            assert!(delay >= 5 * MINUTE * 9 / 10, "{delay:?}");
            assert!(delay <= 5 * MINUTE * 11 / 10, "{delay:?}");
        }
    }

    #[test]
    fn a_failed_pass_is_retried_with_doubling_backoff_capped_at_the_interval() {
        let start = Instant::now();
        let mut schedule = enabled(start);
        let mut delays = Vec::new();
        for _ in 0..12 {
            assert!(schedule.take_due(start + 100 * MINUTE));
            delays.push(schedule.finish(start, false, 0.5).as_secs());
        }
        assert_eq!(
            delays,
            [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300],
            "never later than the interval"
        );
        assert_eq!(schedule.failures(), 12);
        assert!(schedule.take_due(start + 100 * MINUTE));
        assert_eq!(schedule.finish(start, true, 0.5), 5 * MINUTE);
        assert_eq!(schedule.failures(), 0, "a complete pass resets the count");
    }

    #[test]
    fn a_request_while_a_pass_runs_makes_the_next_due_as_it_finishes() {
        let start = Instant::now();
        let mut schedule = enabled(start);
        assert!(schedule.take_due(start));
        schedule.request(start);
        assert_eq!(schedule.finish(start, true, 0.5), Duration::ZERO);
        assert!(schedule.take_due(start));
        assert_eq!(schedule.finish(start, true, 0.5), 5 * MINUTE, "once only");
    }

    #[test]
    fn a_request_between_passes_makes_one_due_at_once() {
        let start = Instant::now();
        let mut schedule = enabled(start);
        assert!(schedule.take_due(start));
        schedule.finish(start, true, 0.5);
        schedule.request(start + MINUTE);
        assert!(schedule.take_due(start + MINUTE));
    }

    #[test]
    fn disabling_drops_the_pending_pass_and_enabling_again_starts_one() {
        let start = Instant::now();
        let mut schedule = enabled(start);
        schedule.disable();
        assert_eq!(schedule.next_due(), None);
        schedule.enable(start + MINUTE);
        assert!(schedule.take_due(start + MINUTE));
    }
}
