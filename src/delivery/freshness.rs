//! Whether a configuration's reports arrive on time, from what was found. Pure.

use std::time::{Duration, SystemTime};

use super::newest::ReportLookup;
use crate::model::{DeliveryHealth, DeliveryState, Readiness, ReportSchedule};

/// How late a report may be before it is overdue: 48 hours, the delay AWS documents for a
/// first report ("up to 48 hours"), which also absorbs the providers' undocumented time of
/// day for later ones (`reference/reports.md` §3).
pub const DEFAULT_GRACE: Duration = Duration::from_secs(48 * 3600);

/// The health of one configuration: `readiness` as checked, and what `lookup` found for a
/// configuration with `schedule`, first seen by the checks at `first_seen`, as of `now`,
/// allowing `grace`.
///
/// # Guarantees
/// - A valid report: `next_due` = its time + period + grace; `OnTime` before it, `Overdue`
///   from it on. A one-off report (no period) is `OnTime` once delivered, with no `next_due`.
/// - No report: `Pending` until `first_seen` + period + grace (grace alone for a one-off),
///   which is `next_due`, then `Overdue`.
/// - An invalid newest report is `Invalid` with the reason and no `last` delivery: it is never
///   trusted, and an older one does not stand in for it.
/// - Reports that could not be looked at are `Unknown`.
pub fn freshness(
    readiness: Readiness,
    lookup: &ReportLookup,
    schedule: ReportSchedule,
    first_seen: SystemTime,
    now: SystemTime,
    grace: Duration,
) -> DeliveryHealth {
    let allowed = schedule.period().map_or(grace, |period| period + grace);
    let health = |state, last, next_due, problem| DeliveryHealth {
        readiness: readiness.clone(),
        state,
        last,
        next_due,
        problem,
    };
    match lookup {
        ReportLookup::Found(delivery) => match schedule.period() {
            None => health(DeliveryState::OnTime, Some(delivery.clone()), None, None),
            Some(_) => {
                let due = delivery.made_at + allowed;
                if now < due {
                    health(
                        DeliveryState::OnTime,
                        Some(delivery.clone()),
                        Some(due),
                        None,
                    )
                } else {
                    let problem = format!(
                        "the newest report ({}) is older than its schedule allows",
                        delivery.folder
                    );
                    health(
                        DeliveryState::Overdue,
                        Some(delivery.clone()),
                        Some(due),
                        Some(problem),
                    )
                }
            }
        },
        ReportLookup::NoReport => {
            let due = first_seen + allowed;
            if now < due {
                health(DeliveryState::Pending, None, Some(due), None)
            } else {
                let problem = match &readiness {
                    Readiness::NotReady { problem, .. } => {
                        format!("no report has arrived; destination not ready: {problem}")
                    }
                    _ => "no report has arrived since the configuration was first seen".to_string(),
                };
                health(DeliveryState::Overdue, None, Some(due), Some(problem))
            }
        }
        ReportLookup::Invalid {
            folder, problem, ..
        } => health(
            DeliveryState::Invalid,
            None,
            None,
            Some(format!(
                "the newest report ({folder}) is not trusted: {problem}"
            )),
        ),
        ReportLookup::Unreadable(why) => health(
            DeliveryState::Unknown,
            None,
            None,
            Some(format!("the reports could not be looked at: {why}")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Delivery;

    const DAY: Duration = Duration::from_secs(86_400);

    fn at(days: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + DAY * u32::try_from(days).unwrap()
    }

    fn daily() -> ReportSchedule {
        ReportSchedule::Every(DAY)
    }

    fn found(days: u64) -> ReportLookup {
        ReportLookup::Found(Delivery {
            folder: "f/".into(),
            made_at: at(days),
            files: 1,
        })
    }

    fn state(lookup: &ReportLookup, schedule: ReportSchedule, now: u64) -> DeliveryState {
        freshness(
            Readiness::Ready,
            lookup,
            schedule,
            at(100),
            at(now),
            DEFAULT_GRACE,
        )
        .state
    }

    #[test]
    fn a_report_is_on_time_until_period_and_grace_have_passed() {
        let health = freshness(
            Readiness::Ready,
            &found(200),
            daily(),
            at(100),
            at(202),
            DEFAULT_GRACE,
        );
        assert_eq!(health.state, DeliveryState::OnTime);
        assert_eq!(health.next_due, Some(at(203)));
        assert_eq!(state(&found(200), daily(), 203), DeliveryState::Overdue);
    }

    #[test]
    fn no_report_is_pending_then_overdue_from_first_seen() {
        assert_eq!(
            state(&ReportLookup::NoReport, daily(), 102),
            DeliveryState::Pending
        );
        assert_eq!(
            state(&ReportLookup::NoReport, daily(), 103),
            DeliveryState::Overdue
        );
        assert_eq!(
            state(&ReportLookup::NoReport, ReportSchedule::Once, 101),
            DeliveryState::Pending
        );
        assert_eq!(
            state(&ReportLookup::NoReport, ReportSchedule::Once, 102),
            DeliveryState::Overdue
        );
    }

    #[test]
    fn a_one_off_report_delivered_is_never_due_again() {
        let health = freshness(
            Readiness::Ready,
            &found(101),
            ReportSchedule::Once,
            at(100),
            at(900),
            DEFAULT_GRACE,
        );
        assert_eq!(
            (health.state, health.next_due),
            (DeliveryState::OnTime, None)
        );
    }

    #[test]
    fn an_overdue_report_of_a_destination_not_ready_says_why() {
        let readiness = Readiness::NotReady {
            problem: "no grant".into(),
            fix: None,
        };
        let health = freshness(
            readiness,
            &ReportLookup::NoReport,
            daily(),
            at(100),
            at(110),
            DEFAULT_GRACE,
        );
        assert_eq!(health.state, DeliveryState::Overdue);
        assert!(
            health
                .problem
                .unwrap()
                .contains("destination not ready: no grant")
        );
    }

    #[test]
    fn an_invalid_or_unreadable_report_is_reported_as_such() {
        let invalid = ReportLookup::Invalid {
            folder: "f/x/".into(),
            made_at: at(200),
            problem: "bad checksum".into(),
        };
        let health = freshness(
            Readiness::Ready,
            &invalid,
            daily(),
            at(100),
            at(200),
            DEFAULT_GRACE,
        );
        assert_eq!((health.state, health.last), (DeliveryState::Invalid, None));
        assert_eq!(
            state(&ReportLookup::Unreadable("403".into()), daily(), 200),
            DeliveryState::Unknown
        );
    }
}
