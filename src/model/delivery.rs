//! Delivery health as the domain sees it: where a configuration's reports arrive, whether the
//! destination lets the service write them, and when the last one came.
//!
//! Plain data. The provider folders say where reports go and what a destination needs
//! (`crate::provider`); the delivery checks fill these types in; plans, the daemon's status and
//! its metrics show them.

use std::time::{Duration, SystemTime};

use super::BucketKey;

/// Where one configuration's reports arrive. Each delivery is a folder `{folder}{stamp}/`
/// holding the report's `manifest.json` and `manifest.checksum`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLocation {
    /// The destination bucket, as its own API names it, and its region.
    pub destination: BucketKey,
    /// The key prefix every delivery folder of this configuration starts with; ends with `/`.
    pub folder: String,
    /// How a delivery folder is named after [`ReportLocation::folder`].
    pub stamp: StampFormat,
    /// The source bucket as the report manifest names it (`sourceBucket`).
    pub source_bucket: String,
    /// How often a report is due.
    pub schedule: ReportSchedule,
}

/// How a delivery folder is named: the time the report was made, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StampFormat {
    /// `2016-11-06T21-32Z`: to the minute.
    Minute,
    /// `20161106`: the day.
    Day,
}

/// How often a configuration's reports are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportSchedule {
    /// One report every period (a day, a week).
    Every(Duration),
    /// One report a month.
    Monthly,
    /// One report, then none (OSS `Once`).
    Once,
}

impl ReportSchedule {
    /// The longest time between two reports: the period, 31 days for a month, `None` for a
    /// one-off report.
    pub fn period(self) -> Option<Duration> {
        match self {
            ReportSchedule::Every(period) => Some(period),
            ReportSchedule::Monthly => Some(Duration::from_secs(31 * 86_400)),
            ReportSchedule::Once => None,
        }
    }
}

/// Whether a destination lets the inventory service write reports, as far as read-only calls
/// can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Everything that can be checked says reports can be written.
    Ready,
    /// Reports cannot be written: why, and what to change (for a missing bucket policy grant,
    /// the statement to add, as JSON).
    NotReady {
        /// What is missing, in a sentence: `bucket policy grants s3.amazonaws.com no s3:PutObject on logs-dest/inventory/*`.
        problem: String,
        /// What to add or change; `None` when there is nothing to write down.
        fix: Option<String>,
    },
    /// The check itself could not be made (403 on the policy, the bucket unreachable): never
    /// taken for ready.
    NotChecked {
        /// Why, in a sentence.
        reason: String,
    },
}

/// One delivered report, as found and validated in its delivery folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The delivery folder's key prefix, ending with `/`.
    pub folder: String,
    /// When the report was made: the folder's stamp, or the manifest's creation time when it
    /// is more precise.
    pub made_at: SystemTime,
    /// How many data files the manifest lists.
    pub files: usize,
}

/// Whether a configuration's reports arrive on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeliveryState {
    /// The newest report is valid and the next one is not yet late.
    OnTime,
    /// No report yet, and none is late yet (a new configuration).
    Pending,
    /// The newest valid report is older than its schedule allows, or none came by the time the
    /// first was due.
    Overdue,
    /// The newest report's manifest failed validation (bad checksum, another source bucket, no
    /// files): it is not trusted.
    Invalid,
    /// The reports could not be looked at (403 on the listing, the bucket unreachable).
    Unknown,
}

impl DeliveryState {
    /// Lowercase name for metrics labels and JSON: `on_time`, `pending`, `overdue`, `invalid`,
    /// `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::OnTime => "on_time",
            DeliveryState::Pending => "pending",
            DeliveryState::Overdue => "overdue",
            DeliveryState::Invalid => "invalid",
            DeliveryState::Unknown => "unknown",
        }
    }

    /// Every state, in label order.
    pub const ALL: [DeliveryState; 5] = [
        DeliveryState::OnTime,
        DeliveryState::Pending,
        DeliveryState::Overdue,
        DeliveryState::Invalid,
        DeliveryState::Unknown,
    ];
}

/// What the delivery checks know of one configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryHealth {
    /// Whether its destination lets reports be written.
    pub readiness: Readiness,
    /// Whether its reports arrive.
    pub state: DeliveryState,
    /// The newest valid report, when there is one.
    pub last: Option<Delivery>,
    /// When the next report is due (the newest's time plus the schedule's period and the grace
    /// allowed), `None` for a one-off report already delivered.
    pub next_due: Option<SystemTime>,
    /// What is wrong, in a sentence, when `state` is not `OnTime` or `Pending`.
    pub problem: Option<String>,
}
