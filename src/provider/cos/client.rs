//! The COS inventory client: [`InventoryApi`] over signed HTTP.
//!
//! # Wire form (`reference/cos-api.md` §1, §2, §4)
//! - `GET /?inventory[&continuation-token=…]`, `GET|PUT|DELETE /?inventory&id=…`; the
//!   `inventory` sub-resource always first, because COS routes on the first parameter.
//! - `Host: {bucket}.cos.{region}.myqcloud.com` on every request, whatever the endpoint; it is
//!   signed exactly as sent (no port).
//! - PUT carries `Content-Type: application/xml`, `Content-MD5` and `Content-Length`, all
//!   signed, as GO does; temporary credentials add a signed `x-cos-security-token`; retries
//!   add a signed `x-cos-sdk-retry: true`, as every official SDK does.
//! - KeyTime is `now ± 5 min` ([`crate::provider::signing_window`]), recomputed for every
//!   attempt.
//!
//! # Status handling
//! - GET of a missing id (404) is `None`; DELETE of a missing id (404) is success: the
//!   configuration is gone either way. A 404 whose code is `NoSuchBucket` is always an error.
//! - LIST answered 404 with an inventory "not found" code is an empty list.
//! - Every other non-2xx is [`ProviderError::Service`] with COS's code, message and request id.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::SystemTime;

use base64::Engine;
use bytes::Bytes;
use md5::{Digest, Md5};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::endpoint;
use super::signer::{self, KeyTime, SignInput};
use super::xml;
use crate::model::{BucketKey, CosInventory, Inventory, LiveConfig, Provider};
use crate::provider::document::{ConfigReader, read_document};
use crate::provider::endpoint_policy::{self, EndpointError};
use crate::provider::http::{RawResponse, Transport};
use crate::provider::rate_limit::RateKey;
use crate::provider::signing_window::{CLOCK_SKEW, MAX_SIGNATURE_LIFETIME};
use crate::provider::{
    CredentialSource, Credentials, InventoryApi, Operation, ProviderError, ServiceError,
};

/// Reads the current time; injectable so tests can pin signatures.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A LIST that has not ended after this many pages is answered by a broken server
/// (COS holds at most 1000 configurations, 100 per page).
const MAX_LIST_PAGES: usize = 1000;

const USER_AGENT: &str = concat!("invsync/", env!("CARGO_PKG_VERSION"));

/// Client of the COS bucket inventory API. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct CosClient {
    transport: Transport,
    credentials: Arc<dyn CredentialSource>,
    endpoint: Option<Url>,
    clock: Clock,
}

impl std::fmt::Debug for CosClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CosClient")
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str))
            .finish_non_exhaustive()
    }
}

impl CosClient {
    /// A client of the public HTTPS endpoints, signing with the system clock.
    pub fn new(transport: Transport, credentials: Arc<dyn CredentialSource>) -> Self {
        CosClient {
            transport,
            credentials,
            endpoint: None,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// Sends every request to `endpoint` instead (plain `http` allowed, since it is explicit).
    ///
    /// # Errors
    /// When the endpoint is not `http(s)://host[:port][/]`.
    pub fn with_endpoint(mut self, endpoint: Url) -> Result<Self, EndpointError> {
        self.endpoint = Some(endpoint_policy::validate_endpoint(endpoint)?);
        Ok(self)
    }

    /// Signs with time from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The endpoint override, if any.
    pub fn endpoint(&self) -> Option<&Url> {
        self.endpoint.as_ref()
    }

    /// One LIST page; `token` is the previous page's `NextContinuationToken`.
    ///
    /// # Errors
    /// As [`InventoryApi::list`]; a 404 is returned as a `Service` error here.
    pub async fn list_page(
        &self,
        bucket: &BucketKey,
        token: Option<&str>,
    ) -> Result<ListPage, ProviderError> {
        let mut params = vec![("inventory", "")];
        if let Some(token) = token {
            params.push(("continuation-token", token));
        }
        let response = self
            .call(Operation::List, bucket, Method::GET, &params, None)
            .await?;
        if !response.is_success() {
            return Err(service_error(Operation::List, bucket, &response));
        }
        read_list_page(&response.body).map_err(|e| decode_error(Operation::List, bucket, e))
    }

    async fn call(
        &self,
        operation: Operation,
        bucket: &BucketKey,
        method: Method,
        params: &[(&str, &str)],
        body: Option<Bytes>,
    ) -> Result<RawResponse, ProviderError> {
        check_provider(operation, bucket)?;
        let attempts = AtomicU32::new(0);
        let credentials =
            self.credentials.credentials().await.map_err(|e| {
                request_error(operation, bucket, format!("no COS credentials: {e}"))
            })?;
        let rate_key = Some(RateKey::for_bucket(&credentials, bucket));
        self.transport
            .send_limited(
                rate_key.as_ref(),
                Provider::Cos,
                operation,
                &bucket.bucket,
                || {
                    let retry = attempts.fetch_add(1, Ordering::Relaxed) > 0;
                    let body = body.as_ref();
                    self.build(
                        operation,
                        bucket,
                        &method,
                        params,
                        body,
                        retry,
                        &credentials,
                    )
                },
            )
            .await
    }

    /// One signed request, built afresh for every attempt.
    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        operation: Operation,
        bucket: &BucketKey,
        method: &Method,
        params: &[(&str, &str)],
        body: Option<&Bytes>,
        retry: bool,
        credentials: &Credentials,
    ) -> Result<reqwest::Request, ProviderError> {
        let fail = |message: String| request_error(operation, bucket, message);
        let host = endpoint::virtual_host(&bucket.bucket, &bucket.region);
        let mut url = match &self.endpoint {
            Some(endpoint) => endpoint.clone(),
            None => endpoint::default_endpoint(&bucket.bucket, &bucket.region)
                .map_err(|e| fail(e.to_string()))?,
        };
        url.set_path("/");
        url.set_query(Some(&query_string(params)));

        let mut headers: Vec<(&'static str, String)> = vec![("host", host)];
        if let Some(body) = body {
            let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(body));
            headers.push(("content-type", "application/xml".to_string()));
            headers.push(("content-md5", md5));
            headers.push(("content-length", body.len().to_string()));
        }
        if let Some(token) = &credentials.security_token {
            headers.push(("x-cos-security-token", token.expose().to_string()));
        }
        if retry {
            headers.push(("x-cos-sdk-retry", "true".to_string()));
        }
        let signed_headers: Vec<(&str, &str)> =
            headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let signed = signer::sign(
            &SignInput {
                method: method.as_str(),
                path: "/",
                params,
                headers: &signed_headers,
                key_time: KeyTime::around((self.clock)(), CLOCK_SKEW, MAX_SIGNATURE_LIFETIME),
            },
            credentials,
        );

        let mut request = reqwest::Request::new(method.clone(), url);
        let map = request.headers_mut();
        for (name, value) in &headers {
            // Values are never echoed: the token is a secret and the rest is ours.
            let value = HeaderValue::from_str(value)
                .map_err(|_| fail(format!("header {name} has characters HTTP cannot carry")))?;
            map.insert(HeaderName::from_static(name), value);
        }
        let mut authorization = HeaderValue::from_str(&signed.authorization)
            .map_err(|_| fail("the access key id has characters HTTP cannot carry".into()))?;
        authorization.set_sensitive(true);
        map.insert(reqwest::header::AUTHORIZATION, authorization);
        map.insert(
            reqwest::header::USER_AGENT,
            HeaderValue::from_static(USER_AGENT),
        );
        if let Some(body) = body {
            *request.body_mut() = Some(reqwest::Body::from(body.clone()));
        }
        Ok(request)
    }
}

impl InventoryApi for CosClient {
    async fn list(&self, bucket: &BucketKey) -> Result<Vec<LiveConfig>, ProviderError> {
        let mut inventories = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_LIST_PAGES {
            let page = match self.list_page(bucket, token.as_deref()).await {
                Ok(page) => page,
                Err(e) if token.is_none() && is_inventory_not_found(&e) => return Ok(vec![]),
                Err(e) => return Err(e),
            };
            inventories.extend(page.items);
            if !page.truncated {
                return Ok(inventories);
            }
            match page.next_continuation_token {
                Some(next) if !next.is_empty() && token.as_deref() != Some(next.as_str()) => {
                    token = Some(next);
                }
                _ => {
                    return Err(decode_error(
                        Operation::List,
                        bucket,
                        "IsTruncated is true but NextContinuationToken is missing or repeated"
                            .into(),
                    ));
                }
            }
        }
        Err(decode_error(
            Operation::List,
            bucket,
            format!("LIST did not end after {MAX_LIST_PAGES} pages"),
        ))
    }

    async fn get(&self, bucket: &BucketKey, id: &str) -> Result<Option<LiveConfig>, ProviderError> {
        let params = [("inventory", ""), ("id", id)];
        let response = self
            .call(Operation::Get, bucket, Method::GET, &params, None)
            .await?;
        if response.status == 404 && !is_no_such_bucket(&response) {
            return Ok(None);
        }
        if !response.is_success() {
            return Err(service_error(Operation::Get, bucket, &response));
        }
        let doc = read_document(&response.body, "InventoryConfiguration")
            .map_err(|e| decode_error(Operation::Get, bucket, e.to_string()))?;
        Ok(Some(READER.read(doc.raw)))
    }

    async fn put(&self, bucket: &BucketKey, inventory: &Inventory) -> Result<(), ProviderError> {
        let Inventory::Cos(cos) = inventory else {
            return Err(request_error(
                Operation::Put,
                bucket,
                format!(
                    "configuration {} is a {} configuration, not a COS one",
                    inventory.id(),
                    inventory.provider()
                ),
            ));
        };
        let body = xml::to_string(&xml::InventoryConfiguration::from(cos))
            .map_err(|e| request_error(Operation::Put, bucket, e.to_string()))?;
        let params = [("inventory", ""), ("id", cos.id.as_str())];
        let response = self
            .call(
                Operation::Put,
                bucket,
                Method::PUT,
                &params,
                Some(Bytes::from(body)),
            )
            .await?;
        if !response.is_success() {
            return Err(service_error(Operation::Put, bucket, &response));
        }
        Ok(())
    }

    async fn delete(&self, bucket: &BucketKey, id: &str) -> Result<(), ProviderError> {
        let params = [("inventory", ""), ("id", id)];
        let response = self
            .call(Operation::Delete, bucket, Method::DELETE, &params, None)
            .await?;
        if response.is_success() || (response.status == 404 && !is_no_such_bucket(&response)) {
            return Ok(());
        }
        Err(service_error(Operation::Delete, bucket, &response))
    }
}

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

fn check_provider(operation: Operation, bucket: &BucketKey) -> Result<(), ProviderError> {
    if bucket.provider == Provider::Cos {
        Ok(())
    } else {
        Err(request_error(
            operation,
            bucket,
            format!("bucket is a {} bucket, not a COS one", bucket.provider),
        ))
    }
}

/// One page of a LIST, each configuration read on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    pub items: Vec<LiveConfig>,
    pub truncated: bool,
    pub next_continuation_token: Option<String>,
}

/// Reads one COS configuration: every element the wire types know, every value the model
/// holds, or foreign.
pub const READER: ConfigReader<'static> = ConfigReader {
    provider: Provider::Cos,
    known: xml::KNOWN_ELEMENTS,
    convert: convert_config,
};

fn convert_config(raw: &str) -> Result<Inventory, Vec<String>> {
    let wire: xml::InventoryConfiguration =
        xml::from_bytes(raw.as_bytes()).map_err(|e| vec![format!("(unreadable: {e})")])?;
    CosInventory::try_from(&wire)
        .map(Inventory::Cos)
        .map_err(|e| vec![e.unmodelled_path()])
}

/// Reads a 2xx LIST body: it must be a `ListInventoryConfigurationResult` (an HTML page, an
/// `<Error>` document, another root, an empty or a truncated body is an error).
fn read_list_page(body: &[u8]) -> Result<ListPage, String> {
    let doc = read_document(body, "ListInventoryConfigurationResult").map_err(|e| e.to_string())?;
    let items = doc
        .children_named("InventoryConfiguration")
        .map(|c| READER.read(c.raw))
        .collect();
    let truncated = match doc.text_of("IsTruncated") {
        // An empty COS bucket answers a list with `<IsTruncated>false</IsTruncated>`; a page
        // with neither configurations nor that flag is not an answer to trust as empty.
        None if doc
            .children_named("InventoryConfiguration")
            .next()
            .is_none() =>
        {
            return Err("a list without configurations and without IsTruncated".to_string());
        }
        None => false,
        Some(t) => {
            xml::parse_bool(&t).ok_or_else(|| format!("IsTruncated is `{t}`, not true or false"))?
        }
    };
    Ok(ListPage {
        items,
        truncated,
        next_continuation_token: doc.text_of("NextContinuationToken"),
    })
}

/// The COS `<Error>` of a non-2xx answer; request id from the body, else `x-cos-request-id`.
fn service_error(
    operation: Operation,
    bucket: &BucketKey,
    response: &RawResponse,
) -> ProviderError {
    let parsed = xml::from_bytes::<xml::Error>(&response.body).ok();
    let parsed = parsed.unwrap_or_default();
    let code = if parsed.code.is_empty() {
        fallback_code(response.status)
    } else {
        parsed.code
    };
    let message = if parsed.message.is_empty() {
        body_excerpt(&response.body)
    } else {
        parsed.message
    };
    let request_id = if parsed.request_id.is_empty() {
        header(&response.headers, "x-cos-request-id")
    } else {
        parsed.request_id
    };
    ProviderError::Service {
        provider: Provider::Cos,
        operation,
        bucket: bucket.bucket.clone(),
        error: Box::new(ServiceError {
            status: response.status,
            code,
            message,
            request_id,
            ec: String::new(),
        }),
    }
}

/// A code for answers that carry no COS `<Error>` (proxies, load balancers).
fn fallback_code(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|reason| reason.split_whitespace().collect::<String>())
        .unwrap_or_else(|| format!("HTTP{status}"))
}

/// The start of a non-XML error body, on one line.
fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.chars().take(200).collect()
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn error_code(response: &RawResponse) -> Option<String> {
    xml::from_bytes::<xml::Error>(&response.body)
        .ok()
        .map(|e| e.code)
}

fn is_no_such_bucket(response: &RawResponse) -> bool {
    error_code(response).is_some_and(|code| code == "NoSuchBucket")
}

/// A LIST 404 that says "no inventory configuration" rather than "no bucket" (real COS's
/// answer for a bucket without configurations is not documented).
fn is_inventory_not_found(error: &ProviderError) -> bool {
    error
        .service()
        .is_some_and(|e| e.status == 404 && e.code.contains("Inventory"))
}

fn request_error(operation: Operation, bucket: &BucketKey, message: String) -> ProviderError {
    ProviderError::Request {
        provider: Provider::Cos,
        operation,
        bucket: bucket.bucket.clone(),
        message,
        source: None,
    }
}

fn decode_error(operation: Operation, bucket: &BucketKey, message: String) -> ProviderError {
    ProviderError::Decode {
        provider: Provider::Cos,
        operation,
        bucket: bucket.bucket.clone(),
        message,
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_puts_inventory_first_and_encodes_tokens() {
        assert_eq!(
            query_string(&[("inventory", ""), ("id", "list1")]),
            "inventory&id=list1"
        );
        assert_eq!(
            query_string(&[("inventory", ""), ("continuation-token", "1ueSDF/XDA+b=")]),
            "inventory&continuation-token=1ueSDF%2FXDA%2Bb%3D"
        );
    }

    #[test]
    fn answers_without_cos_error_get_a_code_from_the_status() {
        assert_eq!(fallback_code(502), "BadGateway");
        assert_eq!(fallback_code(599), "HTTP599");
    }

    #[test]
    fn body_excerpts_are_one_bounded_line() {
        let body = format!("<html>\n  <body>{}</body></html>", "x".repeat(500));
        let excerpt = body_excerpt(body.as_bytes());
        assert!(!excerpt.contains('\n'));
        assert_eq!(excerpt.chars().count(), 200);
    }
}
