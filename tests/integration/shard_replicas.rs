//! Three `invsync run` replicas against one emulator, as a StatefulSet runs them: each takes
//! its shard from its pod name, every bucket is reconciled by exactly one of them, and
//! together they cover all.

use crate::support::cases;
use crate::support::e2e;
use crate::support::process;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use cases::COS;
use e2e::{Emulator, Manifests};
use invsync::provider::Operation;
use process::{MAX_WAIT, Process, get, wait_ready};

const BUCKETS: usize = 12;

fn bucket(i: usize) -> String {
    format!("shard{i:02}-1250000000")
}

/// The buckets whose last successful reconcile this replica reports.
fn reconciled(metrics: &str) -> BTreeSet<String> {
    get(metrics, "/metrics")
        .1
        .lines()
        .filter(|l| l.starts_with("invsync_bucket_last_success_timestamp_seconds{"))
        .filter_map(|l| {
            l.split("bucket=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn three_replicas_reconcile_every_bucket_exactly_once_between_them() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    for i in 0..BUCKETS {
        manifests.write(
            &format!("b{i}.yaml"),
            &COS.manifest(false, &[("logs", "logs/")])
                .replace(COS.bucket, &bucket(i))
                .replace("name: e2e", &format!("name: b{i}")),
        );
    }
    let replicas: Vec<(Process, String)> = (0..3)
        .map(|i| {
            let host = format!("invsync-{i}");
            let process = Process::start_with(
                &emulator,
                &manifests,
                &["--shard-count", "3"],
                &[("HOSTNAME", host.as_str())],
            );
            let metrics = process.address();
            (process, metrics)
        })
        .collect();
    for (_, metrics) in &replicas {
        wait_ready(metrics);
    }

    let all: BTreeSet<String> = (0..BUCKETS).map(bucket).collect();
    let deadline = Instant::now() + MAX_WAIT;
    let shares = loop {
        let shares: Vec<BTreeSet<String>> = replicas.iter().map(|(_, m)| reconciled(m)).collect();
        let covered: BTreeSet<String> = shares.iter().flatten().cloned().collect();
        if covered == all || Instant::now() > deadline {
            break shares;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let total: usize = shares.iter().map(BTreeSet::len).sum();
    assert_eq!(
        total, BUCKETS,
        "no bucket reconciled by two replicas: {shares:?}"
    );
    let covered: BTreeSet<String> = shares.iter().flatten().cloned().collect();
    assert_eq!(covered, all, "together they cover every bucket");
    assert!(shares.iter().all(|s| !s.is_empty()), "{shares:?}");
    // Each config was created once, by its bucket's only owner.
    assert_eq!(COS.calls(&emulator, Operation::Put), BUCKETS as u64);

    for (i, (process, metrics)) in replicas.iter().enumerate() {
        let text = get(metrics, "/metrics").1;
        let series = format!(r#"invsync_shard_info{{shard="{i}",shards="3"}} 1"#);
        assert!(text.contains(&series), "{series} missing from\n{text}");
        let started = process.wait_for_log("daemon started");
        assert_eq!(started["shard"], format!("{i}/3"));
    }
}

#[test]
fn a_replica_without_an_index_or_ordinal_refuses_to_start() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let mut process = Process::start_with(
        &emulator,
        &manifests,
        &["--shard-count", "3"],
        &[("HOSTNAME", "laptop")],
    );
    let (code, _) = process.wait_exit();
    assert_eq!(code, Some(1));
    let logs = format!("{:?}", process.logs.lock().unwrap());
    assert!(logs.contains("--shard-index"), "{logs}");
}

#[test]
fn the_statefulset_runs_as_many_replicas_as_shards_under_a_headless_service() {
    let path = format!(
        "{}/deploy/kubernetes/statefulset.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let documents: Vec<serde_json::Value> = text
        .split("\n---\n")
        .map(|d| serde_saphyr::from_str(d).unwrap())
        .collect();
    let set = &documents[0];
    assert_eq!(set["kind"], "StatefulSet");
    assert_eq!(set["metadata"]["name"], "invsync", "pods are invsync-N");
    let replicas = set["spec"]["replicas"].as_u64().unwrap();
    let containers = set["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    let invsync = containers.iter().find(|c| c["name"] == "invsync").unwrap();
    let args: Vec<&str> = invsync["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        args.contains(&format!("--shard-count={replicas}").as_str()),
        "{args:?}"
    );
    assert!(
        !args.iter().any(|a| a.starts_with("--shard-index")),
        "index from the ordinal"
    );
    let service = &documents[1];
    assert_eq!(service["kind"], "Service");
    assert_eq!(service["spec"]["clusterIP"], "None");
    assert_eq!(set["spec"]["serviceName"], service["metadata"]["name"]);
}
