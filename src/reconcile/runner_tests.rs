//! The daemon loop's handling of revisions that could not be read, with a stand-in loader.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::manifest::ManifestErrors;
use crate::provider::http::{HttpSettings, Transport};
use crate::provider::{CredentialSource, Credentials, StaticCredentials};
use crate::reconcile::ClientSettings;

fn daemon() -> Daemon {
    let credentials: Arc<dyn CredentialSource> =
        Arc::new(StaticCredentials(Credentials::new("id", "secret")));
    let clients = Clients::new(
        ClientSettings::default(),
        Transport::new(HttpSettings::default()).unwrap(),
        Provider::ALL
            .into_iter()
            .map(|p| (p, credentials.clone()))
            .collect(),
    );
    let mut daemon = Daemon::new(RunConfig::new("manifests", clients, Metrics::new()));
    daemon.load_jitter = Jitter::fixed(1.0);
    daemon
}

fn rejected(transient: bool) -> RevisionError {
    RevisionError::Invalid {
        revision: None,
        errors: ManifestErrors {
            diagnostics: Vec::new(),
            transient,
        },
    }
}

/// A loader failing with `failures` in turn, then loading revision `r2`; counts its calls.
fn loader(mut failures: Vec<RevisionError>, calls: Arc<AtomicUsize>) -> Loader {
    failures.reverse();
    Box::new(move |_, _, _| {
        calls.fetch_add(1, Ordering::SeqCst);
        match failures.pop() {
            Some(failure) => Err(failure),
            None => Ok(Revision {
                id: "r2".into(),
                desired: DesiredState::default(),
                atomic: false,
            }),
        }
    })
}

#[tokio::test]
async fn a_read_that_failed_for_want_of_descriptors_is_retried_with_backoff_until_it_loads() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut daemon = daemon();
    let emfile = || RevisionError::Resolve {
        path: "manifests".into(),
        source: std::io::Error::from_raw_os_error(libc::EMFILE),
    };
    daemon.load = loader(vec![emfile(), rejected(true)], Arc::clone(&calls));
    let start = Instant::now();
    daemon.reload(start);
    let first = daemon.load_retry.expect("a retry is scheduled");
    assert_eq!(first.at, start + Duration::from_secs(1));
    daemon.reload(first.at);
    let second = daemon.load_retry.expect("still retrying");
    assert_eq!(second.at, first.at + Duration::from_secs(2), "backs off");
    daemon.reload(second.at);
    assert!(daemon.load_retry.is_none());
    assert_eq!(daemon.revision, "r2");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_invalid_revision_waits_for_a_change_instead_of_a_retry() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut daemon = daemon();
    daemon.load = loader(vec![rejected(true), rejected(false)], Arc::clone(&calls));
    let start = Instant::now();
    daemon.reload(start);
    let retry = daemon.load_retry.expect("a retry is scheduled");
    daemon.reload(retry.at);
    assert!(
        daemon.load_retry.is_none(),
        "an invalid manifest needs an edit"
    );
    assert_eq!(daemon.revision, "");
}

#[test]
fn descriptor_and_io_shortages_are_transient_and_missing_or_forbidden_files_are_not() {
    use crate::manifest::walk::is_transient;
    for code in [libc::EMFILE, libc::ENFILE, libc::ENOMEM, libc::EIO] {
        assert!(
            is_transient(&std::io::Error::from_raw_os_error(code)),
            "{code}"
        );
    }
    for code in [libc::ENOENT, libc::EACCES, libc::ENOTDIR] {
        assert!(
            !is_transient(&std::io::Error::from_raw_os_error(code)),
            "{code}"
        );
    }
}
