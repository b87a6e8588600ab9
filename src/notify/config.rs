//! Which webhooks get which events, in which format: from `--notify-webhook` and the
//! `--notify-config` YAML file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::config_file;
pub use super::kinds::{EventKind, Format};
use crate::duration;
use crate::guarded_file::{self, ReadError};

/// Default time within which a repeated notification is not sent again.
pub(crate) const DEFAULT_DEDUP_WINDOW: Duration = Duration::from_secs(3600);
/// Largest `--notify-config` file read.
pub(crate) const MAX_CONFIG_FILE_BYTES: u64 = 1024 * 1024;
/// Largest `urlFile` read; a webhook URL is a few hundred bytes.
pub(crate) const MAX_URL_FILE_BYTES: u64 = 64 * 1024;

/// A webhook URL. Its `Debug` and `Display` hide everything but the scheme and host, because
/// Slack, Teams and Google Chat URLs carry their token in the path or query.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    /// Parses an `http` or `https` URL.
    ///
    /// # Errors
    /// A text that is not an absolute http(s) URL; the message does not quote it.
    pub fn parse(text: &str) -> Result<Self, String> {
        match url::Url::parse(text.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
                Ok(WebhookUrl(url))
            }
            Ok(_) => Err("the webhook URL must be an http:// or https:// URL".to_string()),
            Err(error) => Err(format!("the webhook URL is not a URL ({error})")),
        }
    }

    /// The full URL, for sending only.
    pub(crate) fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}/******",
            self.0.scheme(),
            self.0.host_str().unwrap_or("")
        )
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// One webhook.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// Shown in logs and metrics instead of the URL.
    pub name: String,
    /// Where events are posted (`url` or the contents of `urlFile`).
    pub url: WebhookUrl,
    /// The body's shape (`format`; JSON unless set).
    pub format: Format,
    /// The kinds sent to this webhook (`events`; every kind unless set).
    pub events: Vec<EventKind>,
}

/// Every webhook and the de-duplication window.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The `--notify-webhook` values in order, then the file's `webhooks`.
    pub webhooks: Vec<Webhook>,
    /// How long a repeated notification is held back (`dedupWindow`, else
    /// `--notify-dedup-window`).
    pub dedup_window: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            webhooks: Vec::new(),
            dedup_window: DEFAULT_DEDUP_WINDOW,
        }
    }
}

/// Why the notification settings are unusable.
#[derive(Debug, thiserror::Error)]
pub enum NotifyConfigError {
    /// A `--notify-webhook` value is wrong.
    #[error("--notify-webhook #{index} (INVSYNC_NOTIFY_WEBHOOKS): {message}")]
    Flag {
        /// Which value, counting from 1.
        index: usize,
        /// What is wrong and how to write it; never quotes the URL.
        message: String,
    },
    /// The config file cannot be read.
    #[error("cannot read --notify-config {}", path.display())]
    Read {
        /// The `--notify-config` file.
        path: PathBuf,
        /// Why it was not read.
        #[source]
        source: ReadError,
    },
    /// The config file is not valid.
    #[error("--notify-config {}: {message}", path.display())]
    Invalid {
        /// The `--notify-config` file.
        path: PathBuf,
        /// The line and field at fault and what is wrong; never quotes a URL.
        message: String,
    },
}

impl NotifyConfig {
    /// Builds the configuration from `--notify-webhook [FORMAT=]URL` values, an optional
    /// `--notify-config` file and the `--notify-dedup-window` flag (the file's `dedupWindow`
    /// wins when set).
    ///
    /// # Errors
    /// A bad flag value, an unreadable or invalid file; the message names the flag or the file
    /// and field, never a URL.
    pub fn from_sources(
        flags: &[String],
        file: Option<&Path>,
        dedup_window: Duration,
    ) -> Result<NotifyConfig, NotifyConfigError> {
        let mut config = NotifyConfig {
            webhooks: Vec::new(),
            dedup_window,
        };
        for (i, value) in flags.iter().enumerate() {
            let flag_error = |message: String| NotifyConfigError::Flag {
                index: i + 1,
                message,
            };
            let (format, url) = match value.split_once('=') {
                // Only a short word is a format: anything else before a `=` is part of the URL
                // (a query), which must not be quoted back.
                Some((format, url)) if is_format_word(format) => {
                    let format = Format::parse(format).ok_or_else(|| {
                        flag_error(format!(
                            "format `{format}` is not one of json, slack, teams, googlechat"
                        ))
                    })?;
                    (format, url)
                }
                _ => (Format::Json, value.as_str()),
            };
            let url = WebhookUrl::parse(url).map_err(|e| {
                flag_error(format!(
                    "{e}; write it as [FORMAT=]URL, e.g. slack=https://hooks.slack.com/services/…"
                ))
            })?;
            config.webhooks.push(Webhook {
                name: format!("webhook-{}", i + 1),
                url,
                format,
                events: EventKind::ALL.to_vec(),
            });
        }
        if let Some(path) = file {
            config.read_file(path)?;
        }
        Ok(config)
    }

    fn read_file(&mut self, path: &Path) -> Result<(), NotifyConfigError> {
        let invalid = |message: String| NotifyConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let text = guarded_file::read_to_string(path, MAX_CONFIG_FILE_BYTES).map_err(|source| {
            NotifyConfigError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let file = config_file::parse(&text).map_err(invalid)?;
        if let Some(window) = &file.dedup_window {
            self.dedup_window =
                duration::parse(window).map_err(|e| invalid(format!("dedupWindow: {e}")))?;
        }
        for (i, hook) in file.webhooks.into_iter().enumerate() {
            let field = format!("webhooks[{i}]");
            let url = match (&hook.url, &hook.url_file) {
                (Some(url), None) => url.clone(),
                (None, Some(url_file)) => {
                    guarded_file::read_to_string(url_file, MAX_URL_FILE_BYTES).map_err(|e| {
                        invalid(format!(
                            "{field}.urlFile: cannot read {}: {e}",
                            url_file.display()
                        ))
                    })?
                }
                _ => {
                    return Err(invalid(format!(
                        "{field}: set exactly one of `url` and `urlFile`"
                    )));
                }
            };
            let url = WebhookUrl::parse(&url).map_err(|e| invalid(format!("{field}.url: {e}")))?;
            self.webhooks.push(Webhook {
                name: hook.name.unwrap_or_else(|| field.clone()),
                url,
                format: hook.format.unwrap_or(Format::Json),
                events: hook.events.unwrap_or_else(|| EventKind::ALL.to_vec()),
            });
        }
        Ok(())
    }
}

/// True for what may be a `FORMAT=` prefix of a `--notify-webhook` value: a short word of
/// ASCII letters and digits.
fn is_format_word(text: &str) -> bool {
    (1..=16).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "T000/B000/XXXXSECRETXXXX";

    #[test]
    fn a_webhook_url_never_shows_its_path_or_query() {
        let url =
            WebhookUrl::parse(&format!("https://hooks.slack.com/services/{TOKEN}?k=v")).unwrap();
        for shown in [format!("{url:?}"), url.to_string()] {
            assert_eq!(shown, "https://hooks.slack.com/******");
        }
        assert!(url.expose().contains(TOKEN));
    }

    #[test]
    fn flags_take_an_optional_format_prefix() {
        let flags = vec![
            "slack=https://hooks.example/a".to_string(),
            "http://127.0.0.1:9/x".to_string(),
        ];
        let config = NotifyConfig::from_sources(&flags, None, DEFAULT_DEDUP_WINDOW).unwrap();
        assert_eq!(config.webhooks[0].format, Format::Slack);
        assert_eq!(config.webhooks[1].format, Format::Json);
        assert_eq!(config.webhooks[1].name, "webhook-2");
        assert_eq!(config.webhooks[1].events, EventKind::ALL);
    }

    #[test]
    fn a_bad_flag_names_the_flag_and_never_echoes_the_url() {
        let flags = vec![format!("discord=https://x/{TOKEN}")];
        let error = NotifyConfig::from_sources(&flags, None, DEFAULT_DEDUP_WINDOW)
            .unwrap_err()
            .to_string();
        assert!(error.contains("--notify-webhook #1"), "{error}");
        assert!(error.contains("`discord`"), "{error}");
        assert!(!error.contains(TOKEN), "{error}");
        for flag in [
            format!("ftp://x/{TOKEN}"),
            format!("hooks.slack.example/services/{TOKEN}?x=1"),
            format!("slack=hooks.slack.example/services/{TOKEN}"),
        ] {
            let error = NotifyConfig::from_sources(&[flag], None, DEFAULT_DEDUP_WINDOW)
                .unwrap_err()
                .to_string();
            assert!(error.contains("--notify-webhook #1"), "{error}");
            assert!(!error.contains(TOKEN), "{error}");
        }
    }

    #[test]
    fn the_file_sets_names_formats_events_url_files_and_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("slack-url");
        std::fs::write(&secret, format!("https://hooks.slack.com/{TOKEN}\n")).unwrap();
        let file = dir.path().join("notify.yaml");
        std::fs::write(
            &file,
            format!(
                "dedupWindow: 10m\nwebhooks:\n  - name: team\n    format: slack\n    urlFile: {}\n    events: [drift, failed]\n  - url: http://127.0.0.1:1/hook\n",
                secret.display()
            ),
        )
        .unwrap();
        let config = NotifyConfig::from_sources(&[], Some(&file), DEFAULT_DEDUP_WINDOW).unwrap();
        assert_eq!(config.dedup_window, Duration::from_secs(600));
        assert_eq!(config.webhooks[0].name, "team");
        assert_eq!(config.webhooks[0].format, Format::Slack);
        assert_eq!(
            config.webhooks[0].events,
            [EventKind::Drift, EventKind::Failed]
        );
        assert!(config.webhooks[0].url.expose().ends_with(TOKEN));
        assert_eq!(config.webhooks[1].name, "webhooks[1]");
        assert_eq!(config.webhooks[1].format, Format::Json);
    }

    #[test]
    fn a_dedup_window_too_long_to_add_to_a_clock_is_refused_naming_the_file_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notify.yaml");
        std::fs::write(&file, "dedupWindow: 18446744073709551615s\n").unwrap();
        let error = NotifyConfig::from_sources(&[], Some(&file), DEFAULT_DEDUP_WINDOW)
            .unwrap_err()
            .to_string();
        assert!(error.contains("notify.yaml"), "{error}");
        assert!(
            error.contains("dedupWindow: `18446744073709551615s` is too long; at most 365d"),
            "{error}"
        );
    }

    #[test]
    fn a_file_error_names_the_file_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notify.yaml");
        std::fs::write(&file, "webhooks:\n  - format: slack\n").unwrap();
        let error = NotifyConfig::from_sources(&[], Some(&file), DEFAULT_DEDUP_WINDOW)
            .unwrap_err()
            .to_string();
        assert!(error.contains("notify.yaml"), "{error}");
        assert!(error.contains("webhooks[0]: set exactly one of `url` and `urlFile`"));
        std::fs::write(&file, "webhook: []\n").unwrap();
        let error = NotifyConfig::from_sources(&[], Some(&file), DEFAULT_DEDUP_WINDOW)
            .unwrap_err()
            .to_string();
        assert!(error.contains("webhook"), "{error}");
    }
}
