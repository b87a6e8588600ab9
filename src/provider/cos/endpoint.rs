//! Where COS requests go, what Host they name, and credentials from the environment.
//!
//! COS is virtual-hosted only (`reference/cos-api.md` §1): every request names
//! `Host: {bucket}.cos.{region}.myqcloud.com`. An endpoint override changes only where the
//! connection goes (the emulator, a private cloud, a proxy), never the Host header, as the
//! official SDKs do with an IP endpoint.

use url::Url;

use crate::provider::Credentials;

/// Env var of the endpoint override, e.g. `http://127.0.0.1:9000`.
pub const ENDPOINT_ENV: &str = "INVSYNC_COS_ENDPOINT";
/// Env vars of the COS key pair and optional session token (the Tencent Cloud SDK names).
pub const SECRET_ID_ENV: &str = "TENCENTCLOUD_SECRET_ID";
pub const SECRET_KEY_ENV: &str = "TENCENTCLOUD_SECRET_KEY";
pub const SESSION_TOKEN_ENV: &str = "TENCENTCLOUD_SESSION_TOKEN";

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

/// The endpoint override from `INVSYNC_COS_ENDPOINT`, `None` when unset or empty.
///
/// # Errors
/// A message naming the variable when its value is unusable.
pub fn endpoint_from_env() -> Result<Option<Url>, String> {
    endpoint_from_lookup(|name| std::env::var(name).ok())
}

/// [`endpoint_from_env`] with the environment passed in.
///
/// # Errors
/// As [`endpoint_from_env`].
pub fn endpoint_from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<Url>, String> {
    match lookup(ENDPOINT_ENV) {
        Some(value) if !value.trim().is_empty() => parse_endpoint(&value)
            .map(Some)
            .map_err(|e| format!("{ENDPOINT_ENV}: {e}")),
        _ => Ok(None),
    }
}

/// COS credentials from `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and the optional
/// `TENCENTCLOUD_SESSION_TOKEN`.
///
/// # Errors
/// A message naming the missing variables (never their values).
pub fn credentials_from_env() -> Result<Credentials, String> {
    credentials_from_lookup(|name| std::env::var(name).ok())
}

/// [`credentials_from_env`] with the environment passed in.
///
/// # Errors
/// As [`credentials_from_env`].
pub fn credentials_from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Credentials, String> {
    let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    let (id, key) = (get(SECRET_ID_ENV), get(SECRET_KEY_ENV));
    let (Some(id), Some(key)) = (id.clone(), key.clone()) else {
        let missing: Vec<&str> = [
            (SECRET_ID_ENV, id.is_none()),
            (SECRET_KEY_ENV, key.is_none()),
        ]
        .into_iter()
        .filter(|(_, missing)| *missing)
        .map(|(name, _)| name)
        .collect();
        return Err(format!(
            "COS credentials not set: {} missing",
            missing.join(" and ")
        ));
    };
    let credentials = Credentials::new(id.trim(), key.trim());
    Ok(match get(SESSION_TOKEN_ENV) {
        Some(token) => credentials.with_security_token(token.trim()),
        None => credentials,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

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

    #[test]
    fn endpoint_env_is_optional_and_validated() {
        assert_eq!(endpoint_from_lookup(env(&[])).unwrap(), None);
        assert_eq!(
            endpoint_from_lookup(env(&[(ENDPOINT_ENV, " ")])).unwrap(),
            None
        );
        let url = endpoint_from_lookup(env(&[(ENDPOINT_ENV, "http://127.0.0.1:9000")])).unwrap();
        assert_eq!(url.unwrap().as_str(), "http://127.0.0.1:9000/");
        let err = endpoint_from_lookup(env(&[(ENDPOINT_ENV, "gopher://x")])).unwrap_err();
        assert!(err.starts_with(ENDPOINT_ENV), "{err}");
    }

    #[test]
    fn credentials_come_from_the_tencentcloud_variables() {
        let creds = credentials_from_lookup(env(&[
            (SECRET_ID_ENV, "AKIDabc"),
            (SECRET_KEY_ENV, "sk-value"),
        ]))
        .unwrap();
        assert_eq!(creds.access_key_id, "AKIDabc");
        assert_eq!(creds.access_key_secret.expose(), "sk-value");
        assert!(creds.security_token.is_none());
        let with_token = credentials_from_lookup(env(&[
            (SECRET_ID_ENV, "AKIDabc"),
            (SECRET_KEY_ENV, "sk-value"),
            (SESSION_TOKEN_ENV, "tok"),
        ]))
        .unwrap();
        assert_eq!(with_token.security_token.unwrap().expose(), "tok");
    }

    #[test]
    fn missing_credentials_name_the_variables_but_no_values() {
        let err = credentials_from_lookup(env(&[(SECRET_KEY_ENV, "sk-value")])).unwrap_err();
        assert!(
            err.contains(SECRET_ID_ENV) && !err.contains(SECRET_KEY_ENV),
            "{err}"
        );
        assert!(!err.contains("sk-value"));
        let err = credentials_from_lookup(env(&[])).unwrap_err();
        assert!(
            err.contains(SECRET_ID_ENV) && err.contains(SECRET_KEY_ENV),
            "{err}"
        );
    }
}
