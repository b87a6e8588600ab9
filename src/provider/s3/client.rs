//! The S3 inventory client: signs each attempt with SigV4, sends it through the shared
//! transport and reads the answer.
//!
//! The wire form of each call is built by [`super::request`] (virtual-hosted by default, path
//! style for IP, `localhost` and `forcePathStyle` endpoints, `x-amz-expected-bucket-owner` on
//! every request when set) and answers are read by [`super::response`], whose documentation
//! lists the status rules. A LIST costs ⌈n/100⌉ calls. Retries (transport errors, 5xx, 429 —
//! S3's `SlowDown` is a 503) are the transport's; other 4xx answers are returned at once.

use std::sync::Arc;
use std::time::SystemTime;

use url::Url;

use super::endpoint::Addressing;
use super::manifest::S3BucketOptions;
use super::request::{self, InventoryCall, SignedRequest, Target};
use super::response::{self, Failure};
use super::xml;
use crate::model::{BucketKey, Inventory, LiveConfig, Provider};
use crate::provider::endpoint_policy::{self, EndpointError};
use crate::provider::http::{RawResponse, Transport};
use crate::provider::rate_limit::RateKey;
use crate::provider::{CredentialSource, Credentials, InventoryApi, Operation, ProviderError};

/// The time source used to sign requests; injectable so tests can pin it.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A LIST that has not ended after this many pages is a server fault, not a long list: S3
/// allows 1,000 configurations per bucket, i.e. 10 pages of 100.
const MAX_LIST_PAGES: usize = 1_000;

const USER_AGENT: &str = concat!("invsync/", env!("CARGO_PKG_VERSION"));

/// Client of the S3 bucket inventory API, implementing [`InventoryApi`].
///
/// Credentials are asked of the [`CredentialSource`] once per call (it caches and refreshes
/// them); every attempt of the call is signed afresh with the clock's time.
#[derive(Clone)]
pub struct S3Client {
    transport: Transport,
    credentials: Arc<dyn CredentialSource>,
    endpoint: Option<Url>,
    options: S3BucketOptions,
    clock: Clock,
}

impl std::fmt::Debug for S3Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Client")
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str))
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl S3Client {
    /// A client of the public S3 endpoints (`https://{bucket}.s3.{region}.amazonaws.com`),
    /// signing with the system clock.
    pub fn new(transport: Transport, credentials: Arc<dyn CredentialSource>) -> Self {
        S3Client {
            transport,
            credentials,
            endpoint: None,
            options: S3BucketOptions::default(),
            clock: Arc::new(SystemTime::now),
        }
    }

    /// The same client sending to `endpoint` instead of the public endpoints (plain `http`
    /// allowed, since it is explicit).
    ///
    /// # Errors
    /// When the endpoint is not `http(s)://host[:port][/]`.
    pub fn with_endpoint(mut self, endpoint: Url) -> Result<Self, EndpointError> {
        self.endpoint = Some(endpoint_policy::validate_endpoint(endpoint)?);
        Ok(self)
    }

    /// The same client with the bucket's `expectedBucketOwner` and `forcePathStyle`.
    pub fn with_options(mut self, options: S3BucketOptions) -> Self {
        self.options = options;
        self
    }

    /// The same client signing with the time `clock` gives.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
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
            addressing: Addressing {
                endpoint: self.endpoint.as_ref(),
                force_path_style: self.options.force_path_style,
            },
            expected_bucket_owner: self.options.expected_bucket_owner.as_deref(),
        };
        request::sign(call, target, credentials, (self.clock)()).map_err(|e| e.to_string())
    }

    /// Sends `call` with the transport's retries, re-signing each attempt.
    async fn send(
        &self,
        operation: Operation,
        bucket: &BucketKey,
        call: InventoryCall<'_>,
    ) -> Result<RawResponse, ProviderError> {
        check_provider(bucket).map_err(|message| request_error(operation, bucket, message))?;
        let credentials = self
            .credentials
            .credentials()
            .await
            .map_err(|e| request_error(operation, bucket, e))?;
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
                Provider::S3,
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

impl InventoryApi for S3Client {
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
        let Inventory::S3(inventory) = inventory else {
            return Err(request_error(
                Operation::Put,
                bucket,
                format!(
                    "configuration `{}` is a {} configuration, not an S3 one",
                    inventory.id(),
                    inventory.provider()
                ),
            ));
        };
        let body = xml::to_string(&xml::InventoryConfiguration::from(inventory))
            .map_err(|e| request_error(Operation::Put, bucket, e.to_string()))?;
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
    if bucket.provider == Provider::S3 {
        Ok(())
    } else {
        Err(format!(
            "bucket is a {} bucket, not an S3 one",
            bucket.provider
        ))
    }
}

/// The signed request in reqwest's form. A credential with a control character would not be a
/// valid header: that is reported without naming the value.
fn to_reqwest(signed: SignedRequest) -> Result<reqwest::Request, String> {
    let method = reqwest::Method::from_bytes(signed.method.as_bytes())
        .map_err(|_| format!("invalid method {}", signed.method))?;
    let mut req = reqwest::Request::new(method, signed.url);
    // Not signed (SigV4 leaves User-Agent out), so it is added here.
    req.headers_mut().insert(
        reqwest::header::USER_AGENT,
        reqwest::header::HeaderValue::from_static(USER_AGENT),
    );
    for (name, value) in &signed.headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name {name}"))?;
        let mut value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| format!("header {name} would not be a valid HTTP header value"))?;
        if name == reqwest::header::AUTHORIZATION || name.as_str() == "x-amz-security-token" {
            value.set_sensitive(true);
        }
        req.headers_mut().append(name, value);
    }
    if !signed.body.is_empty() {
        *req.body_mut() = Some(signed.body.into());
    }
    Ok(req)
}

fn request_error(operation: Operation, bucket: &BucketKey, message: String) -> ProviderError {
    ProviderError::Request {
        provider: Provider::S3,
        operation,
        bucket: bucket.bucket.clone(),
        message,
        source: None,
    }
}

fn decode_error(operation: Operation, bucket: &BucketKey, message: String) -> ProviderError {
    ProviderError::Decode {
        provider: Provider::S3,
        operation,
        bucket: bucket.bucket.clone(),
        message,
        source: None,
    }
}

fn failure(operation: Operation, bucket: &BucketKey, failure: Failure) -> ProviderError {
    match failure {
        Failure::Service(error) => ProviderError::Service {
            provider: Provider::S3,
            operation,
            bucket: bucket.bucket.clone(),
            error: Box::new(error),
        },
        Failure::Decode(message) => decode_error(operation, bucket, message),
    }
}
