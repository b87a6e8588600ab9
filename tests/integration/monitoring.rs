//! The alert rules and the Grafana dashboard in deploy/monitoring: promtool accepts the rules
//! and their unit tests, both packagings agree, every runbook exists, and the dashboard queries
//! only metrics a running daemon really exports.

use crate::support::cases;
use crate::support::e2e;
use crate::support::process;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cases::{COS, OSS};
use e2e::{Emulator, Manifests};
use invsync::emulator::FaultConfig;
use invsync::model::Provider;
use process::{Process, get, wait_ready};
use serde_json::Value;

fn monitoring(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy/monitoring")
        .join(file)
}

fn read(file: &str) -> String {
    std::fs::read_to_string(monitoring(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn yaml(file: &str) -> Value {
    serde_saphyr::from_str(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn alerts() -> Vec<Value> {
    yaml("invsync.rules.yaml")["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap().clone())
        .collect()
}

/// Every `invsync_*` identifier in `text`.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("invsync_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.insert(tail[..end].to_string());
        rest = &tail[end..];
    }
    names
}

#[test]
fn the_prometheus_rule_object_carries_exactly_the_plain_rules() {
    let plain = yaml("invsync.rules.yaml");
    let object = yaml("prometheusrule.yaml");
    assert_eq!(object["kind"], "PrometheusRule");
    assert_eq!(object["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(object["spec"]["groups"], plain["groups"]);
}

#[test]
fn every_alert_has_a_severity_summary_description_and_an_existing_runbook_section() {
    let readme = read("README.md");
    let alerts = alerts();
    assert_eq!(alerts.len(), 9);
    for alert in alerts {
        let name = alert["alert"].as_str().unwrap();
        let severity = alert["labels"]["severity"].as_str().unwrap_or_default();
        assert!(
            ["critical", "warning", "info"].contains(&severity),
            "{name}: severity `{severity}`"
        );
        for annotation in ["summary", "description"] {
            let text = alert["annotations"][annotation]
                .as_str()
                .unwrap_or_default();
            assert!(text.len() > 20, "{name}: {annotation} `{text}`");
        }
        let url = alert["annotations"]["runbook_url"].as_str().unwrap();
        let anchor = url.rsplit_once('#').unwrap().1;
        assert_eq!(anchor, name.to_lowercase(), "{name}: {url}");
        assert!(
            url.contains("deploy/monitoring/README.md#"),
            "{name}: {url}"
        );
        assert!(
            readme.contains(&format!("\n## {name}\n")),
            "no runbook section `## {name}` in deploy/monitoring/README.md"
        );
    }
}

/// `promtool ARGS` in deploy/monitoring; `None` when promtool is not installed (a failure
/// under CI, where .ci/run installs it).
fn promtool(args: &[&str]) -> Option<std::process::Output> {
    match Command::new("promtool")
        .args(args)
        .current_dir(monitoring(""))
        .output()
    {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CI").is_none(),
                "promtool is not installed; .ci/run installs it (Debian package `prometheus`)"
            );
            eprintln!(
                "SKIPPED: promtool not found; install Debian's `prometheus` package to run this test"
            );
            None
        }
        Err(error) => panic!("cannot run promtool: {error}"),
    }
}

#[test]
fn promtool_accepts_the_rules_and_every_alert_fires_and_stays_quiet_in_its_unit_tests() {
    for args in [
        &["check", "rules", "invsync.rules.yaml"][..],
        &["test", "rules", "invsync.rules.test.yaml"][..],
    ] {
        let Some(output) = promtool(args) else { return };
        assert!(
            output.status.success(),
            "promtool {args:?}\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let tests = read("invsync.rules.test.yaml");
    for alert in alerts() {
        let name = alert["alert"].as_str().unwrap();
        let line = format!("alertname: {name}\n        exp_alerts: []");
        assert!(tests.contains(&line), "{name} is never shown staying quiet");
        let fires = tests
            .split(&format!("alertname: {name}\n"))
            .skip(1)
            .any(|after| after.trim_start().starts_with("exp_alerts:\n"));
        assert!(fires, "{name} is never shown firing");
    }
}

#[test]
fn the_dashboard_config_map_embeds_the_dashboard_json_with_the_sidecar_label() {
    let map = yaml("grafana-dashboard-configmap.yaml");
    assert_eq!(map["metadata"]["labels"]["grafana_dashboard"], "1");
    let embedded: Value =
        serde_json::from_str(map["data"]["invsync.json"].as_str().unwrap()).unwrap();
    let file: Value = serde_json::from_str(&read("grafana-dashboard.json")).unwrap();
    assert_eq!(embedded, file);
}

/// Sampled only once a valid report was found, which this test's destinations never get
/// (`delivery_health::the_daemon_finds_the_report_overdue_*` shows it exported).
const REPORT_AGE: &str = "invsync_report_age_seconds";

/// The sample names of a `/metrics` answer.
fn exported(scrape: &str) -> BTreeSet<String> {
    scrape
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(['{', ' ']).next())
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_dashboard_and_alerts_query_only_metrics_a_running_daemon_exports() {
    // Drift on COS, a missing OSS bucket (reconcile errors) and two throttled calls (retries),
    // so that every family has a sample.
    let emulator = Emulator::start_with(|config| {
        config.strict_buckets = true;
        config.buckets.push((Provider::COS, COS.bucket.to_string()));
    });
    emulator
        .handle
        .set_faults(FaultConfig {
            fail_next: 2,
            ..FaultConfig::default()
        })
        .unwrap();
    COS.seed(&emulator, "logs", "logs/", false);
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    manifests.write("oss.yaml", &OSS.manifest(false, &[("logs", "logs/")]));
    // A fleet policy (covering no bucket), so that discovery and coverage are exported too.
    manifests.write(
        "policy.yaml",
        &format!(
            "apiVersion: invsync/v1\nkind: InventoryPolicy\nmetadata: {{name: fleet}}\nspec:\n  provider: oss\n  selector: {{names: [\"fleet-*\"]}}\n  idPrefix: fleet-\n  inventories:\n    - id: fleet-daily\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      destination:\n{}",
            OSS.destination_yaml()
        ),
    );
    let process = Process::start(&emulator, &manifests);
    let addr = process.address();
    wait_ready(&addr);
    let deadline = Instant::now() + Duration::from_secs(20);
    let names = loop {
        let mut names = exported(&get(&addr, "/metrics").1);
        names.insert(REPORT_AGE.to_string());
        // The delivery checks of the bucket in sync set its delivery state (its destination
        // does not exist: pending, not ready).
        let sampled = [
            "invsync_bucket_consecutive_failures",
            "invsync_policy_buckets",
            "invsync_report_delivery_state",
        ];
        if sampled.iter().all(|n| names.contains(*n)) || Instant::now() > deadline {
            break names;
        }
        std::thread::sleep(Duration::from_millis(50));
    };

    let dashboard = read("grafana-dashboard.json");
    let used = metric_names(&dashboard);
    assert!(used.len() >= 10, "{used:?}");
    let unknown: Vec<_> = used.difference(&names).collect();
    assert!(
        unknown.is_empty(),
        "the dashboard queries {unknown:?}, not exported by the daemon: {names:?}"
    );
    let rules = read("invsync.rules.yaml");
    let unknown: Vec<_> = metric_names(&rules)
        .into_iter()
        .filter(|n| !names.contains(n))
        .collect();
    assert!(
        unknown.is_empty(),
        "the alerts query {unknown:?}, not exported by the daemon: {names:?}"
    );
}
