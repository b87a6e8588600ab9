//! S3 buckets naming AWS shared-config profiles: the binary signs each bucket with the profile
//! it names (temp `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`), a profile that gives no
//! credentials fails only its buckets, naming the profile and the fix, and a `role_arn` profile
//! assumes its role once (against a local STS stand-in) for every bucket naming it, in one run
//! and across the daemon's passes.

use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::support::daemon::{MAX_WAIT, wait_until};
use crate::support::e2e::{self, Emulator, Manifests, assert_exit, invsync_with, stderr, stdout};
use crate::support::mock_server::MockServer;
use crate::support::process::Process;
use invsync::model::Provider;
use invsync::provider::Operation;

/// A profile the emulator knows.
const GOOD_ID: &str = "AKIAPROFILEGOOD00001";
const GOOD_KEY: &str = "good-profile-secret-do-not-print";
/// A profile the emulator refuses.
const OTHER_ID: &str = "AKIAPROFILEOTHER0002";
const OTHER_KEY: &str = "other-profile-secret-do-not-print";
/// What the STS stand-in hands out for the assumed role.
const ROLE_ID: &str = "ASIAASSUMEDROLE00003";
const ROLE_KEY: &str = "assumed-role-secret-do-not-print";
const ROLE_TOKEN: &str = "assumed-role-session-token-do-not-print";
/// Default keys the emulator refuses, so a bucket signed by the wrong source fails.
const REFUSED_DEFAULT_ID: &str = "AKIAREFUSEDDEFAULT04";
const REFUSED_DEFAULT_KEY: &str = "refused-default-secret-do-not-print";

const SECRETS: &[&str] = &[
    GOOD_KEY,
    OTHER_KEY,
    ROLE_KEY,
    ROLE_TOKEN,
    REFUSED_DEFAULT_KEY,
    e2e::S3_KEY,
];

/// The shared config and credentials files of the test's profiles, in a temp dir.
struct AwsFiles {
    _dir: tempfile::TempDir,
    config: String,
    credentials: String,
}

/// Which default keys (`AWS_ACCESS_KEY_ID`) the binary runs with.
#[derive(Clone, Copy)]
enum DefaultKeys {
    /// The emulator's.
    Known,
    /// Keys the emulator refuses, so a bucket signed by anything but its own profile fails.
    Refused,
}

impl AwsFiles {
    fn new(config: &str) -> AwsFiles {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        let (config_path, credentials_path) = (path("config"), path("credentials"));
        std::fs::write(&config_path, config).unwrap();
        std::fs::write(
            &credentials_path,
            format!(
                "[good]\naws_access_key_id = {GOOD_ID}\naws_secret_access_key = {GOOD_KEY}\n\n\
                 [other]\naws_access_key_id = {OTHER_ID}\naws_secret_access_key = {OTHER_KEY}\n"
            ),
        )
        .unwrap();
        AwsFiles {
            _dir: dir,
            config: config_path,
            credentials: credentials_path,
        }
    }

    /// The environment naming these files, with `keys` as the default chain's.
    fn env(&self, keys: DefaultKeys) -> Vec<(&str, &str)> {
        let mut env = vec![
            ("AWS_CONFIG_FILE", self.config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", self.credentials.as_str()),
        ];
        if let DefaultKeys::Refused = keys {
            env.push(("AWS_ACCESS_KEY_ID", REFUSED_DEFAULT_ID));
            env.push(("AWS_SECRET_ACCESS_KEY", REFUSED_DEFAULT_KEY));
        }
        env
    }
}

/// One S3 bucket manifest with one configuration, naming `profile` when given.
fn manifest(bucket: &str, profile: Option<&str>) -> String {
    let profile = profile.map_or(String::new(), |p| format!("  profile: {p}\n"));
    format!(
        "apiVersion: invsync/v1
kind: BucketInventory
metadata:
  name: {bucket}
spec:
  provider: s3
  bucket: {bucket}
  region: us-east-1
{profile}  inventories:
    - id: daily
      includedObjectVersions: Current
      schedule: {{frequency: Daily}}
      destination:
        bucket: inventory-reports
        format: CSV
"
    )
}

fn emulator() -> Emulator {
    Emulator::start_with(|config| {
        *config = std::mem::take(config)
            .with_credentials(Provider::S3, GOOD_ID, GOOD_KEY)
            .with_session_credentials(Provider::S3, ROLE_ID, ROLE_KEY, ROLE_TOKEN);
    })
}

fn live(emulator: &Emulator, bucket: &str) -> usize {
    emulator.handle.configs(Provider::S3, bucket).len()
}

fn assert_no_secret(output: &std::process::Output) {
    let shown = format!("{}{}", stdout(output), stderr(output));
    for secret in SECRETS {
        assert!(!shown.contains(secret), "a secret shows:\n{shown}");
    }
}

#[test]
fn each_bucket_signs_with_the_profile_it_names_and_a_refused_one_fails_alone() {
    let emulator = emulator();
    let files = AwsFiles::new("[profile good]\nregion = us-east-1\n\n[profile other]\n");
    let manifests = Manifests::new();
    manifests
        .write("good.yaml", &manifest("bucket-good", Some("good")))
        .write("good-too.yaml", &manifest("bucket-good-too", Some("good")))
        .write("other.yaml", &manifest("bucket-other", Some("other")))
        .write("default.yaml", &manifest("bucket-default", None));
    let dir = manifests.path().to_str().unwrap();
    let env = files.env(DefaultKeys::Refused);

    let output = invsync_with(&emulator, &["apply", "--manifests", dir], &env);
    assert_exit(&output, 1);
    assert_eq!(
        live(&emulator, "bucket-good"),
        1,
        "signed with profile good"
    );
    assert_eq!(
        live(&emulator, "bucket-good-too"),
        1,
        "signed with profile good"
    );
    assert_eq!(
        live(&emulator, "bucket-other"),
        0,
        "signed with profile other"
    );
    assert_eq!(
        live(&emulator, "bucket-default"),
        0,
        "signed with the default keys"
    );
    let shown = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        shown.contains("bucket-other") && shown.contains("bucket-default"),
        "{shown}"
    );
    assert!(shown.contains("InvalidAccessKeyId"), "{shown}");
    assert_no_secret(&output);

    // With the default keys the emulator knows, every bucket converges on its own keys.
    let env = files.env(DefaultKeys::Known);
    let output = invsync_with(&emulator, &["apply", "--manifests", dir], &env);
    assert_exit(&output, 1);
    assert_eq!(live(&emulator, "bucket-default"), 1);
    assert_eq!(
        live(&emulator, "bucket-other"),
        0,
        "no fallback to the default keys"
    );
    assert_no_secret(&output);
}

#[test]
fn a_profile_that_does_not_exist_fails_only_its_bucket_naming_the_profile_and_the_fix() {
    let emulator = emulator();
    let files = AwsFiles::new("[profile good]\n\n[profile keyless]\nregion = us-east-1\n");
    let manifests = Manifests::new();
    manifests
        .write(
            "missing.yaml",
            &manifest("bucket-missing", Some("audit-prod")),
        )
        .write("keyless.yaml", &manifest("bucket-keyless", Some("keyless")))
        .write("good.yaml", &manifest("bucket-good", Some("good")))
        .write("default.yaml", &manifest("bucket-default", None));
    let dir = manifests.path().to_str().unwrap();
    let env = files.env(DefaultKeys::Known);

    let output = invsync_with(&emulator, &["apply", "--manifests", dir], &env);
    assert_exit(&output, 1);
    assert_eq!(live(&emulator, "bucket-good"), 1);
    assert_eq!(live(&emulator, "bucket-default"), 1);
    assert_eq!(live(&emulator, "bucket-missing"), 0);
    let shown = format!("{}{}", stdout(&output), stderr(&output));
    let line = shown
        .lines()
        .find(|l| l.contains("AWS profile `audit-prod`"))
        .unwrap_or_else(|| panic!("no line names the profile:\n{shown}"));
    assert!(line.contains("bucket-missing"), "{line}");
    assert!(
        line.contains("~/.aws/config") && line.contains("AWS_CONFIG_FILE"),
        "{line}"
    );
    let line = shown
        .lines()
        .find(|l| l.contains("AWS profile `keyless`"))
        .unwrap_or_else(|| panic!("no line names the keyless profile:\n{shown}"));
    assert!(
        line.contains("bucket-keyless") && line.contains("no credentials"),
        "{line}"
    );
    assert!(line.contains("~/.aws/credentials"), "{line}");
    assert_eq!(live(&emulator, "bucket-keyless"), 0);
    assert_no_secret(&output);
}

#[test]
fn a_role_profile_reads_its_source_profile_and_names_itself_when_that_is_missing() {
    let emulator = emulator();
    let files = AwsFiles::new(
        "[profile cross]\nrole_arn = arn:aws:iam::222233334444:role/inventory\n\
         source_profile = nowhere\n",
    );
    let manifests = Manifests::new();
    manifests.write("cross.yaml", &manifest("bucket-cross", Some("cross")));
    let dir = manifests.path().to_str().unwrap();
    let env = files.env(DefaultKeys::Known);

    let output = invsync_with(&emulator, &["plan", "--manifests", dir], &env);
    assert_exit(&output, 1);
    let shown = format!("{}{}", stdout(&output), stderr(&output));
    assert!(shown.contains("AWS profile `cross`"), "{shown}");
    assert!(
        shown.contains("nowhere"),
        "the missing source profile is named:\n{shown}"
    );
    assert_no_secret(&output);
}

/// An STS `AssumeRole` answer with the role's temporary keys.
fn assume_role_response() -> axum::response::Response {
    let body = format!(
        r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::222233334444:assumed-role/inventory/invsync</Arn>
      <AssumedRoleId>AROAEXAMPLEROLEID:invsync</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{ROLE_ID}</AccessKeyId>
      <SecretAccessKey>{ROLE_KEY}</SecretAccessKey>
      <SessionToken>{ROLE_TOKEN}</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>sts-request-1</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#
    );
    (StatusCode::OK, [("content-type", "text/xml")], body).into_response()
}

#[test]
fn a_role_profile_assumes_its_role_once_for_every_bucket_naming_it() {
    let emulator = emulator();
    let sts = MockServer::start();
    sts.fallback(|_, _| assume_role_response());
    let files = AwsFiles::new(
        "[profile cross]\nrole_arn = arn:aws:iam::222233334444:role/inventory\n\
         source_profile = good\nregion = eu-west-1\n\n[profile good]\n",
    );
    let manifests = Manifests::new();
    for bucket in ["cross-a", "cross-b", "cross-c"] {
        manifests.write(&format!("{bucket}.yaml"), &manifest(bucket, Some("cross")));
    }
    let dir = manifests.path().to_str().unwrap();
    let mut env = files.env(DefaultKeys::Refused);
    env.push(("AWS_ENDPOINT_URL_STS", sts.url()));

    let output = invsync_with(&emulator, &["apply", "--manifests", dir], &env);
    assert_exit(&output, 0);
    for bucket in ["cross-a", "cross-b", "cross-c"] {
        assert_eq!(live(&emulator, bucket), 1, "{bucket}");
    }
    let requests = sts.requests();
    assert_eq!(requests.len(), 1, "one AssumeRole for three buckets");
    let form = String::from_utf8_lossy(&requests[0].body);
    assert!(form.contains("Action=AssumeRole"), "{form}");
    assert!(
        form.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A222233334444%3Arole%2Finventory"),
        "{form}"
    );
    let authorization = requests[0].header("authorization").unwrap_or_default();
    assert!(
        authorization.contains(GOOD_ID),
        "signed with the source profile's keys: {authorization}"
    );
    assert_no_secret(&output);
}

#[test]
fn import_reads_with_the_profile_and_prints_it_so_the_manifest_plans_in_sync() {
    let emulator = emulator();
    let files = AwsFiles::new("[profile good]\n");
    let manifests = Manifests::new();
    manifests.write("good.yaml", &manifest("bucket-good", Some("good")));
    let env = files.env(DefaultKeys::Refused);
    let dir = manifests.path().to_str().unwrap();
    assert_exit(
        &invsync_with(&emulator, &["apply", "--manifests", dir], &env),
        0,
    );

    let import = |provider: &str, bucket: &str, region: &str, profile: &str| {
        let args = [
            "import",
            "--provider",
            provider,
            "--bucket",
            bucket,
            "--region",
            region,
            "--profile",
            profile,
        ];
        invsync_with(&emulator, &args, &env)
    };
    let output = import("s3", "bucket-good", "us-east-1", "good");
    assert_exit(&output, 0);
    let yaml = stdout(&output);
    assert!(
        yaml.contains("profile: good") && yaml.contains("id: daily"),
        "{yaml}"
    );
    let imported = Manifests::new();
    imported.write("imported.yaml", &yaml);
    let imported = imported.path().to_str().unwrap();
    let plan = ["plan", "--manifests", imported, "--detailed-exitcode"];
    assert_exit(&invsync_with(&emulator, &plan, &env), 0);

    let output = import("s3", "bucket-good", "us-east-1", "no such profile");
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("--profile: profile `no such profile`"),
        "{}",
        stderr(&output)
    );
    let output = import("cos", "examplebucket-1250000000", "ap-guangzhou", "good");
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("COS buckets have no AWS profile; it applies to --provider s3"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_profile_on_a_cos_or_oss_bucket_is_refused_as_a_key_of_s3_only() {
    let manifests = Manifests::new();
    manifests.write(
        "cos.yaml",
        "apiVersion: invsync/v1
kind: BucketInventory
metadata: {name: logs}
spec:
  provider: cos
  bucket: examplebucket-1250000000
  region: ap-guangzhou
  profile: audit-prod
  inventories: []
",
    );
    let output = std::process::Command::new(e2e::bin())
        .args([
            "validate",
            "--manifests",
            manifests.path().to_str().unwrap(),
        ])
        .env_clear()
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains(
            "spec.profile: unknown field `profile` (hint: a bucket key of `provider: s3` only"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_daemon_keeps_one_role_session_for_a_profile_across_passes() {
    let emulator = emulator();
    let sts = MockServer::start();
    sts.fallback(|_, _| assume_role_response());
    let files = AwsFiles::new(
        "[profile cross]\nrole_arn = arn:aws:iam::222233334444:role/inventory\n\
         source_profile = good\n\n[profile good]\n",
    );
    let manifests = Manifests::new();
    for bucket in ["cross-a", "cross-b"] {
        manifests.write(&format!("{bucket}.yaml"), &manifest(bucket, Some("cross")));
    }
    let mut env = files.env(DefaultKeys::Refused);
    env.push(("AWS_ENDPOINT_URL_STS", sts.url()));

    let mut daemon = Process::start_with(&emulator, &manifests, &[], &env);
    let lists = || emulator.handle.stats().calls(Provider::S3, Operation::List);
    // Two buckets, each listed once per pass (and once more after its write): three passes.
    assert!(
        wait_until(MAX_WAIT, || lists() >= 8),
        "the daemon did not keep reconciling: {} lists",
        lists()
    );
    daemon.signal("TERM");
    assert_eq!(daemon.wait_exit().0, Some(0));
    assert_eq!(live(&emulator, "cross-a"), 1);
    assert_eq!(live(&emulator, "cross-b"), 1);
    assert_eq!(
        sts.request_count(),
        1,
        "one AssumeRole for every pass and bucket"
    );
    let logs = format!("{:?}", daemon.logs.lock().unwrap());
    for secret in SECRETS {
        assert!(!logs.contains(secret), "a secret shows in the logs");
    }
}

#[test]
fn a_profile_added_while_the_daemon_runs_is_used_without_a_restart() {
    let emulator = emulator();
    let files = AwsFiles::new("[profile good]\n");
    let manifests = Manifests::new();
    manifests.write("late.yaml", &manifest("bucket-late", Some("late")));
    let env = files.env(DefaultKeys::Refused);

    let mut daemon = Process::start_with(&emulator, &manifests, &[], &env);
    let failed = || {
        let logs = format!("{:?}", daemon.logs.lock().unwrap());
        logs.contains("AWS profile `late`")
    };
    assert!(wait_until(MAX_WAIT, failed), "no failure names the profile");
    assert_eq!(live(&emulator, "bucket-late"), 0);

    let config = std::fs::read_to_string(&files.config).unwrap();
    std::fs::write(&files.config, format!("{config}\n[profile late]\n")).unwrap();
    let credentials = std::fs::read_to_string(&files.credentials).unwrap();
    std::fs::write(
        &files.credentials,
        format!("{credentials}\n[late]\naws_access_key_id = {GOOD_ID}\naws_secret_access_key = {GOOD_KEY}\n"),
    )
    .unwrap();
    assert!(
        wait_until(MAX_WAIT, || live(&emulator, "bucket-late") == 1),
        "the added profile was not used"
    );
    daemon.signal("TERM");
    assert_eq!(daemon.wait_exit().0, Some(0));
}
