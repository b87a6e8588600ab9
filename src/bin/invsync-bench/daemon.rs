//! The daemon scenario: `invsync run` over every bucket, one manifest edited at a time, timed
//! from the write of the file to the moment the emulator holds the edited configuration.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};

use crate::Emulator;
use crate::child::{Invoker, terminate};
use crate::fixture::{self, Bucket};
use crate::report::{Calls, Scenario};

/// Longest wait for one edit to converge before the scenario fails.
const CONVERGE_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the emulator is checked.
const POLL: Duration = Duration::from_millis(2);
/// No request for this long means the daemon is idle.
const QUIET: Duration = Duration::from_millis(500);

/// Starts `invsync run`, waits for its first full pass, then edits `edits` manifests one after
/// the other (bucket `i % buckets`), each time waiting for convergence and for the daemon to go
/// quiet. Calls are those of all edits together; `extra` has p50/p99 latency and calls per edit.
pub(crate) fn edit_to_converged(
    emulator: &Emulator,
    invoker: &Invoker,
    manifests: &Path,
    buckets: &[Bucket],
    configs: usize,
    edits: usize,
    total: usize,
) -> anyhow::Result<Scenario> {
    emulator.handle.reset_stats();
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    // `--settle 0s`: the window is a deliberate wait before deletes, OSS replacements and
    // writes a revision is the first to allow, not work; timing it would measure the flag. The
    // on-disk check before writing still runs.
    let mut command = invoker.command(
        &[
            "run",
            "--interval",
            "1h",
            "--settle",
            "0s",
            "--listen",
            &listen,
        ],
        manifests,
    );
    let child = command.spawn()?;
    let pid = child.id();
    let result = measure(emulator, manifests, buckets, configs, edits);
    let (_, peak_rss, cpu) = terminate(pid)?;
    let (latencies, calls) = result?;
    let mut scenario = Scenario::measured(
        "daemon_edit_to_converged",
        &latencies,
        calls.clone(),
        peak_rss,
        total,
    );
    let mut ms: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    scenario
        .extra
        .insert("p50_ms".into(), percentile(&ms, 50.0));
    scenario
        .extra
        .insert("p99_ms".into(), percentile(&ms, 99.0));
    scenario
        .extra
        .insert("lists_per_edit".into(), calls.list as f64 / edits as f64);
    scenario
        .extra
        .insert("child_cpu_ms".into(), cpu.as_secs_f64() * 1000.0);
    Ok(scenario)
}

fn measure(
    emulator: &Emulator,
    manifests: &Path,
    buckets: &[Bucket],
    configs: usize,
    edits: usize,
) -> anyhow::Result<(Vec<Duration>, Calls)> {
    // The first pass reads every bucket once.
    let deadline = Instant::now() + CONVERGE_TIMEOUT;
    while Calls::from_stats(&emulator.handle.stats()).list < buckets.len() as u64 {
        ensure!(
            Instant::now() < deadline,
            "the daemon's first pass did not finish"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    wait_quiet(emulator);
    emulator.handle.reset_stats();
    let mut latencies = Vec::with_capacity(edits);
    for i in 0..edits {
        let bucket = &buckets[i % buckets.len()];
        let generation = u32::try_from(i / buckets.len() + 1)?;
        let wanted = format!("data000/g{generation}/");
        fixture::write_manifest(manifests, bucket, configs, generation)?;
        let started = Instant::now();
        loop {
            let live = emulator.handle.configs(bucket.provider, &bucket.name);
            if live.iter().any(|xml| xml.contains(&wanted)) {
                break;
            }
            if started.elapsed() > CONVERGE_TIMEOUT {
                bail!("edit {i} of {} did not converge", bucket.name);
            }
            std::thread::sleep(POLL);
        }
        latencies.push(started.elapsed());
        wait_quiet(emulator);
    }
    let calls = Calls::from_stats(&emulator.handle.stats());
    for bucket in buckets.iter().take(edits) {
        fixture::write_manifest(manifests, bucket, configs, 0)?;
    }
    Ok((latencies, calls))
}

/// Waits until the emulator has seen no request for [`QUIET`].
pub(crate) fn wait_quiet(emulator: &Emulator) {
    let mut last = emulator.handle.stats().total;
    let mut since = Instant::now();
    while since.elapsed() < QUIET {
        std::thread::sleep(Duration::from_millis(20));
        let now = emulator.handle.stats().total;
        if now != last {
            last = now;
            since = Instant::now();
        }
    }
}

/// The `p`th percentile of sorted `values` (nearest rank).
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A port nobody listens on right now, for the daemon's metrics endpoint.
pub(crate) fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 50.0), 2.0);
    }
}
