//! Manifests: YAML files declaring the desired inventory configurations of buckets.
//!
//! [`load_dir`] reads a directory into a [`crate::model::DesiredState`] or reports every
//! problem as a [`Diagnostic`]. `schema` holds the serde types of the format; `from_model`
//! serializes the model back to it; [`json_schema`] describes it for editors.
//!
//! Pipeline: `walk` finds the files; `events` (plain files) or `bare` (the rest) parse their
//! YAML documents fast, and a file with any problem is parsed again by `lines`, which remembers
//! the line of every node for the diagnostics; `document` reads each piece with `collect`
//! (every serde error, not just the first) and checks it with `validate`, and `load` assembles
//! the result and finds duplicate buckets. `policy` reads `kind: InventoryPolicy` documents,
//! whose items `template` fills in per bucket; `policy_checks` finds policies that clash.
//! [`check_endpoints`] then applies the operator's endpoint policy to the loaded revision.

pub mod bare;
pub mod document;
pub mod endpoints;
pub mod events;
pub mod from_model;
pub mod import;
pub mod json_schema;
pub mod limits;
pub mod lines;
pub mod load;
pub mod policy;
pub(crate) mod policy_checks;
pub(crate) mod provider_field;
pub mod revision;
pub mod schema;
pub mod template;
pub mod validate;
pub mod walk;

// Provider manifests build on these; they live in the kit, below the providers.
pub use crate::provider::kit::collect;
pub use crate::provider::kit::diagnostic;
pub use crate::provider::kit::storage_classes;
pub use diagnostic::{Diagnostic, ManifestErrors};
pub use endpoints::check_endpoints;
pub use json_schema::json_schema;
pub use load::{ParseCache, load_dir, load_dir_cached, parse_document_text};
