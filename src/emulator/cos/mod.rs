//! The emulated COS dialect: virtual-hosted endpoints, `q-sign-algorithm` signatures,
//! upsert PUT, creation-order LIST and COS's answer format.

mod auth;
mod host;
mod reply;
mod rules;

use std::time::SystemTime;

use axum::http::HeaderMap;

use super::config::EmulatorConfig;
use super::dialect::{Claim, EmulatedProvider, Failure, Listing};
use super::errors::{ApiError, ErrorContext};
use super::faults::{FaultConfig, InjectedError};
use super::operations;
use super::route::{self, ApiRequest, CallRules, HostTarget, PathForm, RequestLine, RouteError};
use super::state::{ListOrder, PutMode};
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

    fn plain_host_claim(&self, _headers: &HeaderMap) -> Claim {
        Claim::No
    }

    fn route(&self, target: HostTarget, line: &RequestLine<'_>) -> Result<ApiRequest, RouteError> {
        let located = route::locate(target, line.decoded_path, PathForm::Canonical)?;
        route::inventory_call(Provider::COS, located, line, &CALL_RULES)
    }

    fn authenticate(
        &self,
        config: &EmulatorConfig,
        request: &ApiRequest,
        wire: &WireRequest<'_>,
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
}
