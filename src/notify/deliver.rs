//! Delivery: a dispatcher turning daemon events into notifications, and one bounded queue and
//! task per webhook posting them with retries.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{debug, warn};

use super::config::{NotifyConfig, Webhook};
use super::event::{Deduplicator, Notification};
use super::payload::render;
use crate::backoff::{Backoff, Jitter};
use crate::metrics::Metrics;
use crate::reconcile::RunEvent;

/// How notifications are queued and retried.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Notifications waiting per webhook; past this, new ones are dropped (and counted).
    pub queue: usize,
    /// Attempts per notification, the first included.
    pub max_attempts: u32,
    /// First retry delay; it doubles up to `max_delay`, with full jitter.
    pub base_delay: Duration,
    /// Where the doubling stops; jitter only shortens a wait, so none is longer.
    pub max_delay: Duration,
    /// Time limit of one POST.
    pub request_timeout: Duration,
}

impl DeliverySettings {
    /// The wait between attempts: `base_delay` doubling up to `max_delay`, full jitter.
    pub fn backoff(&self) -> Backoff {
        Backoff::new(self.base_delay, self.max_delay)
    }
}

impl Default for DeliverySettings {
    /// 100 queued, 5 attempts over about half a minute (0.5 s doubling, capped at 15 s), 10 s
    /// per POST: long enough to ride out a chat service's hiccup, short enough that a dead
    /// webhook's queue drains rather than grows.
    fn default() -> Self {
        DeliverySettings {
            queue: 100,
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(15),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// Why notifications cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The HTTP client could not be built.
    #[error("cannot build the webhook HTTP client")]
    Client(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Starts delivering: returns the sender the daemon gives its events to (never blocks) and the
/// dispatcher task, which ends when every sender is dropped.
///
/// # Errors
/// The HTTP client cannot be built.
pub fn spawn(
    config: NotifyConfig,
    settings: DeliverySettings,
    metrics: Metrics,
) -> Result<(mpsc::UnboundedSender<RunEvent>, JoinHandle<()>), DeliveryError> {
    spawn_with_jitter(config, settings, metrics, Jitter::random())
}

/// [`spawn`] drawing the retry jitter from `jitter` (tests pin it).
///
/// # Errors
/// The HTTP client cannot be built.
pub(crate) fn spawn_with_jitter(
    config: NotifyConfig,
    settings: DeliverySettings,
    metrics: Metrics,
    jitter: Jitter,
) -> Result<(mpsc::UnboundedSender<RunEvent>, JoinHandle<()>), DeliveryError> {
    let tls = crate::provider::http::tls_config().map_err(|e| DeliveryError::Client(e.into()))?;
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(settings.request_timeout)
        // A redirect would send the payload somewhere nobody configured.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| DeliveryError::Client(e.into()))?;
    let settings = Arc::new(settings);
    let queues: Vec<(Webhook, mpsc::Sender<Notification>)> = config
        .webhooks
        .into_iter()
        .map(|webhook| {
            let (sender, receiver) = mpsc::channel(settings.queue.max(1));
            tokio::spawn(worker(
                webhook.clone(),
                receiver,
                client.clone(),
                Arc::clone(&settings),
                jitter.clone(),
                metrics.clone(),
            ));
            (webhook, sender)
        })
        .collect();
    let (events, mut received) = mpsc::unbounded_channel::<RunEvent>();
    let mut dedup = Deduplicator::new(config.dedup_window);
    let dispatcher = tokio::spawn(async move {
        let mut revision = String::new();
        while let Some(event) = received.recv().await {
            if let RunEvent::RevisionLoaded {
                revision: loaded, ..
            } = &event
            {
                revision.clone_from(loaded);
            }
            let Some(notification) = Notification::from_event(&event, &revision) else {
                continue;
            };
            if !dedup.admit(&notification, Instant::now()) {
                for (webhook, _) in &queues {
                    metrics.record_notification(&webhook.name, "deduplicated");
                }
                continue;
            }
            for (webhook, queue) in &queues {
                if !webhook.events.contains(&notification.kind) {
                    continue;
                }
                if queue.try_send(notification.clone()).is_err() {
                    metrics.record_notification(&webhook.name, "dropped");
                    warn!(webhook = %webhook.name, event = notification.kind.as_str(), "notification queue full; notification dropped");
                }
            }
        }
    });
    Ok((events, dispatcher))
}

/// Posts one webhook's notifications in order, each with bounded retries.
async fn worker(
    webhook: Webhook,
    mut queue: mpsc::Receiver<Notification>,
    client: reqwest::Client,
    settings: Arc<DeliverySettings>,
    jitter: Jitter,
    metrics: Metrics,
) {
    while let Some(notification) = queue.recv().await {
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let body = render(webhook.format, &notification, timestamp);
        let outcome = post(&client, &webhook, &body, &settings, &jitter).await;
        match &outcome {
            Ok(()) => {
                debug!(webhook = %webhook.name, event = notification.kind.as_str(), "notification sent")
            }
            Err(error) => {
                warn!(webhook = %webhook.name, event = notification.kind.as_str(), %error, "notification not delivered")
            }
        }
        metrics.record_notification(
            &webhook.name,
            if outcome.is_ok() { "sent" } else { "failed" },
        );
    }
}

/// POSTs `body`, retrying transport errors, 429 and 5xx with full-jitter exponential backoff.
/// Errors never contain the URL.
async fn post(
    client: &reqwest::Client,
    webhook: &Webhook,
    body: &serde_json::Value,
    settings: &DeliverySettings,
    jitter: &Jitter,
) -> Result<(), String> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = client
            .post(webhook.url.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        let (retryable, error) = match result {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                (
                    status.as_u16() == 429 || status.is_server_error(),
                    format!("HTTP {}", status.as_u16()),
                )
            }
            Err(error) => (true, error.without_url().to_string()),
        };
        if !retryable || attempt >= settings.max_attempts {
            return Err(format!("{error} after {attempt} attempts"));
        }
        tokio::time::sleep(settings.backoff().next_delay(attempt - 1, jitter)).await;
    }
}
