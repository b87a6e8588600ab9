//! Why a bucket's reconcile did not succeed, and the one policy that decides what happens next.
//!
//! Every failure on the reconcile path is a [`ReconcileError`] named after the step that
//! failed, with the provider's error as its `source`. [`error_policy`] maps it (and the
//! bucket's consecutive failures) to the [`Action`] the scheduler carries out, the way
//! kube-runtime's `Controller` hands every reconcile error to one `error_policy`;
//! [`next_action`] is the whole decision after a reconcile, success included.

use std::sync::Arc;

use crate::error_chain::Chain;
use crate::provider::{ErrorKind, ProviderError};
pub use crate::scheduler::Action;

/// Why one bucket's reconcile (or `apply`) did not converge.
///
/// `Display` names the step; the provider's error, when there is one, is the `source`.
/// [`ReconcileError::reason`] renders both on one line for logs, reports and notifications.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReconcileError {
    /// No client for the bucket: its endpoint is refused or credentials cannot be set up.
    #[error("{source}")]
    Client {
        /// The provider's refusal, naming the endpoint or credential variable.
        #[source]
        source: Arc<ProviderError>,
    },
    /// The bucket's live configurations could not be listed; nothing was written.
    #[error("{source}")]
    ListLive {
        /// The provider's error: operation, bucket, code, message and request id.
        #[source]
        source: Arc<ProviderError>,
    },
    /// The plan would delete more than the safety limits allow; nothing was written.
    #[error("plan refused: {reason}")]
    PlanRefused {
        /// Which limit the plan exceeds and by how much, and the flag that lifts it.
        reason: String,
    },
    /// Writes failed (every change was still attempted); `source` is the first failure, in
    /// the order the writes were made.
    #[error("{failed} of {total} writes failed")]
    Apply {
        /// The configuration whose write failed first.
        id: String,
        /// How many writes failed.
        failed: usize,
        /// How many writes were attempted.
        total: usize,
        /// The provider's error of the first failed write.
        #[source]
        source: Arc<ProviderError>,
    },
    /// The writes went through, but reading the bucket back to confirm them failed.
    #[error("read-back failed")]
    ReadBack {
        /// The provider's error of the listing that followed the writes.
        #[source]
        source: Arc<ProviderError>,
    },
    /// The read-back shows other configurations than the ones written changed meanwhile.
    #[error("{count} configurations changed again during apply")]
    ChangedDuringApply {
        /// How many changes a plan against the read-back still finds.
        count: usize,
    },
    /// Written, but the provider keeps storing something else for these ids.
    #[error("perpetual diff on {}", ids.join(", "))]
    PerpetualDiff {
        /// The configuration ids whose read-back differs from what was written.
        ids: Vec<String>,
    },
    /// The reconcile task panicked (a bug); the bucket is retried like any failure.
    #[error("reconcile panicked")]
    Panicked,
}

impl ReconcileError {
    /// The error and its causes on one line, as logs, `apply` and notifications show it.
    pub fn reason(&self) -> String {
        match self {
            // The provider's error already names provider, operation and bucket.
            ReconcileError::Client { source } | ReconcileError::ListLive { source } => {
                Chain(source.as_ref()).to_string()
            }
            other => Chain(other).to_string(),
        }
    }

    /// The provider's error behind this one, if any.
    pub(crate) fn provider_error(&self) -> Option<&ProviderError> {
        match self {
            ReconcileError::Client { source }
            | ReconcileError::ListLive { source }
            | ReconcileError::Apply { source, .. }
            | ReconcileError::ReadBack { source } => Some(source),
            _ => None,
        }
    }

    /// True when the bucket itself no longer exists (deleted since it was listed or named).
    pub fn is_missing_bucket(&self) -> bool {
        self.provider_error()
            .is_some_and(ProviderError::is_missing_bucket)
    }

    /// The kind of the provider's error behind this one, if any.
    pub fn kind(&self) -> Option<ErrorKind> {
        self.provider_error().map(ProviderError::kind)
    }

    /// True when a person has to act before the bucket can converge (a refused plan).
    pub(crate) fn is_blocked(&self) -> bool {
        matches!(self, ReconcileError::PlanRefused { .. })
    }
}

/// How many consecutive failures a request the provider refuses (403, 4xx) or that cannot be
/// built is retried with backoff before it waits for the resync interval: enough to ride out
/// an IAM change still propagating (minutes at most, with backoff 1 s, 2 s, 4 s), few enough
/// not to hammer a provider with requests it will keep refusing.
pub(crate) const REFUSED_RETRIES: u32 = 3;

/// The next action after `error`, given that this is the bucket's `failures`-th consecutive
/// failure (1 for the first).
///
/// | error | kind | action |
/// |---|---|---|
/// | `PerpetualDiff` | | [`Action::AwaitChange`]: never re-written in a loop |
/// | `PlanRefused` | | [`Action::AwaitChange`]: a person must raise the limit or fix the manifest |
/// | `ChangedDuringApply`, `Panicked` | | [`Action::Backoff`] |
/// | any with a provider error | `Transient`, `Throttled`, `Unreadable`, `NotFound`, `Conflict` | [`Action::Backoff`] |
/// | any with a provider error | `PermissionDenied`, `InvalidRequest`, `Configuration` | [`Action::Backoff`] for the first [`REFUSED_RETRIES`] failures, then [`Action::AwaitChange`] |
///
/// A manifest change (or SIGHUP) runs the bucket at once whatever the action: it may be the
/// fix.
pub fn error_policy(error: &ReconcileError, failures: u32) -> Action {
    match error {
        ReconcileError::PerpetualDiff { .. } | ReconcileError::PlanRefused { .. } => {
            Action::AwaitChange
        }
        ReconcileError::ChangedDuringApply { .. } | ReconcileError::Panicked => Action::Backoff,
        ReconcileError::Client { source }
        | ReconcileError::ListLive { source }
        | ReconcileError::Apply { source, .. }
        | ReconcileError::ReadBack { source } => match source.kind() {
            ErrorKind::Transient
            | ErrorKind::Throttled
            | ErrorKind::Unreadable
            | ErrorKind::NotFound
            | ErrorKind::Conflict => Action::Backoff,
            ErrorKind::PermissionDenied | ErrorKind::InvalidRequest | ErrorKind::Configuration
                if failures <= REFUSED_RETRIES =>
            {
                Action::Backoff
            }
            ErrorKind::PermissionDenied | ErrorKind::InvalidRequest | ErrorKind::Configuration => {
                Action::AwaitChange
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::Provider;
    use crate::provider::{Operation, ServiceError};

    fn service(status: u16, code: &str) -> Arc<ProviderError> {
        Arc::new(ProviderError::Service {
            provider: Provider::COS,
            operation: Operation::List,
            bucket: "b-1250000000".into(),
            error: Box::new(ServiceError {
                status,
                code: code.into(),
                message: "msg".into(),
                request_id: "req-1".into(),
                ec: String::new(),
            }),
        })
    }

    #[test]
    fn throttling_and_server_errors_back_off_however_often_they_repeat() {
        for failures in [1, 2, 10, 100] {
            let list = ReconcileError::ListLive {
                source: service(503, "SlowDown"),
            };
            assert_eq!(error_policy(&list, failures), Action::Backoff);
            let apply = ReconcileError::Apply {
                id: "a".into(),
                failed: 1,
                total: 1,
                source: service(500, "InternalError"),
            };
            assert_eq!(error_policy(&apply, failures), Action::Backoff);
        }
    }

    #[test]
    fn refused_requests_back_off_a_few_times_then_wait_for_a_change() {
        let denied = ReconcileError::ListLive {
            source: service(403, "AccessDenied"),
        };
        let actions: Vec<Action> = (1..=5).map(|n| error_policy(&denied, n)).collect();
        assert_eq!(
            actions,
            [
                Action::Backoff,
                Action::Backoff,
                Action::Backoff,
                Action::AwaitChange,
                Action::AwaitChange
            ]
        );
    }

    #[test]
    fn perpetual_diffs_and_refused_plans_are_never_retried_early() {
        let stuck = ReconcileError::PerpetualDiff {
            ids: vec!["a".into(), "b".into()],
        };
        assert_eq!(error_policy(&stuck, 1), Action::AwaitChange);
        let refused = ReconcileError::PlanRefused {
            reason: "would delete 3 of 4".into(),
        };
        assert_eq!(error_policy(&refused, 1), Action::AwaitChange);
        assert!(refused.is_blocked());
    }

    #[test]
    fn reasons_read_as_before_with_the_provider_error_and_its_code() {
        let list = ReconcileError::ListLive {
            source: service(503, "SlowDown"),
        };
        assert_eq!(
            list.reason(),
            "cos list on b-1250000000: HTTP 503 SlowDown: msg (request id req-1)"
        );
        assert_eq!(list.kind(), Some(ErrorKind::Throttled));
        let read_back = ReconcileError::ReadBack {
            source: service(500, "InternalError"),
        };
        assert_eq!(
            read_back.reason(),
            "read-back failed: cos list on b-1250000000: HTTP 500 InternalError: msg (request id req-1)"
        );
        let stuck = ReconcileError::PerpetualDiff {
            ids: vec!["a".into(), "b".into()],
        };
        assert_eq!(stuck.reason(), "perpetual diff on a, b");
        assert_eq!(
            ReconcileError::PlanRefused {
                reason: "too many deletes".into()
            }
            .reason(),
            "plan refused: too many deletes"
        );
    }
}
