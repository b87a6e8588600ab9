//! One exponential backoff with full jitter, shared by every retry loop of the crate.
//!
//! The wait before retry `n` (0-based) is `r · min(cap, base · multiplier^n)` with `r` uniform
//! in `[0, 1)`: "full jitter" from the AWS Architecture Blog post "Exponential Backoff And
//! Jitter" (Marc Brooker, 2015), which spreads the retries of many clients that failed
//! together better than equal or no jitter at the same total cost. The randomness comes from
//! a [`Jitter`] source, so tests pin it and every delay is reproducible.
//!
//! Users: the provider transport ([`crate::provider::http`]), webhook delivery
//! ([`crate::notify`]), the re-create of a replaced OSS configuration and the read-back after a
//! write ([`crate::reconcile::apply`]), and the bucket scheduler ([`crate::scheduler`]), which
//! uses the un-jittered [`Backoff::ceiling`] because its resync timer already carries jitter.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{RngExt as _, SeedableRng as _};

/// The doubling of every backoff here: the factor of the blog post above, of the AWS SDKs and
/// of kube-runtime's default backoff.
pub(crate) const DEFAULT_MULTIPLIER: f64 = 2.0;

/// Exponential growth from `base` by `multiplier` per retry, never above `cap`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The ceiling of the first retry's wait.
    pub base: Duration,
    /// The largest wait, whatever the retry number.
    pub cap: Duration,
    /// Growth of the ceiling per retry; values below 1 are treated as 1.
    pub(crate) multiplier: f64,
}

impl Backoff {
    /// A doubling backoff from `base` up to `cap`.
    pub const fn new(base: Duration, cap: Duration) -> Self {
        Backoff {
            base,
            cap,
            multiplier: DEFAULT_MULTIPLIER,
        }
    }

    /// The wait before retry `retry` without jitter: `min(cap, base · multiplier^retry)`.
    /// Never above `cap`, for every `retry`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = self.multiplier.max(1.0).powi(retry.min(4096) as i32);
        if !factor.is_finite() || self.base.as_secs_f64() * factor >= self.cap.as_secs_f64() {
            return self.cap;
        }
        if factor.fract() == 0.0 && factor <= f64::from(u32::MAX) {
            // Whole factors (the usual doubling) stay exact: no float rounding of the base.
            return self.base.saturating_mul(factor as u32).min(self.cap);
        }
        self.base.mul_f64(factor).min(self.cap)
    }

    /// The full-jitter wait before retry `retry` for a uniform `unit` in `[0, 1)`:
    /// `unit · ceiling(retry)`. Values of `unit` outside `[0, 1]` are clamped (NaN is 0), so
    /// the result never exceeds the ceiling.
    pub fn delay(&self, retry: u32, unit: f64) -> Duration {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.ceiling(retry).mul_f64(unit).min(self.cap)
    }

    /// The full-jitter wait before retry `retry`, drawing from `jitter`.
    pub(crate) fn next_delay(&self, retry: u32, jitter: &Jitter) -> Duration {
        self.delay(retry, jitter.draw())
    }
}

/// A source of uniform random numbers in `[0, 1)`; clones share the source.
///
/// The process uses [`Jitter::random`]; tests use [`Jitter::fixed`], [`Jitter::sequence`] or
/// [`Jitter::seeded`] so that every delay is known in advance.
#[derive(Clone)]
pub struct Jitter(Arc<dyn Fn() -> f64 + Send + Sync>);

impl Jitter {
    /// The thread-local random generator.
    pub fn random() -> Self {
        Jitter(Arc::new(rand::random::<f64>))
    }

    /// Always `unit` (`0.0` never waits, values near `1.0` wait the whole ceiling).
    pub fn fixed(unit: f64) -> Self {
        Jitter(Arc::new(move || unit))
    }

    #[cfg(test)]
    /// The values of `units` in turn, starting over after the last (`0.5` when empty).
    pub(crate) fn sequence(units: impl Into<Vec<f64>>) -> Self {
        let units: Vec<f64> = units.into();
        let next = Mutex::new(0usize);
        Jitter(Arc::new(move || {
            let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
            let value = units
                .get(*next % units.len().max(1))
                .copied()
                .unwrap_or(0.5);
            *next += 1;
            value
        }))
    }

    /// A reproducible pseudo-random sequence determined by `seed`.
    pub fn seeded(seed: u64) -> Self {
        let rng = Mutex::new(rand::rngs::StdRng::seed_from_u64(seed));
        Jitter(Arc::new(move || {
            rng.lock()
                .unwrap_or_else(|e| e.into_inner())
                .random::<f64>()
        }))
    }

    /// A shared function returning values in `[0, 1)`.
    pub(crate) fn from_arc(draw: Arc<dyn Fn() -> f64 + Send + Sync>) -> Self {
        Jitter(draw)
    }

    /// The next value.
    pub(crate) fn draw(&self) -> f64 {
        (self.0)()
    }
}

impl Default for Jitter {
    fn default() -> Self {
        Jitter::random()
    }
}

impl fmt::Debug for Jitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Jitter")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_millis(200);
    const CAP: Duration = Duration::from_secs(20);
    const B: Backoff = Backoff::new(BASE, CAP);

    #[test]
    fn the_ceiling_doubles_from_the_base_up_to_the_cap() {
        let ceilings: Vec<u128> = (0..9).map(|n| B.ceiling(n).as_millis()).collect();
        assert_eq!(
            ceilings,
            [200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000]
        );
        assert_eq!(B.ceiling(u32::MAX), CAP);
    }

    #[test]
    fn a_custom_multiplier_grows_the_ceiling_by_that_factor() {
        let triple = Backoff {
            multiplier: 3.0,
            ..Backoff::new(Duration::from_secs(1), Duration::from_secs(60))
        };
        let ceilings: Vec<u64> = (0..5).map(|n| triple.ceiling(n).as_secs()).collect();
        assert_eq!(ceilings, [1, 3, 9, 27, 60]);
        let flat = Backoff {
            multiplier: 0.5,
            ..B
        };
        assert_eq!(flat.ceiling(10), BASE, "a multiplier below 1 never shrinks");
    }

    #[test]
    fn full_jitter_scales_the_ceiling_by_the_drawn_unit() {
        assert_eq!(B.delay(0, 0.0), Duration::ZERO);
        assert_eq!(B.delay(0, 0.5), Duration::from_millis(100));
        assert_eq!(B.delay(3, 0.25), Duration::from_millis(400));
        assert_eq!(B.delay(60, 0.5), CAP / 2);
        assert!(B.delay(0, 0.999_999) < BASE);
    }

    #[test]
    fn out_of_range_units_never_exceed_the_ceiling() {
        assert_eq!(B.delay(0, 7.0), BASE);
        assert_eq!(B.delay(0, -1.0), Duration::ZERO);
        assert_eq!(B.delay(0, f64::NAN), Duration::ZERO);
        assert_eq!(B.delay(u32::MAX, f64::INFINITY), Duration::ZERO);
    }

    #[test]
    fn a_fixed_jitter_gives_the_same_delays_every_time() {
        let jitter = Jitter::fixed(0.5);
        let delays: Vec<u128> = (0..4)
            .map(|n| B.next_delay(n, &jitter).as_millis())
            .collect();
        assert_eq!(delays, [100, 200, 400, 800]);
    }

    #[test]
    fn a_sequence_jitter_repeats_its_values_in_order() {
        let jitter = Jitter::sequence([0.0, 1.0]);
        let drawn: Vec<f64> = (0..5).map(|_| jitter.draw()).collect();
        assert_eq!(drawn, [0.0, 1.0, 0.0, 1.0, 0.0]);
        assert_eq!(Jitter::sequence(Vec::new()).draw(), 0.5);
    }

    #[test]
    fn a_seeded_jitter_is_reproducible_and_in_the_unit_interval() {
        let a: Vec<f64> = {
            let j = Jitter::seeded(7);
            (0..100).map(|_| j.draw()).collect()
        };
        let b: Vec<f64> = {
            let j = Jitter::seeded(7);
            (0..100).map(|_| j.draw()).collect()
        };
        assert_eq!(a, b);
        assert!(a.iter().all(|u| (0.0..1.0).contains(u)));
        let c: Vec<f64> = {
            let j = Jitter::seeded(8);
            (0..100).map(|_| j.draw()).collect()
        };
        assert_ne!(a, c);
    }

    #[test]
    fn clones_of_a_jitter_share_one_source() {
        let jitter = Jitter::sequence([0.1, 0.2, 0.3]);
        let clone = jitter.clone();
        assert_eq!(jitter.draw(), 0.1);
        assert_eq!(clone.draw(), 0.2);
        assert_eq!(jitter.draw(), 0.3);
    }
}
