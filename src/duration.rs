//! Durations as flags, environment variables and configuration files write them (`500ms`,
//! `30s`, `5m`, `1h`, `2d`), parsed with checked arithmetic and bounded by [`MAX_DURATION`].
//!
//! Every duration a user can set goes through [`parse`] or [`parse_positive`], so the rest of
//! the program may add any accepted value to an `Instant`, scale it by a jitter factor or sleep
//! on it without overflowing: a year is far below what any of those can hold.

use std::num::IntErrorKind;
use std::time::Duration;

/// The longest duration accepted anywhere: 365 days. Longer than any sensible interval,
/// window or timeout, and small enough that `Instant::now() + 2 × MAX_DURATION` cannot
/// overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// How [`MAX_DURATION`] is spelled in messages.
const MAX_TEXT: &str = "365d";

/// Why a text is not an accepted duration. Each message quotes the text and says what to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not a whole number followed by an optional unit.
    #[error(
        "`{text}` is not a duration; write a whole number and a unit, e.g. 500ms, 30s, 5m, 1h or 2d"
    )]
    Syntax {
        /// The text as given, trimmed.
        text: String,
    },
    /// A number with a unit that is not one of ours.
    #[error("`{text}` has unknown unit `{unit}`; use ms, s, m, h or d")]
    Unit {
        /// The text as given, trimmed.
        text: String,
        /// What follows the number, e.g. `w` in `5w`.
        unit: String,
    },
    /// Longer than [`MAX_DURATION`].
    #[error("`{text}` is too long; at most {MAX_TEXT}")]
    TooLong {
        /// The text as given, trimmed.
        text: String,
    },
    /// Zero where zero means nothing useful (an interval, a timeout).
    #[error("`{text}` must be longer than zero")]
    Zero {
        /// The text as given, trimmed.
        text: String,
    },
}

/// Parses a whole number with an optional unit: `ms`, `s` (the default), `m`, `h` or `d`.
///
/// # Errors
/// [`DurationError`] for anything else, and for values above [`MAX_DURATION`] (however many
/// digits they have: the arithmetic is checked, never wrapped).
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let syntax = || DurationError::Syntax {
        text: text.to_string(),
    };
    let too_long = || DurationError::TooLong {
        text: text.to_string(),
    };
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ if number.is_empty() => return Err(syntax()),
        _ => {
            return Err(DurationError::Unit {
                text: text.to_string(),
                unit: unit.to_string(),
            });
        }
    };
    let n: u64 = number.parse().map_err(|e: std::num::ParseIntError| {
        if *e.kind() == IntErrorKind::PosOverflow {
            too_long()
        } else {
            syntax()
        }
    })?;
    let millis = n.checked_mul(millis_per_unit).ok_or_else(too_long)?;
    let duration = Duration::from_millis(millis);
    if duration > MAX_DURATION {
        return Err(too_long());
    }
    Ok(duration)
}

/// [`parse`], refusing zero: for intervals and timeouts, where zero would spin or fail at once.
///
/// # Errors
/// As [`parse`], and [`DurationError::Zero`].
pub(crate) fn parse_positive(text: &str) -> Result<Duration, DurationError> {
    match parse(text)? {
        d if d.is_zero() => Err(DurationError::Zero {
            text: text.trim().to_string(),
        }),
        d => Ok(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_units_are_accepted() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("2d"), Ok(Duration::from_secs(2 * 86_400)));
        assert_eq!(parse(" 2 "), Ok(Duration::from_secs(2)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
        assert_eq!(parse("365d"), Ok(MAX_DURATION));
        assert_eq!(parse_positive("5m"), Ok(Duration::from_secs(300)));
    }

    #[test]
    fn malformed_texts_say_what_to_write() {
        for text in ["5 minutes", "m", "", "-1s", "1.5s", "s5"] {
            let error = parse(text).unwrap_err();
            assert!(
                matches!(
                    error,
                    DurationError::Syntax { .. } | DurationError::Unit { .. }
                ),
                "{text}: {error}"
            );
        }
        assert_eq!(
            parse("5w").unwrap_err().to_string(),
            "`5w` has unknown unit `w`; use ms, s, m, h or d"
        );
    }

    #[test]
    fn values_that_would_overflow_or_wrap_are_too_long() {
        for text in [
            "18446744073709551615s",
            "18446744073709551616s",
            "4611686018427387904m",
            "1152921504606846976h",
            "213503982334601d",
            "366d",
            "31536000001ms",
        ] {
            assert_eq!(
                parse(text),
                Err(DurationError::TooLong { text: text.into() }),
                "{text}"
            );
            assert_eq!(
                parse_positive(text).unwrap_err().to_string(),
                format!("`{text}` is too long; at most 365d")
            );
        }
    }

    #[test]
    fn zero_is_refused_only_where_asked() {
        assert_eq!(
            parse_positive("0ms").unwrap_err().to_string(),
            "`0ms` must be longer than zero"
        );
        assert_eq!(parse("0ms"), Ok(Duration::ZERO));
    }

    #[test]
    fn the_longest_accepted_value_leaves_room_for_instant_arithmetic_and_jitter() {
        let now = std::time::Instant::now();
        assert!(now.checked_add(MAX_DURATION * 2).is_some());
        assert!(MAX_DURATION.checked_mul(2).is_some());
        let _ = MAX_DURATION.mul_f64(1.1);
    }
}
