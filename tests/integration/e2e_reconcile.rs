//! `invsync plan` / `apply` / `import` end to end against the emulator, for both providers:
//! real signing, real XML, real HTTP, the real binary.

use crate::support::cases;
use crate::support::e2e;

use cases::{Case, apply, plan_json, plan_json_with, summary};
use e2e::{Emulator, Manifests, assert_exit, invsync, invsync_with, stderr, stdout};
use invsync::emulator::FaultConfig;
use invsync::provider::Operation;

// ---- scenarios, run for each provider ----

fn apply_creates_declared_configs_then_plan_is_in_sync(case: &Case) {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write(
        "bucket.yaml",
        &case.manifest(false, &[("logs", "logs/"), ("uploads", "uploads/")]),
    );

    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2, "changes pending: {plan}");
    assert_eq!(summary(&plan, "create"), 2);
    assert_eq!(
        case.calls(&emulator, Operation::Put),
        0,
        "plan never writes"
    );

    assert_exit(&apply(&emulator, &manifests), 0);
    assert_eq!(case.live_ids(&emulator), ["logs", "uploads"]);
    assert_eq!(case.calls(&emulator, Operation::Put), 2);

    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 0, "in sync right after apply: {plan}");
    assert_eq!(summary(&plan, "in_sync"), 2);
}

fn changed_config_is_planned_with_a_diff_and_applied(case: &Case) {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(false, &[("logs", "logs/")]));
    assert_exit(&apply(&emulator, &manifests), 0);

    manifests.write(
        "bucket.yaml",
        &case.manifest(false, &[("logs", "logs/v2/")]),
    );
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2);
    let change = &plan["changes"][0];
    assert_eq!(change["action"], case.change_action());
    let diff = change["diff"].as_str().unwrap();
    assert!(
        diff.contains("-    prefix: logs/") || diff.contains("-  prefix: logs/"),
        "{diff}"
    );
    assert!(diff.contains("logs/v2/"), "{diff}");

    let text = invsync(
        &emulator,
        &["plan", "--manifests", manifests.path().to_str().unwrap()],
    );
    assert_exit(&text, 0);
    assert!(
        stdout(&text).contains("logs/v2/"),
        "text plan shows the diff: {}",
        stdout(&text)
    );

    assert_exit(&apply(&emulator, &manifests), 0);
    assert!(
        case.live_config(&emulator, "logs")
            .contains("<Prefix>logs/v2/</Prefix>")
    );
    assert_eq!(plan_json(&emulator, &manifests).0, 0);
}

fn out_of_band_drift_is_corrected(case: &Case) {
    let emulator = Emulator::start();
    case.seed(&emulator, "logs", "logs/", false);
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(false, &[("logs", "logs/")]));

    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2);
    assert_eq!(plan["changes"][0]["action"], case.change_action());
    assert!(
        plan["changes"][0]["diff"]
            .as_str()
            .unwrap()
            .contains("enabled"),
        "{plan}"
    );

    assert_exit(&apply(&emulator, &manifests), 0);
    assert!(
        case.live_config(&emulator, "logs")
            .contains("<IsEnabled>true</IsEnabled>")
    );
    assert_eq!(plan_json(&emulator, &manifests).0, 0);
}

fn undeclared_config_is_left_alone_without_prune_and_deleted_with_it(case: &Case) {
    let emulator = Emulator::start();
    case.seed(&emulator, "handmade", "tmp/", true);
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(false, &[("logs", "logs/")]));

    let (_, plan) = plan_json(&emulator, &manifests);
    assert_eq!(summary(&plan, "unmanaged"), 1);
    assert_eq!(summary(&plan, "delete"), 0);
    let applied = apply(&emulator, &manifests);
    assert_exit(&applied, 0);
    assert!(
        stdout(&applied).contains("handmade"),
        "reported: {}",
        stdout(&applied)
    );
    assert_eq!(case.live_ids(&emulator), ["handmade", "logs"]);
    assert_eq!(case.calls(&emulator, Operation::Delete), 0);

    manifests.write("bucket.yaml", &case.manifest(true, &[("logs", "logs/")]));
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2);
    assert_eq!(summary(&plan, "delete"), 1);
    assert_exit(&apply(&emulator, &manifests), 0);
    assert_eq!(case.live_ids(&emulator), ["logs"]);
}

fn plan_of_250_configs_costs_three_lists_and_no_gets(case: &Case) {
    let emulator = Emulator::start();
    let ids: Vec<String> = (0..250).map(|i| format!("inv-{i:03}")).collect();
    for id in &ids {
        case.seed(&emulator, id, "data/", true);
    }
    let declared: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "data/")).collect();
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(false, &declared));
    emulator.handle.reset_stats();

    let (code, plan) = plan_json_with(&emulator, &manifests, &["--delivery-checks", "off"]);
    assert_eq!(code, 0, "{}", plan["summary"]);
    assert_eq!(summary(&plan, "in_sync"), 250);
    let stats = emulator.handle.stats();
    assert_eq!(stats.calls(case.provider, Operation::List), 3, "{stats:?}");
    assert_eq!(stats.calls(case.provider, Operation::Get), 0);
    assert_eq!(stats.total, 3, "{stats:?}");
}

fn apply_converges_under_30_percent_throttling_with_latency(case: &Case) {
    let emulator = Emulator::start();
    emulator
        .handle
        .set_faults(FaultConfig {
            error_rate: 0.3,
            // The first three requests are throttled for certain, so the run is never lucky.
            fail_next: 3,
            latency: std::time::Duration::from_millis(10),
            ..FaultConfig::default()
        })
        .unwrap();
    let declared: Vec<(String, String)> = (0..8)
        .map(|i| (format!("inv-{i}"), format!("p{i}/")))
        .collect();
    let declared: Vec<(&str, &str)> = declared
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(false, &declared));

    let output = invsync(
        &emulator,
        &[
            "apply",
            "--manifests",
            manifests.path().to_str().unwrap(),
            "--max-attempts",
            "12",
        ],
    );
    assert_exit(&output, 0);
    assert_eq!(case.live_ids(&emulator).len(), 8);
    let throttled = emulator.handle.stats().with_status(case.provider, 503);
    assert!(throttled > 0, "faults were injected");
}

fn wrong_secret_names_signature_mismatch_without_retrying(case: &Case) {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(false, &[("logs", "logs/")]));
    let output = invsync_with(
        &emulator,
        &["plan", "--manifests", manifests.path().to_str().unwrap()],
        &[
            ("TENCENTCLOUD_SECRET_KEY", "wrong-key"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "wrong-key"),
            ("AWS_SECRET_ACCESS_KEY", "wrong-key"),
        ],
    );
    assert_exit(&output, 1);
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(all.contains("SignatureDoesNotMatch"), "{all}");
    assert!(
        !all.contains("wrong-key"),
        "the secret is not printed: {all}"
    );
    let stats = emulator.handle.stats();
    assert_eq!(stats.total, 1, "a 403 is not retried: {stats:?}");
}

fn broken_manifest_exits_1_without_any_request(case: &Case) {
    let emulator = Emulator::start();
    case.seed(&emulator, "handmade", "tmp/", true);
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(true, &[("logs", "logs/")]));
    manifests.write(
        "broken.yaml",
        "apiVersion: invsync/v1\nkind: BucketInventory\nspec: [unclosed\n",
    );
    emulator.handle.reset_stats();

    for command in ["plan", "apply"] {
        let output = invsync(
            &emulator,
            &[command, "--manifests", manifests.path().to_str().unwrap()],
        );
        assert_exit(&output, 1);
        assert!(
            stderr(&output).contains("broken.yaml"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(emulator.handle.stats().total, 0, "no request of any kind");
    assert_eq!(case.live_ids(&emulator), ["handmade"]);
}

fn import_prints_a_manifest_that_plans_in_sync(case: &Case) {
    let emulator = Emulator::start();
    case.seed(&emulator, "logs", "logs/", true);
    case.seed(&emulator, "uploads", "uploads/", false);
    let output = invsync(
        &emulator,
        &[
            "import",
            "--provider",
            case.provider.as_str(),
            "--bucket",
            case.bucket,
            "--region",
            case.region,
        ],
    );
    assert_exit(&output, 0);
    let manifests = Manifests::new();
    manifests.write("imported.yaml", &stdout(&output));
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 0, "{}\n{plan}", stdout(&output));
    assert_eq!(summary(&plan, "in_sync"), 2);
}

fn no_secret_or_signature_appears_in_any_output_at_trace(case: &Case) {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(false, &[("logs", "logs/")]));
    let dir = manifests.path().to_str().unwrap();
    let mut all = String::new();
    for args in [
        vec!["plan", "--manifests", dir],
        vec!["apply", "--manifests", dir],
    ] {
        let output = invsync_with(&emulator, &args, &[("RUST_LOG", "trace")]);
        all.push_str(&stdout(&output));
        all.push_str(&stderr(&output));
    }
    let wrong = invsync_with(
        &emulator,
        &["plan", "--manifests", dir],
        &[
            ("RUST_LOG", "trace"),
            ("TENCENTCLOUD_SECRET_KEY", "zz-wrong-secret-zz"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "zz-wrong-secret-zz"),
            ("AWS_SECRET_ACCESS_KEY", "zz-wrong-secret-zz"),
        ],
    );
    all.push_str(&stdout(&wrong));
    all.push_str(&stderr(&wrong));
    assert!(all.len() > 1000, "trace logging produced output");
    for secret in [
        e2e::COS_KEY,
        e2e::OSS_KEY,
        e2e::S3_KEY,
        "zz-wrong-secret-zz",
        "q-signature=",
        "Signature=",
        "OSS4-HMAC-SHA256 Credential",
        "AWS4-HMAC-SHA256 Credential",
    ] {
        assert!(!all.contains(secret), "`{secret}` leaked");
    }
}

macro_rules! for_every_provider {
    ($($scenario:ident),* $(,)?) => {
        mod cos {
            $(#[test] fn $scenario() { super::$scenario(&super::cases::COS); })*
        }
        mod oss {
            $(#[test] fn $scenario() { super::$scenario(&super::cases::OSS); })*
        }
        mod s3 {
            $(#[test] fn $scenario() { super::$scenario(&super::cases::S3); })*
        }
    };
}

for_every_provider!(
    apply_creates_declared_configs_then_plan_is_in_sync,
    changed_config_is_planned_with_a_diff_and_applied,
    out_of_band_drift_is_corrected,
    undeclared_config_is_left_alone_without_prune_and_deleted_with_it,
    plan_of_250_configs_costs_three_lists_and_no_gets,
    apply_converges_under_30_percent_throttling_with_latency,
    wrong_secret_names_signature_mismatch_without_retrying,
    broken_manifest_exits_1_without_any_request,
    import_prints_a_manifest_that_plans_in_sync,
    no_secret_or_signature_appears_in_any_output_at_trace,
);
