//! The `fleet` scenario: `--buckets` buckets round-robin over the providers (equal thirds over
//! COS, OSS and S3 by default), created in the emulator with an `inventory` tag, the
//! `--tagged-out-percent` share tagged `off`; one `InventoryPolicy` per provider selects
//! `bench*` buckets tagged `inventory: on` and declares one configuration.
//!
//! Rows, each measured on the real `invsync` binary as a child process:
//! - `fleet_converge`: `apply` from nothing (no cap on buckets written per pass);
//! - `fleet_steady_pass`: a daemon started over the converged fleet, up to the end of its
//!   first pass (a discovery pass and a resync of every covered bucket): the requests must be
//!   the listing pages, one tag read per listed bucket and one LIST per covered bucket, and no
//!   write; its CPU against the floor of parsing those bodies (`fleet_floor.rs`);
//! - `fleet_discovery_pass`: the same daemon's next discovery pass alone (listing, tag reads,
//!   expansion), its CPU against the floor of parsing the listing pages and tags answers; the
//!   daemon's peak RSS;
//! - `fleet_new_bucket`: a daemon with `--discover-interval 1s`; `--new-buckets` buckets
//!   created one after another, each timed until the emulator holds its inventory (p50/p99).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::ensure;
use invsync::model::Provider;

use crate::child::Invoker;
use crate::daemon::percentile;
use crate::fleet_daemon::{self, Window};
use crate::fleet_fixture::{self, FleetBucket};
use crate::fleet_floor::{Bodies, Floor};
use crate::report::{Calls, Scenario};
use crate::{Emulator, expect_exit};

/// The fleet's size and shape, from the flags.
pub(crate) struct FleetArgs<'a> {
    pub providers: &'a [Provider],
    pub buckets: usize,
    pub tagged_out_percent: usize,
    pub new_buckets: usize,
    pub discover_wait: Option<Duration>,
}

/// Runs every fleet row on a fresh emulator; the rows and the number of covered buckets.
pub(crate) fn fleet(
    runtime: &tokio::runtime::Runtime,
    invoker: &mut Invoker,
    scratch: &Path,
    args: &FleetArgs<'_>,
) -> anyhow::Result<(Vec<Scenario>, usize)> {
    ensure!(
        args.tagged_out_percent <= 100,
        "--tagged-out-percent is at most 100"
    );
    let buckets = fleet_fixture::fleet(args.providers, args.buckets, args.tagged_out_percent);
    let covered = buckets.iter().filter(|b| b.covered).count();
    let manifests = scratch.join("fleet-manifests");
    std::fs::create_dir_all(&manifests)?;
    fleet_fixture::write_policies(&manifests, args.providers)?;

    let emulator = Emulator::start(runtime)?;
    invoker.endpoint = emulator.handle.endpoint();
    let seeded = Instant::now();
    fleet_fixture::create(&emulator, &buckets)?;
    let seed_ms = ms(seeded.elapsed());

    let mut converge = converge(&emulator, invoker, &manifests, args.buckets, covered)?;
    converge.extra.insert("seed_ms".into(), seed_ms);
    let wait = args.discover_wait.unwrap_or_else(|| {
        // The first resync pass reads what the apply read, without its writes.
        let apply = Duration::from_secs_f64(converge.wall_median_ms.unwrap_or(0.0) / 1000.0);
        (apply * 3 / 2 + Duration::from_secs(3)).max(Duration::from_secs(5))
    });

    let run = fleet_daemon::steady_then_discovery(
        &emulator,
        invoker,
        &manifests,
        covered as u64,
        args.buckets as u64,
        wait,
    )?;
    // The first pass is reported as counted (the daemon may list more than once while it
    // starts); the discovery pass alone must be exactly one listing and its tag reads.
    check_steady(&run.discovery.calls, args.buckets as u64, 0)?;
    let floor = Bodies::build(&emulator, &buckets, &run.pages)?.parse()?;
    let mut steady = steady_row(&run.steady, &floor, run.peak_rss, covered);
    let pages_per_pass = run.discovery.calls.listing_pages.max(1) as f64;
    steady.extra.insert(
        "discovery_passes".into(),
        run.steady.calls.listing_pages as f64 / pages_per_pass,
    );
    steady.extra.insert(
        "lists_per_covered_bucket".into(),
        run.steady.calls.list as f64 / covered.max(1) as f64,
    );
    let mut discovery = discovery_row(&run.discovery, &floor, run.peak_rss, covered);
    discovery.extra.insert("discover_wait_ms".into(), ms(wait));
    for (provider, pages) in &run.pages {
        let of_provider = buckets
            .iter()
            .filter(|b| b.bucket.provider == *provider)
            .count();
        discovery.extra.insert(
            format!("buckets_per_page_{provider}").into(),
            of_provider as f64 / (*pages).max(1) as f64,
        );
    }

    let new: Vec<FleetBucket> =
        crate::fixture::buckets(args.providers, args.buckets + args.new_buckets)
            .into_iter()
            .skip(args.buckets)
            .map(|bucket| FleetBucket {
                bucket,
                covered: true,
            })
            .collect();
    let new_row = if new.is_empty() {
        Scenario::not_measured("fleet_new_bucket", "--new-buckets 0")
    } else {
        let run = fleet_daemon::new_buckets(&emulator, invoker, &manifests, covered as u64, &new)?;
        new_bucket_row(&run, covered)
    };
    drop(emulator);
    Ok((vec![converge, steady, discovery, new_row], covered))
}

/// `apply` from nothing: every covered bucket gets its configuration.
fn converge(
    emulator: &Emulator,
    invoker: &Invoker,
    manifests: &Path,
    listed: usize,
    covered: usize,
) -> anyhow::Result<Scenario> {
    emulator.handle.reset_stats();
    let cap = listed.max(1).to_string();
    let run = invoker.run(
        &[
            "apply",
            "--color",
            "never",
            "--max-policy-writes-per-pass",
            &cap,
        ],
        manifests,
    )?;
    expect_exit(&run, 0, "fleet apply")?;
    let calls = Calls::from_stats(&emulator.handle.stats());
    ensure!(
        calls.put == covered as u64 && calls.failed == 0,
        "the fleet apply wrote {} of {covered} configurations: {calls:?}",
        calls.put
    );
    let mut scenario =
        Scenario::measured("fleet_converge", &[run.wall], calls, run.peak_rss, covered);
    scenario.set_cpu(&[ms(run.cpu)]);
    Ok(scenario)
}

/// A steady pass reads each listed bucket's tags once and LISTs each covered bucket once, and
/// writes nothing; the listing pages are reported, not checked here.
fn check_steady(calls: &Calls, listed: u64, covered: u64) -> anyhow::Result<()> {
    ensure!(
        calls.tag_reads == listed
            && calls.list == covered
            && calls.get == 0
            && calls.writes() == 0
            && calls.tag_writes == 0
            && calls.failed == 0
            && calls.listing_pages > 0,
        "a steady pass must cost the listing pages, {listed} tag reads and {covered} LISTs, \
         nothing else: {calls:?}"
    );
    Ok(())
}

fn steady_row(window: &Window, floor: &Floor, peak_rss: u64, covered: usize) -> Scenario {
    let mut scenario = Scenario::measured(
        "fleet_steady_pass",
        &[window.wall],
        window.calls.clone(),
        peak_rss,
        covered,
    );
    let floor_ms = ms(floor.discovery + floor.lists);
    let extra = &mut scenario.extra;
    extra.insert("child_cpu_ms".into(), ms(window.cpu));
    extra.insert("floor_cpu_ms".into(), floor_ms);
    extra.insert(
        "cpu_ratio_to_floor".into(),
        ms(window.cpu) / floor_ms.max(0.001),
    );
    extra.insert("listing_pages".into(), window.calls.listing_pages as f64);
    extra.insert("tag_reads".into(), window.calls.tag_reads as f64);
    extra.insert("floor_mb".into(), floor.bytes as f64 / 1e6);
    scenario
}

fn discovery_row(window: &Window, floor: &Floor, peak_rss: u64, covered: usize) -> Scenario {
    let mut scenario = Scenario::measured(
        "fleet_discovery_pass",
        &[window.wall],
        window.calls.clone(),
        peak_rss,
        covered,
    );
    let floor_ms = ms(floor.discovery);
    let extra = &mut scenario.extra;
    extra.insert("child_cpu_ms".into(), ms(window.cpu));
    extra.insert("floor_cpu_ms".into(), floor_ms);
    extra.insert(
        "cpu_ratio_to_floor".into(),
        ms(window.cpu) / floor_ms.max(0.001),
    );
    extra.insert("listing_pages".into(), window.calls.listing_pages as f64);
    extra.insert("tag_reads".into(), window.calls.tag_reads as f64);
    scenario
}

fn new_bucket_row(run: &fleet_daemon::NewBucketRun, covered: usize) -> Scenario {
    let mut scenario = Scenario::measured(
        "fleet_new_bucket",
        &run.latencies,
        run.calls.clone(),
        run.peak_rss,
        covered,
    );
    let mut sorted: Vec<f64> = run.latencies.iter().map(|d| ms(*d)).collect();
    sorted.sort_by(f64::total_cmp);
    let extra = &mut scenario.extra;
    extra.insert("p50_ms".into(), percentile(&sorted, 50.0));
    extra.insert("p99_ms".into(), percentile(&sorted, 99.0));
    extra.insert("listing_pages".into(), run.calls.listing_pages as f64);
    extra.insert("tag_reads".into(), run.calls.tag_reads as f64);
    scenario
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
