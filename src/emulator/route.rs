//! The routing rules every provider shares, once a dialect has recognised a request: the
//! service or the bucket, the `inventory` and `tagging` sub-resources, the id parameter, the
//! method. Pure.
//!
//! A sub-resource may come as `inventory` or `inventory=`, anywhere in the query; an empty
//! `continuation-token=` means no token. `GET /` on a host that names no bucket lists the
//! account's buckets.

use percent_encoding::percent_decode_str;

use super::call::{BucketCall, Call, ObjectCall};
use crate::model::Provider;
use crate::provider::Operation;

/// A request the emulator understood as an emulated API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiRequest {
    pub(crate) provider: Provider,
    /// The bucket; empty for a service-level call (bucket listing).
    pub(crate) bucket: String,
    /// The region named by the Host, when the Host names one.
    pub(crate) region: Option<String>,
    pub(crate) call: Call,
    /// The provider's id parameter (`id`, `inventoryId`); always present for get, put and delete.
    pub(crate) id: Option<String>,
    /// A non-empty `continuation-token`.
    pub(crate) token: Option<String>,
    /// The decoded path, for signature checks (see [`PathForm`]).
    pub(crate) path: String,
    /// Every query parameter, decoded, in request order; a bare key has an empty value.
    pub(crate) params: Vec<(String, String)>,
    /// The object key, decoded; empty for bucket and service calls.
    pub(crate) key: String,
}

impl ApiRequest {
    /// The value of query parameter `name`, when sent (empty for a bare key).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        param(&self.params, name)
    }

    /// The value of query parameter `name`, when sent with a value.
    pub(crate) fn non_empty_param(&self, name: &str) -> Option<&str> {
        self.param(name).filter(|v| !v.is_empty())
    }

    /// The tag a listing filters on: the values of parameters `key` and `value`, when both
    /// are sent with a value.
    pub(crate) fn tag_param(&self, key: &str, value: &str) -> Option<(String, String)> {
        let key = self.non_empty_param(key)?;
        let value = self.non_empty_param(value)?;
        Some((key.to_string(), value.to_string()))
    }

    /// A page-size parameter `name`: `None` when not sent (or empty), else its value when it
    /// is an integer in `1..=max`.
    ///
    /// # Errors
    /// The raw value, when it is not such an integer.
    pub(crate) fn page_size(&self, name: &str, max: usize) -> Option<Result<usize, &str>> {
        let raw = self.non_empty_param(name)?;
        Some(
            raw.parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or(raw),
        )
    }
}

/// A request that is not an emulated call, answered in its dialect's error format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouteError {
    pub(crate) bucket: Option<String>,
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

/// Where the Host header says a request is going.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostTarget {
    /// `{bucket}.{endpoint}`: the bucket is in the Host, the path is `/`.
    VirtualHosted { bucket: String, region: String },
    /// The bucket is the first path segment; `region` when the Host names one.
    PathStyle { region: Option<String> },
}

/// The parts of a request line routing reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestLine<'a> {
    pub(crate) method: &'a str,
    /// The path, percent-decoded.
    pub(crate) decoded_path: &'a str,
    /// The raw query string.
    pub(crate) query: &'a str,
}

/// How a provider reads a path-style path and which path it signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathForm {
    /// One leading `/` before the bucket; the path is signed exactly as sent (`/bucket` or
    /// `/bucket/`, `/` virtual-hosted).
    AsSent,
    /// Any leading `/`s before the bucket; the path signed is `/` virtual-hosted and
    /// `/{bucket}/` path style.
    Canonical,
}

/// The per-provider knobs of the shared inventory-call rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallRules {
    /// The query parameter that names a configuration.
    pub(crate) id_param: &'static str,
    /// Methods on the inventory resource the provider has but the emulator does not
    /// implement (501 naming the operation rather than 405).
    pub(crate) unimplemented_methods: &'static [(&'static str, &'static str)],
}

/// `host` without a trailing `:port` (IPv6 literals keep their brackets).
pub(crate) fn strip_port(host: &str) -> &str {
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

/// Decodes a path the way the services do: `%XX` escapes, `+` kept.
pub(crate) fn decode_path(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// Decodes a query component the way the services do: `%XX` escapes, and `+` as a space.
pub(crate) fn decode_query_component(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// Splits a raw query string into decoded pairs, in order.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
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

/// The bucket, region and signed path of a request, from where its Host sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub(crate) bucket: String,
    /// The object key, decoded; empty when the path names the bucket itself.
    pub(crate) key: String,
    pub(crate) region: Option<String>,
    pub(crate) signed_path: String,
}

/// What a request's Host and path address: the service (no bucket) or one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resource {
    /// `/` on a host that names no bucket; `region` when the Host names one.
    Service { region: Option<String> },
    /// One bucket.
    Bucket(Located),
}

/// Finds what a request to `target` addresses: the service, a bucket or an object.
///
/// # Errors
/// 501 `NotImplemented` for a path-style path that names no bucket but more than `/`.
pub(crate) fn locate(
    target: HostTarget,
    decoded_path: &str,
    form: PathForm,
) -> Result<Resource, RouteError> {
    match target {
        HostTarget::VirtualHosted { bucket, region } => {
            let key = decoded_path.strip_prefix('/').unwrap_or(decoded_path);
            let signed_path = match form {
                PathForm::AsSent => decoded_path.to_string(),
                PathForm::Canonical => format!("/{key}"),
            };
            Ok(Resource::Bucket(Located {
                bucket,
                key: key.to_string(),
                region: Some(region),
                signed_path,
            }))
        }
        HostTarget::PathStyle { region } => {
            let rest = match form {
                PathForm::AsSent => decoded_path.strip_prefix('/').unwrap_or(decoded_path),
                PathForm::Canonical => decoded_path.trim_start_matches('/'),
            };
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                if !key.is_empty() || (form == PathForm::AsSent && decoded_path != "/") {
                    return Err(not_implemented(None, "service operations"));
                }
                return Ok(Resource::Service { region });
            }
            let signed_path = match form {
                PathForm::AsSent => decoded_path.to_string(),
                PathForm::Canonical => format!("/{bucket}/{key}"),
            };
            Ok(Resource::Bucket(Located {
                bucket: bucket.to_string(),
                key: key.to_string(),
                region,
                signed_path,
            }))
        }
    }
}

/// The call a located request makes: the bucket listing on the service, the `tagging` or
/// the `inventory` sub-resource on a bucket.
///
/// # Errors
/// As [`inventory_call`]; 405 for a method other than GET on the service, or other than GET,
/// PUT and DELETE on `tagging`.
pub(crate) fn call(
    provider: Provider,
    resource: Resource,
    line: &RequestLine<'_>,
    rules: &CallRules,
) -> Result<ApiRequest, RouteError> {
    let located = match resource {
        Resource::Service { region } => {
            if line.method != "GET" {
                return Err(method_not_allowed(None, line.method));
            }
            return Ok(ApiRequest {
                provider,
                bucket: String::new(),
                region,
                call: Call::Bucket(BucketCall::ListBuckets),
                id: None,
                token: None,
                path: "/".to_string(),
                params: parse_query(line.query),
                key: String::new(),
            });
        }
        Resource::Bucket(located) => located,
    };
    let params = parse_query(line.query);
    if let Some(call) = object_call(&located, line.method, &params)? {
        return Ok(ApiRequest {
            provider,
            bucket: located.bucket,
            region: located.region,
            call: Call::Object(call),
            id: None,
            token: None,
            path: located.signed_path,
            params,
            key: located.key,
        });
    }
    if param(&params, "tagging").is_none() {
        return inventory_call(provider, located, line, rules);
    }
    let call = match line.method {
        "GET" => BucketCall::GetTagging,
        "PUT" => BucketCall::PutTagging,
        "DELETE" => BucketCall::DeleteTagging,
        other => return Err(method_not_allowed(Some(located.bucket), other)),
    };
    Ok(ApiRequest {
        provider,
        bucket: located.bucket,
        region: located.region,
        call: Call::Bucket(call),
        id: None,
        token: None,
        path: located.signed_path,
        params,
        key: String::new(),
    })
}

/// The object or bucket-policy call a located request makes, if it makes one: `GET`/`HEAD`
/// of a key, the `policy` sub-resource, or `GET /` on the bucket with no sub-resource the
/// emulator serves otherwise (ListObjects, V2 with `list-type=2`).
///
/// # Errors
/// 405 for a method the object or policy resource does not take; 501 for a sub-resource on
/// an object.
fn object_call(
    located: &Located,
    method: &str,
    params: &[(String, String)],
) -> Result<Option<ObjectCall>, RouteError> {
    if !located.key.is_empty() {
        if let Some((name, _)) = params
            .iter()
            .find(|(k, _)| k == "inventory" || BUCKET_SUBRESOURCES.contains(&k.as_str()))
        {
            return Err(not_implemented(
                Some(located.bucket.clone()),
                &format!("the {name} sub-resource on objects"),
            ));
        }
        return match method {
            "GET" => Ok(Some(ObjectCall::GetObject)),
            "HEAD" => Ok(Some(ObjectCall::HeadObject)),
            other => Err(method_not_allowed(Some(located.bucket.clone()), other)),
        };
    }
    if param(params, "policy").is_some() {
        return match method {
            "GET" => Ok(Some(ObjectCall::GetPolicy)),
            "PUT" => Ok(Some(ObjectCall::PutPolicy)),
            "DELETE" => Ok(Some(ObjectCall::DeletePolicy)),
            other => Err(method_not_allowed(Some(located.bucket.clone()), other)),
        };
    }
    let other_subresource = params
        .iter()
        .any(|(k, _)| BUCKET_SUBRESOURCES.contains(&k.as_str()) || k == "inventory");
    if method != "GET" || other_subresource {
        return Ok(None);
    }
    if param(params, "list-type") == Some("2") {
        return Ok(Some(ObjectCall::ListObjectsV2));
    }
    Ok(Some(ObjectCall::ListObjects))
}

/// Bucket sub-resources a listing must not be mistaken for (the ones the emulator serves and
/// the common ones it does not).
const BUCKET_SUBRESOURCES: &[&str] = &[
    "tagging",
    "policy",
    "acl",
    "cors",
    "lifecycle",
    "location",
    "logging",
    "versioning",
    "versions",
    "website",
    "encryption",
    "replication",
    "uploads",
    "analytics",
    "metrics",
    "notification",
    "bucketInfo",
    "stat",
    "referer",
    "worm",
    "qos",
    "accelerate",
    "ownershipControls",
    "publicAccessBlock",
    "object-lock",
    "requestPayment",
    "intelligent-tiering",
];

fn method_not_allowed(bucket: Option<String>, method: &str) -> RouteError {
    RouteError {
        bucket,
        status: 405,
        code: "MethodNotAllowed",
        message: format!("The specified method {method} is not allowed against this resource."),
    }
}

/// The inventory call of a located request: the `inventory` sub-resource, the id, the
/// operation from the method, a required id for get, put and delete.
///
/// # Errors
/// 501 for other sub-resources and for `rules.unimplemented_methods`, 405 for other methods,
/// 400 `InvalidArgument` for a get, put or delete without an id.
pub(crate) fn inventory_call(
    provider: Provider,
    located: Located,
    line: &RequestLine<'_>,
    rules: &CallRules,
) -> Result<ApiRequest, RouteError> {
    let Located {
        bucket,
        region,
        signed_path,
        ..
    } = located;
    let params = parse_query(line.query);
    if param(&params, "inventory").is_none() {
        return Err(not_implemented(
            Some(bucket),
            "bucket operations other than inventory and tagging",
        ));
    }
    let id = param(&params, rules.id_param).map(str::to_string);
    let token = param(&params, "continuation-token")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let method = line.method;
    let operation = match (method, &id) {
        ("GET", Some(_)) => Operation::Get,
        ("GET", None) => Operation::List,
        ("PUT", _) => Operation::Put,
        ("DELETE", _) => Operation::Delete,
        _ => {
            if let Some((_, what)) = rules
                .unimplemented_methods
                .iter()
                .find(|(m, _)| *m == method)
            {
                return Err(not_implemented(Some(bucket), what));
            }
            return Err(method_not_allowed(Some(bucket), method));
        }
    };
    if operation != Operation::List && id.as_deref().is_none_or(str::is_empty) {
        return Err(RouteError {
            bucket: Some(bucket),
            status: 400,
            code: "InvalidArgument",
            message: format!("The {} parameter is required.", rules.id_param),
        });
    }
    Ok(ApiRequest {
        provider,
        bucket,
        region,
        call: Call::Inventory(operation),
        id,
        token,
        path: signed_path,
        params,
        key: String::new(),
    })
}

fn not_implemented(bucket: Option<String>, what: &str) -> RouteError {
    RouteError {
        bucket,
        status: 501,
        code: "NotImplemented",
        message: format!(
            "The emulator implements only the bucket inventory, tagging and listing APIs, \
             not {what}."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_plus_in_the_query_is_a_space() {
        assert_eq!(parse_query("t=a+b"), vec![("t".into(), "a b".into())]);
    }

    #[test]
    fn ports_are_stripped_but_ipv6_literals_kept() {
        assert_eq!(strip_port("127.0.0.1:9000"), "127.0.0.1");
        assert_eq!(strip_port("[::1]:9000"), "[::1]");
        assert_eq!(strip_port("localhost"), "localhost");
    }

    #[test]
    fn path_forms_differ_in_leading_slashes_and_the_signed_path() {
        let style = || HostTarget::PathStyle { region: None };
        let bucket = |resource| match resource {
            Resource::Bucket(located) => located,
            Resource::Service { .. } => panic!("not a bucket"),
        };
        let canonical = bucket(locate(style(), "//b", PathForm::Canonical).unwrap());
        assert_eq!(
            (canonical.bucket.as_str(), canonical.signed_path.as_str()),
            ("b", "/b/")
        );
        let as_sent = bucket(locate(style(), "/b", PathForm::AsSent).unwrap());
        assert_eq!(
            (as_sent.bucket.as_str(), as_sent.signed_path.as_str()),
            ("b", "/b")
        );
        assert_eq!(
            locate(style(), "//b", PathForm::AsSent).unwrap_err().status,
            501
        );
    }

    #[test]
    fn the_root_of_a_host_without_a_bucket_is_the_service() {
        let style = || HostTarget::PathStyle {
            region: Some("r".into()),
        };
        for form in [PathForm::AsSent, PathForm::Canonical] {
            assert_eq!(
                locate(style(), "/", form),
                Ok(Resource::Service {
                    region: Some("r".into())
                })
            );
        }
        assert_eq!(
            locate(style(), "//x", PathForm::AsSent).unwrap_err().status,
            501
        );
    }
}
