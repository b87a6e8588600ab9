//! Every duration flag refuses values that would overflow or wrap, with a message naming the
//! flag, the value and the limit, and exits 1: never a panic (101), never a silent zero.

use std::process::{Command, Output};

/// The huge values a user can type: `u64::MAX` seconds, minutes whose milliseconds wrap to
/// zero in 64 bits, and hours whose seconds wrap to zero.
const HUGE: [&str; 4] = [
    "18446744073709551615s",
    "18446744073709551616s",
    "4611686018427387904m",
    "1152921504606846976h",
];

/// Every duration flag, with the rest of a command line that would otherwise start.
const FLAGS: [(&[&str], &str); 9] = [
    (&["run", "--manifests", "."], "--interval"),
    (&["run", "--manifests", "."], "--discover-interval"),
    (&["run", "--manifests", "."], "--settle"),
    (&["run", "--manifests", "."], "--debounce"),
    (&["run", "--manifests", "."], "--shutdown-grace"),
    (&["run", "--manifests", "."], "--hook-reload-window"),
    (&["run", "--manifests", "."], "--notify-dedup-window"),
    (&["plan", "--manifests", "."], "--request-timeout"),
    (&["demo", "--once"], "--interval"),
];

fn invsync(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_invsync"))
        .args(args)
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .output()
        .expect("invsync runs")
}

fn refused_as_too_long(output: &Output, flag: &str, value: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{flag} {value}: {stderr}");
    assert!(!stderr.contains("panicked"), "{flag} {value}: {stderr}");
    assert!(stderr.contains(flag), "names the flag: {stderr}");
    assert!(
        stderr.contains(&format!("`{value}` is too long; at most 365d")),
        "{flag} {value}: {stderr}"
    );
}

#[test]
fn every_duration_flag_refuses_values_beyond_a_year_without_panicking() {
    for (command, flag) in FLAGS {
        for value in HUGE {
            let mut args = command.to_vec();
            args.extend([flag, value]);
            refused_as_too_long(&invsync(&args, &[]), flag, value);
        }
        let mut args = command.to_vec();
        args.extend([flag, "366d"]);
        refused_as_too_long(&invsync(&args, &[]), flag, "366d");
    }
}

#[test]
fn the_environment_variables_of_duration_flags_are_bounded_the_same_way() {
    for (variable, flag) in [
        ("INVSYNC_SETTLE", "--settle"),
        ("INVSYNC_INTERVAL", "--interval"),
        ("INVSYNC_DISCOVER_INTERVAL", "--discover-interval"),
        ("INVSYNC_HOOK_RELOAD_WINDOW", "--hook-reload-window"),
    ] {
        let output = invsync(
            &["run", "--manifests", "."],
            &[(variable, "4611686018427387904m")],
        );
        refused_as_too_long(&output, flag, "4611686018427387904m");
    }
}

#[test]
fn an_interval_whose_seconds_would_wrap_to_zero_is_too_long_not_zero() {
    let output = invsync(
        &[
            "run",
            "--manifests",
            ".",
            "--interval",
            "1152921504606846976h",
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("longer than zero"), "{stderr}");
    refused_as_too_long(&output, "--interval", "1152921504606846976h");
}

#[test]
fn zero_is_refused_where_it_means_nothing_and_accepted_where_it_means_no_wait() {
    for (command, flag) in [
        (&["run", "--manifests", "/nonexistent"][..], "--interval"),
        (
            &["run", "--manifests", "/nonexistent"][..],
            "--discover-interval",
        ),
        (
            &["plan", "--manifests", "/nonexistent"][..],
            "--request-timeout",
        ),
    ] {
        let mut args = command.to_vec();
        args.extend([flag, "0s"]);
        let output = invsync(&args, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains("`0s` must be longer than zero"),
            "{stderr}"
        );
    }
    // `--settle 0s` parses: the run gets as far as the missing directory.
    let output = invsync(
        &["run", "--manifests", "/nonexistent", "--settle", "0s"],
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--manifests /nonexistent"), "{stderr}");
}
