//! Tolerant reading and canonical writing of the COS inventory wire types.

use proptest::prelude::*;

use super::*;

/// The exact bytes the GO SDK sends for a full configuration (`reference/cos-api.md` §2.1).
const GO_FULL: &str = "<InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled><IncludedObjectVersions>All</IncludedObjectVersions><Filter><And><Prefix>myPrefix</Prefix><Tag><Key>age</Key><Value>18</Value></Tag></And><Period><StartTime>1568688761</StartTime><EndTime>1568688762</EndTime></Period></Filter><OptionalFields><Field>Size</Field><Field>ETag</Field><Field>Tag</Field></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule><Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><AccountId>100000000001</AccountId><Prefix>list1</Prefix><Format>CSV</Format><Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination></InventoryConfiguration>";

/// GO's minimal configuration, the PUT body of signature vectors G2/P2.
const GO_SMALL: &str = "<InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled><IncludedObjectVersions>Current</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule><Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><Format>CSV</Format></COSBucketDestination></Destination></InventoryConfiguration>";

/// What the Terraform provider sends with no filter and no fields.
const TF_MINIMAL: &str = "<InventoryConfiguration><Id>tf-example</Id><IsEnabled>true</IsEnabled><IncludedObjectVersions>Current</IncludedObjectVersions><Filter><And></And></Filter><OptionalFields></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule><Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><Format>CSV</Format></COSBucketDestination></Destination></InventoryConfiguration>";

fn parse(text: &str) -> InventoryConfiguration {
    from_bytes(text.as_bytes()).unwrap()
}

#[test]
fn go_full_body_is_read_completely() {
    let c = parse(GO_FULL);
    assert_eq!(c.id, "list1");
    assert_eq!(c.is_enabled, "true");
    assert_eq!(c.included_object_versions, "All");
    let filter = c.filter.unwrap();
    assert_eq!(filter.prefix, None);
    let and = filter.and.unwrap();
    assert_eq!(and.prefix.as_deref(), Some("myPrefix"));
    assert_eq!(
        and.tags,
        [Tag {
            key: "age".into(),
            value: "18".into()
        }]
    );
    let period = filter.period.unwrap();
    assert_eq!(period.start_time.as_deref(), Some("1568688761"));
    assert_eq!(period.end_time.as_deref(), Some("1568688762"));
    assert_eq!(c.optional_fields.unwrap().fields, ["Size", "ETag", "Tag"]);
    let d = c.destination.unwrap().cos_bucket_destination;
    assert_eq!(d.account_id.as_deref(), Some("100000000001"));
    assert_eq!(d.prefix.as_deref(), Some("list1"));
    assert_eq!(d.format, "CSV");
    assert!(d.encryption.unwrap().is_sse_cos());
}

#[test]
fn writing_reproduces_the_go_sdk_bytes_exactly() {
    for body in [GO_FULL, GO_SMALL, TF_MINIMAL] {
        assert_eq!(to_string(&parse(body)).unwrap(), body);
    }
}

#[test]
fn empty_and_and_empty_optional_fields_are_kept_as_present_but_empty() {
    let c = parse(TF_MINIMAL);
    let filter = c.filter.unwrap();
    assert_eq!(filter.and, Some(FilterAnd::default()));
    assert_eq!(filter.prefix, None);
    assert_eq!(c.optional_fields, Some(OptionalFields::default()));
}

#[test]
fn self_closing_empty_elements_are_accepted() {
    let c = parse(
        "<InventoryConfiguration><Id>a</Id><Filter><And/></Filter><OptionalFields/>\
         <Destination><COSBucketDestination><Encryption><SSE-COS/></Encryption>\
         </COSBucketDestination></Destination></InventoryConfiguration>",
    );
    assert_eq!(c.filter.unwrap().and, Some(FilterAnd::default()));
    assert_eq!(c.optional_fields, Some(OptionalFields::default()));
    let enc = c
        .destination
        .unwrap()
        .cos_bucket_destination
        .encryption
        .unwrap();
    assert!(enc.sse_cos.is_some() && enc.ssecos.is_none());
}

#[test]
fn python_sdk_body_with_declaration_any_order_and_ssecos_is_read() {
    let body = r#"<?xml version="1.0" encoding="utf-8"?>
<InventoryConfiguration xmlns="http://www.qcloud.com/document/product/436/7751">
  <Destination>
    <COSBucketDestination>
      <Encryption><SSECOS></SSECOS></Encryption>
      <Format>CSV</Format>
      <Prefix>reports</Prefix>
      <Bucket>qcs::cos:ap-guangzhou::dest-1250000000</Bucket>
    </COSBucketDestination>
  </Destination>
  <Schedule><MonthlyDate>15</MonthlyDate><Frequency>Monthly</Frequency></Schedule>
  <OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>
  <Filter><Prefix>logs/</Prefix></Filter>
  <IncludedObjectVersions>Current</IncludedObjectVersions>
  <IsEnabled>True</IsEnabled>
  <Id>ID-0</Id>
</InventoryConfiguration>"#;
    let c = parse(body);
    assert_eq!(c.id, "ID-0");
    assert_eq!(parse_bool(&c.is_enabled), Some(true));
    let filter = c.filter.clone().unwrap();
    assert_eq!(filter.prefix.as_deref(), Some("logs/"));
    assert_eq!(filter.and, None);
    let schedule = c.schedule.clone().unwrap();
    assert_eq!(schedule.frequency, "Monthly");
    assert_eq!(schedule.monthly_date.as_deref(), Some("15"));
    let d = c.destination.clone().unwrap().cos_bucket_destination;
    assert_eq!(d.bucket, "qcs::cos:ap-guangzhou::dest-1250000000");
    let enc = d.encryption.unwrap();
    assert!(enc.ssecos.is_some() && enc.sse_cos.is_none() && enc.is_sse_cos());
    // Written back in GO order, with the shapes it came in and a lowercase boolean.
    assert_eq!(
        to_string(&c).unwrap(),
        "<InventoryConfiguration><Id>ID-0</Id><IsEnabled>true</IsEnabled>\
         <IncludedObjectVersions>Current</IncludedObjectVersions>\
         <Filter><Prefix>logs/</Prefix></Filter>\
         <OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>\
         <Schedule><Frequency>Monthly</Frequency><MonthlyDate>15</MonthlyDate></Schedule>\
         <Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::dest-1250000000</Bucket>\
         <Prefix>reports</Prefix><Format>CSV</Format><Encryption><SSECOS></SSECOS></Encryption>\
         </COSBucketDestination></Destination></InventoryConfiguration>"
    );
}

#[test]
fn tags_interleaved_with_other_and_children_are_all_read() {
    let c = parse(
        "<InventoryConfiguration><Filter><And><Tag><Key>a</Key><Value>1</Value></Tag>\
         <Prefix>p</Prefix><StorageClass>STANDARD</StorageClass>\
         <Tag><Value>2</Value><Key>b</Key></Tag></And></Filter></InventoryConfiguration>",
    );
    let and = c.filter.unwrap().and.unwrap();
    assert_eq!(and.prefix.as_deref(), Some("p"));
    assert_eq!(and.storage_class.as_deref(), Some("STANDARD"));
    let keys: Vec<_> = and.tags.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys, ["a", "b"]);
}

#[test]
fn filter_with_both_prefix_shapes_keeps_both() {
    let c = parse(
        "<InventoryConfiguration><Filter><Prefix>x</Prefix><And><Prefix>y</Prefix></And>\
         </Filter></InventoryConfiguration>",
    );
    let filter = c.filter.unwrap();
    assert_eq!(filter.prefix.as_deref(), Some("x"));
    assert_eq!(filter.and.unwrap().prefix.as_deref(), Some("y"));
}

#[test]
fn unknown_elements_and_encryption_text_are_ignored() {
    let c = parse(
        "<InventoryConfiguration><Id>a</Id><FutureThing><X>1</X></FutureThing>\
         <Destination><COSBucketDestination><Encryption><SSE-COS>AES256</SSE-COS></Encryption>\
         </COSBucketDestination></Destination></InventoryConfiguration>",
    );
    assert_eq!(c.id, "a");
    assert!(
        c.destination
            .unwrap()
            .cos_bucket_destination
            .encryption
            .unwrap()
            .is_sse_cos()
    );
}

#[test]
fn escaped_text_round_trips() {
    let mut c = parse(GO_SMALL);
    c.destination
        .as_mut()
        .unwrap()
        .cos_bucket_destination
        .prefix = Some("a&b<c>".into());
    let text = to_string(&c).unwrap();
    assert!(text.contains("<Prefix>a&amp;b&lt;c&gt;</Prefix>"), "{text}");
    assert_eq!(parse(&text), c);
}

#[test]
fn list_page_reads_configs_flags_and_tokens() {
    let body = format!(
        "<?xml version='1.0' encoding='utf-8' ?><ListInventoryConfigurationResult>{GO_SMALL}{TF_MINIMAL}\
         <IsTruncated>true</IsTruncated><ContinuationToken>abc</ContinuationToken>\
         <NextContinuationToken>1ueSDFASDF1Tr/XDAFdadEADadf2J/wm36Hy4vbOwM=</NextContinuationToken>\
         </ListInventoryConfigurationResult>"
    );
    let page: ListInventoryConfigurationResult = from_bytes(body.as_bytes()).unwrap();
    assert_eq!(page.inventory_configurations.len(), 2);
    assert_eq!(page.inventory_configurations[1].id, "tf-example");
    assert!(page.truncated());
    assert_eq!(page.continuation_token.as_deref(), Some("abc"));
    assert_eq!(
        page.next_continuation_token.as_deref(),
        Some("1ueSDFASDF1Tr/XDAFdadEADadf2J/wm36Hy4vbOwM=")
    );
}

#[test]
fn empty_list_page_is_read_and_written_canonically() {
    let page: ListInventoryConfigurationResult = from_bytes(
        b"<ListInventoryConfigurationResult><IsTruncated>False</IsTruncated></ListInventoryConfigurationResult>",
    )
    .unwrap();
    assert!(page.inventory_configurations.is_empty());
    assert!(!page.truncated());
    assert_eq!(
        to_string(&page).unwrap(),
        "<ListInventoryConfigurationResult><IsTruncated>false</IsTruncated></ListInventoryConfigurationResult>"
    );
}

#[test]
fn error_body_is_read_with_optional_signature_details() {
    let body = "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>SignatureDoesNotMatch</Code>\
        <Message>The Signature you specified is invalid.</Message>\
        <Resource>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/</Resource>\
        <RequestId>NjA2YjQ5</RequestId><TraceId>OGVmYzZiMmQ3</TraceId>\
        <StringToSign>sha1\n1;2\nabc\n</StringToSign><FormatString>get\n/\n</FormatString></Error>";
    let e: Error = from_bytes(body.as_bytes()).unwrap();
    assert_eq!(e.code, "SignatureDoesNotMatch");
    assert_eq!(e.message, "The Signature you specified is invalid.");
    assert_eq!(e.request_id, "NjA2YjQ5");
    assert_eq!(e.trace_id, "OGVmYzZiMmQ3");
    assert!(e.string_to_sign.is_some() && e.format_string.is_some());
    assert_eq!(e.server_time, None);
    let written = to_string(&e).unwrap();
    assert!(written.starts_with("<Error><Code>SignatureDoesNotMatch</Code><Message>"));
    assert_eq!(from_bytes::<Error>(written.as_bytes()).unwrap(), e);
}

#[test]
fn a_different_root_or_garbage_is_a_read_error() {
    let err = from_bytes::<InventoryConfiguration>(b"<Error><Code>X</Code></Error>").unwrap_err();
    assert!(err.to_string().contains("root element is <Error>"), "{err}");
    assert!(from_bytes::<InventoryConfiguration>(b"not xml at all").is_err());
    assert!(from_bytes::<InventoryConfiguration>(b"").is_err());
    assert!(from_bytes::<InventoryConfiguration>(&[0xff, 0xfe]).is_err());
    assert!(from_bytes::<InventoryConfiguration>(b"<InventoryConfiguration><Id>x</Ix>").is_err());
}

#[test]
fn booleans_are_parsed_in_any_case() {
    assert_eq!(parse_bool("true"), Some(true));
    assert_eq!(parse_bool(" TRUE "), Some(true));
    assert_eq!(parse_bool("False"), Some(false));
    assert_eq!(parse_bool("yes"), None);
    assert_eq!(parse_bool(""), None);
}

fn text() -> impl Strategy<Value = String> {
    // No leading/trailing whitespace: XML readers may trim it, and COS values never carry it.
    "[A-Za-z0-9&<>'\"/=+._:-]{0,12}"
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

prop_compose! {
    fn arb_config()(
        id in text(),
        enabled in prop_oneof![Just("true"), Just("false")],
        versions in text(),
        filter in proptest::option::of((
            opt_text(),
            proptest::option::of((
                opt_text(),
                proptest::collection::vec((text(), text()), 0..3),
                opt_text(),
            )),
            proptest::option::of((opt_text(), opt_text())),
        )),
        fields in proptest::option::of(proptest::collection::vec(text(), 0..4)),
        schedule in proptest::option::of((text(), opt_text())),
        destination in proptest::option::of((text(), opt_text(), opt_text(), text(), 0u8..4)),
    ) -> InventoryConfiguration {
        InventoryConfiguration {
            id,
            is_enabled: enabled.to_string(),
            included_object_versions: versions,
            filter: filter.map(|(prefix, and, period)| Filter {
                prefix,
                and: and.map(|(prefix, tags, storage_class)| FilterAnd {
                    prefix,
                    tags: tags.into_iter().map(|(key, value)| Tag { key, value }).collect(),
                    storage_class,
                }),
                period: period.map(|(start_time, end_time)| Period { start_time, end_time }),
            }),
            optional_fields: fields.map(|fields| OptionalFields { fields }),
            schedule: schedule.map(|(frequency, monthly_date)| Schedule { frequency, monthly_date }),
            destination: destination.map(|(bucket, account_id, prefix, format, enc)| Destination {
                cos_bucket_destination: CosBucketDestination {
                    bucket,
                    account_id,
                    prefix,
                    format,
                    encryption: match enc {
                        0 => None,
                        1 => Some(Encryption::sse_cos()),
                        2 => Some(Encryption { sse_cos: None, ssecos: Some(Empty {}) }),
                        _ => Some(Encryption::default()),
                    },
                },
            }),
        }
    }
}

proptest! {
    #[test]
    fn every_configuration_survives_a_write_read_round_trip(config in arb_config()) {
        let text = to_string(&config).unwrap();
        let back: InventoryConfiguration = from_bytes(text.as_bytes()).unwrap();
        prop_assert_eq!(back, config);
    }

    #[test]
    fn reading_arbitrary_bytes_never_panics(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = from_bytes::<InventoryConfiguration>(&body);
        let _ = from_bytes::<ListInventoryConfigurationResult>(&body);
        let _ = from_bytes::<Error>(&body);
    }
}
