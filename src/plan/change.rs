//! One planned write to one inventory configuration, and its unified diff.

use std::fmt;

use serde::Serialize;
use similar::TextDiff;

use crate::manifest::from_model::inventory_yaml;
use crate::model::{BucketKey, ForeignConfig, Inventory};

/// Lines of unchanged context around each hunk of a diff.
const DIFF_CONTEXT_LINES: usize = 3;

/// What a change does to the live configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Declared, not live: PUT it.
    Create,
    /// COS, declared and live but different: PUT, which replaces the whole configuration.
    Update,
    /// OSS, declared and live but different: DELETE then PUT, because OSS PUT is create-only.
    Replace,
    /// Live, undeclared, and the bucket prunes: DELETE it.
    Delete,
}

impl Action {
    /// The lowercase name used in JSON plans and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One planned write.
///
/// `before` is the normalized live configuration (`None` for a create), `after` the normalized
/// desired one (`None` for a delete); both are `Some` for an update or a replace, except when
/// the live configuration is foreign and the manifest opted in to overwrite it: then `before`
/// is `None` and `overwrites` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The write: create, update, replace or delete.
    pub action: Action,
    /// The bucket written to.
    pub key: BucketKey,
    /// The inventory configuration's id.
    pub id: String,
    /// The normalized live configuration; `None` for a create or an overwrite of a foreign one.
    pub before: Option<Inventory>,
    /// The normalized desired configuration; `None` for a delete.
    pub after: Option<Inventory>,
    /// The foreign live configuration this update or replace overwrites (`overwriteForeign`).
    pub overwrites: Option<ForeignConfig>,
}

/// A foreign live configuration that a change would have touched, held back (design §3a).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// The bucket.
    pub key: BucketKey,
    /// The foreign configuration's id.
    pub id: String,
    /// The write held back: an update or replace of a declared configuration, or the delete
    /// of an undeclared one on a bucket that prunes.
    pub held_back: Action,
    /// What invsync does not model, e.g. `Schedule/Frequency=Hourly`, `IncrementalInventory`.
    pub unmodelled: Vec<String>,
    /// The live configuration, verbatim.
    pub raw_xml: String,
}

impl Blocked {
    /// What the user can do about it, as one sentence.
    pub fn way_out(&self) -> &'static str {
        match self.held_back {
            Action::Delete => {
                "upgrade invsync to a version that models it, or declare it in the manifest, \
                 or delete it by hand"
            }
            _ => {
                "upgrade invsync to a version that models it, or set `overwriteForeign: true` \
                 on this configuration in the manifest to let the manifest win (what invsync \
                 does not model is then lost)"
            }
        }
    }
}

impl Change {
    /// Unified diff (3 lines of context) of the manifest YAML of `before` against `after`,
    /// headed `--- live` / `+++ desired`.
    ///
    /// A create shows the whole desired document as added lines, a delete the whole live
    /// document as removed lines. Empty when both sides render identically.
    pub fn diff(&self) -> String {
        let before = match (&self.before, &self.overwrites) {
            (Some(before), _) => inventory_yaml(before),
            (None, Some(foreign)) => format!(
                "# foreign, not modelled: {}\n{}\n",
                foreign.unmodelled.join(", "),
                foreign.raw_xml
            ),
            (None, None) => String::new(),
        };
        let after = self.after.as_ref().map(inventory_yaml).unwrap_or_default();
        if before == after {
            return String::new();
        }
        TextDiff::from_lines(&before, &after)
            .unified_diff()
            .context_radius(DIFF_CONTEXT_LINES)
            .header("live", "desired")
            .to_string()
    }
}

/// Where a declared `Once` configuration stands when the run does not start it.
///
/// invsync keeps no state, so it cannot tell a `Once` configuration that ran and deleted itself
/// (`autoDelete`) from one that never ran: either way it is not live, and only an explicit
/// `apply --run-once ID` creates it. This is what makes a daemon restart unable to run one again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnceState {
    /// Live: waiting for its run, or kept after it (without `autoDelete`).
    Pending,
    /// Live but different from the declaration; not rewritten, as that would run it again.
    PendingDifferent,
    /// Not live: it ran (and deleted itself), or it was never started.
    NotLive,
}

impl OnceState {
    /// The phrase plans use.
    pub fn describe(self) -> &'static str {
        match self {
            OnceState::Pending => "pending (live; runs once)",
            OnceState::PendingDifferent => {
                "pending, but the live configuration differs from the manifest (not rewritten: that would run it again)"
            }
            OnceState::NotLive => {
                "not live: completed, or never started (`invsync apply --run-once ID` starts it)"
            }
        }
    }
}

/// A declared `Once` configuration the run left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnceStatus {
    /// The bucket.
    pub key: BucketKey,
    /// The `Once` configuration's id.
    pub id: String,
    /// Whether it is live as declared, live but different, or not live.
    pub state: OnceState,
}
