//! The status document as the table `invsync status` prints (pure: `now` comes in).

use std::time::SystemTime;

use super::condition::{ConditionStatus, ConditionType, find};
use super::time::age;
use super::view::{BucketStatus, StatusDocument};

const HEADER: [&str; 7] = [
    "PROVIDER",
    "BUCKET",
    "CONFIG",
    "READY",
    "REASON",
    "LAST-REPORT",
    "MESSAGE",
];

/// One row per bucket (`CONFIG` `-`), then one per configuration, in the document's order;
/// columns aligned, `LAST-REPORT` as an age (`3h`) or `-`, and a revision line on top.
pub fn table(document: &StatusDocument, now: SystemTime) -> String {
    let mut rows: Vec<[String; 7]> = vec![HEADER.map(str::to_string)];
    for bucket in &document.buckets {
        rows.extend(bucket_rows(bucket, now));
    }
    let mut widths = [0usize; 7];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = format!("revision {}\n", or_dash(&document.revision));
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i == row.len() - 1 {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if document.buckets.is_empty() {
        out.push_str("(no bucket reconciled yet)\n");
    }
    out
}

/// The rows of one bucket.
pub fn bucket_rows(bucket: &BucketStatus, now: SystemTime) -> Vec<[String; 7]> {
    let row = |config: &str, conditions: &[super::Condition], last: Option<SystemTime>| {
        let ready = find(conditions, ConditionType::Ready);
        let status = ready.map_or("Unknown", |c| match c.status {
            ConditionStatus::True => "True",
            ConditionStatus::False => "False",
            ConditionStatus::Unknown => "Unknown",
        });
        let report = last.map_or_else(
            || "-".to_string(),
            |t| age(now.duration_since(t).unwrap_or_default()),
        );
        [
            bucket.provider.clone(),
            bucket.bucket.clone(),
            config.to_string(),
            status.to_string(),
            ready.map_or("-", |c| c.reason.as_str()).to_string(),
            report,
            ready.map_or("", |c| c.message.as_str()).replace('\n', " "),
        ]
    };
    let mut rows = vec![row("-", &bucket.conditions, None)];
    for config in &bucket.configurations {
        let last = config.delivery.as_ref().and_then(|d| d.last_delivered);
        rows.push(row(&config.id, &config.conditions, last));
    }
    rows
}

fn or_dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::*;
    use crate::model::{BucketKey, Delivery, DeliveryHealth, DeliveryState, Provider, Readiness};
    use crate::status::derive;
    use crate::status::sync::{BucketSync, ConfigSync};

    #[test]
    fn the_table_shows_each_bucket_and_configuration_with_the_report_age() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
        let key = BucketKey {
            provider: Provider::S3,
            bucket: "logs".into(),
            region: "us-east-1".into(),
        };
        let sync = BucketSync {
            fault: None,
            configs: BTreeMap::from([("daily".to_string(), ConfigSync::InSync)]),
        };
        let health = BTreeMap::from([(
            "daily".to_string(),
            DeliveryHealth {
                readiness: Readiness::Ready,
                state: DeliveryState::OnTime,
                last: Some(Delivery {
                    folder: "x/".into(),
                    made_at: t0,
                    files: 1,
                }),
                next_due: None,
                problem: None,
            },
        )]);
        let document = StatusDocument {
            revision: "abc".into(),
            buckets: vec![derive(&key, &sync, &health, None, "abc", t0)],
        };
        let text = table(&document, t0 + Duration::from_secs(3 * 3600 + 5));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "revision abc");
        assert!(
            lines[1]
                .starts_with("PROVIDER  BUCKET  CONFIG  READY  REASON     LAST-REPORT  MESSAGE"),
            "{text}"
        );
        assert!(
            lines[2].starts_with("s3        logs    -       True   InSync     -"),
            "{text}"
        );
        assert!(
            lines[3].starts_with("s3        logs    daily   True   Delivered  3h"),
            "{text}"
        );
    }
}
