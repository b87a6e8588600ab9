//! Where the bucket goes in a request URL, for every S3-family provider: virtual-hosted
//! (`{bucket}.{host}/`) or path style (`{host}/{bucket}`).

use url::{Host, Url};

/// How the bucket appears in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `{bucket}.{host}/`.
    VirtualHosted,
    /// `{host}/{bucket}` (OSS adds a trailing `/`).
    Path,
}

/// True when the endpoint is an IP address or `localhost`, where a bucket cannot be a
/// subdomain: requests use path style there, as the official SDKs do.
pub(crate) fn is_ip_or_localhost(endpoint: &Url) -> bool {
    match endpoint.host() {
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => true,
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// True when `region` is a region id's characters: lowercase letters, digits and hyphens,
/// not empty. A provider adds its own rules (no `oss-` prefix, no hyphen at either end).
pub fn is_region_id(region: &str) -> bool {
    !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `base` without query and fragment, with `bucket` placed in `style`: as the first host
/// label with path `/`, or as the path `path` (the provider's spelling of `/{bucket}`).
///
/// # Errors
/// What is wrong with `base`, completing "endpoint `…` …", when it has no host or the bucket
/// does not form a valid host with it.
pub(crate) fn place_bucket(
    base: &Url,
    bucket: &str,
    style: Style,
    path: &str,
) -> Result<Url, &'static str> {
    if base.host().is_none() {
        return Err("has no host");
    }
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    match style {
        Style::Path => url.set_path(path),
        Style::VirtualHosted => {
            let host = format!("{bucket}.{}", base.host_str().unwrap_or_default());
            url.set_host(Some(&host))
                .map_err(|_| "does not form a valid host with the bucket")?;
            url.set_path("/");
        }
    }
    Ok(url)
}

/// `base` without query and fragment, with path `/`: where a service-level request (the
/// account's bucket listing) goes on an endpoint override.
///
/// # Errors
/// "has no host" (completing "endpoint `…` …") when `base` has none.
pub(crate) fn service_root(base: &Url) -> Result<Url, &'static str> {
    if base.host().is_none() {
        return Err("has no host");
    }
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.set_path("/");
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn ip_addresses_and_localhost_are_path_style_hosts_and_domains_are_not() {
        for endpoint in [
            "http://127.0.0.1:9000",
            "http://localhost:9000",
            "http://LOCALHOST",
            "http://[::1]:9000",
        ] {
            assert!(is_ip_or_localhost(&url(endpoint)), "{endpoint}");
        }
        for endpoint in [
            "https://oss.internal.example:8443",
            "https://localhost.example",
        ] {
            assert!(!is_ip_or_localhost(&url(endpoint)), "{endpoint}");
        }
    }

    #[test]
    fn the_bucket_becomes_the_first_host_label_or_the_path() {
        let base = url("https://s3.example:8443/ignored?q=1#f");
        let hosted = place_bucket(&base, "b", Style::VirtualHosted, "/b").unwrap();
        assert_eq!(hosted.as_str(), "https://b.s3.example:8443/");
        let path = place_bucket(&base, "b", Style::Path, "/b/").unwrap();
        assert_eq!(path.as_str(), "https://s3.example:8443/b/");
    }

    #[test]
    fn a_service_request_goes_to_the_root_of_the_endpoint() {
        let base = url("http://127.0.0.1:9000/ignored?q=1#f");
        assert_eq!(
            service_root(&base).unwrap().as_str(),
            "http://127.0.0.1:9000/"
        );
    }

    #[test]
    fn region_ids_are_lowercase_letters_digits_and_hyphens() {
        assert!(is_region_id("us-east-1"));
        for region in ["", "US-EAST-1", "eu_west", "a.b"] {
            assert!(!is_region_id(region), "{region}");
        }
    }
}
