//! Fault injection for reliability tests: error answers, latency, connection resets and
//! malformed bodies, switchable at start and at run time (`PUT /_emulator/faults`).
//!
//! Faults apply only to emulated API requests (inventory and bucket-level calls), never to
//! `/_emulator/*`. The decision is a
//! pure function of the configuration and random rolls passed in.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::call::Call;
use super::errors::{ApiError, ec};
use crate::duration::MAX_DURATION;
use crate::model::Provider;

/// One error answer that fault injection may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectedError {
    /// The HTTP status to answer with, in `400..=599`.
    pub status: u16,
    /// The provider error code the body carries, e.g. `SlowDown`.
    pub code: String,
}

/// What faults to inject. The default injects nothing.
///
/// JSON form (every field optional):
/// `{"error_rate":0.1,"cos_errors":[{"status":503,"code":"SlowDown"}],"oss_errors":[],"s3_errors":[],
///   "latency_ms":50,"reset_rate":0.0,"malformed_rate":0.0,"fail_next":0,
///   "retry_after_secs":1,"operations":["put"],"providers":["oss"]}`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Share of requests (0..=1) answered with an injected error.
    pub error_rate: f64,
    /// Errors COS requests may get; empty means 503 `SlowDown`.
    pub cos_errors: Vec<InjectedError>,
    /// Errors OSS requests may get; empty means 503 `MetaOperationQpsLimitExceeded`.
    pub oss_errors: Vec<InjectedError>,
    /// Errors S3 requests may get; empty means 503 `SlowDown`.
    pub s3_errors: Vec<InjectedError>,
    /// Delay added before every affected request is handled.
    #[serde(rename = "latency_ms", with = "millis")]
    pub latency: Duration,
    /// Share of requests whose connection is dropped before any state change.
    pub reset_rate: f64,
    /// Share of successful LIST and GET answers whose body is cut short (not well-formed XML).
    pub malformed_rate: f64,
    /// The next this-many affected requests get an injected error, whatever `error_rate` says.
    pub fail_next: u32,
    /// Send `Retry-After: N` with injected errors (the real services do not; clients honour it).
    pub retry_after_secs: Option<u64>,
    /// Calls affected (`list`, `get`, `put`, `delete`, `list_buckets`, `get_tagging`,
    /// `put_tagging`, `delete_tagging`); empty means all.
    pub operations: Vec<String>,
    /// Providers affected; empty means all.
    pub providers: Vec<Provider>,
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// Why a fault configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultConfigError {
    /// A share is outside `0..=1`.
    #[error("{field} must be between 0 and 1, got {value}")]
    RateOutOfRange {
        /// The JSON key: `error_rate`, `reset_rate` or `malformed_rate`.
        field: &'static str,
        /// The value given, as text.
        value: String,
    },
    /// An `operations` entry names no emulated call; carries the entry.
    #[error(
        "unknown operation {0:?} (expected list, get, put, delete, list_buckets, get_tagging, put_tagging or delete_tagging)"
    )]
    UnknownOperation(String),
    /// An injected error's `status` is outside `400..=599`; carries the status.
    #[error("injected status {0} is not an error status (expected 400..=599)")]
    NotAnErrorStatus(u16),
    /// A duration is above [`MAX_DURATION`].
    #[error("{field} is too long; at most 365 days")]
    TooLong {
        /// The JSON key: `latency_ms` or `retry_after_secs`.
        field: &'static str,
    },
}

impl FaultConfig {
    /// Parses and validates the JSON form (as `PUT /_emulator/faults` takes it), e.g. for a
    /// `--faults` flag.
    ///
    /// # Errors
    /// A message naming the bad field or value.
    pub fn from_json(text: &str) -> Result<FaultConfig, String> {
        let config: FaultConfig =
            serde_json::from_str(text).map_err(|e| format!("invalid fault configuration: {e}"))?;
        config
            .validate()
            .map_err(|e| format!("invalid fault configuration: {e}"))?;
        Ok(config)
    }

    /// Checks rates, statuses, operation names and that the durations are at most
    /// [`MAX_DURATION`], as every duration invsync accepts.
    pub fn validate(&self) -> Result<(), FaultConfigError> {
        for (field, value) in [
            ("error_rate", self.error_rate),
            ("reset_rate", self.reset_rate),
            ("malformed_rate", self.malformed_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(FaultConfigError::RateOutOfRange {
                    field,
                    value: value.to_string(),
                });
            }
        }
        for error in self
            .cos_errors
            .iter()
            .chain(&self.oss_errors)
            .chain(&self.s3_errors)
        {
            if !(400..=599).contains(&error.status) {
                return Err(FaultConfigError::NotAnErrorStatus(error.status));
            }
        }
        for op in &self.operations {
            Call::from_name(op).ok_or_else(|| FaultConfigError::UnknownOperation(op.clone()))?;
        }
        let retry_after = Duration::from_secs(self.retry_after_secs.unwrap_or(0));
        for (field, value) in [
            ("latency_ms", self.latency),
            ("retry_after_secs", retry_after),
        ] {
            if value > MAX_DURATION {
                return Err(FaultConfigError::TooLong { field });
            }
        }
        Ok(())
    }

    /// True when this request is in scope of the configured faults.
    pub(crate) fn applies_to(&self, provider: Provider, call: Call) -> bool {
        (self.providers.is_empty() || self.providers.contains(&provider))
            && (self.operations.is_empty()
                || self
                    .operations
                    .iter()
                    .any(|op| Call::from_name(op) == Some(call)))
    }

    /// One of `configured` chosen by `roll`, or `fallback` when none are configured; marked
    /// as injected either way.
    fn error_for(
        configured: &[InjectedError],
        fallback: impl FnOnce() -> ApiError,
        roll: f64,
    ) -> ApiError {
        if configured.is_empty() {
            return fallback().with_ec(ec::INJECTED);
        }
        // roll is in [0, 1); the index stays in bounds even for a roll of exactly 1.0.
        let index = ((roll * configured.len() as f64) as usize).min(configured.len() - 1);
        let chosen = &configured[index];
        ApiError::new(
            chosen.status,
            chosen.code.clone(),
            "This error was injected by the emulator's fault configuration.",
        )
        .with_ec(ec::INJECTED)
    }
}

/// Uniform random numbers in [0, 1) for one request's fault decision.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rolls {
    pub reset: f64,
    pub error: f64,
    pub(crate) which_error: f64,
    pub malformed: f64,
}

/// What to do to one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FaultAction {
    /// Handle normally.
    None,
    /// Drop the connection without answering and without touching state.
    Reset,
    /// Answer with this error without touching state.
    Error(ApiError),
    /// Handle normally, then cut the success body short.
    Malformed,
}

/// The errors an injected error is chosen from: the provider's configured ones, else its
/// throttling answer.
pub(crate) struct ErrorChoices<'a, F: FnOnce() -> ApiError> {
    pub configured: &'a [InjectedError],
    pub fallback: F,
}

/// The fault decision for one in-scope request. `forced_error` is true while `fail_next`
/// has budget left.
pub(crate) fn decide<F: FnOnce() -> ApiError>(
    config: &FaultConfig,
    errors: ErrorChoices<'_, F>,
    call: Call,
    forced_error: bool,
    rolls: Rolls,
) -> FaultAction {
    if rolls.reset < config.reset_rate {
        return FaultAction::Reset;
    }
    if forced_error || rolls.error < config.error_rate {
        return FaultAction::Error(FaultConfig::error_for(
            errors.configured,
            errors.fallback,
            rolls.which_error,
        ));
    }
    if call.answers_with_a_body() && rolls.malformed < config.malformed_rate {
        return FaultAction::Malformed;
    }
    FaultAction::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Operation;

    fn slow_down() -> ApiError {
        ApiError::new(503, "SlowDown", "Please reduce your request rate.")
    }

    /// The choices of a provider with `configured` errors and S3's throttling answer.
    fn choices(configured: &[InjectedError]) -> ErrorChoices<'_, fn() -> ApiError> {
        ErrorChoices {
            configured,
            fallback: slow_down,
        }
    }

    const QUIET: Rolls = Rolls {
        reset: 0.99,
        error: 0.99,
        which_error: 0.0,
        malformed: 0.99,
    };

    #[test]
    fn durations_beyond_the_common_bound_are_refused_naming_the_field() {
        for json in [
            r#"{"latency_ms":18446744073709551615}"#,
            r#"{"retry_after_secs":18446744073709551615}"#,
        ] {
            let error = FaultConfig::from_json(json).unwrap_err();
            assert!(error.contains("is too long; at most 365 days"), "{error}");
        }
        assert!(FaultConfig::from_json(r#"{"latency_ms":50,"retry_after_secs":1}"#).is_ok());
    }

    #[test]
    fn the_default_configuration_injects_nothing() {
        let config = FaultConfig::default();
        let zero = Rolls {
            reset: 0.0,
            error: 0.0,
            which_error: 0.0,
            malformed: 0.0,
        };
        assert_eq!(
            decide(
                &config,
                choices(&config.cos_errors),
                Call::Inventory(Operation::List),
                false,
                zero
            ),
            FaultAction::None
        );
    }

    #[test]
    fn without_configured_errors_the_fallback_is_injected() {
        let config = FaultConfig {
            error_rate: 1.0,
            ..FaultConfig::default()
        };
        let FaultAction::Error(error) = decide(
            &config,
            choices(&config.cos_errors),
            Call::Inventory(Operation::Put),
            false,
            QUIET,
        ) else {
            panic!("expected an error");
        };
        assert_eq!(
            (error.status, error.code.as_str(), error.ec.as_str()),
            (503, "SlowDown", ec::INJECTED)
        );
    }

    #[test]
    fn configured_errors_are_chosen_by_the_roll() {
        let config = FaultConfig {
            cos_errors: vec![
                InjectedError {
                    status: 500,
                    code: "InternalError".into(),
                },
                InjectedError {
                    status: 503,
                    code: "ServiceUnavailable".into(),
                },
            ],
            ..FaultConfig::default()
        };
        let rolls = Rolls {
            which_error: 0.75,
            ..QUIET
        };
        let FaultAction::Error(e) = decide(
            &config,
            choices(&config.cos_errors),
            Call::Inventory(Operation::Get),
            true,
            rolls,
        ) else {
            panic!("expected an error");
        };
        assert_eq!(e.code, "ServiceUnavailable");
    }

    #[test]
    fn malformed_bodies_only_hit_operations_that_have_a_body() {
        let config = FaultConfig {
            malformed_rate: 1.0,
            ..FaultConfig::default()
        };
        assert_eq!(
            decide(
                &config,
                choices(&config.oss_errors),
                Call::Inventory(Operation::Get),
                false,
                QUIET
            ),
            FaultAction::Malformed
        );
        assert_eq!(
            decide(
                &config,
                choices(&config.oss_errors),
                Call::Inventory(Operation::List),
                false,
                QUIET
            ),
            FaultAction::Malformed
        );
        assert_eq!(
            decide(
                &config,
                choices(&config.oss_errors),
                Call::Inventory(Operation::Put),
                false,
                QUIET
            ),
            FaultAction::None
        );
        assert_eq!(
            decide(
                &config,
                choices(&config.oss_errors),
                Call::Inventory(Operation::Delete),
                false,
                QUIET
            ),
            FaultAction::None
        );
    }

    #[test]
    fn scope_filters_by_operation_and_provider() {
        let config = FaultConfig {
            operations: vec!["put".into()],
            providers: vec![Provider::OSS],
            ..FaultConfig::default()
        };
        assert!(config.applies_to(Provider::OSS, Call::Inventory(Operation::Put)));
        assert!(!config.applies_to(Provider::OSS, Call::Inventory(Operation::Delete)));
        assert!(!config.applies_to(Provider::COS, Call::Inventory(Operation::Put)));
    }

    #[test]
    fn json_form_parses_and_bad_values_are_refused() {
        let config: FaultConfig =
            serde_json::from_str(r#"{"error_rate":0.5,"latency_ms":20,"operations":["list"]}"#)
                .unwrap();
        assert_eq!(config.latency, Duration::from_millis(20));
        assert!(config.validate().is_ok());
        let bad = FaultConfig {
            reset_rate: 1.5,
            ..FaultConfig::default()
        };
        assert!(bad.validate().is_err());
        let bad_op = FaultConfig {
            operations: vec!["post".into()],
            ..FaultConfig::default()
        };
        assert!(bad_op.validate().is_err());
        assert!(serde_json::from_str::<FaultConfig>(r#"{"eror_rate":1}"#).is_err());
        assert!(FaultConfig::from_json(r#"{"error_rate":1.5}"#).is_err());
        assert_eq!(
            FaultConfig::from_json(r#"{"fail_next":3}"#).map(|c| c.fail_next),
            Ok(3)
        );
    }
}
