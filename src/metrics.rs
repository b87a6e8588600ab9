//! The daemon's Prometheus metric families (design §4) and their text encoding.
//!
//! Every family lives in one [`Metrics`] value, cheap to clone and shared by the runner, the
//! provider clients and the `/metrics` endpoint. Recording methods take typed arguments
//! ([`Provider`], [`Operation`], [`DriftKind`]) so label values cannot be misspelt.
//!
//! # Families
//! | name | type | labels |
//! |---|---|---|
//! | `invsync_reconcile_duration_seconds` | histogram | `provider` |
//! | `invsync_reconcile_errors_total` | counter | `provider` |
//! | `invsync_drift_events_total` | counter | `provider`, `kind` (`missing` \| `changed` \| `unmanaged`) |
//! | `invsync_api_calls_total` | counter | `provider`, `operation`, `status` |
//! | `invsync_api_retries_total` | counter | `provider`, `operation` |
//! | `invsync_configs` | gauge | `provider`, `state` (`managed` \| `in_sync` \| `drifted` \| `blocked`) |
//! | `invsync_bucket_last_success_timestamp_seconds` | gauge | `provider`, `bucket` |
//! | `invsync_bucket_consecutive_failures` | gauge | `provider`, `bucket` |
//! | `invsync_revision_info` | gauge, 1 | `revision` (only the revision in force) |
//! | `invsync_manifest_errors_total` | counter | |
//! | `invsync_manifest_valid` | gauge, 0 or 1 | |
//! | `invsync_shard_info` | gauge, 1 | `shard`, `shards` (this replica's index and the count) |
//! | `invsync_hook_requests_total` | counter | `outcome` (`accepted` \| `unauthorized` \| `replayed` \| `rate_limited` \| `too_large` \| `unreadable`) |
//! | `invsync_notifications_total` | counter | `webhook`, `outcome` (`sent` \| `failed` \| `dropped` \| `deduplicated`) |
//! | `invsync_policy_buckets` | gauge | `policy`, `state` (`covered` \| `pending` \| `excluded` \| `unreadable`) |
//! | `invsync_discovery_runs_total` | counter | `provider`, `result` (`success` \| `failure`) |
//! | `invsync_discovery_last_success_timestamp_seconds` | gauge | `provider` |
//! | `invsync_report_age_seconds` | gauge | `provider`, `bucket`, `config` (only with a valid report) |
//! | `invsync_report_delivery_state` | gauge, 0 or 1 | `provider`, `bucket`, `config`, `state` (`on_time` \| `pending` \| `overdue` \| `invalid` \| `unknown`) |

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::model::{DeliveryState, Provider};
use crate::provider::Operation;
use crate::provider::http::{AttemptOutcome, CallObserver};

/// The `Content-Type` of [`Metrics::encode`]'s output (OpenMetrics text, which Prometheus
/// scrapes natively).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `status` label of an API call that got no HTTP answer (connection error, timeout).
pub(crate) const TRANSPORT_ERROR_STATUS: &str = "transport_error";

/// Why a live configuration differs from the manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriftKind {
    /// Declared, not live.
    Missing,
    /// Declared and live, different after normalization.
    Changed,
    /// Live, not declared.
    Unmanaged,
}

impl DriftKind {
    /// The lowercase label value.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::Missing => "missing",
            DriftKind::Changed => "changed",
            DriftKind::Unmanaged => "unmanaged",
        }
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counts of one provider's configurations, as the `invsync_configs` gauge reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConfigCounts {
    /// Declared in the manifests.
    pub managed: u64,
    /// Declared and equal to the live configuration.
    pub in_sync: u64,
    /// Declared and missing or different live, or live and undeclared.
    pub drifted: u64,
    /// Foreign live configurations (not modelled by invsync) that a change would have
    /// touched, left alone; also counted in `drifted`.
    pub blocked: u64,
}

/// Bucket counts of one fleet policy, as the `invsync_policy_buckets` gauge reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PolicyCounts {
    /// Matched and in sync.
    pub covered: u64,
    /// Matched, not (yet) in sync.
    pub pending: u64,
    /// Turned away by the selector.
    pub excluded: u64,
    /// Whose selection could not be decided (tags unreadable, …).
    pub unreadable: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct PolicyLabels {
    policy: String,
    state: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct DiscoveryLabels {
    provider: &'static str,
    result: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ProviderLabels {
    provider: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct DriftLabels {
    provider: &'static str,
    kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ApiCallLabels {
    provider: &'static str,
    operation: &'static str,
    status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ApiRetryLabels {
    provider: &'static str,
    operation: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ConfigLabels {
    provider: &'static str,
    state: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct BucketLabels {
    provider: &'static str,
    bucket: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ShardLabels {
    shard: String,
    shards: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct NotificationLabels {
    webhook: String,
    outcome: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, EncodeLabelSet)]
struct ReportLabels {
    provider: &'static str,
    bucket: String,
    config: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReportStateLabels {
    provider: &'static str,
    bucket: String,
    config: String,
    state: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RevisionLabels {
    revision: String,
}

/// The `state` values of `invsync_policy_buckets`, in [`PolicyCounts`] field order.
const POLICY_STATES: [&str; 4] = ["covered", "pending", "excluded", "unreadable"];

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Reconcile durations from 50 ms (one LIST against a nearby endpoint) to about 100 s (a large
/// bucket with retries), doubling.
fn reconcile_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.05, 2.0, 12))
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    reconcile_duration: HistogramFamily<ProviderLabels>,
    reconcile_errors: Family<ProviderLabels, Counter>,
    drift_events: Family<DriftLabels, Counter>,
    api_calls: Family<ApiCallLabels, Counter>,
    api_retries: Family<ApiRetryLabels, Counter>,
    configs: Family<ConfigLabels, Gauge>,
    bucket_last_success: Family<BucketLabels, Gauge<f64, AtomicU64>>,
    bucket_failures: Family<BucketLabels, Gauge>,
    revision_info: Family<RevisionLabels, Gauge>,
    /// The revision currently labelled, so that switching removes exactly the old series.
    revision: Mutex<Option<String>>,
    manifest_errors: Counter,
    manifest_valid: Gauge,
    notifications: Family<NotificationLabels, Counter>,
    hook_requests: Family<OutcomeLabels, Counter>,
    shard_info: Family<ShardLabels, Gauge>,
    policy_buckets: Family<PolicyLabels, Gauge>,
    /// The policies currently labelled, so that a policy removed loses exactly its series.
    policies: Mutex<BTreeSet<String>>,
    discovery_runs: Family<DiscoveryLabels, Counter>,
    discovery_last_success: Family<ProviderLabels, Gauge<f64, AtomicU64>>,
    report_age: Family<ReportLabels, Gauge<f64, AtomicU64>>,
    report_state: Family<ReportStateLabels, Gauge>,
    /// Every configuration with delivery series, and its newest valid report's time: the age
    /// is computed from it at each scrape, and a bucket removed loses exactly its series.
    reports: Mutex<BTreeMap<ReportLabels, Option<SystemTime>>>,
}

/// All metric families of the daemon. Clones share the same values.
#[derive(Debug, Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A fresh registry with every family registered. A labelled family shows in the output
    /// once it has a first sample; the unlabelled ones (`manifest_errors`, `manifest_valid`)
    /// start at 0.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("invsync");
        let reconcile_duration: HistogramFamily<ProviderLabels> =
            Family::new_with_constructor(reconcile_histogram);
        registry.register_with_unit(
            "reconcile_duration",
            "Duration of one bucket reconcile",
            Unit::Seconds,
            reconcile_duration.clone(),
        );
        let reconcile_errors = Family::default();
        registry.register(
            "reconcile_errors",
            "Bucket reconciles that ended in an error",
            Family::clone(&reconcile_errors),
        );
        let drift_events = Family::default();
        registry.register(
            "drift_events",
            "Live configurations found differing from the manifests",
            Family::clone(&drift_events),
        );
        let api_calls = Family::default();
        registry.register(
            "api_calls",
            "Inventory API requests sent, by HTTP status of the answer",
            Family::clone(&api_calls),
        );
        let api_retries = Family::default();
        registry.register(
            "api_retries",
            "Inventory API requests retried after a transport error, 5xx or throttling",
            Family::clone(&api_retries),
        );
        let configs = Family::default();
        registry.register(
            "configs",
            "Inventory configurations by state, as of each provider's latest reconciles",
            Family::clone(&configs),
        );
        let bucket_last_success = Family::default();
        registry.register_with_unit(
            "bucket_last_success_timestamp",
            "Unix time of the latest successful reconcile of each bucket",
            Unit::Seconds,
            Family::clone(&bucket_last_success),
        );
        let bucket_failures = Family::default();
        registry.register(
            "bucket_consecutive_failures",
            "Reconciles of each bucket that failed in a row (0 after a success)",
            Family::clone(&bucket_failures),
        );
        let revision_info = Family::default();
        registry.register(
            "revision_info",
            "The manifests revision in force (value is always 1)",
            Family::clone(&revision_info),
        );
        let manifest_errors = Counter::default();
        registry.register(
            "manifest_errors",
            "Manifest loads that failed validation",
            manifest_errors.clone(),
        );
        let manifest_valid = Gauge::default();
        registry.register(
            "manifest_valid",
            "1 when the latest manifests revision is valid, 0 when it is not",
            manifest_valid.clone(),
        );
        let notifications = Family::default();
        registry.register(
            "notifications",
            "Notifications by webhook and outcome",
            Family::clone(&notifications),
        );
        let hook_requests = Family::default();
        registry.register(
            "hook_requests",
            "Push hook requests by outcome",
            Family::clone(&hook_requests),
        );
        let shard_info = Family::default();
        registry.register(
            "shard_info",
            "This replica's shard of the buckets (value is always 1)",
            Family::clone(&shard_info),
        );
        let policy_buckets = Family::default();
        registry.register(
            "policy_buckets",
            "Buckets of each fleet policy by state, as of the latest discovery and reconciles",
            Family::clone(&policy_buckets),
        );
        let discovery_runs = Family::default();
        registry.register(
            "discovery_runs",
            "Bucket listing passes of fleet discovery, by provider and result",
            Family::clone(&discovery_runs),
        );
        let discovery_last_success = Family::default();
        registry.register_with_unit(
            "discovery_last_success_timestamp",
            "Unix time of the latest successful bucket listing of each provider",
            Unit::Seconds,
            Family::clone(&discovery_last_success),
        );
        let report_age = Family::default();
        registry.register_with_unit(
            "report_age",
            "Age of each configuration's newest valid inventory report",
            Unit::Seconds,
            Family::clone(&report_age),
        );
        let report_state = Family::default();
        registry.register(
            "report_delivery_state",
            "Delivery state of each configuration's reports (1 for the current state)",
            Family::clone(&report_state),
        );
        Metrics {
            inner: Arc::new(Inner {
                registry,
                reconcile_duration,
                reconcile_errors,
                drift_events,
                api_calls,
                api_retries,
                configs,
                bucket_last_success,
                bucket_failures,
                revision_info,
                revision: Mutex::new(None),
                manifest_errors,
                manifest_valid,
                notifications,
                hook_requests,
                shard_info,
                policy_buckets,
                policies: Mutex::new(BTreeSet::new()),
                discovery_runs,
                discovery_last_success,
                report_age,
                report_state,
                reports: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// Records how long one bucket reconcile of `provider` took.
    pub(crate) fn observe_reconcile(&self, provider: Provider, duration: Duration) {
        self.inner
            .reconcile_duration
            .get_or_create(&provider_labels(provider))
            .observe(duration.as_secs_f64());
    }

    /// Counts one bucket reconcile of `provider` that ended in an error.
    pub(crate) fn record_reconcile_error(&self, provider: Provider) {
        self.inner
            .reconcile_errors
            .get_or_create(&provider_labels(provider))
            .inc();
    }

    /// Counts one drifted configuration found.
    pub fn record_drift(&self, provider: Provider, kind: DriftKind) {
        let labels = DriftLabels {
            provider: provider.as_str(),
            kind: kind.as_str(),
        };
        self.inner.drift_events.get_or_create(&labels).inc();
    }

    /// Counts one API request (each attempt, retries included). `status` is the HTTP status of
    /// the answer, `None` when there was none ([`TRANSPORT_ERROR_STATUS`]).
    pub(crate) fn record_api_call(
        &self,
        provider: Provider,
        operation: Operation,
        status: Option<u16>,
    ) {
        let labels = ApiCallLabels {
            provider: provider.as_str(),
            operation: operation.as_str(),
            status: status.map_or_else(|| TRANSPORT_ERROR_STATUS.to_owned(), |s| s.to_string()),
        };
        self.inner.api_calls.get_or_create(&labels).inc();
    }

    /// Counts one retry of an API request.
    pub(crate) fn record_api_retry(&self, provider: Provider, operation: Operation) {
        let labels = ApiRetryLabels {
            provider: provider.as_str(),
            operation: operation.as_str(),
        };
        self.inner.api_retries.get_or_create(&labels).inc();
    }

    /// Sets the configuration gauges of `provider`.
    pub(crate) fn set_configs(&self, provider: Provider, counts: ConfigCounts) {
        for (state, value) in [
            ("managed", counts.managed),
            ("in_sync", counts.in_sync),
            ("drifted", counts.drifted),
            ("blocked", counts.blocked),
        ] {
            let labels = ConfigLabels {
                provider: provider.as_str(),
                state,
            };
            self.inner
                .configs
                .get_or_create(&labels)
                .set(i64::try_from(value).unwrap_or(i64::MAX));
        }
    }

    /// Records that `bucket` of `provider` was reconciled successfully at `at`.
    pub(crate) fn set_bucket_success(&self, provider: Provider, bucket: &str, at: SystemTime) {
        let labels = BucketLabels {
            provider: provider.as_str(),
            bucket: bucket.to_owned(),
        };
        let seconds = at
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        self.inner
            .bucket_last_success
            .get_or_create(&labels)
            .set(seconds);
    }

    /// Counts a failed reconcile of `bucket` in a row of failures, or (`failed` false) ends
    /// the row.
    pub(crate) fn record_bucket_outcome(&self, provider: Provider, bucket: &str, failed: bool) {
        let gauge = self.inner.bucket_failures.get_or_create(&BucketLabels {
            provider: provider.as_str(),
            bucket: bucket.to_owned(),
        });
        if failed {
            gauge.inc();
        } else {
            gauge.set(0);
        }
    }

    /// Drops the series of a bucket that is no longer managed.
    pub(crate) fn remove_bucket(&self, provider: Provider, bucket: &str) {
        let labels = BucketLabels {
            provider: provider.as_str(),
            bucket: bucket.to_owned(),
        };
        self.inner.bucket_last_success.remove(&labels);
        self.inner.bucket_failures.remove(&labels);
        let mut reports = self.reports();
        let gone: Vec<ReportLabels> = reports
            .keys()
            .filter(|r| r.provider == labels.provider && r.bucket == labels.bucket)
            .cloned()
            .collect();
        for report in gone {
            reports.remove(&report);
            self.remove_report_series(&report);
        }
    }

    /// Sets the delivery series of one configuration: `invsync_report_delivery_state` 1 for
    /// `state` and 0 for the others, and `invsync_report_age_seconds` from `last_report`
    /// (the newest valid report's time; no age series without one). The age is computed
    /// again at every scrape.
    pub(crate) fn set_report_delivery(
        &self,
        provider: Provider,
        bucket: &str,
        config: &str,
        state: DeliveryState,
        last_report: Option<SystemTime>,
    ) {
        let labels = ReportLabels {
            provider: provider.as_str(),
            bucket: bucket.to_owned(),
            config: config.to_owned(),
        };
        for candidate in DeliveryState::ALL {
            let series = ReportStateLabels {
                provider: labels.provider,
                bucket: labels.bucket.clone(),
                config: labels.config.clone(),
                state: candidate.as_str(),
            };
            self.inner
                .report_state
                .get_or_create(&series)
                .set(i64::from(candidate == state));
        }
        if last_report.is_none() {
            self.inner.report_age.remove(&labels);
        }
        self.reports().insert(labels, last_report);
    }

    /// Removes the delivery series of one configuration (no longer declared).
    pub(crate) fn remove_report_delivery(&self, provider: Provider, bucket: &str, config: &str) {
        let labels = ReportLabels {
            provider: provider.as_str(),
            bucket: bucket.to_owned(),
            config: config.to_owned(),
        };
        self.reports().remove(&labels);
        self.remove_report_series(&labels);
    }

    fn remove_report_series(&self, labels: &ReportLabels) {
        self.inner.report_age.remove(labels);
        for state in DeliveryState::ALL {
            self.inner.report_state.remove(&ReportStateLabels {
                provider: labels.provider,
                bucket: labels.bucket.clone(),
                config: labels.config.clone(),
                state: state.as_str(),
            });
        }
    }

    fn reports(&self) -> std::sync::MutexGuard<'_, BTreeMap<ReportLabels, Option<SystemTime>>> {
        self.inner
            .reports
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets every report age from its report's time to now.
    fn refresh_report_ages(&self) {
        let now = SystemTime::now();
        for (labels, last) in self.reports().iter() {
            if let Some(last) = last {
                let age = now.duration_since(*last).unwrap_or_default();
                self.inner
                    .report_age
                    .get_or_create(labels)
                    .set(age.as_secs_f64());
            }
        }
    }

    /// Makes `revision` the one in force: its `invsync_revision_info` series is 1 and the
    /// previous revision's series is removed.
    pub fn set_revision(&self, revision: &str) {
        let mut current = self
            .inner
            .revision
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if current.as_deref() == Some(revision) {
            return;
        }
        if let Some(old) = current.take() {
            self.inner
                .revision_info
                .remove(&RevisionLabels { revision: old });
        }
        self.inner
            .revision_info
            .get_or_create(&RevisionLabels {
                revision: revision.to_owned(),
            })
            .set(1);
        *current = Some(revision.to_owned());
    }

    /// Records the result of loading a manifests revision: a failure counts one manifest error;
    /// `invsync_manifest_valid` follows the latest load.
    pub(crate) fn record_manifest_load(&self, valid: bool) {
        if !valid {
            self.inner.manifest_errors.inc();
        }
        self.inner.manifest_valid.set(i64::from(valid));
    }

    /// Counts one notification for `webhook` (its configured name, never its URL) by outcome:
    /// `sent`, `failed` (after retries), `dropped` (queue full) or `deduplicated`.
    pub(crate) fn record_notification(&self, webhook: &str, outcome: &'static str) {
        let labels = NotificationLabels {
            webhook: webhook.to_owned(),
            outcome,
        };
        self.inner.notifications.get_or_create(&labels).inc();
    }

    /// Counts one push hook request: `accepted`, `unauthorized`, `replayed` or `rate_limited`.
    pub(crate) fn record_hook_request(&self, outcome: &'static str) {
        self.inner
            .hook_requests
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// Labels this replica as shard `index` of `count` (set once at start).
    pub fn set_shard(&self, index: u32, count: u32) {
        self.inner.shard_info.clear();
        self.inner
            .shard_info
            .get_or_create(&ShardLabels {
                shard: index.to_string(),
                shards: count.to_string(),
            })
            .set(1);
    }

    /// Sets the bucket gauges of every fleet policy from the latest expansion; the series of a
    /// policy not in `policies` any more are removed.
    pub(crate) fn set_policy_buckets(&self, policies: &BTreeMap<String, PolicyCounts>) {
        let mut current = self
            .inner
            .policies
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for gone in current.iter().filter(|p| !policies.contains_key(*p)) {
            for state in POLICY_STATES {
                self.inner.policy_buckets.remove(&PolicyLabels {
                    policy: gone.clone(),
                    state,
                });
            }
        }
        for (policy, counts) in policies {
            let values = [
                counts.covered,
                counts.pending,
                counts.excluded,
                counts.unreadable,
            ];
            for (state, value) in POLICY_STATES.into_iter().zip(values) {
                let labels = PolicyLabels {
                    policy: policy.clone(),
                    state,
                };
                self.inner
                    .policy_buckets
                    .get_or_create(&labels)
                    .set(i64::try_from(value).unwrap_or(i64::MAX));
            }
        }
        *current = policies.keys().cloned().collect();
    }

    /// Counts one bucket listing pass of `provider`; a successful one at `at` also sets its
    /// last-success timestamp.
    pub(crate) fn record_discovery(&self, provider: Provider, success: bool, at: SystemTime) {
        let labels = DiscoveryLabels {
            provider: provider.as_str(),
            result: if success { "success" } else { "failure" },
        };
        self.inner.discovery_runs.get_or_create(&labels).inc();
        if success {
            let seconds = at
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs_f64();
            self.inner
                .discovery_last_success
                .get_or_create(&provider_labels(provider))
                .set(seconds);
        }
    }

    /// Every family in OpenMetrics text format ([`CONTENT_TYPE`]), ending with `# EOF`.
    #[expect(clippy::expect_used, reason = "writing to a String cannot fail")]
    pub fn encode(&self) -> String {
        self.refresh_report_ages();
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.inner.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Counts every attempt of the shared transport in `invsync_api_calls_total`.
///
/// Retries are not visible through this trait (an attempt does not say whether another one
/// follows); whoever retries calls [`Metrics::record_api_retry`].
impl CallObserver for Metrics {
    fn on_attempt(
        &self,
        provider: Provider,
        operation: Operation,
        outcome: AttemptOutcome,
        _elapsed: Duration,
    ) {
        let status = match outcome {
            AttemptOutcome::Status(status) => Some(status),
            AttemptOutcome::TransportError => None,
        };
        self.record_api_call(provider, operation, status);
    }

    fn on_retry(&self, provider: Provider, operation: Operation) {
        self.record_api_retry(provider, operation);
    }
}

fn provider_labels(provider: Provider) -> ProviderLabels {
    ProviderLabels {
        provider: provider.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_with(text: &str, prefix: &str) -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_family_is_exported_once_it_has_a_sample() {
        let m = Metrics::new();
        m.observe_reconcile(Provider::COS, Duration::from_secs(1));
        m.record_reconcile_error(Provider::COS);
        m.record_drift(Provider::COS, DriftKind::Changed);
        m.record_api_call(Provider::COS, Operation::Get, Some(404));
        m.record_api_retry(Provider::COS, Operation::Get);
        m.set_configs(Provider::COS, ConfigCounts::default());
        m.set_bucket_success(Provider::COS, "b", SystemTime::now());
        m.record_bucket_outcome(Provider::COS, "b", true);
        m.set_revision("r");
        m.record_manifest_load(true);
        m.set_policy_buckets(&[("p".to_owned(), PolicyCounts::default())].into());
        m.record_discovery(Provider::COS, true, SystemTime::now());
        let text = m.encode();
        for family in [
            "invsync_policy_buckets",
            "invsync_discovery_runs",
            "invsync_discovery_last_success_timestamp_seconds",
            "invsync_reconcile_duration_seconds",
            "invsync_reconcile_errors",
            "invsync_drift_events",
            "invsync_api_calls",
            "invsync_api_retries",
            "invsync_configs",
            "invsync_bucket_last_success_timestamp_seconds",
            "invsync_bucket_consecutive_failures",
            "invsync_revision_info",
            "invsync_manifest_errors",
            "invsync_manifest_valid",
        ] {
            assert!(
                text.contains(&format!("# TYPE {family} ")),
                "{family} missing from:\n{text}"
            );
        }
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn api_calls_are_counted_by_provider_operation_and_status() {
        let m = Metrics::new();
        m.record_api_call(Provider::COS, Operation::List, Some(200));
        m.record_api_call(Provider::COS, Operation::List, Some(200));
        m.record_api_call(Provider::OSS, Operation::Put, Some(503));
        m.record_api_call(Provider::OSS, Operation::Put, None);
        m.record_api_retry(Provider::OSS, Operation::Put);
        let text = m.encode();
        assert!(text.contains(
            r#"invsync_api_calls_total{provider="cos",operation="list",status="200"} 2"#
        ));
        assert!(
            text.contains(
                r#"invsync_api_calls_total{provider="oss",operation="put",status="503"} 1"#
            )
        );
        assert!(text.contains(
            r#"invsync_api_calls_total{provider="oss",operation="put",status="transport_error"} 1"#
        ));
        assert!(text.contains(r#"invsync_api_retries_total{provider="oss",operation="put"} 1"#));
    }

    #[test]
    fn transport_attempts_are_counted_through_the_observer_trait() {
        let m = Metrics::new();
        let observer: std::sync::Arc<dyn CallObserver> = std::sync::Arc::new(m.clone());
        let took = Duration::from_millis(20);
        observer.on_attempt(
            Provider::COS,
            Operation::Put,
            AttemptOutcome::Status(503),
            took,
        );
        observer.on_attempt(
            Provider::COS,
            Operation::Put,
            AttemptOutcome::TransportError,
            took,
        );
        observer.on_attempt(
            Provider::COS,
            Operation::Put,
            AttemptOutcome::Status(200),
            took,
        );
        let text = m.encode();
        for status in ["503", "transport_error", "200"] {
            let line = format!(
                r#"invsync_api_calls_total{{provider="cos",operation="put",status="{status}"}} 1"#
            );
            assert!(text.contains(&line), "{line} missing from:\n{text}");
        }
    }

    #[test]
    fn drift_and_reconcile_errors_are_counted_per_provider() {
        let m = Metrics::new();
        m.record_drift(Provider::COS, DriftKind::Missing);
        m.record_drift(Provider::COS, DriftKind::Unmanaged);
        m.record_drift(Provider::COS, DriftKind::Unmanaged);
        m.record_reconcile_error(Provider::OSS);
        let text = m.encode();
        assert!(text.contains(r#"invsync_drift_events_total{provider="cos",kind="missing"} 1"#));
        assert!(text.contains(r#"invsync_drift_events_total{provider="cos",kind="unmanaged"} 2"#));
        assert!(text.contains(r#"invsync_reconcile_errors_total{provider="oss"} 1"#));
    }

    #[test]
    fn reconcile_durations_land_in_the_histogram() {
        let m = Metrics::new();
        m.observe_reconcile(Provider::OSS, Duration::from_millis(300));
        let text = m.encode();
        assert!(text.contains(r#"invsync_reconcile_duration_seconds_count{provider="oss"} 1"#));
        assert!(text.contains(r#"invsync_reconcile_duration_seconds_sum{provider="oss"} 0.3"#));
        assert!(
            text.contains(
                r#"invsync_reconcile_duration_seconds_bucket{le="0.4",provider="oss"} 1"#
            ),
            "{text}"
        );
    }

    #[test]
    fn config_gauges_are_overwritten_not_added() {
        let m = Metrics::new();
        let counts = ConfigCounts {
            managed: 5,
            in_sync: 3,
            drifted: 2,
            blocked: 1,
        };
        m.set_configs(Provider::COS, counts);
        m.set_configs(
            Provider::COS,
            ConfigCounts {
                in_sync: 5,
                drifted: 0,
                ..counts
            },
        );
        let text = m.encode();
        assert!(text.contains(r#"invsync_configs{provider="cos",state="managed"} 5"#));
        assert!(text.contains(r#"invsync_configs{provider="cos",state="in_sync"} 5"#));
        assert!(text.contains(r#"invsync_configs{provider="cos",state="drifted"} 0"#));
        assert!(text.contains(r#"invsync_configs{provider="cos",state="blocked"} 1"#));
    }

    #[test]
    fn bucket_success_is_a_unix_timestamp_and_can_be_removed() {
        let m = Metrics::new();
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        m.set_bucket_success(Provider::COS, "logs-1250000000", at);
        let text = m.encode();
        assert!(text.contains(
            r#"invsync_bucket_last_success_timestamp_seconds{provider="cos",bucket="logs-1250000000"} 1700000000"#
        ), "{text}");
        m.remove_bucket(Provider::COS, "logs-1250000000");
        assert!(!m.encode().contains("logs-1250000000"));
    }

    #[test]
    fn consecutive_failures_count_up_and_reset_on_success() {
        let m = Metrics::new();
        m.record_bucket_outcome(Provider::OSS, "b", true);
        m.record_bucket_outcome(Provider::OSS, "b", true);
        let series = r#"invsync_bucket_consecutive_failures{provider="oss",bucket="b"}"#;
        assert!(m.encode().contains(&format!("{series} 2")));
        m.record_bucket_outcome(Provider::OSS, "b", false);
        assert!(m.encode().contains(&format!("{series} 0")));
        m.remove_bucket(Provider::OSS, "b");
        assert!(!m.encode().contains(series));
    }

    #[test]
    fn only_the_revision_in_force_is_exported() {
        let m = Metrics::new();
        m.set_revision("aaaa");
        m.set_revision("bbbb");
        m.set_revision("bbbb");
        let text = m.encode();
        assert_eq!(
            lines_with(&text, "invsync_revision_info{"),
            vec![r#"invsync_revision_info{revision="bbbb"} 1"#.to_owned()]
        );
    }

    #[test]
    fn manifest_validity_follows_the_latest_load() {
        let m = Metrics::new();
        m.record_manifest_load(false);
        assert!(m.encode().contains("invsync_manifest_valid 0"));
        m.record_manifest_load(true);
        let text = m.encode();
        assert!(text.contains("invsync_manifest_valid 1"));
        assert!(text.contains("invsync_manifest_errors_total 1"));
    }

    #[test]
    fn clones_share_the_same_values() {
        let m = Metrics::new();
        m.clone().record_drift(Provider::OSS, DriftKind::Changed);
        assert!(
            m.encode()
                .contains(r#"invsync_drift_events_total{provider="oss",kind="changed"} 1"#)
        );
    }

    #[test]
    fn policy_gauges_follow_the_latest_expansion_and_forget_removed_policies() {
        let m = Metrics::new();
        let counts = PolicyCounts {
            covered: 3,
            pending: 2,
            excluded: 1,
            unreadable: 4,
        };
        m.set_policy_buckets(&[("logs".to_owned(), counts), ("old".to_owned(), counts)].into());
        m.set_policy_buckets(
            &[(
                "logs".to_owned(),
                PolicyCounts {
                    covered: 5,
                    pending: 0,
                    ..counts
                },
            )]
            .into(),
        );
        let mut lines = lines_with(&m.encode(), "invsync_policy_buckets{");
        lines.sort();
        assert_eq!(
            lines,
            [
                r#"invsync_policy_buckets{policy="logs",state="covered"} 5"#,
                r#"invsync_policy_buckets{policy="logs",state="excluded"} 1"#,
                r#"invsync_policy_buckets{policy="logs",state="pending"} 0"#,
                r#"invsync_policy_buckets{policy="logs",state="unreadable"} 4"#,
            ]
        );
    }

    #[test]
    fn discovery_runs_are_counted_by_result_and_only_a_success_sets_the_timestamp() {
        let m = Metrics::new();
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        m.record_discovery(Provider::S3, false, at);
        m.record_discovery(Provider::S3, true, at);
        m.record_discovery(Provider::S3, true, at);
        let text = m.encode();
        let mut runs = lines_with(&text, "invsync_discovery_runs_total{");
        runs.sort();
        assert_eq!(
            runs,
            [
                r#"invsync_discovery_runs_total{provider="s3",result="failure"} 1"#,
                r#"invsync_discovery_runs_total{provider="s3",result="success"} 2"#,
            ]
        );
        assert_eq!(
            lines_with(&text, "invsync_discovery_last_success_timestamp_seconds{"),
            [r#"invsync_discovery_last_success_timestamp_seconds{provider="s3"} 1700000000.0"#]
        );
    }

    #[test]
    fn delivery_series_mark_the_current_state_age_with_the_report_and_go_with_the_bucket() {
        let metrics = Metrics::new();
        let made = SystemTime::now() - Duration::from_secs(7200);
        metrics.set_report_delivery(
            Provider::S3,
            "logs",
            "daily",
            DeliveryState::Overdue,
            Some(made),
        );
        metrics.set_report_delivery(Provider::S3, "logs", "fresh", DeliveryState::Pending, None);
        let text = metrics.encode();
        let states = lines_with(&text, "invsync_report_delivery_state{");
        assert_eq!(states.len(), 10, "{text}");
        assert!(states.iter().any(|l| l
            == r#"invsync_report_delivery_state{provider="s3",bucket="logs",config="daily",state="overdue"} 1"#));
        assert!(states.iter().any(|l| l
            == r#"invsync_report_delivery_state{provider="s3",bucket="logs",config="daily",state="on_time"} 0"#));
        let ages = lines_with(&text, "invsync_report_age_seconds{");
        assert_eq!(ages.len(), 1, "no age without a report: {ages:?}");
        let age: f64 = ages[0].rsplit(' ').next().unwrap().parse().unwrap();
        assert!((7200.0..7260.0).contains(&age), "{age}");

        metrics.remove_report_delivery(Provider::S3, "logs", "fresh");
        assert_eq!(
            lines_with(&metrics.encode(), "invsync_report_delivery_state{").len(),
            5
        );
        metrics.remove_bucket(Provider::S3, "logs");
        let text = metrics.encode();
        assert!(
            lines_with(&text, "invsync_report_delivery_state{").is_empty(),
            "{text}"
        );
        assert!(
            lines_with(&text, "invsync_report_age_seconds{").is_empty(),
            "{text}"
        );
    }
}
