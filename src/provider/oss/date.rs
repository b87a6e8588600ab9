//! The two date formats OSS signs: RFC 1123 (`Date`, V1) and ISO 8601 basic (`x-oss-date`, V4).
//!
//! Written on the kit's calendar arithmetic ([`crate::provider::kit::civil`]): the crate
//! writes a few fixed UTC formats and needs no date library for them.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::provider::kit::civil::civil_from_days;

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC calendar instant, second precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    /// Days since 1970-01-01 (a Thursday).
    days: i64,
}

fn civil(time: SystemTime) -> Civil {
    // Times before 1970 cannot come from a real clock; they are clamped rather than panicking.
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem % 3600 / 60,
        second: rem % 60,
        days,
    }
}

/// `Wed, 28 Dec 2022 10:27:41 GMT`, the `Date` header and V1's signed date.
pub fn http_date(time: SystemTime) -> String {
    let c = civil(time);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[c.days.rem_euclid(7) as usize],
        c.day,
        MONTHS[(c.month - 1) as usize],
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

/// `20221228T102741Z`, the `x-oss-date` header V4 signs.
pub fn iso8601_basic(time: SystemTime) -> String {
    let c = civil(time);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn http_date_formats_the_reference_instant() {
        assert_eq!(
            http_date(at(1_672_223_261)),
            "Wed, 28 Dec 2022 10:27:41 GMT"
        );
    }

    #[test]
    fn iso8601_basic_formats_the_reference_instants() {
        assert_eq!(iso8601_basic(at(1_672_223_261)), "20221228T102741Z");
        assert_eq!(iso8601_basic(at(1_702_743_657)), "20231216T162057Z");
        assert_eq!(iso8601_basic(at(1_702_784_856)), "20231217T034736Z");
    }

    #[test]
    fn leap_day_and_epoch_format_correctly() {
        assert_eq!(http_date(at(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(at(951_782_400)), "Tue, 29 Feb 2000 00:00:00 GMT");
    }
}
