//! `kind: InventoryPolicy`: one document's `spec` → a validated [`InventoryPolicy`], or every
//! problem it has. Items are checked once here with placeholder values for the template
//! variables, so `validate` finds their shape errors without listing any bucket.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::collect;
use super::diagnostic::FieldError;
use super::lines::FieldPath;
use super::template::{self, PLACEHOLDER_BUCKET, TemplateValues};
use super::validate::{self, bucket};
use crate::model::selector::BucketSelector;
use crate::model::{BucketMode, InventoryPolicy, Origin, Provider};
use crate::provider::kit::serde_defaults::is_false;
use crate::provider::registry;

/// `spec` of a policy minus `provider` and the provider's own keys, for items of type `I`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct PolicySpecBody<I> {
    /// Which of the account's buckets the policy covers. Empty: every bucket.
    #[serde(default)]
    pub selector: BucketSelector,
    /// Every id in `inventories` starts with it; the policy owns the live ids that do.
    pub id_prefix: String,
    /// `true`: delete live configurations whose id starts with `idPrefix` and that the policy
    /// no longer declares, and nothing else.
    #[serde(default, skip_serializing_if = "is_false")]
    pub prune: bool,
    /// `observe`: report coverage and drift, write nothing.
    #[serde(default, skip_serializing_if = "BucketMode::is_enforce")]
    pub mode: BucketMode,
    /// The configurations to ensure on every selected bucket, in the provider's manifest
    /// form; string values may hold `${bucket}`, `${region}` and `${provider}`.
    #[serde(default = "Vec::<I>::new")]
    pub inventories: Vec<I>,
}

/// Reads and checks the `spec` of a policy document named `name`, recorded with `origin`.
///
/// # Errors
/// Every problem of `spec`: the shape, the provider, an empty `idPrefix`, an id outside it, a
/// template variable outside the set, an item its provider refuses with placeholder values,
/// ids used twice.
pub(crate) fn parse_spec(
    spec: &Value,
    name: String,
    origin: Origin,
    errors: &mut Vec<FieldError>,
) -> Option<InventoryPolicy> {
    let path = FieldPath::root().key("spec");
    let Value::Object(map) = spec else {
        errors.push(FieldError::new(path, "spec must be a mapping"));
        return None;
    };
    let provider = super::provider_field::read_provider(map, &path, errors);
    let own_keys = provider.map_or(&[][..], |p| registry::spec(p).bucket_keys);
    let rest: Map<String, Value> = map
        .iter()
        .filter(|(key, _)| key.as_str() != "provider" && !own_keys.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let body = collect::deserialize::<PolicySpecBody<Value>>(&Value::Object(rest), &path)
        .map_err(|found| errors.extend(found))
        .ok();
    let (provider, body) = (provider?, body?);
    let before = errors.len();
    let entry = registry::spec(provider);
    for (i, region) in body.selector.regions.iter().enumerate() {
        bucket::check_region(
            provider,
            region,
            &path.key("selector").key("regions").index(i),
            errors,
        );
    }
    if body.id_prefix.trim().is_empty() {
        errors.push(
            FieldError::new(path.key("idPrefix"), "idPrefix is empty").hint(
                "name the ids this policy owns, e.g. `idPrefix: fleet-`; prune deletes only ids \
                 with this prefix",
            ),
        );
    }
    let options = (entry.parse_bucket_options)(map, &path)
        .map_err(|found| errors.extend(found))
        .unwrap_or_default();
    let overwrite_foreign = check_items(provider, &body, &path, errors);
    if errors.len() > before {
        return None;
    }
    Some(InventoryPolicy {
        name,
        provider,
        selector: body.selector,
        id_prefix: body.id_prefix,
        prune: body.prune,
        mode: body.mode,
        options,
        inventories: body.inventories,
        overwrite_foreign,
        origin,
    })
}

/// Checks every item with placeholder values (the selector's one region when it names exactly
/// one, else the provider's example region) and returns the ids declared with
/// `overwriteForeign: true`.
fn check_items(
    provider: Provider,
    body: &PolicySpecBody<Value>,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> BTreeSet<String> {
    let entry = registry::spec(provider);
    let region = match body.selector.regions.as_slice() {
        [one] => one.as_str(),
        _ => entry.region_example,
    };
    let values = TemplateValues {
        bucket: PLACEHOLDER_BUCKET,
        region,
        provider,
    };
    let mut ids = Vec::new();
    let mut overwrite_foreign = BTreeSet::new();
    for (i, item) in body.inventories.iter().enumerate() {
        let item_path = path.key("inventories").index(i);
        let rendered = match template::render(item, &values, &item_path) {
            Ok(rendered) => rendered,
            Err(found) => {
                errors.extend(found);
                // The item is not read further; its id is still checked against the prefix.
                if let Some(id) = item.get("id").and_then(Value::as_str) {
                    check_prefix(id, &body.id_prefix, &item_path, errors);
                }
                continue;
            }
        };
        let parsed = (entry.parse_inventory)(region, &rendered, &item_path);
        if let Some(id) = parsed.id {
            check_prefix(&id, &body.id_prefix, &item_path, errors);
            if parsed.overwrite_foreign {
                overwrite_foreign.insert(id.clone());
            }
            ids.push((i, id));
        }
        if let Err(found) = parsed.result {
            errors.extend(found);
        }
    }
    let id_refs: Vec<(usize, &str)> = ids.iter().map(|(i, id)| (*i, id.as_str())).collect();
    validate::check_ids_unique(&id_refs, body.inventories.len(), errors);
    overwrite_foreign
}

/// A policy declares only ids starting with its prefix.
fn check_prefix(id: &str, prefix: &str, item: &FieldPath, errors: &mut Vec<FieldError>) {
    if !id.starts_with(prefix) {
        errors.push(
            FieldError::new(
                item.key("id"),
                format!("id `{id}` does not start with idPrefix `{prefix}`"),
            )
            .hint("a policy declares only ids it owns: rename it, or change idPrefix"),
        );
    }
}

/// One `kind: InventoryPolicy` document, for the JSON Schema only (documents are read piece by
/// piece by [`super::document`]).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "invsync InventoryPolicy manifest")]
pub(crate) struct PolicyDocument {
    /// Always `invsync/v1`.
    pub(crate) api_version: String,
    /// Always `InventoryPolicy`.
    pub kind: String,
    pub metadata: super::schema::Metadata,
    pub spec: PolicySpec,
}

/// A policy's `spec`, in the shape of its provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PolicySpec(Value);

impl JsonSchema for PolicySpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PolicySpec".into()
    }

    /// One alternative per provider, as for a bucket's `spec`.
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let variants: Vec<Value> = Provider::ALL
            .into_iter()
            .map(|p| {
                let base = PolicySpecBody::<Value>::json_schema(generator).to_value();
                super::schema::with_provider(base, registry::spec(p), generator)
            })
            .collect();
        schemars::json_schema!({
            "description": "The buckets a policy selects and the inventories it ensures on each, in the shape of its provider.",
            "oneOf": variants,
        })
    }
}
