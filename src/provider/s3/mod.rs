//! AWS S3: wire types, SigV4 requests, answers and credentials of the bucket inventory API
//! (2006-03-01).
//!
//! # Layout
//! - [`model`]: [`model::S3Inventory`] and the value lists of the API, the configuration as the
//!   rest of the crate holds it (as a [`crate::model::Inventory`]).
//! - [`manifest`]: the YAML spec types, their validation and the way back for `import`.
//! - [`normalize`]: the canonical form plans compare.
//! - [`xml`]: wire types of the XML bodies (shared with the emulator); [`convert`]: wire
//!   types to and from the model.
//! - [`endpoint`]: bucket URLs (virtual-hosted or path style), endpoint override, default
//!   endpoint allowlist.
//! - [`request`]: one SigV4-signed inventory call as plain data; [`response`]: answers to
//!   results.
//! - [`signer`]: the SigV4 stages as pure functions (the emulator verifies requests with them).
//! - [`credentials`]: the standard AWS credential chain, cached and refreshed before expiry;
//!   [`profile`]: the named shared-config profiles buckets sign with, one cache per name;
//!   [`source`]: the process's S3 source (credentials file, chain, profiles) and each bucket's.
//! - [`client`]: [`S3Client`], the [`crate::provider::InventoryApi`] implementation.

pub mod client;
pub(crate) mod convert;
pub mod credentials;
pub mod endpoint;
pub(crate) mod example;
pub mod manifest;
pub mod model;
pub mod normalize;
pub(crate) mod profile;
pub(crate) mod report;
pub mod request;
pub mod response;
pub mod signer;
pub(crate) mod source;
pub mod xml;

pub use client::S3Client;
pub use model::{S3Destination, S3Encryption, S3Format, S3Inventory};

use std::sync::Arc;

use crate::model::Provider;
use crate::provider::InventoryApi;
use crate::provider::delivery::DeliveryApi;
use crate::provider::discovery::DiscoveryApi;
use crate::provider::kit::spec::{
    ChangedConfig, ClientParts, ProviderSpec, manifest_form, never_runs_once,
};

/// The provider this folder implements, by its manifest name.
pub const PROVIDER: Provider = Provider::named("s3");

/// S3's entry in the provider table.
pub(crate) static SPEC: ProviderSpec = ProviderSpec {
    provider: PROVIDER,
    name: PROVIDER.as_str(),
    vendor: "AWS",
    title: "AWS S3",
    credential_vars: credentials::VARS,
    credential_source: source::source,
    credential_fallback: credentials::FALLBACK,
    // PutBucketInventoryConfiguration replaces a configuration of the same id in place.
    changed_config: ChangedConfig::Update,
    runs_once: never_runs_once,
    default_endpoint_patterns: endpoint::DEFAULT_ALLOWED_ENDPOINTS,
    region_example: "us-east-1",
    check_bucket_name: manifest::check_bucket_name,
    bucket_name_hint: "S3 bucket names have 3-63 lowercase letters, digits, dots and hyphens",
    check_region: manifest::check_region,
    bucket_keys: manifest::BUCKET_KEYS,
    parse_bucket_options: manifest::parse_bucket_options,
    render_bucket_options: manifest::render_bucket_options,
    bucket_options_schema: manifest::bucket_options_schema,
    parse_inventory: manifest::parse_inventory,
    normalize: normalize::normalize,
    manifest_form: manifest_form::<model::S3Inventory, manifest::S3InventorySpec>,
    inventory_schema: manifest::inventory_schema,
    example: &example::EXAMPLE,
    connect,
    discover,
    deliver,
    report_location: report::report_location,
    destination_readiness: report::destination_readiness,
};

/// The table's `connect`: an [`S3Client`] with the bucket's options, sending to
/// `parts.endpoint` when given.
fn connect(parts: ClientParts<'_>) -> Arc<dyn InventoryApi> {
    let endpoint = parts.endpoint.clone();
    client(parts).shared(endpoint)
}

/// The table's `discover`: the same client, as a discovery client.
fn discover(parts: ClientParts<'_>) -> Arc<dyn DiscoveryApi> {
    let endpoint = parts.endpoint.clone();
    client(parts).shared_discovery(endpoint)
}

/// The table's `deliver`: the same client, as a delivery client on a destination bucket. The
/// source bucket's `expectedBucketOwner` is not sent: the destination may belong to another
/// account (the configuration's `accountId`), and S3 would refuse every read of it.
fn deliver(parts: ClientParts<'_>) -> Arc<dyn DeliveryApi> {
    let endpoint = parts.endpoint.clone();
    let mut client = client(parts);
    client.dialect.options.expected_bucket_owner = None;
    client.shared_delivery(endpoint)
}

/// The client of the bucket's options, signing with the credentials of the profile they
/// name, else with the process's S3 credentials.
fn client(parts: ClientParts<'_>) -> S3Client {
    let options = parts.options.downcast_ref::<model::S3BucketOptions>();
    let credentials = match options.and_then(|o| o.profile.as_deref()) {
        Some(name) => source::source_for(&parts.credentials, name),
        None => parts.credentials,
    };
    let client = S3Client::new(parts.transport, credentials);
    match options {
        Some(options) => client.with_options(options.clone()),
        None => client,
    }
}
