//! `invsync demo`: the embedded emulator seeded with drifted live state, the daemon reconciling
//! it against a manifests directory, and a narration of what it finds and corrects.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use invsync::cli::DemoArgs;
use invsync::emulator::{self, EmulatorConfig, EmulatorHandle};
use invsync::metrics::{DriftKind, Metrics};
use invsync::model::{BucketKey, DesiredState, Inventory};
use invsync::provider::endpoint_policy::EndpointPolicy;
use invsync::provider::http::HttpSettings;
use invsync::provider::{Credentials, StaticCredentials};
use invsync::reconcile::{ClientSettings, RunConfig, RunEvent, SettleGate, run as run_daemon};
use invsync::server::{self, Readiness};
use tokio::sync::{mpsc, oneshot};

/// `RUST_LOG` default of the demo: the narration on stdout tells the story, so logs show only
/// what needs attention (drift itself is narrated, not logged).
pub const LOG_FILTER: &str = "warn,invsync::reconcile::drift=error";

/// Longest wait for convergence with `--once`, far above the few seconds it takes.
const ONCE_DEADLINE: Duration = Duration::from_secs(60);

/// Id of the undeclared configuration the demo adds.
const UNDECLARED_ID: &str = "adhoc-export";

/// Exit codes: 0 after Ctrl-C (or after the first convergence with `--once`); 1 when the
/// manifests are invalid or (`--once`) the demo did not converge.
pub async fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let Some(desired) = super::load_or_report(&args.manifests, &EndpointPolicy::default()) else {
        return Ok(ExitCode::from(1));
    };
    if let Some(bucket) = desired.buckets.values().find(|b| b.endpoint.is_some()) {
        anyhow::bail!(
            "{}: spec.endpoint is set; the demo sends every request to its embedded emulator, \
             so use a copy of the manifests without it",
            bucket.origin
        );
    }
    let (cos_credentials, oss_credentials) =
        (demo_credentials("AKIDdemo"), demo_credentials("LTAIdemo"));
    let emulator = emulator::spawn(
        EmulatorConfig::default()
            .with_cos_credentials(&cos_credentials.0, &cos_credentials.1)
            .with_oss_credentials(&oss_credentials.0, &oss_credentials.1),
    )
    .await
    .context("starting the embedded emulator")?;
    println!(
        "invsync demo: emulated COS + OSS inventory API on {}",
        emulator.endpoint()
    );
    seed(&emulator, &desired, &args.manifests)?;

    let metrics = Metrics::new();
    let readiness = Readiness::new();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    println!("metrics on http://{}/metrics\n", listener.local_addr()?);
    let (stop_server, server_stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(
        listener,
        metrics.clone(),
        readiness.clone(),
        async {
            let _ = server_stopped.await;
        },
    ));

    let endpoint = Some(emulator.endpoint());
    let clients = super::build_clients(
        ClientSettings {
            cos_endpoint: endpoint.clone(),
            oss_endpoint: endpoint,
            http: HttpSettings {
                request_timeout: Duration::from_secs(5),
                ..HttpSettings::default()
            },
            ..ClientSettings::default()
        },
        static_source(cos_credentials),
        static_source(oss_credentials),
        Some(&metrics),
    )?;
    let (events, received) = mpsc::unbounded_channel();
    let mut config = RunConfig::new(&args.manifests, clients, metrics);
    config.schedule.resync_interval = args.interval;
    config.readiness = readiness;
    config.events = Some(events);
    config.shutdown_grace = Duration::from_secs(5);
    // Long enough for an editor's save of the example manifests, short enough for a demo.
    config.context.settle = SettleGate::new(Duration::from_secs(1));
    let (stop, stopped) = oneshot::channel::<()>();
    let terminate = super::run::termination()?;
    let shutdown = async move {
        tokio::select! {
            () = terminate => {}
            _ = stopped => {}
        }
    };
    let narration = narrate(received, stop, args.once, &args.manifests);
    let (result, converged) = tokio::join!(run_daemon(config, shutdown), narration);
    let _ = stop_server.send(());
    server.await.context("metrics server task")??;
    result.with_context(|| format!("--manifests {}", args.manifests.display()))?;
    emulator.shutdown().await?;
    Ok(if !args.once || converged {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A random key pair known only to this process, shared by the emulator and the clients.
fn demo_credentials(prefix: &str) -> (String, String) {
    let id = format!("{prefix}{:016x}", rand::random::<u64>());
    let secret = format!(
        "{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    );
    (id, secret)
}

fn static_source((id, secret): (String, String)) -> Arc<StaticCredentials> {
    Arc::new(StaticCredentials(Credentials::new(id, secret)))
}

/// How a seeded configuration differs from the manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeedKind {
    InSync,
    /// Stored with `enabled` flipped and another prefix.
    Drifted,
    /// Declared but not stored.
    Missing,
    /// Stored but declared nowhere.
    Undeclared,
}

/// The live state to start from: every declared configuration as declared, except the first
/// (drifted) and the last (missing), plus one undeclared configuration on a bucket that does
/// not prune if there is one (so it is reported and left alone) or else on the first bucket
/// (so prune deletes it).
fn seed_plan(desired: &DesiredState) -> Vec<(BucketKey, Inventory, SeedKind)> {
    let declared: Vec<(&BucketKey, &Inventory)> = desired
        .buckets
        .values()
        .flat_map(|b| b.inventories.iter().map(move |i| (&b.key, i)))
        .collect();
    let last = declared.len().saturating_sub(1);
    let mut seeds: Vec<(BucketKey, Inventory, SeedKind)> = declared
        .iter()
        .enumerate()
        .map(|(index, (key, inventory))| {
            let kind = match index {
                0 => SeedKind::Drifted,
                i if i == last => SeedKind::Missing,
                _ => SeedKind::InSync,
            };
            let inventory = if kind == SeedKind::Drifted {
                drifted(inventory)
            } else {
                (*inventory).clone()
            };
            ((*key).clone(), inventory, kind)
        })
        .collect();
    let host = desired
        .buckets
        .values()
        .filter(|b| !b.inventories.is_empty())
        .find(|b| !b.prune)
        .or_else(|| desired.buckets.values().find(|b| !b.inventories.is_empty()));
    if let Some(bucket) = host {
        let taken: BTreeSet<&str> = bucket.inventories.iter().map(Inventory::id).collect();
        let mut extra = bucket.inventories[0].clone();
        let id = (0..)
            .map(|n| {
                if n == 0 {
                    UNDECLARED_ID.to_string()
                } else {
                    format!("{UNDECLARED_ID}-{n}")
                }
            })
            .find(|id| !taken.contains(id.as_str()))
            .expect("an unused id exists");
        set_id(&mut extra, id);
        seeds.push((bucket.key.clone(), extra, SeedKind::Undeclared));
    }
    seeds
}

fn drifted(inventory: &Inventory) -> Inventory {
    let mut changed = inventory.clone();
    match &mut changed {
        Inventory::Cos(c) => {
            c.enabled = !c.enabled;
            c.filter.prefix = Some(format!(
                "{}old/",
                c.filter.prefix.clone().unwrap_or_default()
            ));
        }
        Inventory::Oss(o) => {
            o.enabled = !o.enabled;
            o.filter.prefix = Some(format!(
                "{}old/",
                o.filter.prefix.clone().unwrap_or_default()
            ));
        }
    }
    changed
}

fn set_id(inventory: &mut Inventory, id: String) {
    match inventory {
        Inventory::Cos(c) => c.id = id,
        Inventory::Oss(o) => o.id = id,
    }
}

fn seed(emulator: &EmulatorHandle, desired: &DesiredState, dir: &Path) -> anyhow::Result<()> {
    println!("seeded live state that differs from {}:", dir.display());
    let mut in_sync = 0;
    for (key, inventory, kind) in seed_plan(desired) {
        let what = match kind {
            SeedKind::InSync => {
                in_sync += 1;
                None
            }
            SeedKind::Drifted => Some("changed out of band (enabled flipped, prefix changed)"),
            SeedKind::Missing => Some("missing (declared, not live)"),
            SeedKind::Undeclared => Some("undeclared (live, in no manifest)"),
        };
        if kind != SeedKind::Missing {
            emulator
                .seed(&key, &inventory)
                .map_err(|e| anyhow::anyhow!("seeding {}: {e:?}", address(&key, inventory.id())))?;
        }
        if let Some(what) = what {
            println!("  {:<50} {what}", address(&key, inventory.id()));
        }
    }
    println!("  and {in_sync} configurations already in sync");
    Ok(())
}

fn address(key: &BucketKey, id: &str) -> String {
    format!("{}://{}/{id}", key.provider, key.bucket)
}

/// Prints the daemon's events as a story. With `once`, asks the daemon to stop after the
/// first convergence (or after [`ONCE_DEADLINE`]); returns whether it converged.
async fn narrate(
    mut events: mpsc::UnboundedReceiver<RunEvent>,
    stop: oneshot::Sender<()>,
    once: bool,
    dir: &Path,
) -> bool {
    let mut stop = Some(stop);
    let mut converged = false;
    let mut told = BTreeSet::new();
    let deadline = tokio::time::sleep(ONCE_DEADLINE);
    tokio::pin!(deadline);
    loop {
        let event = tokio::select! {
            event = events.recv() => match event { Some(event) => event, None => return converged },
            () = &mut deadline, if once && stop.is_some() => {
                println!("no convergence within {} s; stopping", ONCE_DEADLINE.as_secs());
                let _ = stop.take().map(|s| s.send(()));
                continue;
            }
        };
        match event {
            RunEvent::RevisionLoaded { revision, buckets } => {
                told.clear();
                println!("manifests revision {revision} in force: {buckets} buckets");
            }
            RunEvent::RevisionRejected { problems, .. } => {
                let count = match problems.len() {
                    1 => "1 problem".to_string(),
                    n => format!("{n} problems"),
                };
                println!("manifests rejected ({count}); the last good revision stays in force:");
                for problem in problems.iter().take(5) {
                    println!("  {problem}");
                }
            }
            RunEvent::Drift(drift) => {
                let line = format!(
                    "{} {}",
                    address(&drift.key, &drift.id),
                    describe(drift.kind, &drift.field_summary())
                );
                if told.insert(line.clone()) {
                    println!("drift found: {line}");
                }
            }
            RunEvent::Corrected(change) => {
                let at = address(&change.key, &change.id);
                told.retain(|line: &String| !line.starts_with(&format!("{at} ")));
                println!("corrected:   {at} ({})", change.action);
            }
            RunEvent::BucketFailed { key, reason } => {
                println!("failed:      {key}: {reason} (retrying with backoff)");
            }
            RunEvent::InSync {
                revision,
                configs,
                buckets,
            } => {
                println!(
                    "in sync: {configs} configurations across {buckets} buckets (revision {revision})"
                );
                if once {
                    converged = true;
                    let _ = stop.take().map(|s| s.send(()));
                } else if !converged {
                    converged = true;
                    println!(
                        "\nwatching {} — edit a manifest and watch the emulator converge; Ctrl-C to stop",
                        dir.display()
                    );
                }
            }
        }
    }
}

fn describe(kind: DriftKind, fields: &str) -> String {
    match kind {
        DriftKind::Missing => "missing".to_string(),
        DriftKind::Changed => format!("changed ({fields})"),
        DriftKind::Unmanaged => "unmanaged (live, not declared)".to_string(),
    }
}
