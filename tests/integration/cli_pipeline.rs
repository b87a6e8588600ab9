//! The binary in daily use: in a shell pipeline, in a CI log, with both OSS storage-class
//! spellings, and started with a wrong manifests path.

use crate::support::cases;
use crate::support::e2e;

use std::net::TcpListener;
use std::process::Command;

use cases::{COS, OSS, plan_json, summary};
use e2e::{COS_ID, COS_KEY, Emulator, Manifests, OSS_ID, OSS_KEY, assert_exit, bin, invsync};
use invsync::model::Provider;

/// `bash -c SCRIPT` with the environment `invsync` needs to reach `emulator`; `$INVSYNC` is the
/// binary under test.
fn shell(emulator: &Emulator, script: &str) -> std::process::Output {
    Command::new("bash")
        .args(["-c", script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("INVSYNC", bin())
        .env("TENCENTCLOUD_SECRET_ID", COS_ID)
        .env("TENCENTCLOUD_SECRET_KEY", COS_KEY)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", OSS_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", OSS_KEY)
        .env("INVSYNC_COS_ENDPOINT", emulator.endpoint())
        .env("INVSYNC_OSS_ENDPOINT", emulator.endpoint())
        .output()
        .expect("bash runs")
}

#[test]
fn plan_piped_into_head_exits_quietly() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    let ids: Vec<String> = (0..200).map(|i| format!("list{i:03}")).collect();
    let inventories: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "logs/")).collect();
    manifests.write("bucket.yaml", &COS.manifest(false, &inventories));
    let dir = manifests.path().to_str().unwrap();

    // The whole plan is larger than a pipe holds, so `head` closes the pipe while invsync is
    // still writing: the write fails with EPIPE, which must end invsync quietly.
    let full = invsync(&emulator, &["plan", "--manifests", dir, "--output", "json"]);
    assert_exit(&full, 0);
    assert!(
        full.stdout.len() > 128 * 1024,
        "{} bytes",
        full.stdout.len()
    );

    for output in ["json", "text"] {
        let script = format!(
            "\"$INVSYNC\" plan --manifests '{dir}' --output {output} | head -c1; \
             echo; echo \"invsync exit ${{PIPESTATUS[0]}}\""
        );
        let result = shell(&emulator, &script);
        let stdout = String::from_utf8_lossy(&result.stdout);
        let stderr = String::from_utf8_lossy(&result.stderr);
        let exit = stdout.lines().last().unwrap_or_default();
        assert!(
            exit == "invsync exit 0" || exit == "invsync exit 141",
            "--output {output}: {stdout}\nstderr:\n{stderr}"
        );
        assert_eq!(stderr, "", "--output {output}: nothing on stderr");
    }
}

#[test]
fn plan_in_a_ci_log_starts_with_the_summary_line_then_the_details() {
    let emulator = Emulator::start();
    COS.seed(&emulator, "old", "old/", true);
    let manifests = Manifests::new();
    manifests.write(
        "bucket.yaml",
        &COS.manifest(false, &[("old", "new/"), ("fresh", "fresh/")]),
    );
    let output = invsync(
        &emulator,
        &["plan", "--manifests", manifests.path().to_str().unwrap()],
    );
    assert_exit(&output, 0);
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        // The destination bucket of the test manifest does not exist in the emulator.
        Some(
            "Plan: 1 to create, 1 to update, 0 to replace, 0 to delete; 0 in sync. Report destination not ready for 2 configurations."
        ),
        "{text}"
    );
    assert_eq!(lines.next(), Some(""), "{text}");
    assert!(text.contains("  + create fresh"), "{text}");
    assert!(text.contains("-  prefix: old/"), "the diff follows: {text}");
    assert_eq!(
        text.matches("Plan: ").count(),
        1,
        "said once, at the top: {text}"
    );
}

#[test]
fn oss_storage_classes_as_a_list_or_a_comma_string_plan_in_sync_with_the_same_live_config() {
    let emulator = Emulator::start();
    let live = OSS.live_xml("report1", "logs/", true).replace(
        "<Filter><Prefix>logs/</Prefix></Filter>",
        "<Filter><Prefix>logs/</Prefix><StorageClass>Standard,IA</StorageClass></Filter>",
    );
    assert!(live.contains("<StorageClass>Standard,IA</StorageClass>"));
    emulator
        .handle
        .seed_xml(Provider::OSS, OSS.bucket, &live)
        .unwrap();

    let declared = OSS.manifest(false, &[("report1", "logs/")]);
    for spelling in [
        "[IA, Standard]",
        "[Standard, IA]",
        "\"Standard,IA\"",
        "\"IA, Standard\"",
    ] {
        let manifests = Manifests::new();
        let yaml = declared.replace(
            "filter: {prefix: logs/}",
            &format!("filter: {{prefix: logs/, storageClass: {spelling}}}"),
        );
        assert!(yaml.contains("storageClass"), "{yaml}");
        manifests.write("bucket.yaml", &yaml);
        let (code, plan) = plan_json(&emulator, &manifests);
        assert_eq!(code, 0, "storageClass: {spelling} is in sync: {plan}");
        assert_eq!(summary(&plan, "in_sync"), 1, "{spelling}");
    }

    let manifests = Manifests::new();
    manifests.write(
        "bucket.yaml",
        &declared.replace(
            "filter: {prefix: logs/}",
            "filter: {prefix: logs/, storageClass: \"Standard,Glacier\"}",
        ),
    );
    let output = invsync(
        &emulator,
        &[
            "validate",
            "--manifests",
            manifests.path().to_str().unwrap(),
        ],
    );
    assert_exit(&output, 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "spec.inventories[0] (id report1).filter.storageClass[1]: unknown storage class `Glacier`"
        ),
        "{stderr}"
    );
}

#[test]
fn run_with_a_missing_manifests_directory_fails_before_serving_anything() {
    // Holding the listen address proves the order: had invsync bound it first, it would fail
    // on the address instead.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = taken.local_addr().unwrap().to_string();
    let output = Command::new(bin())
        .args([
            "run",
            "--manifests",
            "/nonexistent/manifests",
            "--listen",
            &listen,
        ])
        .env_clear()
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--manifests /nonexistent/manifests: not a readable directory"),
        "{stderr}"
    );
    assert!(!stderr.contains("serving"), "{stderr}");
    assert!(!stderr.contains("cannot listen"), "{stderr}");
}
