//! [`WireRequest`]: what a request looked like on the wire, as signature checks read it.

use axum::http::HeaderMap;

/// What the request looked like on the wire, for authentication.
pub(crate) struct WireRequest<'a> {
    pub(crate) method: &'a str,
    /// The Host header as sent (port included).
    pub(crate) host: &'a str,
    pub(crate) headers: &'a HeaderMap,
    /// The request body (S3 signs its hash).
    pub(crate) body: &'a [u8],
}

impl WireRequest<'_> {
    /// Every header as a `(name, value)` pair; values that are not UTF-8 are replaced rather
    /// than dropped, so that a signature over them fails instead of passing.
    pub(crate) fn owned_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect()
    }
}

/// Borrows owned pairs as the `&str` pairs the signers take.
pub(crate) fn as_pairs(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}
