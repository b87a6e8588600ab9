//! Where signed requests may go: the one check of an endpoint's form, and the operator's
//! allowlist for endpoints that manifests name.
//!
//! An endpoint override decides which host receives the access key id, a signature and any
//! security token. The operator's own overrides (`INVSYNC_COS_ENDPOINT`, `INVSYNC_OSS_ENDPOINT`)
//! are trusted; a manifest's `spec.endpoint` is written by whoever can open a pull request, so it
//! is accepted only when an [`EndpointPolicy`] allows it. By default that is the provider's own
//! domains over HTTPS.
//!
//! Nothing here ever echoes an endpoint as given: a rejected value may carry a password in its
//! user info or a token in its query, so messages show at most `scheme://host[:port]`.

use std::fmt;

use url::{Host, Url};

use crate::model::Provider;

pub(crate) use crate::model::endpoint::{Endpoint, EndpointError, redacted};

/// The flag that allows more endpoints, as messages name it.
pub(crate) const ALLOW_FLAG: &str = "--allow-endpoint";
/// Its environment variable (comma-separated patterns).
pub(crate) const ALLOW_ENV: &str = "INVSYNC_ALLOWED_ENDPOINTS";

/// One allowed endpoint: `[http://|https://]HOST[:PORT]`, where HOST may start with `*.` to
/// match every host below a domain (never the domain itself), and a missing scheme or port
/// matches any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EndpointPattern {
    scheme: Option<String>,
    host: HostPattern,
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    /// `*.example.com`, stored as `.example.com`.
    Below(String),
}

/// Why an `--allow-endpoint` pattern is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "allowed endpoint pattern `{pattern}` {reason}; write HOST[:PORT], *.DOMAIN[:PORT], optionally after http:// or https://"
)]
pub(crate) struct PatternError {
    pattern: String,
    reason: &'static str,
}

impl EndpointPattern {
    /// Parses one pattern, e.g. `127.0.0.1:9000`, `*.internal.example`,
    /// `https://cos.example.com:8443`.
    ///
    /// # Errors
    /// [`PatternError`] naming the pattern (an operator's own input, so it is shown).
    pub(crate) fn parse(text: &str) -> Result<Self, PatternError> {
        let text = text.trim();
        let fail = |reason| PatternError {
            pattern: text.to_string(),
            reason,
        };
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme @ ("http" | "https"), rest)) => (Some(scheme.to_string()), rest),
            Some(_) => return Err(fail("has a scheme other than http or https")),
            None => (None, text),
        };
        let (wildcard, rest) = match rest.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        // Parsing as a URL normalizes the host exactly as endpoints are normalized (case,
        // IPv6 brackets, IDNA), so a pattern matches what the client would connect to.
        let url = Url::parse(&format!("http://{rest}")).map_err(|_| fail("is not a host"))?;
        let host = url.host_str().filter(|h| !h.is_empty());
        let Some(host) = host else {
            return Err(fail("has no host"));
        };
        if !matches!(url.path(), "" | "/")
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
        {
            return Err(fail("has more than a host and a port"));
        }
        if wildcard && !matches!(url.host(), Some(Host::Domain(_))) {
            return Err(fail("puts `*.` before something that is not a domain"));
        }
        let host = host.trim_end_matches('.').to_string();
        Ok(EndpointPattern {
            scheme,
            host: if wildcard {
                HostPattern::Below(format!(".{host}"))
            } else {
                HostPattern::Exact(host)
            },
            // `http://h:80` parses with no explicit port; the pattern said nothing else.
            port: url.port().or_else(|| rest.ends_with(":80").then_some(80)),
        })
    }

    /// True when `url` (already a valid endpoint) matches this pattern.
    pub(crate) fn matches(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.trim_end_matches('.');
        let host_ok = match &self.host {
            HostPattern::Exact(exact) => host == exact,
            HostPattern::Below(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
        };
        host_ok
            && self.scheme.as_deref().is_none_or(|s| s == url.scheme())
            && self
                .port
                .is_none_or(|p| url.port_or_known_default() == Some(p))
    }
}

impl fmt::Display for EndpointPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(scheme) = &self.scheme {
            write!(f, "{scheme}://")?;
        }
        match &self.host {
            HostPattern::Exact(host) => f.write_str(host)?,
            HostPattern::Below(suffix) => write!(f, "*{suffix}")?,
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

/// Which endpoints a manifest's `spec.endpoint` may name: the provider's own domains over
/// HTTPS, plus whatever the operator allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointPolicy {
    allowed: Vec<EndpointPattern>,
}

/// Why a manifest's endpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointRefused {
    /// The operator has not allowed it.
    #[error(
        "endpoint {shown} is not allowed for {provider} manifests: a manifest may send signed requests only to the provider's own domains ({defaults}) unless the operator allows more"
    )]
    NotAllowed {
        /// The endpoint as `scheme://host[:port]`, safe to print.
        shown: String,
        /// The manifest's provider.
        provider: Provider,
        /// The provider's own domain patterns, comma-separated.
        defaults: String,
    },
}

impl EndpointRefused {
    /// How to fix it, naming the flag and environment variable that allow an endpoint.
    pub fn hint(&self) -> String {
        match self {
            EndpointRefused::NotAllowed { shown, .. } => {
                let host = shown.split_once("://").map_or(shown.as_str(), |(_, h)| h);
                format!(
                    "remove spec.endpoint, or have the operator allow it with `{ALLOW_FLAG} {host}` (or {ALLOW_ENV}={host})"
                )
            }
        }
    }
}

impl EndpointPolicy {
    /// The provider's own domains plus `allowed`.
    pub(crate) fn from_patterns(allowed: Vec<EndpointPattern>) -> Self {
        EndpointPolicy { allowed }
    }

    #[cfg(test)]
    /// The provider's own domains plus every pattern in `allowed`.
    ///
    /// # Errors
    /// The first pattern that does not parse.
    pub(crate) fn allowing<S: AsRef<str>>(allowed: &[S]) -> Result<Self, PatternError> {
        Ok(EndpointPolicy {
            allowed: allowed
                .iter()
                .map(|p| EndpointPattern::parse(p.as_ref()))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Checks a manifest's endpoint for a bucket of `provider`, whose own domains
    /// (`own_domains`, its table entry's `default_endpoint_patterns`: HTTPS only) need no
    /// operator consent.
    ///
    /// # Errors
    /// [`EndpointRefused`]; its message and hint never show more than `scheme://host[:port]`.
    pub fn check(
        &self,
        provider: Provider,
        own_domains: &[&str],
        endpoint: &Endpoint,
    ) -> Result<(), EndpointRefused> {
        let url = endpoint.url();
        let own = own_domains
            .iter()
            .filter_map(|p| EndpointPattern::parse(p).ok())
            .any(|p| p.matches(url));
        if own || self.allowed.iter().any(|p| p.matches(url)) {
            Ok(())
        } else {
            Err(EndpointRefused::NotAllowed {
                shown: endpoint.to_string(),
                provider,
                defaults: own_domains.join(", "),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(text: &str) -> Endpoint {
        Endpoint::parse(text).unwrap()
    }

    fn parse_endpoint(text: &str) -> Result<Url, EndpointError> {
        Endpoint::parse(text).map(|e| e.url().clone())
    }

    /// The provider's own domains, as its table entry names them.
    fn own(provider: Provider) -> &'static [&'static str] {
        match provider {
            Provider::COS => crate::provider::cos::endpoint::DEFAULT_ALLOWED,
            Provider::OSS => crate::provider::oss::endpoint::DEFAULT_ALLOWED,
            Provider::S3 => crate::provider::s3::endpoint::DEFAULT_ALLOWED_ENDPOINTS,
            other => panic!("no own domains listed for {other}"),
        }
    }

    const PASSWORD: &str = "hunter2pass";

    #[test]
    fn bare_http_and_https_endpoints_with_a_port_are_accepted() {
        assert_eq!(
            parse_endpoint("http://127.0.0.1:9000").unwrap().port(),
            Some(9000)
        );
        assert!(parse_endpoint("https://cos.internal.example/").is_ok());
        assert!(parse_endpoint("http://[::1]:9000").is_ok());
    }

    #[test]
    fn endpoints_with_user_info_query_fragment_or_path_are_rejected_without_echoing_them() {
        for (text, expected) in [
            (
                format!("http://user:{PASSWORD}@host:9000"),
                EndpointError::UserInfo("http://host:9000".into()),
            ),
            (
                format!("http://{PASSWORD}@host"),
                EndpointError::UserInfo("http://host".into()),
            ),
            (
                format!("http://host/?token={PASSWORD}"),
                EndpointError::QueryOrFragment("http://host".into()),
            ),
            (
                format!("http://host/#{PASSWORD}"),
                EndpointError::QueryOrFragment("http://host".into()),
            ),
            (
                format!("http://host/{PASSWORD}"),
                EndpointError::Path("http://host".into()),
            ),
            (format!("http://user:{PASSWORD} x@"), EndpointError::NotAUrl),
            (
                format!("ftp://{PASSWORD}@x"),
                EndpointError::Scheme("ftp".into()),
            ),
        ] {
            let error = parse_endpoint(&text).unwrap_err();
            assert_eq!(error, expected, "{text}");
            assert!(!error.to_string().contains(PASSWORD), "{error}");
        }
        assert_eq!(
            parse_endpoint("127.0.0.1:9000").unwrap_err(),
            EndpointError::NotAUrl
        );
    }

    #[test]
    fn the_default_policy_allows_only_the_providers_own_domains_over_https() {
        let policy = EndpointPolicy::default();
        assert!(
            policy
                .check(
                    Provider::COS,
                    own(Provider::COS),
                    &endpoint("https://cos.ap-guangzhou.myqcloud.com")
                )
                .is_ok()
        );
        assert!(
            policy
                .check(
                    Provider::COS,
                    own(Provider::COS),
                    &endpoint("https://cos-internal.ap-guangzhou.tencentcos.cn")
                )
                .is_ok()
        );
        assert!(
            policy
                .check(
                    Provider::OSS,
                    own(Provider::OSS),
                    &endpoint("https://oss-cn-hangzhou-internal.aliyuncs.com")
                )
                .is_ok()
        );
        for (provider, refused) in [
            (Provider::COS, "http://attacker.example"),
            (Provider::COS, "http://cos.ap-guangzhou.myqcloud.com"),
            (Provider::COS, "https://myqcloud.com"),
            (Provider::COS, "https://myqcloud.com.attacker.example"),
            (Provider::COS, "https://evilmyqcloud.com"),
            (Provider::COS, "https://oss-cn-hangzhou.aliyuncs.com"),
            (Provider::OSS, "https://cos.ap-guangzhou.myqcloud.com"),
            (Provider::OSS, "http://127.0.0.1:9000"),
        ] {
            let error = policy
                .check(provider, own(provider), &endpoint(refused))
                .unwrap_err();
            assert!(
                matches!(error, EndpointRefused::NotAllowed { .. }),
                "{refused}"
            );
            assert!(
                error.hint().contains("--allow-endpoint"),
                "{}",
                error.hint()
            );
            assert!(error.hint().contains("INVSYNC_ALLOWED_ENDPOINTS"));
        }
    }

    #[test]
    fn operator_patterns_allow_hosts_ports_and_subdomains() {
        let policy = EndpointPolicy::allowing(&[
            "127.0.0.1:9000",
            "*.internal.example",
            "https://proxy.example:8443",
        ])
        .unwrap();
        assert!(
            policy
                .check(
                    Provider::OSS,
                    own(Provider::OSS),
                    &endpoint("http://127.0.0.1:9000")
                )
                .is_ok()
        );
        assert!(
            policy
                .check(
                    Provider::OSS,
                    own(Provider::OSS),
                    &endpoint("http://127.0.0.1:9001")
                )
                .is_err()
        );
        assert!(
            policy
                .check(
                    Provider::COS,
                    own(Provider::COS),
                    &endpoint("http://cos.internal.example:81")
                )
                .is_ok()
        );
        assert!(
            policy
                .check(
                    Provider::COS,
                    own(Provider::COS),
                    &endpoint("http://internal.example")
                )
                .is_err()
        );
        assert!(
            policy
                .check(
                    Provider::COS,
                    own(Provider::COS),
                    &endpoint("https://proxy.example:8443")
                )
                .is_ok()
        );
        assert!(
            policy
                .check(
                    Provider::COS,
                    own(Provider::COS),
                    &endpoint("http://proxy.example:8443")
                )
                .is_err()
        );
        let any_port = EndpointPolicy::allowing(&["LocalHost"]).unwrap();
        assert!(
            any_port
                .check(
                    Provider::OSS,
                    own(Provider::OSS),
                    &endpoint("http://localhost:1234")
                )
                .is_ok()
        );
    }

    #[test]
    fn an_endpoint_with_user_info_never_reaches_the_policy() {
        // Even an allowed host: the value is refused where it is read, before any policy.
        let error = Endpoint::parse(&format!("http://u:{PASSWORD}@host")).unwrap_err();
        assert!(matches!(error, EndpointError::UserInfo(_)));
        assert!(!error.to_string().contains(PASSWORD));
    }

    #[test]
    fn malformed_patterns_are_rejected_naming_them() {
        for bad in ["", "ftp://host", "host/path", "*.127.0.0.1", "u:p@host"] {
            let error = EndpointPattern::parse(bad).unwrap_err();
            assert!(error.to_string().contains("HOST[:PORT]"), "{error}");
        }
        assert_eq!(
            EndpointPattern::parse("*.Example.COM:9000")
                .unwrap()
                .to_string(),
            "*.example.com:9000"
        );
        assert_eq!(
            EndpointPattern::parse("http://h:80").unwrap().to_string(),
            "http://h:80"
        );
    }
}
