//! The table of emulated providers, and the edge that picks one per request.
//!
//! A request goes to the first provider whose endpoint forms its Host matches (they do not
//! overlap); a request to any other host (an IP address, `localhost`) goes to the provider
//! that claims it most strongly by its headers: S3 when it is SigV4-signed, OSS otherwise.

use axum::http::HeaderMap;

use super::cos::Cos;
use super::dialect::EmulatedProvider;
use super::oss::Oss;
use super::route::{self, ApiRequest, HostTarget, RequestLine, RouteError};
use super::s3::S3;
use crate::model::Provider;

/// Every emulated provider. Adding one is its folder and one entry here.
pub(crate) static ALL: [&dyn EmulatedProvider; 3] = [&Cos, &Oss, &S3];

/// The dialect of `provider`, if it is emulated.
pub(crate) fn of(provider: Provider) -> Option<&'static dyn EmulatedProvider> {
    ALL.into_iter().find(|d| d.provider() == provider)
}

/// The dialect a request with this Host and these headers belongs to, and where its Host
/// sends it.
pub(crate) fn recognise(
    host: &str,
    headers: &HeaderMap,
) -> (&'static dyn EmulatedProvider, HostTarget) {
    if let Some((dialect, target)) = ALL
        .into_iter()
        .find_map(|d| d.parse_host(host).map(|target| (d, target)))
    {
        return (dialect, target);
    }
    let mut chosen = ALL[0];
    for dialect in ALL {
        if dialect.plain_host_claim(headers) > chosen.plain_host_claim(headers) {
            chosen = dialect;
        }
    }
    (chosen, HostTarget::PathStyle { region: None })
}

/// Recognises a request and lets its dialect route it. `path` is the raw (percent-encoded)
/// path, `query` the raw query.
///
/// # Errors
/// The dialect's answer for a request that is not an emulated inventory call; the dialect
/// is returned either way, to render it.
pub(crate) fn route(
    method: &str,
    host: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
) -> (
    &'static dyn EmulatedProvider,
    Result<ApiRequest, RouteError>,
) {
    let (dialect, target) = recognise(host, headers);
    let decoded_path = route::decode_path(path);
    let line = RequestLine {
        method,
        decoded_path: &decoded_path,
        query,
    };
    (dialect, dialect.route(target, &line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::call::{BucketCall, Call};
    use crate::emulator::dialect::Failure;
    use crate::provider::Operation;

    const COS_HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

    /// Routes a request that is SigV4-signed when `sigv4`, answering with its provider.
    fn route_as(
        method: &str,
        host: &str,
        path: &str,
        query: &str,
        sigv4: bool,
    ) -> (Provider, Result<ApiRequest, RouteError>) {
        let mut headers = HeaderMap::new();
        if sigv4 {
            headers.insert("x-amz-date", "20260101T120000Z".parse().unwrap());
        }
        let (dialect, result) = super::route(method, host, path, query, &headers);
        (dialect.provider(), result)
    }

    /// A request that is not SigV4-signed.
    fn route(method: &str, host: &str, path: &str, query: &str) -> Result<ApiRequest, RouteError> {
        route_as(method, host, path, query, false).1
    }

    #[test]
    fn every_provider_has_exactly_one_dialect() {
        for provider in Provider::ALL {
            let matching = ALL.iter().filter(|d| d.provider() == provider).count();
            assert_eq!(matching, 1, "{provider}");
            assert!(of(provider).is_some());
        }
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
            (v.call, v.id.as_deref()),
            (Call::Inventory(Operation::Put), Some("report-1"))
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
            (p.path.as_str(), p.call),
            ("/examplebucket", Call::Inventory(Operation::List))
        );
        assert_eq!(p.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn a_sigv4_request_to_an_ip_host_is_s3_path_style_with_the_path_as_sent() {
        for path in ["/examplebucket", "/examplebucket/"] {
            let r = route_as("DELETE", "127.0.0.1:9000", path, "inventory&id=r1", true)
                .1
                .unwrap();
            assert_eq!(
                (r.provider, r.bucket.as_str()),
                (Provider::S3, "examplebucket")
            );
            assert_eq!((r.path.as_str(), r.region), (path, None));
            assert_eq!(r.call, Call::Inventory(Operation::Delete));
        }
        let unsigned = route("GET", "127.0.0.1:9000", "/examplebucket", "inventory").unwrap();
        assert_eq!(unsigned.provider, Provider::Oss);
        let (provider, object) = route_as("GET", "127.0.0.1", "/b/key", "inventory", true);
        assert_eq!((provider, object.unwrap_err().status), (Provider::S3, 501));
    }

    #[test]
    fn an_authorization_of_another_scheme_on_a_plain_host_is_oss() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "OSS ak:sig".parse().unwrap());
        let (dialect, _) = super::route("GET", "localhost", "/b", "inventory", &headers);
        assert_eq!(dialect.provider(), Provider::Oss);
        headers.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/s3/aws4_request"
                .parse()
                .unwrap(),
        );
        let (dialect, _) = super::route("GET", "localhost", "/b", "inventory", &headers);
        assert_eq!(dialect.provider(), Provider::S3);
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
            assert_eq!(r.call, Call::Inventory(Operation::Get));
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
        assert_eq!(v.call, Call::Inventory(Operation::Put));
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
        assert_eq!(p.call, Call::Inventory(Operation::Delete));
    }

    #[test]
    fn empty_continuation_token_means_none_and_tokens_are_decoded() {
        let first = route("GET", COS_HOST, "/", "inventory=&continuation-token=").unwrap();
        assert_eq!(
            (first.call, first.token),
            (Call::Inventory(Operation::List), None)
        );
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
    fn non_inventory_requests_are_not_implemented() {
        assert_eq!(route("GET", COS_HOST, "/", "acl").unwrap_err().status, 501);
        assert_eq!(
            route("GET", COS_HOST, "/obj", "inventory")
                .unwrap_err()
                .status,
            501
        );
        assert_eq!(
            route("GET", "127.0.0.1", "/b/key", "inventory")
                .unwrap_err()
                .status,
            501
        );
    }

    #[test]
    fn the_root_of_a_service_host_lists_buckets_in_the_provider_that_signed_or_names_it() {
        let list = Call::Bucket(BucketCall::ListBuckets);
        let cases = [
            ("s3.amazonaws.com", true, Provider::S3, Some("us-east-1")),
            (
                "s3.eu-west-1.amazonaws.com",
                true,
                Provider::S3,
                Some("eu-west-1"),
            ),
            ("127.0.0.1:9000", true, Provider::S3, None),
            ("service.cos.myqcloud.com", false, Provider::Cos, None),
            (
                "cos.ap-beijing.myqcloud.com",
                false,
                Provider::Cos,
                Some("ap-beijing"),
            ),
            (
                "oss-cn-hangzhou.aliyuncs.com",
                false,
                Provider::Oss,
                Some("cn-hangzhou"),
            ),
            ("127.0.0.1:9000", false, Provider::Oss, None),
        ];
        for (host, sigv4, provider, region) in cases {
            let (chosen, result) = route_as("GET", host, "/", "max-keys=5", sigv4);
            let request = result.unwrap();
            assert_eq!(
                (
                    chosen,
                    request.call,
                    request.bucket.as_str(),
                    request.region.as_deref()
                ),
                (provider, list, "", region),
                "{host}"
            );
        }
        let mut cos_signed = HeaderMap::new();
        cos_signed.insert(
            "authorization",
            "q-sign-algorithm=sha1&q-ak=AKID".parse().unwrap(),
        );
        let (dialect, result) = super::route("GET", "127.0.0.1:9000", "/", "", &cos_signed);
        assert_eq!(
            (dialect.provider(), result.unwrap().call),
            (Provider::Cos, list)
        );
        let put = route("PUT", "service.cos.myqcloud.com", "/", "").unwrap_err();
        assert_eq!((put.status, put.code), (405, "MethodNotAllowed"));
    }

    #[test]
    fn the_tagging_sub_resource_is_a_bucket_tagging_call() {
        for (method, call) in [
            ("GET", BucketCall::GetTagging),
            ("PUT", BucketCall::PutTagging),
            ("DELETE", BucketCall::DeleteTagging),
        ] {
            let r = route(method, COS_HOST, "/", "tagging").unwrap();
            assert_eq!(
                (r.call, r.bucket.as_str()),
                (Call::Bucket(call), "examplebucket-1250000000")
            );
        }
        let post = route("POST", COS_HOST, "/", "tagging").unwrap_err();
        assert_eq!(post.status, 405);
        let oss = route("DELETE", "127.0.0.1", "/b", "tagging=k1,k2").unwrap();
        assert_eq!(
            (oss.provider, oss.call),
            (Provider::Oss, Call::Bucket(BucketCall::DeleteTagging))
        );
    }

    #[test]
    fn writes_without_an_id_and_unknown_methods_are_refused() {
        let put = route("PUT", COS_HOST, "/", "inventory").unwrap_err();
        assert_eq!((put.status, put.code), (400, "InvalidArgument"));
        let head = route("HEAD", COS_HOST, "/", "inventory").unwrap_err();
        assert_eq!((head.status, head.code), (405, "MethodNotAllowed"));
        let post = route("POST", COS_HOST, "/", "inventory").unwrap_err();
        assert_eq!((post.status, post.code), (501, "NotImplemented"));
        let oss_post = route("POST", "127.0.0.1", "/b", "inventory").unwrap_err();
        assert_eq!((oss_post.status, oss_post.code), (405, "MethodNotAllowed"));
    }

    #[test]
    fn each_dialect_words_shared_failures_as_its_service_does() {
        let words = |provider: Provider, failure: Failure| {
            let error = of(provider).unwrap().error(&failure);
            (error.status, error.code)
        };
        for (provider, digest, throttled) in [
            (Provider::Cos, "BadDigest", "SlowDown"),
            (
                Provider::Oss,
                "InvalidDigest",
                "MetaOperationQpsLimitExceeded",
            ),
            (Provider::S3, "BadDigest", "SlowDown"),
        ] {
            assert_eq!(
                words(provider, Failure::DigestMismatch),
                (400, digest.to_string())
            );
            assert_eq!(
                words(provider, Failure::Throttled),
                (503, throttled.to_string())
            );
        }
        let oss = of(Provider::Oss).unwrap().error(&Failure::DigestMismatch);
        assert_eq!(oss.ec, "0017-00000503");
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn routing_arbitrary_requests_never_panics(
            method in "[A-Z]{0,7}",
            host in "[ -~]{0,40}",
            path in "[ -~]{0,40}",
            query in "[ -~]{0,60}",
            sigv4 in any::<bool>(),
        ) {
            let _ = route_as(&method, &host, &path, &query, sigv4);
        }
    }
}
