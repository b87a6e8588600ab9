//! Builds one signed COS inventory request as plain data (method, URL, headers, body).
//!
//! Pure: the time and the credentials come in as arguments, so every attempt of a request can
//! be rebuilt and re-signed, and tests can check the exact wire form
//! (`reference/cos-api.md` §1, §2, §4):
//! - `GET /?inventory[&continuation-token=…]`, `GET|PUT|DELETE /?inventory&id=…`; the
//!   `inventory` sub-resource always first, because COS routes on the first parameter.
//! - `Host: {bucket}.cos.{region}.myqcloud.com` on every request, whatever the endpoint; it is
//!   signed exactly as sent (no port). `GET Service` (the bucket listing) has the service host
//!   instead ([`endpoint::service_host`]); `GET /?tagging` reads a bucket's tags.
//! - PUT carries `Content-Type: application/xml`, `Content-MD5` and `Content-Length`, all
//!   signed, as GO does; temporary credentials add a signed `x-cos-security-token`; retries
//!   add a signed `x-cos-sdk-retry: true`, as every official SDK does.
//! - KeyTime is `now ± 5 min` ([`crate::provider::signing_window`]).

use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::{Digest, Md5};

use url::Url;

use super::endpoint;
use super::signer::{self, KeyTime, SignInput};
use crate::provider::Credentials;
use crate::provider::endpoint_policy::EndpointError;
use crate::provider::signing_window::{CLOCK_SKEW, MAX_SIGNATURE_LIFETIME};

pub use crate::provider::request::{Headers, InventoryCall, SignedRequest, Target};

/// Which attempt of a call is signed: retries say so in a signed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The first attempt: no retry header.
    First,
    /// Any later attempt: adds and signs `x-cos-sdk-retry: true`.
    Retry,
}

impl Attempt {
    /// `First` for attempt 0, `Retry` after.
    pub(crate) fn from_number(number: u32) -> Self {
        if number == 0 {
            Attempt::First
        } else {
            Attempt::Retry
        }
    }
}

/// The query parameter that names the configuration.
pub(crate) const ID_PARAM: &str = "id";

/// `inventory` first (COS routes on the first parameter), then the rest in the given order;
/// a parameter with an empty value is written bare (`?inventory`), as GO and NODE do.
fn query_string(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                signer::encode(k)
            } else {
                format!("{}={}", signer::encode(k), signer::encode(v))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Builds and signs `call` for `target` at `now`: [`build`], then the headers [`authorize`]
/// adds.
///
/// # Errors
/// As [`build`].
pub fn sign(
    call: &InventoryCall<'_>,
    target: Target<'_>,
    attempt: Attempt,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<SignedRequest, EndpointError> {
    let request = build(call, target, attempt, credentials)?;
    let added = authorize(&request, call, credentials, now);
    Ok(request.with_headers(added))
}

/// The unsigned form of `call` for `target`: URL, every header the signature covers, body.
///
/// # Errors
/// When the bucket and region do not form a valid host name (only without an endpoint).
pub fn build(
    call: &InventoryCall<'_>,
    target: Target<'_>,
    attempt: Attempt,
    credentials: &Credentials,
) -> Result<SignedRequest, EndpointError> {
    let host = if call.is_service_call() {
        endpoint::service_host(target.region)
    } else {
        endpoint::virtual_host(target.bucket, target.region)
    };
    let mut url = match target.endpoint {
        Some(endpoint) => endpoint.clone(),
        None if call.is_service_call() => {
            Url::parse(&format!("https://{host}/")).map_err(|_| EndpointError::NotAUrl)?
        }
        None => endpoint::default_endpoint(target.bucket, target.region)?,
    };
    url.set_path("/");
    let mut url = crate::provider::request::with_object_key(url, call.object_key());
    let query = call.query(ID_PARAM);
    url.set_query((!query.is_empty()).then(|| query_string(&query)).as_deref());

    let body = call.body();
    let mut headers: Vec<(String, String)> = vec![("host".into(), host)];
    if let InventoryCall::Put { .. } = call {
        headers.push(("content-type".into(), "application/xml".into()));
        headers.push(("content-md5".into(), BASE64.encode(Md5::digest(body))));
        headers.push(("content-length".into(), body.len().to_string()));
    }
    if let Some(token) = &credentials.security_token {
        headers.push(("x-cos-security-token".into(), token.expose().to_string()));
    }
    if attempt == Attempt::Retry {
        headers.push(("x-cos-sdk-retry".into(), "true".into()));
    }
    Ok(SignedRequest::unsigned(call, url, headers))
}

/// What signing `request` (built by [`build`] from `call`) at `now` adds: the
/// `authorization` header over every header it has.
pub(crate) fn authorize(
    request: &SignedRequest,
    call: &InventoryCall<'_>,
    credentials: &Credentials,
    now: SystemTime,
) -> Headers {
    let path = format!("/{}", call.object_key());
    let signed = signer::sign(
        &SignInput {
            method: request.method,
            path: &path,
            params: &call.query(ID_PARAM),
            headers: &request.header_pairs(),
            key_time: KeyTime::around(now, CLOCK_SKEW, MAX_SIGNATURE_LIFETIME),
        },
        credentials,
    );
    vec![("authorization".into(), signed.authorization)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};
    use url::Url;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    fn target(endpoint: Option<&Url>) -> Target<'_> {
        Target {
            bucket: "examplebucket-1250000000",
            region: "ap-guangzhou",
            endpoint,
        }
    }

    fn header<'a>(req: &'a SignedRequest, name: &str) -> Option<&'a str> {
        req.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn credentials() -> Credentials {
        Credentials::new("AKIDEXAMPLE", "secret")
    }

    #[test]
    fn query_puts_inventory_first_and_encodes_tokens() {
        assert_eq!(
            query_string(&InventoryCall::Get { id: "list1" }.query(ID_PARAM)),
            "inventory&id=list1"
        );
        assert_eq!(
            query_string(
                &InventoryCall::List {
                    continuation_token: Some("1ueSDF/XDA+b=")
                }
                .query(ID_PARAM)
            ),
            "inventory&continuation-token=1ueSDF%2FXDA%2Bb%3D"
        );
    }

    #[test]
    fn a_get_goes_to_the_virtual_host_and_signs_only_host() {
        let req = sign(
            &InventoryCall::Get { id: "list1" },
            target(None),
            Attempt::First,
            &credentials(),
            now(),
        )
        .unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(
            req.url.as_str(),
            "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/?inventory&id=list1"
        );
        let authorization = header(&req, "authorization").unwrap();
        assert!(
            authorization.starts_with(
                "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1699999700;1700000300\
                 &q-key-time=1699999700;1700000300&q-header-list=host\
                 &q-url-param-list=id;inventory&q-signature="
            ),
            "{authorization}"
        );
        assert!(req.body.is_empty());
    }

    #[test]
    fn an_object_read_sends_the_key_encoded_and_signs_it_decoded() {
        let call = InventoryCall::GetObject {
            key: "cos-inv/1250000000/examplebucket/list1/20261208/a b.json",
        };
        let req = sign(&call, target(None), Attempt::First, &credentials(), now()).unwrap();
        assert_eq!(
            req.url.as_str(),
            "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/cos-inv/1250000000/examplebucket/list1/20261208/a%20b.json"
        );
        let unsigned = build(&call, target(None), Attempt::First, &credentials()).unwrap();
        let expected = signer::sign(
            &SignInput {
                method: "GET",
                path: "/cos-inv/1250000000/examplebucket/list1/20261208/a b.json",
                params: &[],
                headers: &unsigned.header_pairs(),
                key_time: KeyTime::around(now(), CLOCK_SKEW, MAX_SIGNATURE_LIFETIME),
            },
            &credentials(),
        );
        assert_eq!(
            header(&req, "authorization"),
            Some(expected.authorization.as_str())
        );
    }

    #[test]
    fn a_listing_and_a_policy_read_carry_their_parameters() {
        let params = [("prefix", "inv/"), ("delimiter", "/"), ("max-keys", "1000")];
        let list = sign(
            &InventoryCall::ListObjects { params: &params },
            target(None),
            Attempt::First,
            &credentials(),
            now(),
        )
        .unwrap();
        assert_eq!(
            list.url.as_str(),
            "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/?prefix=inv%2F&delimiter=%2F&max-keys=1000"
        );
        let policy = sign(
            &InventoryCall::GetBucketPolicy,
            target(None),
            Attempt::First,
            &credentials(),
            now(),
        )
        .unwrap();
        assert!(policy.url.as_str().ends_with(".myqcloud.com/?policy"));
    }

    #[test]
    fn an_endpoint_changes_where_the_request_goes_but_not_its_host() {
        let endpoint = Url::parse("http://127.0.0.1:9000/").unwrap();
        let req = sign(
            &InventoryCall::Delete { id: "a" },
            target(Some(&endpoint)),
            Attempt::First,
            &credentials(),
            now(),
        )
        .unwrap();
        assert_eq!(req.url.as_str(), "http://127.0.0.1:9000/?inventory&id=a");
        assert_eq!(
            header(&req, "host"),
            Some("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com")
        );
    }

    #[test]
    fn a_retried_put_with_a_token_signs_body_headers_token_and_retry_flag() {
        let body = "<InventoryConfiguration><Id>a</Id></InventoryConfiguration>";
        let req = sign(
            &InventoryCall::Put { id: "a", body },
            target(None),
            Attempt::Retry,
            &credentials().with_security_token("tok"),
            now(),
        )
        .unwrap();
        assert_eq!(header(&req, "content-type"), Some("application/xml"));
        assert_eq!(
            header(&req, "content-md5"),
            Some(BASE64.encode(Md5::digest(body)).as_str())
        );
        assert_eq!(header(&req, "content-length"), Some("59"));
        assert_eq!(header(&req, "x-cos-security-token"), Some("tok"));
        assert_eq!(header(&req, "x-cos-sdk-retry"), Some("true"));
        assert!(header(&req, "authorization").unwrap().contains(
            "&q-header-list=content-length;content-md5;content-type;host;x-cos-sdk-retry;\
                 x-cos-security-token&"
        ));
        assert_eq!(req.body, body.as_bytes());
    }

    #[test]
    fn the_signature_verifies_against_the_signer() {
        let req = sign(
            &InventoryCall::List {
                continuation_token: None,
            },
            target(None),
            Attempt::First,
            &credentials(),
            now(),
        )
        .unwrap();
        let expected = signer::sign_with_key(
            &SignInput {
                method: "GET",
                path: "/",
                params: &[("inventory", "")],
                headers: &[(
                    "host",
                    "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
                )],
                key_time: KeyTime::new(1_699_999_700, 1_700_000_300),
            },
            "AKIDEXAMPLE",
            "secret",
        );
        assert_eq!(
            header(&req, "authorization"),
            Some(expected.authorization.as_str())
        );
    }
}
