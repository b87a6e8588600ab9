//! The emulated S3 inventory API, driven with raw requests signed by the crate's SigV4 signer.

use crate::support::emulator_support;

use std::time::{Duration, SystemTime};

use emulator_support::*;
use invsync::emulator::{EmulatorConfig, EmulatorHandle, FaultConfig};
use invsync::model::Provider;
use invsync::provider::Operation;
use reqwest::Method;

const BUCKET: &str = "example-bucket";
const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

fn inventory(id: &str) -> Vec<(&str, &str)> {
    vec![("inventory", ""), ("id", id)]
}

async fn put(emulator: &EmulatorHandle, id: &str, body: String) -> reqwest::Response {
    S3Request::new(Method::PUT, BUCKET, inventory(id))
        .body(body)
        .send(emulator)
        .await
}

async fn get(emulator: &EmulatorHandle, id: &str) -> reqwest::Response {
    S3Request::new(Method::GET, BUCKET, inventory(id))
        .send(emulator)
        .await
}

async fn list(emulator: &EmulatorHandle, token: Option<&str>) -> reqwest::Response {
    let mut params = vec![("inventory", "")];
    if let Some(token) = token {
        params.push(("continuation-token", token));
    }
    S3Request::new(Method::GET, BUCKET, params)
        .send(emulator)
        .await
}

/// Status and `<Code>` of an S3 error answer, after checking its shape: `RequestId` equal to
/// `x-amz-request-id`, `HostId` equal to `x-amz-id-2`.
async fn error_code(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let request_id = response.headers()["x-amz-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let host_id = response.headers()["x-amz-id-2"]
        .to_str()
        .unwrap()
        .to_string();
    let body = response.text().await.unwrap();
    assert_eq!(
        element(&body, "RequestId"),
        Some(request_id.as_str()),
        "{body}"
    );
    assert_eq!(element(&body, "HostId"), Some(host_id.as_str()), "{body}");
    (status, element(&body, "Code").unwrap().to_string(), body)
}

#[tokio::test]
async fn put_answers_204_and_get_returns_the_configuration_in_the_s3_namespace() {
    let emulator = start().await;
    let response = put(&emulator, "report-1", s3_config("report-1", "logs/")).await;
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["server"], "AmazonS3");
    assert_eq!(response.headers()["x-amz-request-id"].len(), 16);
    assert!(!response.headers()["x-amz-id-2"].is_empty());
    let got = get(&emulator, "report-1").await;
    assert_eq!(got.status(), 200);
    let body = got.text().await.unwrap();
    assert!(body.starts_with(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InventoryConfiguration xmlns=\"{NAMESPACE}\"><Id>report-1</Id>"
    )));
    assert_eq!(element(&body, "Prefix"), Some("logs/"));
    assert!(body.contains("<Field>Size</Field><Field>ETag</Field>"));
}

#[tokio::test]
async fn put_of_an_existing_id_replaces_it() {
    let emulator = start().await;
    assert_eq!(
        put(&emulator, "r", s3_config("r", "a/")).await.status(),
        204
    );
    assert_eq!(
        put(&emulator, "r", s3_config("r", "b/")).await.status(),
        204
    );
    let body = get(&emulator, "r").await.text().await.unwrap();
    assert_eq!(element(&body, "Prefix"), Some("b/"));
}

#[tokio::test]
async fn list_is_sorted_by_id_in_pages_of_100_with_opaque_tokens() {
    let emulator = start().await;
    let expected: Vec<String> = (0..201).map(|i| format!("inv-{i:03}")).collect();
    for id in expected.iter().rev() {
        emulator
            .seed_xml(Provider::S3, BUCKET, &s3_config(id, "logs/"))
            .unwrap();
    }
    let mut all = Vec::new();
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let response = list(&emulator, token.as_deref()).await;
        assert_eq!(response.status(), 200);
        let body = response.text().await.unwrap();
        assert!(body.contains(&format!(
            "<ListInventoryConfigurationsResult xmlns=\"{NAMESPACE}\">"
        )));
        assert_eq!(element(&body, "ContinuationToken"), token.as_deref());
        let page = ids(&body);
        pages.push(page.len());
        all.extend(page);
        match element(&body, "NextContinuationToken") {
            Some(next) => {
                assert_eq!(element(&body, "IsTruncated"), Some("true"));
                assert!(
                    next.contains('/') && next.contains('+'),
                    "tokens need encoding: {next}"
                );
                token = Some(next.to_string());
            }
            None => {
                assert_eq!(element(&body, "IsTruncated"), Some("false"));
                break;
            }
        }
    }
    assert_eq!(pages, [100, 100, 1]);
    assert_eq!(all, expected);
    assert_eq!(
        emulator.stats().count(Provider::S3, Operation::List, 200),
        3
    );
}

#[tokio::test]
async fn an_empty_bucket_lists_200_not_truncated_and_a_foreign_token_is_refused() {
    let emulator = start().await;
    let response = list(&emulator, None).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert_eq!(element(&body, "IsTruncated"), Some("false"));
    assert!(!body.contains("<InventoryConfiguration>"));
    let (status, code, _) = error_code(list(&emulator, Some("not-ours")).await).await;
    assert_eq!((status, code.as_str()), (400, "InvalidArgument"));
}

#[tokio::test]
async fn delete_answers_204_and_get_then_is_no_such_configuration() {
    let emulator = start().await;
    put(&emulator, "gone", s3_config("gone", "x/")).await;
    let deleted = S3Request::new(Method::DELETE, BUCKET, inventory("gone"))
        .send(&emulator)
        .await;
    assert_eq!(deleted.status(), 204);
    let (status, code, body) = error_code(get(&emulator, "gone").await).await;
    assert_eq!((status, code.as_str()), (404, "NoSuchConfiguration"));
    assert_eq!(
        element(&body, "Message"),
        Some("The specified configuration does not exist.")
    );
}

#[tokio::test]
async fn bodies_are_checked_against_the_model() {
    let emulator = start().await;
    let cases = [
        ("in-url", s3_config("in-body", "x/"), "IdMismatch"),
        (
            "r",
            s3_config("r", "x/").replace("arn:aws:s3:::inventory-reports", "inventory-reports"),
            "InvalidS3DestinationBucket",
        ),
        (
            "r",
            s3_config("r", "x/").replace("Parquet", "JSON"),
            "MalformedXML",
        ),
        (
            "r",
            s3_config("r", "x/").replace("Daily", "Hourly"),
            "MalformedXML",
        ),
        (
            "r",
            s3_config("r", "x/").replace("<Field>ETag", "<Field>Colour"),
            "MalformedXML",
        ),
        (
            "r",
            s3_config("r", "x/").replace(">All<", ">Some<"),
            "MalformedXML",
        ),
        (
            "r",
            "<InventoryConfiguration><Id>r</Id>".to_string(),
            "MalformedXML",
        ),
    ];
    for (id, body, expected) in cases {
        let (status, code, _) = error_code(put(&emulator, id, body).await).await;
        assert_eq!((status, code.as_str()), (400, expected));
    }
    assert!(
        emulator.configs(Provider::S3, BUCKET).is_empty(),
        "no write happened"
    );
}

#[tokio::test]
async fn the_thousand_and_first_configuration_is_refused() {
    let emulator = start().await;
    for i in 0..1000 {
        emulator
            .seed_xml(Provider::S3, BUCKET, &s3_config(&format!("c{i:04}"), "x/"))
            .unwrap();
    }
    let (status, code, _) = error_code(put(&emulator, "new", s3_config("new", "x/")).await).await;
    assert_eq!((status, code.as_str()), (400, "TooManyConfigurations"));
    assert_eq!(
        put(&emulator, "c0001", s3_config("c0001", "y/"))
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn a_virtual_hosted_request_reaches_the_same_bucket() {
    let emulator = start().await;
    let mut request =
        S3Request::new(Method::PUT, BUCKET, inventory("vh")).body(s3_config("vh", "x/"));
    request.virtual_host = true;
    assert_eq!(request.send(&emulator).await.status(), 204);
    assert_eq!(get(&emulator, "vh").await.status(), 200);
}

#[tokio::test]
async fn signatures_are_verified_strictly() {
    let emulator = start().await;
    let mut unknown = S3Request::new(Method::GET, BUCKET, inventory("x"));
    unknown.key_id = "AKIANOBODY";
    let (status, code, _) = error_code(unknown.send(&emulator).await).await;
    assert_eq!((status, code.as_str()), (403, "InvalidAccessKeyId"));

    let mut wrong = S3Request::new(Method::GET, BUCKET, inventory("x"));
    wrong.secret = "not-the-secret";
    let (status, code, body) = error_code(wrong.send(&emulator).await).await;
    assert_eq!((status, code.as_str()), (403, "SignatureDoesNotMatch"));
    assert!(
        element(&body, "StringToSign")
            .unwrap()
            .starts_with("AWS4-HMAC-SHA256\n")
    );
    assert!(!body.contains(S3_KEY));

    let mut region = S3Request::new(Method::GET, BUCKET, inventory("x"));
    region.region = "eu-west-1";
    let (status, code, body) = error_code(region.send(&emulator).await).await;
    assert_eq!(
        (status, code.as_str()),
        (400, "AuthorizationHeaderMalformed")
    );
    assert_eq!(element(&body, "Region"), Some(S3_REGION));

    let mut skewed = S3Request::new(Method::GET, BUCKET, inventory("x"));
    skewed.time = SystemTime::now() - Duration::from_secs(20 * 60);
    let (status, code, _) = error_code(skewed.send(&emulator).await).await;
    assert_eq!((status, code.as_str()), (403, "RequestTimeTooSkewed"));

    let mut swapped =
        S3Request::new(Method::PUT, BUCKET, inventory("r")).body(s3_config("r", "a/"));
    swapped.send_body = Some(s3_config("r", "b/").into_bytes());
    let (status, code, _) = error_code(swapped.send(&emulator).await).await;
    assert_eq!((status, code.as_str()), (400, "XAmzContentSHA256Mismatch"));
    assert!(emulator.configs(Provider::S3, BUCKET).is_empty());
}

#[tokio::test]
async fn a_temporary_key_needs_its_session_token() {
    let emulator = start_with(EmulatorConfig::default().with_session_credentials(
        Provider::S3,
        "ASIATEMP",
        "temp-secret",
        "tok/en+=",
    ))
    .await;
    let request = |token| {
        let mut r = S3Request::new(Method::GET, BUCKET, vec![("inventory", "")]);
        r.key_id = "ASIATEMP";
        r.secret = "temp-secret";
        r.token = token;
        r
    };
    assert_eq!(
        request(Some("tok/en+=")).send(&emulator).await.status(),
        200
    );
    let (status, code, _) = error_code(request(None).send(&emulator).await).await;
    assert_eq!((status, code.as_str()), (403, "InvalidToken"));
}

#[tokio::test]
async fn an_expected_bucket_owner_of_another_account_is_access_denied() {
    let emulator = start().await;
    let owner = |account: &str| {
        let mut r = S3Request::new(Method::GET, BUCKET, vec![("inventory", "")]);
        r.headers
            .push(("x-amz-expected-bucket-owner", account.to_string()));
        r
    };
    let config = EmulatorConfig::default();
    assert_eq!(
        owner(&config.s3_account_id).send(&emulator).await.status(),
        200
    );
    let (status, code, _) = error_code(owner("999999999999").send(&emulator).await).await;
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));
}

#[tokio::test]
async fn strict_buckets_answer_404_no_such_bucket() {
    let emulator = start_with(EmulatorConfig {
        strict_buckets: true,
        buckets: vec![(Provider::S3, "known".to_string())],
        ..config()
    })
    .await;
    let (status, code, body) = error_code(list(&emulator, None).await).await;
    assert_eq!((status, code.as_str()), (404, "NoSuchBucket"));
    assert_eq!(element(&body, "BucketName"), Some(BUCKET));
}

#[tokio::test]
async fn injected_faults_answer_slow_down_and_are_counted() {
    let emulator = start_with(EmulatorConfig {
        faults: FaultConfig {
            fail_next: 1,
            providers: vec![Provider::S3],
            ..FaultConfig::default()
        },
        ..config()
    })
    .await;
    let (status, code, _) = error_code(list(&emulator, None).await).await;
    assert_eq!((status, code.as_str()), (503, "SlowDown"));
    assert_eq!(list(&emulator, None).await.status(), 200);
    let stats = emulator.stats();
    assert_eq!(stats.count(Provider::S3, Operation::List, 503), 1);
    assert_eq!(stats.count(Provider::S3, Operation::List, 200), 1);
}
