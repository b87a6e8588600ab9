//! `invsync-bench`: measures `invsync` at scale against an in-process emulator.
//!
//! Scenarios, each run `--runs` times as a child process of the real `invsync` binary:
//! - `load`: `validate` on the generated manifests, against a bare event scan of the same files
//!   with the YAML parser (the floor); see `load.rs`; `load_readme_style` the same on the same
//!   buckets written as the README's examples are (comments, booleans, quoted strings, flow
//!   mappings);
//! - `cold_apply`: a fresh emulator, `apply` creates every configuration;
//! - `steady_plan`: everything in sync, `plan` must cost exactly one LIST per bucket and no
//!   writes;
//! - `one_bucket_drift`: one manifest edited (one configuration changed), `apply`;
//! - `daemon_edit_to_converged`: `invsync run` over every bucket; one manifest edited at a time,
//!   timed until the emulator holds the edit (p50/p99 over `--edits` edits).
//!
//! With `--scenario fleet`, fleet policies over `--buckets` buckets instead: see `fleet.rs`.
//!
//! Wall time is the median over the runs; API calls come from the emulator's counters; peak RSS
//! is the child's `ru_maxrss`, so the emulator's own memory never counts. Results are printed
//! as a Markdown table and, with `--json PATH`, written as JSON.

mod args;
mod child;
mod daemon;
mod fixture;
mod fleet;
mod fleet_daemon;
mod fleet_fixture;
mod fleet_floor;
mod load;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use clap::Parser;
use invsync::emulator::{EmulatorConfig, EmulatorHandle};
use invsync::model::Provider;

use args::{BenchArgs, ScenarioSet};
use child::{ChildRun, Invoker};
use fixture::{Bucket, Style};
use report::{Calls, Report, Scenario};

fn main() -> ExitCode {
    let args = BenchArgs::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let (bucket_count, configs) = args.size();
    ensure!(
        bucket_count > 0 && configs > 0,
        "--buckets and --configs must be positive"
    );
    ensure!(args.runs > 0, "--runs must be positive");
    let providers = match (&args.providers, args.scenario) {
        (Some(names), _) => parse_providers(names)?,
        (None, ScenarioSet::Inventory) => parse_providers(&["cos".into(), "oss".into()])?,
        (None, ScenarioSet::Fleet) => Provider::ALL.to_vec(),
    };
    let binary = invsync_binary(args.invsync.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let scratch = Scratch::create()?;
    if args.scenario == ScenarioSet::Fleet {
        let mut invoker = Invoker {
            binary,
            endpoint: String::new(),
            concurrency: args.concurrency,
            max_requests_per_second: args.max_requests_per_second,
            scratch: scratch.0.clone(),
            delivery_checks: delivery_checks(args),
        };
        let fleet_args = fleet::FleetArgs {
            providers: &providers,
            buckets: bucket_count,
            tagged_out_percent: args.tagged_out_percent,
            new_buckets: args.new_buckets,
            discover_wait: args.discover_wait,
        };
        let (scenarios, covered) = fleet::fleet(&runtime, &mut invoker, &scratch.0, &fleet_args)?;
        return finish(args, bucket_count, 1, covered, &providers, scenarios);
    }
    let manifests = scratch.0.join("manifests");
    std::fs::create_dir_all(&manifests)?;
    let buckets = fixture::buckets(&providers, bucket_count);
    fixture::write_manifests(&manifests, &buckets, configs, Style::Generated)?;
    let readme_manifests = scratch.0.join("manifests-readme-style");
    std::fs::create_dir_all(&readme_manifests)?;
    fixture::write_manifests(&readme_manifests, &buckets, configs, Style::Readme)?;
    let total = bucket_count * configs;
    let mut invoker = Invoker {
        binary,
        endpoint: String::new(),
        concurrency: args.concurrency,
        max_requests_per_second: args.max_requests_per_second,
        scratch: scratch.0.clone(),
        delivery_checks: delivery_checks(args),
    };

    let mut scenarios = vec![
        load::load("load", &invoker, &manifests, args.runs, total)?,
        load::load(
            "load_readme_style",
            &invoker,
            &readme_manifests,
            args.runs,
            total,
        )?,
    ];
    if args.load_only {
        return finish(args, bucket_count, configs, total, &providers, scenarios);
    }
    let (cold, emulator) = cold_apply(&runtime, &mut invoker, &manifests, args.runs, total)?;
    scenarios.push(cold);
    scenarios.push(steady_plan(
        &emulator, &invoker, &manifests, args.runs, &buckets, total,
    )?);
    scenarios.push(drift(
        &emulator, &invoker, &manifests, args.runs, &buckets, configs, total,
    )?);
    if args.skip_daemon {
        scenarios.push(Scenario::not_measured(
            "daemon_edit_to_converged",
            "skipped (--skip-daemon)",
        ));
    } else {
        let edits = args.edits.max(1);
        scenarios.push(daemon::edit_to_converged(
            &emulator, &invoker, &manifests, &buckets, configs, edits, total,
        )?);
    }
    drop(emulator);
    finish(args, bucket_count, configs, total, &providers, scenarios)
}

/// Prints the report and writes its JSON.
fn finish(
    args: &BenchArgs,
    bucket_count: usize,
    configs: usize,
    total: usize,
    providers: &[Provider],
    scenarios: Vec<Scenario>,
) -> anyhow::Result<()> {
    let report = Report {
        buckets: bucket_count,
        configs_per_bucket: configs,
        total_configs: total,
        providers: providers.iter().map(|p| p.as_str().to_string()).collect(),
        concurrency: args.concurrency,
        max_requests_per_second: args.max_requests_per_second,
        // The fleet rows are measured once each.
        runs: if args.scenario == ScenarioSet::Fleet {
            1
        } else {
            args.runs
        },
        scenarios,
    };
    print!("{}", report::markdown(&report));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Each run on a fresh emulator; the last one is kept (in sync) for the next scenarios.
fn cold_apply(
    runtime: &tokio::runtime::Runtime,
    invoker: &mut Invoker,
    manifests: &Path,
    runs: usize,
    total: usize,
) -> anyhow::Result<(Scenario, Emulator)> {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut peak = 0;
    let mut first_calls = None;
    let mut last = None;
    for _ in 0..runs {
        drop(last.take());
        let emulator = Emulator::start(runtime)?;
        invoker.endpoint = emulator.handle.endpoint();
        let run = invoker.run(&["apply", "--color", "never"], manifests)?;
        expect_exit(&run, 0, "cold apply")?;
        let calls = Calls::from_stats(&emulator.handle.stats());
        ensure!(
            calls.put == total as u64,
            "cold apply wrote {} of {total} configurations",
            calls.put
        );
        walls.push(run.wall);
        cpus.push(run.cpu.as_secs_f64() * 1000.0);
        peak = peak.max(run.peak_rss);
        first_calls.get_or_insert(calls);
        last = Some(emulator);
    }
    let calls = first_calls.unwrap_or_default();
    let mut scenario = Scenario::measured("cold_apply", &walls, calls.clone(), peak, total);
    scenario.set_cpu(&cpus);
    if let Some(ms) = scenario.wall_median_ms {
        scenario.extra.insert(
            "writes_per_second".into(),
            calls.writes() as f64 / (ms / 1000.0),
        );
    }
    let emulator = last.context("no cold-apply run")?;
    Ok((scenario, emulator))
}

fn steady_plan(
    emulator: &Emulator,
    invoker: &Invoker,
    manifests: &Path,
    runs: usize,
    buckets: &[Bucket],
    total: usize,
) -> anyhow::Result<Scenario> {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut peak = 0;
    let mut first_calls = None;
    for _ in 0..runs {
        emulator.handle.reset_stats();
        let run = invoker.run(
            &["plan", "--output", "json", "--detailed-exitcode"],
            manifests,
        )?;
        expect_exit(&run, 0, "steady-state plan (0 = in sync)")?;
        let plan: serde_json::Value = serde_json::from_slice(&run.stdout)?;
        let in_sync = plan["summary"]["in_sync"].as_u64().unwrap_or(0);
        ensure!(
            in_sync == total as u64,
            "plan found {in_sync} of {total} configurations in sync"
        );
        let calls = Calls::from_stats(&emulator.handle.stats());
        ensure!(
            calls.list == buckets.len() as u64 && calls.get == 0 && calls.writes() == 0,
            "steady-state plan must cost exactly one LIST per bucket and nothing else: {calls:?}"
        );
        walls.push(run.wall);
        cpus.push(run.cpu.as_secs_f64() * 1000.0);
        peak = peak.max(run.peak_rss);
        first_calls.get_or_insert(calls);
    }
    let calls = first_calls.unwrap_or_default();
    let mut scenario = Scenario::measured("steady_plan", &walls, calls.clone(), peak, total);
    scenario.set_cpu(&cpus);
    scenario.extra.insert(
        "lists_per_bucket".into(),
        calls.list as f64 / buckets.len() as f64,
    );
    Ok(scenario)
}

fn drift(
    emulator: &Emulator,
    invoker: &Invoker,
    manifests: &Path,
    runs: usize,
    buckets: &[Bucket],
    configs: usize,
    total: usize,
) -> anyhow::Result<Scenario> {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut peak = 0;
    let mut first_calls = None;
    let bucket = &buckets[0];
    for generation in 1..=runs {
        let generation = u32::try_from(generation)?;
        fixture::write_manifest(manifests, bucket, configs, generation)?;
        emulator.handle.reset_stats();
        let run = invoker.run(&["apply", "--color", "never"], manifests)?;
        expect_exit(&run, 0, "one-bucket drift apply")?;
        let calls = Calls::from_stats(&emulator.handle.stats());
        ensure!(
            calls.writes() >= 1,
            "the drifted configuration was not written: {calls:?}"
        );
        walls.push(run.wall);
        cpus.push(run.cpu.as_secs_f64() * 1000.0);
        peak = peak.max(run.peak_rss);
        first_calls.get_or_insert(calls);
    }
    fixture::write_manifest(manifests, bucket, configs, 0)?;
    let calls = first_calls.unwrap_or_default();
    let mut scenario = Scenario::measured("one_bucket_drift", &walls, calls, peak, total);
    scenario.set_cpu(&cpus);
    Ok(scenario)
}

pub(crate) fn expect_exit(run: &ChildRun, expected: i32, what: &str) -> anyhow::Result<()> {
    if run.code != Some(expected) {
        bail!(
            "{what}: invsync exited with {:?} (expected {expected}); stdout: {}",
            run.code,
            String::from_utf8_lossy(&run.stdout)
                .chars()
                .take(2000)
                .collect::<String>()
        );
    }
    Ok(())
}

fn parse_providers(names: &[String]) -> anyhow::Result<Vec<Provider>> {
    let mut providers = Vec::new();
    for name in names {
        let Some(provider) = Provider::from_name(name.trim()) else {
            let known: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
            bail!(
                "unknown provider {:?} ({})",
                name.trim(),
                known.join(" or ")
            );
        };
        if !providers.contains(&provider) {
            providers.push(provider);
        }
    }
    ensure!(!providers.is_empty(), "--providers names no provider");
    Ok(providers)
}

/// `--invsync`, or the `invsync` binary next to this executable.
fn invsync_binary(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return Ok(path.to_path_buf());
    }
    let me = std::env::current_exe()?;
    let sibling = me.with_file_name(format!("invsync{}", std::env::consts::EXE_SUFFIX));
    ensure!(
        sibling.is_file(),
        "{} not found: build it first (`cargo build --release --bins`) or pass --invsync",
        sibling.display()
    );
    Ok(sibling)
}

/// An in-process emulator that knows the benchmark's credentials; dropping it stops it.
pub struct Emulator {
    pub handle: EmulatorHandle,
}

impl Emulator {
    fn start(runtime: &tokio::runtime::Runtime) -> anyhow::Result<Emulator> {
        let config =
            Provider::ALL
                .into_iter()
                .fold(EmulatorConfig::default(), |config, provider| {
                    config.with_credentials(
                        provider,
                        fixture::key_id(provider),
                        fixture::secret(provider),
                    )
                });
        let handle = runtime.block_on(invsync::emulator::spawn(config))?;
        // Give the server a moment to accept before the first child connects.
        std::thread::sleep(Duration::from_millis(10));
        Ok(Emulator { handle })
    }
}

/// A scratch directory under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn create() -> std::io::Result<Scratch> {
        let path = std::env::temp_dir().join(format!("invsync-bench-{}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `INVSYNC_DELIVERY_CHECKS` for the children, from `--delivery-checks`.
fn delivery_checks(args: &BenchArgs) -> &'static str {
    if args.delivery_checks { "on" } else { "off" }
}
