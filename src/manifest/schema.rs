//! The manifest format: serde types of one `BucketInventory` YAML document, exactly as written.
//!
//! These types accept any well-formed document (unknown keys are rejected, values are not yet
//! checked); [`super::validate`] turns them into [`crate::model`] types or into diagnostics.
//! The same types serialize the model back to manifest form (for `import`, plan output and
//! diffs), and generate the JSON Schema printed by `invsync schema`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::model::{BucketMode, Provider};
use crate::provider::kit::serde_defaults::is_false;
use crate::provider::registry::{self, ManifestInventory, ProviderSpec};

/// The only `apiVersion` this release understands.
pub(crate) const API_VERSION: &str = "invsync/v1";
/// The `kind` of a document declaring one bucket.
pub(crate) const KIND: &str = "BucketInventory";
/// The `kind` of a document declaring a fleet policy (see [`super::policy`]).
pub(crate) const POLICY_KIND: &str = "InventoryPolicy";

/// One YAML document: the complete desired inventory configurations of one bucket.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "invsync BucketInventory manifest")]
pub(crate) struct ManifestDocument {
    /// Always `invsync/v1`.
    pub(crate) api_version: String,
    /// Always `BucketInventory`.
    pub kind: String,
    pub metadata: Metadata,
    pub spec: BucketSpec,
}

/// Names the document, as Kubernetes objects are named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Metadata {
    /// A human name for the document, shown in messages.
    pub name: String,
    /// Free-form labels; invsync does not interpret them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// The bucket and its inventories, in the shape of the bucket's provider.
///
/// Written as `provider`, the common keys of [`BucketSpecBody`], the provider's own
/// bucket-level keys, then the inventories, each in its provider's manifest form (see
/// [`crate::provider::registry::ManifestInventory`]). Documents are read piece by
/// piece by [`super::document`], never through this type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BucketSpec {
    pub provider: Provider,
    pub body: BucketSpecBody<ManifestInventory>,
    /// The provider's own bucket-level keys, in manifest form (empty for most providers).
    pub options: Map<String, Value>,
}

impl Serialize for BucketSpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let body = &self.body;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("provider", &self.provider)?;
        map.serialize_entry("bucket", &body.bucket)?;
        map.serialize_entry("region", &body.region)?;
        if body.prune {
            map.serialize_entry("prune", &body.prune)?;
        }
        if !body.mode.is_enforce() {
            map.serialize_entry("mode", &body.mode)?;
        }
        if let Some(endpoint) = &body.endpoint {
            map.serialize_entry("endpoint", endpoint)?;
        }
        for (key, value) in &self.options {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("inventories", &body.inventories)?;
        map.end()
    }
}

impl BucketSpec {}

impl JsonSchema for BucketSpec {
    fn schema_name() -> Cow<'static, str> {
        "BucketSpec".into()
    }

    /// One alternative per provider: the common keys, `provider` fixed to its name, its own
    /// bucket-level keys and its inventory schema.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let variants: Vec<Value> = Provider::ALL
            .into_iter()
            .map(|p| provider_spec_schema(registry::spec(p), generator))
            .collect();
        json_schema!({
            "description": "The bucket and its inventories, in the shape of the bucket's provider.",
            "oneOf": variants,
        })
    }
}

fn provider_spec_schema(spec: &ProviderSpec, generator: &mut SchemaGenerator) -> Value {
    let schema = BucketSpecBody::<Value>::json_schema(generator).to_value();
    with_provider(schema, spec, generator)
}

/// `schema` (of a `spec` minus `provider`) with `provider` fixed to `spec`'s name, its own
/// bucket-level keys and its inventory schema as the items of `inventories`.
#[expect(
    clippy::expect_used,
    reason = "the schema comes from the crate's own types, never from input"
)]
pub(crate) fn with_provider(
    mut schema: Value,
    spec: &ProviderSpec,
    generator: &mut SchemaGenerator,
) -> Value {
    let inventory = (spec.inventory_schema)(generator).to_value();
    let extra = (spec.bucket_options_schema)(generator);
    let object = schema
        .as_object_mut()
        .expect("a struct schema is an object");
    object.insert("description".into(), json!(format!("{}.", spec.title)));
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        properties.insert(
            "provider".into(),
            json!({"const": spec.name, "type": "string"}),
        );
        properties.extend(extra);
        if let Some(Value::Object(inventories)) = properties.get_mut("inventories") {
            inventories.insert("items".into(), inventory);
        }
    }
    if let Some(Value::Array(required)) = object.get_mut("required") {
        required.insert(0, json!("provider"));
    }
    schema
}

/// `spec` minus `provider`, for inventories of type `I`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct BucketSpecBody<I> {
    /// COS: `<name>-<appid>`, e.g. `examplebucket-1250000000`. OSS: the bucket name.
    pub bucket: String,
    /// COS: e.g. `ap-guangzhou`. OSS: the region id without `oss-`, e.g. `cn-hangzhou`.
    pub region: String,
    /// `true`: delete live configurations of this bucket that are not declared here.
    #[serde(default, skip_serializing_if = "is_false")]
    pub prune: bool,
    /// `observe`: report this bucket's drift (logs, metrics, notifications, plans) but never
    /// write to it. Default `enforce`: correct it.
    #[serde(default, skip_serializing_if = "BucketMode::is_enforce")]
    pub mode: BucketMode,
    /// Send requests here instead of the provider's public endpoint, e.g. `http://127.0.0.1:9000`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The complete set of inventory configurations the bucket should have.
    #[serde(default = "Vec::<I>::new")]
    pub inventories: Vec<I>,
}
