//! The webhook body formats and the kinds of notification, shared by the flag and file
//! readers of the notification settings.

use serde::Deserialize;

/// The body shape a webhook expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// invsync's own JSON object (every field, for scripts and generic receivers).
    Json,
    /// Slack incoming webhook (`text` plus mrkdwn blocks); Mattermost and Rocket.Chat accept it.
    Slack,
    /// Microsoft Teams incoming webhook (a MessageCard).
    Teams,
    /// Google Chat incoming webhook (`text`).
    GoogleChat,
}

impl Format {
    /// The format named `text` in the `--notify-webhook` spelling, if any.
    pub(super) fn parse(text: &str) -> Option<Format> {
        match text {
            "json" => Some(Format::Json),
            "slack" => Some(Format::Slack),
            "teams" => Some(Format::Teams),
            "googlechat" => Some(Format::GoogleChat),
            _ => None,
        }
    }
}

/// The kinds of notification, to choose per webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// A live configuration differs from the manifests.
    Drift,
    /// A change was written.
    Corrected,
    /// A bucket's reconcile failed.
    Failed,
    /// A bucket's plan was refused by the deletion limits.
    Blocked,
    /// A manifests revision was rejected.
    Rejected,
    /// A configuration's reports stopped arriving (destination not ready, overdue, invalid)
    /// or arrive again.
    Delivery,
}

impl EventKind {
    /// Every kind, the default selection.
    pub const ALL: [EventKind; 6] = [
        EventKind::Drift,
        EventKind::Corrected,
        EventKind::Failed,
        EventKind::Blocked,
        EventKind::Rejected,
        EventKind::Delivery,
    ];

    /// The lowercase name used in payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Drift => "drift",
            EventKind::Corrected => "corrected",
            EventKind::Failed => "failed",
            EventKind::Blocked => "blocked",
            EventKind::Rejected => "rejected",
            EventKind::Delivery => "delivery",
        }
    }
}
