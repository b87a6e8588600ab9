//! Provider-neutral domain types: what a bucket's inventory configurations are, desired or live.
//!
//! Everything here is plain data, already validated. Manifests are turned into these types by
//! [`crate::manifest`]; provider clients turn wire XML into them at the provider boundary. The
//! plan engine compares them without knowing where they came from.
//!
//! The bottom floor: nothing here imports another module of the crate. Each provider's
//! configuration shape (`cos`, `oss`, `s3`) is domain data too, so that [`Inventory`] needs no
//! provider code.

pub mod cos;
pub mod discovered;
pub mod live;
pub mod oss;
pub mod s3;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use cos::{CosDestination, CosFilter, CosInventory, CosPeriod, CosSchedule, CosTag};
pub use discovered::DiscoveredBucket;
pub use live::{ForeignConfig, LiveConfig, all_modelled};
pub use oss::{OssDestination, OssEncryption, OssFilter, OssIncrementalInventory, OssInventory};
pub use s3::{S3BucketOptions, S3Destination, S3Encryption, S3Format, S3Inventory};

/// The cloud whose inventory API a bucket lives behind.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Tencent Cloud Object Storage.
    Cos,
    /// Alibaba Cloud Object Storage Service.
    Oss,
    /// Amazon Simple Storage Service.
    S3,
}

impl Provider {
    /// Every provider, in plan order (the order of [`Provider`]'s variants).
    pub const ALL: [Provider; 3] = [Provider::Cos, Provider::Oss, Provider::S3];

    /// The lowercase name used in manifests, logs, metrics and JSON output.
    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Cos => "cos",
            Provider::Oss => "oss",
            Provider::S3 => "s3",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies one bucket: the unit of ownership, planning and reconciliation.
///
/// Ordered by provider, then bucket, then region, which is the order plans are printed in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BucketKey {
    pub provider: Provider,
    pub bucket: String,
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
    All,
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
    Daily,
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

/// One inventory configuration of one bucket, in the shape of its provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inventory {
    Cos(CosInventory),
    Oss(OssInventory),
    S3(S3Inventory),
}

impl Inventory {
    /// The configuration id, unique within its bucket.
    pub fn id(&self) -> &str {
        match self {
            Inventory::Cos(c) => &c.id,
            Inventory::Oss(c) => &c.id,
            Inventory::S3(c) => &c.id,
        }
    }

    /// Gives the configuration another id (callers keep ids unique within the bucket).
    pub fn set_id(&mut self, id: String) {
        match self {
            Inventory::Cos(c) => c.id = id,
            Inventory::Oss(c) => c.id = id,
            Inventory::S3(c) => c.id = id,
        }
    }

    /// Whether the service produces reports for it, to read or change.
    pub fn enabled_mut(&mut self) -> &mut bool {
        match self {
            Inventory::Cos(c) => &mut c.enabled,
            Inventory::Oss(c) => &mut c.enabled,
            Inventory::S3(c) => &mut c.enabled,
        }
    }

    /// The object key prefix its reports are limited to, to read or change.
    pub fn filter_prefix_mut(&mut self) -> &mut Option<String> {
        match self {
            Inventory::Cos(c) => &mut c.filter.prefix,
            Inventory::Oss(c) => &mut c.filter.prefix,
            Inventory::S3(c) => &mut c.filter_prefix,
        }
    }

    /// The provider this configuration belongs to.
    pub fn provider(&self) -> Provider {
        match self {
            Inventory::Cos(_) => Provider::Cos,
            Inventory::Oss(_) => Provider::Oss,
            Inventory::S3(_) => Provider::S3,
        }
    }
}

/// Bucket-level settings only one provider has (`spec.<key>` of a manifest, beside `bucket`,
/// `region`, `endpoint`), carried from the manifest to the provider's client constructor and
/// rendered back by `import`. Opaque to everything but the provider that declares them.
///
/// A provider without such keys uses [`ProviderBucketOptions::None`]; a provider with some
/// adds a variant holding its own validated type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProviderBucketOptions {
    /// No provider-specific bucket-level settings.
    #[default]
    None,
    /// S3's `expectedBucketOwner` and `forcePathStyle`.
    S3(S3BucketOptions),
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
    pub fn is_enforce(&self) -> bool {
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
    pub key: BucketKey,
    /// `metadata.name` of the manifest document.
    pub name: String,
    /// Delete live configurations that are not declared.
    pub prune: bool,
    /// Correct drift, or only report it.
    pub mode: BucketMode,
    /// Where requests for this bucket go instead of the provider's public endpoint.
    pub endpoint: Option<String>,
    /// Bucket-level settings only the bucket's provider has (validated by it, given to its
    /// client).
    pub options: ProviderBucketOptions,
    pub origin: Origin,
    /// Declared configurations, in manifest order; ids are unique.
    pub inventories: Vec<Inventory>,
    /// Ids declared with `overwriteForeign: true`: the manifest wins over a live configuration
    /// invsync cannot fully read (see [`ForeignConfig`]).
    pub overwrite_foreign: BTreeSet<String>,
}

/// The desired state of every managed bucket at one revision of the manifests directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DesiredState {
    /// The git commit of the directory when it has one, otherwise a digest of the manifest files.
    pub revision: String,
    pub buckets: BTreeMap<BucketKey, DesiredBucket>,
}

/// The live inventory configurations of one bucket, as its provider reported them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveBucket {
    pub key: BucketKey,
    pub configs: Vec<LiveConfig>,
}
