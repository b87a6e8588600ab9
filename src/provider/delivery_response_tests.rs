//! Canned delivery answers, shaped as the providers' API references show them.

use super::*;
use crate::provider::response::ErrorFallback;

const SHAPE: ErrorShape = ErrorShape {
    request_id_header: "x-amz-request-id",
    ec_header: None,
    fallback: ErrorFallback::Unknown { title: "S3" },
};

fn page(delimiter: Option<&str>, body: &str) -> Result<ObjectPage, Failure> {
    object_page(&SHAPE, delimiter, 200, &HeaderMap::new(), body.as_bytes())
}

fn no_such_policy(error: &ServiceError) -> bool {
    error.status == 404 && error.code == "NoSuchBucketPolicy"
}

const S3_LISTING: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>inventory-dest</Name>
  <Prefix>inv/src/daily/</Prefix>
  <Marker>inv/src/daily/2026-12-01T00-00Z</Marker>
  <MaxKeys>1000</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>false</IsTruncated>
  <Contents>
    <Key>inv/src/daily/hive/</Key>
    <LastModified>2026-12-07T01:02:03.000Z</LastModified>
    <ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag>
    <Size>0</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <CommonPrefixes><Prefix>inv/src/daily/2026-12-06T00-00Z/</Prefix></CommonPrefixes>
  <CommonPrefixes><Prefix>inv/src/daily/2026-12-07T00-00Z/</Prefix></CommonPrefixes>
</ListBucketResult>"#;

#[test]
fn a_listing_gives_its_objects_and_rolled_up_prefixes_in_order() {
    let page = page(Some("/"), S3_LISTING).unwrap();
    assert_eq!(
        page.objects,
        [ObjectEntry {
            key: "inv/src/daily/hive/".into(),
            size: 0
        }]
    );
    assert_eq!(
        page.common_prefixes,
        [
            "inv/src/daily/2026-12-06T00-00Z/",
            "inv/src/daily/2026-12-07T00-00Z/"
        ]
    );
    assert_eq!(page.next_marker, None);
}

#[test]
fn a_truncated_page_continues_at_next_marker() {
    let body = r#"<ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated>
        <NextMarker>inv/b/</NextMarker>
        <CommonPrefixes><Prefix>inv/a/</Prefix></CommonPrefixes>
        <Contents><Key>inv/b</Key><Size>3</Size></Contents></ListBucketResult>"#;
    assert_eq!(
        page(Some("/"), body).unwrap().next_marker.as_deref(),
        Some("inv/b/")
    );
}

#[test]
fn a_truncated_page_without_next_marker_continues_after_its_last_key_when_nothing_rolls_up() {
    let body = r#"<ListBucketResult><IsTruncated>true</IsTruncated>
        <Contents><Key>a/1</Key><Size>1</Size></Contents>
        <Contents><Key>a/2</Key><Size>2</Size></Contents></ListBucketResult>"#;
    assert_eq!(
        page(None, body).unwrap().next_marker.as_deref(),
        Some("a/2")
    );
}

#[test]
fn a_truncated_page_with_a_delimiter_and_no_next_marker_is_refused() {
    let body = r#"<ListBucketResult><IsTruncated>true</IsTruncated>
        <Contents><Key>a/1</Key><Size>1</Size></Contents></ListBucketResult>"#;
    assert!(matches!(page(Some("/"), body), Err(Failure::Decode(_))));
}

#[test]
fn a_body_that_is_not_a_listing_is_never_an_empty_page() {
    for body in [
        "",
        "<html><body>proxy</body></html>",
        "<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
        "<ListAllMyBucketsResult/>",
        "<ListBucketResult><Contents><Key>a</Key>",
    ] {
        assert!(matches!(page(None, body), Err(Failure::Body(_))), "{body}");
    }
}

#[test]
fn an_object_without_a_key_or_with_a_bad_size_is_refused() {
    let no_key = "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>";
    let bad_size =
        "<ListBucketResult><Contents><Key>a</Key><Size>x</Size></Contents></ListBucketResult>";
    assert!(matches!(page(None, no_key), Err(Failure::Decode(_))));
    assert!(matches!(page(None, bad_size), Err(Failure::Decode(_))));
}

#[test]
fn a_listing_error_answer_is_the_services_error() {
    let body = b"<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>";
    let Err(Failure::Service(error)) = object_page(&SHAPE, None, 404, &HeaderMap::new(), body)
    else {
        panic!("expected a service error");
    };
    assert_eq!((error.status, error.code.as_str()), (404, "NoSuchBucket"));
}

#[test]
fn an_object_is_its_bytes_and_refused_over_the_cap() {
    let headers = HeaderMap::new();
    assert_eq!(
        object(&SHAPE, 5, 200, &headers, b"hello").unwrap(),
        b"hello"
    );
    assert!(matches!(
        object(&SHAPE, 4, 200, &headers, b"hello"),
        Err(Failure::Decode(_))
    ));
    let missing = b"<Error><Code>NoSuchKey</Code><Message>no</Message></Error>";
    assert!(matches!(
        object(&SHAPE, 4, 404, &headers, missing),
        Err(Failure::Service(e)) if e.code == "NoSuchKey"
    ));
}

#[test]
fn the_no_policy_answer_is_none_and_403_is_an_error() {
    let headers = HeaderMap::new();
    let none = b"<Error><Code>NoSuchBucketPolicy</Code><Message>none</Message></Error>";
    assert_eq!(
        bucket_policy(no_such_policy, &SHAPE, 404, &headers, none).unwrap(),
        None
    );
    let denied = b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>";
    assert!(matches!(
        bucket_policy(no_such_policy, &SHAPE, 403, &headers, denied),
        Err(Failure::Service(e)) if e.status == 403
    ));
    let missing_bucket = b"<Error><Code>NoSuchBucket</Code><Message>no</Message></Error>";
    assert!(matches!(
        bucket_policy(no_such_policy, &SHAPE, 404, &headers, missing_bucket),
        Err(Failure::Service(e)) if e.code == "NoSuchBucket"
    ));
}

#[test]
fn a_policy_is_its_text_and_an_oversized_or_empty_one_is_refused() {
    let headers = HeaderMap::new();
    let text = r#"{"Version":"2012-10-17","Statement":[]}"#;
    assert_eq!(
        bucket_policy(no_such_policy, &SHAPE, 200, &headers, text.as_bytes()).unwrap(),
        Some(text.to_string())
    );
    let huge = vec![b' '; MAX_POLICY_BYTES + 1];
    assert!(bucket_policy(no_such_policy, &SHAPE, 200, &headers, &huge).is_err());
    assert!(bucket_policy(no_such_policy, &SHAPE, 200, &headers, b"  ").is_err());
}
