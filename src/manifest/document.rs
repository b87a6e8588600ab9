//! One YAML document → one validated [`DesiredBucket`] or [`InventoryPolicy`], or every problem
//! it has.
//!
//! The document is read piece by piece (header, `metadata`, `spec`, then each inventory on its
//! own) so that an error in one piece never hides the errors of another.

use std::collections::BTreeSet;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Map, Value};

use super::collect;
use super::diagnostic::{FieldError, did_you_mean};
use super::lines::FieldPath;
use super::schema::{BucketSpecBody, Metadata, POLICY_KIND};
use super::validate::{self, bucket};
use crate::model::{
    BucketKey, BucketMode, DesiredBucket, Endpoint, Inventory, InventoryPolicy, Origin, Provider,
};
use crate::provider::registry::{self, ProviderBucketOptions};

/// Top-level keys of a document.
const DOCUMENT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];

/// What one valid document declares.
#[derive(Debug, Clone)]
pub enum Declaration {
    /// `kind: BucketInventory`.
    Bucket(Box<DesiredBucket>),
    /// `kind: InventoryPolicy`.
    Policy(Box<InventoryPolicy>),
}

/// What one document declares, as far as it could be read.
#[derive(Debug)]
pub struct ParsedDocument {
    /// The bucket the document names, when `spec.provider` and `spec.bucket` could be read:
    /// enough to find duplicates even when the rest of the document is invalid. `None` for a
    /// policy.
    pub identity: Option<(Provider, String)>,
    /// The bucket or policy it declares, or every problem found in it, each at its field.
    pub result: Result<Declaration, Vec<FieldError>>,
}

/// Reads and validates one document's value; `origin` is recorded in the bucket.
pub fn parse(value: &Value, origin: Origin) -> ParsedDocument {
    let mut errors = Vec::new();
    let root = FieldPath::root();
    let Value::Object(map) = value else {
        errors.push(
            FieldError::new(root, "a manifest document must be a mapping")
                .hint("start with `apiVersion: invsync/v1` and `kind: BucketInventory`"),
        );
        return ParsedDocument {
            identity: None,
            result: Err(errors),
        };
    };
    check_keys(map, &root, DOCUMENT_FIELDS, &mut errors);
    validate::text::check_control_characters(value, &root, &mut errors);
    let api_version: Option<String> = field(map, &root, "apiVersion", &mut errors);
    let kind: Option<String> = field(map, &root, "kind", &mut errors);
    let metadata: Option<Metadata> = field(map, &root, "metadata", &mut errors);
    if let (Some(api_version), Some(kind), Some(metadata)) = (&api_version, &kind, &metadata) {
        bucket::check_header(api_version, kind, &metadata.name, &mut errors);
    }
    if kind.as_deref() == Some(POLICY_KIND) {
        let policy = match map.get("spec") {
            Some(spec) => {
                let name = metadata
                    .as_ref()
                    .map(|m| m.name.clone())
                    .unwrap_or_default();
                super::policy::parse_spec(spec, name, origin, &mut errors)
            }
            None => {
                errors.push(FieldError::new(
                    root.key("spec"),
                    "missing required field `spec`",
                ));
                None
            }
        };
        let result = match policy {
            Some(policy) if errors.is_empty() && metadata.is_some() => {
                Ok(Declaration::Policy(Box::new(policy)))
            }
            _ => Err(errors),
        };
        return ParsedDocument {
            identity: None,
            result,
        };
    }
    let (identity, body) = match map.get("spec") {
        Some(spec) => read_spec(spec, &mut errors),
        None => {
            errors.push(FieldError::new(
                root.key("spec"),
                "missing required field `spec`",
            ));
            (None, None)
        }
    };
    let result = match (body, metadata) {
        (
            Some((key, prune, mode, endpoint, options, inventories, overwrite_foreign)),
            Some(metadata),
        ) if errors.is_empty() => Ok(Declaration::Bucket(Box::new(DesiredBucket {
            key,
            name: metadata.name,
            prune,
            mode,
            endpoint,
            options,
            origin,
            inventories,
            overwrite_foreign,
            policies: Vec::new(),
        }))),
        _ => Err(errors),
    };
    ParsedDocument { identity, result }
}

/// The checked content of `spec`: key, prune, mode, endpoint, the provider's bucket options,
/// inventories, and the ids declared with `overwriteForeign: true`.
type SpecParts = (
    BucketKey,
    bool,
    BucketMode,
    Option<Endpoint>,
    ProviderBucketOptions,
    Vec<Inventory>,
    BTreeSet<String>,
);

fn read_spec(
    spec: &Value,
    errors: &mut Vec<FieldError>,
) -> (Option<(Provider, String)>, Option<SpecParts>) {
    let path = FieldPath::root().key("spec");
    let Value::Object(map) = spec else {
        errors.push(FieldError::new(path, "spec must be a mapping"));
        return (None, None);
    };
    let provider = super::provider_field::read_provider(map, &path, errors);
    // The provider's own bucket-level keys are read by the provider.
    let own_keys = provider.map_or(&[][..], |p| registry::spec(p).bucket_keys);
    // `spec` minus `provider` and those keys. The inventories are read one by one below,
    // straight from `map`; the body only checks that they form a sequence, so they are not
    // copied (a manifest with hundreds of them would otherwise be copied whole).
    let rest: Map<String, Value> = map
        .iter()
        .filter(|(key, _)| key.as_str() != "provider" && !own_keys.contains(&key.as_str()))
        .map(|(key, value)| match value {
            Value::Array(items) if key == "inventories" => {
                (key.clone(), Value::Array(vec![Value::Null; items.len()]))
            }
            _ => (key.clone(), value.clone()),
        })
        .collect();
    let body = collect::deserialize::<BucketSpecBody<IgnoredAny>>(&Value::Object(rest), &path);
    let items: &[Value] = map
        .get("inventories")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let body = match body {
        Ok(body) => body,
        Err(found) => {
            errors.extend(
                found
                    .into_iter()
                    .map(|e| without_provider_hint(e, &path, own_keys)),
            );
            // The rest of `spec` is unreadable, but what can be read is still checked.
            let text = |key| map.get(key).and_then(Value::as_str);
            if let (Some(provider), Some(bucket), Some(region)) =
                (provider, text("bucket"), text("region"))
            {
                let _ = bucket::check_location(provider, bucket, region, text("endpoint"), errors);
            }
            let bucket = text("bucket").map(str::to_string);
            return (provider.zip(bucket), None);
        }
    };
    let Some(provider) = provider else {
        return (None, None);
    };
    let identity = Some((provider, body.bucket.clone()));
    let before = errors.len();
    let endpoint = bucket::check_location(
        provider,
        &body.bucket,
        &body.region,
        body.endpoint.as_deref(),
        errors,
    );
    let entry = registry::spec(provider);
    let options = (entry.parse_bucket_options)(map, &path)
        .map_err(|found| errors.extend(found))
        .unwrap_or_default();
    let mut ids = Vec::new();
    let mut inventories = Vec::new();
    let mut overwrite_foreign = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = path.key("inventories").index(i);
        let parsed = (entry.parse_inventory)(&body.region, item, &item_path);
        if let Some(id) = parsed.id {
            if parsed.overwrite_foreign {
                overwrite_foreign.insert(id.clone());
            }
            ids.push((i, id));
        }
        match parsed.result {
            Ok(inventory) => inventories.push(inventory),
            Err(found) => errors.extend(found),
        }
    }
    let id_refs: Vec<(usize, &str)> = ids.iter().map(|(i, id)| (*i, id.as_str())).collect();
    validate::check_ids_unique(&id_refs, body.inventories.len(), errors);
    if errors.len() > before {
        return (identity, None);
    }
    let key = BucketKey {
        provider,
        bucket: body.bucket,
        region: body.region,
    };
    (
        identity,
        Some((
            key,
            body.prune,
            body.mode,
            endpoint,
            options,
            inventories,
            overwrite_foreign,
        )),
    )
}

/// `provider` and the provider's own keys were taken out before deserializing the rest of
/// `spec`; name them among the allowed, and the providers whose key it is when the key is
/// another provider's (S3's `profile` on a COS bucket).
fn without_provider_hint(mut error: FieldError, spec: &FieldPath, own: &[&str]) -> FieldError {
    if error.path.parent() == *spec
        && let Some(hint) = &error.hint
        && let Some(list) = hint.strip_prefix("allowed fields: ")
    {
        let owners: Vec<&str> = Provider::ALL
            .into_iter()
            .map(registry::spec)
            .filter(|p| p.bucket_keys.iter().any(|k| error.path == spec.key(*k)))
            .map(|p| p.name)
            .collect();
        let own: String = own.iter().map(|k| format!("{k}, ")).collect();
        let allowed = format!("allowed fields: provider, {own}{list}");
        error.hint = Some(if owners.is_empty() {
            allowed
        } else {
            format!(
                "a bucket key of `provider: {}` only; {allowed}",
                owners.join("` and `provider: ")
            )
        });
    }
    error
}

/// Reports every key of `map` that is not in `allowed`.
fn check_keys(
    map: &Map<String, Value>,
    path: &FieldPath,
    allowed: &[&str],
    errors: &mut Vec<FieldError>,
) {
    for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
        let hint = did_you_mean(key, allowed.iter().copied())
            .unwrap_or_else(|| format!("allowed fields: {}", allowed.join(", ")));
        errors.push(
            FieldError::new(path.key(key.clone()), format!("unknown field `{key}`")).hint(hint),
        );
    }
}

/// The required field `name` of `map`, deserialized; problems go to `errors`.
fn field<T: DeserializeOwned>(
    map: &Map<String, Value>,
    path: &FieldPath,
    name: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let field_path = path.key(name.to_string());
    let Some(value) = map.get(name) else {
        errors.push(FieldError::new(
            field_path,
            format!("missing required field `{name}`"),
        ));
        return None;
    };
    collect::deserialize(value, &field_path)
        .map_err(|found| errors.extend(found))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_providers_own_bucket_keys_are_named_among_the_allowed_fields() {
        let spec = FieldPath::root().key("spec");
        let error = FieldError::new(spec.key("forcePathStyl"), "unknown field `forcePathStyl`")
            .hint("allowed fields: bucket, region");
        let hinted = without_provider_hint(error, &spec, &["forcePathStyle"]);
        assert_eq!(
            hinted.hint.as_deref(),
            Some("allowed fields: provider, forcePathStyle, bucket, region")
        );
    }

    #[test]
    fn another_providers_bucket_key_is_named_as_theirs() {
        let spec = FieldPath::root().key("spec");
        let error = FieldError::new(spec.key("profile"), "unknown field `profile`")
            .hint("allowed fields: bucket, region");
        let hinted = without_provider_hint(error, &spec, &[]);
        assert_eq!(
            hinted.hint.as_deref(),
            Some("a bucket key of `provider: s3` only; allowed fields: provider, bucket, region")
        );
    }
}
