//! A torn write never deletes: with `prune: true`, the daemon takes deletes and replacements
//! only for manifests that stayed the same across the settle window, while a real removal
//! still deletes once it has settled. Nor does a torn write correct an observed bucket whose
//! `mode` line it has not written yet. Deletes are counted where they land, at the emulator's
//! `GET /_emulator/stats`.

use crate::support::cases;
use crate::support::daemon;
use crate::support::e2e;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use cases::{COS, Case, OSS};
use daemon::{Daemon, MAX_WAIT, wait_until};
use e2e::{Emulator, Manifests};
use invsync::reconcile::{RunEvent, SettleGate};

const IDS: [(&str, &str); 3] = [("alpha", "a/"), ("beta", "b/"), ("gamma", "c/")];

/// `(provider, operation)` request counts from the emulator's HTTP statistics endpoint.
fn served(emulator: &Emulator, case: &Case, operation: &str) -> u64 {
    let address = emulator.endpoint().replace("http://", "");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET /_emulator/stats HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (_, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    let stats: serde_json::Value = serde_json::from_str(body).expect("stats JSON");
    stats["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["provider"] == case.provider.as_str() && e["operation"] == operation)
        .map(|e| e["count"].as_u64().unwrap())
        .sum()
}

/// A converged daemon on `case`'s bucket holding [`IDS`], pruning, with `settle`.
fn converged(emulator: &Emulator, case: &Case, settle: Duration) -> (Manifests, Daemon) {
    for (id, prefix) in IDS {
        case.seed(emulator, id, prefix, true);
    }
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(true, &IDS));
    let mut daemon = Daemon::start(emulator, manifests.path(), |config| {
        config.schedule.resync_interval = Duration::from_secs(600);
        config.context.settle = SettleGate::new(settle);
    });
    assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
    daemon.drain_events();
    emulator.handle.reset_stats();
    (manifests, daemon)
}

/// Rewrites the manifest in place in two writes 400 ms apart, as `cat > file` from a slow
/// pipe does. The first part alone is valid YAML declaring only the first configuration.
fn torn_rewrite(manifests: &Manifests, case: &Case) {
    let full = case.manifest(true, &IDS);
    let cut = full.find("    - id: beta").expect("second configuration");
    write_in_two(manifests, &full, cut, Duration::from_millis(400));
}

/// Writes `text` over `bucket.yaml` in place: the bytes before `cut`, then after `pause` the
/// rest, into the same open file.
fn write_in_two(manifests: &Manifests, text: &str, cut: usize, pause: Duration) {
    let path = manifests.path().join("bucket.yaml");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    file.write_all(&text.as_bytes()[..cut]).unwrap();
    file.flush().unwrap();
    std::thread::sleep(pause);
    file.write_all(&text.as_bytes()[cut..]).unwrap();
    file.flush().unwrap();
}

fn revisions_loaded(events: &[RunEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, RunEvent::RevisionLoaded { .. }))
        .count()
}

#[test]
fn a_torn_in_place_rewrite_deletes_nothing() {
    for case in [COS, OSS] {
        let emulator = Emulator::start();
        let (manifests, mut daemon) = converged(&emulator, &case, Duration::from_secs(2));
        torn_rewrite(&manifests, &case);
        // The half-written revision was loaded and planned (two revisions in force), and
        // after the window has passed for both, nothing was deleted or re-created.
        let mut events = Vec::new();
        assert!(wait_until(MAX_WAIT, || {
            events.extend(daemon.drain_events());
            revisions_loaded(&events) >= 2
        }));
        std::thread::sleep(Duration::from_millis(2500));
        events.extend(daemon.drain_events());
        let drifted = events
            .iter()
            .any(|e| matches!(e, RunEvent::Drift(d) if d.id == "beta"));
        assert!(
            drifted,
            "{}: the torn revision was planned: {events:?}",
            case.provider
        );
        assert_eq!(served(&emulator, &case, "delete"), 0, "{}", case.provider);
        assert_eq!(served(&emulator, &case, "put"), 0, "{}", case.provider);
        assert_eq!(case.live_ids(&emulator), ["alpha", "beta", "gamma"]);
        daemon.stop().0.unwrap();
    }
}

#[test]
fn a_torn_rewrite_of_an_observed_bucket_without_its_mode_line_writes_nothing() {
    for case in [COS, OSS] {
        let emulator = Emulator::start();
        // Drifted in every way: `beta` differs, `gamma` is missing, `zeta` is undeclared.
        for (id, prefix) in [("alpha", "a/"), ("beta", "old/"), ("zeta", "z/")] {
            case.seed(&emulator, id, prefix, true);
        }
        let full = case.manifest(true, &IDS) + "  mode: observe\n";
        let manifests = Manifests::new();
        manifests.write("bucket.yaml", &full);
        let mut daemon = Daemon::start(&emulator, manifests.path(), |config| {
            config.schedule.resync_interval = Duration::from_secs(600);
            config.context.settle = SettleGate::new(Duration::from_secs(2));
        });
        assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
        std::thread::sleep(Duration::from_secs(3));
        daemon.drain_events();
        emulator.handle.reset_stats();

        // Rewritten in place: everything but the `mode` line, then that line 300 ms later.
        let cut = full.find("  mode: observe").expect("the mode line");
        write_in_two(&manifests, &full, cut, Duration::from_millis(300));

        let mut events = Vec::new();
        assert!(wait_until(MAX_WAIT, || {
            events.extend(daemon.drain_events());
            revisions_loaded(&events) >= 2
        }));
        std::thread::sleep(Duration::from_millis(2500));
        assert_eq!(served(&emulator, &case, "put"), 0, "{}", case.provider);
        assert_eq!(served(&emulator, &case, "delete"), 0, "{}", case.provider);
        assert_eq!(case.live_ids(&emulator), ["alpha", "beta", "zeta"]);
        daemon.stop().0.unwrap();
    }
}

#[test]
fn without_a_settle_window_the_same_torn_rewrite_would_delete() {
    // The hazard the window guards against, shown on the same scenario.
    let emulator = Emulator::start();
    let (manifests, daemon) = converged(&emulator, &COS, Duration::ZERO);
    torn_rewrite(&manifests, &COS);
    assert!(wait_until(MAX_WAIT, || served(&emulator, &COS, "put") >= 2));
    assert!(served(&emulator, &COS, "delete") >= 2);
    daemon.stop().0.unwrap();
}

#[test]
fn a_real_removal_deletes_once_the_settle_window_has_passed() {
    for case in [COS, OSS] {
        let emulator = Emulator::start();
        let settle = Duration::from_millis(1500);
        let (manifests, daemon) = converged(&emulator, &case, settle);
        let removed = Instant::now();
        manifests.write("bucket.yaml", &case.manifest(true, &IDS[..2]));
        std::thread::sleep(Duration::from_millis(700));
        assert_eq!(
            served(&emulator, &case, "delete"),
            0,
            "held within the window"
        );
        assert!(wait_until(MAX_WAIT, || served(&emulator, &case, "delete") == 1));
        assert!(
            removed.elapsed() >= settle,
            "deleted after {:?}",
            removed.elapsed()
        );
        assert_eq!(case.live_ids(&emulator), ["alpha", "beta"]);
        assert_eq!(served(&emulator, &case, "put"), 0);
        daemon.stop().0.unwrap();
    }
}

#[test]
fn creates_of_a_new_revision_do_not_wait_for_the_window() {
    let emulator = Emulator::start();
    let (manifests, daemon) = converged(&emulator, &OSS, Duration::from_secs(30));
    // One configuration added, one removed: the create goes now, the delete waits.
    manifests.write(
        "bucket.yaml",
        &OSS.manifest(true, &[IDS[0], IDS[1], ("delta", "d/")]),
    );
    assert!(wait_until(Duration::from_secs(5), || served(
        &emulator, &OSS, "put"
    ) == 1));
    assert_eq!(served(&emulator, &OSS, "delete"), 0);
    assert_eq!(OSS.live_ids(&emulator), ["alpha", "beta", "delta", "gamma"]);
    daemon.stop().0.unwrap();
}

#[cfg(unix)]
#[test]
fn a_git_sync_swap_deletes_without_waiting_for_the_window() {
    use std::os::unix::fs::symlink;
    // `<root>/<hash>/manifests` per commit, `<root>/current -> <hash>`, swapped by rename.
    let emulator = Emulator::start();
    for (id, prefix) in IDS {
        OSS.seed(&emulator, id, prefix, true);
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let check_out = |hash: &str, ids: &[(&str, &str)]| {
        let dir = root.join(hash).join("manifests");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("bucket.yaml"), OSS.manifest(true, ids)).unwrap();
    };
    let (first, second) = ("1".repeat(40), "2".repeat(40));
    check_out(&first, &IDS);
    symlink(&first, root.join("current")).unwrap();
    let daemon = Daemon::start(
        &emulator,
        &root.join("current").join("manifests"),
        |config| {
            config.schedule.resync_interval = Duration::from_secs(600);
            config.context.settle = SettleGate::new(Duration::from_secs(60));
        },
    );
    assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
    emulator.handle.reset_stats();

    check_out(&second, &IDS[..2]);
    symlink(&second, root.join("current.tmp")).unwrap();
    std::fs::rename(root.join("current.tmp"), root.join("current")).unwrap();
    // A commit checkout is complete by construction: no 60 s wait.
    assert!(wait_until(Duration::from_secs(5), || served(
        &emulator, &OSS, "delete"
    ) == 1));
    assert_eq!(OSS.live_ids(&emulator), ["alpha", "beta"]);
    daemon.stop().0.unwrap();
}
