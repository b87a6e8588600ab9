//! Wire ⇄ domain conversions of COS inventory configurations.

use base64::Engine;
use md5::{Digest, Md5};
use proptest::prelude::*;

use super::*;

fn small() -> CosInventory {
    CosInventory {
        id: "list1".into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::Current,
        schedule: CosSchedule {
            frequency: Frequency::Daily,
            monthly_date: None,
        },
        filter: CosFilter::default(),
        optional_fields: vec![],
        destination: CosDestination {
            bucket: "qcs::cos:ap-guangzhou::examplebucket-1250000000".into(),
            account_id: None,
            prefix: None,
            format: ReportFormat::Csv,
            sse_cos: false,
        },
    }
}

fn full() -> CosInventory {
    CosInventory {
        included_object_versions: IncludedObjectVersions::All,
        filter: CosFilter {
            prefix: Some("myPrefix".into()),
            tags: vec![CosTag {
                key: "age".into(),
                value: "18".into(),
            }],
            storage_class: None,
            period: Some(CosPeriod {
                start_time: Some(1568688761),
                end_time: Some(1568688762),
            }),
        },
        optional_fields: vec!["Size".into(), "ETag".into(), "Tag".into()],
        destination: CosDestination {
            account_id: Some("100000000001".into()),
            prefix: Some("list1".into()),
            sse_cos: true,
            ..small().destination
        },
        ..small()
    }
}

fn write(inventory: &CosInventory) -> String {
    xml::to_string(&xml::InventoryConfiguration::from(inventory)).unwrap()
}

fn read(body: &str) -> Result<CosInventory, ConvertError> {
    CosInventory::try_from(
        &xml::from_bytes::<xml::InventoryConfiguration>(body.as_bytes()).unwrap(),
    )
}

#[test]
fn a_small_config_is_written_byte_for_byte_as_the_go_sdk_sends_it() {
    let body = write(&small());
    assert_eq!(body.len(), 351);
    let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(body.as_bytes()));
    // The Content-MD5 of signature vectors G2/P2.
    assert_eq!(md5, "0D2hKeStTdgbBUwiPr1Ntw==");
}

#[test]
fn a_full_config_with_tags_is_written_with_the_and_shape() {
    assert_eq!(
        write(&full()),
        "<InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled><IncludedObjectVersions>All</IncludedObjectVersions><Filter><And><Prefix>myPrefix</Prefix><Tag><Key>age</Key><Value>18</Value></Tag></And><Period><StartTime>1568688761</StartTime><EndTime>1568688762</EndTime></Period></Filter><OptionalFields><Field>Size</Field><Field>ETag</Field><Field>Tag</Field></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule><Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><AccountId>100000000001</AccountId><Prefix>list1</Prefix><Format>CSV</Format><Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination></InventoryConfiguration>"
    );
}

#[test]
fn a_prefix_only_filter_is_written_without_and() {
    let mut inv = small();
    inv.filter.prefix = Some("logs/".into());
    assert!(write(&inv).contains("<Filter><Prefix>logs/</Prefix></Filter>"));
    inv.filter.storage_class = Some("STANDARD".into());
    assert!(write(&inv).contains(
        "<Filter><And><Prefix>logs/</Prefix><StorageClass>STANDARD</StorageClass></And></Filter>"
    ));
}

#[test]
fn a_period_only_filter_has_no_prefix_element() {
    let mut inv = small();
    inv.filter.period = Some(CosPeriod {
        start_time: Some(1687276800),
        end_time: None,
    });
    assert!(
        write(&inv).contains("<Filter><Period><StartTime>1687276800</StartTime></Period></Filter>")
    );
}

#[test]
fn monthly_schedule_carries_its_date() {
    let mut inv = small();
    inv.schedule = CosSchedule {
        frequency: Frequency::Monthly,
        monthly_date: Some(15),
    };
    let body = write(&inv);
    assert!(body.contains(
        "<Schedule><Frequency>Monthly</Frequency><MonthlyDate>15</MonthlyDate></Schedule>"
    ));
    assert_eq!(read(&body).unwrap(), inv);
}

#[test]
fn full_config_round_trips_through_the_wire() {
    assert_eq!(read(&write(&full())).unwrap(), full());
    assert_eq!(read(&write(&small())).unwrap(), small());
}

#[test]
fn both_filter_prefix_shapes_read_as_the_same_prefix() {
    let wrap = |filter: &str| {
        write(&small()).replace(
            "<Schedule>",
            &format!("<Filter>{filter}</Filter><Schedule>"),
        )
    };
    let plain = read(&wrap("<Prefix>logs/</Prefix>")).unwrap();
    let and = read(&wrap("<And><Prefix>logs/</Prefix></And>")).unwrap();
    assert_eq!(plain.filter.prefix.as_deref(), Some("logs/"));
    assert_eq!(plain, and);
}

#[test]
fn empty_filter_shapes_read_as_no_filter() {
    for filter in [
        "<Filter></Filter>",
        "<Filter><And></And></Filter>",
        "<Filter><And/><Period/></Filter>",
        "<Filter><Prefix></Prefix></Filter>",
    ] {
        let body = write(&small()).replace("<Schedule>", &format!("{filter}<Schedule>"));
        assert_eq!(read(&body).unwrap(), small(), "{filter}");
    }
}

#[test]
fn python_spellings_read_like_canonical_ones() {
    let body = write(&full())
        .replace("<IsEnabled>true</IsEnabled>", "<IsEnabled>True</IsEnabled>")
        .replace("<SSE-COS></SSE-COS>", "<SSECOS/>");
    assert_eq!(read(&body).unwrap(), full());
}

#[test]
fn empty_optional_fields_and_destination_values_read_as_absent() {
    let body = write(&small()).replace(
        "<Format>CSV</Format>",
        "<AccountId></AccountId><Prefix></Prefix><Format>CSV</Format><Encryption></Encryption>",
    );
    let body = body.replace("<Schedule>", "<OptionalFields/><Schedule>");
    assert_eq!(read(&body).unwrap(), small());
}

#[test]
fn errors_name_the_element_and_the_value() {
    let cases = [
        (
            write(&small()).replace("<IsEnabled>true<", "<IsEnabled>yes<"),
            "<IsEnabled> has invalid value \"yes\"",
        ),
        (
            write(&small()).replace(">Current<", ">Latest<"),
            "<IncludedObjectVersions> has invalid value \"Latest\"",
        ),
        (
            write(&small()).replace(">Daily<", ">Hourly<"),
            "<Schedule/Frequency> has invalid value \"Hourly\"",
        ),
        (
            write(&small()).replace(">CSV<", ">Parquet<"),
            "<Destination/COSBucketDestination/Format> has invalid value \"Parquet\"",
        ),
        (
            write(&small()).replace("<Id>list1</Id>", ""),
            "<Id> is missing",
        ),
        (
            write(&small()).replace("<Schedule><Frequency>Daily</Frequency></Schedule>", ""),
            "<Schedule> is missing",
        ),
        (
            write(&small()).replace(
                "</Frequency>",
                "</Frequency><MonthlyDate>first</MonthlyDate>",
            ),
            "<Schedule/MonthlyDate> has invalid value \"first\"",
        ),
        (
            write(&full()).replace(">1568688761<", ">yesterday<"),
            "<Filter/Period/StartTime> has invalid value \"yesterday\"",
        ),
    ];
    for (body, expected) in cases {
        let err = read(&body).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{err}");
    }
}

fn word() -> impl Strategy<Value = String> {
    "[A-Za-z0-9/._ -]{1,10}"
}

prop_compose! {
    fn arb_inventory()(
        id in "[A-Za-z0-9._-]{1,16}",
        enabled in any::<bool>(),
        all in any::<bool>(),
        freq in 0u8..3,
        day in 1u8..=28,
        prefix in proptest::option::of(word()),
        tags in proptest::collection::vec((word(), word()), 0..3),
        storage_class in proptest::option::of(word()),
        period in proptest::option::of((proptest::option::of(any::<i64>()), any::<i64>())),
        fields in proptest::collection::vec("[A-Za-z][A-Za-z0-9-]{0,15}", 0..4),
        account_id in proptest::option::of("[0-9]{1,12}"),
        dest_prefix in proptest::option::of(word()),
        orc in any::<bool>(),
        sse_cos in any::<bool>(),
    ) -> CosInventory {
        let frequency = [Frequency::Daily, Frequency::Weekly, Frequency::Monthly][usize::from(freq)];
        CosInventory {
            id,
            enabled,
            included_object_versions: if all { IncludedObjectVersions::All } else { IncludedObjectVersions::Current },
            schedule: CosSchedule { frequency, monthly_date: (frequency == Frequency::Monthly).then_some(day) },
            filter: CosFilter {
                prefix,
                tags: tags.into_iter().map(|(key, value)| CosTag { key, value }).collect(),
                storage_class,
                period: period.map(|(start_time, end)| CosPeriod { start_time, end_time: Some(end) }),
            },
            optional_fields: fields,
            destination: CosDestination {
                bucket: "qcs::cos:ap-guangzhou::dest-1250000000".into(),
                account_id,
                prefix: dest_prefix,
                format: if orc { ReportFormat::Orc } else { ReportFormat::Csv },
                sse_cos,
            },
        }
    }
}

proptest! {
    #[test]
    fn every_domain_config_survives_domain_wire_bytes_wire_domain(inv in arb_inventory()) {
        prop_assert_eq!(read(&write(&inv)).unwrap(), inv);
    }
}
