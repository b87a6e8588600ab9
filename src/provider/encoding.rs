//! Percent-encoding, query parsing and header canonicalization shared by the V4-style signers
//! (OSS, AWS SigV4), the clients and the emulator.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// RFC 3986 unreserved characters stay as they are; every other byte becomes `%XX` (uppercase).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Like [`UNRESERVED`], but keeps `/` so that paths keep their segments.
const UNRESERVED_AND_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Encodes a query key or value the way V4 signs it and the client sends it (`/` → `%2F`).
pub fn uri_encode(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// Encodes a path the way V4 signs it: like [`uri_encode`] but `/` is kept.
pub fn uri_encode_path(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED_AND_SLASH).to_string()
}

/// Splits a raw query string (without `?`) into percent-decoded `(key, value)` pairs.
///
/// `key`, `key=` and an absent value all give an empty value, which is how the services treat
/// them.
/// `+` is a literal plus, not a space: the SDKs always encode spaces as `%20`. Invalid UTF-8
/// after decoding is replaced rather than rejected, so a hostile query cannot make this fail.
pub fn decode_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// Builds a query string (without `?`) from decoded pairs; an empty value gives a bare key.
pub fn encode_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| {
            if value.is_empty() {
                uri_encode(key)
            } else {
                format!("{}={}", uri_encode(key), uri_encode(value))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn decode(value: &str) -> String {
    percent_decode_str(value).decode_utf8_lossy().into_owned()
}

/// `name:value\n` for every header whose lowercase name `keep` accepts: lowercase names,
/// trimmed values, sorted by name, repeated headers joined with `,` in the order sent. Empty
/// when none is kept. Both signature versions canonicalize headers this way; they differ only
/// in which headers they sign.
pub fn canonical_header_lines(headers: &[(&str, &str)], keep: impl Fn(&str) -> bool) -> String {
    let mut picked: Vec<(String, &str)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim()))
        .filter(|(k, _)| keep(k))
        .collect();
    // Stable sort keeps repeated headers in the order they were sent.
    picked.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    let mut iter = picked.into_iter().peekable();
    while let Some((name, value)) = iter.next() {
        let mut values = vec![value];
        while iter.peek().is_some_and(|(next, _)| *next == name) {
            values.extend(iter.next().map(|(_, v)| v));
        }
        out.push_str(&name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encode_escapes_everything_but_unreserved() {
        assert_eq!(uri_encode("tok/en+1= ~._-"), "tok%2Fen%2B1%3D%20~._-");
        assert_eq!(uri_encode("|"), "%7C");
    }

    #[test]
    fn uri_encode_path_keeps_slashes() {
        assert_eq!(
            uri_encode_path("/bucket/1234+-/123/1.txt"),
            "/bucket/1234%2B-/123/1.txt"
        );
    }

    #[test]
    fn decode_query_treats_bare_and_empty_values_alike() {
        let pairs = decode_query("inventory=&inventoryId=list1&continuation-token");
        assert_eq!(
            pairs,
            vec![
                ("inventory".to_string(), String::new()),
                ("inventoryId".to_string(), "list1".to_string()),
                ("continuation-token".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn decode_query_decodes_percent_escapes_and_keeps_plus() {
        let pairs = decode_query("continuation-token=tok%2Fen%2B1%3D&a=b+c");
        assert_eq!(pairs[0].1, "tok/en+1=");
        assert_eq!(pairs[1].1, "b+c");
    }

    #[test]
    fn encode_query_round_trips_through_decode_query() {
        let raw = encode_query(&[("inventory", ""), ("continuation-token", "tok/en+1=")]);
        assert_eq!(raw, "inventory&continuation-token=tok%2Fen%2B1%3D");
        let decoded = decode_query(&raw);
        assert_eq!(
            decoded[1],
            ("continuation-token".into(), "tok/en+1=".into())
        );
    }
}
