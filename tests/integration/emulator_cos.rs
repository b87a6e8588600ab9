//! The emulated COS inventory API, driven with raw requests signed by the crate's COS signer.

use crate::support::emulator_support;

use std::time::{Duration, SystemTime};

use emulator_support::*;
use invsync::provider::cos::signer::KeyTime;
use reqwest::Method;

const BUCKET: &str = "examplebucket-1250000000";

async fn put(
    emulator: &invsync::emulator::EmulatorHandle,
    id: &str,
    prefix: &str,
) -> reqwest::Response {
    CosRequest::new(Method::PUT, BUCKET, vec![("inventory", ""), ("id", id)])
        .body(cos_config(id, prefix))
        .send(emulator)
        .await
}

async fn get(emulator: &invsync::emulator::EmulatorHandle, id: &str) -> reqwest::Response {
    CosRequest::new(Method::GET, BUCKET, vec![("inventory", ""), ("id", id)])
        .send(emulator)
        .await
}

async fn list(emulator: &invsync::emulator::EmulatorHandle, token: Option<&str>) -> String {
    let mut params = vec![("inventory", "")];
    if let Some(token) = token {
        params.push(("continuation-token", token));
    }
    let response = CosRequest::new(Method::GET, BUCKET, params)
        .send(emulator)
        .await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn put_is_an_upsert_that_keeps_the_config_in_its_listing_place() {
    let emulator = start().await;
    for id in ["b", "a", "c"] {
        let response = put(&emulator, id, "logs/").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["server"], "tencent-cos");
        assert!(response.headers().contains_key("x-cos-request-id"));
        assert!(response.text().await.unwrap().is_empty());
    }
    assert_eq!(put(&emulator, "a", "changed/").await.status(), 200);
    let page = list(&emulator, None).await;
    assert_eq!(ids(&page), ["b", "a", "c"]);
    let body = get(&emulator, "a").await.text().await.unwrap();
    assert_eq!(element(&body, "Prefix"), Some("changed/"));
    assert_eq!(
        element(&body, "IsEnabled"),
        Some("true"),
        "IsEnabled comes back lowercase"
    );
}

#[tokio::test]
async fn listing_250_configs_takes_three_pages_with_tokens_that_need_percent_encoding() {
    let emulator = start().await;
    let expected: Vec<String> = (0..250).map(|i| format!("ID-{i}")).collect();
    for id in &expected {
        assert_eq!(put(&emulator, id, "p/").await.status(), 200);
    }
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = list(&emulator, token.as_deref()).await;
        let page_ids = ids(&page);
        sizes.push(page_ids.len());
        seen.extend(page_ids);
        assert_eq!(
            element(&page, "ContinuationToken"),
            token.as_deref(),
            "token echoed"
        );
        match element(&page, "IsTruncated") {
            Some("true") => {
                let next = element(&page, "NextContinuationToken").unwrap().to_string();
                assert!(next.contains('/') && next.contains('+') && next.contains('='));
                token = Some(next);
            }
            Some("false") => {
                assert_eq!(element(&page, "NextContinuationToken"), None);
                break;
            }
            other => panic!("IsTruncated is {other:?}"),
        }
    }
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(seen, expected, "creation order");
}

#[tokio::test]
async fn an_empty_bucket_lists_as_not_truncated_and_an_empty_token_is_the_first_page() {
    let emulator = start().await;
    let page = list(&emulator, Some("")).await;
    assert!(page.contains("<ListInventoryConfigurationResult><IsTruncated>false</IsTruncated></ListInventoryConfigurationResult>"));
}

#[tokio::test]
async fn get_of_a_missing_id_is_404_with_a_complete_cos_error_body() {
    let emulator = start().await;
    let response = get(&emulator, "nope").await;
    assert_eq!(response.status(), 404);
    let request_id = response.headers()["x-cos-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body = response.text().await.unwrap();
    assert_eq!(
        element(&body, "Code"),
        Some("InventoryConfigurationNotFoundError")
    );
    assert_eq!(element(&body, "RequestId"), Some(request_id.as_str()));
    for field in ["Message", "Resource", "TraceId"] {
        assert!(
            element(&body, field).is_some_and(|v| !v.is_empty()),
            "{field} in {body}"
        );
    }
}

#[tokio::test]
async fn delete_answers_204_whether_or_not_the_config_exists() {
    let emulator = start().await;
    put(&emulator, "d", "p/").await;
    for _ in 0..2 {
        let response =
            CosRequest::new(Method::DELETE, BUCKET, vec![("inventory", ""), ("id", "d")])
                .send(&emulator)
                .await;
        assert_eq!(response.status(), 204);
    }
    assert_eq!(get(&emulator, "d").await.status(), 404);
}

#[tokio::test]
async fn a_wrong_secret_key_is_403_signature_does_not_match_with_the_string_to_sign() {
    let emulator = start().await;
    let mut request = CosRequest::new(Method::GET, BUCKET, vec![("inventory", "")]);
    request.secret_key = "wrong-key";
    let response = request.send(&emulator).await;
    assert_eq!(response.status(), 403);
    let body = response.text().await.unwrap();
    assert_eq!(element(&body, "Code"), Some("SignatureDoesNotMatch"));
    assert!(
        element(&body, "StringToSign")
            .unwrap()
            .starts_with("sha1\n")
    );
    assert!(
        element(&body, "FormatString")
            .unwrap()
            .starts_with("get\n/\ninventory=\n")
    );
}

#[tokio::test]
async fn an_unknown_secret_id_is_403_invalid_access_key_id() {
    let emulator = start().await;
    let mut request = CosRequest::new(Method::GET, BUCKET, vec![("inventory", "")]);
    request.secret_id = "AKIDunknown";
    let response = request.send(&emulator).await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        element(&response.text().await.unwrap(), "Code"),
        Some("InvalidAccessKeyId")
    );
}

#[tokio::test]
async fn an_expired_signature_is_403_request_has_expired_with_server_time() {
    let emulator = start().await;
    let mut request = CosRequest::new(Method::GET, BUCKET, vec![("inventory", "")]);
    let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
    request.key_time = KeyTime::around(two_hours_ago, Duration::ZERO, Duration::from_secs(3600));
    let response = request.send(&emulator).await;
    assert_eq!(response.status(), 403);
    let body = response.text().await.unwrap();
    assert_eq!(element(&body, "Code"), Some("AccessDenied"));
    assert_eq!(element(&body, "Message"), Some("Request has expired"));
    assert!(element(&body, "ServerTime").is_some_and(|t| t.ends_with('Z')));
}

#[tokio::test]
async fn a_window_starting_slightly_in_the_future_is_tolerated() {
    let emulator = start().await;
    let mut request = CosRequest::new(Method::GET, BUCKET, vec![("inventory", "")]);
    let soon = SystemTime::now() + Duration::from_secs(30);
    request.key_time = KeyTime::around(soon, Duration::ZERO, Duration::from_secs(900));
    assert_eq!(request.send(&emulator).await.status(), 200);
}

#[tokio::test]
async fn a_host_signed_without_the_port_it_was_sent_with_is_accepted() {
    let emulator = start().await;
    let mut request = CosRequest::new(Method::GET, BUCKET, vec![("inventory", "")]);
    request.host_with_port = Some(emulator.addr().port());
    assert_eq!(request.send(&emulator).await.status(), 200);
}

#[tokio::test]
async fn an_unsigned_security_token_is_accepted_and_a_signed_one_too() {
    let emulator = start().await;
    let mut unsigned = CosRequest::new(Method::GET, BUCKET, vec![("inventory", "")]);
    unsigned.unsigned_headers = vec![("x-cos-security-token", "tok/abc+def=".to_string())];
    assert_eq!(unsigned.send(&emulator).await.status(), 200);
    let mut signed = CosRequest::new(Method::GET, BUCKET, vec![("inventory", "")]);
    signed.headers = vec![("x-cos-security-token", "tok/abc+def=".to_string())];
    assert_eq!(signed.send(&emulator).await.status(), 200);
}

#[tokio::test]
async fn a_content_md5_that_does_not_match_the_body_is_400_bad_digest() {
    let emulator = start().await;
    let mut request = CosRequest::new(Method::PUT, BUCKET, vec![("inventory", ""), ("id", "m")])
        .body(cos_config("m", "p/"));
    request.content_md5 = false;
    request.headers = vec![("content-md5", md5_base64(b"something else"))];
    let response = request.send(&emulator).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        element(&response.text().await.unwrap(), "Code"),
        Some("BadDigest")
    );
    assert_eq!(
        get(&emulator, "m").await.status(),
        404,
        "nothing was stored"
    );
}

#[tokio::test]
async fn a_body_id_that_differs_from_the_query_id_is_400_invalid_argument() {
    let emulator = start().await;
    let response = CosRequest::new(Method::PUT, BUCKET, vec![("inventory", ""), ("id", "one")])
        .body(cos_config("two", "p/"))
        .send(&emulator)
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        element(&response.text().await.unwrap(), "Code"),
        Some("InvalidArgument")
    );
}

#[tokio::test]
async fn a_body_that_is_not_xml_is_400_malformed_xml() {
    let emulator = start().await;
    let response = CosRequest::new(Method::PUT, BUCKET, vec![("inventory", ""), ("id", "x")])
        .body("<InventoryConfiguration><Id>x</Id>")
        .send(&emulator)
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        element(&response.text().await.unwrap(), "Code"),
        Some("MalformedXML")
    );
}
