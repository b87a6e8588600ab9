//! The `load` scenario: `invsync validate` against the floor set by the YAML parser itself.
//!
//! The floor is a bare event scan of every manifest with granit-parser, the parser serde-saphyr
//! is built on: read the file, pull every event, count them, nothing else. It runs on one thread
//! of this process and its CPU time is that thread's. `validate` runs as a child process like
//! every other scenario; its CPU time is the child's user + system time over all its threads.
//! Comparing CPU rather than wall time keeps the ratio honest on a shared or many-core machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, ensure};

use crate::child::{Invoker, cpu_time};
use crate::report::{Calls, Scenario, median};

/// What one floor scan came to.
struct Floor {
    cpu: Duration,
    events: u64,
    bytes: u64,
}

/// Measures the floor and `validate` `runs` times each on the manifests in `manifests`, as the
/// scenario `name`.
pub(crate) fn load(
    name: &'static str,
    invoker: &Invoker,
    manifests: &Path,
    runs: usize,
    total: usize,
) -> anyhow::Result<Scenario> {
    let files = yaml_files(manifests)?;
    let mut floor_cpus = Vec::new();
    let mut floor = None;
    for _ in 0..runs {
        let scan = scan(&files)?;
        floor_cpus.push(ms(scan.cpu));
        floor = Some(scan);
    }
    let floor = floor.context("no floor run")?;
    ensure!(floor.events > 0, "the floor scan saw no YAML events");

    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let mut command = Command::new(&invoker.binary);
        command
            .args(["validate", "--manifests"])
            .arg(manifests)
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stderr(Stdio::inherit());
        let run = invoker.run_command(command)?;
        ensure!(
            run.code == Some(0),
            "validate exited with {:?}: {}",
            run.code,
            String::from_utf8_lossy(&run.stdout)
        );
        walls.push(run.wall);
        cpus.push(ms(run.cpu));
        peak = peak.max(run.peak_rss);
    }
    let mut scenario = Scenario::measured(name, &walls, Calls::default(), peak, total);
    scenario.set_cpu(&cpus);
    let floor_ms = median(&floor_cpus).context("no floor run")?;
    let validate_ms = median(&cpus).context("no validate run")?;
    let megabytes = floor.bytes as f64 / 1e6;
    let extra = &mut scenario.extra;
    extra.insert("floor_cpu_ms".into(), floor_ms);
    extra.insert("floor_events".into(), floor.events as f64);
    extra.insert("manifest_mb".into(), megabytes);
    extra.insert("floor_mb_per_cpu_s".into(), megabytes / (floor_ms / 1000.0));
    extra.insert(
        "validate_mb_per_cpu_s".into(),
        megabytes / (validate_ms / 1000.0),
    );
    extra.insert("cpu_ratio_validate_to_floor".into(), validate_ms / floor_ms);
    Ok(scenario)
}

/// Every `*.yaml` file directly in `dir` (the fixture is flat), sorted.
fn yaml_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Shortest CPU time a floor measurement may take: a small tree is scanned again until then,
/// and the time per pass is reported, so that the timer's resolution never dominates.
const MIN_FLOOR_CPU: Duration = Duration::from_millis(50);

/// Reads and event-scans every file on this thread, timing this thread's CPU; one pass's
/// figures.
fn scan(files: &[PathBuf]) -> anyhow::Result<Floor> {
    let start = thread_cpu()?;
    let mut passes = 0u32;
    loop {
        let mut events = 0u64;
        let mut bytes = 0u64;
        for path in files {
            let text = std::fs::read_to_string(path)?;
            bytes += text.len() as u64;
            for event in granit_parser::Parser::new_from_str(&text) {
                event.with_context(|| format!("scanning {}", path.display()))?;
                events += 1;
            }
        }
        passes += 1;
        let cpu = thread_cpu()?.saturating_sub(start);
        if cpu >= MIN_FLOOR_CPU {
            return Ok(Floor {
                cpu: cpu / passes,
                events,
                bytes,
            });
        }
    }
}

/// User + system CPU time of the calling thread.
pub(crate) fn thread_cpu() -> std::io::Result<Duration> {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, exclusively borrowed out-pointer.
    if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(cpu_time(&usage))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
