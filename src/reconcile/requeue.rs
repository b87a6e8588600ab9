//! When the daemon looks at a bucket again, from how its reconcile ended.

use super::error::{Action, ReconcileError, error_policy};
use super::outcome::Applied;

/// The daemon's next action after a reconcile that ended in `result`, `failures` being the
/// bucket's consecutive failures counting this one if it failed: [`Action::Resync`] after a
/// success, [`Action::RequeueAfter`] when writes are held for the settle gate, else what
/// [`error_policy`] says.
pub fn next_action(result: &Result<Applied, ReconcileError>, failures: u32) -> Action {
    match result {
        Ok(Applied::Held(wait)) => Action::requeue(*wait),
        Ok(Applied::InSync | Applied::Converged | Applied::Observed(_)) => Action::Resync,
        Err(error) => error_policy(error, failures),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::model::Provider;
    use crate::provider::{Operation, ProviderError, ServiceError};
    use crate::reconcile::error::REFUSED_RETRIES;

    fn denied() -> Result<Applied, ReconcileError> {
        Err(ReconcileError::ListLive {
            source: Arc::new(ProviderError::Service {
                provider: Provider::COS,
                operation: Operation::List,
                bucket: "b-1250000000".into(),
                error: Box::new(ServiceError {
                    status: 403,
                    code: "AccessDenied".into(),
                    message: "msg".into(),
                    request_id: "req-1".into(),
                    ec: String::new(),
                }),
            }),
        })
    }

    #[test]
    fn the_daemon_looks_again_after_the_resync_the_settle_wait_or_what_the_policy_says() {
        let ok = |applied| Ok::<_, ReconcileError>(applied);
        assert_eq!(next_action(&ok(Applied::InSync), 1), Action::Resync);
        assert_eq!(next_action(&ok(Applied::Converged), 1), Action::Resync);
        assert_eq!(next_action(&ok(Applied::Observed(3)), 1), Action::Resync);
        let wait = Duration::from_secs(7);
        assert_eq!(
            next_action(&ok(Applied::Held(wait)), 1),
            Action::requeue(wait)
        );
        let denied = denied();
        assert_eq!(next_action(&denied, 1), Action::Backoff);
        assert_eq!(
            next_action(&denied, REFUSED_RETRIES + 1),
            Action::await_change()
        );
    }
}
