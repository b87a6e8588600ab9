//! Delivery folder stamps: `2016-11-06T21-32Z` (to the minute) and `20161106` (the day), in
//! UTC, to and from [`SystemTime`]. Pure.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::model::StampFormat;
use crate::provider::kit::civil::{civil_from_days, days_from_civil};

const DAY: u64 = 86_400;

/// The stamp of `time` in `format`; a time before 1970 is stamped as 1970-01-01.
pub fn format(format: StampFormat, time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / DAY).unwrap_or(i64::MAX);
    let (year, month, day) = civil_from_days(days);
    match format {
        StampFormat::Minute => {
            let of_day = secs % DAY;
            format!(
                "{year:04}-{month:02}-{day:02}T{:02}-{:02}Z",
                of_day / 3600,
                of_day % 3600 / 60
            )
        }
        StampFormat::Day => format!("{year:04}{month:02}{day:02}"),
    }
}

/// The time `text` stamps in `format`, `None` when it is not exactly such a stamp (a
/// `data/` or `hive/` folder, a stray object).
pub fn parse(format: StampFormat, text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = bytes.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (year, month, day, hour, minute) = match format {
        StampFormat::Minute => {
            let shape = bytes.len() == 17
                && bytes[4] == b'-'
                && bytes[7] == b'-'
                && bytes[10] == b'T'
                && bytes[13] == b'-'
                && bytes[16] == b'Z';
            if !shape {
                return None;
            }
            (
                number(0..4)?,
                number(5..7)?,
                number(8..10)?,
                number(11..13)?,
                number(14..16)?,
            )
        }
        StampFormat::Day => {
            if bytes.len() != 8 {
                return None;
            }
            (number(0..4)?, number(4..6)?, number(6..8)?, 0, 0)
        }
    };
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(i64::from(year), month)).contains(&day)
        && hour < 24
        && minute < 60;
    if !valid {
        return None;
    }
    let days = u64::try_from(days_from_civil(i64::from(year), month, day)).ok()?;
    let secs = days * DAY + u64::from(hour) * 3600 + u64::from(minute) * 60;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2016-11-06T21:32:00Z, the stamp of AWS's example.
    fn example() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_478_467_920)
    }

    #[test]
    fn stamps_are_written_as_the_providers_name_their_folders() {
        assert_eq!(format(StampFormat::Minute, example()), "2016-11-06T21-32Z");
        assert_eq!(format(StampFormat::Day, example()), "20161106");
    }

    #[test]
    fn stamps_read_back_to_their_time() {
        assert_eq!(
            parse(StampFormat::Minute, "2016-11-06T21-32Z"),
            Some(example())
        );
        let midnight = UNIX_EPOCH + Duration::from_secs(1_478_390_400);
        assert_eq!(parse(StampFormat::Day, "20161106"), Some(midnight));
        assert_eq!(
            parse(StampFormat::Day, "20240229")
                .map(|t| format(StampFormat::Day, t))
                .as_deref(),
            Some("20240229")
        );
    }

    #[test]
    fn anything_else_is_not_a_stamp() {
        for text in [
            "data",
            "hive",
            "2016-11-06T21-32",
            "2016-13-06T21-32Z",
            "20230229",
            "2016110",
            "2016-11-06T24-00Z",
            "+016-11-06T21-32Z",
        ] {
            assert_eq!(parse(StampFormat::Minute, text), None, "{text}");
            assert_eq!(parse(StampFormat::Day, text), None, "{text}");
        }
    }
}
