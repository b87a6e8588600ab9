//! Benchmark results: per-scenario figures, the Markdown table and the JSON document.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use invsync::emulator::{BucketCall, Stats};
use invsync::provider::Operation;
use serde::Serialize;

/// API calls of one run, by operation, as the emulator counted them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Calls {
    pub list: u64,
    pub get: u64,
    pub put: u64,
    pub delete: u64,
    /// Bucket listing pages and bucket tag reads.
    pub discovery: u64,
    /// Bucket listing pages (every provider).
    pub listing_pages: u64,
    /// Bucket tag reads (every provider).
    pub tag_reads: u64,
    /// Bucket tag writes and deletes (every provider).
    pub tag_writes: u64,
    /// Delivery checks: object listings, object reads and bucket policy reads (every
    /// provider).
    pub delivery: u64,
    /// Answers that mean the request failed on the server's side: 5xx, 429, dropped connections.
    pub failed: u64,
}

impl Calls {
    /// Sums the emulator's counters over both providers.
    pub(crate) fn from_stats(stats: &Stats) -> Calls {
        let mut calls = Calls::default();
        for entry in &stats.requests {
            let slot = match entry.operation {
                Operation::List => &mut calls.list,
                Operation::Get => &mut calls.get,
                Operation::Put => &mut calls.put,
                Operation::Delete => &mut calls.delete,
                Operation::ListBuckets => &mut calls.listing_pages,
                Operation::GetBucketTags => &mut calls.tag_reads,
                Operation::ListObjects | Operation::GetObject | Operation::GetBucketPolicy => {
                    &mut calls.delivery
                }
            };
            *slot += entry.count;
            if failed(entry.status) {
                calls.failed += entry.count;
            }
        }
        for entry in stats.bucket_requests() {
            let slot = match entry.call {
                BucketCall::ListBuckets => &mut calls.listing_pages,
                BucketCall::GetTagging => &mut calls.tag_reads,
                BucketCall::PutTagging | BucketCall::DeleteTagging => &mut calls.tag_writes,
            };
            *slot += entry.count;
            if failed(entry.status) {
                calls.failed += entry.count;
            }
        }
        for entry in &stats.object_requests {
            calls.delivery += entry.count;
            if failed(entry.status) {
                calls.failed += entry.count;
            }
        }
        calls.discovery = calls.listing_pages + calls.tag_reads;
        calls
    }

    /// Inventory writes: PUTs and DELETEs.
    pub(crate) fn writes(&self) -> u64 {
        self.put + self.delete
    }
}

/// One scenario's figures over all its runs.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Scenario {
    pub name: &'static str,
    /// `measured`, or `not measured: <why>`.
    pub status: String,
    pub wall_ms: Vec<f64>,
    pub wall_median_ms: Option<f64>,
    /// Calls of the first run (every run of a scenario does the same work).
    pub calls: Calls,
    /// Largest peak RSS of the child over the runs.
    pub peak_rss_bytes: u64,
    pub bytes_per_config: Option<f64>,
    /// Scenario-specific figures, e.g. `writes_per_second`, `lists_per_bucket`.
    pub extra: BTreeMap<Cow<'static, str>, f64>,
}

impl Scenario {
    /// A scenario with figures from `walls` (one per run).
    pub(crate) fn measured(
        name: &'static str,
        walls: &[Duration],
        calls: Calls,
        peak_rss_bytes: u64,
        total_configs: usize,
    ) -> Scenario {
        let wall_ms: Vec<f64> = walls.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        Scenario {
            name,
            status: "measured".into(),
            wall_median_ms: median(&wall_ms),
            wall_ms,
            calls,
            peak_rss_bytes,
            bytes_per_config: (total_configs > 0)
                .then(|| peak_rss_bytes as f64 / total_configs as f64),
            extra: BTreeMap::new(),
        }
    }

    /// Records the median CPU time (user + system) of the child over the runs, in ms.
    pub(crate) fn set_cpu(&mut self, cpu_ms: &[f64]) {
        if let Some(cpu) = median(cpu_ms) {
            self.extra.insert("child_cpu_ms".into(), cpu);
        }
    }

    /// A scenario that could not be measured, with the reason.
    pub(crate) fn not_measured(name: &'static str, why: &str) -> Scenario {
        Scenario {
            name,
            status: format!("not measured: {why}"),
            wall_ms: Vec::new(),
            wall_median_ms: None,
            calls: Calls::default(),
            peak_rss_bytes: 0,
            bytes_per_config: None,
            extra: BTreeMap::new(),
        }
    }
}

/// The whole result document.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    pub buckets: usize,
    pub configs_per_bucket: usize,
    pub total_configs: usize,
    pub providers: Vec<String>,
    pub concurrency: u16,
    pub max_requests_per_second: u32,
    pub runs: usize,
    pub scenarios: Vec<Scenario>,
}

/// An answer that means the request failed on the server's side: 5xx, 429, a dropped
/// connection.
fn failed(status: u16) -> bool {
    status >= 500 || status == 429 || status == 0
}

/// The median of `values` (mean of the middle two for an even count); `None` when empty.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    })
}

/// The report as a Markdown table, one row per scenario.
pub(crate) fn markdown(report: &Report) -> String {
    let mut out = format!(
        "{} buckets x {} configurations = {} configurations ({}), concurrency {}, {} run(s)\n\n",
        report.buckets,
        report.configs_per_bucket,
        report.total_configs,
        report.providers.join("+"),
        report.concurrency,
        report.runs,
    );
    out.push_str("| scenario | wall (median) | LIST | GET | PUT | DELETE | failed | peak RSS | bytes/config | notes |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for s in &report.scenarios {
        let Some(wall) = s.wall_median_ms else {
            out.push_str(&format!(
                "| {} | - | - | - | - | - | - | - | - | {} |\n",
                s.name, s.status
            ));
            continue;
        };
        let notes: Vec<String> = s.extra.iter().map(|(k, v)| format!("{k} {v:.1}")).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.1} MiB | {} | {} |\n",
            s.name,
            format_ms(wall),
            s.calls.list,
            s.calls.get,
            s.calls.put,
            s.calls.delete,
            s.calls.failed,
            s.peak_rss_bytes as f64 / (1024.0 * 1024.0),
            s.bytes_per_config.map_or("-".into(), |b| format!("{b:.0}")),
            notes.join(", "),
        ));
    }
    out
}

fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
