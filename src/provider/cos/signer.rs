//! COS request signature (`q-sign-algorithm=sha1`), as a pure function of its inputs.
//!
//! The steps follow COS "Request Signature" (product/436/7778) and the official SDKs; see
//! `reference/cos-api.md` §4 for the derivation and the test vectors below. Time is an input
//! ([`KeyTime`]); nothing here reads a clock.
//!
//! The same code signs the client's requests and verifies them in the emulator: a verifier
//! rebuilds a [`SignInput`] from exactly the headers and parameters an [`Authorization`] names
//! and compares [`Signed::signature`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};

use crate::provider::Credentials;

/// The validity window of a signature, unix seconds: `q-key-time` / `q-sign-time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyTime {
    /// The first second the signature is valid.
    pub start: u64,
    /// The last second the signature is valid (inclusive).
    pub end: u64,
}

impl KeyTime {
    /// The window from `start` to `end`, unix seconds, both included; not checked for order.
    pub fn new(start: u64, end: u64) -> Self {
        KeyTime { start, end }
    }

    /// The window `[now - before, now + after]`, clamped at the epoch.
    pub fn around(now: SystemTime, before: Duration, after: Duration) -> Self {
        let now = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        KeyTime {
            start: now.saturating_sub(before.as_secs()),
            end: now.saturating_add(after.as_secs()),
        }
    }

    /// Parses `"<start>;<end>"`.
    pub fn parse(text: &str) -> Option<Self> {
        let (start, end) = text.split_once(';')?;
        Some(KeyTime {
            start: start.trim().parse().ok()?,
            end: end.trim().parse().ok()?,
        })
    }

    /// True when `now` (unix seconds) lies inside the window, ends included.
    pub fn contains(&self, now: u64) -> bool {
        self.start <= now && now <= self.end
    }
}

impl fmt::Display for KeyTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};{}", self.start, self.end)
    }
}

/// What gets signed: exactly the parameters and headers listed here, nothing else.
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    /// HTTP method, any case.
    pub method: &'a str,
    /// The *decoded* URI path, `/` for bucket sub-resources.
    pub path: &'a str,
    /// Query parameters, decoded; a parameter without value (`?inventory`) has value `""`.
    pub params: &'a [(&'a str, &'a str)],
    /// Headers, names in any case, values as sent.
    pub headers: &'a [(&'a str, &'a str)],
    /// The validity window, used as both `q-sign-time` and `q-key-time`.
    pub key_time: KeyTime,
}

/// Every stage of one signature, for the request and for stage-by-stage tests.
///
/// `Debug` hides `sign_key`, `signature` and `authorization`: each lets its holder act as the
/// key owner for the window.
#[derive(Clone, PartialEq, Eq)]
pub struct Signed {
    /// Lowercase hex HMAC-SHA1(SecretKey, KeyTime).
    pub(crate) sign_key: String,
    /// `HttpParameters`: the canonical query, `k=v` joined with `&`.
    pub(crate) http_parameters: String,
    /// `HttpHeaders`: the canonical headers, `k=v` joined with `&`.
    pub(crate) http_headers: String,
    /// `lower(method)\npath\nHttpParameters\nHttpHeaders\n`.
    pub(crate) http_string: String,
    /// Lowercase hex SHA1 of `http_string`.
    pub(crate) http_string_sha1: String,
    /// `sha1\nKeyTime\nSHA1(HttpString)\n`.
    pub string_to_sign: String,
    /// Lowercase hex HMAC-SHA1(sign_key as ASCII, string_to_sign).
    pub signature: String,
    /// `q-header-list`: canonical header names joined with `;`.
    pub header_list: String,
    /// `q-url-param-list`: canonical parameter names joined with `;`.
    pub param_list: String,
    /// The complete `Authorization` header value.
    pub authorization: String,
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signed")
            .field("sign_key", &"******")
            .field("http_string", &self.http_string)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &"******")
            .field("header_list", &self.header_list)
            .field("param_list", &self.param_list)
            .field("authorization", &"******")
            .finish()
    }
}

/// Signs `input` with `credentials` (the token is not added here: a temporary-credentials
/// caller sends `x-cos-security-token` and lists it among `input.headers`, as GO and PY do).
pub fn sign(input: &SignInput<'_>, credentials: &Credentials) -> Signed {
    sign_with_key(
        input,
        &credentials.access_key_id,
        credentials.access_key_secret.expose(),
    )
}

/// [`sign`] with the key pair given as strings: the verifier's entry point.
pub fn sign_with_key(input: &SignInput<'_>, secret_id: &str, secret_key: &str) -> Signed {
    let sign_key = sign_key(secret_key, input.key_time);
    let (http_parameters, param_list) = canonicalize(input.params.iter().copied());
    let (http_headers, header_list) = canonicalize(input.headers.iter().copied());
    let http_string = http_string(input.method, input.path, &http_parameters, &http_headers);
    let http_string_sha1 = sha1_hex(http_string.as_bytes());
    let string_to_sign = string_to_sign(input.key_time, &http_string);
    let signature = signature(&sign_key, &string_to_sign);
    let authorization = authorization(
        secret_id,
        input.key_time,
        &header_list,
        &param_list,
        &signature,
    );
    Signed {
        sign_key,
        http_parameters,
        http_headers,
        http_string,
        http_string_sha1,
        string_to_sign,
        signature,
        header_list,
        param_list,
        authorization,
    }
}

/// Recomputes the signature `auth` claims, from a received request's decoded query
/// parameters and headers, using only the ones its lists name (matched by canonical name,
/// `lower(encode(name))`) and its `q-key-time`. A listed name the request lacks counts as an
/// empty value, so the signature then fails to match rather than this function failing.
///
/// Compare with [`Signed::matches`]. Checking the time window and the key id is the caller's.
pub fn recompute(
    auth: &Authorization,
    method: &str,
    path: &str,
    params: &[(&str, &str)],
    headers: &[(&str, &str)],
    secret_key: &str,
) -> Signed {
    let select = |listed: &[String], available: &[(&str, &str)], all_values: bool| {
        let mut chosen: Vec<(String, String)> = Vec::new();
        for name in listed {
            // The request's own spelling of the name is kept: the signer encodes it again.
            let mut found = available
                .iter()
                .filter(|(k, _)| encode(k).eq_ignore_ascii_case(name));
            let pairs: Vec<&(&str, &str)> = if all_values {
                found.collect()
            } else {
                found.next().into_iter().collect()
            };
            if pairs.is_empty() {
                chosen.push((name.clone(), String::new()));
            }
            chosen.extend(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string())),
            );
        }
        chosen
    };
    let params = select(&auth.param_list, params, true);
    let headers = select(&auth.header_list, headers, false);
    let params: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    sign_with_key(
        &SignInput {
            method,
            path,
            params: &params,
            headers: &headers,
            key_time: auth.key_time,
        },
        &auth.secret_id,
        secret_key,
    )
}

impl Signed {
    /// True when `signature` equals this one, ignoring hex case (as COS does).
    pub fn matches(&self, signature: &str) -> bool {
        self.signature.eq_ignore_ascii_case(signature.trim())
    }
}

/// Percent-encodes every byte except `A-Z a-z 0-9 - _ . ~`, with uppercase hex.
pub fn encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0x0f)] as char);
        }
    }
    out
}

/// The canonical form of headers or parameters: `(k1=v1&k2=v2, k1;k2)` where each key is
/// `lower(encode(key))` (lower-cased *after* encoding, so `%2F` becomes `%2f`), each value is
/// `encode(value)`, sorted bytewise by key then value.
pub fn canonicalize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (String, String) {
    let mut encoded: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| (encode(k).to_ascii_lowercase(), encode(v)))
        .collect();
    encoded.sort();
    let joined = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let list = encoded
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    (joined, list)
}

/// `SignKey`: lowercase hex HMAC-SHA1 of the key time under the secret key.
pub(crate) fn sign_key(secret_key: &str, key_time: KeyTime) -> String {
    hmac_sha1_hex(secret_key.as_bytes(), key_time.to_string().as_bytes())
}

/// `HttpString` from its canonical parts.
pub(crate) fn http_string(
    method: &str,
    path: &str,
    http_parameters: &str,
    http_headers: &str,
) -> String {
    format!(
        "{}\n{path}\n{http_parameters}\n{http_headers}\n",
        method.to_ascii_lowercase()
    )
}

/// `StringToSign` for an `HttpString`.
pub fn string_to_sign(key_time: KeyTime, http_string: &str) -> String {
    format!("sha1\n{key_time}\n{}\n", sha1_hex(http_string.as_bytes()))
}

/// `Signature`: the string to sign under the hex *text* of the sign key.
pub fn signature(sign_key: &str, string_to_sign: &str) -> String {
    hmac_sha1_hex(sign_key.as_bytes(), string_to_sign.as_bytes())
}

/// The `Authorization` header value, fields in the order every SDK writes them.
pub fn authorization(
    secret_id: &str,
    key_time: KeyTime,
    header_list: &str,
    param_list: &str,
    signature: &str,
) -> String {
    format!(
        "q-sign-algorithm=sha1&q-ak={secret_id}&q-sign-time={key_time}&q-key-time={key_time}\
         &q-header-list={header_list}&q-url-param-list={param_list}&q-signature={signature}"
    )
}

/// A parsed `Authorization` header (or the `q-*` query parameters of a pre-signed URL).
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    /// `q-sign-algorithm`, as given (`sha1` is the only one COS defines; not checked here).
    pub algorithm: String,
    /// `q-ak`: the SecretId that signed.
    pub secret_id: String,
    /// `q-sign-time`; `None` when absent or not `<start>;<end>`.
    pub sign_time: Option<KeyTime>,
    /// `q-key-time`: the window the signing key was derived for.
    pub key_time: KeyTime,
    /// Header names as listed (already canonical: lowercase, encoded).
    pub header_list: Vec<String>,
    /// Parameter names as listed (already canonical).
    pub param_list: Vec<String>,
    /// `q-signature`: lowercase hex HMAC-SHA1; never printed by `Debug`.
    pub signature: String,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("algorithm", &self.algorithm)
            .field("secret_id", &self.secret_id)
            .field("key_time", &self.key_time)
            .field("header_list", &self.header_list)
            .field("param_list", &self.param_list)
            .field("signature", &"******")
            .finish()
    }
}

/// Why an `Authorization` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationError {
    /// A required key is absent; carries its name, e.g. `q-ak`.
    #[error("authorization is missing {0}")]
    Missing(&'static str),
    /// `q-key-time` is not two unix seconds joined by `;`.
    #[error("q-key-time is not `<start>;<end>` unix seconds")]
    BadKeyTime,
}

impl Authorization {
    /// Reads `q-sign-algorithm=sha1&q-ak=…&…`: pairs split on `&`, each on its first `=`,
    /// in any order; unknown keys are ignored.
    ///
    /// # Errors
    /// When `q-sign-algorithm`, `q-ak`, `q-key-time` or `q-signature` is missing, or the key
    /// time is malformed. The algorithm's value is not checked here.
    pub fn parse(value: &str) -> Result<Self, AuthorizationError> {
        Self::from_pairs(
            value
                .trim()
                .split('&')
                .map(|pair| pair.split_once('=').unwrap_or((pair, ""))),
        )
    }

    /// The same from already-decoded `(name, value)` pairs, e.g. pre-signed URL parameters.
    ///
    /// # Errors
    /// As [`Authorization::parse`].
    pub(crate) fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, AuthorizationError> {
        let (mut algorithm, mut secret_id, mut sign_time, mut key_time) = (None, None, None, None);
        let (mut headers, mut params, mut signature) = (None, None, None);
        for (name, value) in pairs {
            match name.trim().to_ascii_lowercase().as_str() {
                "q-sign-algorithm" => algorithm = Some(value.to_string()),
                "q-ak" => secret_id = Some(value.to_string()),
                "q-sign-time" => sign_time = Some(value.to_string()),
                "q-key-time" => key_time = Some(value.to_string()),
                "q-header-list" => headers = Some(split_list(value)),
                "q-url-param-list" => params = Some(split_list(value)),
                "q-signature" => signature = Some(value.to_string()),
                _ => {}
            }
        }
        let key_time = key_time.ok_or(AuthorizationError::Missing("q-key-time"))?;
        Ok(Authorization {
            algorithm: algorithm.ok_or(AuthorizationError::Missing("q-sign-algorithm"))?,
            secret_id: secret_id.ok_or(AuthorizationError::Missing("q-ak"))?,
            sign_time: sign_time.as_deref().and_then(KeyTime::parse),
            key_time: KeyTime::parse(&key_time).ok_or(AuthorizationError::BadKeyTime)?,
            header_list: headers.unwrap_or_default(),
            param_list: params.unwrap_or_default(),
            signature: signature.ok_or(AuthorizationError::Missing("q-signature"))?,
        })
    }
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn sha1_hex(data: &[u8]) -> String {
    hex::encode(Sha1::digest(data))
}

#[expect(clippy::expect_used, reason = "HMAC takes keys of any length")]
fn hmac_sha1_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
#[path = "signer_tests.rs"]
mod tests;
