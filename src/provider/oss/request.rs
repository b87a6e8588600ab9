//! Builds one signed OSS inventory request as plain data (method, URL, headers, body).
//!
//! Pure: the time and the credentials come in as arguments, so every attempt of a request can
//! be rebuilt and re-signed, and tests can check the exact wire form.

use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::{Digest, Md5};

use super::encoding::encode_query;
use super::endpoint::{BucketUrlError, bucket_url, service_url};
use super::{date, signer_v1, signer_v4};
use crate::provider::Credentials;
pub use crate::provider::client_settings::SignatureVersion;
pub use crate::provider::request::{Headers, InventoryCall, SignedRequest, Target};

/// The query parameter that names the configuration.
pub(crate) const ID_PARAM: &str = "inventoryId";

/// `base64(md5(body))`, the `Content-MD5` header value.
pub fn content_md5(body: &[u8]) -> String {
    BASE64.encode(Md5::digest(body))
}

/// Builds and signs `call` for `target` at `now`: [`build`], then the header [`authorize`]
/// adds.
///
/// # Errors
/// As [`build`].
pub fn sign(
    call: &InventoryCall<'_>,
    target: Target<'_>,
    version: SignatureVersion,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<SignedRequest, BucketUrlError> {
    let request = build(call, target, version, credentials, now)?;
    let added = authorize(&request, call, target, version, credentials, now);
    Ok(request.with_headers(added))
}

/// The unsigned form of `call` for `target` at `now`.
///
/// Headers: `Date` always; `Content-Type: application/xml` and `Content-MD5` on PUT only (as
/// oss2 does; both are signed when present); V4 adds `x-oss-date` and
/// `x-oss-content-sha256: UNSIGNED-PAYLOAD`; `x-oss-security-token` with temporary
/// credentials (signed by both versions).
///
/// # Errors
/// When the bucket, region or endpoint do not form a valid URL.
pub fn build(
    call: &InventoryCall<'_>,
    target: Target<'_>,
    version: SignatureVersion,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<SignedRequest, BucketUrlError> {
    let mut url = if call.is_service_call() {
        service_url(target.region, target.endpoint)?
    } else {
        let url = bucket_url(target.bucket, target.region, target.endpoint)?.0;
        crate::provider::request::with_object_key(url, call.object_key())
    };
    let query = call.query(ID_PARAM);
    url.set_query((!query.is_empty()).then(|| encode_query(&query)).as_deref());

    let body = call.body();
    let mut headers: Vec<(String, String)> = vec![("Date".into(), date::http_date(now))];
    if let InventoryCall::Put { .. } = call {
        headers.push(("Content-Type".into(), "application/xml".into()));
        headers.push(("Content-MD5".into(), content_md5(body.as_bytes())));
    }
    if version == SignatureVersion::V4 {
        headers.push(("x-oss-date".into(), date::iso8601_basic(now)));
        headers.push((
            "x-oss-content-sha256".into(),
            signer_v4::UNSIGNED_PAYLOAD.into(),
        ));
    }
    if let Some(token) = &credentials.security_token {
        headers.push(("x-oss-security-token".into(), token.expose().to_string()));
    }
    Ok(SignedRequest::unsigned(call, url, headers))
}

/// What signing `request` (built by [`build`] from `call`) with `version` at `now` adds: the
/// `Authorization` header.
pub(crate) fn authorize(
    request: &SignedRequest,
    call: &InventoryCall<'_>,
    target: Target<'_>,
    version: SignatureVersion,
    credentials: &Credentials,
    now: SystemTime,
) -> Headers {
    let query = call.query(ID_PARAM);
    let headers = request.header_pairs();
    let secret = credentials.access_key_secret.expose();
    let authorization = match version {
        SignatureVersion::V1 => signer_v1::authorization(
            &credentials.access_key_id,
            secret,
            &signer_v1::V1Request {
                method: request.method,
                bucket: target.bucket,
                key: call.object_key(),
                query: &query,
                headers: &headers,
            },
        ),
        SignatureVersion::V4 => signer_v4::authorization(
            &credentials.access_key_id,
            secret,
            target.region,
            &date::iso8601_basic(now),
            &signer_v4::V4Request {
                method: request.method,
                bucket: target.bucket,
                key: call.object_key(),
                query: &query,
                headers: &headers,
                additional_headers: &[],
            },
        ),
    };
    vec![("Authorization".into(), authorization)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};
    use url::Url;

    /// 2022-12-28T10:27:41Z, the instant of the inventory signature vectors.
    fn vector_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_672_223_261)
    }

    fn target() -> Target<'static> {
        Target {
            bucket: "examplebucket",
            region: "cn-hangzhou",
            endpoint: None,
        }
    }

    fn header<'a>(req: &'a SignedRequest, name: &str) -> Option<&'a str> {
        req.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn v1_get_matches_vector_a1() {
        let req = sign(
            &InventoryCall::Get { id: "list1" },
            target(),
            SignatureVersion::V1,
            &Credentials::new("ak", "sk"),
            vector_time(),
        )
        .unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(
            req.url.as_str(),
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/?inventory&inventoryId=list1"
        );
        assert_eq!(header(&req, "Date"), Some("Wed, 28 Dec 2022 10:27:41 GMT"));
        assert_eq!(
            header(&req, "Authorization"),
            Some("OSS ak:mGBG57VKEuS34yM/gEQ/FWEQRlg=")
        );
    }

    #[test]
    fn v1_put_matches_vector_a3() {
        let body = crate::provider::oss::xml::tests::VECTOR_BODY;
        let req = sign(
            &InventoryCall::Put {
                id: "report1",
                body,
            },
            target(),
            SignatureVersion::V1,
            &Credentials::new("ak", "sk"),
            vector_time(),
        )
        .unwrap();
        assert_eq!(
            header(&req, "Content-MD5"),
            Some("339LMh9sOLSrXfhVPoZhzw==")
        );
        assert_eq!(header(&req, "Content-Type"), Some("application/xml"));
        assert_eq!(
            header(&req, "Authorization"),
            Some("OSS ak:Hs70JQ6OULt6fFvP5qdDegM9c5I=")
        );
        assert_eq!(req.body, body.as_bytes());
    }

    #[test]
    fn v1_delete_with_token_matches_vector_a5() {
        let req = sign(
            &InventoryCall::Delete { id: "report1" },
            target(),
            SignatureVersion::V1,
            &Credentials::new("ak", "sk").with_security_token("token"),
            vector_time(),
        )
        .unwrap();
        assert_eq!(header(&req, "x-oss-security-token"), Some("token"));
        assert_eq!(
            header(&req, "Authorization"),
            Some("OSS ak:oRGF8eObO/tAQ2chhueZp1cfkeM=")
        );
    }

    #[test]
    fn v4_list_with_token_matches_vector_b3() {
        let req = sign(
            &InventoryCall::List {
                continuation_token: Some("tok/en+1="),
            },
            target(),
            SignatureVersion::V4,
            &Credentials::new("ak", "sk").with_security_token("token"),
            vector_time(),
        )
        .unwrap();
        assert_eq!(
            req.url.query(),
            Some("inventory&continuation-token=tok%2Fen%2B1%3D")
        );
        assert_eq!(header(&req, "x-oss-date"), Some("20221228T102741Z"));
        assert_eq!(
            header(&req, "Authorization"),
            Some(
                "OSS4-HMAC-SHA256 Credential=ak/20221228/cn-hangzhou/oss/aliyun_v4_request,\
                 Signature=8bbef6b2f8ab934d5b1defcbc62cd34c7f022a42fbb5814dd7d8b66dbf96346d"
            )
        );
    }

    #[test]
    fn v4_get_matches_vector_b4_and_put_matches_b2() {
        let creds = Credentials::new("ak", "sk");
        let get = sign(
            &InventoryCall::Get { id: "list1" },
            target(),
            SignatureVersion::V4,
            &creds,
            vector_time(),
        )
        .unwrap();
        assert!(header(&get, "Authorization").unwrap().ends_with(
            "Signature=b546ddf30e26425f62e950119a5c918b98ef890cc995b6871f801c36f2b8f45f"
        ));
        let put = sign(
            &InventoryCall::Put {
                id: "report1",
                body: crate::provider::oss::xml::tests::VECTOR_BODY,
            },
            target(),
            SignatureVersion::V4,
            &creds,
            vector_time(),
        )
        .unwrap();
        assert!(header(&put, "Authorization").unwrap().ends_with(
            "Signature=238826454b6f1b2d2099a7c028b6301fbf6b71d63bfb5a55139469f970aaac90"
        ));
    }

    #[test]
    fn path_style_endpoint_keeps_the_bucket_in_the_signature() {
        let endpoint = Url::parse("http://127.0.0.1:9000").unwrap();
        let req = sign(
            &InventoryCall::Get { id: "list1" },
            Target {
                endpoint: Some(&endpoint),
                ..target()
            },
            SignatureVersion::V1,
            &Credentials::new("ak", "sk"),
            vector_time(),
        )
        .unwrap();
        assert_eq!(
            req.url.as_str(),
            "http://127.0.0.1:9000/examplebucket/?inventory&inventoryId=list1"
        );
        assert_eq!(
            header(&req, "Authorization"),
            Some("OSS ak:mGBG57VKEuS34yM/gEQ/FWEQRlg=")
        );
    }

    #[test]
    fn an_object_read_is_path_style_on_an_ip_and_signs_the_decoded_key() {
        let endpoint = Url::parse("http://127.0.0.1:9000").unwrap();
        let req = sign(
            &InventoryCall::GetObject {
                key: "p/src/report1/2022-12-28T00-00Z/manifest json",
            },
            Target {
                endpoint: Some(&endpoint),
                ..target()
            },
            SignatureVersion::V1,
            &Credentials::new("ak", "sk"),
            vector_time(),
        )
        .unwrap();
        assert_eq!(
            req.url.as_str(),
            "http://127.0.0.1:9000/examplebucket/p/src/report1/2022-12-28T00-00Z/manifest%20json"
        );
        let string_to_sign = "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\n\
            /examplebucket/p/src/report1/2022-12-28T00-00Z/manifest json";
        assert_eq!(
            header(&req, "Authorization"),
            Some(format!("OSS ak:{}", signer_v1::signature("sk", string_to_sign)).as_str())
        );
    }

    #[test]
    fn a_policy_read_signs_the_policy_sub_resource_and_a_listing_none() {
        let policy = sign(
            &InventoryCall::GetBucketPolicy,
            target(),
            SignatureVersion::V1,
            &Credentials::new("ak", "sk"),
            vector_time(),
        )
        .unwrap();
        assert_eq!(
            policy.url.as_str(),
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/?policy"
        );
        let string_to_sign = "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\n/examplebucket/?policy";
        assert_eq!(
            header(&policy, "Authorization"),
            Some(format!("OSS ak:{}", signer_v1::signature("sk", string_to_sign)).as_str())
        );
        let params = [("prefix", "p/"), ("max-keys", "10")];
        let list = sign(
            &InventoryCall::ListObjects { params: &params },
            target(),
            SignatureVersion::V4,
            &Credentials::new("ak", "sk"),
            vector_time(),
        )
        .unwrap();
        assert_eq!(
            list.url.as_str(),
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/?prefix=p%2F&max-keys=10"
        );
    }

    #[test]
    fn debug_output_shows_no_header() {
        let req = sign(
            &InventoryCall::Delete { id: "report1" },
            target(),
            SignatureVersion::V4,
            &Credentials::new("ak", "sk").with_security_token("secret-token"),
            vector_time(),
        )
        .unwrap();
        let shown = format!("{req:?}");
        assert!(!shown.contains("secret-token"));
        assert!(!shown.contains("Signature="));
    }
}
