//! The discovery readers against the vendors' own example bodies, through each dialect: every
//! provider's bucket listing and tags, its paging elements, its "no tags" answer, and bodies that
//! are not the document.

use reqwest::header::HeaderMap;

use invsync::model::DiscoveredBucket;
use invsync::provider::cos::client::Cos;
use invsync::provider::discovery::BucketFilter;
use invsync::provider::oss::client::Oss;
use invsync::provider::protocol::Dialect;
use invsync::provider::response::Failure;
use invsync::provider::s3::client::S3;

/// AWS S3 API Reference, ListBuckets, "Example 2: Listing all buckets with pagination"
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html), in that shape.
const S3_LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Buckets>
    <Bucket>
      <CreationDate>2019-12-11T23:32:47+00:00</CreationDate>
      <Name>amzn-s3-demo-bucket</Name>
      <BucketRegion>us-east-1</BucketRegion>
    </Bucket>
    <Bucket>
      <CreationDate>2019-11-10T23:32:13+00:00</CreationDate>
      <Name>amzn-s3-demo-bucket1</Name>
      <BucketRegion>eu-west-1</BucketRegion>
    </Bucket>
  </Buckets>
  <Owner>
    <DisplayName>Account+Name</DisplayName>
    <ID>AIDACKCEVSQ6C2EXAMPLE</ID>
  </Owner>
  <ContinuationToken>eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==</ContinuationToken>
  <Prefix>amzn-s3-demo-bucket</Prefix>
</ListAllMyBucketsResult>"#;

/// AWS S3 API Reference, GetBucketTagging, "Sample Response".
const S3_TAGS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <TagSet>
    <Tag><Key>Project</Key><Value>Project One</Value></Tag>
    <Tag><Key>User</Key><Value>jsmith</Value></Tag>
  </TagSet>
</Tagging>"#;

/// COS API, GET Service, response example (https://cloud.tencent.com/document/product/436/8291).
const COS_LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult>
	<Owner>
		<ID>qcs::cam::uin/100000000001:uin/100000000001</ID>
		<DisplayName>100000000001</DisplayName>
	</Owner>
	<Buckets>
		<Bucket>
			<Name>examplebucket1-1250000000</Name>
			<Location>ap-beijing</Location>
			<CreationDate>2019-05-24T11:49:50Z</CreationDate>
			<BucketType>cos</BucketType>
		</Bucket>
		<Bucket>
			<Name>examplebucket2-1250000000</Name>
			<Location>ap-guangzhou</Location>
			<CreationDate>2019-05-24T11:51:50Z</CreationDate>
			<BucketType>cos</BucketType>
		</Bucket>
	</Buckets>
</ListAllMyBucketsResult>"#;

/// COS API, GetService with paging (https://cloud.tencent.com/document/product/436/139734):
/// `Marker`, `NextMarker`, `IsTruncated` beside `Buckets`.
const COS_LIST_TRUNCATED: &str = r#"<ListAllMyBucketsResult>
<Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>
<Marker></Marker>
<NextMarker>examplebucket1-1250000000</NextMarker>
<IsTruncated>true</IsTruncated>
<Buckets><Bucket><Name>examplebucket1-1250000000</Name><Location>ap-beijing</Location>
<CreationDate>2019-05-24T11:49:50Z</CreationDate></Bucket></Buckets>
</ListAllMyBucketsResult>"#;

/// COS API, GET Bucket tagging, response example
/// (https://cloud.tencent.com/document/product/436/34837).
const COS_TAGS: &str = "<Tagging>\n\t<TagSet>\n\t\t<Tag>\n\t\t\t<Key>1</Key>\n\t\t\t<Value>2</Value>\n\
                        \t\t</Tag>\n\t</TagSet>\n</Tagging>";

/// OSS API, ListBuckets (GetService), "Example 2" with prefix, marker and max-keys
/// (https://www.alibabacloud.com/help/en/oss/developer-reference/listbuckets).
const OSS_LIST_TRUNCATED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult>
  <Prefix>my</Prefix>
  <Marker>mybucket</Marker>
  <MaxKeys>10</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextMarker>mybucket10</NextMarker>
  <Owner>
    <ID>ut_test_put_bucket</ID>
    <DisplayName>ut_test_put_bucket</DisplayName>
  </Owner>
  <Buckets>
    <Bucket>
      <CreationDate>2014-05-14T11:18:32.000Z</CreationDate>
      <ExtranetEndpoint>oss-cn-hangzhou.aliyuncs.com</ExtranetEndpoint>
      <IntranetEndpoint>oss-cn-hangzhou-internal.aliyuncs.com</IntranetEndpoint>
      <Location>oss-cn-hangzhou</Location>
      <Name>mybucket01</Name>
      <Region>cn-hangzhou</Region>
      <StorageClass>Standard</StorageClass>
    </Bucket>
  </Buckets>
</ListAllMyBucketsResult>"#;

/// OSS API, ListBuckets, "Example 1": no paging elements on a complete answer, and an older
/// answer with `Location` only.
const OSS_LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult>
  <Owner><ID>512**</ID><DisplayName>51264</DisplayName></Owner>
  <Buckets>
    <Bucket>
      <CreationDate>2015-12-17T18:12:43.000Z</CreationDate>
      <ExtranetEndpoint>oss-cn-shanghai.aliyuncs.com</ExtranetEndpoint>
      <IntranetEndpoint>oss-cn-shanghai-internal.aliyuncs.com</IntranetEndpoint>
      <Location>oss-cn-shanghai</Location>
      <Name>app-base-oss</Name>
      <Region>cn-shanghai</Region>
      <StorageClass>Standard</StorageClass>
    </Bucket>
    <Bucket>
      <CreationDate>2014-12-25T11:21:04.000Z</CreationDate>
      <Location>oss-cn-hangzhou</Location>
      <Name>atestleo23</Name>
      <StorageClass>IA</StorageClass>
    </Bucket>
  </Buckets>
</ListAllMyBucketsResult>"#;

/// OSS API, GetBucketTags, "Sample response"
/// (https://www.alibabacloud.com/help/en/oss/developer-reference/getbuckettags).
const OSS_TAGS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Tagging>
  <TagSet>
    <Tag><Key>testa</Key><Value>value1-test</Value></Tag>
    <Tag><Key>testb</Key><Value>value2-test</Value></Tag>
  </TagSet>
</Tagging>"#;

fn none() -> HeaderMap {
    HeaderMap::new()
}

fn error_body(code: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>m</Message><RequestId>R-1</RequestId></Error>"
    )
}

fn names_and_regions(buckets: &[DiscoveredBucket]) -> Vec<(&str, &str)> {
    buckets
        .iter()
        .map(|b| (b.name.as_str(), b.region.as_str()))
        .collect()
}

fn tags(pairs: &[(&str, &str)]) -> invsync::provider::discovery::BucketTags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn s3_listing_reads_names_bucket_regions_dates_and_the_next_token() {
    let page = S3::read_bucket_page(200, &none(), S3_LIST.as_bytes()).unwrap();
    assert_eq!(
        names_and_regions(&page.items),
        [
            ("amzn-s3-demo-bucket", "us-east-1"),
            ("amzn-s3-demo-bucket1", "eu-west-1")
        ]
    );
    assert_eq!(
        page.items[0].created.as_deref(),
        Some("2019-12-11T23:32:47+00:00")
    );
    assert_eq!(
        page.next_token.as_deref(),
        Some("eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==")
    );
    let last = S3_LIST.replace(
        "<ContinuationToken>eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==</ContinuationToken>",
        "",
    );
    let last = S3::read_bucket_page(200, &none(), last.as_bytes()).unwrap();
    assert_eq!(last.next_token, None);
}

#[test]
fn cos_listing_reads_location_and_follows_next_marker_only_when_truncated() {
    let page = Cos::read_bucket_page(200, &none(), COS_LIST.as_bytes()).unwrap();
    assert_eq!(
        names_and_regions(&page.items),
        [
            ("examplebucket1-1250000000", "ap-beijing"),
            ("examplebucket2-1250000000", "ap-guangzhou")
        ]
    );
    assert_eq!(page.next_token, None);
    let first = Cos::read_bucket_page(200, &none(), COS_LIST_TRUNCATED.as_bytes()).unwrap();
    assert_eq!(
        first.next_token.as_deref(),
        Some("examplebucket1-1250000000")
    );
}

#[test]
fn oss_listing_reads_region_or_location_without_its_prefix_and_the_next_marker() {
    let page = Oss::read_bucket_page(200, &none(), OSS_LIST.as_bytes()).unwrap();
    assert_eq!(
        names_and_regions(&page.items),
        [
            ("app-base-oss", "cn-shanghai"),
            ("atestleo23", "cn-hangzhou")
        ]
    );
    assert_eq!(page.next_token, None);
    let first = Oss::read_bucket_page(200, &none(), OSS_LIST_TRUNCATED.as_bytes()).unwrap();
    assert_eq!(
        names_and_regions(&first.items),
        [("mybucket01", "cn-hangzhou")]
    );
    assert_eq!(first.next_token.as_deref(), Some("mybucket10"));
}

#[test]
fn an_account_without_buckets_is_an_empty_last_page() {
    let empty =
        "<ListAllMyBucketsResult><Owner><ID>1</ID></Owner><Buckets/></ListAllMyBucketsResult>";
    for page in [
        S3::read_bucket_page(200, &none(), empty.as_bytes()),
        Cos::read_bucket_page(200, &none(), empty.as_bytes()),
        Oss::read_bucket_page(200, &none(), empty.as_bytes()),
    ] {
        let page = page.unwrap();
        assert!(page.items.is_empty() && page.next_token.is_none());
    }
}

#[test]
fn unreadable_listings_are_errors_never_empty_lists() {
    let bodies = [
        "".to_string(),
        "<html><body>Service Unavailable</body></html>".to_string(),
        error_body("InternalError"),
        "<ListBucketResult><Contents/></ListBucketResult>".to_string(),
        "<ListAllMyBucketsResult><Owner><ID>1</ID></Owner>".to_string(),
        // No <Buckets> at all: not an answer to trust as "no buckets".
        "<ListAllMyBucketsResult><Owner><ID>1</ID></Owner></ListAllMyBucketsResult>".to_string(),
        // A bucket without a name, or without a region.
        "<ListAllMyBucketsResult><Buckets><Bucket><BucketRegion>r</BucketRegion>\
         <Location>r</Location><Region>r</Region></Bucket></Buckets></ListAllMyBucketsResult>"
            .to_string(),
        "<ListAllMyBucketsResult><Buckets><Bucket><Name>b</Name></Bucket></Buckets>\
         </ListAllMyBucketsResult>"
            .to_string(),
        format!("{}{}", "<a>".repeat(100), "</a>".repeat(100)),
    ];
    for body in &bodies {
        for result in [
            S3::read_bucket_page(200, &none(), body.as_bytes()),
            Cos::read_bucket_page(200, &none(), body.as_bytes()),
            Oss::read_bucket_page(200, &none(), body.as_bytes()),
        ] {
            assert!(
                matches!(result, Err(Failure::Body(_) | Failure::Decode(_))),
                "{body}: {result:?}"
            );
        }
    }
}

#[test]
fn a_truncated_page_without_a_next_marker_or_with_a_bad_flag_is_an_error() {
    let no_marker = COS_LIST_TRUNCATED.replace(
        "<NextMarker>examplebucket1-1250000000</NextMarker>",
        "<NextMarker></NextMarker>",
    );
    let err = Cos::read_bucket_page(200, &none(), no_marker.as_bytes()).unwrap_err();
    assert!(format!("{err:?}").contains("NextMarker"), "{err:?}");
    let bad_flag = OSS_LIST_TRUNCATED.replace(
        "<IsTruncated>true</IsTruncated>",
        "<IsTruncated>maybe</IsTruncated>",
    );
    assert!(Oss::read_bucket_page(200, &none(), bad_flag.as_bytes()).is_err());
}

#[test]
fn an_error_answer_to_a_listing_is_the_services_error() {
    let err = S3::read_bucket_page(403, &none(), error_body("AccessDenied").as_bytes());
    match err {
        Err(Failure::Service(e)) => assert_eq!((e.status, e.code.as_str()), (403, "AccessDenied")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tags_are_read_from_each_vendors_example() {
    assert_eq!(
        S3::read_tags(200, &none(), S3_TAGS.as_bytes()).unwrap(),
        tags(&[("Project", "Project One"), ("User", "jsmith")])
    );
    assert_eq!(
        Cos::read_tags(200, &none(), COS_TAGS.as_bytes()).unwrap(),
        tags(&[("1", "2")])
    );
    assert_eq!(
        Oss::read_tags(200, &none(), OSS_TAGS.as_bytes()).unwrap(),
        tags(&[("testa", "value1-test"), ("testb", "value2-test")])
    );
}

#[test]
fn each_providers_no_tags_answer_is_an_empty_set() {
    let no_tag_set = error_body("NoSuchTagSet");
    assert!(
        S3::read_tags(404, &none(), no_tag_set.as_bytes())
            .unwrap()
            .is_empty()
    );
    for code in ["NoSuchTagSet", "NoSuchTagSetError"] {
        let body = error_body(code);
        let tags = Cos::read_tags(404, &none(), body.as_bytes()).unwrap();
        assert!(tags.is_empty(), "{code}");
    }
    // OSS answers 200 with an empty Tagging element (GetBucketTags, "Response elements").
    for empty in ["<Tagging/>", "<Tagging><TagSet/></Tagging>"] {
        assert!(
            Oss::read_tags(200, &none(), empty.as_bytes())
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn a_missing_bucket_or_a_refusal_is_an_error_not_an_empty_tag_set() {
    for code in ["NoSuchBucket", "AccessDenied"] {
        let status = if code == "NoSuchBucket" { 404 } else { 403 };
        let body = error_body(code);
        assert!(
            S3::read_tags(status, &none(), body.as_bytes()).is_err(),
            "{code}"
        );
        assert!(
            Cos::read_tags(status, &none(), body.as_bytes()).is_err(),
            "{code}"
        );
        assert!(
            Oss::read_tags(status, &none(), body.as_bytes()).is_err(),
            "{code}"
        );
    }
    // OSS has no "no tags" error: its 404 NoSuchTagSet would be a surprise, reported.
    let body = error_body("NoSuchTagSet");
    assert!(Oss::read_tags(404, &none(), body.as_bytes()).is_err());
}

#[test]
fn unreadable_tags_are_errors() {
    for body in [
        "",
        "<html></html>",
        "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
        "<Tagging><TagSet><Tag><Key>k</Key></Tag><Tag><Key>k</Key></Tag></TagSet></Tagging>",
        "<Tagging><TagSet>",
    ] {
        assert!(
            S3::read_tags(200, &none(), body.as_bytes()).is_err(),
            "{body}"
        );
    }
}

#[test]
fn listing_parameters_follow_each_providers_names() {
    let filter = BucketFilter {
        prefix: Some("logs-".into()),
        region: Some("eu-west-1".into()),
    };
    assert_eq!(
        S3::BUCKET_LISTING.params(&filter, Some("t")),
        [
            ("max-buckets", "1000"),
            ("continuation-token", "t"),
            ("prefix", "logs-"),
            ("bucket-region", "eu-west-1")
        ]
    );
    assert_eq!(
        Oss::BUCKET_LISTING.params(&filter, Some("m")),
        [("max-keys", "1000"), ("marker", "m"), ("prefix", "logs-")]
    );
    assert_eq!(Cos::BUCKET_LISTING.params(&filter, None), []);
    assert_eq!(S3::BUCKET_LISTING.endpoint_region(&filter), "eu-west-1");
    let all = BucketFilter::default();
    assert_eq!(S3::BUCKET_LISTING.endpoint_region(&all), "us-east-1");
    assert_eq!(Cos::BUCKET_LISTING.endpoint_region(&all), "");
    assert_eq!(Oss::BUCKET_LISTING.endpoint_region(&all), "cn-hangzhou");
}
