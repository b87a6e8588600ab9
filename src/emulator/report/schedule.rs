//! When a configuration's reports are due: the newest scheduled time in a window. Pure.
//!
//! Daily: every day 00:00 UTC. Weekly: every Sunday 00:00 UTC (S3's documented day, used for
//! every provider). Monthly: day N 00:00 UTC, clamped to the month's last day. Once: the first
//! 00:00 UTC after the configuration was first seen.

use crate::emulator::dialect::Schedule;
use crate::provider::kit::civil::{civil_from_days, days_from_civil};

const DAY: u64 = 86_400;

/// The newest time of `schedule` in `(after, until]`, seconds since the epoch; `None` when
/// none falls in it. `since` is when the configuration was first seen (for `Once`).
pub(crate) fn newest_due(schedule: Schedule, since: u64, after: u64, until: u64) -> Option<u64> {
    if until <= after {
        return None;
    }
    let midnight = until - until % DAY;
    let candidate = match schedule {
        Schedule::Daily => midnight,
        Schedule::Weekly => {
            // 1970-01-01 was a Thursday: day 3 of a week starting Sunday is day 0.
            let days = midnight / DAY;
            let since_sunday = (days + 4) % 7;
            midnight - since_sunday * DAY
        }
        Schedule::Monthly(day) => monthly_at_or_before(until, day),
        Schedule::Once => {
            let first = since - since % DAY + DAY;
            if first <= until { first } else { return None }
        }
    };
    (candidate > after && candidate <= until).then_some(candidate)
}

/// The newest "day `day` of a month, 00:00 UTC" at or before `until`.
fn monthly_at_or_before(until: u64, day: u32) -> u64 {
    let (year, month, _) = civil_from_days((until / DAY) as i64);
    let this = month_day(year, month, day);
    if this <= until {
        return this;
    }
    let (year, month) = if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    month_day(year, month, day)
}

fn month_day(year: i64, month: u32, day: u32) -> u64 {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let last = days_from_civil(next_year, next_month, 1) - days_from_civil(year, month, 1);
    let day = i64::from(day.max(1)).min(last);
    let days = days_from_civil(year, month, 1) + day - 1;
    u64::try_from(days).unwrap_or(0) * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-08T12:00:00Z, a Tuesday.
    const TUE_NOON: u64 = 1_796_731_200;

    #[test]
    fn daily_is_due_at_the_last_midnight_only_once() {
        let midnight = TUE_NOON - 12 * 3600;
        assert_eq!(
            newest_due(Schedule::Daily, 0, midnight - 1, TUE_NOON),
            Some(midnight)
        );
        assert_eq!(newest_due(Schedule::Daily, 0, midnight, TUE_NOON), None);
    }

    #[test]
    fn weekly_is_due_on_sunday() {
        let sunday = TUE_NOON - 12 * 3600 - 2 * DAY;
        assert_eq!(newest_due(Schedule::Weekly, 0, 0, TUE_NOON), Some(sunday));
    }

    #[test]
    fn monthly_clamps_to_the_last_day_and_falls_back_a_month() {
        // On 2026-12-08 the 31st is not yet reached: November has 30 days.
        let nov_30 = u64::try_from(days_from_civil(2026, 11, 30)).unwrap() * DAY;
        assert_eq!(
            newest_due(Schedule::Monthly(31), 0, 0, TUE_NOON),
            Some(nov_30)
        );
    }

    #[test]
    fn once_is_due_at_the_first_midnight_after_it_was_seen() {
        let next = TUE_NOON - 12 * 3600 + DAY;
        assert_eq!(
            newest_due(Schedule::Once, TUE_NOON, TUE_NOON, TUE_NOON + 3600),
            None
        );
        assert_eq!(
            newest_due(Schedule::Once, TUE_NOON, TUE_NOON, next),
            Some(next)
        );
    }
}
