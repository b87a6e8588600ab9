//! `--endpoint PROVIDER=URL`: one flag for every provider's endpoint override, beside the
//! per-provider aliases, refusing unknown providers without echoing the value.

use crate::support::cases;
use crate::support::e2e;

use std::net::TcpListener;

use cases::{COS, OSS, S3};
use e2e::{Emulator, Manifests, assert_exit, invsync_with, stderr, stdout};

/// An address nothing listens on: requests sent there fail.
fn dead_endpoint() -> String {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", closed.local_addr().unwrap())
}

fn manifests_for_every_provider() -> Manifests {
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    manifests.write("oss.yaml", &OSS.manifest(false, &[("logs", "logs/")]));
    manifests.write("s3.yaml", &S3.manifest(false, &[("logs", "logs/")]));
    manifests
}

#[test]
fn the_endpoint_flag_sends_each_provider_to_its_url_and_wins_over_the_provider_variables() {
    let emulator = Emulator::start();
    let manifests = manifests_for_every_provider();
    let dir = manifests.path().to_str().unwrap();
    let dead = dead_endpoint();
    let to = |p: &str| format!("{p}={}", emulator.endpoint());
    let (cos, oss, s3) = (to("cos"), to("oss"), to("s3"));
    let output = invsync_with(
        &emulator,
        &[
            "plan",
            "--manifests",
            dir,
            "--endpoint",
            &cos,
            "--endpoint",
            &oss,
            "--endpoint",
            &s3,
        ],
        &[
            ("INVSYNC_COS_ENDPOINT", dead.as_str()),
            ("INVSYNC_OSS_ENDPOINT", dead.as_str()),
            ("INVSYNC_S3_ENDPOINT", dead.as_str()),
        ],
    );
    assert_exit(&output, 0);
    let plan = stdout(&output);
    for bucket in [COS.bucket, OSS.bucket, S3.bucket] {
        assert!(plan.contains(bucket), "{bucket} missing from:\n{plan}");
    }
}

#[test]
fn the_endpoints_variable_takes_a_comma_separated_list() {
    let emulator = Emulator::start();
    let manifests = manifests_for_every_provider();
    let dir = manifests.path().to_str().unwrap();
    let dead = dead_endpoint();
    let endpoint = emulator.endpoint();
    let list = format!("cos={endpoint},oss={endpoint},s3={endpoint}");
    let output = invsync_with(
        &emulator,
        &["plan", "--manifests", dir],
        &[
            ("INVSYNC_ENDPOINTS", list.as_str()),
            ("INVSYNC_COS_ENDPOINT", dead.as_str()),
            ("INVSYNC_OSS_ENDPOINT", dead.as_str()),
            ("INVSYNC_S3_ENDPOINT", dead.as_str()),
        ],
    );
    assert_exit(&output, 0);
}

#[test]
fn the_endpoint_flag_overrides_only_the_provider_it_names() {
    let emulator = Emulator::start();
    let manifests = manifests_for_every_provider();
    let dir = manifests.path().to_str().unwrap();
    let dead = dead_endpoint();
    // Every provider variable points at the emulator; the flag sends OSS nowhere.
    let oss = format!("oss={dead}");
    let output = invsync_with(
        &emulator,
        &["plan", "--manifests", dir, "--endpoint", &oss],
        &[],
    );
    assert_exit(&output, 1);
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(all.contains(OSS.bucket), "{all}");
    assert!(
        stdout(&output).contains(COS.bucket),
        "COS was not planned: {all}"
    );
}

#[test]
fn an_endpoint_for_an_unknown_provider_is_a_usage_error_naming_the_known_ones() {
    let emulator = Emulator::start();
    let manifests = manifests_for_every_provider();
    let dir = manifests.path().to_str().unwrap();
    let output = invsync_with(
        &emulator,
        &[
            "plan",
            "--manifests",
            dir,
            "--endpoint",
            "gcs=http://127.0.0.1:9",
        ],
        &[],
    );
    assert_exit(&output, 1);
    let err = stderr(&output);
    assert!(err.contains("--endpoint"), "{err}");
    assert!(err.contains("unknown provider `gcs`"), "{err}");
    assert!(err.contains("cos, oss, s3"), "{err}");
}

#[test]
fn a_malformed_endpoint_flag_is_refused_without_echoing_its_value() {
    let emulator = Emulator::start();
    let manifests = manifests_for_every_provider();
    let dir = manifests.path().to_str().unwrap();
    for value in [
        "http://admin:hunter2pass@127.0.0.1:9",
        "cos:http://admin:hunter2pass@127.0.0.1:9",
    ] {
        let output = invsync_with(
            &emulator,
            &["plan", "--manifests", dir, "--endpoint", value],
            &[],
        );
        assert_exit(&output, 1);
        let err = stderr(&output);
        assert!(err.contains("expected PROVIDER=URL"), "{err}");
        assert!(!err.contains("hunter2pass"), "the value was echoed: {err}");
    }
    // A known provider with a URL carrying a password: refused by the endpoint rules, which
    // show only scheme, host and port, and name the flag.
    let output = invsync_with(
        &emulator,
        &[
            "plan",
            "--manifests",
            dir,
            "--endpoint",
            "cos=http://admin:hunter2pass@127.0.0.1:9",
        ],
        &[],
    );
    assert_exit(&output, 1);
    let err = stderr(&output);
    assert!(err.contains("--endpoint cos=URL"), "{err}");
    assert!(
        !err.contains("hunter2pass"),
        "the password was echoed: {err}"
    );
}

#[test]
fn a_malformed_provider_endpoint_is_refused_where_it_is_read_naming_flag_and_variable() {
    let emulator = Emulator::start();
    let manifests = manifests_for_every_provider();
    let dir = manifests.path().to_str().unwrap();
    let by_flag = invsync_with(
        &emulator,
        &[
            "plan",
            "--manifests",
            dir,
            "--s3-endpoint",
            "http://admin:hunter2pass@127.0.0.1:9/path",
        ],
        &[],
    );
    let by_variable = invsync_with(
        &emulator,
        &["plan", "--manifests", dir],
        &[(
            "INVSYNC_OSS_ENDPOINT",
            "https://127.0.0.1:9/?token=hunter2pass",
        )],
    );
    for (output, flag) in [
        (by_flag, "--s3-endpoint (INVSYNC_S3_ENDPOINT)"),
        (by_variable, "--oss-endpoint (INVSYNC_OSS_ENDPOINT)"),
    ] {
        // Refused as the arguments are read, before the manifests or any request.
        assert_exit(&output, 1);
        assert_eq!(emulator.handle.stats().total, 0);
        let err = stderr(&output);
        assert!(err.contains(flag), "{err}");
        assert!(!err.contains("hunter2pass"), "the value was echoed: {err}");
    }
}
