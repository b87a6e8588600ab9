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
        "cos-inventories.yaml:14 (document 1) spec.inventories[0] (id day-out-of-range).schedule.monthlyDate: 31 is out of range 1..=28",
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
    for provider in invsync::model::Provider::ALL {
        let vars = invsync::provider::credentials::CredentialVars::of(provider);
        for var in [vars.id, vars.secret, vars.token] {
            assert!(help.contains(var), "`{var}` in --help:\n{help}");
        }
    }
    let run_help = text(&invsync(&["run", "--help"]).stdout);
    let credentials_file = run_help
        .split("--credentials-file")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default();
    assert!(
        credentials_file.contains("every provider's keys")
            && credentials_file.contains("AWS_ACCESS_KEY_ID"),
        "{credentials_file}"
    );
    let plan_help = text(&invsync(&["plan", "--help"]).stdout);
    assert!(plan_help.contains("--detailed-exitcode"), "{plan_help}");
    assert!(
        plan_help.contains("INVSYNC_MANIFESTS"),
        "env vars are named: {plan_help}"
    );
}

#[test]
fn without_aws_credentials_plan_says_so_once_and_logs_no_aws_config_warning() {
    let manifests = tempfile::tempdir().unwrap();
    std::fs::write(
        manifests.path().join("s3.yaml"),
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata: {name: s3}\nspec:\n  provider: s3\n  bucket: examplebucket\n  region: us-east-1\n  inventories: []\n",
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    // The default environment of a newcomer's machine: no AWS variables, no ~/.aws, instance
    // metadata not disabled. Nothing is sent to the endpoint: the credentials fail first.
    let mut child = Command::new(env!("CARGO_BIN_EXE_invsync"))
        .args(["plan", "--manifests"])
        .arg(manifests.path())
        .args(["--s3-endpoint", "http://127.0.0.1:9"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Instance metadata is asked with aws-config's own short timeouts; bounded here anyway.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("plan did not end within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let shown = text(&output.stdout) + &text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert_eq!(shown.matches("no AWS credentials").count(), 1, "{shown}");
    assert!(!shown.contains("WARN"), "{shown}");
    assert!(!shown.contains("aws_config"), "{shown}");
}

#[test]
fn an_unknown_flag_is_a_usage_error_that_exits_1_not_2() {
    let output = invsync(&["plan", "--manifest-dir", "x"]);
    assert_eq!(output.status.code(), Some(1), "2 means changes pending");
    assert!(text(&output.stderr).contains("--manifest-dir"));
}

#[test]
fn version_names_the_release_and_the_git_commit_it_was_built_from() {
    let output = invsync(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    let version = text(&output.stdout);
    let expected_start = format!("invsync {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected_start), "{version}");
    let commit = version
        .trim_end()
        .strip_prefix(&expected_start)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{version}"));
    // In a git checkout it is a commit of this repository; elsewhere (a crate tarball) `unknown`.
    let in_git = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .is_ok_and(|o| o.status.success());
    if in_git {
        let known = Command::new("git")
            .args(["cat-file", "-e", &format!("{commit}^{{commit}}")])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(known.success(), "`{commit}` is not a commit here");
    } else {
        assert_eq!(commit, "unknown");
    }
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let output = invsync(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = text(&output.stdout);
        // Flags without their dashes: fish spells them `-l manifests`.
        for word in ["invsync", "validate", "manifests", "detailed-exitcode"] {
            assert!(script.contains(word), "{shell} completion lacks `{word}`");
        }
    }
    let output = invsync(&["completions", "tcsh"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_is_printed_or_written_one_page_per_command() {
    let output = invsync(&["man"]);
    assert_eq!(output.status.code(), Some(0));
    let page = text(&output.stdout);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "roff: {}",
        &page[..80]
    );
    assert!(page.contains(".TH invsync 1"), "{page}");
    for command in ["validate", "plan", "apply", "run", "demo", "completions"] {
        assert!(page.contains(command), "`{command}` in the man page");
    }

    let dir = tempfile::tempdir().unwrap();
    let output = invsync(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    for file in ["invsync.1", "invsync-plan.1", "invsync-run.1"] {
        let page = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(page.contains(".TH"), "{file}");
    }
    let plan = std::fs::read_to_string(dir.path().join("invsync-plan.1")).unwrap();
    assert!(plan.contains("detailed\\-exitcode"), "{plan}");
}

/// The actions and resources of the inventory statement (the first) of a policy document in
/// `deploy/policies/`, whichever case the vendor spells its keys in.
fn policy(file: &str, keys: [&str; 3]) -> (Vec<String>, Vec<String>) {
    policy_statement(file, keys, 0)
}

/// The actions and resources of statement `at` of a policy document: the inventory statement
/// (0), the discovery one (1), the delivery checks (2).
fn policy_statement(file: &str, keys: [&str; 3], at: usize) -> (Vec<String>, Vec<String>) {
    let [statement_key, action_key, resource_key] = keys;
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(repo(&format!("deploy/policies/{file}"))).unwrap(),
    )
    .unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("{file}: {value} is not a list"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let statements = json[statement_key].as_array().unwrap();
    assert_eq!(
        statements.len(),
        3,
        "{file}: inventory, then discovery, then delivery checks"
    );
    (
        strings(&statements[at][action_key]),
        strings(&statements[at][resource_key]),
    )
}

#[test]
fn every_policy_grants_bucket_listing_and_tag_reads_in_a_statement_of_their_own() {
    let cases = [
        (
            "cos-cam-policy.json",
            ["statement", "action", "resource"],
            ["name/cos:GetService", "name/cos:GetBucketTagging"],
            "*",
        ),
        (
            "oss-ram-policy.json",
            ["Statement", "Action", "Resource"],
            ["oss:ListBuckets", "oss:GetBucketTagging"],
            "acs:oss:*:*:*",
        ),
        (
            "s3-iam-policy.json",
            ["Statement", "Action", "Resource"],
            ["s3:ListAllMyBuckets", "s3:GetBucketTagging"],
            "arn:aws:s3:::*",
        ),
    ];
    for (file, keys, expected_actions, expected_resource) in cases {
        let (actions, resources) = policy_statement(file, keys, 1);
        assert_eq!(actions, expected_actions, "{file}");
        // Listing is the account's, and a fleet's buckets are not known in advance.
        assert_eq!(resources, [expected_resource], "{file}");
    }
}

#[test]
fn every_policy_grants_the_read_only_delivery_checks_on_the_report_destinations_only() {
    let cases = [
        (
            "cos-cam-policy.json",
            ["statement", "action", "resource"],
            [
                "name/cos:GetBucket",
                "name/cos:GetBucketPolicy",
                "name/cos:GetObject",
            ],
        ),
        (
            "oss-ram-policy.json",
            ["Statement", "Action", "Resource"],
            ["oss:ListObjects", "oss:GetBucketPolicy", "oss:GetObject"],
        ),
        (
            "s3-iam-policy.json",
            ["Statement", "Action", "Resource"],
            ["s3:ListBucket", "s3:GetBucketPolicy", "s3:GetObject"],
        ),
    ];
    for (file, keys, expected_actions) in cases {
        let (actions, resources) = policy_statement(file, keys, 2);
        assert_eq!(actions, expected_actions, "{file}");
        // The reports' destinations, never a source bucket or the whole account; objects only
        // where a key names a report manifest.
        for resource in &resources {
            assert!(
                resource.contains("inventory") || resource.contains("destination"),
                "{file}: {resource}"
            );
            assert!(
                !resource.ends_with(":*") && resource != "*",
                "{file}: {resource}"
            );
        }
    }
}

fn manifest_buckets(provider: &str) -> Vec<(String, String)> {
    let mut buckets = Vec::new();
    for dir in [repo("manifests/cos"), repo("manifests/oss")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let yaml = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for document in yaml.split("\n---\n") {
                let doc: Value = serde_saphyr::from_str(document).unwrap();
                if doc["spec"]["provider"] == provider {
                    buckets.push((
                        doc["spec"]["bucket"].as_str().unwrap().to_string(),
                        doc["spec"]["region"].as_str().unwrap().to_string(),
                    ));
                }
            }
        }
    }
    buckets.sort();
    buckets
}

#[test]
fn the_cos_cam_policy_grants_the_inventory_actions_on_the_example_buckets_only() {
    let (actions, resources) = policy("cos-cam-policy.json", ["statement", "action", "resource"]);
    assert_eq!(
        actions,
        [
            "name/cos:GetBucketInventory",
            "name/cos:PutBucketInventory",
            "name/cos:DeleteBucketInventory"
        ]
    );
    let mut expected: Vec<String> = manifest_buckets("cos")
        .iter()
        .map(|(bucket, region)| {
            let appid = bucket.rsplit('-').next().unwrap();
            format!("qcs::cos:{region}:uid/{appid}:{bucket}/*")
        })
        .collect();
    expected.sort();
    let mut resources = resources;
    resources.sort();
    assert_eq!(resources, expected);
}

#[test]
fn the_oss_ram_policy_grants_the_inventory_actions_on_the_example_buckets_only() {
    let (actions, resources) = policy("oss-ram-policy.json", ["Statement", "Action", "Resource"]);
    assert_eq!(
        actions,
        [
            "oss:ListBucketInventory",
            "oss:GetBucketInventory",
            "oss:PutBucketInventory",
            "oss:DeleteBucketInventory"
        ]
    );
    let expected: Vec<String> = manifest_buckets("oss")
        .iter()
        .map(|(bucket, _)| format!("acs:oss:*:*:{bucket}"))
        .collect();
    let mut resources = resources;
    resources.sort();
    assert_eq!(resources, expected);
}

#[test]
fn the_s3_iam_policy_grants_the_two_inventory_actions_on_bucket_arns_only() {
    let (actions, resources) = policy("s3-iam-policy.json", ["Statement", "Action", "Resource"]);
    // ListBucketInventoryConfigurations and GetBucketInventoryConfiguration are authorised as
    // s3:GetInventoryConfiguration; Put and Delete as s3:PutInventoryConfiguration.
    assert_eq!(
        actions,
        [
            "s3:GetInventoryConfiguration",
            "s3:PutInventoryConfiguration"
        ]
    );
    for resource in resources {
        let name = resource.strip_prefix("arn:aws:s3:::").unwrap();
        assert!(!name.is_empty() && !name.contains('/'), "{resource}");
    }
}

#[test]
fn the_readme_names_every_action_of_the_policy_documents() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let (cos, _) = policy("cos-cam-policy.json", ["statement", "action", "resource"]);
    let (oss, _) = policy("oss-ram-policy.json", ["Statement", "Action", "Resource"]);
    let (s3, _) = policy("s3-iam-policy.json", ["Statement", "Action", "Resource"]);
    for action in cos.iter().chain(&oss).chain(&s3) {
        assert!(
            readme.contains(&format!("`{action}`")),
            "README lacks `{action}`"
        );
    }
}
