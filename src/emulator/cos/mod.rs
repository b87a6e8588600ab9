//! The emulated COS dialect: virtual-hosted and service endpoints (and COS-signed requests
//! to plain hosts), `q-sign-algorithm` signatures, upsert PUT, creation-order LIST, GET
//! Service and bucket tagging, and COS's answer format.

mod auth;
mod host;
mod reply;
mod report;
mod rules;
mod service;

use std::collections::BTreeMap;
use std::time::SystemTime;

use axum::http::{HeaderMap, header};

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
use crate::provider::cos::xml;

/// The COS dialect.
pub(crate) struct Cos;

const CALL_RULES: CallRules = CallRules {
    id_param: "id",
    unimplemented_methods: &[("POST", "POST Bucket inventory")],
};

impl EmulatedProvider for Cos {
    fn provider(&self) -> Provider {
        Provider::COS
    }

    fn parse_host(&self, host: &str) -> Option<HostTarget> {
        host::parse(host)
    }

    /// A COS-signed request to a plain host is COS's (the SDK's `ServiceDomain` form).
    fn plain_host_claim(&self, headers: &HeaderMap) -> Claim {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if host::is_cos_signed(authorization) {
            Claim::Signed
        } else {
            Claim::No
        }
    }

    fn route(&self, target: HostTarget, line: &RequestLine<'_>) -> Result<ApiRequest, RouteError> {
        let resource = route::locate(target, line.decoded_path, PathForm::Canonical)?;
        route::call(Provider::COS, resource, line, &CALL_RULES)
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
        PutMode::Upsert
    }

    fn list_order(&self) -> ListOrder {
        ListOrder::Creation
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

    fn list_document(&self, listing: &Listing<'_>) -> Result<String, ApiError> {
        Ok(operations::plain_list_document(
            "ListInventoryConfigurationResult",
            listing,
        ))
    }

    fn error(&self, failure: &Failure) -> ApiError {
        match failure {
            Failure::IdMismatch => rules::id_mismatch(),
            Failure::NoSuchConfiguration => rules::not_found(),
            Failure::TooManyConfigurations => rules::too_many(),
            other => other.common_answer(),
        }
    }

    fn put_body(&self, inventory: &Inventory) -> Option<Result<String, String>> {
        let cos = inventory.downcast_ref::<crate::provider::cos::model::CosInventory>()?;
        Some(xml::to_string(&xml::InventoryConfiguration::from(cos)).map_err(|e| e.to_string()))
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

    fn tags_document(&self, tags: &BTreeMap<String, String>) -> Result<String, ApiError> {
        service::tags_document(tags)
    }

    /// COS answers a DELETE on a bucket without tags with 404 `NoSuchTagSetError`.
    fn delete_missing_tags(&self) -> Result<(), ApiError> {
        Err(service::no_such_tag_set())
    }

    fn request_id(&self, now: SystemTime, counter: u64, random: u32) -> String {
        reply::request_id(now, counter, random)
    }

    fn stamp(&self, headers: &mut HeaderMap, request_id: &str, _now: SystemTime) {
        reply::stamp(headers, request_id);
    }

    fn error_body(&self, error: &ApiError, at: &ErrorContext<'_>) -> String {
        reply::error_body(error, at)
    }

    fn injected_errors<'f>(&self, faults: &'f FaultConfig) -> &'f [InjectedError] {
        &faults.cos_errors
    }

    fn object_rules(&self) -> &'static ObjectRules {
        &report::OBJECT_RULES
    }

    fn reports(&self) -> &'static dyn ReportDialect {
        &report::REPORTS
    }
}
