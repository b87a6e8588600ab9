//! The emulated S3 dialect: S3 endpoints and SigV4-signed requests to plain hosts, SigV4
//! verification with the expected-bucket-owner guard, upsert PUT (204), by-id LIST with the
//! 2006-03-01 namespace, `ListBuckets` and bucket tagging, and S3's answer format.

mod auth;
mod checksum;
mod host;
mod reply;
mod report;
mod rules;
mod service;

use std::collections::BTreeMap;
use std::time::SystemTime;

use axum::http::{HeaderMap, header};

use super::bucket_index::BucketFilter;
use super::call::{BucketCall, Call};
use super::config::EmulatorConfig;
use super::dialect::{
    BucketListing, Claim, EmulatedProvider, Failure, Listing, ObjectRules, ReportDialect,
};
use super::errors::{ApiError, ErrorContext};
use super::faults::{FaultConfig, InjectedError};
use super::route::{self, ApiRequest, CallRules, HostTarget, PathForm, RequestLine, RouteError};
use super::state::{ListOrder, PutMode};
use super::tagging::{TagFault, TagRules};
use super::wire::{WireRequest, as_pairs};
use super::xmltree::Element;
use crate::model::{Inventory, Provider};
use crate::provider::s3::xml;

/// The S3 dialect.
pub(crate) struct S3;

const CALL_RULES: CallRules = CallRules {
    id_param: "id",
    unimplemented_methods: &[],
};

impl EmulatedProvider for S3 {
    fn provider(&self) -> Provider {
        Provider::S3
    }

    fn parse_host(&self, host: &str) -> Option<HostTarget> {
        host::parse_host(host)
    }

    /// A SigV4-signed request to a plain host is S3 path style; OSS path-style requests come
    /// to the same hosts unsigned or signed the OSS way.
    fn plain_host_claim(&self, headers: &HeaderMap) -> Claim {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if host::is_sigv4(authorization, headers.contains_key("x-amz-date")) {
            Claim::Signed
        } else {
            Claim::No
        }
    }

    fn route(&self, target: HostTarget, line: &RequestLine<'_>) -> Result<ApiRequest, RouteError> {
        let resource = route::locate(target, line.decoded_path, PathForm::AsSent)?;
        route::call(Provider::S3, resource, line, &CALL_RULES)
    }

    /// Also checks `x-amz-content-sha256` against the body, `x-amz-expected-bucket-owner`
    /// against the bucket's account, and the integrity checksum `PutBucketTagging` requires.
    ///
    /// The signing region must be the bucket's: the one the store records, else the
    /// configured S3 region. A bucket listing must be signed for the region its Host names;
    /// on a host that names none (a local endpoint) any region's scope is accepted.
    fn authenticate(
        &self,
        config: &EmulatorConfig,
        request: &ApiRequest,
        wire: &WireRequest<'_>,
        bucket_region: Option<&str>,
        now: SystemTime,
    ) -> Result<(), ApiError> {
        let headers = wire.owned_headers();
        let headers = as_pairs(&headers);
        let query = as_pairs(&request.params);
        let expected_region = match request.call {
            Call::Bucket(BucketCall::ListBuckets) => request.region.as_deref(),
            _ => Some(bucket_region.unwrap_or(&config.s3_region)),
        };
        auth::verify(
            config.accepted_keys(Provider::S3),
            expected_region,
            &auth::S3Request {
                method: wire.method,
                path: &request.path,
                query: &query,
                headers: &headers,
                body: wire.body,
            },
            now,
        )?;
        let expected_owner = wire
            .headers
            .get("x-amz-expected-bucket-owner")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        rules::check_expected_owner(expected_owner.as_deref(), &config.s3_account_id)?;
        if request.call == Call::Bucket(BucketCall::PutTagging) {
            checksum::check_required(wire.headers, wire.body)?;
        }
        Ok(())
    }

    fn put_mode(&self) -> PutMode {
        PutMode::Upsert
    }

    fn list_order(&self) -> ListOrder {
        ListOrder::Id
    }

    fn validate_put(&self, body: &[u8], root: &Element) -> Result<(), ApiError> {
        rules::validate_body(body, root)
    }

    /// The schema check already covers everything S3 refuses.
    fn finish_put(&self, _id: &str, _root: &mut Element) -> Result<(), ApiError> {
        Ok(())
    }

    /// S3 answers a PUT with 204 (recorded against AWS).
    fn put_status(&self) -> u16 {
        204
    }

    fn get_document(&self, stored: &str) -> String {
        rules::get_document(stored)
    }

    fn list_document(&self, listing: &Listing<'_>) -> Result<String, ApiError> {
        Ok(rules::list_document(
            listing.items,
            listing.token,
            listing.next_token,
        ))
    }

    fn error(&self, failure: &Failure) -> ApiError {
        match failure {
            Failure::MalformedXml => rules::malformed_xml(),
            Failure::IdMismatch => rules::id_mismatch(),
            Failure::NoSuchConfiguration => rules::no_such_configuration(),
            Failure::NoSuchBucket(bucket) => rules::no_such_bucket(bucket),
            Failure::TooManyConfigurations => rules::too_many(),
            Failure::InvalidToken => rules::invalid_continuation_token(),
            other => other.common_answer(),
        }
    }

    fn put_body(&self, inventory: &Inventory) -> Option<Result<String, String>> {
        let s3 = inventory.downcast_ref::<crate::provider::s3::model::S3Inventory>()?;
        Some(xml::to_string(&xml::InventoryConfiguration::from(s3)).map_err(|e| e.to_string()))
    }

    fn default_region(&self, config: &EmulatorConfig) -> String {
        config.s3_region.clone()
    }

    /// The configured S3 region whatever the Host names: the signature of the write that
    /// brought the bucket into existence was checked against it.
    fn implied_region(&self, config: &EmulatorConfig, _request: &ApiRequest) -> String {
        config.s3_region.clone()
    }

    fn bucket_filter(&self, request: &ApiRequest) -> Result<BucketFilter, ApiError> {
        service::bucket_filter(request)
    }

    fn buckets_document(&self, listing: &BucketListing<'_>) -> String {
        service::buckets_document(listing)
    }

    fn tag_rules(&self) -> &'static TagRules {
        &service::TAG_RULES
    }

    fn tag_error(&self, fault: &TagFault) -> ApiError {
        service::tag_error(fault)
    }

    fn tags_document(&self, tags: &BTreeMap<String, String>) -> Result<String, ApiError> {
        service::tags_document(tags)
    }

    /// S3 answers `PutBucketTagging` with 204.
    fn put_tags_status(&self) -> u16 {
        204
    }

    fn request_id(&self, now: SystemTime, counter: u64, random: u32) -> String {
        reply::request_id(now, counter, random)
    }

    fn stamp(&self, headers: &mut HeaderMap, request_id: &str, _now: SystemTime) {
        reply::stamp(headers, request_id);
    }

    fn error_body(&self, error: &ApiError, at: &ErrorContext<'_>) -> String {
        reply::render_error(error, at.request_id)
    }

    fn injected_errors<'f>(&self, faults: &'f FaultConfig) -> &'f [InjectedError] {
        &faults.s3_errors
    }

    fn object_rules(&self) -> &'static ObjectRules {
        &report::OBJECT_RULES
    }

    fn reports(&self) -> &'static dyn ReportDialect {
        &report::REPORTS
    }
}
