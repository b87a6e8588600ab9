//! Report destinations as a plan shows them: whether each declared configuration's destination
//! lets the inventory service write its reports, read before anything is written.

use crate::model::{BucketKey, Readiness};

/// The readiness of one configuration's report destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationFinding {
    /// The source bucket.
    pub key: BucketKey,
    /// The configuration id.
    pub id: String,
    /// What the destination's read-only checks found.
    pub readiness: Readiness,
}

impl DestinationFinding {
    /// `ready`, `not_ready` or `not_checked`, as JSON plans and status documents write it.
    pub fn state(&self) -> &'static str {
        match self.readiness {
            Readiness::Ready => "ready",
            Readiness::NotReady { .. } => "not_ready",
            Readiness::NotChecked { .. } => "not_checked",
        }
    }

    /// The plan line after the configuration's name: `destination not ready: …` or
    /// `destination not checked: …`; `None` when ready.
    pub fn headline(&self) -> Option<String> {
        match &self.readiness {
            Readiness::Ready => None,
            Readiness::NotReady { problem, .. } => {
                Some(format!("destination not ready: {problem}"))
            }
            Readiness::NotChecked { reason } => Some(format!("destination not checked: {reason}")),
        }
    }

    /// What to add or change, when the check could say.
    pub fn fix(&self) -> Option<&str> {
        match &self.readiness {
            Readiness::NotReady { fix, .. } => fix.as_deref(),
            _ => None,
        }
    }
}

/// Counts of a plan's destination findings: `(not ready, not checked)`.
pub fn counts(findings: &[DestinationFinding]) -> (usize, usize) {
    findings
        .iter()
        .fold((0, 0), |(bad, unknown), f| match f.readiness {
            Readiness::Ready => (bad, unknown),
            Readiness::NotReady { .. } => (bad + 1, unknown),
            Readiness::NotChecked { .. } => (bad, unknown + 1),
        })
}
