//! The benchmark harness at a tiny size: it runs every scenario, writes the JSON report, manifest
//! loading is compared with the YAML parser's floor, the steady-state plan costs exactly one LIST
//! per bucket, and a daemon edit reads only its bucket; a small fleet behind policies costs the
//! listing pages, a tag read per bucket and one LIST per covered bucket a pass.

use std::process::Command;

use serde_json::Value;

fn scenario<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["scenarios"]
        .as_array()
        .expect("scenarios array")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("scenario {name} missing in {report}"))
}

#[test]
fn tiny_benchmark_over_cos_oss_and_s3_reports_every_scenario_with_one_list_per_bucket() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("bench.json");
    let output = Command::new(env!("CARGO_BIN_EXE_invsync-bench"))
        .args([
            "--buckets",
            "3",
            "--configs",
            "5",
            "--runs",
            "1",
            "--edits",
            "2",
            "--providers",
            "cos,oss,s3",
        ])
        .arg("--json")
        .arg(&json)
        .arg("--invsync")
        .arg(env!("CARGO_BIN_EXE_invsync"))
        .output()
        .expect("running invsync-bench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "bench failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("| steady_plan |"),
        "table printed: {stdout}"
    );

    let report: Value =
        serde_json::from_slice(&std::fs::read(&json).expect("JSON written")).expect("valid JSON");
    assert_eq!(report["total_configs"], 15);

    let load = scenario(&report, "load");
    assert_eq!(load["status"], "measured", "{load}");
    let extra = &load["extra"];
    assert!(extra["floor_events"].as_f64().unwrap() > 0.0, "{load}");
    assert!(extra["floor_cpu_ms"].as_f64().unwrap() > 0.0, "{load}");
    assert!(extra["child_cpu_ms"].as_f64().unwrap() > 0.0, "{load}");
    let ratio = extra["cpu_ratio_validate_to_floor"].as_f64().unwrap();
    assert!(ratio.is_finite() && ratio > 0.0, "{load}");
    assert!(
        extra["floor_mb_per_cpu_s"].as_f64().unwrap() > 0.0,
        "{load}"
    );
    assert!(
        extra["validate_mb_per_cpu_s"].as_f64().unwrap() > 0.0,
        "{load}"
    );
    assert!(stdout.contains("| load |"), "table printed: {stdout}");

    // The same buckets written as the README's examples are, against their own floor.
    let readme_style = scenario(&report, "load_readme_style");
    assert_eq!(readme_style["status"], "measured", "{readme_style}");
    let extra = &readme_style["extra"];
    assert!(
        extra["floor_events"].as_f64().unwrap() > load["extra"]["floor_events"].as_f64().unwrap(),
        "the README style spells out more settings: {readme_style}"
    );
    let ratio = extra["cpu_ratio_validate_to_floor"].as_f64().unwrap();
    assert!(ratio.is_finite() && ratio > 0.0, "{readme_style}");

    let cold = scenario(&report, "cold_apply");
    assert_eq!(cold["status"], "measured");
    assert_eq!(cold["calls"]["put"], 15, "every configuration created");
    assert_eq!(cold["calls"]["failed"], 0);
    assert!(cold["extra"]["writes_per_second"].as_f64().unwrap() > 0.0);

    let steady = scenario(&report, "steady_plan");
    assert_eq!(steady["calls"]["list"], 3, "one LIST per bucket");
    assert_eq!(steady["calls"]["get"], 0);
    assert_eq!(steady["calls"]["put"], 0);
    assert_eq!(steady["calls"]["delete"], 0);
    assert!(
        steady["peak_rss_bytes"].as_u64().unwrap() > 1 << 20,
        "child RSS measured"
    );
    assert!(steady["wall_median_ms"].as_f64().unwrap() > 0.0);

    let drift = scenario(&report, "one_bucket_drift");
    let writes =
        drift["calls"]["put"].as_u64().unwrap() + drift["calls"]["delete"].as_u64().unwrap();
    assert!(
        (1..=2).contains(&writes),
        "one configuration rewritten: {drift}"
    );

    let daemon = scenario(&report, "daemon_edit_to_converged");
    assert_eq!(daemon["status"], "measured", "{daemon}");
    assert_eq!(
        daemon["wall_ms"].as_array().unwrap().len(),
        2,
        "one latency per edit"
    );
    let lists = daemon["calls"]["list"].as_u64().unwrap();
    assert!(
        lists <= 2 * 2,
        "an edit reads only its own bucket: {daemon}"
    );
    let p50 = daemon["extra"]["p50_ms"].as_f64().unwrap();
    assert!(daemon["extra"]["p99_ms"].as_f64().unwrap() >= p50);
}

#[test]
fn small_fleet_behind_one_policy_per_provider_costs_listing_pages_tag_reads_and_one_list_per_covered_bucket()
 {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("fleet.json");
    let output = Command::new(env!("CARGO_BIN_EXE_invsync-bench"))
        .args([
            "--scenario",
            "fleet",
            "--buckets",
            "300",
            "--new-buckets",
            "2",
        ])
        .arg("--json")
        .arg(&json)
        .arg("--invsync")
        .arg(env!("CARGO_BIN_EXE_invsync"))
        .output()
        .expect("running invsync-bench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "bench failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("| fleet_steady_pass |"), "{stdout}");

    let report: Value =
        serde_json::from_slice(&std::fs::read(&json).expect("JSON written")).expect("valid JSON");
    assert_eq!(report["providers"], serde_json::json!(["cos", "oss", "s3"]));
    assert_eq!(report["total_configs"], 270, "10 % of 300 tagged out");

    let converge = scenario(&report, "fleet_converge");
    assert_eq!(converge["calls"]["put"], 270, "{converge}");

    // The discovery pass alone: each provider's listing (100 buckets: one page), every listed
    // bucket's tags (the selector needs them), no LIST and no write.
    let discovery = scenario(&report, "fleet_discovery_pass");
    let calls = &discovery["calls"];
    assert_eq!(calls["listing_pages"], 3, "{discovery}");
    assert_eq!(calls["tag_reads"], 300, "{discovery}");
    for op in ["get", "put", "delete", "failed"] {
        assert_eq!(calls[op], 0, "{op}: {discovery}");
    }
    let ratio = discovery["extra"]["cpu_ratio_to_floor"].as_f64().unwrap();
    assert!(ratio.is_finite() && ratio > 0.0, "{discovery}");
    // The first daemon pass: a LIST of every covered bucket, whole listings with their tag
    // reads (the daemon may list more than once as it starts), no write.
    let steady = scenario(&report, "fleet_steady_pass");
    let calls = &steady["calls"];
    assert!(calls["list"].as_u64().unwrap() >= 270, "{steady}");
    assert_eq!(calls["tag_reads"].as_u64().unwrap() % 300, 0, "{steady}");
    assert_eq!(calls["put"], 0, "{steady}");
    assert_eq!(calls["delete"], 0, "{steady}");
    let discovery = scenario(&report, "fleet_discovery_pass");
    assert_eq!(discovery["calls"]["list"], 0, "a discovery pass alone");
    assert!(
        discovery["peak_rss_bytes"].as_u64().unwrap() > 1 << 20,
        "daemon RSS measured"
    );

    let new = scenario(&report, "fleet_new_bucket");
    assert_eq!(
        new["calls"]["put"], 2,
        "each new bucket written once: {new}"
    );
    assert_eq!(new["wall_ms"].as_array().unwrap().len(), 2);
    let p50 = new["extra"]["p50_ms"].as_f64().unwrap();
    assert!(new["extra"]["p99_ms"].as_f64().unwrap() >= p50);
}
