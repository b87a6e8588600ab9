//! The binary's offline commands as a user runs them: `validate`, `schema`, `--help`, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn invsync(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_invsync"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("invsync runs")
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_accepts_the_example_manifests() {
    let output = invsync(&[
        "validate",
        "--manifests",
        repo("manifests").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("all valid"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn validate_reports_every_problem_with_file_line_and_hint_and_exits_1() {
    let dir = repo("tests/fixtures/manifests/invalid");
    let output = invsync(&["validate", "--manifests", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    for expected in [
        "cos-inventories.yaml:14 (document 1) spec.inventories[0].schedule.monthlyDate: 31 is out of range 1..=28",
        "spec.prnue: unknown field `prnue` (hint: did you mean `prune`?)",
        "a tag filter needs `Tag` among optionalFields",
        "`Hourly` is not one of `Daily`, `Weekly`, `Monthly`",
        "dup-a.yaml",
        "problems in manifests; nothing was read from or written to any provider",
    ] {
        assert!(
            stderr.contains(expected),
            "missing `{expected}` in:\n{stderr}"
        );
    }
    assert!(
        stderr.lines().count() > 20,
        "all problems, not just the first"
    );
}

#[test]
fn validate_of_a_missing_directory_is_an_error_naming_it() {
    let output = invsync(&["validate", "--manifests", "/nonexistent/manifests"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("/nonexistent/manifests"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn validate_reads_the_directory_from_the_environment() {
    let output = Command::new(env!("CARGO_BIN_EXE_invsync"))
        .arg("validate")
        .env("INVSYNC_MANIFESTS", repo("manifests"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

fn schema_validator() -> (boon::Schemas, boon::SchemaIndex) {
    let output = invsync(&["schema"]);
    assert_eq!(output.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&output.stdout).expect("schema is JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("urn:invsync:cli", schema).unwrap();
    let index = compiler.compile("urn:invsync:cli", &mut schemas).unwrap();
    (schemas, index)
}

fn example(path: &str) -> Value {
    let yaml = std::fs::read_to_string(repo(path)).unwrap();
    serde_saphyr::from_str(&yaml).expect("example is one YAML document")
}

#[test]
fn schema_accepts_an_example_manifest_and_rejects_a_misspelled_key() {
    let (schemas, index) = schema_validator();
    let good = example("manifests/cos/examplebucket.yaml");
    assert!(schemas.validate(&good, index).is_ok());

    let mut misspelled = good.clone();
    let inventory = &mut misspelled["spec"]["inventories"][0];
    let prefix = inventory["filter"]
        .as_object_mut()
        .unwrap()
        .remove("prefix")
        .unwrap();
    inventory["filter"]["prefx"] = prefix;
    assert!(schemas.validate(&misspelled, index).is_err());
}

#[test]
fn help_documents_exit_codes_and_credentials() {
    let output = invsync(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = text(&output.stdout);
    for expected in [
        "Exit codes",
        "TENCENTCLOUD_SECRET_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "plan",
        "apply",
    ] {
        assert!(help.contains(expected), "`{expected}` in --help:\n{help}");
    }
    let plan_help = text(&invsync(&["plan", "--help"]).stdout);
    assert!(plan_help.contains("--detailed-exitcode"), "{plan_help}");
    assert!(
        plan_help.contains("INVSYNC_MANIFESTS"),
        "env vars are named: {plan_help}"
    );
}

#[test]
fn an_unknown_flag_is_a_usage_error_that_exits_1_not_2() {
    let output = invsync(&["plan", "--manifest-dir", "x"]);
    assert_eq!(output.status.code(), Some(1), "2 means changes pending");
    assert!(text(&output.stderr).contains("--manifest-dir"));
}
