//! [`Endpoint`]: where a bucket's signed requests go instead of the provider's public
//! endpoint, checked once where it enters (a flag, a variable, a manifest's `spec.endpoint`) and
//! carried typed from there to the client.
//!
//! An endpoint is `http` or `https`, a host, an optional port, and nothing else. Requests
//! always go to `/` or `/{bucket}/`, which is what gets signed, so a path would be dropped or
//! mis-signed; user info, a query or a fragment would travel to logs and proxies. Nothing here
//! ever echoes a refused value: it may carry a password or a token, so messages show at most
//! `scheme://host[:port]`.

use std::fmt;

use url::Url;

/// Why an endpoint's form is unusable, wherever it came from (flag, environment, manifest).
///
/// `Display` never includes the user info, path, query or fragment of the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// The value does not parse as an absolute URL.
    #[error("endpoint is not an absolute http:// or https:// URL")]
    NotAUrl,
    /// Holds the scheme only.
    #[error("endpoint must use http:// or https://, not {0}://")]
    Scheme(String),
    /// The URL names no host, e.g. `http:///`.
    #[error("endpoint has no host")]
    NoHost,
    /// Holds `scheme://host[:port]` only, never the user name or password.
    #[error(
        "endpoint {0} must not contain a user name or password (credentials come from the environment or --credentials-file)"
    )]
    UserInfo(String),
    /// Holds `scheme://host[:port]` only, never the query or fragment.
    #[error("endpoint {0} must not have a query or fragment")]
    QueryOrFragment(String),
    /// Holds `scheme://host[:port]` only, never the path.
    #[error("endpoint {0} must not have a path")]
    Path(String),
}

/// A checked endpoint; see the module docs for what one may hold.
///
/// `Display` shows `scheme://host[:port]`, which for a checked endpoint is all of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint(Url);

impl Endpoint {
    /// Reads an endpoint written as text (surrounding blanks ignored).
    ///
    /// # Errors
    /// [`EndpointError`], showing at most `scheme://host[:port]` of the value.
    pub fn parse(text: &str) -> Result<Self, EndpointError> {
        let url = Url::parse(text.trim()).map_err(|_| EndpointError::NotAUrl)?;
        Endpoint::from_url(url)
    }

    /// Checks an already parsed URL.
    ///
    /// # Errors
    /// As [`Endpoint::parse`].
    pub(crate) fn from_url(url: Url) -> Result<Self, EndpointError> {
        let shown = redacted(&url);
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EndpointError::Scheme(url.scheme().to_string()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(EndpointError::NoHost);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointError::UserInfo(shown));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(EndpointError::QueryOrFragment(shown));
        }
        if !matches!(url.path(), "" | "/") {
            return Err(EndpointError::Path(shown));
        }
        Ok(Endpoint(url))
    }

    /// The endpoint as a URL (path `/`).
    pub fn url(&self) -> &Url {
        &self.0
    }
}

impl TryFrom<Url> for Endpoint {
    type Error = EndpointError;

    fn try_from(url: Url) -> Result<Self, EndpointError> {
        Endpoint::from_url(url)
    }
}

impl std::str::FromStr for Endpoint {
    type Err = EndpointError;

    fn from_str(text: &str) -> Result<Self, EndpointError> {
        Endpoint::parse(text)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redacted(&self.0))
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({self})")
    }
}

/// `scheme://host[:port]` of `url`: safe to print whatever else the URL holds.
pub(crate) fn redacted(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_endpoint_is_kept_and_shown_whole() {
        let endpoint = Endpoint::parse(" http://127.0.0.1:9000/ ").unwrap();
        assert_eq!(endpoint.to_string(), "http://127.0.0.1:9000");
        assert_eq!(endpoint.url().as_str(), "http://127.0.0.1:9000/");
    }

    #[test]
    fn refusals_never_show_more_than_scheme_host_and_port() {
        for (text, expected) in [
            (
                "https://u:hunter2@h.example",
                EndpointError::UserInfo("https://h.example".into()),
            ),
            (
                "https://h.example/?token=x",
                EndpointError::QueryOrFragment("https://h.example".into()),
            ),
            (
                "https://h.example/p",
                EndpointError::Path("https://h.example".into()),
            ),
            ("ftp://h.example", EndpointError::Scheme("ftp".into())),
            ("h.example", EndpointError::NotAUrl),
        ] {
            let refused = Endpoint::parse(text).unwrap_err();
            assert_eq!(refused, expected, "{text}");
            let shown = refused.to_string();
            assert!(
                !shown.contains("hunter2") && !shown.contains("token"),
                "{shown}"
            );
        }
    }
}
