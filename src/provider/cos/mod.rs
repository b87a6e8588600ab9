//! Tencent Cloud COS: signer, wire types and client of the bucket inventory API.
//!
//! - [`signer`]: the pure `q-sign-algorithm=sha1` signature, also used by the emulator.
//! - [`xml`]: wire types of the inventory XML bodies, shared with the emulator.
//! - [`convert`]: wire types ⇄ [`crate::provider::cos::model::CosInventory`].
//! - [`endpoint`]: virtual host, endpoint override and credentials from the environment.
//! - [`request`]: one signed inventory call as plain data; [`response`]: answers to results.
//! - [`client`]: [`CosClient`], the [`crate::provider::InventoryApi`] implementation.

pub mod client;
pub(crate) mod convert;
pub mod credentials;
pub mod endpoint;
pub(crate) mod example;
pub mod manifest;
pub mod model;
pub mod normalize;
pub(crate) mod report;
pub mod request;
pub mod response;
pub mod signer;
pub mod xml;

pub use client::CosClient;

use std::sync::Arc;

use crate::model::Provider;
use crate::provider::InventoryApi;
use crate::provider::delivery::DeliveryApi;
use crate::provider::discovery::DiscoveryApi;
use crate::provider::kit::spec::{
    ChangedConfig, ClientParts, ProviderSpec, manifest_form, never_runs_once, no_bucket_options,
    no_bucket_options_schema, render_no_bucket_options,
};

/// The provider this folder implements, by its manifest name.
pub const PROVIDER: Provider = Provider::named("cos");

/// COS's entry in the provider table.
pub(crate) static SPEC: ProviderSpec = ProviderSpec {
    provider: PROVIDER,
    name: PROVIDER.as_str(),
    vendor: "Tencent Cloud",
    title: "Tencent Cloud COS",
    credential_vars: credentials::VARS,
    credential_source: credentials::source,
    credential_fallback: "",
    // PUT Bucket inventory replaces a configuration of the same id in place.
    changed_config: ChangedConfig::Update,
    runs_once: never_runs_once,
    default_endpoint_patterns: endpoint::DEFAULT_ALLOWED,
    region_example: "ap-guangzhou",
    check_bucket_name: manifest::check_cos_bucket_name,
    bucket_name_hint: "COS bucket names are <name>-<appid>, e.g. examplebucket-1250000000",
    check_region: manifest::check_region,
    bucket_keys: &[],
    parse_bucket_options: no_bucket_options,
    render_bucket_options: render_no_bucket_options,
    bucket_options_schema: no_bucket_options_schema,
    parse_inventory: manifest::parse_inventory,
    normalize: normalize::normalize,
    manifest_form: manifest_form::<model::CosInventory, manifest::CosInventorySpec>,
    inventory_schema: manifest::inventory_schema,
    example: &example::EXAMPLE,
    connect,
    discover,
    deliver,
    report_location: report::report_location,
    destination_readiness: report::destination_readiness,
};

/// The table's `connect`: a [`CosClient`], sending to `parts.endpoint` when given.
fn connect(parts: ClientParts<'_>) -> Arc<dyn InventoryApi> {
    CosClient::new(parts.transport, parts.credentials).shared(parts.endpoint)
}

/// The table's `discover`: the same client, as a discovery client.
fn discover(parts: ClientParts<'_>) -> Arc<dyn DiscoveryApi> {
    CosClient::new(parts.transport, parts.credentials).shared_discovery(parts.endpoint)
}

/// The table's `deliver`: the same client, as a delivery client on a destination bucket.
fn deliver(parts: ClientParts<'_>) -> Arc<dyn DeliveryApi> {
    CosClient::new(parts.transport, parts.credentials).shared_delivery(parts.endpoint)
}
