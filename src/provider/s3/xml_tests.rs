//! Tests of the S3 wire types: canonical writing and tolerant reading.

use super::*;

/// A configuration with every element, in canonical form.
pub(crate) const FULL_BODY: &str = "<InventoryConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
<Destination><S3BucketDestination><AccountId>123456789012</AccountId>\
<Bucket>arn:aws:s3:::inventory-dest</Bucket><Format>Parquet</Format><Prefix>reports/</Prefix>\
<Encryption><SSE-KMS><KeyId>arn:aws:kms:us-east-1:123456789012:key/k1</KeyId></SSE-KMS></Encryption>\
</S3BucketDestination></Destination><IsEnabled>true</IsEnabled>\
<Filter><Prefix>logs/</Prefix></Filter><Id>report1</Id>\
<IncludedObjectVersions>All</IncludedObjectVersions>\
<OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>\
<Schedule><Frequency>Weekly</Frequency></Schedule></InventoryConfiguration>";

#[test]
fn the_full_body_reads_and_writes_back_byte_for_byte() {
    let wire: InventoryConfiguration = from_bytes(FULL_BODY.as_bytes()).unwrap();
    assert_eq!(wire.id, "report1");
    assert_eq!(wire.xmlns.as_deref(), Some(NAMESPACE));
    let dest = wire
        .destination
        .as_ref()
        .and_then(|d| d.s3_bucket_destination.as_ref())
        .unwrap();
    assert_eq!(dest.format.as_deref(), Some("Parquet"));
    let kms = dest.encryption.as_ref().and_then(|e| e.sse_kms.as_ref());
    assert_eq!(
        kms.map(|k| k.key_id.as_str()),
        Some("arn:aws:kms:us-east-1:123456789012:key/k1")
    );
    assert_eq!(
        wire.optional_fields.as_ref().unwrap().fields,
        ["Size", "ETag"]
    );
    assert_eq!(to_string(&wire).unwrap(), FULL_BODY);
}

#[test]
fn reading_accepts_any_order_a_declaration_no_namespace_and_short_empty_elements() {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InventoryConfiguration>\
                <Schedule><Frequency>Daily</Frequency></Schedule><Id>a</Id>\
                <IsEnabled>False</IsEnabled><Destination><S3BucketDestination>\
                <Format>CSV</Format><Bucket>arn:aws:s3:::d</Bucket>\
                <Encryption><SSE-S3/></Encryption></S3BucketDestination></Destination>\
                <IncludedObjectVersions>Current</IncludedObjectVersions></InventoryConfiguration>";
    let wire: InventoryConfiguration = from_bytes(body.as_bytes()).unwrap();
    assert_eq!(wire.id, "a");
    assert_eq!(wire.xmlns, None);
    assert_eq!(wire.is_enabled.as_deref(), Some("False"));
    let enc = wire
        .destination
        .unwrap()
        .s3_bucket_destination
        .unwrap()
        .encryption
        .unwrap();
    assert_eq!(enc.sse_s3, Some(SseS3 {}));
    assert_eq!(enc.sse_kms, None);
}

#[test]
fn sse_s3_is_written_as_an_expanded_empty_element() {
    let wire = InventoryConfiguration {
        id: "a".into(),
        destination: Some(Destination {
            s3_bucket_destination: Some(S3BucketDestination {
                encryption: Some(Encryption {
                    sse_s3: Some(SseS3 {}),
                    sse_kms: None,
                }),
                ..Default::default()
            }),
        }),
        ..Default::default()
    };
    let body = to_string(&wire).unwrap();
    assert!(
        body.contains("<Encryption><SSE-S3></SSE-S3></Encryption>"),
        "{body}"
    );
    let back: InventoryConfiguration = from_bytes(body.as_bytes()).unwrap();
    assert_eq!(back, wire);
}

#[test]
fn a_list_page_reads_its_flattened_configurations_and_tokens() {
    let body = format!(
        "<ListInventoryConfigurationsResult xmlns=\"{NAMESPACE}\">\
         <ContinuationToken>t1</ContinuationToken>{FULL_BODY}{}<IsTruncated>true</IsTruncated>\
         <NextContinuationToken>t2</NextContinuationToken></ListInventoryConfigurationsResult>",
        FULL_BODY.replace("report1", "report2")
    );
    let list: ListInventoryConfigurationsResult = from_bytes(body.as_bytes()).unwrap();
    let ids: Vec<&str> = list
        .inventory_configurations
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["report1", "report2"]);
    assert_eq!(list.continuation_token.as_deref(), Some("t1"));
    assert_eq!(list.is_truncated, "true");
    assert_eq!(list.next_continuation_token.as_deref(), Some("t2"));
    assert_eq!(to_string(&list).unwrap(), body);
}

#[test]
fn an_error_body_reads_code_message_and_request_id() {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchConfiguration</Code>\
                <Message>The specified configuration does not exist.</Message>\
                <RequestId>4442587FB7D0A2F9</RequestId><HostId>h</HostId></Error>";
    let e: Error = from_bytes(body.as_bytes()).unwrap();
    assert_eq!(e.code, "NoSuchConfiguration");
    assert_eq!(e.request_id, "4442587FB7D0A2F9");
}

#[test]
fn another_root_is_an_error_naming_it() {
    let err = from_bytes::<InventoryConfiguration>(b"<Error><Code>x</Code></Error>").unwrap_err();
    assert!(err.to_string().contains("<Error>"), "{err}");
}
