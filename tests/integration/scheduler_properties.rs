//! Invariants of the bucket scheduler under arbitrary sequences of operations.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use invsync::scheduler::{Action, BucketScheduler, SchedulerConfig};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Advance(u64),
    SetKeys(BTreeSet<u8>),
    Remove(u8),
    ScheduleNow(u8),
    ScheduleAll,
    Take(usize),
    Finish(u8, bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..400_000).prop_map(Op::Advance),
        proptest::collection::btree_set(0u8..6, 0..6).prop_map(Op::SetKeys),
        (0u8..6).prop_map(Op::Remove),
        (0u8..6).prop_map(Op::ScheduleNow),
        Just(Op::ScheduleAll),
        (0usize..4).prop_map(Op::Take),
        ((0u8..6), any::<bool>()).prop_map(|(k, ok)| Op::Finish(k, ok)),
    ]
}

proptest! {
    #[test]
    fn keys_are_never_handed_out_twice_removed_or_beyond_the_limit(
        ops in proptest::collection::vec(op(), 1..120),
        unit in 0.0f64..1.0,
    ) {
        let t0 = Instant::now();
        let mut now = t0;
        let mut s = BucketScheduler::new(SchedulerConfig::default(), move || unit);
        let mut keys: BTreeSet<u8> = BTreeSet::new();
        let mut running: BTreeSet<u8> = BTreeSet::new();
        for op in ops {
            match op {
                Op::Advance(ms) => now += Duration::from_millis(ms),
                Op::SetKeys(set) => {
                    s.set_keys(set.iter().copied(), now);
                    keys = set;
                }
                Op::Remove(k) => {
                    s.remove(&k);
                    keys.remove(&k);
                }
                Op::ScheduleNow(k) => {
                    prop_assert_eq!(s.schedule_now(&k), keys.contains(&k));
                }
                Op::ScheduleAll => s.schedule_all_now(),
                Op::Take(limit) => {
                    let before = s.in_flight_count();
                    let taken = s.take_due(now, limit);
                    for k in &taken {
                        prop_assert!(keys.contains(k), "removed key {} handed out", k);
                        prop_assert!(running.insert(*k), "key {} handed out twice", k);
                    }
                    prop_assert!(taken.is_empty() || before + taken.len() <= limit);
                }
                Op::Finish(k, ok) => {
                    let action = if ok { Action::Resync } else { Action::Backoff };
                    s.finish(&k, now, action);
                    running.remove(&k);
                }
            }
            prop_assert_eq!(s.in_flight_count(), running.len());
            prop_assert_eq!(s.keys().copied().collect::<BTreeSet<_>>(), keys.clone());
            if let Some(due) = s.next_due(now) {
                // A due time never lies further out than the longest delay the scheduler uses.
                prop_assert!(due <= now + Duration::from_secs(330));
            }
        }
    }
}
