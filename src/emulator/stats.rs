//! Request counts by provider, call and status, so tests and benchmarks can assert how many
//! calls a run cost (`GET /_emulator/stats`, reset by `DELETE /_emulator/stats`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::call::{BucketCall, Call, ObjectCall};
use crate::model::Provider;
use crate::provider::Operation;

/// The status recorded for a request whose connection was dropped by fault injection.
pub(crate) const STATUS_CONNECTION_RESET: u16 = 0;

/// A snapshot of the counters.
///
/// JSON: `{"total":4,"requests":[{"provider":"cos","operation":"list","status":200,"count":3}],
/// "bucket_requests":[{"provider":"s3","call":"list_buckets","status":200,"count":1}]}`,
/// entries ordered by provider, operation (call), status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Every counted request, inventory and bucket-level.
    pub total: u64,
    /// Inventory calls.
    pub requests: Vec<StatEntry>,
    /// Bucket-level calls (bucket listing, tags).
    #[serde(default)]
    pub(crate) bucket_requests: Vec<BucketStatEntry>,
    /// Object and bucket-policy calls, by provider, call and status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub object_requests: Vec<ObjectStatEntry>,
}

/// The count of one object call (or bucket-policy call) of one provider with one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectStatEntry {
    /// The provider called.
    pub provider: Provider,
    /// The call.
    pub call: ObjectCall,
    /// The HTTP status answered.
    pub status: u16,
    /// How many times.
    pub count: u64,
}

/// Bucket-level requests of one provider and call that got one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketStatEntry {
    /// The provider whose dialect answered.
    pub provider: Provider,
    /// The bucket-level call, e.g. `list_buckets`.
    pub call: BucketCall,
    /// HTTP status; [`STATUS_CONNECTION_RESET`] for dropped connections.
    pub status: u16,
    /// Requests counted since start or the last reset.
    pub count: u64,
}

/// Requests of one provider and operation that got one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatEntry {
    /// The provider whose dialect answered.
    pub provider: Provider,
    /// The inventory call; JSON `list`, `get`, `put` or `delete`.
    #[serde(with = "operation_name")]
    pub operation: Operation,
    /// HTTP status; [`STATUS_CONNECTION_RESET`] for dropped connections.
    pub status: u16,
    /// Requests counted since start or the last reset.
    pub count: u64,
}

mod operation_name {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    use crate::provider::Operation;

    pub(crate) fn serialize<S: Serializer>(op: &Operation, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(op.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Operation, D::Error> {
        let name = String::deserialize(d)?;
        match name.as_str() {
            "list" => Ok(Operation::List),
            "get" => Ok(Operation::Get),
            "put" => Ok(Operation::Put),
            "delete" => Ok(Operation::Delete),
            other => Err(D::Error::custom(format!("unknown operation {other:?}"))),
        }
    }
}

impl Stats {
    /// Requests of `provider` and `operation` that got `status`.
    pub fn count(&self, provider: Provider, operation: Operation, status: u16) -> u64 {
        self.requests
            .iter()
            .filter(|e| e.provider == provider && e.operation == operation && e.status == status)
            .map(|e| e.count)
            .sum()
    }

    /// Requests of `provider` and `operation`, whatever their status.
    pub fn calls(&self, provider: Provider, operation: Operation) -> u64 {
        self.requests
            .iter()
            .filter(|e| e.provider == provider && e.operation == operation)
            .map(|e| e.count)
            .sum()
    }

    /// Inventory requests of `provider` that got `status`, whatever their operation.
    pub fn with_status(&self, provider: Provider, status: u16) -> u64 {
        self.requests
            .iter()
            .filter(|e| e.provider == provider && e.status == status)
            .map(|e| e.count)
            .sum()
    }

    /// How many object or bucket-policy calls `call` of `provider` were made, any status.
    pub fn object_calls(&self, provider: Provider, call: ObjectCall) -> u64 {
        self.object_requests
            .iter()
            .filter(|e| e.provider == provider && e.call == call)
            .map(|e| e.count)
            .sum()
    }

    /// Every bucket-level entry (provider, call, status, count), as `/_emulator/stats` lists
    /// them under `bucket_requests`.
    pub fn bucket_requests(&self) -> &[BucketStatEntry] {
        &self.bucket_requests
    }

    /// Bucket-level requests of `provider` and `call`, whatever their status.
    pub fn bucket_calls(&self, provider: Provider, call: BucketCall) -> u64 {
        self.bucket_requests
            .iter()
            .filter(|e| e.provider == provider && e.call == call)
            .map(|e| e.count)
            .sum()
    }
}

/// The live counters.
#[derive(Debug, Default)]
pub struct Recorder {
    counts: BTreeMap<(Provider, Call, u16), u64>,
}

impl Recorder {
    /// Counts one request.
    pub fn record(&mut self, provider: Provider, call: Call, status: u16) {
        *self.counts.entry((provider, call, status)).or_default() += 1;
    }

    /// Forgets every count.
    pub fn reset(&mut self) {
        self.counts.clear();
    }

    /// The counts so far.
    pub fn snapshot(&self) -> Stats {
        let mut stats = Stats::default();
        for (&(provider, call, status), &count) in &self.counts {
            stats.total += count;
            match call {
                Call::Inventory(operation) => stats.requests.push(StatEntry {
                    provider,
                    operation,
                    status,
                    count,
                }),
                Call::Bucket(call) => stats.bucket_requests.push(BucketStatEntry {
                    provider,
                    call,
                    status,
                    count,
                }),
                Call::Object(call) => stats.object_requests.push(ObjectStatEntry {
                    provider,
                    call,
                    status,
                    count,
                }),
            }
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accumulate_by_provider_operation_and_status_and_reset_clears_them() {
        let mut recorder = Recorder::default();
        recorder.record(Provider::COS, Call::Inventory(Operation::List), 200);
        recorder.record(Provider::COS, Call::Inventory(Operation::List), 200);
        recorder.record(Provider::COS, Call::Inventory(Operation::List), 503);
        recorder.record(Provider::OSS, Call::Inventory(Operation::Put), 409);
        let stats = recorder.snapshot();
        assert_eq!(stats.total, 4);
        assert_eq!(stats.count(Provider::COS, Operation::List, 200), 2);
        assert_eq!(stats.calls(Provider::COS, Operation::List), 3);
        assert_eq!(stats.with_status(Provider::OSS, 409), 1);
        recorder.reset();
        assert_eq!(recorder.snapshot(), Stats::default());
    }

    #[test]
    fn json_round_trips_with_lowercase_names() {
        let mut recorder = Recorder::default();
        recorder.record(Provider::OSS, Call::Inventory(Operation::Delete), 204);
        let json = serde_json::to_string(&recorder.snapshot()).unwrap();
        assert_eq!(
            json,
            r#"{"total":1,"requests":[{"provider":"oss","operation":"delete","status":204,"count":1}],"bucket_requests":[]}"#
        );
        let back: Stats = serde_json::from_str(&json).unwrap();
        assert_eq!(back, recorder.snapshot());
    }

    #[test]
    fn bucket_level_calls_are_counted_apart_and_in_the_total() {
        let mut recorder = Recorder::default();
        recorder.record(Provider::S3, Call::Bucket(BucketCall::ListBuckets), 200);
        recorder.record(Provider::S3, Call::Inventory(Operation::List), 200);
        let stats = recorder.snapshot();
        assert_eq!(stats.total, 2);
        assert_eq!(stats.calls(Provider::S3, Operation::List), 1);
        assert_eq!(stats.bucket_calls(Provider::S3, BucketCall::ListBuckets), 1);
        let json = serde_json::to_string(&stats).unwrap();
        assert!(json.contains(r#""call":"list_buckets""#), "{json}");
        let old: Stats = serde_json::from_str(r#"{"total":0,"requests":[]}"#).unwrap();
        assert!(old.bucket_requests.is_empty());
    }
}
