//! RFC 3339 timestamps in UTC to the second (`2026-12-08T01:37:50Z`), as status JSON carries
//! them, and ages for people (`3h`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::provider::kit::civil::{civil_from_days, days_from_civil};

/// `time` as `YYYY-MM-DDTHH:MM:SSZ` (a time before the epoch, which no clock reports, prints
/// as the epoch).
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses what [`rfc3339`] prints, with optional fractional seconds; `None` for anything else
/// (offsets other than `Z` included).
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.strip_suffix('Z')?;
    let (date, clock) = text.split_once('T')?;
    let clock = clock.split_once('.').map_or(clock, |(whole, _)| whole);
    let number = |part: &str, len: usize| -> Option<u64> {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let mut d = date.split('-');
    let (year, month, day) = (
        number(d.next()?, 4)?,
        number(d.next()?, 2)?,
        number(d.next()?, 2)?,
    );
    let mut c = clock.split(':');
    let (hour, minute, second) = (
        number(c.next()?, 2)?,
        number(c.next()?, 2)?,
        number(c.next()?, 2)?,
    );
    if d.next().is_some() || c.next().is_some() {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = u64::try_from(days_from_civil(year as i64, month as u32, day as u32)).ok()?;
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59);
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// A duration as people read an age: `45s`, `12m`, `3h`, `2d` (the largest whole unit).
pub fn age(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86_400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_prints_a_known_instant() {
        let time = UNIX_EPOCH + Duration::from_secs(1_796_686_670);
        assert_eq!(rfc3339(time), "2026-12-07T23:37:50Z");
    }

    #[test]
    fn parse_reads_back_what_rfc3339_prints() {
        for secs in [0, 951_782_400, 1_796_686_670, 4_102_444_799] {
            let time = UNIX_EPOCH + Duration::from_secs(secs);
            assert_eq!(parse_rfc3339(&rfc3339(time)), Some(time));
        }
        assert_eq!(
            parse_rfc3339("2026-12-07T23:37:50.250Z"),
            Some(UNIX_EPOCH + Duration::from_secs(1_796_686_670))
        );
    }

    #[test]
    fn parse_refuses_offsets_and_junk() {
        for text in [
            "2026-12-08T01:37:50+01:00",
            "2026-12-08",
            "",
            "2026-13-08T01:37:50Z",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
    }

    #[test]
    fn ages_use_the_largest_whole_unit() {
        assert_eq!(age(Duration::from_secs(45)), "45s");
        assert_eq!(age(Duration::from_secs(720)), "12m");
        assert_eq!(age(Duration::from_secs(3 * 3600 + 59)), "3h");
        assert_eq!(age(Duration::from_secs(2 * 86_400)), "2d");
    }
}
