//! Finds and validates the newest delivered report of one configuration, cheaply: one
//! listing of the recent delivery folders, then the two manifest objects of the newest.

use std::time::{Duration, SystemTime};

use super::manifest;
use super::stamp;
use crate::model::{Delivery, ReportLocation};
use crate::provider::delivery::{DeliveryApi, ObjectQuery};

/// The most bytes of `manifest.checksum` read.
pub const MAX_CHECKSUM_BYTES: usize = 64 * 1024;

/// The most bytes of `manifest.json` read.
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// Keys and folders asked for per listing page.
const PAGE_KEYS: u32 = 1000;

/// The most pages one lookup lists, recent window and whole folder together.
const MAX_PAGES: usize = 10;

/// What the newest report of a configuration came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportLookup {
    /// The newest report, valid.
    Found(Delivery),
    /// No delivery folder at all.
    NoReport,
    /// The newest report failed validation: never trusted, never replaced by an older one.
    Invalid {
        /// Its delivery folder.
        folder: String,
        /// Its folder's stamp.
        made_at: SystemTime,
        /// Why it is not trusted.
        problem: String,
    },
    /// The reports could not be looked at (403, no answer, too many entries): why.
    Unreadable(String),
}

/// The newest report under `location` as of `now`.
///
/// # Guarantees
/// - For a schedule with a period, the first listing starts just before the stamp of
///   `now − 2 × period`, so only recent delivery folders come back; when it finds none, the
///   whole folder is listed (at most [`MAX_PAGES`] pages in all, else `Unreadable`).
/// - The greatest folder whose name parses as a stamp is the newest; its `manifest.checksum`
///   and `manifest.json` are read (capped at [`MAX_CHECKSUM_BYTES`] and
///   [`MAX_MANIFEST_BYTES`]) and validated. A configuration with a recent valid report costs
///   one listing and two reads.
/// - An error of any call is `Unreadable`, except a missing manifest object, which makes the
///   newest report `Invalid`.
pub async fn newest_report(
    api: &dyn DeliveryApi,
    location: &ReportLocation,
    now: SystemTime,
) -> ReportLookup {
    let mut pages = 0;
    let recent = location
        .schedule
        .period()
        .and_then(|period| now.checked_sub(period.saturating_mul(2)));
    let mut newest = None;
    if let Some(since) = recent {
        let marker = format!(
            "{}{}",
            location.folder,
            stamp::format(location.stamp, since)
        );
        match newest_folder(api, location, Some(&marker), now, &mut pages).await {
            Ok(found) => newest = found,
            Err(why) => return ReportLookup::Unreadable(why),
        }
    }
    if newest.is_none() {
        match newest_folder(api, location, None, now, &mut pages).await {
            Ok(found) => newest = found,
            Err(why) => return ReportLookup::Unreadable(why),
        }
    }
    match newest {
        None => ReportLookup::NoReport,
        Some((name, made_at)) => read_report(api, location, &name, made_at).await,
    }
}

/// The greatest stamp folder listed from `marker` on, with its time. Stops at the first
/// entry past the stamp of tomorrow: nothing after it can be a delivery folder.
async fn newest_folder(
    api: &dyn DeliveryApi,
    location: &ReportLocation,
    marker: Option<&str>,
    now: SystemTime,
    pages: &mut usize,
) -> Result<Option<(String, SystemTime)>, String> {
    let horizon = format!(
        "{}{}",
        location.folder,
        stamp::format(location.stamp, now + Duration::from_secs(86_400))
    );
    let mut marker = marker.map(str::to_string);
    let mut newest: Option<(String, SystemTime)> = None;
    loop {
        if *pages == MAX_PAGES {
            return Err(format!(
                "more than {} entries under {} without finding the newest delivery",
                MAX_PAGES * PAGE_KEYS as usize,
                location.folder
            ));
        }
        *pages += 1;
        let query = ObjectQuery {
            prefix: &location.folder,
            delimiter: Some("/"),
            marker: marker.as_deref(),
            max_keys: PAGE_KEYS,
        };
        let page = api
            .list_objects(&location.destination, query)
            .await
            .map_err(|e| crate::error_chain::Chain(&e).to_string())?;
        for prefix in &page.common_prefixes {
            let name = prefix
                .strip_prefix(location.folder.as_str())
                .and_then(|rest| rest.strip_suffix('/'))
                .unwrap_or_default();
            if let Some(made_at) = stamp::parse(location.stamp, name)
                && newest.as_ref().is_none_or(|(_, t)| made_at > *t)
            {
                newest = Some((prefix.clone(), made_at));
            }
        }
        match page.next_marker {
            Some(next) if next < horizon => marker = Some(next),
            _ => return Ok(newest),
        }
    }
}

/// Reads and validates the report in delivery folder `folder` (ending with `/`).
async fn read_report(
    api: &dyn DeliveryApi,
    location: &ReportLocation,
    folder: &str,
    made_at: SystemTime,
) -> ReportLookup {
    let invalid = |problem: String| ReportLookup::Invalid {
        folder: folder.to_string(),
        made_at,
        problem,
    };
    let bucket = &location.destination;
    let mut objects = Vec::with_capacity(2);
    for (name, cap) in [
        ("manifest.checksum", MAX_CHECKSUM_BYTES),
        ("manifest.json", MAX_MANIFEST_BYTES),
    ] {
        let key = format!("{folder}{name}");
        match api.get_object(bucket, &key, cap).await {
            Ok(bytes) => objects.push(bytes),
            Err(e) if e.service().is_some_and(|s| s.status == 404) && !e.is_missing_bucket() => {
                return invalid(format!("{name} is missing"));
            }
            Err(e) => return ReportLookup::Unreadable(crate::error_chain::Chain(&e).to_string()),
        }
    }
    match manifest::validate(location, &objects[0], &objects[1]) {
        Ok(valid) => ReportLookup::Found(Delivery {
            folder: folder.to_string(),
            made_at,
            files: valid.files,
        }),
        Err(problem) => invalid(problem),
    }
}
