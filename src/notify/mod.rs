//! Drift notifications: the daemon's events posted to webhooks (generic JSON, Slack, Microsoft
//! Teams, Google Chat).
//!
//! - [`config`]: which webhooks, in which format, for which events (flags and `--notify-config`).
//! - `config_file`: the `--notify-config` YAML read with errors that never quote a value.
//! - [`event`]: daemon events as notifications, and de-duplication of repeats (pure).
//! - [`payload`]: one notification as each format's JSON body (pure).
//! - [`deliver`]: one bounded queue and delivery task per webhook, with retries and backoff.
//!
//! # Guarantees
//! - Never slows reconciling: the daemon hands events over without waiting; each webhook has
//!   its own bounded queue, and a full queue drops the newest notification (counted in
//!   `invsync_notifications_total{outcome="dropped"}`) instead of blocking.
//! - The same drift (bucket, id, kind and field diff), failure or rejection is sent once per
//!   de-duplication window; a correction forgets the configuration's drift, so a new drift of
//!   it is sent at once.
//! - No secrets: payloads carry bucket names, ids, field diffs and error messages, never
//!   credentials; webhook URLs (which often embed a token) are never logged, only the
//!   webhook's name.

pub mod config;
mod config_file;
pub(crate) mod deliver;
pub mod event;
mod kinds;
pub mod payload;

pub use config::{EventKind, Format, NotifyConfig, NotifyConfigError, Webhook, WebhookUrl};
pub use deliver::{DeliverySettings, spawn};
