//! The timestamp formats the emulator reads and writes besides RFC 1123 (which `httpdate`
//! handles): ISO 8601 extended (`2019-04-09T03:39:20Z`, COS `ServerTime`) and basic
//! (`20231216T162057Z`, OSS `x-oss-date`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::provider::kit::civil::{civil_from_days, days_from_civil};

/// Unix seconds of `time` (0 before the epoch, which no real clock reports).
pub(crate) fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `2019-04-09T03:39:20Z`.
pub(crate) fn iso8601(time: SystemTime) -> String {
    let secs = unix_secs(time);
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `2019-04-09T03:39:20.000Z`, the form bucket listings use for `CreationDate`.
pub(crate) fn iso8601_millis(time: SystemTime) -> String {
    let plain = iso8601(time);
    format!("{}.000Z", plain.trim_end_matches('Z'))
}

/// Parses `yyyymmddTHHMMSSZ`; `None` for anything else.
pub(crate) fn parse_iso8601_basic(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u64> {
        let part = text.get(range)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year as i64, month as u32, day as u32);
    let secs = u64::try_from(days).ok()? * 86_400 + hour * 3600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// The absolute difference between two instants.
pub(crate) fn distance(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b)
        .or_else(|_| b.duration_since(a))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_basic_parses_the_oss_vector_dates() {
        let t = parse_iso8601_basic("20231216T162057Z").unwrap();
        assert_eq!(unix_secs(t), 1_702_743_657);
        assert_eq!(iso8601(t), "2023-12-16T16:20:57Z");
    }

    #[test]
    fn malformed_basic_dates_are_refused() {
        for bad in [
            "",
            "20231216T162057",
            "2023-12-16T16:20:57Z",
            "20231316T162057Z",
            "2023121xT162057Z",
        ] {
            assert_eq!(parse_iso8601_basic(bad), None, "{bad}");
        }
    }

    #[test]
    fn distance_is_symmetric() {
        let a = UNIX_EPOCH + Duration::from_secs(10);
        let b = UNIX_EPOCH + Duration::from_secs(25);
        assert_eq!(distance(a, b), Duration::from_secs(15));
        assert_eq!(distance(b, a), Duration::from_secs(15));
    }
}
