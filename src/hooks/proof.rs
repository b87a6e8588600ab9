//! Checking a push hook request's proof of the shared secret while its body streams in, and
//! the replay key it yields.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::HeaderMap;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::guarded_file::{self, ReadError};

/// Largest hook secret file read; a secret is tens of bytes.
pub const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

/// How far an `X-Invsync-Timestamp` may be from the clock.
pub const MAX_CLOCK_SKEW: std::time::Duration = std::time::Duration::from_secs(300);

/// The shared secret. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct HookSecret(Arc<Vec<u8>>);

impl std::fmt::Debug for HookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookSecret(******)")
    }
}

/// Why the hook cannot start.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The secret file cannot be read.
    #[error("cannot read the hook secret file {} (--hook-secret-file)", path.display())]
    ReadSecret {
        /// The file given with `--hook-secret-file`.
        path: PathBuf,
        /// Why reading it failed (never its contents).
        #[source]
        source: ReadError,
    },
    /// The secret file is empty.
    #[error("the hook secret file {} (--hook-secret-file) is empty; put a random secret in it", path.display())]
    EmptySecret {
        /// The file given with `--hook-secret-file`.
        path: PathBuf,
    },
}

impl HookSecret {
    /// The secret in `path`, without a trailing newline.
    ///
    /// # Errors
    /// The file cannot be read, is not a regular file, is larger than
    /// [`MAX_SECRET_FILE_BYTES`] or holds nothing.
    pub fn from_file(path: &Path) -> Result<HookSecret, HookError> {
        let text = guarded_file::read(path, MAX_SECRET_FILE_BYTES).map_err(|source| {
            HookError::ReadSecret {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let trimmed = text.trim_ascii_end();
        if trimmed.is_empty() {
            return Err(HookError::EmptySecret {
                path: path.to_path_buf(),
            });
        }
        Ok(HookSecret(Arc::new(trimmed.to_vec())))
    }

    /// A secret from bytes (tests, embedding).
    pub fn new(secret: impl Into<Vec<u8>>) -> HookSecret {
        HookSecret(Arc::new(secret.into()))
    }

    #[expect(clippy::expect_used, reason = "HMAC takes keys of any length")]
    fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC accepts any key length");
        for part in parts {
            mac.update(part);
        }
        mac
    }

    /// `sha256=HEX` for `parts` (what a sender puts in a signature header).
    pub fn sign(&self, parts: &[&[u8]]) -> String {
        format!(
            "sha256={}",
            hex::encode(self.mac(parts).finalize().into_bytes())
        )
    }

    fn equals(&self, token: &[u8]) -> bool {
        // Constant time in the token's content: compare HMACs of both sides.
        self.mac(&[token])
            .verify_slice(&self.mac(&[&self.0]).finalize().into_bytes())
            .is_ok()
    }
}

/// A request without a valid proof of the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unauthorized;

/// The proof a request carries, checked as its body streams in, so no body is ever held.
///
/// # Replay keys
/// An accepted request is identified by what its proof covers, never by a header an attacker
/// can change: GitHub's and invsync's signatures by the MAC itself (decoded, so the hex case or
/// spacing of a re-sent capture does not make it new), a GitLab token (which covers nothing)
/// by the SHA-256 of the body.
pub struct Proof {
    check: Check,
}

enum Check {
    /// `scheme` signs the body (GitHub) or `TIMESTAMP.BODY` (invsync) with HMAC-SHA256.
    Hmac {
        scheme: &'static str,
        mac: Box<Hmac<Sha256>>,
        claimed: Vec<u8>,
    },
    /// The GitLab token equals the secret; the body is digested for the replay key only.
    Token { body: Sha256 },
}

impl Proof {
    /// The proof the headers announce: GitHub's `X-Hub-Signature-256`, GitLab's
    /// `X-Gitlab-Token`, or invsync's `X-Invsync-Signature-256` with `X-Invsync-Timestamp`
    /// within [`MAX_CLOCK_SKEW`] of `now_unix`. Pure.
    ///
    /// # Errors
    /// No proof, a malformed signature, a wrong token or an expired timestamp.
    pub(crate) fn from_headers(
        secret: &HookSecret,
        headers: &HeaderMap,
        now_unix: u64,
    ) -> Result<Proof, Unauthorized> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(signature) = header("x-hub-signature-256") {
            return Ok(Proof {
                check: Check::Hmac {
                    scheme: "github",
                    mac: Box::new(secret.mac(&[])),
                    claimed: decode_signature(signature)?,
                },
            });
        }
        if let Some(token) = header("x-gitlab-token") {
            if !secret.equals(token.as_bytes()) {
                return Err(Unauthorized);
            }
            return Ok(Proof {
                check: Check::Token {
                    body: Sha256::new(),
                },
            });
        }
        if let (Some(signature), Some(timestamp)) = (
            header("x-invsync-signature-256"),
            header("x-invsync-timestamp"),
        ) {
            let timestamp = timestamp.trim();
            let at = timestamp.parse::<u64>().map_err(|_| Unauthorized)?;
            if now_unix.abs_diff(at) > MAX_CLOCK_SKEW.as_secs() {
                return Err(Unauthorized);
            }
            return Ok(Proof {
                check: Check::Hmac {
                    scheme: "invsync",
                    mac: Box::new(secret.mac(&[timestamp.as_bytes(), b"."])),
                    claimed: decode_signature(signature)?,
                },
            });
        }
        Err(Unauthorized)
    }

    /// Feeds the next piece of the body.
    pub fn update(&mut self, chunk: &[u8]) {
        match &mut self.check {
            Check::Hmac { mac, .. } => mac.update(chunk),
            Check::Token { body } => body.update(chunk),
        }
    }

    /// The replay key, once the whole body was fed.
    ///
    /// # Errors
    /// The signature does not match the body (compared in constant time).
    pub fn finish(self) -> Result<String, Unauthorized> {
        match self.check {
            Check::Hmac {
                scheme,
                mac,
                claimed,
            } => {
                mac.verify_slice(&claimed).map_err(|_| Unauthorized)?;
                Ok(format!("{scheme}:{}", hex::encode(claimed)))
            }
            Check::Token { body } => Ok(format!("gitlab:{}", hex::encode(body.finalize()))),
        }
    }
}

/// The MAC bytes of `sha256=HEX` (hex in either case).
fn decode_signature(header: &str) -> Result<Vec<u8>, Unauthorized> {
    let hex_digest = header.trim().strip_prefix("sha256=").ok_or(Unauthorized)?;
    hex::decode(hex_digest).map_err(|_| Unauthorized)
}

/// Judges a whole request at once: the replay key of a valid proof. Pure: `now_unix` is the
/// clock.
///
/// # Errors
/// See [`Proof::from_headers`] and [`Proof::finish`].
pub fn authenticate(
    secret: &HookSecret,
    headers: &HeaderMap,
    body: &[u8],
    now_unix: u64,
) -> Result<String, Unauthorized> {
    let mut proof = Proof::from_headers(secret, headers, now_unix)?;
    proof.update(body);
    proof.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn github_signatures_match_githubs_documented_example() {
        // docs.github.com "Validating webhook deliveries": secret "It's a Secret to
        // Everybody", payload "Hello, World!".
        let secret = HookSecret::new("It's a Secret to Everybody");
        let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(secret.sign(&[b"Hello, World!"]), expected);
        let ok = headers(&[
            ("x-hub-signature-256", expected),
            ("x-github-delivery", "d1"),
        ]);
        assert_eq!(
            authenticate(&secret, &ok, b"Hello, World!", 0),
            Ok(format!("github:{}", &expected[7..]))
        );
        assert_eq!(
            authenticate(&secret, &ok, b"Hello, World?", 0),
            Err(Unauthorized)
        );
    }

    #[test]
    fn a_body_fed_in_pieces_is_judged_like_the_whole() {
        let secret = HookSecret::new("s3cret");
        let body = b"{\"ref\":\"refs/heads/main\"}";
        let signed = headers(&[("x-hub-signature-256", &secret.sign(&[body]))]);
        let mut proof = Proof::from_headers(&secret, &signed, 0).unwrap();
        for chunk in body.chunks(3) {
            proof.update(chunk);
        }
        assert_eq!(proof.finish(), authenticate(&secret, &signed, body, 0));
    }

    #[test]
    fn replay_keys_follow_the_signed_content_not_the_headers_around_it() {
        let secret = HookSecret::new("s3cret");
        let signature = secret.sign(&[b"{}"]);
        let key = |pairs: &[(&'static str, &str)], body: &[u8]| {
            authenticate(&secret, &headers(pairs), body, 1000).unwrap()
        };
        let first = key(
            &[
                ("x-hub-signature-256", &signature),
                ("x-github-delivery", "a"),
            ],
            b"{}",
        );
        let upper = format!("sha256={}", signature[7..].to_uppercase());
        assert_eq!(
            key(
                &[("x-hub-signature-256", &upper), ("x-github-delivery", "b")],
                b"{}"
            ),
            first,
            "a new delivery id or upper-case hex is the same delivery"
        );
        assert_eq!(key(&[("x-hub-signature-256", &signature)], b"{}"), first);

        let generic = secret.sign(&[b"1000", b".", b"{}"]);
        let generic_upper = format!("sha256={}", generic[7..].to_uppercase());
        assert_eq!(
            key(
                &[
                    ("x-invsync-signature-256", &generic_upper),
                    ("x-invsync-timestamp", "1000")
                ],
                b"{}"
            ),
            key(
                &[
                    ("x-invsync-signature-256", &generic),
                    ("x-invsync-timestamp", "1000")
                ],
                b"{}"
            )
        );

        let gitlab = |uuid: &str, body: &[u8]| {
            key(
                &[("x-gitlab-token", "s3cret"), ("x-gitlab-event-uuid", uuid)],
                body,
            )
        };
        assert_eq!(gitlab("u1", b"{}"), gitlab("u2", b"{}"));
        assert_ne!(gitlab("u1", b"{}"), gitlab("u1", b"{ }"));
    }

    #[test]
    fn gitlab_tokens_must_equal_the_secret() {
        let secret = HookSecret::new("s3cret");
        let ok = headers(&[("x-gitlab-token", "s3cret")]);
        assert!(authenticate(&secret, &ok, b"{}", 0).is_ok());
        let bad = headers(&[("x-gitlab-token", "s3cre")]);
        assert_eq!(authenticate(&secret, &bad, b"{}", 0), Err(Unauthorized));
    }

    #[test]
    fn generic_signatures_cover_the_timestamp_and_expire() {
        let secret = HookSecret::new("s3cret");
        let signature = secret.sign(&[b"1000", b".", b"{}"]);
        let ok = headers(&[
            ("x-invsync-signature-256", &signature),
            ("x-invsync-timestamp", "1000"),
        ]);
        assert!(authenticate(&secret, &ok, b"{}", 1100).is_ok());
        assert_eq!(
            authenticate(&secret, &ok, b"{}", 1000 + 301),
            Err(Unauthorized)
        );
        let moved = headers(&[
            ("x-invsync-signature-256", &signature),
            ("x-invsync-timestamp", "1001"),
        ]);
        assert_eq!(
            authenticate(&secret, &moved, b"{}", 1000),
            Err(Unauthorized)
        );
    }

    #[test]
    fn no_proof_is_unauthorized() {
        let secret = HookSecret::new("s3cret");
        assert_eq!(
            authenticate(&secret, &HeaderMap::new(), b"{}", 0),
            Err(Unauthorized)
        );
        let garbage = headers(&[("x-hub-signature-256", "sha256=zz")]);
        assert_eq!(authenticate(&secret, &garbage, b"{}", 0), Err(Unauthorized));
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        assert_eq!(
            format!("{:?}", HookSecret::new("s3cret")),
            "HookSecret(******)"
        );
    }
}
