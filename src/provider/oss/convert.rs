//! Conversions between the OSS wire types ([`super::xml`]) and the domain model.
//!
//! Reading is where server quirks are absorbed: an empty `Prefix`, a zero timestamp or size
//! bound and an empty `StorageClass` mean "not set" (GetBucketInventory echoes a `Filter` of
//! zero values even when none was written; a zero timestamp is outside the accepted range and
//! a zero bound selects everything), and an empty `<Encryption/>` means no encryption.

use crate::model::{Frequency, IncludedObjectVersions, ReportFormat};
use crate::provider::oss::model::{DAYS_OF_MONTH, INCREMENTAL_OPTIONAL_FIELDS, OPTIONAL_FIELDS};
use crate::provider::oss::model::{
    OssDestination, OssEncryption, OssFilter, OssIncrementalInventory, OssInventory,
};

use super::xml;

pub(crate) use crate::provider::wire_convert::ConvertError;
use crate::provider::wire_convert::required;

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_string)
}

fn parse_frequency(value: &str) -> Result<Frequency, ConvertError> {
    match value {
        "Daily" => Ok(Frequency::Daily),
        "Weekly" => Ok(Frequency::Weekly),
        "Monthly" => Ok(Frequency::Monthly),
        "Once" => Ok(Frequency::Once),
        other => Err(ConvertError::Invalid {
            element: "Schedule/Frequency",
            value: other.to_string(),
            expected: "Daily, Weekly, Monthly or Once",
        }),
    }
}

fn parse_day_of_month(value: Option<&str>) -> Result<Option<u8>, ConvertError> {
    value
        .map(|text| {
            text.parse::<u8>()
                .ok()
                .filter(|d| DAYS_OF_MONTH.contains(d))
                .ok_or_else(|| ConvertError::Invalid {
                    element: "Schedule/DayOfMonth",
                    value: text.to_string(),
                    expected: "a day of the month, 1 to 31",
                })
        })
        .transpose()
}

/// Report columns, each one the model knows: an unknown column is a value of a newer API.
fn parse_fields(
    fields: Option<&xml::OptionalFields>,
    known: &[&str],
    element: &'static str,
    expected: &'static str,
) -> Result<Vec<String>, ConvertError> {
    let fields: Vec<String> = fields
        .map(|o| o.fields.iter().map(|f| f.trim().to_string()).collect())
        .unwrap_or_default();
    match fields.iter().find(|f| !known.contains(&f.as_str())) {
        Some(unknown) => Err(ConvertError::Invalid {
            element,
            value: unknown.clone(),
            expected,
        }),
        None => Ok(fields),
    }
}

fn parse_incremental(
    wire: &xml::IncrementalInventory,
) -> Result<OssIncrementalInventory, ConvertError> {
    Ok(OssIncrementalInventory {
        enabled: required(wire.is_enabled, "IncrementalInventory/IsEnabled")?,
        frequency_seconds: wire.schedule.as_ref().and_then(|s| s.frequency),
        optional_fields: parse_fields(
            wire.optional_fields.as_ref(),
            INCREMENTAL_OPTIONAL_FIELDS,
            "IncrementalInventory/OptionalFields/Field",
            "a known incremental inventory field",
        )?,
    })
}

fn parse_versions(value: &str) -> Result<IncludedObjectVersions, ConvertError> {
    match value {
        "All" => Ok(IncludedObjectVersions::All),
        "Current" => Ok(IncludedObjectVersions::Current),
        other => Err(ConvertError::Invalid {
            element: "IncludedObjectVersions",
            value: other.to_string(),
            expected: "All or Current",
        }),
    }
}

fn parse_format(value: &str) -> Result<ReportFormat, ConvertError> {
    match value {
        "CSV" => Ok(ReportFormat::Csv),
        other => Err(ConvertError::Invalid {
            element: "Destination/OSSBucketDestination/Format",
            value: other.to_string(),
            expected: "CSV",
        }),
    }
}

fn parse_encryption(enc: &xml::Encryption) -> Result<Option<OssEncryption>, ConvertError> {
    match (&enc.sse_oss, &enc.sse_kms) {
        (None, None) => Ok(None),
        (Some(_), None) => Ok(Some(OssEncryption::SseOss)),
        (None, Some(kms)) if kms.key_id.is_empty() => Err(ConvertError::Missing {
            element: "Destination/OSSBucketDestination/Encryption/SSE-KMS/KeyId",
        }),
        (None, Some(kms)) => Ok(Some(OssEncryption::SseKms {
            key_id: kms.key_id.clone(),
        })),
        (Some(_), Some(_)) => Err(ConvertError::Invalid {
            element: "Destination/OSSBucketDestination/Encryption",
            value: "SSE-OSS and SSE-KMS".to_string(),
            expected: "exactly one of SSE-OSS or SSE-KMS",
        }),
    }
}

fn parse_destination(dest: &xml::OssBucketDestination) -> Result<OssDestination, ConvertError> {
    let format = required(
        dest.format.as_deref(),
        "Destination/OSSBucketDestination/Format",
    )?;
    Ok(OssDestination {
        bucket: required(
            non_empty(dest.bucket.as_deref()),
            "Destination/OSSBucketDestination/Bucket",
        )?,
        account_id: required(
            non_empty(dest.account_id.as_deref()),
            "Destination/OSSBucketDestination/AccountId",
        )?,
        role_arn: required(
            non_empty(dest.role_arn.as_deref()),
            "Destination/OSSBucketDestination/RoleArn",
        )?,
        prefix: non_empty(dest.prefix.as_deref()),
        format: parse_format(format)?,
        encryption: match &dest.encryption {
            Some(enc) => parse_encryption(enc)?,
            None => None,
        },
    })
}

fn parse_filter(filter: &xml::Filter) -> OssFilter {
    OssFilter {
        prefix: non_empty(filter.prefix.as_deref()),
        last_modify_begin_time_stamp: filter.last_modify_begin_time_stamp.filter(|v| *v != 0),
        last_modify_end_time_stamp: filter.last_modify_end_time_stamp.filter(|v| *v != 0),
        lower_size_bound: filter.lower_size_bound.filter(|v| *v != 0),
        upper_size_bound: filter.upper_size_bound.filter(|v| *v != 0),
        storage_classes: filter
            .storage_class
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

impl TryFrom<&xml::InventoryConfiguration> for OssInventory {
    type Error = ConvertError;

    fn try_from(cfg: &xml::InventoryConfiguration) -> Result<Self, Self::Error> {
        if cfg.id.is_empty() {
            return Err(ConvertError::Missing { element: "Id" });
        }
        let schedule = cfg.schedule.clone().unwrap_or_default();
        let destination = cfg
            .destination
            .as_ref()
            .and_then(|d| d.oss_bucket_destination.as_ref());
        Ok(OssInventory {
            id: cfg.id.clone(),
            enabled: required(cfg.is_enabled, "IsEnabled")?,
            included_object_versions: parse_versions(required(
                cfg.included_object_versions.as_deref(),
                "IncludedObjectVersions",
            )?)?,
            frequency: parse_frequency(required(
                schedule.frequency.as_deref(),
                "Schedule/Frequency",
            )?)?,
            day_of_month: parse_day_of_month(schedule.day_of_month.as_deref())?,
            auto_delete: schedule.auto_delete.unwrap_or(false),
            filter: cfg.filter.as_ref().map(parse_filter).unwrap_or_default(),
            optional_fields: parse_fields(
                cfg.optional_fields.as_ref(),
                OPTIONAL_FIELDS,
                "OptionalFields/Field",
                "a known inventory field",
            )?,
            destination: parse_destination(required(
                destination,
                "Destination/OSSBucketDestination",
            )?)?,
            incremental: cfg
                .incremental_inventory
                .as_ref()
                .map(parse_incremental)
                .transpose()?,
        })
    }
}

impl From<&OssInventory> for xml::InventoryConfiguration {
    /// The canonical wire form. An empty filter and an empty list of optional fields are left
    /// out, as the API treats absent and empty alike.
    fn from(inv: &OssInventory) -> Self {
        let dest = &inv.destination;
        let filter = &inv.filter;
        xml::InventoryConfiguration {
            id: inv.id.clone(),
            is_enabled: Some(inv.enabled),
            destination: Some(xml::Destination {
                oss_bucket_destination: Some(xml::OssBucketDestination {
                    format: Some(dest.format.as_str().to_string()),
                    account_id: Some(dest.account_id.clone()),
                    role_arn: Some(dest.role_arn.clone()),
                    bucket: Some(dest.bucket.clone()),
                    prefix: dest.prefix.clone(),
                    encryption: dest.encryption.as_ref().map(|enc| match enc {
                        OssEncryption::SseOss => xml::Encryption {
                            sse_oss: Some(xml::SseOss {}),
                            sse_kms: None,
                        },
                        OssEncryption::SseKms { key_id } => xml::Encryption {
                            sse_oss: None,
                            sse_kms: Some(xml::SseKms {
                                key_id: key_id.clone(),
                            }),
                        },
                    }),
                }),
            }),
            schedule: Some(xml::Schedule {
                frequency: Some(inv.frequency.as_str().to_string()),
                day_of_month: inv.day_of_month.map(|d| d.to_string()),
                // Written with `Once` only, where it means something; `false` elsewhere is
                // the same as absent.
                auto_delete: (inv.frequency == Frequency::Once || inv.auto_delete)
                    .then_some(inv.auto_delete),
            }),
            filter: (!filter.is_empty()).then(|| xml::Filter {
                last_modify_begin_time_stamp: filter.last_modify_begin_time_stamp,
                last_modify_end_time_stamp: filter.last_modify_end_time_stamp,
                lower_size_bound: filter.lower_size_bound,
                upper_size_bound: filter.upper_size_bound,
                storage_class: (!filter.storage_classes.is_empty())
                    .then(|| filter.storage_classes.join(",")),
                prefix: filter.prefix.clone(),
            }),
            included_object_versions: Some(inv.included_object_versions.as_str().to_string()),
            optional_fields: (!inv.optional_fields.is_empty()).then(|| xml::OptionalFields {
                fields: inv.optional_fields.clone(),
            }),
            incremental_inventory: inv.incremental.as_ref().map(|i| xml::IncrementalInventory {
                is_enabled: Some(i.enabled),
                schedule: i
                    .frequency_seconds
                    .map(|f| xml::IncrementalSchedule { frequency: Some(f) }),
                optional_fields: (!i.optional_fields.is_empty()).then(|| xml::OptionalFields {
                    fields: i.optional_fields.clone(),
                }),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vector_inventory() -> OssInventory {
        OssInventory {
            id: "report1".into(),
            enabled: true,
            included_object_versions: IncludedObjectVersions::All,
            frequency: Frequency::Daily,
            day_of_month: None,
            auto_delete: false,
            filter: OssFilter::default(),
            optional_fields: vec![],
            destination: OssDestination {
                bucket: "acs:oss:::destbucket".into(),
                account_id: "1000000000000000".into(),
                role_arn: "acs:ram::1000000000000000:role/AliyunOSSRole".into(),
                prefix: Some("p/".into()),
                format: ReportFormat::Csv,
                encryption: None,
            },
            incremental: None,
        }
    }

    use crate::provider::oss::xml::tests::VECTOR_BODY;

    fn parse(body: &str) -> Result<OssInventory, ConvertError> {
        OssInventory::try_from(&xml::from_str::<xml::InventoryConfiguration>(body).unwrap())
    }

    #[test]
    fn the_vector_inventory_writes_the_vector_body() {
        let wire = xml::InventoryConfiguration::from(&vector_inventory());
        assert_eq!(
            xml::to_string(&wire).unwrap(),
            crate::provider::oss::xml::tests::VECTOR_BODY
        );
    }

    #[test]
    fn the_vector_body_reads_as_the_vector_inventory() {
        assert_eq!(
            parse(crate::provider::oss::xml::tests::VECTOR_BODY).unwrap(),
            vector_inventory()
        );
    }

    #[test]
    fn zero_value_filter_echo_reads_as_an_empty_filter() {
        let mut wire = xml::InventoryConfiguration::from(&vector_inventory());
        wire.filter = Some(xml::Filter {
            last_modify_begin_time_stamp: Some(0),
            last_modify_end_time_stamp: Some(0),
            lower_size_bound: Some(0),
            upper_size_bound: Some(0),
            storage_class: Some(String::new()),
            prefix: Some(String::new()),
        });
        assert_eq!(
            OssInventory::try_from(&wire).unwrap().filter,
            OssFilter::default()
        );
    }

    #[test]
    fn storage_classes_are_split_on_commas() {
        let mut wire = xml::InventoryConfiguration::from(&vector_inventory());
        wire.filter = Some(xml::Filter {
            storage_class: Some("IA, Standard".into()),
            ..Default::default()
        });
        assert_eq!(
            OssInventory::try_from(&wire)
                .unwrap()
                .filter
                .storage_classes,
            vec!["IA", "Standard"]
        );
    }

    #[test]
    fn an_unknown_frequency_is_an_error_naming_element_and_value() {
        let mut wire = xml::InventoryConfiguration::from(&vector_inventory());
        wire.schedule = Some(xml::Schedule {
            frequency: Some("Hourly".into()),
            ..Default::default()
        });
        let err = OssInventory::try_from(&wire).unwrap_err();
        assert_eq!(
            err.to_string(),
            "element <Schedule/Frequency> has invalid value `Hourly` (expected Daily, Weekly, \
             Monthly or Once)"
        );
        assert_eq!(err.unmodelled_path(), "Schedule/Frequency=Hourly");
    }

    #[test]
    fn monthly_once_and_incremental_inventory_read_from_the_python_v2_shapes() {
        // The element names and values of the python-v2 SDK's model and its live integration
        // test (aliyun/alibabacloud-oss-python-sdk-v2: tests/integration/test_bucket_inventory_client.py).
        let monthly = VECTOR_BODY.replace(
            "<Frequency>Daily</Frequency>",
            "<Frequency>Monthly</Frequency><DayOfMonth>3</DayOfMonth>",
        );
        let inv = parse(&monthly).unwrap();
        assert_eq!(
            (inv.frequency, inv.day_of_month),
            (Frequency::Monthly, Some(3))
        );

        let once = VECTOR_BODY.replace(
            "<Frequency>Daily</Frequency>",
            "<Frequency>Once</Frequency><AutoDelete>true</AutoDelete>",
        );
        let inv = parse(&once).unwrap();
        assert_eq!((inv.frequency, inv.auto_delete), (Frequency::Once, true));

        let incremental = VECTOR_BODY.replace(
            "</InventoryConfiguration>",
            "<IncrementalInventory><IsEnabled>true</IsEnabled><Schedule><Frequency>600</Frequency>\
             </Schedule><OptionalFields><Field>SequenceNumber</Field><Field>RecordType</Field>\
             </OptionalFields></IncrementalInventory></InventoryConfiguration>",
        );
        let inv = parse(&incremental).unwrap();
        assert_eq!(
            inv.incremental,
            Some(OssIncrementalInventory {
                enabled: true,
                frequency_seconds: Some(600),
                optional_fields: vec!["SequenceNumber".into(), "RecordType".into()],
            })
        );
    }

    #[test]
    fn unknown_report_fields_and_out_of_range_days_name_element_and_value() {
        let body = VECTOR_BODY.replace(
            "<IncludedObjectVersions>",
            "<OptionalFields><Field>Size</Field><Field>ObjectOwnerHash</Field></OptionalFields>\
             <IncludedObjectVersions>",
        );
        assert_eq!(
            parse(&body).unwrap_err().unmodelled_path(),
            "OptionalFields/Field=ObjectOwnerHash"
        );
        let body = VECTOR_BODY.replace(
            "<Frequency>Daily</Frequency>",
            "<Frequency>Monthly</Frequency><DayOfMonth>32</DayOfMonth>",
        );
        assert_eq!(
            parse(&body).unwrap_err().unmodelled_path(),
            "Schedule/DayOfMonth=32"
        );
    }

    #[test]
    fn invalid_versions_and_format_are_errors_naming_the_element() {
        let mut wire = xml::InventoryConfiguration::from(&vector_inventory());
        wire.included_object_versions = Some("Latest".into());
        let err = OssInventory::try_from(&wire).unwrap_err().to_string();
        assert!(
            err.contains("IncludedObjectVersions") && err.contains("`Latest`"),
            "{err}"
        );

        let mut wire = xml::InventoryConfiguration::from(&vector_inventory());
        wire.destination
            .as_mut()
            .and_then(|d| d.oss_bucket_destination.as_mut())
            .unwrap()
            .format = Some("Parquet".into());
        let err = OssInventory::try_from(&wire).unwrap_err().to_string();
        assert!(
            err.contains("Destination/OSSBucketDestination/Format"),
            "{err}"
        );
    }

    #[test]
    fn missing_required_elements_are_named() {
        let cases = [
            ("<InventoryConfiguration/>", "Id"),
            (
                "<InventoryConfiguration><Id>a</Id></InventoryConfiguration>",
                "IsEnabled",
            ),
            (
                "<InventoryConfiguration><Id>a</Id><IsEnabled>true</IsEnabled>\
                 <IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>",
                "Schedule/Frequency",
            ),
            (
                "<InventoryConfiguration><Id>a</Id><IsEnabled>true</IsEnabled>\
                 <IncludedObjectVersions>All</IncludedObjectVersions>\
                 <Schedule><Frequency>Daily</Frequency></Schedule></InventoryConfiguration>",
                "Destination/OSSBucketDestination",
            ),
        ];
        for (body, element) in cases {
            assert_eq!(
                parse(body),
                Err(ConvertError::Missing { element }),
                "{body}"
            );
        }
    }

    #[test]
    fn both_encryptions_at_once_is_an_error() {
        let mut wire = xml::InventoryConfiguration::from(&vector_inventory());
        wire.destination
            .as_mut()
            .and_then(|d| d.oss_bucket_destination.as_mut())
            .unwrap()
            .encryption = Some(xml::Encryption {
            sse_oss: Some(xml::SseOss {}),
            sse_kms: Some(xml::SseKms { key_id: "k".into() }),
        });
        let err = OssInventory::try_from(&wire).unwrap_err().to_string();
        assert!(err.contains("Encryption"), "{err}");
    }

    #[test]
    fn an_empty_encryption_element_means_none() {
        let mut wire = xml::InventoryConfiguration::from(&vector_inventory());
        wire.destination
            .as_mut()
            .and_then(|d| d.oss_bucket_destination.as_mut())
            .unwrap()
            .encryption = Some(xml::Encryption::default());
        assert_eq!(
            OssInventory::try_from(&wire)
                .unwrap()
                .destination
                .encryption,
            None
        );
    }

    prop_compose! {
        fn inventory_strategy()(
            id in "[A-Za-z0-9._-]{1,20}",
            enabled in any::<bool>(),
            all_versions in any::<bool>(),
            schedule in 0u8..4,
            day in 1u8..=31,
            auto_delete in any::<bool>(),
            prefix in proptest::option::of("[a-z0-9/]{1,10}"),
            begin in proptest::option::of(1_262_275_200i64..253_402_271_999),
            end in proptest::option::of(1_262_275_200i64..253_402_271_999),
            lower in proptest::option::of(1u64..1 << 45),
            upper in proptest::option::of(1u64..1 << 45),
            classes in proptest::collection::vec("Standard|IA|Archive|ColdArchive|All", 0..3),
            fields in proptest::collection::vec("Size|ETag|StorageClass|TransitionTime|ObjectAcl|TaggingCount|ObjectType|Crc64", 0..4),
            incremental in proptest::option::of((any::<bool>(), proptest::option::of(60u64..86_400), proptest::collection::vec("SequenceNumber|RecordType|Requester|SourceIp|Crc64", 0..4))),
            dest_prefix in proptest::option::of("[a-z0-9/]{1,10}"),
            encryption in 0u8..3,
        ) -> OssInventory {
            OssInventory {
                id,
                enabled,
                included_object_versions: if all_versions { IncludedObjectVersions::All } else { IncludedObjectVersions::Current },
                frequency: [Frequency::Daily, Frequency::Weekly, Frequency::Monthly, Frequency::Once][usize::from(schedule)],
                day_of_month: (schedule == 2).then_some(day),
                auto_delete: schedule == 3 && auto_delete,
                filter: OssFilter {
                    prefix,
                    last_modify_begin_time_stamp: begin,
                    last_modify_end_time_stamp: end,
                    lower_size_bound: lower,
                    upper_size_bound: upper,
                    storage_classes: classes,
                },
                optional_fields: fields,
                destination: OssDestination {
                    bucket: "acs:oss:::dest".into(),
                    account_id: "1".into(),
                    role_arn: "acs:ram::1:role/r".into(),
                    prefix: dest_prefix,
                    format: ReportFormat::Csv,
                    encryption: match encryption {
                        0 => None,
                        1 => Some(OssEncryption::SseOss),
                        _ => Some(OssEncryption::SseKms { key_id: "key".into() }),
                    },
                },
                incremental: incremental.map(|(enabled, frequency_seconds, optional_fields)| OssIncrementalInventory {
                    enabled,
                    frequency_seconds,
                    optional_fields,
                }),
            }
        }
    }

    proptest! {
        #[test]
        fn inventories_survive_the_wire(inv in inventory_strategy()) {
            let body = xml::to_string(&xml::InventoryConfiguration::from(&inv)).unwrap();
            let back = OssInventory::try_from(&xml::from_str::<xml::InventoryConfiguration>(&body).unwrap()).unwrap();
            prop_assert_eq!(back, inv);
        }
    }
}
