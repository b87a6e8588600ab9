//! The emulated OSS inventory API, driven with raw requests signed by the crate's V1 and V4
//! signers.

use crate::support::emulator_support;

use std::time::{Duration, SystemTime};

use emulator_support::*;
use invsync::emulator::EmulatorHandle;
use reqwest::Method;

const BUCKET: &str = "examplebucket";
const BOTH: [OssVersion; 2] = [OssVersion::V1, OssVersion::V4];

async fn put(emulator: &EmulatorHandle, version: OssVersion, id: &str) -> reqwest::Response {
    OssRequest::new(
        Method::PUT,
        BUCKET,
        vec![("inventory", ""), ("inventoryId", id)],
        version,
    )
    .body(oss_config(id, "logs/"))
    .send(emulator)
    .await
}

async fn list(
    emulator: &EmulatorHandle,
    version: OssVersion,
    token: Option<&str>,
) -> reqwest::Response {
    let mut params = vec![("inventory", "")];
    if let Some(token) = token {
        params.push(("continuation-token", token));
    }
    OssRequest::new(Method::GET, BUCKET, params, version)
        .send(emulator)
        .await
}

async fn error_code(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let ec_header = response.headers()["x-oss-ec"].to_str().unwrap().to_string();
    let body = response.text().await.unwrap();
    assert_eq!(element(&body, "EC"), Some(ec_header.as_str()));
    (
        status,
        element(&body, "Code").unwrap().to_string(),
        ec_header,
    )
}

#[tokio::test]
async fn put_is_create_only_and_a_second_put_is_409() {
    for version in BOTH {
        let emulator = start().await;
        let first = put(&emulator, version, "report1").await;
        assert_eq!(first.status(), 200);
        assert_eq!(first.headers()["server"], "AliyunOSS");
        assert_eq!(first.headers()["x-oss-request-id"].len(), 24);
        let (status, code, _) = error_code(put(&emulator, version, "report1").await).await;
        assert_eq!(
            (status, code.as_str()),
            (409, "InventoryConfigurationAlreadyExists")
        );
    }
}

#[tokio::test]
async fn listing_250_configs_pages_by_id_with_tokens_that_need_percent_encoding() {
    let emulator = start().await;
    let mut expected: Vec<String> = (0..250).map(|i| format!("inv{i}")).collect();
    for id in &expected {
        assert_eq!(put(&emulator, OssVersion::V4, id).await.status(), 200);
    }
    expected.sort();
    for version in BOTH {
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let response = list(&emulator, version, token.as_deref()).await;
            assert_eq!(response.status(), 200);
            let page = response.text().await.unwrap();
            assert!(page.contains("<ListInventoryConfigurationsResult>"));
            sizes.push(ids(&page).len());
            seen.extend(ids(&page));
            match element(&page, "NextContinuationToken") {
                Some(next) => {
                    assert_eq!(element(&page, "IsTruncated"), Some("true"));
                    assert!(next.contains('/') && next.contains('+') && next.contains('='));
                    token = Some(next.to_string());
                }
                None => {
                    assert_eq!(element(&page, "IsTruncated"), Some("false"));
                    assert_eq!(element(&page, "ContinuationToken"), token.as_deref());
                    break;
                }
            }
        }
        assert_eq!(sizes, [100, 100, 50], "{version:?}");
        assert_eq!(seen, expected, "sorted by id");
    }
}

#[tokio::test]
async fn an_empty_bucket_lists_as_404_no_such_inventory() {
    let emulator = start().await;
    let response = list(&emulator, OssVersion::V1, Some("")).await;
    assert_eq!(response.headers()["x-oss-request-id"].len(), 24);
    let (status, code, _) = error_code(response).await;
    assert_eq!((status, code.as_str()), (404, "NoSuchInventory"));
}

#[tokio::test]
async fn get_returns_the_put_body_and_a_missing_id_is_404_no_such_inventory() {
    let emulator = start().await;
    put(&emulator, OssVersion::V4, "r1").await;
    let params = vec![("inventory", ""), ("inventoryId", "r1")];
    let response = OssRequest::new(Method::GET, BUCKET, params, OssVersion::V1)
        .send(&emulator)
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.ends_with(&oss_config("r1", "logs/")), "{body}");
    let params = vec![("inventory", ""), ("inventoryId", "nope")];
    let missing = OssRequest::new(Method::GET, BUCKET, params, OssVersion::V4)
        .send(&emulator)
        .await;
    let (status, code, _) = error_code(missing).await;
    assert_eq!((status, code.as_str()), (404, "NoSuchInventory"));
}

#[tokio::test]
async fn delete_answers_204_and_the_config_is_gone() {
    let emulator = start().await;
    put(&emulator, OssVersion::V1, "r1").await;
    let params = vec![("inventory", ""), ("inventoryId", "r1")];
    let response = OssRequest::new(Method::DELETE, BUCKET, params.clone(), OssVersion::V1)
        .send(&emulator)
        .await;
    assert_eq!(response.status(), 204);
    let again = OssRequest::new(Method::GET, BUCKET, params, OssVersion::V1)
        .send(&emulator)
        .await;
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn virtual_hosted_requests_work_like_path_style_ones() {
    let emulator = start().await;
    for version in BOTH {
        let id = format!("vh-{version:?}");
        let mut request = OssRequest::new(
            Method::PUT,
            BUCKET,
            vec![("inventory", ""), ("inventoryId", &id)],
            version,
        )
        .body(oss_config(&id, "p/"));
        request.virtual_host = true;
        assert_eq!(request.send(&emulator).await.status(), 200, "{version:?}");
    }
    assert_eq!(
        emulator
            .configs(invsync::model::Provider::OSS, BUCKET)
            .len(),
        2
    );
}

#[tokio::test]
async fn a_wrong_secret_is_403_signature_does_not_match_with_each_versions_ec() {
    let emulator = start().await;
    for (version, expected_ec) in [
        (OssVersion::V1, "0002-00000040"),
        (OssVersion::V4, "0002-00000201"),
    ] {
        let mut request = OssRequest::new(Method::GET, BUCKET, vec![("inventory", "")], version);
        request.secret = "wrong-secret";
        let response = request.send(&emulator).await;
        let (status, code, ec) = error_code(response).await;
        assert_eq!(
            (status, code.as_str(), ec.as_str()),
            (403, "SignatureDoesNotMatch", expected_ec)
        );
    }
}

#[tokio::test]
async fn an_unknown_access_key_is_403_invalid_access_key_id() {
    let emulator = start().await;
    for version in BOTH {
        let mut request = OssRequest::new(Method::GET, BUCKET, vec![("inventory", "")], version);
        request.key_id = "LTAIunknown";
        let (status, code, _) = error_code(request.send(&emulator).await).await;
        assert_eq!((status, code.as_str()), (403, "InvalidAccessKeyId"));
    }
}

#[tokio::test]
async fn a_request_time_16_minutes_off_is_403_request_time_too_skewed() {
    let emulator = start().await;
    for version in BOTH {
        let mut request = OssRequest::new(Method::GET, BUCKET, vec![("inventory", "")], version);
        request.time = SystemTime::now() - Duration::from_secs(16 * 60);
        let (status, code, ec) = error_code(request.send(&emulator).await).await;
        assert_eq!(
            (status, code.as_str(), ec.as_str()),
            (403, "RequestTimeTooSkewed", "0002-00000504")
        );
    }
}

#[tokio::test]
async fn a_v4_signature_for_another_region_than_the_host_is_refused() {
    let emulator = start().await;
    let mut request = OssRequest::new(Method::GET, BUCKET, vec![("inventory", "")], OssVersion::V4);
    request.virtual_host = true;
    request.region = "cn-beijing";
    assert_eq!(request.send(&emulator).await.status(), 400);
}

#[tokio::test]
async fn a_content_md5_that_does_not_match_the_body_is_400_invalid_digest() {
    let emulator = start().await;
    let mut request = OssRequest::new(
        Method::PUT,
        BUCKET,
        vec![("inventory", ""), ("inventoryId", "m")],
        OssVersion::V1,
    )
    .body(oss_config("m", "p/"));
    request.content_md5 = Some(md5_base64(b"other"));
    let (status, code, _) = error_code(request.send(&emulator).await).await;
    assert_eq!((status, code.as_str()), (400, "InvalidDigest"));
}

#[tokio::test]
async fn an_inventory_id_that_differs_from_the_body_id_is_400_with_ec_0020_00000043() {
    let emulator = start().await;
    let (status, code, ec) = error_code(
        OssRequest::new(
            Method::PUT,
            BUCKET,
            vec![("inventory", ""), ("inventoryId", "one")],
            OssVersion::V4,
        )
        .body(oss_config("two", "p/"))
        .send(&emulator)
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str(), ec.as_str()),
        (400, "InvalidArgument", "0020-00000043")
    );
}
