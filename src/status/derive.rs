//! Conditions from a [`BucketSync`] and the delivery health of each configuration (pure:
//! the previous status, the revision and `now` come in). The table of situations is in the
//! module doc of [`super`].

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::condition::{ConditionStatus, ConditionType, Verdict, Verdicts, find};
use super::sync::{BucketSync, ConfigSync, Fault};
use super::time::rfc3339;
use super::view::{BucketStatus, ConfigStatus, DeliveryView};
use crate::model::{BucketKey, DeliveryHealth, DeliveryState, Readiness};
use crate::plan::OnceState;

/// The status of the bucket `key` from what its latest reconcile (or plan) found and the
/// delivery health known per configuration.
///
/// # Guarantees
/// - Pure. Every configuration of `sync` is listed, sorted by id, with `Ready`, `Reconciling`
///   and `Stalled` in that order; health of ids `sync` does not list is ignored.
/// - A condition keeps the `last_transition_time` of the same condition in `previous` while
///   its status stays ([`Verdicts::stamp`]); every condition carries `revision`.
pub fn derive(
    key: &BucketKey,
    sync: &BucketSync,
    health: &BTreeMap<String, DeliveryHealth>,
    previous: Option<&BucketStatus>,
    revision: &str,
    now: SystemTime,
) -> BucketStatus {
    let configurations: Vec<ConfigStatus> = sync
        .configs
        .iter()
        .map(|(id, state)| {
            let health = health.get(id);
            let before = previous
                .and_then(|p| p.configurations.iter().find(|c| &c.id == id))
                .map_or(&[][..], |c| &c.conditions[..]);
            ConfigStatus {
                id: id.clone(),
                conditions: config_verdicts(state, health).stamp(before, revision, now),
                delivery: health.map(DeliveryView::of),
            }
        })
        .collect();
    let before = previous.map_or(&[][..], |p| &p.conditions[..]);
    let conditions =
        bucket_verdicts(sync.fault.as_ref(), &configurations).stamp(before, revision, now);
    BucketStatus {
        provider: key.provider.as_str().to_string(),
        bucket: key.bucket.clone(),
        region: key.region.clone(),
        conditions,
        configurations,
    }
}

/// The verdicts of one configuration.
pub(crate) fn config_verdicts(sync: &ConfigSync, health: Option<&DeliveryHealth>) -> Verdicts {
    let quiet = |reason: &str| Verdict::not(reason, "");
    let working = |reason: &str, message: String| Verdicts {
        ready: Verdict::not(reason, message.clone()),
        reconciling: Verdict::holds(reason, message),
        stalled: quiet(reason),
    };
    let stuck = |reason: &str, message: String| Verdicts {
        ready: Verdict::not(reason, message.clone()),
        reconciling: quiet(reason),
        stalled: Verdict::holds(reason, message),
    };
    let idle = |ready: Verdict| Verdicts {
        reconciling: quiet(&ready.reason),
        stalled: quiet(&ready.reason),
        ready,
    };
    match sync {
        ConfigSync::InSync => delivery_verdicts(health),
        ConfigSync::Once(OnceState::Pending) => delivery_verdicts(health),
        ConfigSync::Drifted { action } => {
            working("Drifted", format!("differs from the manifests; {action} pending"))
        }
        ConfigSync::Held { action } => working(
            "Drifted",
            format!("differs from the manifests; {action} waits for the manifests to settle"),
        ),
        ConfigSync::Observed { action } => idle(Verdict::not(
            "DriftObserved",
            format!("differs from the manifests; observe mode, so the {action} is not made"),
        )),
        ConfigSync::Blocked {
            unmodelled,
            way_out,
        } => stuck(
            "BlockedByForeign",
            format!(
                "the live configuration holds what invsync does not model ({}); way out: {way_out}",
                unmodelled.join(", ")
            ),
        ),
        ConfigSync::Refused { reason } => stuck("PlanRefused", format!("plan refused: {reason}")),
        ConfigSync::Failed {
            reason,
            refused: true,
        } => stuck("WriteRefused", format!("the write was refused: {reason}")),
        ConfigSync::Failed {
            reason,
            refused: false,
        } => working(
            "RetryingAfterError",
            format!("the write failed; retrying with backoff: {reason}"),
        ),
        ConfigSync::NotConverging => stuck(
            "NotConverging",
            "written, but the provider keeps storing something else; not written again until the manifests change".into(),
        ),
        ConfigSync::Once(OnceState::PendingDifferent) => idle(Verdict::not(
            "OnceDiffers",
            OnceState::PendingDifferent.describe(),
        )),
        // Completed or never started look the same; either is what the manifest asks until
        // someone runs it, so it does not hold the bucket's readiness forever.
        ConfigSync::Once(OnceState::NotLive) => idle(Verdict::holds(
            "OnceNotLive",
            OnceState::NotLive.describe(),
        )),
        ConfigSync::Unread { reason } => idle(Verdict::unknown(
            "NotChecked",
            format!("live state could not be read: {reason}"),
        )),
    }
}

/// The verdicts of a configuration that matches its manifest: its delivery decides.
fn delivery_verdicts(health: Option<&DeliveryHealth>) -> Verdicts {
    let quiet = |reason: &str| Verdict::not(reason, "");
    let ready = match health {
        None => Verdict::holds("InSync", "matches the manifests"),
        Some(health) => match (&health.readiness, health.state) {
            (Readiness::NotReady { problem, fix }, _) => {
                let message = match fix {
                    Some(fix) => format!("destination not ready: {problem}; fix: add {fix}"),
                    None => format!("destination not ready: {problem}"),
                };
                return Verdicts {
                    ready: Verdict::not("DestinationNotReady", message.clone()),
                    reconciling: quiet("DestinationNotReady"),
                    stalled: Verdict::holds("DestinationNotReady", message),
                };
            }
            (_, DeliveryState::Invalid) => Verdict::not(
                "ReportInvalid",
                format!(
                    "the newest report is not trusted: {}",
                    problem_or(health, "its manifest failed validation")
                ),
            ),
            (_, DeliveryState::Overdue) => Verdict::not(
                "ReportOverdue",
                format!(
                    "report overdue{}: {}",
                    since(health),
                    problem_or(health, "no report arrived in time")
                ),
            ),
            (_, DeliveryState::Unknown) => Verdict::unknown(
                "ReportsNotChecked",
                problem_or(health, "the reports could not be looked at"),
            ),
            (_, DeliveryState::OnTime) => Verdict::holds(
                "Delivered",
                format!("in sync; delivered{}{}", since(health), due(health)),
            ),
            (Readiness::NotChecked { reason }, DeliveryState::Pending) => Verdict::unknown(
                "DestinationNotChecked",
                format!(
                    "in sync; no report yet and the destination could not be checked: {reason}"
                ),
            ),
            (Readiness::Ready, DeliveryState::Pending) => Verdict::holds(
                "AwaitingFirstReport",
                format!("in sync; destination ready, no report yet{}", due(health)),
            ),
        },
    };
    Verdicts {
        reconciling: quiet(&ready.reason),
        stalled: quiet(&ready.reason),
        ready,
    }
}

fn problem_or(health: &DeliveryHealth, default: &str) -> String {
    health
        .problem
        .clone()
        .unwrap_or_else(|| default.to_string())
}

/// ` (last at T)` / ` at T` wording for the newest valid report.
fn since(health: &DeliveryHealth) -> String {
    match (&health.last, health.state) {
        (Some(last), DeliveryState::OnTime) => format!(" at {}", rfc3339(last.made_at)),
        (Some(last), _) => format!(" (last delivered at {})", rfc3339(last.made_at)),
        (None, _) => " (never delivered)".to_string(),
    }
}

fn due(health: &DeliveryHealth) -> String {
    health
        .next_due
        .map(|t| format!("; next due by {}", rfc3339(t)))
        .unwrap_or_default()
}

/// The verdicts of a bucket: its own fault, else the worst of its configurations.
///
/// Stalled beats Reconciling beats Ready `False` beats Ready `Unknown`; the first
/// configuration by id in the worst state names the reason, its id prefixing the message.
pub(crate) fn bucket_verdicts(fault: Option<&Fault>, configs: &[ConfigStatus]) -> Verdicts {
    let quiet = |reason: &str| Verdict::not(reason, "");
    if let Some(fault) = fault {
        let message = fault.message.clone();
        return if fault.stalled {
            Verdicts {
                ready: Verdict::not(fault.reason, message.clone()),
                reconciling: quiet(fault.reason),
                stalled: Verdict::holds(fault.reason, message),
            }
        } else {
            Verdicts {
                ready: Verdict::not(fault.reason, message.clone()),
                reconciling: Verdict::holds(fault.reason, message),
                stalled: quiet(fault.reason),
            }
        };
    }
    let first = |type_: ConditionType, status: ConditionStatus| {
        configs.iter().find_map(|config| {
            find(&config.conditions, type_)
                .filter(|c| c.status == status)
                .map(|c| (c.reason.clone(), format!("{}: {}", config.id, c.message)))
        })
    };
    if let Some((reason, message)) = first(ConditionType::Stalled, ConditionStatus::True) {
        return Verdicts {
            ready: Verdict::not(reason.clone(), message.clone()),
            reconciling: quiet(&reason),
            stalled: Verdict::holds(reason, message),
        };
    }
    if let Some((reason, message)) = first(ConditionType::Reconciling, ConditionStatus::True) {
        return Verdicts {
            ready: Verdict::not(reason.clone(), message.clone()),
            reconciling: Verdict::holds(reason.clone(), message),
            stalled: quiet(&reason),
        };
    }
    let ready = if let Some((reason, message)) = first(ConditionType::Ready, ConditionStatus::False)
    {
        Verdict::not(reason, message)
    } else if let Some((reason, message)) = first(ConditionType::Ready, ConditionStatus::Unknown) {
        Verdict::unknown(reason, message)
    } else {
        Verdict::holds(
            "InSync",
            match configs.len() {
                1 => "1 configuration ready".to_string(),
                n => format!("{n} configurations ready"),
            },
        )
    };
    Verdicts {
        reconciling: quiet(&ready.reason),
        stalled: quiet(&ready.reason),
        ready,
    }
}
