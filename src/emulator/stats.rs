//! Request counts by provider, operation and status, so tests and benchmarks can assert how
//! many calls a run cost (`GET /_emulator/stats`, reset by `DELETE /_emulator/stats`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Provider;
use crate::provider::Operation;

/// The status recorded for a request whose connection was dropped by fault injection.
pub(crate) const STATUS_CONNECTION_RESET: u16 = 0;

/// A snapshot of the counters.
///
/// JSON: `{"total":3,"requests":[{"provider":"cos","operation":"list","status":200,"count":3}]}`,
/// entries ordered by provider, operation, status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Every counted request.
    pub total: u64,
    pub requests: Vec<StatEntry>,
}

/// Requests of one provider and operation that got one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatEntry {
    pub provider: Provider,
    #[serde(with = "operation_name")]
    pub operation: Operation,
    /// HTTP status; [`STATUS_CONNECTION_RESET`] for dropped connections.
    pub status: u16,
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

    /// Requests of `provider` that got `status`, whatever their operation.
    pub fn with_status(&self, provider: Provider, status: u16) -> u64 {
        self.requests
            .iter()
            .filter(|e| e.provider == provider && e.status == status)
            .map(|e| e.count)
            .sum()
    }
}

/// The live counters.
#[derive(Debug, Default)]
pub struct Recorder {
    counts: BTreeMap<(Provider, Operation, u16), u64>,
}

impl Recorder {
    /// Counts one request.
    pub fn record(&mut self, provider: Provider, operation: Operation, status: u16) {
        *self
            .counts
            .entry((provider, operation, status))
            .or_default() += 1;
    }

    /// Forgets every count.
    pub fn reset(&mut self) {
        self.counts.clear();
    }

    /// The counts so far.
    pub fn snapshot(&self) -> Stats {
        let requests: Vec<StatEntry> = self
            .counts
            .iter()
            .map(|(&(provider, operation, status), &count)| StatEntry {
                provider,
                operation,
                status,
                count,
            })
            .collect();
        Stats {
            total: requests.iter().map(|e| e.count).sum(),
            requests,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accumulate_by_provider_operation_and_status_and_reset_clears_them() {
        let mut recorder = Recorder::default();
        recorder.record(Provider::COS, Operation::List, 200);
        recorder.record(Provider::COS, Operation::List, 200);
        recorder.record(Provider::COS, Operation::List, 503);
        recorder.record(Provider::OSS, Operation::Put, 409);
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
        recorder.record(Provider::OSS, Operation::Delete, 204);
        let json = serde_json::to_string(&recorder.snapshot()).unwrap();
        assert_eq!(
            json,
            r#"{"total":1,"requests":[{"provider":"oss","operation":"delete","status":204,"count":1}]}"#
        );
        let back: Stats = serde_json::from_str(&json).unwrap();
        assert_eq!(back, recorder.snapshot());
    }
}
