//! Live configurations → a manifest that validates and plans in sync, with what it cannot
//! express printed as YAML comments saying why (design §3a).

use std::path::Path;

use super::from_model::bucket_yaml;
use super::load::parse_document_text;
use crate::model::{
    BucketKey, DesiredBucket, Inventory, LiveConfig, Origin, ProviderBucketOptions,
};
use crate::provider::registry::normalize;

/// What `invsync import` prints for one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The manifest: a valid document, then one comment block per configuration left out.
    pub yaml: String,
    /// Configurations left out: foreign ones, and ones the manifest validation rejects.
    pub left_out: usize,
}

/// The manifest of `live`, the configurations of bucket `key`, named `name`, with the
/// provider's bucket-level `options` (e.g. S3's `expectedBucketOwner`).
///
/// # Guarantees
/// - `yaml` is one valid manifest document (`prune: false`): it loads without error and plans
///   in sync against the same live state (the configurations left out are unmanaged).
/// - Every configuration is either in the document or named in a comment with the reason:
///   the unmodelled paths and the verbatim XML of a foreign configuration, or the validation
///   messages of one the manifest format rejects. Nothing is silently shortened.
pub fn import(
    key: &BucketKey,
    name: &str,
    options: &ProviderBucketOptions,
    live: &[LiveConfig],
) -> Imported {
    let mut kept: Vec<Inventory> = Vec::new();
    let mut comments = String::new();
    let mut left_out = 0;
    let mut sorted: Vec<&LiveConfig> = live.iter().collect();
    sorted.sort_by(|a, b| a.id().cmp(b.id()));
    for config in sorted {
        match config {
            LiveConfig::Modelled(inventory) => {
                let inventory = normalize(inventory);
                match rejection(key, name, &inventory) {
                    None => kept.push(inventory),
                    Some(reasons) => {
                        left_out += 1;
                        comments += &format!(
                            "\n# Not imported: `{}` is valid live but not as a manifest:\n",
                            inventory.id()
                        );
                        for reason in reasons {
                            comments += &format!("#   {reason}\n");
                        }
                    }
                }
            }
            LiveConfig::Foreign(foreign) => {
                left_out += 1;
                comments += &format!(
                    "\n# Not imported: `{}` holds what this invsync does not model: {}.\n\
                     # invsync leaves it untouched. Its live XML:\n",
                    foreign.id,
                    foreign.unmodelled.join(", ")
                );
                for line in foreign.raw_xml.lines() {
                    comments += &format!("#   {line}\n");
                }
            }
        }
    }
    let mut bucket = desired(key, name, kept);
    bucket.options = options.clone();
    Imported {
        yaml: bucket_yaml(&bucket) + &comments,
        left_out,
    }
}

fn desired(key: &BucketKey, name: &str, inventories: Vec<Inventory>) -> DesiredBucket {
    DesiredBucket {
        key: key.clone(),
        name: name.to_string(),
        prune: false,
        mode: Default::default(),
        endpoint: None,
        options: Default::default(),
        origin: Origin::default(),
        inventories,
        overwrite_foreign: Default::default(),
        policies: Vec::new(),
    }
}

/// The validation messages of `inventory` as a manifest, `None` when it is valid.
fn rejection(key: &BucketKey, name: &str, inventory: &Inventory) -> Option<Vec<String>> {
    let yaml = bucket_yaml(&desired(key, name, vec![inventory.clone()]));
    let diagnostics = parse_document_text(Path::new("import"), &yaml).err()?;
    Some(
        diagnostics
            .into_iter()
            .map(|d| {
                let mut reason = format!("{}: {}", d.path, d.message);
                if let Some(hint) = d.hint {
                    reason += &format!(" (hint: {hint})");
                }
                reason
            })
            .collect(),
    )
}
