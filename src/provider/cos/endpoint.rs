//! Where COS requests go and what Host they name.
//!
//! COS is virtual-hosted only (`reference/cos-api.md` §1): every request names
//! `Host: {bucket}.cos.{region}.myqcloud.com`. An endpoint override changes only where the
//! connection goes (the emulator, a private cloud, a proxy), never the Host header, as the
//! official SDKs do with an IP endpoint.

use url::Url;

/// Why an endpoint override is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("endpoint {0:?} is not a URL")]
    NotAUrl(String),
    #[error("endpoint {0:?} must use http or https")]
    Scheme(String),
    #[error("endpoint {0:?} has no host")]
    NoHost(String),
    #[error("endpoint {0:?} must not carry a path, query, fragment or user info")]
    Extra(String),
}

/// The virtual host of a bucket: `{bucket}.cos.{region}.myqcloud.com`.
pub fn virtual_host(bucket: &str, region: &str) -> String {
    format!("{bucket}.cos.{region}.myqcloud.com")
}

/// The public HTTPS endpoint of a bucket.
///
/// # Errors
/// When the bucket or region make an invalid host name.
pub fn default_endpoint(bucket: &str, region: &str) -> Result<Url, EndpointError> {
    let text = format!("https://{}/", virtual_host(bucket, region));
    Url::parse(&text).map_err(|_| EndpointError::NotAUrl(text))
}

/// Checks an explicit endpoint override: `http` or `https`, a host, an optional port, and
/// nothing else (requests always go to `/`, which is what gets signed).
///
/// # Errors
/// [`EndpointError`] naming the value.
pub fn parse_endpoint(text: &str) -> Result<Url, EndpointError> {
    let url = Url::parse(text.trim()).map_err(|_| EndpointError::NotAUrl(text.to_string()))?;
    validate_endpoint(url)
}

/// [`parse_endpoint`] for an already parsed URL.
///
/// # Errors
/// [`EndpointError`] naming the value.
pub fn validate_endpoint(url: Url) -> Result<Url, EndpointError> {
    let shown = url.to_string();
    if !matches!(url.scheme(), "http" | "https") {
        return Err(EndpointError::Scheme(shown));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(EndpointError::NoHost(shown));
    }
    if !matches!(url.path(), "" | "/")
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(EndpointError::Extra(shown));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn default_endpoint_is_the_https_virtual_host() {
        let url = default_endpoint("examplebucket-1250000000", "ap-guangzhou").unwrap();
        assert_eq!(
            url.as_str(),
            "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/"
        );
    }

    #[test]
    fn explicit_http_endpoints_with_a_port_are_accepted() {
        let url = parse_endpoint("http://127.0.0.1:9000").unwrap();
        assert_eq!(url.port(), Some(9000));
        assert!(parse_endpoint("https://cos.internal.example/").is_ok());
    }

    #[test]
    fn endpoints_with_other_schemes_or_paths_are_rejected() {
        assert!(matches!(
            parse_endpoint("ftp://x"),
            Err(EndpointError::Scheme(_))
        ));
        assert!(matches!(
            parse_endpoint("http://x/prefix"),
            Err(EndpointError::Extra(_))
        ));
        assert!(matches!(
            parse_endpoint("http://u:p@x/"),
            Err(EndpointError::Extra(_))
        ));
        assert!(matches!(
            parse_endpoint("not a url"),
            Err(EndpointError::NotAUrl(_))
        ));
    }
}
