//! `invsync demo --once`: the newcomer's first command finds the seeded drift, corrects it and
//! exits 0 within seconds, needing no environment at all.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn demo(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_invsync"))
        .arg("demo")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (output, started.elapsed())
}

#[test]
fn demo_once_narrates_drift_found_and_corrected_then_exits_zero() {
    let (output, took) = demo(&["--once"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
    for expected in [
        "seeded live state that differs from manifests",
        "drift found: cos://examplebucket-1250000000/list1 changed (enabled: false -> true",
        "corrected:   cos://examplebucket-1250000000/list1 (update)",
        "drift found: oss://examplebucket/report1 missing",
        "corrected:   oss://examplebucket/report1 (create)",
        "drift found: cos://media-1250000000/adhoc-export unmanaged",
        "in sync: 5 configurations across 4 buckets",
    ] {
        assert!(
            stdout.contains(expected),
            "`{expected}` missing from:\n{stdout}"
        );
    }
    assert!(!stderr.contains("ERROR"), "quiet logs:\n{stderr}");
}

#[test]
fn demo_with_invalid_manifests_prints_the_problems_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: invsync/v1\nkind: Nope\n",
    )
    .unwrap();
    let (output, _) = demo(&["--once", "--manifests", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad.yaml"));
}
