//! Alibaba Cloud OSS: V1 and V4 signers, wire types and client of the bucket inventory API.
//!
//! # Layout
//! - [`signer_v1`], [`signer_v4`]: pure signers with every stage exposed (shared with the
//!   emulator, which verifies received requests with them).
//! - [`encoding`], [`date`]: the percent-encoding and date formats the signers rely on.
//! - [`xml`]: wire types of the XML bodies (shared with the emulator); [`convert`]: wire types
//!   to and from [`crate::provider::oss::model::OssInventory`].
//! - [`endpoint`]: bucket URLs (virtual-hosted or path style), endpoint override and
//!   credentials from the environment.
//! - [`request`]: one signed inventory call as plain data; [`response`]: answers to results.
//! - [`client`]: [`OssClient`], the [`crate::provider::InventoryApi`] implementation.

pub mod client;
pub(crate) mod convert;
pub mod credentials;
pub mod date;
pub mod encoding;
pub mod endpoint;
pub(crate) mod example;
pub mod manifest;
pub mod model;
pub mod normalize;
pub(crate) mod report;
pub mod request;
pub mod response;
pub mod signer_v1;
pub mod signer_v4;
pub mod xml;

pub use client::OssClient;
pub use request::SignatureVersion;

use std::sync::Arc;

use crate::model::{Frequency, Inventory, Provider};
use crate::provider::InventoryApi;
use crate::provider::delivery::DeliveryApi;
use crate::provider::discovery::DiscoveryApi;
use crate::provider::kit::spec::{
    ChangedConfig, ClientParts, ProviderSpec, manifest_form, no_bucket_options,
    no_bucket_options_schema, render_no_bucket_options,
};

/// The provider this folder implements, by its manifest name.
pub const PROVIDER: Provider = Provider::named("oss");

/// OSS's entry in the provider table.
pub(crate) static SPEC: ProviderSpec = ProviderSpec {
    provider: PROVIDER,
    name: PROVIDER.as_str(),
    vendor: "Alibaba Cloud",
    title: "Alibaba Cloud OSS",
    credential_vars: credentials::VARS,
    credential_source: credentials::source,
    credential_fallback: "",
    // PutBucketInventory refuses an existing id (409), so a change is a delete and a put.
    changed_config: ChangedConfig::Replace,
    runs_once,
    default_endpoint_patterns: endpoint::DEFAULT_ALLOWED,
    region_example: "cn-hangzhou",
    check_bucket_name: manifest::check_oss_bucket_name,
    bucket_name_hint: "OSS bucket names have 3-63 lowercase letters, digits and hyphens",
    check_region: manifest::check_region,
    bucket_keys: &[],
    parse_bucket_options: no_bucket_options,
    render_bucket_options: render_no_bucket_options,
    bucket_options_schema: no_bucket_options_schema,
    parse_inventory: manifest::parse_inventory,
    normalize: normalize::normalize,
    manifest_form: manifest_form::<model::OssInventory, manifest::OssInventorySpec>,
    inventory_schema: manifest::inventory_schema,
    example: &example::EXAMPLE,
    connect,
    discover,
    deliver,
    report_location: report::report_location,
    destination_readiness: report::destination_readiness,
};

/// The table's `runs_once`: `Once` configurations produce one report; the service then
/// deletes them.
fn runs_once(inventory: &Inventory) -> bool {
    inventory
        .downcast_ref::<model::OssInventory>()
        .is_some_and(|o| o.frequency == Frequency::Once)
}

/// The table's `connect`: an [`OssClient`] with the operator's signature version, sending to
/// `parts.endpoint` when given.
fn connect(parts: ClientParts<'_>) -> Arc<dyn InventoryApi> {
    OssClient::new(parts.transport, parts.credentials)
        .with_signature_version(parts.settings.oss_signature)
        .shared(parts.endpoint)
}

/// The table's `discover`: the same client, as a discovery client.
fn discover(parts: ClientParts<'_>) -> Arc<dyn DiscoveryApi> {
    OssClient::new(parts.transport, parts.credentials)
        .with_signature_version(parts.settings.oss_signature)
        .shared_discovery(parts.endpoint)
}

/// The table's `deliver`: the same client, as a delivery client on a destination bucket.
fn deliver(parts: ClientParts<'_>) -> Arc<dyn DeliveryApi> {
    OssClient::new(parts.transport, parts.credentials)
        .with_signature_version(parts.settings.oss_signature)
        .shared_delivery(parts.endpoint)
}
