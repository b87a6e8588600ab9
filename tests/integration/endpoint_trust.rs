//! A manifest cannot steer signed requests: `spec.endpoint` outside the operator's allowlist is
//! refused offline and before any request, and endpoints carrying credentials, a query or a
//! fragment are refused from every source without being echoed.

use crate::support::cases;
use crate::support::daemon;
use crate::support::e2e;

use std::io::ErrorKind;
use std::net::TcpListener;
use std::process::Output;

use cases::{COS, OSS};
use daemon::{Daemon, MAX_WAIT, wait_until};
use e2e::{Emulator, Manifests, assert_exit, invsync_with, stderr, stdout};
use invsync::reconcile::RunEvent;

const PASSWORD: &str = "hunter2pass";

/// A local port that records whether anything connected to it.
struct Trap {
    listener: TcpListener,
}

impl Trap {
    fn new() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Trap { listener }
    }

    fn host_port(&self) -> String {
        self.listener.local_addr().unwrap().to_string()
    }

    fn url(&self) -> String {
        format!("http://{}", self.host_port())
    }

    /// True when a connection is waiting (the command under test has exited by now, so any
    /// connection it made is in the accept queue).
    fn was_contacted(&self) -> bool {
        match self.listener.accept() {
            Ok(_) => true,
            Err(e) if e.kind() == ErrorKind::WouldBlock => false,
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// `case`'s manifest with `endpoint` as `spec.endpoint`.
fn manifest_with_endpoint(case: &cases::Case, endpoint: &str) -> Manifests {
    let manifests = Manifests::new();
    let yaml = case.manifest(false, &[("logs", "logs/")]).replace(
        "  prune: false\n",
        &format!("  prune: false\n  endpoint: \"{endpoint}\"\n"),
    );
    manifests.write("bucket.yaml", &yaml);
    manifests
}

fn run(emulator: &Emulator, command: &str, manifests: &Manifests, extra: &[&str]) -> Output {
    let dir = manifests.path().to_str().unwrap();
    let mut args = vec![command, "--manifests", dir];
    args.extend_from_slice(extra);
    invsync_with(
        emulator,
        &args,
        &[
            ("INVSYNC_REQUEST_TIMEOUT", "2s"),
            ("INVSYNC_MAX_ATTEMPTS", "1"),
        ],
    )
}

fn all_output(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

#[test]
fn a_manifest_endpoint_outside_the_allowlist_fails_validate_and_plan_and_no_request_leaves() {
    let emulator = Emulator::start();
    for case in [COS, OSS] {
        let trap = Trap::new();
        let manifests = manifest_with_endpoint(&case, &trap.url());
        for command in ["validate", "plan", "apply"] {
            let output = run(&emulator, command, &manifests, &[]);
            assert_exit(&output, 1);
            let err = stderr(&output);
            assert!(err.contains("bucket.yaml"), "{command}: {err}");
            assert!(err.contains("spec.endpoint"), "{command}: {err}");
            assert!(err.contains("not allowed"), "{command}: {err}");
            assert!(
                err.contains(&format!("--allow-endpoint {}", trap.host_port())),
                "{command}: {err}"
            );
            assert!(
                err.contains("INVSYNC_ALLOWED_ENDPOINTS"),
                "{command}: {err}"
            );
        }
        assert!(!trap.was_contacted(), "{} sent a request", case.provider);
    }
}

#[test]
fn an_allowed_manifest_endpoint_is_used() {
    let emulator = Emulator::start();
    let host = emulator.endpoint().replace("http://", "");
    for case in [COS, OSS] {
        let manifests = manifest_with_endpoint(&case, &emulator.endpoint());
        let flag = run(
            &emulator,
            "validate",
            &manifests,
            &["--allow-endpoint", &host],
        );
        assert_exit(&flag, 0);
        // The trusted overrides point at a trap, so only the manifest's endpoint can answer.
        let trap = Trap::new();
        let dir = manifests.path().to_str().unwrap();
        let output = invsync_with(
            &emulator,
            &["plan", "--manifests", dir],
            &[
                (
                    "INVSYNC_ALLOWED_ENDPOINTS",
                    &format!("other.example,{host}"),
                ),
                ("INVSYNC_COS_ENDPOINT", &trap.url()),
                ("INVSYNC_OSS_ENDPOINT", &trap.url()),
            ],
        );
        assert_exit(&output, 0);
        assert!(stdout(&output).contains("create"), "{}", stdout(&output));
        assert!(!trap.was_contacted());
    }
}

#[test]
fn endpoints_with_credentials_query_or_fragment_are_refused_from_every_source_without_echo() {
    let emulator = Emulator::start();
    let trap = Trap::new();
    let bad = [
        format!("http://admin:{PASSWORD}@{}", trap.host_port()),
        format!("http://{}/?token={PASSWORD}", trap.host_port()),
        format!("http://{}/#{PASSWORD}", trap.host_port()),
    ];
    for endpoint in &bad {
        // From a manifest, even when the host is allowed.
        let manifests = manifest_with_endpoint(&COS, endpoint);
        for command in ["validate", "plan"] {
            let output = run(
                &emulator,
                command,
                &manifests,
                &["--allow-endpoint", &trap.host_port()],
            );
            assert_exit(&output, 1);
            let all = all_output(&output);
            assert!(all.contains("spec.endpoint"), "{all}");
            assert!(
                !all.contains(PASSWORD),
                "{command} echoed the secret: {all}"
            );
        }
        // From the flag and from the environment.
        let manifests = Manifests::new();
        manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
        manifests.write("oss.yaml", &OSS.manifest(false, &[("logs", "logs/")]));
        let dir = manifests.path().to_str().unwrap();
        let flag = invsync_with(
            &emulator,
            &["plan", "--manifests", dir, "--cos-endpoint", endpoint],
            &[],
        );
        let env = invsync_with(
            &emulator,
            &["plan", "--manifests", dir],
            &[("INVSYNC_OSS_ENDPOINT", endpoint.as_str())],
        );
        for (source, output, variable) in [
            ("flag", flag, "INVSYNC_COS_ENDPOINT"),
            ("env", env, "INVSYNC_OSS_ENDPOINT"),
        ] {
            assert_exit(&output, 1);
            let all = all_output(&output);
            assert!(all.contains(variable), "{source}: {all}");
            assert!(!all.contains(PASSWORD), "{source} echoed the secret: {all}");
        }
    }
    assert!(!trap.was_contacted());
}

#[test]
fn a_malformed_allow_endpoint_pattern_is_a_usage_error() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[]));
    let output = run(
        &emulator,
        "validate",
        &manifests,
        &["--allow-endpoint", "ftp://host"],
    );
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("HOST[:PORT]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_daemon_rejects_a_revision_whose_endpoint_is_not_allowed_and_sends_nothing() {
    let emulator = Emulator::start();
    let trap = Trap::new();
    let manifests = manifest_with_endpoint(&OSS, &trap.url());
    let mut daemon = Daemon::start(&emulator, manifests.path(), |_| {});
    let mut events = Vec::new();
    assert!(wait_until(MAX_WAIT, || {
        events.extend(daemon.drain_events());
        events
            .iter()
            .any(|e| matches!(e, RunEvent::RevisionRejected { .. }))
    }));
    let problems: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::RevisionRejected { problems, .. } => Some(problems),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("spec.endpoint") && p.contains("--allow-endpoint")),
        "{problems:?}"
    );
    assert!(!daemon.readiness.is_ready());
    daemon.stop().0.unwrap();
    assert!(!trap.was_contacted());
    assert_eq!(emulator.handle.stats().total, 0);
}
