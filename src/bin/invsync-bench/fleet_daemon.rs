//! The fleet scenario's daemon runs: one steady pass and one discovery pass alone, timed in
//! the daemon's CPU; and new buckets created while it lists every second, timed until each
//! has its inventory.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use invsync::emulator::{BucketCall, Stats};
use invsync::model::Provider;

use crate::Emulator;
use crate::child::{Invoker, running_cpu, terminate};
use crate::daemon::{free_port, wait_quiet};
use crate::fleet_fixture::{self, FleetBucket};
use crate::report::Calls;

/// Longest wait for a daemon's first pass over the fleet.
const FIRST_PASS_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Longest wait for one new bucket to get its inventory.
const NEW_BUCKET_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// How often the emulator is checked.
const POLL: Duration = Duration::from_millis(5);

/// Listing pages per provider.
pub(crate) type Pages = Vec<(Provider, u64)>;

/// What one measured daemon window came to.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    pub calls: Calls,
    /// Daemon CPU time (user + system) over the window.
    pub cpu: Duration,
    pub wall: Duration,
}

/// The two windows of [`steady_then_discovery`] and the daemon's peak RSS.
#[derive(Debug, Clone)]
pub(crate) struct SteadyRun {
    /// From start to the end of the first pass: discovery, expansion and a resync of every
    /// covered bucket, after convergence.
    pub steady: Window,
    /// The next discovery pass alone: listing, tag reads and expansion.
    pub discovery: Window,
    /// Listing pages per provider in the discovery pass.
    pub pages: Pages,
    /// `ru_maxrss` of the daemon, in bytes.
    pub peak_rss: u64,
}

/// Starts `invsync run` over the converged fleet with a resync interval of an hour and
/// `--discover-interval discover_wait`, measures its first pass (which is a steady pass: the
/// fleet is in sync), then the next discovery pass alone, and stops it.
pub(crate) fn steady_then_discovery(
    emulator: &Emulator,
    invoker: &Invoker,
    manifests: &Path,
    covered: u64,
    listed: u64,
    discover_wait: Duration,
) -> anyhow::Result<SteadyRun> {
    emulator.handle.reset_stats();
    let wait = format!("{}ms", discover_wait.as_millis());
    let started = Instant::now();
    let pid = spawn(invoker, manifests, &wait)?;
    let result = measure_steady(emulator, pid, started, covered, listed);
    let (_, peak_rss, _) = terminate(pid)?;
    let (steady, discovery, pages) = result?;
    Ok(SteadyRun {
        steady,
        discovery,
        pages,
        peak_rss,
    })
}

fn measure_steady(
    emulator: &Emulator,
    pid: u32,
    started: Instant,
    covered: u64,
    listed: u64,
) -> anyhow::Result<(Window, Window, Pages)> {
    let done = wait_for(emulator, FIRST_PASS_TIMEOUT, "the first pass", |calls| {
        calls.list >= covered
    })?;
    let steady_wall = done.duration_since(started);
    wait_quiet(emulator);
    let steady_cpu = running_cpu(pid)?;
    let steady = Window {
        calls: Calls::from_stats(&emulator.handle.stats()),
        cpu: steady_cpu,
        wall: steady_wall,
    };
    emulator.handle.reset_stats();
    let began = wait_for(
        emulator,
        FIRST_PASS_TIMEOUT,
        "the second listing",
        |calls| calls.listing_pages > 0,
    )?;
    let ended = wait_for(
        emulator,
        FIRST_PASS_TIMEOUT,
        "the second discovery",
        |calls| calls.tag_reads >= listed,
    )?;
    wait_quiet(emulator);
    let stats = emulator.handle.stats();
    let discovery = Window {
        calls: Calls::from_stats(&stats),
        cpu: running_cpu(pid)?.saturating_sub(steady_cpu),
        wall: ended.duration_since(began),
    };
    ensure!(
        discovery.calls.list == 0,
        "the resync pass was still running when the second discovery began; give a longer \
         --discover-wait: {:?}",
        discovery.calls
    );
    Ok((steady, discovery, listing_pages(&stats)))
}

/// Listing pages per provider that served any.
fn listing_pages(stats: &Stats) -> Pages {
    Provider::ALL
        .into_iter()
        .map(|p| (p, stats.bucket_calls(p, BucketCall::ListBuckets)))
        .filter(|(_, pages)| *pages > 0)
        .collect()
}

/// What the new-bucket run came to.
#[derive(Debug, Clone)]
pub(crate) struct NewBucketRun {
    /// Creation to inventory, one per bucket.
    pub latencies: Vec<Duration>,
    /// Calls while the new buckets were created and covered.
    pub calls: Calls,
    pub peak_rss: u64,
}

/// Starts `invsync run --discover-interval 1s` over the converged fleet, waits for its first
/// pass, then creates `new` (each covered) one after the other and times each until the
/// emulator holds its inventory.
pub(crate) fn new_buckets(
    emulator: &Emulator,
    invoker: &Invoker,
    manifests: &Path,
    covered: u64,
    new: &[FleetBucket],
) -> anyhow::Result<NewBucketRun> {
    emulator.handle.reset_stats();
    let pid = spawn(invoker, manifests, "1s")?;
    let result = measure_new(emulator, covered, new);
    let (_, peak_rss, _) = terminate(pid)?;
    let (latencies, calls) = result?;
    Ok(NewBucketRun {
        latencies,
        calls,
        peak_rss,
    })
}

fn measure_new(
    emulator: &Emulator,
    covered: u64,
    new: &[FleetBucket],
) -> anyhow::Result<(Vec<Duration>, Calls)> {
    wait_for(emulator, FIRST_PASS_TIMEOUT, "the first pass", |calls| {
        calls.list >= covered
    })?;
    emulator.handle.reset_stats();
    let mut latencies = Vec::with_capacity(new.len());
    for fleet_bucket in new {
        let bucket = &fleet_bucket.bucket;
        fleet_fixture::create_one(emulator, fleet_bucket)?;
        let started = Instant::now();
        while emulator
            .handle
            .configs(bucket.provider, &bucket.name)
            .is_empty()
        {
            if started.elapsed() > NEW_BUCKET_TIMEOUT {
                bail!("{} {} got no inventory", bucket.provider, bucket.name);
            }
            std::thread::sleep(POLL);
        }
        latencies.push(started.elapsed());
    }
    Ok((latencies, Calls::from_stats(&emulator.handle.stats())))
}

/// `invsync run` with an hour between resyncs, `--discover-interval discover`, no settle
/// window, no cap on the buckets written per pass, and every tag read on every pass
/// (`--tag-refresh-interval 0s`: the discovery rows measure the whole work a pass can cost,
/// not the cache that spares most of it); its pid.
fn spawn(invoker: &Invoker, manifests: &Path, discover: &str) -> anyhow::Result<u32> {
    let listen = format!("127.0.0.1:{}", free_port()?);
    let mut command = invoker.command(
        &[
            "run",
            "--interval",
            "1h",
            "--discover-interval",
            discover,
            "--settle",
            "0s",
            "--max-policy-writes-per-pass",
            "1000000",
            "--tag-refresh-interval",
            "0s",
            "--listen",
            &listen,
        ],
        manifests,
    );
    Ok(command.spawn()?.id())
}

/// Polls the emulator's counters until `done` holds; the moment it did.
fn wait_for(
    emulator: &Emulator,
    timeout: Duration,
    what: &str,
    done: impl Fn(&Calls) -> bool,
) -> anyhow::Result<Instant> {
    let started = Instant::now();
    loop {
        let calls = Calls::from_stats(&emulator.handle.stats());
        if done(&calls) {
            return Ok(Instant::now());
        }
        if started.elapsed() > timeout {
            bail!("{what} did not end within {timeout:?}: {calls:?}");
        }
        std::thread::sleep(POLL);
    }
}
