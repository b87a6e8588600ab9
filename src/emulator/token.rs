//! Opaque LIST continuation tokens.
//!
//! Real tokens look like `1ueSDFASDF1Tr/XDAFdadEADadf2J/wm36Hy4vbOwM=` (COS doc sample), so
//! clients must percent-encode them. Ours always contain `/`, `+` and `=` on purpose: a client
//! that forgets to encode the token (or decodes `+` as a space) fails against the emulator, as
//! it would against the real service.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A fixed prefix that guarantees `/` and `+` in every token.
const PREFIX: &str = "inv+/";

/// Encodes a cursor (the position where the next page starts) as a token.
///
/// The payload is padded with `\n` (never part of a cursor) so that its length is not a
/// multiple of three, which makes base64 end in `=`.
pub(super) fn encode(cursor: &str) -> String {
    let mut payload = cursor.as_bytes().to_vec();
    if payload.len().is_multiple_of(3) {
        payload.push(b'\n');
    }
    format!("{PREFIX}{}", STANDARD.encode(payload))
}

/// The cursor inside a token made by [`encode`], or `None` for anything else.
pub(super) fn decode(token: &str) -> Option<String> {
    let body = token.strip_prefix(PREFIX)?;
    let payload = STANDARD.decode(body).ok()?;
    let text = String::from_utf8(payload).ok()?;
    Some(text.trim_end_matches('\n').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_contain_characters_that_need_percent_encoding() {
        for cursor in ["", "1", "12", "123", "ID-100", "list.a_b-c"] {
            let token = encode(cursor);
            assert!(token.contains('/') && token.contains('+') && token.contains('='));
            assert_eq!(decode(&token).as_deref(), Some(cursor));
        }
    }

    #[test]
    fn foreign_or_damaged_tokens_decode_to_none() {
        assert_eq!(decode("abc"), None);
        assert_eq!(decode("inv /MTIz"), None);
        assert_eq!(decode("inv+/!!!"), None);
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_cursor_round_trips_through_a_token(cursor in "[A-Za-z0-9._-]{0,64}") {
            let token = encode(&cursor);
            prop_assert!(token.contains('/') && token.contains('+') && token.contains('='));
            prop_assert_eq!(decode(&token), Some(cursor));
        }

        #[test]
        fn decoding_arbitrary_text_never_panics(text in "\\PC{0,40}") {
            let _ = decode(&text);
        }
    }
}
