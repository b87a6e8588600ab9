//! Which provider, bucket and inventory operation a request is for, from its Host, path and
//! query. Pure.
//!
//! - `Host: {bucket}.cos.{region}.myqcloud.com` (or `.tencentcos.cn`) → COS, path `/`.
//! - `Host: {bucket}.oss-{region}.aliyuncs.com` → OSS virtual-hosted, path `/`.
//! - `Host: {bucket}.s3.{region}.amazonaws.com` → S3 virtual-hosted, path `/`;
//!   `Host: s3.{region}.amazonaws.com` → S3 path style, path `/{bucket}` (see [`super::s3_route`]).
//! - any other Host (an IP address, `localhost`) → path style, path `/{bucket}` or
//!   `/{bucket}/`: S3 when the request is SigV4-signed, OSS otherwise.
//!
//! The `inventory` sub-resource may come as `inventory` or `inventory=`, anywhere in the
//! query; an empty `continuation-token=` means no token.

use percent_encoding::percent_decode_str;

use super::s3_route::{self, S3Host};
use crate::model::Provider;
use crate::provider::Operation;

/// A request the emulator understood as an inventory API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    pub provider: Provider,
    pub bucket: String,
    /// The region named by the Host, when the Host names one.
    pub region: Option<String>,
    pub operation: Operation,
    /// `id` (COS, S3) / `inventoryId` (OSS); always present for get, put and delete.
    pub id: Option<String>,
    /// A non-empty `continuation-token`.
    pub token: Option<String>,
    /// The decoded path, for signature checks (`/` or `/{bucket}/`; for S3 exactly as sent).
    pub path: String,
    /// Every query parameter, decoded, in request order; a bare key has an empty value.
    pub params: Vec<(String, String)>,
}

/// A request that is not an emulated inventory call, answered in `provider`'s error format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError {
    pub provider: Provider,
    pub bucket: Option<String>,
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

/// Where the Host header says a request is going.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    VirtualHosted {
        provider: Provider,
        bucket: String,
        region: String,
    },
    /// An S3 endpoint that takes the bucket in the path (`s3.{region}.amazonaws.com`).
    S3PathStyle { region: String },
    /// Any other host: the bucket is in the path, the provider is told by the signature.
    PathStyle,
}

fn parse_host(host: &str) -> Target {
    match s3_route::parse_host(host) {
        Some(S3Host::VirtualHosted { bucket, region }) => {
            return Target::VirtualHosted {
                provider: Provider::S3,
                bucket,
                region,
            };
        }
        Some(S3Host::PathStyle { region }) => return Target::S3PathStyle { region },
        None => {}
    }
    let host = strip_port(host).to_ascii_lowercase();
    for suffix in [".myqcloud.com", ".tencentcos.cn"] {
        if let Some(front) = host.strip_suffix(suffix)
            && let Some((bucket, region)) = front.split_once(".cos.")
            && !bucket.is_empty()
            && !region.is_empty()
        {
            return Target::VirtualHosted {
                provider: Provider::Cos,
                bucket: bucket.to_string(),
                region: region.to_string(),
            };
        }
    }
    if let Some(front) = host.strip_suffix(".aliyuncs.com")
        && let Some((bucket, region)) = front.split_once(".oss-")
        && !bucket.is_empty()
        && !region.is_empty()
    {
        let region = region.strip_suffix("-internal").unwrap_or(region);
        return Target::VirtualHosted {
            provider: Provider::Oss,
            bucket: bucket.to_string(),
            region: region.to_string(),
        };
    }
    Target::PathStyle
}

/// `host` without a trailing `:port` (IPv6 literals keep their brackets).
pub fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Decodes a query component the way the services do: `%XX` escapes, and `+` as a space.
pub fn decode_query_component(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// Splits a raw query string into decoded pairs, in order.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (decode_query_component(k), decode_query_component(v)),
            None => (decode_query_component(part), String::new()),
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Classifies a request. `path` is the raw (percent-encoded) path, `query` the raw query;
/// `sigv4` says whether the request is signed the S3 way ([`s3_route::is_sigv4`]), which
/// decides between S3 and OSS for hosts that name neither.
pub fn route(
    method: &str,
    host: &str,
    path: &str,
    query: &str,
    sigv4: bool,
) -> Result<ApiRequest, RouteError> {
    let decoded_path = percent_decode_str(path).decode_utf8_lossy().into_owned();
    let target = match parse_host(host) {
        Target::PathStyle if sigv4 => Target::S3PathStyle {
            region: String::new(),
        },
        other => other,
    };
    let (provider, bucket, region) = match target {
        Target::VirtualHosted {
            provider,
            bucket,
            region,
        } => {
            if decoded_path != "/" {
                return Err(not_implemented(provider, Some(bucket), "object operations"));
            }
            (provider, bucket, Some(region))
        }
        Target::S3PathStyle { region } => {
            let (bucket, key) = s3_route::split_path(&decoded_path);
            if bucket.is_empty() {
                return Err(not_implemented(Provider::S3, None, "service operations"));
            }
            if !key.is_empty() {
                return Err(not_implemented(
                    Provider::S3,
                    Some(bucket.to_string()),
                    "object operations",
                ));
            }
            let region = (!region.is_empty()).then_some(region);
            (Provider::S3, bucket.to_string(), region)
        }
        Target::PathStyle => {
            let rest = decoded_path.trim_start_matches('/');
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(not_implemented(Provider::Oss, None, "service operations"));
            }
            if !key.is_empty() {
                return Err(not_implemented(
                    Provider::Oss,
                    Some(bucket.to_string()),
                    "object operations",
                ));
            }
            (Provider::Oss, bucket.to_string(), None)
        }
    };
    let params = parse_query(query);
    if param(&params, "inventory").is_none() {
        return Err(not_implemented(
            provider,
            Some(bucket),
            "bucket operations other than inventory",
        ));
    }
    let id_param = match provider {
        Provider::Cos | Provider::S3 => "id",
        Provider::Oss => "inventoryId",
    };
    let id = param(&params, id_param).map(str::to_string);
    let token = param(&params, "continuation-token")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let operation = match (method, &id) {
        ("GET", Some(_)) => Operation::Get,
        ("GET", None) => Operation::List,
        ("PUT", _) => Operation::Put,
        ("DELETE", _) => Operation::Delete,
        ("POST", _) if provider == Provider::Cos => {
            return Err(not_implemented(
                provider,
                Some(bucket),
                "POST Bucket inventory",
            ));
        }
        _ => {
            return Err(RouteError {
                provider,
                bucket: Some(bucket),
                status: 405,
                code: "MethodNotAllowed",
                message: format!(
                    "The specified method {method} is not allowed against this resource."
                ),
            });
        }
    };
    if operation != Operation::List && id.as_deref().is_none_or(str::is_empty) {
        return Err(RouteError {
            provider,
            bucket: Some(bucket),
            status: 400,
            code: "InvalidArgument",
            message: format!("The {id_param} parameter is required."),
        });
    }
    let path = match (provider, region.is_some()) {
        // S3 signs the path exactly as sent (`/bucket` or `/bucket/`), never normalized.
        (Provider::S3, _) => decoded_path,
        (_, true) => "/".to_string(),
        (_, false) => format!("/{bucket}/"),
    };
    Ok(ApiRequest {
        provider,
        bucket,
        region,
        operation,
        id,
        token,
        path,
        params,
    })
}

fn not_implemented(provider: Provider, bucket: Option<String>, what: &str) -> RouteError {
    RouteError {
        provider,
        bucket,
        status: 501,
        code: "NotImplemented",
        message: format!("The emulator implements only the bucket inventory API, not {what}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COS_HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

    /// A request that is not SigV4-signed.
    fn route(method: &str, host: &str, path: &str, query: &str) -> Result<ApiRequest, RouteError> {
        super::route(method, host, path, query, false)
    }

    #[test]
    fn s3_hosts_route_to_s3_with_the_id_parameter() {
        let v = route(
            "PUT",
            "examplebucket.s3.eu-west-1.amazonaws.com",
            "/",
            "inventory&id=report-1",
        )
        .unwrap();
        assert_eq!(
            (v.provider, v.bucket.as_str()),
            (Provider::S3, "examplebucket")
        );
        assert_eq!(v.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            (v.operation, v.id.as_deref()),
            (Operation::Put, Some("report-1"))
        );
        let p = route(
            "GET",
            "s3.eu-west-1.amazonaws.com",
            "/examplebucket",
            "inventory",
        )
        .unwrap();
        assert_eq!(
            (p.provider, p.bucket.as_str()),
            (Provider::S3, "examplebucket")
        );
        assert_eq!(
            (p.path.as_str(), p.operation),
            ("/examplebucket", Operation::List)
        );
        assert_eq!(p.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn a_sigv4_request_to_an_ip_host_is_s3_path_style_with_the_path_as_sent() {
        for path in ["/examplebucket", "/examplebucket/"] {
            let r =
                super::route("DELETE", "127.0.0.1:9000", path, "inventory&id=r1", true).unwrap();
            assert_eq!(
                (r.provider, r.bucket.as_str()),
                (Provider::S3, "examplebucket")
            );
            assert_eq!((r.path.as_str(), r.region), (path, None));
            assert_eq!(r.operation, Operation::Delete);
        }
        let unsigned = route("GET", "127.0.0.1:9000", "/examplebucket", "inventory").unwrap();
        assert_eq!(unsigned.provider, Provider::Oss);
        let object = super::route("GET", "127.0.0.1", "/b/key", "inventory", true).unwrap_err();
        assert_eq!((object.provider, object.status), (Provider::S3, 501));
    }

    #[test]
    fn cos_host_routes_to_cos_with_inventory_in_any_form_and_position() {
        for query in [
            "inventory&id=list1",
            "inventory=&id=list1",
            "id=list1&inventory",
        ] {
            let r = route("GET", COS_HOST, "/", query).unwrap();
            assert_eq!(r.provider, Provider::Cos);
            assert_eq!(r.bucket, "examplebucket-1250000000");
            assert_eq!(r.region.as_deref(), Some("ap-guangzhou"));
            assert_eq!(r.operation, Operation::Get);
            assert_eq!(r.id.as_deref(), Some("list1"));
        }
    }

    #[test]
    fn cos_host_with_port_still_routes_to_cos() {
        let host = format!("{COS_HOST}:8080");
        assert_eq!(
            route("GET", &host, "/", "inventory").unwrap().provider,
            Provider::Cos
        );
    }

    #[test]
    fn oss_virtual_hosted_and_path_style_route_to_oss() {
        let v = route(
            "PUT",
            "examplebucket.oss-cn-hangzhou.aliyuncs.com",
            "/",
            "inventory&inventoryId=r1",
        )
        .unwrap();
        assert_eq!(
            (v.provider, v.bucket.as_str()),
            (Provider::Oss, "examplebucket")
        );
        assert_eq!(v.region.as_deref(), Some("cn-hangzhou"));
        assert_eq!(v.operation, Operation::Put);
        let p = route(
            "DELETE",
            "127.0.0.1:9000",
            "/examplebucket/",
            "inventoryId=r1&inventory=",
        )
        .unwrap();
        assert_eq!(
            (p.provider, p.bucket.as_str()),
            (Provider::Oss, "examplebucket")
        );
        assert_eq!(p.path, "/examplebucket/");
        assert_eq!(p.operation, Operation::Delete);
    }

    #[test]
    fn empty_continuation_token_means_none_and_tokens_are_decoded() {
        let first = route("GET", COS_HOST, "/", "inventory=&continuation-token=").unwrap();
        assert_eq!((first.operation, first.token), (Operation::List, None));
        let next = route(
            "GET",
            "localhost",
            "/b",
            "inventory&continuation-token=a%2Fb%2Bc%3D",
        )
        .unwrap();
        assert_eq!(next.token.as_deref(), Some("a/b+c="));
    }

    #[test]
    fn a_raw_plus_in_the_query_is_a_space() {
        assert_eq!(parse_query("t=a+b"), vec![("t".into(), "a b".into())]);
    }

    #[test]
    fn non_inventory_requests_are_not_implemented() {
        assert_eq!(route("GET", COS_HOST, "/", "acl").unwrap_err().status, 501);
        assert_eq!(
            route("GET", COS_HOST, "/obj", "inventory")
                .unwrap_err()
                .status,
            501
        );
        assert_eq!(route("GET", "127.0.0.1", "/", "").unwrap_err().status, 501);
        assert_eq!(
            route("GET", "127.0.0.1", "/b/key", "inventory")
                .unwrap_err()
                .status,
            501
        );
    }

    #[test]
    fn writes_without_an_id_and_unknown_methods_are_refused() {
        let put = route("PUT", COS_HOST, "/", "inventory").unwrap_err();
        assert_eq!((put.status, put.code), (400, "InvalidArgument"));
        let head = route("HEAD", COS_HOST, "/", "inventory").unwrap_err();
        assert_eq!((head.status, head.code), (405, "MethodNotAllowed"));
    }

    #[test]
    fn ports_are_stripped_but_ipv6_literals_kept() {
        assert_eq!(strip_port("127.0.0.1:9000"), "127.0.0.1");
        assert_eq!(strip_port("[::1]:9000"), "[::1]");
        assert_eq!(strip_port("localhost"), "localhost");
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn routing_arbitrary_requests_never_panics(
            method in "[A-Z]{0,7}",
            host in "[ -~]{0,40}",
            path in "[ -~]{0,40}",
            query in "[ -~]{0,60}",
        ) {
            let _ = route(&method, &host, &path, &query);
        }
    }
}
