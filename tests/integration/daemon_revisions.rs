//! The daemon and manifest revisions: git-sync symlink swaps, and broken revisions that must
//! change nothing until they are fixed.

use crate::support::cases;
use crate::support::daemon;
use crate::support::e2e;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::time::Duration;

use cases::COS;
use daemon::{Daemon, MAX_WAIT, metric, wait_until};
use e2e::{Emulator, Manifests};
use invsync::model::Provider;
use invsync::provider::Operation;
use invsync::reconcile::RunEvent;

const HASH1: &str = "1111111111111111111111111111111111111111";
const HASH2: &str = "2222222222222222222222222222222222222222";

/// `<root>/<hash>/manifests/bucket.yaml` per commit and `<root>/current -> <hash>`.
struct GitSync {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl GitSync {
    fn new(hash: &str, manifest: &str) -> GitSync {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let sync = GitSync { _tmp: tmp, root };
        sync.check_out(hash, manifest);
        symlink(hash, sync.root.join("current")).unwrap();
        sync
    }

    fn check_out(&self, hash: &str, manifest: &str) {
        let dir = self.root.join(hash).join("manifests");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("bucket.yaml"), manifest).unwrap();
    }

    /// What git-sync does for a new commit: check out, link, rename the link over the old one.
    fn swap_to(&self, hash: &str, manifest: &str) {
        self.check_out(hash, manifest);
        symlink(hash, self.root.join("current.tmp")).unwrap();
        fs::rename(self.root.join("current.tmp"), self.root.join("current")).unwrap();
    }

    fn manifests(&self) -> PathBuf {
        self.root.join("current").join("manifests")
    }
}

fn revision_series(hash: &str) -> String {
    format!(r#"invsync_revision_info{{revision="{hash}"}}"#)
}

#[test]
fn a_git_sync_symlink_swap_brings_the_new_commit_into_force() {
    let emulator = Emulator::start();
    let sync = GitSync::new(HASH1, &COS.manifest(false, &[("logs", "logs/")]));
    let mut daemon = Daemon::start(&emulator, &sync.manifests(), |config| {
        config.schedule.resync_interval = Duration::from_secs(600);
    });
    assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
    assert_eq!(
        metric(&daemon.metrics_text(), &revision_series(HASH1)),
        Some(1.0)
    );
    assert_eq!(COS.live_ids(&emulator), ["logs"]);

    sync.swap_to(
        HASH2,
        &COS.manifest(false, &[("logs", "logs/"), ("uploads", "uploads/")]),
    );
    assert!(
        wait_until(MAX_WAIT, || COS.live_ids(&emulator) == ["logs", "uploads"]),
        "new commit applied"
    );
    let text = daemon.metrics_text();
    assert_eq!(metric(&text, &revision_series(HASH2)), Some(1.0), "{text}");
    assert_eq!(
        metric(&text, &revision_series(HASH1)),
        None,
        "old revision series removed"
    );
    let stamped = wait_until(MAX_WAIT, || {
        daemon
            .drain_events()
            .into_iter()
            .any(|event| matches!(event, RunEvent::InSync { revision, .. } if revision == HASH2))
    });
    assert!(stamped, "convergence reported with the new commit hash");
    daemon.stop().0.unwrap();
}

#[test]
fn a_broken_revision_deletes_nothing_and_the_fixed_one_is_picked_up() {
    let (emulator, manifests, mut daemon) = pruning_daemon_with_two_configurations();

    // The broken file comes first, so no valid revision without `uploads` is ever seen.
    manifests.write("broken.yaml", "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata: {name: x}\nspec: {provider: cos, bucket: other-1250000000, region: ap-guangzhou, prefx: 1, inventories: []}\n");
    assert!(wait_until(MAX_WAIT, || {
        metric(&daemon.metrics_text(), "invsync_manifest_valid") == Some(0.0)
    }));
    manifests.write("bucket.yaml", &COS.manifest(true, &[("logs", "logs/")]));
    // Resyncs go on with the last good revision: drift is still corrected, nothing deleted.
    COS.seed(&emulator, "logs", "elsewhere/", true);
    assert!(wait_until(MAX_WAIT, || COS
        .live_config(&emulator, "logs")
        .contains("<Prefix>logs/</Prefix>")));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(COS.live_ids(&emulator), ["logs", "uploads"]);
    assert_eq!(
        emulator
            .handle
            .stats()
            .calls(Provider::COS, Operation::Delete),
        0
    );
    assert!(daemon.is_running());
    let text = daemon.metrics_text();
    assert!(
        metric(&text, "invsync_manifest_errors_total").unwrap_or(0.0) >= 1.0,
        "{text}"
    );
    let problems = wait_for_rejection(&mut daemon);
    assert!(problems.iter().any(|p| p.contains("prefx")), "{problems:?}");

    fs::remove_file(manifests.path().join("broken.yaml")).unwrap();
    assert!(
        wait_until(MAX_WAIT, || COS.live_ids(&emulator) == ["logs"]),
        "fixed revision in force"
    );
    assert_eq!(
        metric(&daemon.metrics_text(), "invsync_manifest_valid"),
        Some(1.0)
    );
    daemon.stop().0.unwrap();
}

#[test]
fn a_fifo_or_a_link_out_of_the_directory_rejects_the_revision_and_the_last_good_one_stays() {
    let secret = "daemon-credentials-SECRET-value";
    let outside = tempfile::tempdir().unwrap();
    let credentials = outside.path().join("credentials");
    fs::write(&credentials, format!("TENCENTCLOUD_SECRET_KEY: {secret}\n")).unwrap();
    let (emulator, manifests, mut daemon) = pruning_daemon_with_two_configurations();

    let deletes = || {
        emulator
            .handle
            .stats()
            .calls(Provider::COS, Operation::Delete)
    };
    // Each bad entry comes first, so no valid revision without `uploads` is ever seen.
    for (fixes, (bad, problem)) in [
        ("pipe.yaml", "is a FIFO"),
        ("evil.yaml", "leading outside the manifests directory"),
    ]
    .into_iter()
    .enumerate()
    {
        daemon.drain_events();
        let path = manifests.path().join(bad);
        if bad == "pipe.yaml" {
            e2e::mkfifo(&path);
        } else {
            symlink(&credentials, &path).unwrap();
        }
        assert!(wait_until(MAX_WAIT, || {
            metric(&daemon.metrics_text(), "invsync_manifest_valid") == Some(0.0)
        }));
        manifests.write("bucket.yaml", &COS.manifest(true, &[("logs", "logs/")]));
        let problems = wait_for_rejection(&mut daemon);
        assert!(
            problems
                .iter()
                .any(|p| p.contains(bad) && p.contains(problem)),
            "{problems:?}"
        );
        assert!(!problems.iter().any(|p| p.contains(secret)), "{problems:?}");
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(COS.live_ids(&emulator), ["logs", "uploads"]);
        assert_eq!(
            deletes(),
            fixes as u64,
            "nothing deleted for the bad revision"
        );
        assert!(daemon.is_running());
        fs::remove_file(&path).unwrap();
        assert!(
            wait_until(MAX_WAIT, || COS.live_ids(&emulator) == ["logs"]),
            "fixed revision in force"
        );
        // Back to two configurations for the next bad entry.
        manifests.write(
            "bucket.yaml",
            &COS.manifest(true, &[("logs", "logs/"), ("uploads", "uploads/")]),
        );
        assert!(wait_until(MAX_WAIT, || COS.live_ids(&emulator) == ["logs", "uploads"]));
    }
    daemon.stop().0.unwrap();
}

/// A daemon in force over one pruning manifest declaring `logs` and `uploads`, both live.
fn pruning_daemon_with_two_configurations() -> (Emulator, Manifests, Daemon) {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write(
        "bucket.yaml",
        &COS.manifest(true, &[("logs", "logs/"), ("uploads", "uploads/")]),
    );
    let daemon = Daemon::start(&emulator, manifests.path(), |_| {});
    assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
    assert_eq!(COS.live_ids(&emulator), ["logs", "uploads"]);
    (emulator, manifests, daemon)
}

/// The problems of the next revision rejection the daemon reports.
fn wait_for_rejection(daemon: &mut Daemon) -> Vec<String> {
    let mut found = None;
    assert!(wait_until(MAX_WAIT, || {
        found = daemon
            .drain_events()
            .into_iter()
            .find_map(|event| match event {
                RunEvent::RevisionRejected { problems, .. } => Some(problems),
                _ => None,
            });
        found.is_some()
    }));
    found.unwrap()
}
