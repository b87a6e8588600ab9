//! The README's Quick start, run as written: a newcomer's first two commands must work on a
//! fresh clone. In a file of its own because `cargo run` rebuilds and replaces the
//! `target/debug/invsync` that other tests run.

use std::path::Path;
use std::process::{Command, Stdio};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The commands of the README's Quick start block, comments stripped.
fn quick_start_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(REPO).join("README.md")).unwrap();
    let section = readme
        .split("\n## Quick start\n")
        .nth(1)
        .expect("README has a Quick start section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("Quick start has a ```sh block");
    block
        .lines()
        .map(|line| {
            line.split(" #")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn the_readme_quick_start_commands_work_as_written() {
    let commands = quick_start_commands();
    assert_eq!(
        commands,
        ["cargo run --release -- demo", "bash scripts/test.sh"],
        "the Quick start changed; update this test with it"
    );

    // The second command is the test suite this test belongs to: CI runs it as written.
    let ci = std::fs::read_to_string(Path::new(REPO).join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|line| line.trim() == commands[1]),
        ".ci/run must run `{}`",
        commands[1]
    );

    // The first, in the debug profile (a release build would take minutes) and with `--once`
    // so it ends; otherwise word for word, through cargo, from the repository root.
    let words: Vec<&str> = commands[0]
        .split_whitespace()
        .filter(|word| *word != "--release")
        .chain(["--once"])
        .collect();
    let mut command = Command::new(words[0]);
    // What `cargo test` sets for this test process describes this package, not the user's
    // shell, and cargo takes some of it (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`, `OUT_DIR`) as
    // build-script inputs of dependencies: inherited, they would rebuild ring and the TLS stack.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let package_var = [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix));
        if package_var
            || ["OUT_DIR", "CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR"].contains(&&*name)
        {
            command.env_remove(&*name);
        }
    }
    let output = command
        .args(&words[1..])
        .current_dir(REPO)
        .env_remove("RUST_LOG")
        .env_remove("INVSYNC_MANIFESTS")
        .env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null())
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for expected in [
        "drift found: cos://examplebucket-1250000000/list1 changed",
        "corrected:   s3://example-logs/weekly-all-versions (create)",
        "in sync: 7 configurations across 5 buckets",
    ] {
        assert!(
            stdout.contains(expected),
            "`{expected}` missing from:\n{stdout}"
        );
    }
}
