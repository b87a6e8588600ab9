//! The OSS inventory client: signs each attempt, sends it through the shared transport and
//! reads the answer.
//!
//! The wire form of each call is built by [`super::request`] (path style for IP and
//! `localhost` endpoints, `Content-Type` and `Content-MD5` on PUT, `x-oss-security-token` with
//! temporary credentials) and answers are read by [`super::response`], whose documentation
//! lists the status rules (notably: LIST answered 404 `NoSuchInventory` is an empty list).

use std::sync::Arc;
use std::time::SystemTime;

use url::Url;

use super::request::{self, InventoryCall, SignatureVersion, SignedRequest, Target};
use super::response::{self, Failure};
use super::xml;
use crate::model::{BucketKey, Inventory, LiveConfig, Provider};
use crate::provider::endpoint_policy::{self, EndpointError};
use crate::provider::http::{RawResponse, Transport};
use crate::provider::rate_limit::RateKey;
use crate::provider::{CredentialSource, Credentials, InventoryApi, Operation, ProviderError};

/// The time source used to sign requests; injectable so tests can pin it.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A LIST that has not ended after this many pages is a server fault, not a long list: OSS
/// allows 1,000 configurations per bucket, i.e. 10 pages of 100.
const MAX_LIST_PAGES: usize = 1_000;

const USER_AGENT: &str = concat!("invsync/", env!("CARGO_PKG_VERSION"));

/// Client of the OSS bucket inventory API, implementing [`InventoryApi`].
///
/// Every call asks the [`CredentialSource`] for credentials, and every attempt is signed afresh
/// with the time of the clock, so rotated keys and retries after a pause both sign correctly.
#[derive(Clone)]
pub struct OssClient {
    transport: Transport,
    credentials: Arc<dyn CredentialSource>,
    signature_version: SignatureVersion,
    endpoint: Option<Url>,
    clock: Clock,
}

impl std::fmt::Debug for OssClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OssClient")
            .field("signature_version", &self.signature_version)
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str))
            .finish_non_exhaustive()
    }
}

impl OssClient {
    /// A client of the public OSS endpoints (`https://{bucket}.oss-{region}.aliyuncs.com`),
    /// signing with V4 and the system clock.
    pub fn new(transport: Transport, credentials: Arc<dyn CredentialSource>) -> Self {
        OssClient {
            transport,
            credentials,
            signature_version: SignatureVersion::V4,
            endpoint: None,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// The same client signing with `version`.
    pub fn with_signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = version;
        self
    }

    /// The same client sending to `endpoint` instead of the public endpoints (plain `http`
    /// allowed, since it is explicit). Path style when its host is an IP address or
    /// `localhost`, virtual-hosted otherwise (see [`super::endpoint::bucket_url`]).
    ///
    /// # Errors
    /// When the endpoint is not `http(s)://host[:port][/]`.
    pub fn with_endpoint(mut self, endpoint: Url) -> Result<Self, EndpointError> {
        self.endpoint = Some(endpoint_policy::validate_endpoint(endpoint)?);
        Ok(self)
    }

    /// The same client signing with the time `clock` gives.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn signature_version(&self) -> SignatureVersion {
        self.signature_version
    }

    pub fn endpoint(&self) -> Option<&Url> {
        self.endpoint.as_ref()
    }

    /// Signs `call` for this attempt.
    fn sign(
        &self,
        bucket: &BucketKey,
        call: &InventoryCall<'_>,
        credentials: &Credentials,
    ) -> Result<SignedRequest, String> {
        let target = Target {
            bucket: &bucket.bucket,
            region: &bucket.region,
            endpoint: self.endpoint.as_ref(),
        };
        request::sign(
            call,
            target,
            self.signature_version,
            credentials,
            (self.clock)(),
        )
        .map_err(|e| e.to_string())
    }

    /// Sends `call` with the transport's retries, re-signing each attempt.
    async fn send(
        &self,
        operation: Operation,
        bucket: &BucketKey,
        call: InventoryCall<'_>,
    ) -> Result<RawResponse, ProviderError> {
        check_provider(bucket).map_err(|message| request_error(operation, bucket, message))?;
        let credentials =
            self.credentials.credentials().await.map_err(|e| {
                request_error(operation, bucket, format!("no OSS credentials: {e}"))
            })?;
        // The transport's contract: `build` fails with the error to return as is.
        let build = || {
            self.sign(bucket, &call, &credentials)
                .and_then(to_reqwest)
                .map_err(|message| request_error(operation, bucket, message))
        };
        let rate_key = Some(RateKey::for_bucket(&credentials, bucket));
        self.transport
            .send_limited(
                rate_key.as_ref(),
                Provider::Oss,
                operation,
                &bucket.bucket,
                build,
            )
            .await
    }

    async fn list_all(&self, bucket: &BucketKey) -> Result<Vec<LiveConfig>, ProviderError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_LIST_PAGES {
            let call = InventoryCall::List {
                continuation_token: token.as_deref(),
            };
            let raw = self.send(Operation::List, bucket, call).await?;
            let page = response::list_page(raw.status, &raw.headers, &raw.body)
                .map_err(|f| failure(Operation::List, bucket, f))?;
            items.extend(page.items);
            match page.next_token {
                None => return Ok(items),
                Some(next) if token.as_deref() == Some(next.as_str()) => {
                    return Err(decode_error(
                        Operation::List,
                        bucket,
                        "the service returned the same continuation token twice".into(),
                    ));
                }
                Some(next) => token = Some(next),
            }
        }
        Err(decode_error(
            Operation::List,
            bucket,
            format!("listing did not end after {MAX_LIST_PAGES} pages"),
        ))
    }
}

impl InventoryApi for OssClient {
    async fn list(&self, bucket: &BucketKey) -> Result<Vec<LiveConfig>, ProviderError> {
        self.list_all(bucket).await
    }

    async fn get(&self, bucket: &BucketKey, id: &str) -> Result<Option<LiveConfig>, ProviderError> {
        let raw = self
            .send(Operation::Get, bucket, InventoryCall::Get { id })
            .await?;
        response::get(raw.status, &raw.headers, &raw.body)
            .map_err(|f| failure(Operation::Get, bucket, f))
    }

    async fn put(&self, bucket: &BucketKey, inventory: &Inventory) -> Result<(), ProviderError> {
        let Inventory::Oss(inventory) = inventory else {
            return Err(request_error(
                Operation::Put,
                bucket,
                format!(
                    "configuration `{}` is a {} configuration, not an OSS one",
                    inventory.id(),
                    inventory.provider()
                ),
            ));
        };
        let body = xml::InventoryConfiguration::from(inventory).to_xml();
        let call = InventoryCall::Put {
            id: &inventory.id,
            body: &body,
        };
        let raw = self.send(Operation::Put, bucket, call).await?;
        response::put(raw.status, &raw.headers, &raw.body)
            .map_err(|f| failure(Operation::Put, bucket, f))
    }

    async fn delete(&self, bucket: &BucketKey, id: &str) -> Result<(), ProviderError> {
        let raw = self
            .send(Operation::Delete, bucket, InventoryCall::Delete { id })
            .await?;
        response::delete(raw.status, &raw.headers, &raw.body)
            .map_err(|f| failure(Operation::Delete, bucket, f))
    }
}

fn check_provider(bucket: &BucketKey) -> Result<(), String> {
    if bucket.provider == Provider::Oss {
        Ok(())
    } else {
        Err(format!(
            "bucket is a {} bucket, not an OSS one",
            bucket.provider
        ))
    }
}

/// The signed request in reqwest's form. Header values were built from validated parts, but a
/// credential with a control character would not be a valid header: that is reported without
/// naming the value.
fn to_reqwest(signed: SignedRequest) -> Result<reqwest::Request, String> {
    let method = reqwest::Method::from_bytes(signed.method.as_bytes())
        .map_err(|_| format!("invalid method {}", signed.method))?;
    let mut req = reqwest::Request::new(method, signed.url);
    // Not signed by either version, so it is added here rather than in `request::sign`.
    req.headers_mut().insert(
        reqwest::header::USER_AGENT,
        reqwest::header::HeaderValue::from_static(USER_AGENT),
    );
    for (name, value) in &signed.headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name {name}"))?;
        let value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| format!("header {name} would not be a valid HTTP header value"))?;
        req.headers_mut().append(name, value);
    }
    if !signed.body.is_empty() {
        *req.body_mut() = Some(signed.body.into());
    }
    Ok(req)
}

fn request_error(operation: Operation, bucket: &BucketKey, message: String) -> ProviderError {
    ProviderError::Request {
        provider: Provider::Oss,
        operation,
        bucket: bucket.bucket.clone(),
        message,
        source: None,
    }
}

fn decode_error(operation: Operation, bucket: &BucketKey, message: String) -> ProviderError {
    ProviderError::Decode {
        provider: Provider::Oss,
        operation,
        bucket: bucket.bucket.clone(),
        message,
        source: None,
    }
}

fn failure(operation: Operation, bucket: &BucketKey, failure: Failure) -> ProviderError {
    match failure {
        Failure::Service(error) => ProviderError::Service {
            provider: Provider::Oss,
            operation,
            bucket: bucket.bucket.clone(),
            error: Box::new(error),
        },
        Failure::Decode(message) => decode_error(operation, bucket, message),
    }
}
