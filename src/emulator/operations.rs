//! The four inventory operations on the store, with the rules every provider shares; what
//! differs comes from the request's [`EmulatedProvider`]. Pure.

use super::call::Call;
use super::dialect::{EmulatedProvider, Failure, Listing};
use super::errors::ApiError;
use super::route::ApiRequest;
use super::state::{Store, StoreError};
use super::xmltree::Element;
use crate::provider::Operation;

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Success {
    pub(crate) status: u16,
    /// An XML document, or `None` for an empty body.
    pub(crate) body: Option<String>,
    /// A body that is not an XML document (an object, a policy), with its headers; wins
    /// over `body`.
    pub(crate) raw: Option<RawBody>,
}

/// A success body that is not an XML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawBody {
    pub(crate) bytes: Vec<u8>,
    pub(crate) content_type: &'static str,
    /// Extra headers (`etag`, `last-modified`).
    pub(crate) headers: Vec<(&'static str, String)>,
    /// A HEAD answer: the headers of `bytes` without them.
    pub(crate) head_only: bool,
}

/// The result of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) success: Success,
    /// The store changed (and should be persisted).
    pub(crate) changed: bool,
}

/// The XML declaration the services put in front of response documents.
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Carries out the inventory call `request` on `store` by `dialect`'s rules. `body` is the
/// request body (used by PUT only).
///
/// # Errors
/// The dialect's answer for a refused body, a missing configuration or a refused store
/// operation; 500 for a request that is not an inventory call.
pub(crate) fn execute(
    dialect: &dyn EmulatedProvider,
    store: &mut Store,
    request: &ApiRequest,
    body: &[u8],
) -> Result<Outcome, ApiError> {
    let provider = request.provider;
    let bucket = request.bucket.as_str();
    let id = request.id.as_deref().unwrap_or_default();
    let store_error = |e: StoreError| store_error(dialect, e);
    let Call::Inventory(operation) = request.call else {
        return Err(ApiError::new(
            500,
            "InternalError",
            "A bucket-level call reached the inventory operations.",
        ));
    };
    match operation {
        Operation::Put => {
            let xml = prepare_put(dialect, id, body)?;
            store
                .put(provider, bucket, id, xml, dialect.put_mode())
                .map_err(store_error)?;
            Ok(Outcome {
                success: Success {
                    status: dialect.put_status(),
                    body: None,
                    raw: None,
                },
                changed: true,
            })
        }
        Operation::Get => match store.get(provider, bucket, id).map_err(store_error)? {
            Some(xml) => Ok(unchanged(200, Some(dialect.get_document(&xml)))),
            None => Err(dialect.error(&Failure::NoSuchConfiguration)),
        },
        Operation::Delete => {
            let existed = store.delete(provider, bucket, id).map_err(store_error)?;
            Ok(Outcome {
                success: Success {
                    status: 204,
                    body: None,
                    raw: None,
                },
                changed: existed,
            })
        }
        Operation::List => {
            let page = store
                .list_page(
                    provider,
                    bucket,
                    request.token.as_deref(),
                    dialect.list_order(),
                )
                .map_err(store_error)?;
            let document = dialect.list_document(&Listing {
                items: &page.items,
                token: request.token.as_deref(),
                next_token: page.next_token.as_deref(),
                bucket_is_empty: store.count(provider, bucket) == 0,
            })?;
            Ok(unchanged(200, Some(document)))
        }
        // Service-level, tagging and object requests are routed elsewhere, never here.
        Operation::ListBuckets
        | Operation::GetBucketTags
        | Operation::ListObjects
        | Operation::GetObject
        | Operation::GetBucketPolicy => Err(ApiError::new(
            501,
            "NotImplemented",
            "Only the inventory sub-resource is implemented.",
        )),
    }
}

fn unchanged(status: u16, body: Option<String>) -> Outcome {
    Outcome {
        success: Success {
            status,
            body,
            raw: None,
        },
        changed: false,
    }
}

/// A stored configuration as a GET answer: the declaration, then the element as stored.
pub(crate) fn plain_document(stored: &str) -> String {
    format!("{DECLARATION}{stored}")
}

/// A LIST answer under `root`: the page's configurations, `IsTruncated`, the token given
/// (echoed) and the next one when truncated.
pub(crate) fn plain_list_document(root: &str, listing: &Listing<'_>) -> String {
    let mut out = format!("{DECLARATION}<{root}>");
    for item in listing.items {
        out.push_str(item);
    }
    let truncated = listing.next_token.is_some();
    Element::with_text("IsTruncated", truncated.to_string()).write_into(&mut out);
    if let Some(token) = listing.token {
        Element::with_text("ContinuationToken", token).write_into(&mut out);
    }
    if let Some(next) = listing.next_token {
        Element::with_text("NextContinuationToken", next).write_into(&mut out);
    }
    out.push_str(&format!("</{root}>"));
    out
}

/// The dialect's answer for a refused store operation.
pub(crate) fn store_error(dialect: &dyn EmulatedProvider, error: StoreError) -> ApiError {
    let failure = match error {
        StoreError::NoSuchBucket(bucket) => Failure::NoSuchBucket(bucket),
        StoreError::AlreadyExists(_) => Failure::AlreadyExists,
        StoreError::TooManyConfigurations => Failure::TooManyConfigurations,
        StoreError::InvalidToken => Failure::InvalidToken,
    };
    dialect.error(&failure)
}

/// Checks a PUT body and turns it into the element that GET will serve.
///
/// Shared rules: the root is `InventoryConfiguration` (else the dialect's `MalformedXML`);
/// `<Id>` equals the query id (else the dialect's id mismatch); `IsEnabled` is accepted in
/// any case and stored lowercase. The dialect's schema check comes before the id check, its
/// own completion last.
pub(crate) fn prepare_put(
    dialect: &dyn EmulatedProvider,
    id: &str,
    body: &[u8],
) -> Result<String, ApiError> {
    let malformed = || dialect.error(&Failure::MalformedXml);
    let mut root = Element::parse(body).map_err(|_| malformed())?;
    if root.name != "InventoryConfiguration" {
        return Err(malformed());
    }
    dialect.validate_put(body, &root)?;
    let body_id = root.child("Id").map(Element::text).unwrap_or_default();
    if body_id != id {
        return Err(dialect.error(&Failure::IdMismatch));
    }
    let enabled = root
        .child_mut("IsEnabled")
        .ok_or_else(ApiError::malformed_xml)?;
    match enabled.text().to_ascii_lowercase().as_str() {
        value @ ("true" | "false") => enabled.set_text(value),
        _ => {
            return Err(ApiError::invalid_argument(
                "IsEnabled must be true or false.",
            ));
        }
    }
    dialect.finish_put(id, &mut root)?;
    Ok(root.to_xml())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::dialects;
    use crate::emulator::state::PutMode;
    use crate::model::Provider;

    const COS_HOST: &str = "b-1250000000.cos.ap-guangzhou.myqcloud.com";

    fn cos_body(id: &str, enabled: &str) -> String {
        format!(
            "<InventoryConfiguration><Id>{id}</Id><IsEnabled>{enabled}</IsEnabled>\
             <IncludedObjectVersions>All</IncludedObjectVersions>\
             <Filter><Prefix>logs/</Prefix></Filter>\
             <Schedule><Frequency>Daily</Frequency></Schedule>\
             <Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::d-1250000000</Bucket>\
             <Format>CSV</Format></COSBucketDestination></Destination></InventoryConfiguration>"
        )
    }

    fn oss_body(id: &str) -> String {
        format!(
            "<InventoryConfiguration><Id>{id}</Id><IsEnabled>True</IsEnabled>\
             <Destination><OSSBucketDestination><Format>CSV</Format><AccountId>1</AccountId>\
             <RoleArn>acs:ram::1:role/r</RoleArn><Bucket>acs:oss:::d</Bucket>\
             </OSSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule>\
             <Filter><StorageClass>Standard,IA</StorageClass></Filter>\
             <IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>"
        )
    }

    fn run(
        store: &mut Store,
        method: &str,
        host: &str,
        path: &str,
        query: &str,
        body: &str,
    ) -> Result<Outcome, ApiError> {
        let (dialect, request) =
            dialects::route(method, host, path, query, &axum::http::HeaderMap::new());
        execute(dialect, store, &request.unwrap(), body.as_bytes())
    }

    #[test]
    fn cos_get_returns_what_was_put_with_is_enabled_lowercased_and_optional_fields_added() {
        let mut store = Store::default();
        let put = run(
            &mut store,
            "PUT",
            COS_HOST,
            "/",
            "inventory&id=a",
            &cos_body("a", "True"),
        )
        .unwrap();
        assert_eq!(
            put.success,
            Success {
                status: 200,
                body: None,
                raw: None,
            }
        );
        let got = run(&mut store, "GET", COS_HOST, "/", "inventory&id=a", "").unwrap();
        let body = got.success.body.unwrap();
        assert!(body.contains("<IsEnabled>true</IsEnabled>"));
        assert!(
            body.contains("<Filter><Prefix>logs/</Prefix></Filter>"),
            "filter shape kept"
        );
        assert!(body.contains("<OptionalFields></OptionalFields>"));
    }

    #[test]
    fn a_body_id_different_from_the_query_id_is_invalid() {
        let mut store = Store::default();
        let err = run(
            &mut store,
            "PUT",
            COS_HOST,
            "/",
            "inventory&id=b",
            &cos_body("a", "true"),
        )
        .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (400, "InvalidArgument"));
        let err = run(
            &mut store,
            "PUT",
            "127.0.0.1",
            "/ob/",
            "inventory&inventoryId=b",
            &oss_body("a"),
        )
        .unwrap_err();
        assert_eq!((err.status, err.ec.as_str()), (400, "0020-00000043"));
    }

    #[test]
    fn malformed_or_foreign_bodies_are_malformed_xml() {
        let mut store = Store::default();
        for body in [
            "<InventoryConfiguration><Id>a</Id>",
            "<Other><Id>a</Id></Other>",
            "",
        ] {
            let err = run(&mut store, "PUT", COS_HOST, "/", "inventory&id=a", body).unwrap_err();
            assert_eq!(err.code, "MalformedXML", "{body}");
        }
    }

    #[test]
    fn cos_missing_config_is_inventory_configuration_not_found_and_delete_is_idempotent() {
        let mut store = Store::default();
        let err = run(&mut store, "GET", COS_HOST, "/", "inventory&id=x", "").unwrap_err();
        assert_eq!(
            (err.status, err.code.as_str()),
            (404, "InventoryConfigurationNotFoundError")
        );
        let del = run(&mut store, "DELETE", COS_HOST, "/", "inventory&id=x", "").unwrap();
        assert_eq!(del.success.status, 204);
    }

    #[test]
    fn cos_empty_list_is_200_and_oss_empty_list_is_no_such_inventory() {
        let mut store = Store::default();
        let cos = run(&mut store, "GET", COS_HOST, "/", "inventory", "").unwrap();
        assert_eq!(
            cos.success.body.unwrap(),
            format!(
                "{DECLARATION}<ListInventoryConfigurationResult><IsTruncated>false</IsTruncated>\
                 </ListInventoryConfigurationResult>"
            )
        );
        let oss = run(&mut store, "GET", "127.0.0.1", "/ob/", "inventory", "").unwrap_err();
        assert_eq!((oss.status, oss.code.as_str()), (404, "NoSuchInventory"));
    }

    #[test]
    fn oss_put_twice_is_409_and_storage_classes_come_back_sorted() {
        let mut store = Store::default();
        let q = "inventory&inventoryId=r1";
        run(&mut store, "PUT", "127.0.0.1", "/ob/", q, &oss_body("r1")).unwrap();
        let err = run(&mut store, "PUT", "127.0.0.1", "/ob/", q, &oss_body("r1")).unwrap_err();
        assert_eq!(
            (err.status, err.code.as_str()),
            (409, "InventoryConfigurationAlreadyExists")
        );
        let got = run(&mut store, "GET", "127.0.0.1", "/ob/", q, "").unwrap();
        let body = got.success.body.unwrap();
        assert!(
            body.contains("<StorageClass>IA,Standard</StorageClass>"),
            "{body}"
        );
        assert!(body.contains("<IsEnabled>true</IsEnabled>"));
    }

    #[test]
    fn list_echoes_a_token_it_was_given_and_offers_the_next_only_when_truncated() {
        let mut store = Store::default();
        for i in 0..101 {
            let id = format!("c{i}");
            run(
                &mut store,
                "PUT",
                COS_HOST,
                "/",
                &format!("inventory&id={id}"),
                &cos_body(&id, "true"),
            )
            .unwrap();
        }
        let first = run(
            &mut store,
            "GET",
            COS_HOST,
            "/",
            "inventory&continuation-token=",
            "",
        )
        .unwrap()
        .success
        .body
        .unwrap();
        assert!(first.contains("<IsTruncated>true</IsTruncated>"));
        assert!(!first.contains("<ContinuationToken>"));
        let next = first
            .split("<NextContinuationToken>")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_string();
        let encoded =
            percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC);
        let second = run(
            &mut store,
            "GET",
            COS_HOST,
            "/",
            &format!("inventory&continuation-token={encoded}"),
            "",
        )
        .unwrap()
        .success
        .body
        .unwrap();
        assert!(second.contains("<IsTruncated>false</IsTruncated>"));
        assert!(second.contains(&format!("<ContinuationToken>{next}</ContinuationToken>")));
        assert!(!second.contains("<NextContinuationToken>"));
        assert_eq!(second.matches("<InventoryConfiguration>").count(), 1);
    }

    #[test]
    fn the_configuration_limit_is_each_providers_400() {
        let mut store = Store::default();
        for i in 0..crate::emulator::state::MAX_CONFIGS_PER_BUCKET {
            let id = format!("c{i}");
            store
                .put(
                    Provider::COS,
                    "b-1250000000",
                    &id,
                    String::new(),
                    PutMode::Upsert,
                )
                .unwrap();
            store
                .put(Provider::OSS, "ob", &id, String::new(), PutMode::CreateOnly)
                .unwrap();
        }
        let cos = run(
            &mut store,
            "PUT",
            COS_HOST,
            "/",
            "inventory&id=new",
            &cos_body("new", "true"),
        )
        .unwrap_err();
        assert_eq!(
            (cos.status, cos.code.as_str()),
            (400, "TooManyConfigurations")
        );
        let oss = run(
            &mut store,
            "PUT",
            "127.0.0.1",
            "/ob/",
            "inventory&inventoryId=new",
            &oss_body("new"),
        )
        .unwrap_err();
        assert_eq!((oss.status, oss.code.as_str()), (400, "InvalidArgument"));
    }

    /// A PUT body nesting `levels` elements named `name` inside `<InventoryConfiguration>`.
    fn deep_put_body(name: &str, levels: usize) -> Vec<u8> {
        format!(
            "<InventoryConfiguration><Id>a</Id>{}{}</InventoryConfiguration>",
            format!("<{name}>").repeat(levels),
            format!("</{name}>").repeat(levels)
        )
        .into_bytes()
    }

    #[test]
    fn a_put_body_nested_past_the_xml_limit_is_malformed_xml_for_every_provider() {
        for dialect in dialects::ALL {
            for name in ["Filter", "Unknown"] {
                let err = prepare_put(dialect, "a", &deep_put_body(name, 300_000)).unwrap_err();
                assert_eq!((err.status, err.code.as_str()), (400, "MalformedXML"));
            }
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn any_put_body_is_stored_or_refused_without_panicking(
            index in 0..dialects::ALL.len(),
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let _ = prepare_put(dialects::ALL[index], "a", &bytes);
        }

        #[test]
        fn a_put_body_nested_past_the_limit_is_malformed_xml(
            index in 0..dialects::ALL.len(),
            name in proptest::sample::select(vec!["Filter", "Destination", "And", "x:New"]),
            levels in 0usize..200,
        ) {
            let result = prepare_put(dialects::ALL[index], "a", &deep_put_body(name, levels));
            // The root is level 1: `levels` more fit while 1 + levels <= the limit.
            if 1 + levels > crate::provider::xml_depth::MAX_DEPTH {
                prop_assert_eq!(result.unwrap_err().code, "MalformedXML");
            }
        }
    }
}
