//! Reading a running daemon's `/status` over plain HTTP, for `invsync status`.
//!
//! The daemon serves its endpoints over plain HTTP on `--listen` (TLS, when wanted, is a
//! proxy's job), so this speaks only `http://`: an HTTP/1.0 GET, read to the end, bounded in
//! time and size.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::view::{BucketStatus, StatusDocument};

/// How long connecting and reading the answer may take, in all.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Largest answer read: a status document of 100,000 configurations is about 100 MB; more is
/// not a daemon answering.
const MAX_ANSWER_BYTES: u64 = 256 * 1024 * 1024;

/// Where the daemon serves `/status` (`--from`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSource {
    host: String,
    port: u16,
    /// The URL's path, without its trailing `/`.
    base: String,
    /// The URL as given, for messages.
    shown: String,
}

/// Why the status could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StatusClientError {
    /// `--from` is not a plain `http://HOST[:PORT]` URL.
    #[error("--from {given:?}: {why}")]
    Url {
        /// What was given.
        given: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// `--bucket` is not `PROVIDER/BUCKET`.
    #[error("--bucket {given:?}: expected PROVIDER/BUCKET, e.g. s3/logs")]
    Bucket {
        /// What was given.
        given: String,
    },
    /// Nothing answered.
    #[error(
        "cannot reach the daemon at {url}: {source}; is `invsync run` running and serving there? Point --from at its --listen address (e.g. http://127.0.0.1:9464, or a `kubectl port-forward`)"
    )]
    Unreachable {
        /// Where.
        url: String,
        /// The connection's error.
        #[source]
        source: std::io::Error,
    },
    /// The daemon did not answer within the time allowed.
    #[error("the daemon at {url} did not answer within {}s", TIMEOUT.as_secs())]
    Timeout {
        /// Where.
        url: String,
    },
    /// The daemon answered with an error status.
    #[error("{url} answered {status}: {message}")]
    Status {
        /// What was asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// Its `error` field, or the start of the body.
        message: String,
    },
    /// The answer is not a status document (an older daemon without `/status`, or not a
    /// daemon at all).
    #[error("{url} did not answer with a status document: {message}")]
    Body {
        /// What was asked.
        url: String,
        /// What is wrong with it.
        message: String,
    },
}

impl StatusSource {
    /// Reads `--from`.
    ///
    /// # Errors
    /// [`StatusClientError::Url`] for anything but `http://HOST[:PORT][/PATH]` without
    /// credentials, query or fragment.
    pub fn parse(given: &str) -> Result<StatusSource, StatusClientError> {
        let bad = |why| StatusClientError::Url {
            given: redacted(given),
            why,
        };
        let url =
            url::Url::parse(given).map_err(|_| bad("not a URL; expected http://HOST:PORT"))?;
        if url.scheme() != "http" {
            return Err(bad(
                "only http:// is read: the daemon serves /status over plain HTTP on --listen",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "credentials in the URL are refused; /status needs none",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("no query or fragment: give http://HOST:PORT"));
        }
        let host = url
            .host_str()
            .ok_or_else(|| bad("no host; expected http://HOST:PORT"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        Ok(StatusSource {
            host,
            port: url.port_or_known_default().unwrap_or(80),
            base: url.path().trim_end_matches('/').to_string(),
            shown: given.trim_end_matches('/').to_string(),
        })
    }

    /// The whole status document.
    ///
    /// # Errors
    /// Unreachable, too slow, an error status, or a body that is not a status document.
    pub async fn document(&self) -> Result<StatusDocument, StatusClientError> {
        let path = format!("{}/status", self.base);
        let body = self.get(&path).await?;
        self.parse_body(&path, &body)
    }

    /// One bucket's status; `bucket` is `PROVIDER/BUCKET` as `--bucket` takes it.
    ///
    /// # Errors
    /// As [`StatusSource::document`]; [`StatusClientError::Bucket`] for a malformed name, and
    /// [`StatusClientError::Status`] 404 for a bucket the daemon does not list.
    pub async fn bucket(&self, bucket: &str) -> Result<BucketStatus, StatusClientError> {
        let Some((provider, name)) = bucket
            .split_once('/')
            .filter(|(p, b)| !p.is_empty() && !b.is_empty() && !b.contains('/'))
        else {
            return Err(StatusClientError::Bucket {
                given: bucket.to_string(),
            });
        };
        let escape = |part: &str| {
            percent_encoding::utf8_percent_encode(part, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        let path = format!("{}/status/{}/{}", self.base, escape(provider), escape(name));
        let body = self.get(&path).await?;
        self.parse_body(&path, &body)
    }

    fn parse_body<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &[u8],
    ) -> Result<T, StatusClientError> {
        serde_json::from_slice(body).map_err(|error| StatusClientError::Body {
            url: self.url(path),
            message: error.to_string(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.shown,
            path.strip_prefix(&self.base).unwrap_or(path)
        )
    }

    /// GETs `path`; the body of a 200 answer.
    async fn get(&self, path: &str) -> Result<Vec<u8>, StatusClientError> {
        let url = self.url(path);
        let exchange = async {
            let mut stream = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|source| StatusClientError::Unreachable {
                    url: url.clone(),
                    source,
                })?;
            let host = if self.host.contains(':') {
                format!("[{}]:{}", self.host, self.port)
            } else {
                format!("{}:{}", self.host, self.port)
            };
            let request = format!(
                "GET {path} HTTP/1.0\r\nHost: {host}\r\nAccept: application/json\r\nUser-Agent: invsync-status\r\n\r\n"
            );
            let io = |source| StatusClientError::Unreachable {
                url: url.clone(),
                source,
            };
            stream.write_all(request.as_bytes()).await.map_err(io)?;
            let mut answer = Vec::new();
            stream
                .take(MAX_ANSWER_BYTES)
                .read_to_end(&mut answer)
                .await
                .map_err(io)?;
            Ok::<_, StatusClientError>(answer)
        };
        let answer = tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| StatusClientError::Timeout { url: url.clone() })??;
        let (status, body) = split_answer(&answer).ok_or_else(|| StatusClientError::Body {
            url: url.clone(),
            message: "not an HTTP answer".into(),
        })?;
        if status != 200 {
            let message = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into());
            return Err(StatusClientError::Status {
                url,
                status,
                message,
            });
        }
        Ok(body.to_vec())
    }
}

/// `given` with any `user:password@` replaced by `***@`, so errors never quote a secret.
fn redacted(given: &str) -> String {
    let start = given.find("://").map_or(0, |at| at + 3);
    let authority_end = given[start..]
        .find('/')
        .map_or(given.len(), |at| start + at);
    match given[start..authority_end].rfind('@') {
        Some(at) => format!("{}***@{}", &given[..start], &given[start + at + 1..]),
        None => given.to_string(),
    }
}

/// The status code and body of a whole HTTP/1.x answer.
fn split_answer(answer: &[u8]) -> Option<(u16, &[u8])> {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&answer[..end]).ok()?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, &answer[end + 4..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_accepts_plain_http_with_a_port() {
        let source = StatusSource::parse("http://127.0.0.1:9464/").expect("valid");
        assert_eq!((source.host.as_str(), source.port), ("127.0.0.1", 9464));
        assert_eq!(source.url("/status"), "http://127.0.0.1:9464/status");
    }

    #[test]
    fn from_refuses_https_credentials_and_junk() {
        for given in [
            "https://127.0.0.1:9464",
            "http://user:pw@127.0.0.1:9464",
            "127.0.0.1:9464",
            "http://127.0.0.1:9464/?a=b",
        ] {
            assert!(StatusSource::parse(given).is_err(), "{given}");
        }
    }

    #[test]
    fn an_error_never_quotes_a_password() {
        let error = StatusSource::parse("http://user:hunter2@host:1").unwrap_err();
        assert!(matches!(error, StatusClientError::Url { .. }));
        let text = error.to_string();
        assert!(text.contains("credentials"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("http://***@host:1"), "{text}");
    }

    #[test]
    fn answers_split_into_status_and_body() {
        let answer = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\r\n{}";
        assert_eq!(split_answer(answer), Some((404, &b"{}"[..])));
        assert_eq!(split_answer(b"garbage"), None);
    }
}
