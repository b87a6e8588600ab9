//! `invsync demo --once` from a directory that holds nothing, as with a binary from `cargo
//! install`, the container image or a release archive: it finds the seeded drift, corrects it
//! and exits 0 within seconds, needing no environment at all.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What the demo narrates about the built-in examples.
const NARRATION: &[&str] = &[
    "seeded live state that differs from the manifests in",
    "drift found: cos://examplebucket-1250000000/list1 changed (enabled: false -> true",
    "corrected:   cos://examplebucket-1250000000/list1 (update)",
    "drift found: s3://example-logs/weekly-all-versions missing",
    "corrected:   s3://example-logs/weekly-all-versions (create)",
    "drift found: cos://media-1250000000/adhoc-export unmanaged",
    "in sync: 7 configurations across 5 buckets",
];

fn demo_in(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_invsync"))
        .arg("demo")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (output, started.elapsed())
}

fn assert_narrates_convergence(output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for expected in NARRATION {
        assert!(
            stdout.contains(expected),
            "`{expected}` missing from:\n{stdout}"
        );
    }
    assert!(!stderr.contains("ERROR"), "quiet logs:\n{stderr}");
}

#[test]
fn demo_once_from_an_empty_directory_narrates_drift_found_and_corrected_then_exits_zero() {
    let empty = tempfile::tempdir().unwrap();
    let (output, took) = demo_in(empty.path(), &["--once"]);
    assert_narrates_convergence(&output);
    assert!(took < Duration::from_secs(20), "took {took:?}");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let written = stdout
        .lines()
        .find_map(|line| line.strip_prefix("invsync demo: example manifests written to "))
        .and_then(|rest| rest.split(" (").next())
        .unwrap_or_else(|| panic!("where the examples went:\n{stdout}"));
    assert!(
        !Path::new(written).exists(),
        "{written} is removed when the demo ends"
    );
    assert_eq!(
        std::fs::read_dir(empty.path()).unwrap().count(),
        0,
        "nothing is left in the working directory"
    );
}

#[test]
fn demo_with_invalid_manifests_prints_the_problems_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: invsync/v1\nkind: Nope\n",
    )
    .unwrap();
    let (output, _) = demo_in(
        dir.path(),
        &["--once", "--manifests", dir.path().to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad.yaml"));
}
