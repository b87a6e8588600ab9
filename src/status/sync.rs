//! What a reconcile or a plan says of a bucket and of each of its configurations, before any
//! delivery health is known: the input of [`super::derive`].

use std::collections::BTreeMap;

use crate::plan::{Action, BucketFailure, BucketPlan, OnceState};
use crate::provider::ErrorKind;
use crate::reconcile::{Applied, ReconcileError, Reconciled};

/// What the latest reconcile (or plan) says of one configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSync {
    /// The live configuration matches the manifest (written and confirmed, or already so).
    InSync,
    /// A write is pending (`action`: create, update, replace, delete).
    Drifted {
        /// The write the plan makes.
        action: &'static str,
    },
    /// A write waits for the manifests to settle or for a later policy wave.
    Held {
        /// The write that waits.
        action: &'static str,
    },
    /// The configuration differs, and its bucket or policy only observes: nothing is written.
    Observed {
        /// The write enforcing would make.
        action: &'static str,
    },
    /// The live configuration is foreign (holds what invsync does not model): hands off.
    Blocked {
        /// What invsync does not model.
        unmodelled: Vec<String>,
        /// How to unblock it.
        way_out: &'static str,
    },
    /// The bucket's plan is refused by the mass-delete limits.
    Refused {
        /// Which limit, and the flag that lifts it.
        reason: String,
    },
    /// Its write failed.
    Failed {
        /// The provider's error, on one line.
        reason: String,
        /// The provider refused the request (403, invalid): retrying alone will not help.
        refused: bool,
    },
    /// Written, but the provider keeps storing something else.
    NotConverging,
    /// A declared `Once` configuration this run leaves alone.
    Once(OnceState),
    /// Live state could not be read: nothing is known of it.
    Unread {
        /// Why, on one line.
        reason: String,
    },
}

/// Why a bucket's latest reconcile did not succeed, as status shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// CamelCase reason: `RetryingAfterError`, `BucketNotFound`, `RequestRefused`,
    /// `PlanRefused`, `NotConverging`, `ListFailed`.
    pub reason: &'static str,
    /// The error on one line.
    pub message: String,
    /// A person has to act: the daemon stops retrying on its own (see
    /// [`crate::reconcile::error_policy`]).
    pub stalled: bool,
}

/// What the latest reconcile (or plan) says of one bucket.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BucketSync {
    /// Why it did not succeed; `None` when it did.
    pub fault: Option<Fault>,
    /// Every configuration it knows of, by id: declared ones, blocked foreign ones and
    /// undeclared ones about to be deleted (unmanaged ones are not invsync's and not listed).
    pub configs: BTreeMap<String, ConfigSync>,
}

impl BucketSync {
    /// What a plan says before anything is written: its changes are pending (observed in
    /// observe mode, refused when the plan is).
    pub fn from_plan(plan: &BucketPlan) -> BucketSync {
        let pending = |action: Action| match (&plan.refusal, plan.observe) {
            (Some(refusal), _) => ConfigSync::Refused {
                reason: refusal.reason.clone(),
            },
            (None, true) => ConfigSync::Observed {
                action: action.as_str(),
            },
            (None, false) => ConfigSync::Drifted {
                action: action.as_str(),
            },
        };
        let mut sync = BucketSync::settled(plan);
        for change in &plan.changes {
            sync.configs
                .insert(change.id.clone(), pending(change.action));
        }
        if let Some(refusal) = &plan.refusal {
            sync.fault = Some(Fault {
                reason: "PlanRefused",
                message: refusal.reason.clone(),
                stalled: true,
            });
        }
        sync
    }

    /// A bucket `plan` could not read.
    pub fn from_failure(failure: &BucketFailure) -> BucketSync {
        BucketSync {
            fault: Some(Fault {
                reason: if failure.gone {
                    "BucketNotFound"
                } else {
                    "ListFailed"
                },
                message: failure.message.clone(),
                stalled: false,
            }),
            configs: BTreeMap::new(),
        }
    }

    /// What a reconcile did. `known` are the configuration ids status listed before, kept
    /// (as [`ConfigSync::Unread`]) when live state could not be read this time.
    pub fn from_reconciled<'a>(
        reconciled: &Reconciled,
        known: impl IntoIterator<Item = &'a String>,
    ) -> BucketSync {
        let fault = reconciled.result.as_ref().err().map(fault);
        let Some(plan) = &reconciled.plan else {
            let reason = fault
                .as_ref()
                .map_or_else(String::new, |f| f.message.clone());
            return BucketSync {
                configs: known
                    .into_iter()
                    .map(|id| {
                        let reason = reason.clone();
                        (id.clone(), ConfigSync::Unread { reason })
                    })
                    .collect(),
                fault,
            };
        };
        let mut sync = BucketSync::settled(plan);
        let written: Vec<&str> = reconciled.written.iter().map(|c| c.id.as_str()).collect();
        for change in &plan.changes {
            let action = change.action.as_str();
            let failed = reconciled.failures.iter().find(|(c, _)| c.id == change.id);
            let state = match (&reconciled.result, failed) {
                (_, Some((_, error))) => ConfigSync::Failed {
                    reason: crate::error_chain::Chain(error.as_ref()).to_string(),
                    refused: is_refusal(error.kind()),
                },
                (Err(ReconcileError::PerpetualDiff { ids }), _) if ids.contains(&change.id) => {
                    ConfigSync::NotConverging
                }
                (Err(ReconcileError::PlanRefused { reason }), _) => ConfigSync::Refused {
                    reason: reason.clone(),
                },
                _ if written.contains(&change.id.as_str()) => ConfigSync::InSync,
                (Ok(Applied::Converged | Applied::InSync), _) => ConfigSync::InSync,
                (Ok(Applied::Observed(_)), _) => ConfigSync::Observed { action },
                (Ok(Applied::Held(_)), _) => ConfigSync::Held { action },
                (Err(error), _) => ConfigSync::Failed {
                    reason: error.reason(),
                    refused: false,
                },
            };
            sync.configs.insert(change.id.clone(), state);
        }
        sync.fault = fault;
        sync
    }

    /// The configurations whose state a plan settles without writing: in sync, observed by
    /// a policy, blocked, `Once`.
    fn settled(plan: &BucketPlan) -> BucketSync {
        let mut configs = BTreeMap::new();
        for id in &plan.in_sync {
            configs.insert(id.clone(), ConfigSync::InSync);
        }
        for change in &plan.observed {
            let action = change.action.as_str();
            configs.insert(change.id.clone(), ConfigSync::Observed { action });
        }
        for blocked in &plan.blocked {
            configs.insert(
                blocked.id.clone(),
                ConfigSync::Blocked {
                    unmodelled: blocked.unmodelled.clone(),
                    way_out: blocked.way_out(),
                },
            );
        }
        for once in &plan.once {
            configs.insert(once.id.clone(), ConfigSync::Once(once.state));
        }
        BucketSync {
            fault: None,
            configs,
        }
    }
}

/// Provider error kinds that retrying alone does not fix; the daemon stops retrying them
/// after a few tries ([`crate::reconcile::error_policy`]).
fn is_refusal(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::PermissionDenied | ErrorKind::InvalidRequest | ErrorKind::Configuration
    )
}

/// A reconcile error as status shows it.
fn fault(error: &ReconcileError) -> Fault {
    let (reason, stalled) = match error {
        ReconcileError::PlanRefused { .. } => ("PlanRefused", true),
        ReconcileError::PerpetualDiff { .. } => ("NotConverging", true),
        _ if error.is_missing_bucket() => ("BucketNotFound", false),
        _ if error.kind().is_some_and(is_refusal) => ("RequestRefused", true),
        _ => ("RetryingAfterError", false),
    };
    Fault {
        reason,
        message: error.reason(),
        stalled,
    }
}
