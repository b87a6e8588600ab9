//! Tolerance and round-trip tests of the OSS wire types.

use super::*;
use proptest::prelude::*;

/// The exact body the Go v2 SDK emits in `TestMarshalInput_PutBucketInventory`.
const GO_V2_BODY: &str = "<InventoryConfiguration><Id>report1</Id><IsEnabled>true</IsEnabled><Destination><OSSBucketDestination><Format>CSV</Format><AccountId>1000000000000000</AccountId><RoleArn>acs:ram::1000000000000000:role/AliyunOSSRole</RoleArn><Bucket>acs:oss:::destination-bucket</Bucket><Prefix>prefix1</Prefix><Encryption><SSE-KMS><KeyId>keyId</KeyId></SSE-KMS></Encryption></OSSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><Filter><LastModifyBeginTimeStamp>1637883649</LastModifyBeginTimeStamp><LastModifyEndTimeStamp>1638347592</LastModifyEndTimeStamp><LowerSizeBound>1024</LowerSizeBound><UpperSizeBound>1048576</UpperSizeBound><StorageClass>Standard,IA</StorageClass><Prefix>filterPrefix</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>LastModifiedDate</Field><Field>ETag</Field><Field>StorageClass</Field><Field>IsMultipartUploaded</Field><Field>EncryptionStatus</Field><Field>TransitionTime</Field></OptionalFields></InventoryConfiguration>";

/// The PUT body of the signature vectors A3 / B2 (443 bytes, Content-MD5 339LMh9sOLSrXfhVPoZhzw==).
pub(crate) const VECTOR_BODY: &str = "<InventoryConfiguration><Id>report1</Id><IsEnabled>true</IsEnabled><Destination><OSSBucketDestination><Format>CSV</Format><AccountId>1000000000000000</AccountId><RoleArn>acs:ram::1000000000000000:role/AliyunOSSRole</RoleArn><Bucket>acs:oss:::destbucket</Bucket><Prefix>p/</Prefix></OSSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>";

#[test]
fn go_v2_body_round_trips_byte_for_byte() {
    let parsed = from_str::<InventoryConfiguration>(GO_V2_BODY).unwrap();
    assert_eq!(parsed.id, "report1");
    assert_eq!(parsed.is_enabled, Some(true));
    let dest = parsed
        .destination
        .as_ref()
        .unwrap()
        .oss_bucket_destination
        .as_ref()
        .unwrap();
    let kms = dest.encryption.as_ref().and_then(|e| e.sse_kms.as_ref());
    assert_eq!(kms.map(|k| k.key_id.as_str()), Some("keyId"));
    let filter = parsed.filter.as_ref().unwrap();
    assert_eq!(filter.lower_size_bound, Some(1024));
    assert_eq!(filter.storage_class.as_deref(), Some("Standard,IA"));
    assert_eq!(parsed.optional_fields.as_ref().unwrap().fields.len(), 7);
    assert_eq!(to_string(&parsed).unwrap(), GO_V2_BODY);
}

#[test]
fn vector_body_round_trips_byte_for_byte() {
    let parsed = from_str::<InventoryConfiguration>(VECTOR_BODY).unwrap();
    assert_eq!(to_string(&parsed).unwrap(), VECTOR_BODY);
    assert_eq!(VECTOR_BODY.len(), 443);
}

#[test]
fn elements_are_read_in_any_order_with_declaration_and_whitespace() {
    // oss2's order, pretty-printed, with a declaration.
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<InventoryConfiguration>
  <Id>report1</Id>
  <IsEnabled>True</IsEnabled>
  <IncludedObjectVersions>Current</IncludedObjectVersions>
  <Filter><Prefix>logs/</Prefix></Filter>
  <Schedule><Frequency>Weekly</Frequency></Schedule>
  <OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>
  <Destination>
    <OSSBucketDestination>
      <Bucket>acs:oss:::dest</Bucket>
      <Format>CSV</Format>
      <RoleArn>acs:ram::1:role/r</RoleArn>
      <AccountId>1</AccountId>
    </OSSBucketDestination>
  </Destination>
</InventoryConfiguration>"#;
    let parsed = from_str::<InventoryConfiguration>(body).unwrap();
    assert_eq!(parsed.is_enabled, Some(true));
    assert_eq!(parsed.included_object_versions.as_deref(), Some("Current"));
    assert_eq!(
        parsed.schedule.as_ref().unwrap().frequency.as_deref(),
        Some("Weekly")
    );
    assert_eq!(parsed.optional_fields.unwrap().fields, vec!["Size", "ETag"]);
    let dest = parsed.destination.unwrap().oss_bucket_destination.unwrap();
    assert_eq!(dest.bucket.as_deref(), Some("acs:oss:::dest"));
    assert_eq!(dest.account_id.as_deref(), Some("1"));
}

#[test]
fn booleans_are_read_in_any_case_and_written_lowercase() {
    for (text, expected) in [
        ("True", true),
        ("TRUE", true),
        ("false", false),
        ("False", false),
    ] {
        let body = format!(
            "<InventoryConfiguration><Id>a</Id><IsEnabled>{text}</IsEnabled></InventoryConfiguration>"
        );
        let parsed = from_str::<InventoryConfiguration>(&body).unwrap();
        assert_eq!(parsed.is_enabled, Some(expected));
        assert!(
            to_string(&parsed)
                .unwrap()
                .contains(&format!("<IsEnabled>{expected}</IsEnabled>"))
        );
    }
}

#[test]
fn an_invalid_boolean_is_an_error_naming_the_value() {
    let body =
        "<InventoryConfiguration><Id>a</Id><IsEnabled>yes</IsEnabled></InventoryConfiguration>";
    let err = from_str::<InventoryConfiguration>(body).unwrap_err();
    assert!(err.to_string().contains("`yes`"), "{err}");
}

#[test]
fn empty_numeric_elements_read_as_absent() {
    let body = "<InventoryConfiguration><Id>a</Id><Filter>\
        <LastModifyBeginTimeStamp></LastModifyBeginTimeStamp><LastModifyEndTimeStamp/>\
        <LowerSizeBound> </LowerSizeBound><UpperSizeBound/><Prefix></Prefix></Filter>\
        </InventoryConfiguration>";
    let filter = from_str::<InventoryConfiguration>(body)
        .unwrap()
        .filter
        .unwrap();
    assert_eq!(filter.last_modify_begin_time_stamp, None);
    assert_eq!(filter.last_modify_end_time_stamp, None);
    assert_eq!(filter.lower_size_bound, None);
    assert_eq!(filter.upper_size_bound, None);
}

#[test]
fn a_non_numeric_size_bound_is_an_error() {
    let body = "<InventoryConfiguration><Id>a</Id><Filter><LowerSizeBound>-1</LowerSizeBound></Filter></InventoryConfiguration>";
    let err = from_str::<InventoryConfiguration>(body).unwrap_err();
    assert!(err.to_string().contains("`-1`"), "{err}");
}

#[test]
fn sse_oss_is_read_as_a_flag_in_both_empty_forms() {
    for element in ["<SSE-OSS/>", "<SSE-OSS></SSE-OSS>", "<SSE-OSS> </SSE-OSS>"] {
        let body = format!(
            "<InventoryConfiguration><Id>a</Id><Destination><OSSBucketDestination>\
             <Encryption>{element}</Encryption></OSSBucketDestination></Destination>\
             </InventoryConfiguration>"
        );
        let parsed = from_str::<InventoryConfiguration>(&body).unwrap();
        let enc = parsed
            .destination
            .unwrap()
            .oss_bucket_destination
            .unwrap()
            .encryption
            .unwrap();
        assert_eq!(enc.sse_oss, Some(SseOss {}), "{element}");
        assert_eq!(enc.sse_kms, None);
    }
}

#[test]
fn sse_oss_is_written_as_an_empty_element() {
    let enc = Encryption {
        sse_oss: Some(SseOss {}),
        sse_kms: None,
    };
    let cfg = InventoryConfiguration {
        id: "a".into(),
        destination: Some(Destination {
            oss_bucket_destination: Some(OssBucketDestination {
                encryption: Some(enc),
                ..Default::default()
            }),
        }),
        ..Default::default()
    };
    assert!(
        to_string(&cfg)
            .unwrap()
            .contains("<Encryption><SSE-OSS/></Encryption>"),
        "{}",
        to_string(&cfg).unwrap()
    );
}

#[test]
fn unknown_elements_are_ignored() {
    let body = "<InventoryConfiguration><Id>a</Id><IncrementalInventory><IsEnabled>true</IsEnabled>\
        <Schedule><Frequency>600</Frequency></Schedule></IncrementalInventory></InventoryConfiguration>";
    let parsed = from_str::<InventoryConfiguration>(body).unwrap();
    assert_eq!(parsed.id, "a");
    assert_eq!(parsed.schedule, None);
}

#[test]
fn a_body_that_is_not_xml_is_an_error() {
    assert!(from_str::<InventoryConfiguration>("not xml <").is_err());
    assert!(from_str::<InventoryConfiguration>("").is_err());
}

#[test]
fn list_result_reads_items_and_tokens() {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListInventoryConfigurationsResult>\
         {VECTOR_BODY}{GO_V2_BODY}<IsTruncated>true</IsTruncated>\
         <NextContinuationToken>tok2</NextContinuationToken></ListInventoryConfigurationsResult>"
    );
    let list = from_str::<ListInventoryConfigurationsResult>(&body).unwrap();
    assert_eq!(list.inventory_configurations.len(), 2);
    assert!(list.is_truncated);
    assert_eq!(list.continuation_token, None);
    assert_eq!(list.next_continuation_token.as_deref(), Some("tok2"));
}

#[test]
fn list_result_with_no_items_and_no_flag_is_a_complete_empty_page() {
    let list =
        from_str::<ListInventoryConfigurationsResult>("<ListInventoryConfigurationsResult/>")
            .unwrap();
    assert!(list.inventory_configurations.is_empty());
    assert!(!list.is_truncated);
}

#[test]
fn list_result_writes_items_then_flag_then_tokens() {
    let list = ListInventoryConfigurationsResult {
        inventory_configurations: vec![from_str::<InventoryConfiguration>(VECTOR_BODY).unwrap()],
        is_truncated: false,
        continuation_token: Some("tok".into()),
        next_continuation_token: None,
    };
    assert_eq!(
        to_string(&list).unwrap(),
        format!(
            "<ListInventoryConfigurationsResult>{VECTOR_BODY}<IsTruncated>false</IsTruncated>\
             <ContinuationToken>tok</ContinuationToken></ListInventoryConfigurationsResult>"
        )
    );
}

#[test]
fn error_body_reads_every_documented_element() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchBucket</Code>
  <Message>The specified bucket does not exist.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>test.oss-cn-hangzhou.aliyuncs.com</HostId>
  <BucketName>test</BucketName>
  <EC>0015-00000101</EC>
  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0015-00000101</RecommendDoc>
</Error>"#;
    let err = from_str::<Error>(body).unwrap();
    assert_eq!(err.code, "NoSuchBucket");
    assert_eq!(err.message, "The specified bucket does not exist.");
    assert_eq!(err.request_id, "5C3D9175B6FC201293AD****");
    assert_eq!(err.host_id, "test.oss-cn-hangzhou.aliyuncs.com");
    assert_eq!(err.bucket_name.as_deref(), Some("test"));
    assert_eq!(err.ec.as_deref(), Some("0015-00000101"));
    assert!(err.recommend_doc.is_some());
}

#[test]
fn error_body_writes_in_service_order() {
    let err = Error {
        code: "SignatureDoesNotMatch".into(),
        message: "m".into(),
        request_id: "r".into(),
        host_id: "h".into(),
        string_to_sign: Some("GET\n".into()),
        ec: Some("0002-00000040".into()),
        ..Default::default()
    };
    let xml = to_string(&err).unwrap();
    assert!(xml.starts_with("<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message>"));
    assert!(xml.ends_with("<EC>0002-00000040</EC></Error>"), "{xml}");
    assert_eq!(from_str::<Error>(&xml).unwrap(), err);
}

fn opt_text_strategy() -> impl Strategy<Value = Option<String>> {
    // Non-empty and trimmed: an empty or padded element reads back as absent or trimmed.
    proptest::option::of("[A-Za-z0-9:/_.,&<>\"' -]{0,12}[A-Za-z0-9:/_.,&<>\"'-]")
        .prop_map(|o| o.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
}

prop_compose! {
    fn config_strategy()(
        id in "[A-Za-z0-9._-]{1,20}",
        is_enabled in proptest::option::of(any::<bool>()),
        dest in proptest::option::of((opt_text_strategy(), opt_text_strategy(), opt_text_strategy(),
            opt_text_strategy(), opt_text_strategy(), proptest::option::of(0u8..3))),
        frequency in proptest::option::of((opt_text_strategy(), proptest::option::of(1u8..=31),
            proptest::option::of(any::<bool>()))),
        incremental in proptest::option::of((proptest::option::of(any::<bool>()),
            proptest::option::of(proptest::option::of(any::<u64>())),
            proptest::option::of(proptest::collection::vec("[A-Za-z0-9]{1,12}", 0..3)))),
        filter in proptest::option::of((proptest::option::of(any::<i64>()), proptest::option::of(any::<i64>()),
            proptest::option::of(any::<u64>()), proptest::option::of(any::<u64>()),
            opt_text_strategy(), opt_text_strategy())),
        versions in opt_text_strategy(),
        fields in proptest::option::of(proptest::collection::vec("[A-Za-z0-9]{1,12}", 0..5)),
    ) -> InventoryConfiguration {
        InventoryConfiguration {
            id,
            is_enabled,
            destination: dest.map(|(format, account_id, role_arn, bucket, prefix, enc)| Destination {
                oss_bucket_destination: Some(OssBucketDestination {
                    format, account_id, role_arn, bucket, prefix,
                    encryption: enc.map(|k| match k {
                        0 => Encryption { sse_oss: Some(SseOss {}), sse_kms: None },
                        1 => Encryption { sse_oss: None, sse_kms: Some(SseKms { key_id: "key-1".into() }) },
                        _ => Encryption::default(),
                    }),
                }),
            }),
            schedule: frequency.map(|(frequency, day, auto_delete)| Schedule {
                frequency,
                day_of_month: day.map(|d| d.to_string()),
                auto_delete,
            }),
            filter: filter.map(|(b, e, l, u, s, p)| Filter {
                last_modify_begin_time_stamp: b,
                last_modify_end_time_stamp: e,
                lower_size_bound: l,
                upper_size_bound: u,
                storage_class: s,
                prefix: p,
            }),
            included_object_versions: versions,
            optional_fields: fields.map(|fields| OptionalFields { fields }),
            incremental_inventory: incremental.map(|(is_enabled, schedule, fields)| IncrementalInventory {
                is_enabled,
                schedule: schedule.map(|frequency| IncrementalSchedule { frequency }),
                optional_fields: fields.map(|fields| OptionalFields { fields }),
            }),
        }
    }
}

proptest! {
    #[test]
    fn written_configurations_read_back_unchanged(cfg in config_strategy()) {
        let xml = to_string(&cfg).unwrap();
        prop_assert_eq!(from_str::<InventoryConfiguration>(&xml).unwrap(), cfg);
    }

    #[test]
    fn written_lists_read_back_unchanged(
        items in proptest::collection::vec(config_strategy(), 0..3),
        is_truncated in any::<bool>(),
        token in opt_text_strategy(),
        next in opt_text_strategy(),
    ) {
        let list = ListInventoryConfigurationsResult {
            inventory_configurations: items,
            is_truncated,
            continuation_token: token,
            next_continuation_token: next,
        };
        prop_assert_eq!(from_str::<ListInventoryConfigurationsResult>(&to_string(&list).unwrap()).unwrap(), list);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(body in "\\PC{0,200}") {
        let _ = from_str::<InventoryConfiguration>(&body);
        let _ = from_str::<ListInventoryConfigurationsResult>(&body);
        let _ = from_str::<Error>(&body);
    }
}
