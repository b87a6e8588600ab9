//! The protocol core of the S3-family inventory APIs: one client for COS, OSS and S3, and the
//! [`Dialect`] each provider implements for what really differs.
//!
//! Modelled on object_store's `client/s3.rs` (one list API used by every S3-like store) and
//! `client/list.rs` (one paging loop). A call goes through the same steps for every provider,
//! each written once:
//! 1. build the request: [`Dialect::build`] from the
//!    [`crate::provider::request::InventoryCall`] (query, body) and its
//!    [`crate::provider::request::Target`];
//! 2. sign it: [`Dialect::authorize`], the provider's pure signer, returns the headers to add,
//!    once per attempt ([`Dialect::sign`] puts the two steps together);
//! 3. send and retry: [`crate::provider::send::send_signed`] over
//!    [`crate::provider::http::Transport`];
//! 4. page: [`crate::provider::paginate::list_all`], one token rule;
//! 5. read the answer: [`crate::provider::response`], one status rule, one LIST rule and one
//!    `<Error>` reader shaped by [`Dialect::ERRORS`].
//!
//! # Layout
//! - [`Dialect`]: what a provider folder declares (`cos/dialect.rs`, `oss/dialect.rs`,
//!   `s3/dialect.rs`).
//! - [`client`]: [`Client`], the one [`crate::provider::InventoryApi`] over signed HTTP.
//! - [`discovery`]: the same client as [`crate::provider::discovery::DiscoveryApi`]: the
//!   account's bucket listing and a bucket's tags, through the same steps.
//! - [`delivery`]: the same client as [`crate::provider::delivery::DeliveryApi`]: a
//!   destination bucket's objects and policy, through the same steps.

pub mod client;
pub mod delivery;
pub mod discovery;

use std::fmt::Debug;
use std::time::SystemTime;

pub use client::Client;

use reqwest::header::HeaderMap;

use crate::model::DiscoveredBucket;
use crate::model::{Inventory, LiveConfig, Provider};
use crate::provider::delivery::ObjectPage;
use crate::provider::delivery_response;
use crate::provider::discovery::BucketTags;
use crate::provider::discovery_response::{self, BucketListing};
use crate::provider::document::ConfigReader;
use crate::provider::paginate::{ListPage, Page};
use crate::provider::request::{Headers, InventoryCall, SignedRequest, Target};
use crate::provider::response::{self, ErrorShape, Failure};
use crate::provider::wire::XmlError;
use crate::provider::{BoxError, Credentials, ServiceError};

/// One attempt of a call, as the dialect builds and signs it.
#[derive(Clone, Copy)]
pub struct Attempt<'a> {
    /// What is called, with what it sends.
    pub call: &'a InventoryCall<'a>,
    /// The bucket, region and endpoint it goes to.
    pub target: Target<'a>,
    /// 0 for the first attempt, 1 for the first retry, …
    pub(crate) number: u32,
    /// The keys this attempt is signed with, fetched once per call.
    pub credentials: &'a Credentials,
    /// The signing time, read once per attempt.
    pub now: SystemTime,
}

/// What one S3-family provider does differently from the others; everything else is the
/// generic [`Client`]'s.
///
/// A dialect value holds what a client varies per bucket (OSS's signature version, S3's
/// `forcePathStyle` and expected owner); the constants are the provider's.
pub trait Dialect: Debug + Send + Sync + 'static {
    /// The provider this dialect speaks.
    const PROVIDER: Provider;
    /// The product's name in messages: `COS`, `OSS`, `S3` (the last word of its table entry's
    /// title).
    const TITLE: &'static str;
    /// Whose credentials messages name: `COS`, `OSS`, `AWS`.
    const CREDENTIALS_TITLE: &'static str;
    /// The root element of a LIST answer: `ListInventoryConfigurationResult` (COS),
    /// `ListInventoryConfigurationsResult` (OSS, S3).
    const LIST_ROOT: &'static str;
    /// Where an error answer keeps its request id (and EC), and what an answer without an
    /// `<Error>` body reads as.
    const ERRORS: ErrorShape;
    /// Reads one `<InventoryConfiguration>`: the provider's wire type and conversion.
    const READER: ConfigReader<'static>;
    /// How the account's bucket listing pages and names a bucket's region.
    const BUCKET_LISTING: BucketListing;

    /// True for the LIST error answer that means "the bucket has no configurations" (OSS's 404
    /// `NoSuchInventory`); it counts only as the answer to the first page. S3 answers an empty
    /// page instead, so by default no error means it.
    fn means_no_configurations(_error: &ServiceError) -> bool {
        false
    }

    /// True for the tags error answer that means "the bucket has no tags" (S3 and COS: 404
    /// `NoSuchTagSet`). OSS answers an empty `<Tagging>` instead, so by default no error
    /// means it.
    fn means_no_tags(_error: &ServiceError) -> bool {
        false
    }

    /// True for the policy error answer that means "the bucket has no policy" (S3: 404
    /// `NoSuchBucketPolicy`, which COS and OSS answer too). 403 and 404 `NoSuchBucket` never
    /// mean it: a policy that cannot be read is not an absent one.
    fn means_no_policy(error: &ServiceError) -> bool {
        error.status == 404 && error.code == "NoSuchBucketPolicy"
    }

    /// The PUT body of `inventory`, in the provider's wire form; `None` when `inventory` is
    /// another provider's.
    fn put_body(inventory: &Inventory) -> Option<Result<String, XmlError>>;

    /// The unsigned form of one attempt: URL, the headers the signature covers, body. Pure.
    ///
    /// # Errors
    /// When the bucket, region or endpoint do not form a URL.
    fn build(&self, at: &Attempt<'_>) -> Result<SignedRequest, BoxError>;

    /// What signing `request` (built by [`Dialect::build`] from `at`) adds: the headers,
    /// returned rather than applied, as aws-sigv4's `sign` does. Pure.
    ///
    /// # Errors
    /// When the signer refuses a value.
    fn authorize(&self, request: &SignedRequest, at: &Attempt<'_>) -> Result<Headers, BoxError>;

    /// One attempt, built and signed: [`Dialect::build`], then [`Dialect::authorize`]'s headers
    /// added.
    ///
    /// # Errors
    /// As both steps.
    fn sign(&self, attempt: &Attempt<'_>) -> Result<SignedRequest, BoxError> {
        let request = self.build(attempt)?;
        let added = self.authorize(&request, attempt)?;
        Ok(request.with_headers(added))
    }

    /// The provider's error from an error answer ([`response::service_error`] in this
    /// dialect's shape).
    fn read_error(status: u16, headers: &HeaderMap, body: &[u8]) -> ServiceError {
        response::service_error(&Self::ERRORS, status, headers, body)
    }

    /// Reads a LIST answer ([`response::list_page`] with this dialect's document).
    fn read_list(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<ListPage, Failure> {
        response::list_page(
            Self::LIST_ROOT,
            &Self::READER,
            &Self::ERRORS,
            status,
            headers,
            body,
        )
    }

    /// Reads a GET answer: `None` when the configuration does not exist.
    fn read_get(
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<LiveConfig>, Failure> {
        let error = || Self::read_error(status, headers, body);
        response::get(status, body, error, &Self::READER)
    }

    /// Reads a PUT answer.
    fn read_put(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
        response::put(status, || Self::read_error(status, headers, body))
    }

    /// Reads one page of the bucket listing ([`discovery_response::bucket_page`] in this
    /// dialect's wording).
    fn read_bucket_page(
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Page<DiscoveredBucket>, Failure> {
        discovery_response::bucket_page(&Self::BUCKET_LISTING, &Self::ERRORS, status, headers, body)
    }

    /// Reads a tags answer ([`discovery_response::bucket_tags`] with this dialect's "no tags").
    fn read_tags(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<BucketTags, Failure> {
        discovery_response::bucket_tags(Self::means_no_tags, &Self::ERRORS, status, headers, body)
    }

    /// Reads one page of an object listing ([`delivery_response::object_page`]); `delimiter`
    /// is the request's.
    fn read_object_page(
        delimiter: Option<&str>,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<ObjectPage, Failure> {
        delivery_response::object_page(&Self::ERRORS, delimiter, status, headers, body)
    }

    /// Reads an object answer ([`delivery_response::object`]), refused over `max_bytes`.
    fn read_object(
        max_bytes: usize,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Vec<u8>, Failure> {
        delivery_response::object(&Self::ERRORS, max_bytes, status, headers, body)
    }

    /// Reads a policy answer ([`delivery_response::bucket_policy`] with this dialect's "no
    /// policy").
    fn read_policy(
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<String>, Failure> {
        delivery_response::bucket_policy(
            Self::means_no_policy,
            &Self::ERRORS,
            status,
            headers,
            body,
        )
    }

    /// Reads a DELETE answer: a configuration that is already gone is success.
    fn read_delete(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
        response::delete(status, || Self::read_error(status, headers, body))
    }
}

#[cfg(test)]
mod tests;
