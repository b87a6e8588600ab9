//! Provider-neutral domain types: what a bucket's inventory configurations are, desired or live.
//!
//! Everything here is plain data, already validated. Manifests are turned into these types by
//! [`crate::manifest`]; provider clients turn wire XML into them at the provider boundary. The
//! plan engine compares them without knowing where they came from.
//!
//! The bottom floor: nothing here imports another module of the crate, and nothing here names
//! a provider. A provider's configuration shape lives in its own folder and is held here as an
//! [`Inventory`], so adding a provider changes nothing in this module.

pub mod delivery;
pub(crate) mod discovered;
pub mod endpoint;
pub mod glob;
pub mod inventory;
pub mod live;
pub mod policy;
pub mod selector;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use delivery::{
    Delivery, DeliveryHealth, DeliveryState, Readiness, ReportLocation, ReportSchedule, StampFormat,
};
pub use discovered::{BucketFilter, DiscoveredBucket};
pub(crate) use endpoint::Endpoint;
pub use inventory::{BucketOptions, Inventory, ProviderBucketOptions, ProviderInventory};
pub use live::{ForeignConfig, LiveConfig, all_modelled};
pub use policy::{InventoryPolicy, PolicyShare};

/// The cloud whose inventory API a bucket lives behind, by the lowercase name used in
/// manifests, logs, metrics and JSON output (`cos`, `oss`, `s3`).
///
/// The set is open: each provider folder names its own provider, and the provider table
/// (`crate::provider::registry`) lists them; nothing here knows one. Ordered by name, which is
/// the order plans are printed in.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Provider(&'static str);

impl Provider {
    /// The provider named `name`; only a provider's own folder names itself.
    pub(crate) const fn named(name: &'static str) -> Self {
        Provider(name)
    }

    /// The lowercase name used in manifests, logs, metrics and JSON output.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Provider {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// Identifies one bucket: the unit of ownership, planning and reconciliation.
///
/// Ordered by provider, then bucket, then region, which is the order plans are printed in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct BucketKey {
    /// The provider serving the bucket (`spec.provider`).
    pub provider: Provider,
    /// The bucket's name as the provider spells it (COS: `name-appid`; `spec.bucket`).
    pub bucket: String,
    /// The region id, e.g. `ap-guangzhou`, `cn-hangzhou` or `us-east-1` (`spec.region`).
    pub region: String,
}

impl fmt::Display for BucketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{} ({})", self.provider, self.bucket, self.region)
    }
}

/// Whether an inventory report lists every object version or only the current one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum IncludedObjectVersions {
    /// Every version of every object, noncurrent ones included.
    All,
    /// Only the current version of each object.
    Current,
}

impl IncludedObjectVersions {
    /// The API's spelling, identical in COS and OSS.
    pub fn as_str(self) -> &'static str {
        match self {
            IncludedObjectVersions::All => "All",
            IncludedObjectVersions::Current => "Current",
        }
    }
}

/// How often an inventory report is produced.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Frequency {
    /// A report every day.
    Daily,
    /// A report every week.
    Weekly,
    /// Comes with a day of the month (COS `monthlyDate`, OSS `dayOfMonth`).
    Monthly,
    /// OSS only: one report, then nothing (with `autoDelete`, the service then deletes the
    /// configuration itself).
    Once,
}

impl Frequency {
    /// The API's spelling, identical in COS and OSS.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "Daily",
            Frequency::Weekly => "Weekly",
            Frequency::Monthly => "Monthly",
            Frequency::Once => "Once",
        }
    }
}

/// The file format of inventory reports.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum ReportFormat {
    /// Comma-separated values, one object per line.
    #[serde(rename = "CSV")]
    Csv,
    /// COS only.
    #[serde(rename = "ORC")]
    Orc,
}

impl ReportFormat {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Csv => "CSV",
            ReportFormat::Orc => "ORC",
        }
    }
}

/// Where a declaration came from, for messages that point the user at it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The manifest file, as the manifests directory joined with its path below it.
    pub file: PathBuf,
    /// Zero-based index of the YAML document within the file.
    pub document: usize,
    /// One-based line of the document's start, when known.
    pub line: Option<usize>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, " (document {})", self.document + 1)
    }
}

/// Whether invsync corrects a bucket's drift (`spec.mode` in a manifest).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BucketMode {
    /// Drift is reported and corrected.
    #[default]
    Enforce,
    /// Drift is reported (logged, counted, notified, planned) but never written: for buckets
    /// owned by another team or being migrated.
    Observe,
}

impl BucketMode {
    /// True for the default, [`BucketMode::Enforce`].
    pub(crate) fn is_enforce(&self) -> bool {
        *self == BucketMode::Enforce
    }

    /// The manifest spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BucketMode::Enforce => "enforce",
            BucketMode::Observe => "observe",
        }
    }
}

/// The complete desired inventory configurations of one managed bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredBucket {
    /// Which bucket (`spec.provider`, `spec.bucket`, `spec.region`).
    pub key: BucketKey,
    /// `metadata.name` of the manifest document.
    pub name: String,
    /// Delete live configurations that are not declared (the bucket's own manifest says so).
    /// Policies prune only what they own: see [`DesiredBucket::prunes`].
    pub prune: bool,
    /// Correct drift, or only report it. Policies observe only their own ids: see
    /// [`DesiredBucket::observes`].
    pub mode: BucketMode,
    /// Where requests for this bucket go instead of the provider's public endpoint.
    pub endpoint: Option<Endpoint>,
    /// Bucket-level settings only the bucket's provider has (validated by it, given to its
    /// client).
    pub options: ProviderBucketOptions,
    /// The manifest document that declares the bucket (or the first policy selecting it).
    pub origin: Origin,
    /// Declared configurations, in manifest order; ids are unique.
    pub inventories: Vec<Inventory>,
    /// Ids declared with `overwriteForeign: true`: the manifest wins over a live configuration
    /// invsync cannot fully read (see [`ForeignConfig`]).
    pub overwrite_foreign: BTreeSet<String>,
    /// What fleet policies contribute to this bucket, by policy name; empty for a bucket only
    /// its own manifest declares. A bucket no manifest declares has `prune: false`, `mode:
    /// enforce` and [`Origin`] of the first policy.
    pub policies: Vec<PolicyShare>,
}

impl DesiredBucket {
    /// True when an undeclared live configuration `id` is to be deleted: the bucket's manifest
    /// prunes, or a pruning policy owns the id (its prefix).
    pub fn prunes(&self, id: &str) -> bool {
        self.prune
            || self
                .policies
                .iter()
                .any(|p| p.prune && id.starts_with(&p.id_prefix))
    }

    /// True when a change of `id` is drift to report, never to write: the bucket observes, or
    /// an observing policy declares or owns the id.
    pub fn observes(&self, id: &str) -> bool {
        self.mode == BucketMode::Observe
            || self
                .policies
                .iter()
                .any(|p| p.mode == BucketMode::Observe && p.covers(id))
    }

    /// True for a bucket no manifest declares: only policies put it in the desired state (it
    /// then carries the name and origin of the first policy that selected it).
    pub fn only_policies(&self) -> bool {
        self.policies
            .first()
            .is_some_and(|first| first.origin == self.origin && first.policy == self.name)
    }

    /// The policy that declares `id` here, when one does.
    pub fn declared_by_policy(&self, id: &str) -> Option<&PolicyShare> {
        self.policies.iter().find(|p| p.ids.contains(id))
    }
}

/// The desired state of every managed bucket at one revision of the manifests directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DesiredState {
    /// The git commit of the directory when it has one, otherwise a digest of the manifest files.
    pub revision: String,
    /// Every managed bucket, by key: declared by its own manifest, selected by policies, or both.
    pub buckets: BTreeMap<BucketKey, DesiredBucket>,
    /// Every `kind: InventoryPolicy` document, loaded, not yet expanded (see
    /// [`crate::fleet::expand`]); sorted by name.
    pub policies: Vec<InventoryPolicy>,
}
