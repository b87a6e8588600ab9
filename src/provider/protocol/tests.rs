//! The answer rules every dialect shares, checked once against each of them.

use reqwest::header::HeaderMap;

use super::Dialect;
use crate::provider::cos::client::Cos;
use crate::provider::kit::spec::ProviderSpec;
use crate::provider::oss::client::Oss;
use crate::provider::response::Failure;
use crate::provider::s3::client::S3;

/// What a test needs of a dialect besides the dialect: a configuration it reads as modelled,
/// and the error code that means "no configurations" on a LIST, if it has one.
trait Sample: Dialect {
    /// The provider's table entry.
    const SPEC: &'static ProviderSpec;
    const CONFIG: &'static str;
    const NO_CONFIGURATIONS: Option<&'static str>;
}

impl Sample for Cos {
    const SPEC: &'static ProviderSpec = &crate::provider::cos::SPEC;
    const CONFIG: &'static str = "<InventoryConfiguration><Id>list1</Id>\
        <IsEnabled>true</IsEnabled><IncludedObjectVersions>All</IncludedObjectVersions>\
        <Schedule><Frequency>Daily</Frequency></Schedule><Destination><COSBucketDestination>\
        <Bucket>qcs::cos:ap-guangzhou::dest-1250000000</Bucket><Format>CSV</Format>\
        </COSBucketDestination></Destination></InventoryConfiguration>";
    const NO_CONFIGURATIONS: Option<&'static str> = Some("NoSuchInventoryConfiguration");
}

impl Sample for Oss {
    const SPEC: &'static ProviderSpec = &crate::provider::oss::SPEC;
    const CONFIG: &'static str = crate::provider::oss::xml::tests::VECTOR_BODY;
    const NO_CONFIGURATIONS: Option<&'static str> = Some("NoSuchInventory");
}

impl Sample for S3 {
    const SPEC: &'static ProviderSpec = &crate::provider::s3::SPEC;
    const CONFIG: &'static str = crate::provider::s3::xml::tests::FULL_BODY;
    const NO_CONFIGURATIONS: Option<&'static str> = None;
}

/// Runs `check` against every dialect.
macro_rules! for_every_dialect {
    ($check:ident) => {
        $check::<Cos>();
        $check::<Oss>();
        $check::<S3>();
    };
}

fn error_body(code: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>m</Message><RequestId>R-1</RequestId><HostId>h</HostId></Error>"
    )
}

fn list<D: Sample>(configs: &str, tail: &str) -> String {
    format!("<{root}>{configs}{tail}</{root}>", root = D::LIST_ROOT)
}

fn no_headers() -> HeaderMap {
    HeaderMap::new()
}

fn is_unreadable<T>(result: &Result<T, Failure>) -> bool {
    matches!(result, Err(Failure::Decode(_) | Failure::Body(_)))
}

#[test]
fn error_bodies_give_code_message_and_request_id() {
    fn check<D: Sample>() {
        let e = D::read_error(403, &no_headers(), error_body("AccessDenied").as_bytes());
        assert_eq!(
            (e.status, e.code.as_str(), e.message.as_str()),
            (403, "AccessDenied", "m"),
            "{:?}",
            D::PROVIDER
        );
        assert_eq!(e.request_id, "R-1");
    }
    for_every_dialect!(check);
}

#[test]
fn a_page_reads_its_configurations_and_the_next_token() {
    fn check<D: Sample>() {
        let tail =
            "<IsTruncated>true</IsTruncated><NextContinuationToken>t1</NextContinuationToken>";
        let page = D::read_list(200, &no_headers(), list::<D>(D::CONFIG, tail).as_bytes()).unwrap();
        assert_eq!(page.items.len(), 1);
        assert!(page.items[0].modelled().is_some(), "{:?}", D::PROVIDER);
        assert_eq!(page.next_token.as_deref(), Some("t1"));
    }
    for_every_dialect!(check);
}

#[test]
fn the_last_page_has_no_next_token_even_when_one_is_sent() {
    fn check<D: Sample>() {
        let tail =
            "<IsTruncated>FALSE</IsTruncated><NextContinuationToken>x</NextContinuationToken>";
        let page = D::read_list(200, &no_headers(), list::<D>("", tail).as_bytes()).unwrap();
        assert_eq!((page.items.len(), page.next_token), (0, None));
    }
    for_every_dialect!(check);
}

#[test]
fn a_truncated_page_without_a_usable_token_is_unreadable() {
    fn check<D: Sample>() {
        for token in ["", "<NextContinuationToken></NextContinuationToken>"] {
            let body = list::<D>(
                D::CONFIG,
                &format!("<IsTruncated>true</IsTruncated>{token}"),
            );
            let page = D::read_list(200, &no_headers(), body.as_bytes());
            assert!(is_unreadable(&page), "{:?} {token}", D::PROVIDER);
        }
    }
    for_every_dialect!(check);
}

#[test]
fn success_bodies_that_are_not_the_document_are_unreadable() {
    fn check<D: Sample>() {
        let other_root = "<ListSomethingElse><IsTruncated>false</IsTruncated></ListSomethingElse>";
        let cut_short = list::<D>("<InventoryConfiguration><Id>a", "");
        let cut_short = &cut_short[..cut_short.len() - D::LIST_ROOT.len() - 3];
        let bodies = [
            "",
            "<html><body>Service Unavailable</body></html>",
            "<Error><Code>InternalError</Code><Message>m</Message></Error>",
            other_root,
            &list::<D>("", ""),
            cut_short,
        ];
        for body in bodies {
            let page = D::read_list(200, &no_headers(), body.as_bytes());
            assert!(is_unreadable(&page), "{:?} {body}", D::PROVIDER);
        }
        for body in ["", "<html>x</html>", "<Other/>"] {
            let got = D::read_get(200, &no_headers(), body.as_bytes());
            assert!(is_unreadable(&got), "{:?} {body}", D::PROVIDER);
        }
    }
    for_every_dialect!(check);
}

#[test]
fn only_the_dialects_no_configurations_answer_means_empty_and_never_a_missing_bucket() {
    fn check<D: Sample>() {
        let missing_bucket = error_body("NoSuchBucket");
        let Err(Failure::Service(e)) = D::read_list(404, &no_headers(), missing_bucket.as_bytes())
        else {
            panic!("a 404 is a service failure of the page")
        };
        assert!(!D::means_no_configurations(&e), "{:?}", D::PROVIDER);
        if let Some(code) = D::NO_CONFIGURATIONS {
            let body = error_body(code);
            let Err(Failure::Service(e)) = D::read_list(404, &no_headers(), body.as_bytes()) else {
                panic!("a 404 is a service failure of the page")
            };
            assert!(D::means_no_configurations(&e), "{:?}", D::PROVIDER);
        }
    }
    for_every_dialect!(check);
}

#[test]
fn get_404_is_none_but_a_missing_bucket_is_an_error() {
    fn check<D: Sample>() {
        assert_eq!(D::read_get(404, &no_headers(), b""), Ok(None));
        let missing = error_body("NoSuchInventory");
        assert_eq!(
            D::read_get(404, &no_headers(), missing.as_bytes()),
            Ok(None)
        );
        let missing_bucket = error_body("NoSuchBucket");
        assert!(D::read_get(404, &no_headers(), missing_bucket.as_bytes()).is_err());
        let got = D::read_get(200, &no_headers(), D::CONFIG.as_bytes()).unwrap();
        assert!(
            got.is_some_and(|c| c.modelled().is_some()),
            "{:?}",
            D::PROVIDER
        );
    }
    for_every_dialect!(check);
}

#[test]
fn delete_of_a_missing_configuration_succeeds_but_not_of_a_missing_bucket() {
    fn check<D: Sample>() {
        assert_eq!(D::read_delete(204, &no_headers(), b""), Ok(()));
        let missing = error_body("NoSuchInventory");
        assert_eq!(
            D::read_delete(404, &no_headers(), missing.as_bytes()),
            Ok(())
        );
        let missing_bucket = error_body("NoSuchBucket");
        assert!(D::read_delete(404, &no_headers(), missing_bucket.as_bytes()).is_err());
        let denied = error_body("AccessDenied");
        assert!(D::read_delete(403, &no_headers(), denied.as_bytes()).is_err());
        assert!(D::read_put(403, &no_headers(), denied.as_bytes()).is_err());
        assert_eq!(D::read_put(200, &no_headers(), b""), Ok(()));
    }
    for_every_dialect!(check);
}

#[test]
fn every_dialect_is_named_as_its_table_entry_names_it() {
    fn check<D: Sample>() {
        assert_eq!(D::TITLE, D::SPEC.short_title());
        assert_eq!(D::PROVIDER, D::SPEC.provider);
    }
    for_every_dialect!(check);
}

#[test]
fn every_dialect_reads_no_policy_as_none_and_refuses_403_and_a_missing_bucket() {
    fn check<D: Sample>() {
        let none = D::read_policy(
            404,
            &no_headers(),
            error_body("NoSuchBucketPolicy").as_bytes(),
        );
        assert_eq!(none, Ok(None), "{:?}", D::PROVIDER);
        for (status, code) in [(403, "AccessDenied"), (404, "NoSuchBucket")] {
            let read = D::read_policy(status, &no_headers(), error_body(code).as_bytes());
            assert!(
                matches!(&read, Err(Failure::Service(e)) if e.code == code),
                "{:?} {code}: {read:?}",
                D::PROVIDER
            );
        }
    }
    for_every_dialect!(check);
}

#[test]
fn every_dialect_reads_a_listing_and_refuses_an_error_document_with_200() {
    fn check<D: Sample>() {
        let body = "<ListBucketResult><Name>d</Name><IsTruncated>true</IsTruncated>\
            <NextMarker>inv/b/</NextMarker><CommonPrefixes><Prefix>inv/a/</Prefix>\
            </CommonPrefixes></ListBucketResult>";
        let page = D::read_object_page(Some("/"), 200, &no_headers(), body.as_bytes()).unwrap();
        assert_eq!(page.common_prefixes, ["inv/a/"], "{:?}", D::PROVIDER);
        assert_eq!(page.next_marker.as_deref(), Some("inv/b/"));
        let error = error_body("AccessDenied");
        assert!(is_unreadable(&D::read_object_page(
            None,
            200,
            &no_headers(),
            error.as_bytes()
        )));
    }
    for_every_dialect!(check);
}
