//! proptest strategies for valid model values of both providers.
//!
//! "Valid" means what manifest validation and the provider conversions can produce: ids from
//! `[A-Za-z0-9._-]`, `monthlyDate` only with `Monthly` (COS), a tag filter only with `Tag`
//! among the optional fields, period start <= end, OSS `dayOfMonth` only with `Monthly` and `autoDelete` only with `Once`, `CSV` only. Within
//! that, values deliberately include spellings normalization must see through: unsorted and
//! repeated list items, `""` for absent strings, zero OSS bounds, `All` storage classes, OSS
//! destination buckets with and without `acs:oss:::`.
#![allow(dead_code)]

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

use invsync::model::{
    BucketKey, DesiredBucket, ForeignConfig, Frequency, IncludedObjectVersions, Inventory,
    LiveConfig, Origin, Provider, ReportFormat,
};
use invsync::provider::cos::model::{
    CosDestination, CosFilter, CosInventory, CosPeriod, CosSchedule, CosTag,
};
use invsync::provider::oss::model::{
    OssDestination, OssEncryption, OssFilter, OssIncrementalInventory, OssInventory,
};
use invsync::provider::s3::model::{S3Destination, S3Encryption, S3Inventory};

const COS_FIELDS: &[&str] = &[
    "Size",
    "LastModifiedDate",
    "ETag",
    "StorageClass",
    "IsMultipartUploaded",
    "ReplicationStatus",
    "Tag",
    "Crc64",
];
const OSS_FIELDS: &[&str] = invsync::provider::oss::model::OPTIONAL_FIELDS;
const S3_FIELDS: &[&str] = invsync::provider::s3::model::OPTIONAL_FIELDS;
const OSS_INCREMENTAL_FIELDS: &[&str] = invsync::provider::oss::model::INCREMENTAL_OPTIONAL_FIELDS;
const COS_STORAGE_CLASSES: &[&str] = &["STANDARD", "STANDARD_IA", "ARCHIVE", "DEEP_ARCHIVE"];
const OSS_STORAGE_CLASSES: &[&str] = invsync::provider::oss::model::STORAGE_CLASSES;
/// OSS filter timestamps must lie in this range.
const OSS_TIME_RANGE: std::ops::RangeInclusive<i64> = 1_262_275_200..=253_402_271_999;

/// An inventory id.
pub(crate) fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{1,24}"
}

/// A short path-like string, sometimes empty (which means absent).
fn path() -> impl Strategy<Value = String> {
    "[a-z0-9/_.-]{0,12}"
}

fn versions() -> impl Strategy<Value = IncludedObjectVersions> {
    prop_oneof![
        Just(IncludedObjectVersions::All),
        Just(IncludedObjectVersions::Current)
    ]
}

/// A list drawn from `pool`, shuffled, with some items repeated.
fn field_list(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    (subsequence(pool, 0..=pool.len()), vec(select(pool), 0..2)).prop_flat_map(|(mut set, dup)| {
        set.extend(dup);
        Just(set.into_iter().map(String::from).collect::<Vec<_>>()).prop_shuffle()
    })
}

fn cos_schedule() -> impl Strategy<Value = CosSchedule> {
    prop_oneof![
        Just(CosSchedule {
            frequency: Frequency::Daily,
            monthly_date: None
        }),
        Just(CosSchedule {
            frequency: Frequency::Weekly,
            monthly_date: None
        }),
        (1u8..=28).prop_map(|day| CosSchedule {
            frequency: Frequency::Monthly,
            monthly_date: Some(day)
        }),
    ]
}

fn cos_period() -> impl Strategy<Value = CosPeriod> {
    (
        option::of(0i64..2_000_000_000),
        option::of(0i64..2_000_000_000),
    )
        .prop_map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) => CosPeriod {
                start_time: Some(a.min(b)),
                end_time: Some(a.max(b)),
            },
            (start_time, end_time) => CosPeriod {
                start_time,
                end_time,
            },
        })
}

fn cos_tags() -> impl Strategy<Value = Vec<CosTag>> {
    vec(("[a-z]{1,4}", "[a-z0-9]{0,4}"), 0..4).prop_map(|tags| {
        tags.into_iter()
            .map(|(key, value)| CosTag { key, value })
            .collect()
    })
}

/// A valid COS inventory.
pub(crate) fn cos_inventory() -> impl Strategy<Value = CosInventory> {
    let filter = (
        option::of(path()),
        cos_tags(),
        option::of(prop_oneof![
            Just(String::new()),
            select(COS_STORAGE_CLASSES).prop_map(String::from)
        ]),
        option::of(cos_period()),
    );
    let destination = (
        "[a-z]{3,8}-125[0-9]{7}",
        option::of("[0-9]{0,12}"),
        option::of(path()),
        prop_oneof![Just(ReportFormat::Csv), Just(ReportFormat::Orc)],
        any::<bool>(),
    )
        .prop_map(
            |(bucket, account_id, prefix, format, sse_cos)| CosDestination {
                bucket: format!("qcs::cos:ap-guangzhou::{bucket}"),
                account_id,
                prefix,
                format,
                sse_cos,
            },
        );
    (
        id(),
        any::<bool>(),
        versions(),
        cos_schedule(),
        filter,
        field_list(COS_FIELDS),
        destination,
    )
        .prop_map(
            |(
                id,
                enabled,
                versions,
                schedule,
                (prefix, tags, storage_class, period),
                mut fields,
                destination,
            )| {
                if !tags.is_empty() && !fields.iter().any(|f| f == "Tag") {
                    fields.push("Tag".to_string());
                }
                CosInventory {
                    id,
                    enabled,
                    included_object_versions: versions,
                    schedule,
                    filter: CosFilter {
                        prefix,
                        tags,
                        storage_class,
                        period,
                    },
                    optional_fields: fields,
                    destination,
                }
            },
        )
}

/// An OSS bound: absent, the zero the server echoes, or a value in range.
fn oss_time() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![Just(None), Just(Some(0)), OSS_TIME_RANGE.prop_map(Some)]
}

fn oss_size() -> impl Strategy<Value = Option<u64>> {
    prop_oneof![Just(None), Just(Some(0)), (1u64..1 << 40).prop_map(Some)]
}

fn oss_filter() -> impl Strategy<Value = OssFilter> {
    (
        option::of(path()),
        oss_time(),
        oss_time(),
        oss_size(),
        oss_size(),
        field_list(OSS_STORAGE_CLASSES),
    )
        .prop_map(|(prefix, begin, end, lower, upper, storage_classes)| {
            let (begin, end) = match (begin, end) {
                (Some(a), Some(b)) if a != 0 && b != 0 => (Some(a.min(b)), Some(a.max(b))),
                other => other,
            };
            let (lower, upper) = match (lower, upper) {
                (Some(a), Some(b)) if a != 0 && b != 0 => (Some(a.min(b)), Some(a.max(b))),
                other => other,
            };
            OssFilter {
                prefix,
                last_modify_begin_time_stamp: begin,
                last_modify_end_time_stamp: end,
                lower_size_bound: lower,
                upper_size_bound: upper,
                storage_classes,
            }
        })
}

fn oss_destination() -> impl Strategy<Value = OssDestination> {
    (
        "[a-z0-9][a-z0-9-]{2,20}",
        any::<bool>(),
        "[0-9]{16}",
        "[A-Za-z]{1,12}",
        option::of(path()),
        prop_oneof![
            Just(None),
            Just(Some(OssEncryption::SseOss)),
            "[a-z0-9-]{1,12}".prop_map(|key_id| Some(OssEncryption::SseKms { key_id })),
        ],
    )
        .prop_map(
            |(bucket, qualified, account_id, role, prefix, encryption)| OssDestination {
                bucket: if qualified {
                    format!("acs:oss:::{bucket}")
                } else {
                    bucket
                },
                role_arn: format!("acs:ram::{account_id}:role/{role}"),
                account_id,
                prefix,
                format: ReportFormat::Csv,
                encryption,
            },
        )
}

/// A valid OSS inventory.
pub(crate) fn oss_inventory() -> impl Strategy<Value = OssInventory> {
    (
        id(),
        any::<bool>(),
        versions(),
        oss_schedule(),
        oss_filter(),
        field_list(OSS_FIELDS),
        oss_destination(),
        option::of(oss_incremental()),
    )
        .prop_map(
            |(
                id,
                enabled,
                versions,
                schedule,
                filter,
                optional_fields,
                destination,
                incremental,
            )| {
                let (frequency, day_of_month, auto_delete) = schedule;
                OssInventory {
                    id,
                    enabled,
                    included_object_versions: versions,
                    frequency,
                    day_of_month,
                    auto_delete,
                    incremental,
                    filter,
                    optional_fields,
                    destination,
                }
            },
        )
}

/// Frequency, day of the month (exactly with `Monthly`), auto-delete (only with `Once`).
fn oss_schedule() -> impl Strategy<Value = (Frequency, Option<u8>, bool)> {
    prop_oneof![
        Just((Frequency::Daily, None, false)),
        Just((Frequency::Weekly, None, false)),
        (1u8..=31).prop_map(|d| (Frequency::Monthly, Some(d), false)),
        any::<bool>().prop_map(|a| (Frequency::Once, None, a)),
    ]
}

fn oss_incremental() -> impl Strategy<Value = OssIncrementalInventory> {
    (
        any::<bool>(),
        option::of(prop_oneof![Just(600u64), 60u64..86_400]),
        field_list(OSS_INCREMENTAL_FIELDS),
    )
        .prop_map(
            |(enabled, frequency_seconds, optional_fields)| OssIncrementalInventory {
                enabled,
                frequency_seconds,
                optional_fields,
            },
        )
}

/// A valid S3 inventory: destination buckets as an ARN or a bare name, blank strings for
/// absent ones.
pub(crate) fn s3_inventory() -> impl Strategy<Value = S3Inventory> {
    (
        (id(), any::<bool>(), path().prop_map(Some)),
        (
            prop_oneof![Just(Frequency::Daily), Just(Frequency::Weekly)],
            versions(),
            field_list(S3_FIELDS),
        ),
        (
            "[a-z0-9]{3,12}",
            any::<bool>(),
            option::of("[0-9]{12}"),
            select(invsync::provider::s3::model::FORMATS),
            option::of(path()),
            0u8..3,
        ),
    )
        .prop_map(
            |(
                (id, enabled, filter_prefix),
                (frequency, included_object_versions, optional_fields),
                (name, as_arn, account_id, format, prefix, encryption),
            )| S3Inventory {
                id,
                enabled,
                filter_prefix,
                destination: S3Destination {
                    bucket: if as_arn {
                        format!("arn:aws:s3:::{name}")
                    } else {
                        name
                    },
                    account_id,
                    format,
                    prefix,
                    encryption: match encryption {
                        0 => None,
                        1 => Some(S3Encryption::SseS3),
                        _ => Some(S3Encryption::SseKms {
                            key_id: "alias/inventory".into(),
                        }),
                    },
                },
                frequency,
                included_object_versions,
                optional_fields,
            },
        )
}

/// A valid inventory of any provider.
pub(crate) fn inventory() -> impl Strategy<Value = Inventory> {
    prop_oneof![
        cos_inventory().prop_map(Inventory::new),
        oss_inventory().prop_map(Inventory::new),
        s3_inventory().prop_map(Inventory::new),
    ]
}

/// Valid inventories of `provider` with unique ids.
pub(crate) fn inventories(
    provider: Provider,
    size: std::ops::Range<usize>,
) -> BoxedStrategy<Vec<Inventory>> {
    let one: BoxedStrategy<Inventory> = match provider {
        Provider::COS => cos_inventory().prop_map(Inventory::new).boxed(),
        Provider::OSS => oss_inventory().prop_map(Inventory::new).boxed(),
        Provider::S3 => s3_inventory().prop_map(Inventory::new).boxed(),
        other => panic!("no strategy for {other} configurations"),
    };
    btree_map(id(), one, size)
        .prop_map(|by_id| {
            by_id
                .into_iter()
                .map(|(id, inventory)| with_id(inventory, id))
                .collect()
        })
        .prop_shuffle()
        .boxed()
}

fn with_id(mut inventory: Inventory, id: String) -> Inventory {
    inventory.set_id(id);
    inventory
}

pub(crate) fn provider() -> impl Strategy<Value = Provider> {
    prop_oneof![Just(Provider::COS), Just(Provider::OSS), Just(Provider::S3)]
}

/// A valid desired bucket of either provider, with up to 12 configurations.
pub(crate) fn desired_bucket() -> impl Strategy<Value = DesiredBucket> {
    provider().prop_flat_map(|provider| {
        (
            "[a-z0-9-]{3,20}",
            "[a-z]{2}-[a-z]{3,10}",
            any::<bool>(),
            inventories(provider, 0..12),
            vec(any::<bool>(), 12),
        )
            .prop_map(move |(bucket, region, prune, inventories, opt_ins)| {
                let key = BucketKey {
                    provider,
                    bucket,
                    region,
                };
                // Some declarations opt in to overwriting a foreign live configuration.
                let overwrite_foreign = inventories
                    .iter()
                    .zip(&opt_ins)
                    .filter(|(_, opted)| **opted)
                    .map(|(i, _)| i.id().to_string())
                    .collect();
                DesiredBucket {
                    overwrite_foreign,
                    name: key.bucket.clone(),
                    key,
                    prune,
                    mode: Default::default(),
                    endpoint: None,
                    options: Default::default(),
                    origin: Origin::default(),
                    inventories,
                    policies: Vec::new(),
                }
            })
    })
}

/// A foreign live configuration: what a newer provider API holds that the model does not.
pub(crate) fn foreign(provider: Provider, id: String) -> LiveConfig {
    LiveConfig::Foreign(ForeignConfig {
        provider,
        raw_xml: format!(
            "<InventoryConfiguration><Id>{id}</Id><FutureFeature/></InventoryConfiguration>"
        ),
        id,
        unmodelled: vec!["FutureFeature".into()],
    })
}

/// Any live set a provider might report, and some it should not: either provider's shape,
/// foreign configurations among modelled ones, ids drawn from a small pool so they collide
/// with declared ones, repeated ids.
pub(crate) fn arbitrary_live() -> impl Strategy<Value = Vec<LiveConfig>> {
    vec(
        (
            inventory(),
            prop_oneof![
                id(),
                select(&["a", "b", "list1"][..]).prop_map(String::from)
            ],
            prop_oneof![3 => Just(false), 1 => Just(true)],
        )
            .prop_map(|(inventory, id, is_foreign)| {
                if is_foreign {
                    foreign(inventory.provider(), id)
                } else {
                    LiveConfig::Modelled(with_id(inventory, id))
                }
            }),
        0..16,
    )
}
