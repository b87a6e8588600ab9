//! [`EmulatedProvider`]: what one emulated provider contributes to the shared pipeline.

use std::collections::BTreeMap;
use std::time::SystemTime;

use axum::http::HeaderMap;

use super::bucket_index::{BucketFilter, BucketPage};
use super::config::EmulatorConfig;
use super::errors::{ApiError, ErrorContext};
use super::faults::{FaultConfig, InjectedError};
use super::route::{ApiRequest, HostTarget, RequestLine, RouteError};
use super::state::{ListOrder, PutMode};
use super::tagging::{TagFault, TagRules};
use super::wire::WireRequest;
use super::xmltree::Element;
use crate::model::{Inventory, Provider};

/// How strongly a provider claims a request to a host that no provider's endpoint forms name
/// (an IP address, `localhost`). The strongest claim wins; ties go to the first in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Claim {
    /// Never this provider's.
    No,
    /// This provider's unless another one recognises the request.
    Fallback,
    /// This provider's: the request carries its signature.
    Signed,
}

/// Something that went wrong in a way every provider reports, each in its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A PUT body that is not well-formed or not an `InventoryConfiguration`.
    MalformedXml,
    /// The query id and the body's `<Id>` differ.
    IdMismatch,
    /// GET of an id that does not exist.
    NoSuchConfiguration,
    /// A bucket the emulator does not know (strict buckets only).
    NoSuchBucket(String),
    /// PUT of an id that exists, under create-only rules.
    AlreadyExists,
    /// PUT of a new id into a bucket that holds the most configurations allowed.
    TooManyConfigurations,
    /// A continuation token the emulator did not issue.
    InvalidToken,
    /// `Content-MD5` that does not match the body.
    DigestMismatch,
    /// The throttling answer fault injection sends when no errors are configured.
    Throttled,
}

impl Failure {
    /// The answer most services give; a dialect words the rest (and may word these) itself.
    pub(crate) fn common_answer(&self) -> ApiError {
        match self {
            Failure::MalformedXml => ApiError::malformed_xml(),
            Failure::IdMismatch => ApiError::invalid_argument(
                "The id parameter does not match the Id in the request body.",
            ),
            Failure::NoSuchConfiguration => ApiError::new(
                404,
                "NoSuchConfiguration",
                "The specified configuration does not exist.",
            ),
            Failure::NoSuchBucket(_) => ApiError::no_such_bucket(),
            Failure::AlreadyExists => ApiError::already_exists(),
            Failure::TooManyConfigurations => ApiError::invalid_argument(
                "The number of inventory configurations exceeds the limit of 1000.",
            ),
            Failure::InvalidToken => {
                ApiError::invalid_argument("The continuation token provided is incorrect.")
            }
            Failure::DigestMismatch => ApiError::bad_digest(),
            Failure::Throttled => {
                ApiError::new(503, "SlowDown", "Please reduce your request rate.")
            }
        }
    }
}

/// One emulated provider: how its requests are recognised and routed, how their signatures
/// are verified, the rules its operations follow on the shared store, and how its answers
/// look (status codes, XML error bodies, request-id headers).
///
/// One implementation per provider lives in its own folder; the table in `dialects`
/// lists them. The pipeline consults the table once per request and talks
/// to the chosen implementation only through this trait.
pub(crate) trait EmulatedProvider: Sync {
    /// The provider whose store, statistics and fault scope this dialect's requests use.
    fn provider(&self) -> Provider;

    // Route.

    /// Where `host` (port included) sends a request when it is one of this provider's
    /// endpoint forms; `None` for any other host.
    fn parse_host(&self, host: &str) -> Option<HostTarget>;

    /// How strongly this provider claims a request, by its headers, when its host is none of
    /// any provider's endpoint forms.
    fn plain_host_claim(&self, headers: &HeaderMap) -> Claim;

    /// The call a request recognised as this provider's makes.
    ///
    /// # Errors
    /// The answer for a request that is not an emulated call (501, 405, 400).
    fn route(&self, target: HostTarget, line: &RequestLine<'_>) -> Result<ApiRequest, RouteError>;

    // Verify the signature.

    /// Checks the request's signature (and whatever else the provider checks with it)
    /// against the configured credentials at time `now`. `bucket_region` is the region the
    /// store records for the addressed bucket, if any.
    ///
    /// # Errors
    /// The provider's answer for the first check that fails.
    fn authenticate(
        &self,
        config: &EmulatorConfig,
        request: &ApiRequest,
        wire: &WireRequest<'_>,
        bucket_region: Option<&str>,
        now: SystemTime,
    ) -> Result<(), ApiError>;

    // Execute on the shared store.

    /// How a PUT treats an id that already exists.
    fn put_mode(&self) -> PutMode;

    /// The order LIST serves configurations in.
    fn list_order(&self) -> ListOrder;

    /// Checks a PUT body against the provider's schema; `root` is its parsed element.
    ///
    /// # Errors
    /// The provider's 400 for a body it refuses.
    fn validate_put(&self, body: &[u8], root: &Element) -> Result<(), ApiError>;

    /// Provider-specific checks and completion of a PUT body whose shared rules passed.
    ///
    /// # Errors
    /// The provider's 400 for an id or body it refuses.
    fn finish_put(&self, id: &str, root: &mut Element) -> Result<(), ApiError>;

    /// The status of a successful PUT.
    fn put_status(&self) -> u16 {
        200
    }

    /// The GET answer for a stored configuration (compact XML, no declaration).
    fn get_document(&self, stored: &str) -> String;

    /// The LIST answer for one page.
    ///
    /// # Errors
    /// The provider's answer when it refuses the listing (OSS: a bucket without
    /// configurations).
    fn list_document(&self, listing: &Listing<'_>) -> Result<String, ApiError>;

    /// The provider's answer for `failure` ([`Failure::common_answer`] unless it words it
    /// otherwise).
    fn error(&self, failure: &Failure) -> ApiError {
        failure.common_answer()
    }

    /// `inventory` in the provider's PUT wire form; `None` when it is another provider's.
    fn put_body(&self, inventory: &Inventory) -> Option<Result<String, String>>;

    /// The ids among `stored` (configurations as GET serves them, in listing order) that the
    /// service deletes by itself once their one run is done (OSS `Once` with `AutoDelete`).
    /// None by default.
    fn completed_runs(&self, _stored: &[String]) -> Vec<String> {
        Vec::new()
    }

    // Bucket listing and tags.

    /// The region of a bucket whose first write named none (a path-style request to a
    /// plain host), and of buckets a state file lists without one.
    fn default_region(&self, config: &EmulatorConfig) -> String;

    /// The region of a bucket that `request`, a write, brings into existence: the one its
    /// Host names, else [`EmulatedProvider::default_region`].
    fn implied_region(&self, config: &EmulatorConfig, request: &ApiRequest) -> String {
        request
            .region
            .clone()
            .unwrap_or_else(|| self.default_region(config))
    }

    /// Which buckets a listing request asks for, read from its query.
    ///
    /// # Errors
    /// The provider's 400 for a paging or filter parameter it refuses.
    fn bucket_filter(&self, request: &ApiRequest) -> Result<BucketFilter, ApiError>;

    /// The bucket listing answer for one page.
    fn buckets_document(&self, listing: &BucketListing<'_>) -> String;

    /// The provider's limits on a bucket's tags.
    fn tag_rules(&self) -> &'static TagRules;

    /// The provider's answer for a tagging body it refuses.
    fn tag_error(&self, fault: &TagFault) -> ApiError;

    /// The GET tagging answer for `tags`; for a bucket without tags, the provider's "no
    /// tags" answer.
    ///
    /// # Errors
    /// That answer, where the provider makes it an error (S3, COS: 404).
    fn tags_document(&self, tags: &BTreeMap<String, String>) -> Result<String, ApiError>;

    /// The status of a successful tagging PUT.
    fn put_tags_status(&self) -> u16 {
        200
    }

    /// The answer to a tagging DELETE on a bucket without tags.
    ///
    /// # Errors
    /// The provider's error, where it has one (COS: 404).
    fn delete_missing_tags(&self) -> Result<(), ApiError> {
        Ok(())
    }

    // Reply.

    /// A request id in the provider's format, unique per `counter`.
    fn request_id(&self, now: SystemTime, counter: u64, random: u32) -> String;

    /// Adds the headers the provider puts on every answer (request id, server, …).
    fn stamp(&self, headers: &mut HeaderMap, request_id: &str, now: SystemTime);

    /// The XML body of an error answer.
    fn error_body(&self, error: &ApiError, at: &ErrorContext<'_>) -> String;

    /// Adds the headers the provider puts on error answers only.
    fn stamp_error(&self, _headers: &mut HeaderMap, _error: &ApiError) {}

    /// The errors fault injection may send this provider's requests (empty: [`Failure::Throttled`]).
    fn injected_errors<'f>(&self, faults: &'f FaultConfig) -> &'f [InjectedError];

    // Objects, bucket policy and report delivery.

    /// How the provider answers object listings, object reads and bucket-policy calls.
    fn object_rules(&self) -> &'static ObjectRules;

    /// How the provider delivers inventory reports into destination buckets.
    fn reports(&self) -> &'static dyn ReportDialect;
}

/// How one provider answers the object and bucket-policy calls: the knobs of the shared
/// implementation in `object_ops`.
#[derive(Debug)]
pub(crate) struct ObjectRules {
    /// The namespace of `ListBucketResult`, when the provider sets one.
    pub(crate) namespace: Option<&'static str>,
    /// `NextMarker` on every truncated V1 page (OSS, COS), not only with a delimiter (S3).
    pub(crate) next_marker_always: bool,
    /// ListObjectsV2 (`list-type=2`) is served.
    pub(crate) list_v2: bool,
    /// ETags in upper-case hex (OSS).
    pub(crate) etag_upper: bool,
    /// `<Type>Normal</Type>` in each listed object (OSS).
    pub(crate) object_type: bool,
    /// The owner listed with each object: (ID, DisplayName).
    pub(crate) owner: (&'static str, &'static str),
    /// The status of a successful PutBucketPolicy.
    pub(crate) put_policy_status: u16,
    /// The answer for GetBucketPolicy on a bucket without one.
    pub(crate) no_policy: fn() -> ApiError,
    /// The answer for GetObject of a key that does not exist.
    pub(crate) no_such_key: fn() -> ApiError,
}

/// What a provider contributes to report delivery: how it reads a stored configuration, who
/// it lets write into a destination, and the files of one report in its layout.
pub(crate) trait ReportDialect: Sync {
    /// The delivery a stored configuration asks for; `None` when it is disabled or names no
    /// destination the provider could write.
    fn plan(&self, config: &Element) -> Option<DeliveryPlan>;

    /// Whether the provider's inventory service may write `key` into the destination,
    /// judged by the destination's bucket `policy` (S3, COS) or the emulator's role switches
    /// (OSS).
    ///
    /// # Errors
    /// Why not, in words for `/_emulator/deliveries`.
    fn permits(&self, grant: &GrantQuery<'_>) -> Result<(), String>;

    /// The objects of one report, key → bytes: data file, `manifest.json`,
    /// `manifest.checksum`, in the provider's layout.
    fn files(&self, report: &ReportInput<'_>) -> Vec<(String, Vec<u8>)>;
}

/// A stored configuration's delivery, read by a [`ReportDialect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeliveryPlan {
    /// The destination bucket's name as the emulator stores it.
    pub(crate) bucket: String,
    /// The destination prefix, as configured (may be empty).
    pub(crate) prefix: String,
    /// `CSV`, `ORC`, `Parquet`.
    pub(crate) format: String,
    /// `Destination/AccountId`, when configured.
    pub(crate) account: Option<String>,
    /// `Destination/RoleArn` (OSS), when configured.
    pub(crate) role_arn: Option<String>,
    pub(crate) schedule: Schedule,
    /// `Filter/Prefix`, when configured: only these source keys are listed.
    pub(crate) filter_prefix: String,
}

/// When reports are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schedule {
    Daily,
    Weekly,
    /// On this day of the month (clamped to the month's last day).
    Monthly(u32),
    /// Once, at the first due time after creation.
    Once,
}

/// Whether a provider lets its inventory service write one report object.
#[derive(Clone, Copy)]
pub(crate) struct GrantQuery<'a> {
    pub(crate) source_bucket: &'a str,
    pub(crate) plan: &'a DeliveryPlan,
    /// The destination bucket's region.
    pub(crate) region: &'a str,
    /// The destination bucket policy, when set.
    pub(crate) policy: Option<&'a str>,
    /// The key the report writes (its manifest).
    pub(crate) key: &'a str,
    pub(crate) config: &'a EmulatorConfig,
    /// Roles marked writable (`PUT /_emulator/roles/…`), named by `role_name`.
    pub(crate) roles: &'a std::collections::BTreeSet<String>,
    /// The name `roles` holds a role under, from its account uid and role name.
    pub(crate) role_name: &'a dyn Fn(&str, &str) -> String,
}

/// What a report is made of.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReportInput<'a> {
    pub(crate) source_bucket: &'a str,
    pub(crate) config_id: &'a str,
    pub(crate) plan: &'a DeliveryPlan,
    /// The scheduled time the report is stamped with, seconds since the epoch.
    pub(crate) stamp: u64,
    /// The data file (gzip CSV), already built.
    pub(crate) data: &'a [u8],
    /// The data file's column names, as `fileSchema` lists them.
    pub(crate) schema: &'a str,
    /// Objects listed.
    pub(crate) object_count: usize,
    /// Their total size.
    pub(crate) total_size: u64,
}

/// One LIST page, as a dialect renders it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listing<'a> {
    /// Served XML of each configuration, in listing order.
    pub(crate) items: &'a [String],
    /// The token the request gave, if any.
    pub(crate) token: Option<&'a str>,
    /// The token of the next page; `Some` exactly when the listing is truncated.
    pub(crate) next_token: Option<&'a str>,
    /// The bucket holds no configuration at all.
    pub(crate) bucket_is_empty: bool,
}

/// One page of the account's buckets, as a dialect renders it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BucketListing<'a> {
    /// The listing request (its query is echoed where the provider echoes it).
    pub(crate) request: &'a ApiRequest,
    /// The filter the dialect read from that query.
    pub(crate) filter: &'a BucketFilter,
    pub(crate) page: &'a BucketPage,
    /// For the owner the provider names.
    pub(crate) config: &'a EmulatorConfig,
}
