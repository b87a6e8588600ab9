//! `invsync demo`: the embedded emulator seeded with drifted live state, the daemon reconciling
//! it against a manifests directory, and a narration of what it finds and corrects.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use invsync::cli::DemoArgs;
use invsync::emulator::{self, EmulatorConfig, EmulatorHandle};
use invsync::metrics::{DriftKind, Metrics};
use invsync::model::{BucketKey, DesiredState, Inventory, Provider};
use invsync::provider::endpoint_policy::EndpointPolicy;
use invsync::provider::http::HttpSettings;
use invsync::provider::registry;
use invsync::provider::{CredentialSource, Credentials, StaticCredentials};
use invsync::reconcile::{ClientSettings, RunConfig, RunEvent, SettleGate, run as run_daemon};
use invsync::serve::Limits;
use invsync::server::{self, Readiness};
use invsync::status::StatusBoard;
use tokio::sync::{mpsc, oneshot};

/// `RUST_LOG` default of the demo: the narration on stdout tells the story, so logs show only
/// what needs attention (drift itself is narrated, not logged).
pub(crate) const LOG_FILTER: &str = "warn,invsync::reconcile::drift=error";

/// Longest wait for convergence with `--once`, far above the few seconds it takes.
const ONCE_DEADLINE: Duration = Duration::from_secs(60);

/// Id of the undeclared configuration the demo adds.
const UNDECLARED_ID: &str = "adhoc-export";

// The example manifests of the repository's `manifests/`, embedded by build.rs, so the demo
// runs from any directory: a `cargo install`ed binary, the container image, a release archive.
include!(concat!(env!("OUT_DIR"), "/demo_manifests.rs"));

/// Exit codes: 0 after Ctrl-C (or after the first convergence with `--once`); 1 when the
/// manifests are invalid or (`--once`) the demo did not converge.
pub(crate) async fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    // Kept until the demo ends: dropping it removes the written examples.
    let examples;
    let dir = match &args.manifests {
        Some(dir) => dir.clone(),
        None => {
            examples = write_examples().context("writing the example manifests")?;
            say(&format!(
                "invsync demo: example manifests written to {} (--manifests DIR for your own)",
                examples.path().display()
            ))?;
            examples.path().to_path_buf()
        }
    };
    let Some(desired) = super::load_or_report(&dir, &EndpointPolicy::default()) else {
        return Ok(ExitCode::from(1));
    };
    if let Some(bucket) = desired.buckets.values().find(|b| b.endpoint.is_some()) {
        anyhow::bail!(
            "{}: spec.endpoint is set; the demo sends every request to its embedded emulator, \
             so use a copy of the manifests without it",
            bucket.origin
        );
    }
    let credentials: BTreeMap<Provider, (String, String)> = Provider::ALL
        .into_iter()
        .map(|provider| (provider, demo_credentials(provider)))
        .collect();
    let emulator = emulator::spawn(credentials.iter().fold(
        EmulatorConfig::default(),
        |config, (provider, (id, secret))| config.with_credentials(*provider, id, secret),
    ))
    .await
    .context("starting the embedded emulator")?;
    say(&format!(
        "invsync demo: emulated {} inventory API on {}",
        Provider::ALL
            .map(|provider| registry::spec(provider).short_title())
            .join(" + "),
        emulator.endpoint()
    ))?;
    seed(&emulator, &desired, &dir)?;

    let metrics = Metrics::new();
    let readiness = Readiness::new();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    say(&format!(
        "metrics on http://{}/metrics\n",
        listener.local_addr()?
    ))?;
    let (stop_server, server_stopped) = oneshot::channel::<()>();
    let board = StatusBoard::new().with_metrics(metrics.clone());
    let server = tokio::spawn(server::serve_with(
        listener,
        metrics.clone(),
        readiness.clone(),
        invsync::status::http::router(board.clone()),
        Limits::ENDPOINTS,
        async {
            let _ = server_stopped.await;
        },
    ));

    let clients = super::build_clients(
        ClientSettings {
            http: HttpSettings {
                request_timeout: Duration::from_secs(5),
                ..HttpSettings::default()
            },
            ..ClientSettings::default()
        }
        .with_endpoint_for_all(&emulator.endpoint().parse()?),
        credentials
            .into_iter()
            .map(|(provider, keys)| (provider, static_source(keys)))
            .collect(),
        Some(&metrics),
    )?;
    let (events, received) = mpsc::unbounded_channel();
    let mut config = RunConfig::new(&dir, clients, metrics);
    config.outcomes = Some(std::sync::Arc::new(board));
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
    let narration = narrate(received, stop, args.once, &dir);
    let (result, narrated) = tokio::join!(run_daemon(config, shutdown), narration);
    let _ = stop_server.send(());
    server.await.context("metrics server task")??;
    result.with_context(|| format!("--manifests {}", dir.display()))?;
    emulator.shutdown().await?;
    let converged = narrated?;
    Ok(if !args.once || converged {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes [`DEMO_MANIFESTS`] into a new temporary directory, removed when the value is dropped.
fn write_examples() -> io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix("invsync-demo-").tempdir()?;
    for (relative, text) in DEMO_MANIFESTS {
        let path: PathBuf = dir.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(dir)
}

/// One line of narration on stdout.
///
/// # Errors
/// Stdout is closed (`invsync demo | head`); the demo then stops.
fn say(line: &str) -> io::Result<()> {
    super::output::println(line)
}

/// A random key pair known only to this process, shared by the emulator and the clients.
/// A made-up key pair for `provider`, shaped as its keys are, new for every demo.
fn demo_credentials(provider: Provider) -> (String, String) {
    let prefix = registry::spec(provider).example.key_id_prefix;
    let id = format!("{prefix}demo{:016x}", rand::random::<u64>());
    let secret = format!(
        "{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    );
    (id, secret)
}

fn static_source((id, secret): (String, String)) -> Arc<dyn CredentialSource> {
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
        extra.set_id(id);
        seeds.push((bucket.key.clone(), extra, SeedKind::Undeclared));
    }
    seeds
}

/// The same configuration, switched on or off and with its prefix moved below `old/`.
fn drifted(inventory: &Inventory) -> Inventory {
    let mut changed = inventory.clone();
    let enabled = changed.enabled_mut();
    *enabled = !*enabled;
    let prefix = changed.filter_prefix_mut();
    *prefix = Some(format!("{}old/", prefix.clone().unwrap_or_default()));
    changed
}

fn seed(emulator: &EmulatorHandle, desired: &DesiredState, dir: &Path) -> anyhow::Result<()> {
    say(&format!(
        "seeded live state that differs from the manifests in {}:",
        dir.display()
    ))?;
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
            say(&format!("  {:<50} {what}", address(&key, inventory.id())))?;
        }
    }
    say(&format!("  and {in_sync} configurations already in sync"))?;
    Ok(())
}

fn address(key: &BucketKey, id: &str) -> String {
    format!("{}://{}/{id}", key.provider, key.bucket)
}

/// Prints the daemon's events as a story. With `once`, asks the daemon to stop after the
/// first convergence (or after [`ONCE_DEADLINE`]); returns whether it converged.
///
/// # Errors
/// Stdout is closed; the daemon has then been asked to stop.
async fn narrate(
    mut events: mpsc::UnboundedReceiver<RunEvent>,
    stop: oneshot::Sender<()>,
    once: bool,
    dir: &Path,
) -> io::Result<bool> {
    let mut stop = Some(stop);
    let mut story = Story {
        once,
        dir,
        converged: false,
        told: BTreeSet::new(),
    };
    let deadline = tokio::time::sleep(ONCE_DEADLINE);
    tokio::pin!(deadline);
    loop {
        let (text, done) = tokio::select! {
            event = events.recv() => match event {
                Some(event) => story.tell(event),
                None => return Ok(story.converged),
            },
            () = &mut deadline, if once && stop.is_some() => {
                (format!("no convergence within {} s; stopping\n", ONCE_DEADLINE.as_secs()), true)
            }
        };
        if let Err(error) = super::output::print(&text) {
            let _ = stop.take().map(|s| s.send(()));
            return Err(error);
        }
        if done {
            let _ = stop.take().map(|s| s.send(()));
        }
    }
}

/// What the narration has told so far.
struct Story<'a> {
    once: bool,
    dir: &'a Path,
    converged: bool,
    /// Drift lines already printed, so a bucket re-read before its correction lands does not
    /// repeat them.
    told: BTreeSet<String>,
}

impl Story<'_> {
    /// The lines that tell `event`, and whether the demo is done (`--once` converged).
    fn tell(&mut self, event: RunEvent) -> (String, bool) {
        let mut out = String::new();
        let mut done = false;
        match event {
            RunEvent::RevisionLoaded { revision, buckets } => {
                self.told.clear();
                let _ = writeln!(
                    out,
                    "manifests revision {revision} in force: {buckets} buckets"
                );
            }
            RunEvent::RevisionRejected { problems, .. } => {
                let count = match problems.len() {
                    1 => "1 problem".to_string(),
                    n => format!("{n} problems"),
                };
                let _ = writeln!(
                    out,
                    "manifests rejected ({count}); the last good revision stays in force:"
                );
                for problem in problems.iter().take(5) {
                    let _ = writeln!(out, "  {problem}");
                }
            }
            RunEvent::Drift(drift) => {
                let line = format!(
                    "{} {}",
                    address(&drift.key, &drift.id),
                    describe(drift.kind, &drift.field_summary())
                );
                if self.told.insert(line.clone()) {
                    let _ = writeln!(out, "drift found: {line}");
                }
            }
            RunEvent::Corrected(change) => {
                let at = address(&change.key, &change.id);
                self.told
                    .retain(|line: &String| !line.starts_with(&format!("{at} ")));
                let _ = writeln!(out, "corrected:   {at} ({})", change.action);
            }
            RunEvent::ForeignBlocked(blocked) => {
                let line = format!(
                    "{} ({} held back: invsync does not model {})",
                    address(&blocked.key, &blocked.id),
                    blocked.held_back,
                    blocked.unmodelled.join(", ")
                );
                if self.told.insert(line.clone()) {
                    let _ = writeln!(out, "blocked:     {line}");
                }
            }
            RunEvent::Delivery(delivery) => {
                let _ = writeln!(
                    out,
                    "delivery:    {} {}: {}",
                    address(&delivery.key, &delivery.id),
                    delivery.kind.as_str(),
                    delivery.message
                );
            }
            RunEvent::BucketFailed { key, reason } | RunEvent::BucketBlocked { key, reason } => {
                let _ = writeln!(out, "failed:      {key}: {reason} (retrying with backoff)");
            }
            RunEvent::InSync {
                revision,
                configs,
                buckets,
            } => {
                let _ = writeln!(
                    out,
                    "in sync: {configs} configurations across {buckets} buckets (revision {revision})"
                );
                if self.once {
                    self.converged = true;
                    done = true;
                } else if !self.converged {
                    self.converged = true;
                    let _ = writeln!(
                        out,
                        "\nwatching {} — edit a manifest and watch the emulator converge; Ctrl-C to stop",
                        self.dir.display()
                    );
                }
            }
        }
        (out, done)
    }
}

fn describe(kind: DriftKind, fields: &str) -> String {
    match kind {
        DriftKind::Missing => "missing".to_string(),
        DriftKind::Changed => format!("changed ({fields})"),
        DriftKind::Unmanaged => "unmanaged (live, not declared)".to_string(),
    }
}
