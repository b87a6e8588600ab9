//! The emulated OSS dialect: virtual-hosted and path-style endpoints, V1 and V4 signatures,
//! create-only PUT, by-id LIST (an empty bucket is 404), ListBuckets and bucket tags, and
//! OSS's answer format with ECs.

mod auth;
mod ec;
mod host;
mod once;
mod reply;
mod report;
mod rules;
mod service;

use std::collections::BTreeMap;
use std::time::SystemTime;

use axum::http::HeaderMap;

use super::bucket_index::BucketFilter;
use super::config::EmulatorConfig;
use super::dialect::{
    BucketListing, Claim, EmulatedProvider, Failure, Listing, ObjectRules, ReportDialect,
};
use super::errors::{ApiError, ErrorContext};
use super::faults::{FaultConfig, InjectedError};
use super::operations;
use super::route::{self, ApiRequest, CallRules, HostTarget, PathForm, RequestLine, RouteError};
use super::state::{ListOrder, PutMode};
use super::tagging::{TagFault, TagRules};
use super::wire::WireRequest;
use super::xmltree::Element;
use crate::model::{Inventory, Provider};
use crate::provider::oss::xml;

/// The OSS dialect.
pub(crate) struct Oss;

const CALL_RULES: CallRules = CallRules {
    id_param: "inventoryId",
    unimplemented_methods: &[],
};

impl EmulatedProvider for Oss {
    fn provider(&self) -> Provider {
        Provider::OSS
    }

    fn parse_host(&self, host: &str) -> Option<HostTarget> {
        host::parse(host)
    }

    /// OSS path-style requests come to any host, signed or not.
    fn plain_host_claim(&self, _headers: &HeaderMap) -> Claim {
        Claim::Fallback
    }

    fn route(&self, target: HostTarget, line: &RequestLine<'_>) -> Result<ApiRequest, RouteError> {
        let resource = route::locate(target, line.decoded_path, PathForm::Canonical)?;
        route::call(Provider::OSS, resource, line, &CALL_RULES)
    }

    fn authenticate(
        &self,
        config: &EmulatorConfig,
        request: &ApiRequest,
        wire: &WireRequest<'_>,
        _bucket_region: Option<&str>,
        now: SystemTime,
    ) -> Result<(), ApiError> {
        auth::verify(config, request, wire, now)
    }

    fn put_mode(&self) -> PutMode {
        PutMode::CreateOnly
    }

    fn list_order(&self) -> ListOrder {
        ListOrder::Id
    }

    fn validate_put(&self, body: &[u8], _root: &Element) -> Result<(), ApiError> {
        rules::validate_body(body)
    }

    fn finish_put(&self, id: &str, root: &mut Element) -> Result<(), ApiError> {
        rules::finish_body(id, root)
    }

    fn get_document(&self, stored: &str) -> String {
        operations::plain_document(stored)
    }

    /// OSS answers a LIST of a bucket without configurations with 404 `NoSuchInventory`.
    fn list_document(&self, listing: &Listing<'_>) -> Result<String, ApiError> {
        if listing.bucket_is_empty {
            return Err(rules::no_such_inventory());
        }
        Ok(operations::plain_list_document(
            "ListInventoryConfigurationsResult",
            listing,
        ))
    }

    fn error(&self, failure: &Failure) -> ApiError {
        match failure {
            Failure::IdMismatch => rules::id_mismatch(),
            Failure::NoSuchConfiguration => rules::no_such_inventory(),
            Failure::TooManyConfigurations => rules::too_many(),
            Failure::DigestMismatch => rules::digest_mismatch(),
            Failure::Throttled => ApiError::new(
                503,
                "MetaOperationQpsLimitExceeded",
                "Please reduce your request rate.",
            ),
            other => other.common_answer(),
        }
    }

    fn put_body(&self, inventory: &Inventory) -> Option<Result<String, String>> {
        let oss = inventory.downcast_ref::<crate::provider::oss::model::OssInventory>()?;
        Some(xml::to_string(&xml::InventoryConfiguration::from(oss)).map_err(|e| e.to_string()))
    }

    fn completed_runs(&self, stored: &[String]) -> Vec<String> {
        once::completed_ids(stored)
    }

    fn default_region(&self, _config: &EmulatorConfig) -> String {
        service::DEFAULT_REGION.to_string()
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

    /// A bucket without tags answers 200 with an empty `Tagging`.
    fn tags_document(&self, tags: &BTreeMap<String, String>) -> Result<String, ApiError> {
        Ok(service::tags_document(tags))
    }

    fn request_id(&self, now: SystemTime, counter: u64, random: u32) -> String {
        reply::request_id(now, counter, random)
    }

    fn stamp(&self, headers: &mut HeaderMap, request_id: &str, now: SystemTime) {
        reply::stamp(headers, request_id, now);
    }

    fn error_body(&self, error: &ApiError, at: &ErrorContext<'_>) -> String {
        reply::error_body(error, at)
    }

    fn stamp_error(&self, headers: &mut HeaderMap, error: &ApiError) {
        reply::stamp_error(headers, error);
    }

    fn injected_errors<'f>(&self, faults: &'f FaultConfig) -> &'f [InjectedError] {
        &faults.oss_errors
    }

    fn object_rules(&self) -> &'static ObjectRules {
        &report::OBJECT_RULES
    }

    fn reports(&self) -> &'static dyn ReportDialect {
        &report::REPORTS
    }
}
