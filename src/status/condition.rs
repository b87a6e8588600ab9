//! One kstatus condition (`Ready`, `Reconciling`, `Stalled`) and how a new one keeps the
//! transition time of the one it replaces.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// The three condition types of kstatus (sigs.k8s.io/cli-utils `pkg/kstatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConditionType {
    /// Normal-true: the object is current and healthy.
    Ready,
    /// Abnormal-true: the controller is working towards the declared state.
    Reconciling,
    /// Abnormal-true: the controller cannot make progress without a person.
    Stalled,
}

impl ConditionType {
    /// Every type, in the order status lists them.
    pub const ALL: [ConditionType; 3] = [
        ConditionType::Ready,
        ConditionType::Reconciling,
        ConditionType::Stalled,
    ];
}

/// A condition's status, spelled as Kubernetes spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConditionStatus {
    /// The condition holds.
    True,
    /// The condition does not hold.
    False,
    /// Not known: what decides it could not be checked.
    Unknown,
}

/// One condition of a bucket or a configuration, as `/status` serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Which condition.
    #[serde(rename = "type")]
    pub type_: ConditionType,
    /// Whether it holds.
    pub status: ConditionStatus,
    /// Why, in CamelCase (`InSync`, `Drifted`, `DestinationNotReady`, …).
    pub reason: String,
    /// Why, for people; for a destination not ready, the fix.
    pub message: String,
    /// When `status` last changed.
    #[serde(with = "rfc3339_serde")]
    pub last_transition_time: SystemTime,
    /// The manifests revision this was observed at.
    pub observed_revision: String,
}

/// A condition before it is stamped: what derivation decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub(crate) status: ConditionStatus,
    pub(crate) reason: String,
    pub(crate) message: String,
}

impl Verdict {
    pub(crate) fn new(
        status: ConditionStatus,
        reason: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Verdict {
            status,
            reason: reason.into(),
            message: message.into(),
        }
    }

    /// A `False` verdict: the condition does not hold, for `reason`.
    pub(crate) fn not(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Verdict::new(ConditionStatus::False, reason, message)
    }

    /// A `True` verdict.
    pub(crate) fn holds(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Verdict::new(ConditionStatus::True, reason, message)
    }

    /// An `Unknown` verdict.
    pub(crate) fn unknown(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Verdict::new(ConditionStatus::Unknown, reason, message)
    }
}

/// The three verdicts of one object, in [`ConditionType::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdicts {
    pub(crate) ready: Verdict,
    pub(crate) reconciling: Verdict,
    pub(crate) stalled: Verdict,
}

impl Verdicts {
    /// Stamps the verdicts as conditions at `revision`.
    ///
    /// # Guarantees
    /// A condition whose status equals the one of the same type in `previous` keeps that
    /// one's `last_transition_time`; any other gets `now`. Reasons and messages always come
    /// from the verdict.
    pub(crate) fn stamp(
        self,
        previous: &[Condition],
        revision: &str,
        now: SystemTime,
    ) -> Vec<Condition> {
        let pairs = [
            (ConditionType::Ready, self.ready),
            (ConditionType::Reconciling, self.reconciling),
            (ConditionType::Stalled, self.stalled),
        ];
        pairs
            .into_iter()
            .map(|(type_, verdict)| {
                let last_transition_time = previous
                    .iter()
                    .find(|c| c.type_ == type_ && c.status == verdict.status)
                    .map_or(now, |c| c.last_transition_time);
                Condition {
                    type_,
                    status: verdict.status,
                    reason: verdict.reason,
                    message: verdict.message,
                    last_transition_time,
                    observed_revision: revision.to_string(),
                }
            })
            .collect()
    }
}

/// The condition of `type_` in `conditions`, if listed.
pub fn find(conditions: &[Condition], type_: ConditionType) -> Option<&Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// `SystemTime` as RFC 3339 in JSON.
pub(crate) mod rfc3339_serde {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::super::time::{parse_rfc3339, rfc3339};

    pub(crate) fn serialize<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&rfc3339(*time))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        let text = String::deserialize(d)?;
        parse_rfc3339(&text)
            .ok_or_else(|| serde::de::Error::custom("not an RFC 3339 UTC time (…Z)"))
    }
}

/// `Option<SystemTime>` as RFC 3339 or `null` in JSON.
pub(crate) mod rfc3339_opt {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::super::time::{parse_rfc3339, rfc3339};

    pub(crate) fn serialize<S: Serializer>(
        time: &Option<SystemTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => s.serialize_str(&rfc3339(*time)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<SystemTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse_rfc3339(&text)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("not an RFC 3339 UTC time (…Z)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn verdicts(ready: ConditionStatus) -> Verdicts {
        Verdicts {
            ready: Verdict::new(ready, "InSync", "ok"),
            reconciling: Verdict::not("InSync", ""),
            stalled: Verdict::not("InSync", ""),
        }
    }

    #[test]
    fn a_condition_keeps_its_transition_time_while_its_status_stays() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        let t1 = t0 + Duration::from_secs(60);
        let first = verdicts(ConditionStatus::True).stamp(&[], "r1", t0);
        let second = verdicts(ConditionStatus::True).stamp(&first, "r2", t1);
        assert_eq!(second[0].last_transition_time, t0);
        assert_eq!(second[0].observed_revision, "r2");
    }

    #[test]
    fn a_condition_whose_status_changes_is_stamped_now() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        let t1 = t0 + Duration::from_secs(60);
        let first = verdicts(ConditionStatus::True).stamp(&[], "r1", t0);
        let second = verdicts(ConditionStatus::False).stamp(&first, "r1", t1);
        assert_eq!(second[0].last_transition_time, t1);
        assert_eq!(
            second[1].last_transition_time, t0,
            "Reconciling stayed False"
        );
    }

    #[test]
    fn conditions_serialize_as_kubernetes_spells_them() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_686_670);
        let conditions = verdicts(ConditionStatus::True).stamp(&[], "abc", t0);
        let json = serde_json::to_value(&conditions[0]).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({
                "type": "Ready", "status": "True", "reason": "InSync", "message": "ok",
                "lastTransitionTime": "2026-12-07T23:37:50Z", "observedRevision": "abc"
            })
        );
        let back: Condition = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, conditions[0]);
    }
}
