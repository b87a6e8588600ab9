//! Behaviour of the bucket scheduler under a fake clock and a scripted random source.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use invsync::scheduler::{Action, BucketScheduler, SchedulerConfig};

const SEC: Duration = Duration::from_secs(1);

fn config() -> SchedulerConfig {
    SchedulerConfig {
        resync_interval: Duration::from_secs(100),
        jitter: 0.10,
        backoff_base: SEC,
        backoff_cap: Duration::from_secs(300),
    }
}

/// A scheduler whose random source always returns `unit`.
fn scheduler(unit: f64) -> BucketScheduler<&'static str> {
    BucketScheduler::new(config(), move || unit)
}

/// Runs one reconcile of `key` at `now` ending with `action`; panics if it is not handed out.
fn run_once(
    s: &mut BucketScheduler<&'static str>,
    key: &'static str,
    now: Instant,
    action: Action,
) {
    let taken = s.take_due(now, 10);
    assert!(taken.contains(&key), "{key} not due at {now:?}: {taken:?}");
    s.finish(&key, now, action);
}

#[test]
fn new_keys_are_due_immediately_in_key_order() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["b", "a", "c"], t0);
    assert_eq!(s.next_due(t0), Some(t0));
    assert_eq!(s.take_due(t0, 10), vec!["a", "b", "c"]);
}

#[test]
fn an_empty_scheduler_has_nothing_due() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    assert!(s.is_empty());
    assert_eq!(s.next_due(t0), None);
    assert!(s.take_due(t0, 10).is_empty());
}

#[test]
fn a_key_in_flight_is_never_handed_out_twice() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    assert_eq!(s.take_due(t0, 10), vec!["a"]);
    assert!(s.is_in_flight(&"a"));
    s.schedule_now(&"a");
    s.schedule_all_now();
    for later in [t0, t0 + SEC, t0 + Duration::from_secs(10_000)] {
        assert!(s.take_due(later, 10).is_empty());
    }
    assert_eq!(s.next_due(t0), None, "an in-flight key is not due");
}

#[test]
fn a_key_forced_while_in_flight_runs_again_right_after_it_finishes() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    s.take_due(t0, 10);
    assert!(s.schedule_now(&"a"));
    let t1 = t0 + 3 * SEC;
    s.finish(&"a", t1, Action::Resync);
    assert_eq!(s.next_due(t1), Some(t1));
    assert_eq!(s.take_due(t1, 10), vec!["a"]);
}

#[test]
fn a_key_forced_while_in_flight_runs_again_even_after_a_failure() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    s.take_due(t0, 10);
    s.schedule_all_now();
    s.finish(&"a", t0, Action::Backoff);
    assert_eq!(s.take_due(t0, 10), vec!["a"]);
}

#[test]
fn success_schedules_the_next_resync_after_the_jittered_interval() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    run_once(&mut s, "a", t0, Action::Resync);
    let due = t0 + Duration::from_secs(100);
    assert_eq!(s.next_due(t0), Some(due));
    assert!(s.take_due(due - Duration::from_millis(1), 10).is_empty());
    assert_eq!(s.take_due(due, 10), vec!["a"]);
}

#[test]
fn jitter_stays_within_ten_percent_of_the_interval() {
    let c = config();
    assert_eq!(c.jittered_interval(0.0), Duration::from_secs(90));
    assert_eq!(c.jittered_interval(0.5), Duration::from_secs(100));
    assert!(c.jittered_interval(0.999_999) < Duration::from_secs(110));
    assert!(c.jittered_interval(0.999_999) > Duration::from_secs(109));
    // Out-of-range values from a faulty source are clamped, never outside the bounds.
    assert_eq!(c.jittered_interval(-3.0), Duration::from_secs(90));
    assert_eq!(c.jittered_interval(7.0), Duration::from_secs(110));
}

#[test]
fn resync_delays_follow_the_injected_random_source() {
    let t0 = Instant::now();
    let draws = Arc::new(Mutex::new(vec![0.0, 0.25, 0.75]));
    let source = Arc::clone(&draws);
    let mut s = BucketScheduler::new(config(), move || source.lock().unwrap().remove(0));
    s.set_keys(["a", "b", "c"], t0);
    for key in s.take_due(t0, 10) {
        s.finish(&key, t0, Action::Resync);
    }
    assert!(draws.lock().unwrap().is_empty());
    let expected = [("a", 90), ("b", 95), ("c", 105)];
    for (key, secs) in expected {
        let at = t0 + Duration::from_secs(secs);
        assert_eq!(s.take_due(at, 10), vec![key], "at +{secs}s");
    }
}

#[test]
fn failures_back_off_exponentially_from_one_second() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    let mut now = t0;
    for (failures, expected) in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16)] {
        run_once(&mut s, "a", now, Action::Backoff);
        assert_eq!(s.failures(&"a"), Some(failures));
        let due = now + Duration::from_secs(expected);
        assert_eq!(s.next_due(now), Some(due), "after {failures} failures");
        assert!(s.take_due(due - Duration::from_millis(1), 10).is_empty());
        now = due;
    }
}

#[test]
fn backoff_is_capped_at_five_minutes() {
    let c = SchedulerConfig::default();
    assert_eq!(c.backoff(1), Duration::from_secs(1));
    assert_eq!(c.backoff(9), Duration::from_secs(256));
    assert_eq!(c.backoff(10), Duration::from_secs(300));
    assert_eq!(c.backoff(64), Duration::from_secs(300));
    assert_eq!(c.backoff(u32::MAX), Duration::from_secs(300));
}

#[test]
fn backoff_is_capped_through_the_scheduler_too() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    let mut now = t0;
    for _ in 0..40 {
        run_once(&mut s, "a", now, Action::Backoff);
        now = s.next_due(now).unwrap();
    }
    let before = now;
    run_once(&mut s, "a", now, Action::Backoff);
    assert_eq!(s.next_due(before), Some(before + Duration::from_secs(300)));
}

#[test]
fn success_resets_the_failure_count_and_backoff() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    let mut now = t0;
    for _ in 0..4 {
        run_once(&mut s, "a", now, Action::Backoff);
        now = s.next_due(now).unwrap();
    }
    run_once(&mut s, "a", now, Action::Resync);
    assert_eq!(s.failures(&"a"), Some(0));
    assert_eq!(s.next_due(now), Some(now + Duration::from_secs(100)));
    now += Duration::from_secs(100);
    run_once(&mut s, "a", now, Action::Backoff);
    assert_eq!(
        s.next_due(now),
        Some(now + SEC),
        "backoff starts over at the base"
    );
}

#[test]
fn a_forced_run_overrides_a_pending_backoff() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    let mut now = t0;
    for _ in 0..8 {
        run_once(&mut s, "a", now, Action::Backoff);
        now = s.next_due(now).unwrap();
    }
    run_once(&mut s, "a", now, Action::Backoff);
    assert!(s.take_due(now, 10).is_empty());
    s.schedule_now(&"a");
    assert_eq!(s.take_due(now, 10), vec!["a"]);
    assert_eq!(
        s.failures(&"a"),
        Some(9),
        "forcing does not forget the failures"
    );
}

#[test]
fn take_due_respects_the_concurrency_limit_including_running_keys() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a", "b", "c", "d", "e"], t0);
    assert_eq!(s.take_due(t0, 2), vec!["a", "b"]);
    assert!(s.take_due(t0, 2).is_empty(), "two already in flight");
    assert_eq!(s.in_flight_count(), 2);
    s.finish(&"a", t0, Action::Resync);
    assert_eq!(s.take_due(t0, 2), vec!["c"]);
    assert!(s.take_due(t0, 0).is_empty());
}

#[test]
fn take_due_hands_out_the_most_overdue_keys_first() {
    let t0 = Instant::now();
    let draws = Arc::new(Mutex::new(vec![0.9, 0.1]));
    let source = Arc::clone(&draws);
    let mut s = BucketScheduler::new(config(), move || source.lock().unwrap().remove(0));
    s.set_keys(["a", "b"], t0);
    s.take_due(t0, 10);
    s.finish(&"a", t0, Action::Resync); // due at +108 s
    s.finish(&"b", t0, Action::Resync); // due at +92 s
    assert_eq!(s.take_due(t0 + Duration::from_secs(200), 1), vec!["b"]);
}

#[test]
fn removed_keys_are_never_handed_out() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a", "b"], t0);
    s.remove(&"a");
    assert!(!s.schedule_now(&"a"));
    s.schedule_all_now();
    assert_eq!(s.take_due(t0 + Duration::from_secs(1000), 10), vec!["b"]);
    assert_eq!(s.failures(&"a"), None);
    assert_eq!(s.keys().copied().collect::<Vec<_>>(), vec!["b"]);
}

#[test]
fn a_key_removed_while_in_flight_is_dropped_when_it_finishes() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    s.take_due(t0, 10);
    s.set_keys(Vec::<&str>::new(), t0);
    assert!(s.is_empty());
    assert_eq!(s.in_flight_count(), 1, "its reconcile still runs");
    s.schedule_all_now();
    s.finish(&"a", t0, Action::Resync);
    assert_eq!(s.in_flight_count(), 0);
    assert!(s.take_due(t0 + Duration::from_secs(1000), 10).is_empty());
    assert_eq!(s.next_due(t0), None);
}

#[test]
fn a_key_re_added_while_its_old_run_is_in_flight_waits_for_it() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    s.take_due(t0, 10);
    s.remove(&"a");
    s.set_keys(["a"], t0);
    assert!(s.take_due(t0, 10).is_empty(), "old run still in flight");
    s.finish(&"a", t0, Action::Resync);
    assert_eq!(
        s.take_due(t0, 10),
        vec!["a"],
        "re-added key runs right after"
    );
}

#[test]
fn set_keys_keeps_the_state_of_existing_keys() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    run_once(&mut s, "a", t0, Action::Backoff);
    s.set_keys(["a", "b"], t0);
    assert_eq!(s.take_due(t0, 10), vec!["b"], "a keeps its backoff");
    assert_eq!(s.failures(&"a"), Some(1));
    assert_eq!(s.len(), 2);
}

#[test]
fn finishing_a_key_that_is_not_in_flight_changes_nothing() {
    let t0 = Instant::now();
    let mut s = scheduler(0.5);
    s.set_keys(["a"], t0);
    s.finish(&"a", t0, Action::Backoff);
    s.finish(&"zz", t0, Action::Backoff);
    assert_eq!(s.failures(&"a"), Some(0));
    assert_eq!(s.take_due(t0, 10), vec!["a"]);
}

#[test]
fn next_due_reports_now_for_forced_keys_and_the_earliest_time_otherwise() {
    let t0 = Instant::now();
    let mut s = scheduler(0.0);
    s.set_keys(["a", "b"], t0);
    for key in s.take_due(t0, 10) {
        s.finish(&key, t0, Action::Resync);
    }
    let later = t0 + Duration::from_secs(5);
    assert_eq!(s.next_due(later), Some(t0 + Duration::from_secs(90)));
    s.schedule_now(&"b");
    assert_eq!(s.next_due(later), Some(later));
    assert_eq!(s.take_due(later, 10), vec!["b"]);
}
