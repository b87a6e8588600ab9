//! Emulator machinery: fault injection switched at run time, request statistics,
//! persistence, strict buckets, Content-MD5 strictness and the `/_emulator` endpoints.

use crate::support::emulator_support;

use std::time::{Duration, Instant};

use emulator_support::*;
use invsync::emulator::{EmulatorConfig, EmulatorHandle, FaultConfig, InjectedError, Stats};
use invsync::model::Provider;
use invsync::provider::Operation;
use reqwest::Method;

const COS_BUCKET: &str = "faults-1250000000";
const OSS_BUCKET: &str = "faults";

async fn cos_list(emulator: &EmulatorHandle) -> Result<reqwest::Response, reqwest::Error> {
    let response = CosRequest::new(Method::GET, COS_BUCKET, vec![("inventory", "")])
        .send(emulator)
        .await;
    Ok(response)
}

async fn cos_put(emulator: &EmulatorHandle, id: &str) -> reqwest::Response {
    CosRequest::new(Method::PUT, COS_BUCKET, vec![("inventory", ""), ("id", id)])
        .body(cos_config(id, "p/"))
        .send(emulator)
        .await
}

#[tokio::test]
async fn injected_errors_switch_on_and_off_at_run_time_through_the_handle() {
    let emulator = start().await;
    assert_eq!(cos_list(&emulator).await.unwrap().status(), 200);
    emulator
        .set_faults(FaultConfig {
            error_rate: 1.0,
            ..FaultConfig::default()
        })
        .unwrap();
    let throttled = cos_list(&emulator).await.unwrap();
    assert_eq!(throttled.status(), 503);
    assert!(throttled.headers().contains_key("x-cos-request-id"));
    assert_eq!(
        element(&throttled.text().await.unwrap(), "Code"),
        Some("SlowDown")
    );
    let oss = OssRequest::new(
        Method::GET,
        OSS_BUCKET,
        vec![("inventory", "")],
        OssVersion::V4,
    )
    .send(&emulator)
    .await;
    assert_eq!(oss.status(), 503);
    assert_eq!(
        element(&oss.text().await.unwrap(), "Code"),
        Some("MetaOperationQpsLimitExceeded")
    );
    emulator.set_faults(FaultConfig::default()).unwrap();
    assert_eq!(cos_list(&emulator).await.unwrap().status(), 200);
}

#[tokio::test]
async fn faults_switch_through_put_emulator_faults_and_never_touch_control_endpoints() {
    let emulator = start().await;
    let url = format!("{}/_emulator/faults", emulator.endpoint());
    let body = r#"{"error_rate":1.0,"cos_errors":[{"status":500,"code":"InternalError"}],"retry_after_secs":2}"#;
    let response = http().put(&url).body(body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let failed = cos_list(&emulator).await.unwrap();
    assert_eq!(failed.status(), 500);
    assert_eq!(failed.headers()["retry-after"], "2");
    assert_eq!(
        element(&failed.text().await.unwrap(), "Code"),
        Some("InternalError")
    );
    let stats = http()
        .get(format!("{}/_emulator/stats", emulator.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stats.status(),
        200,
        "control endpoints are not subject to faults"
    );
    let current: FaultConfig =
        serde_json::from_str(&http().get(&url).send().await.unwrap().text().await.unwrap())
            .unwrap();
    assert_eq!(current.error_rate, 1.0);
    let bad = http()
        .put(&url)
        .body(r#"{"error_rate":2}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    http().put(&url).body("{}").send().await.unwrap();
    assert_eq!(cos_list(&emulator).await.unwrap().status(), 200);
}

#[tokio::test]
async fn fail_next_fails_exactly_that_many_requests_of_the_chosen_operation() {
    let emulator = start().await;
    emulator
        .set_faults(FaultConfig {
            fail_next: 2,
            operations: vec!["put".into()],
            cos_errors: vec![InjectedError {
                status: 503,
                code: "ServiceUnavailable".into(),
            }],
            ..FaultConfig::default()
        })
        .unwrap();
    assert_eq!(
        cos_list(&emulator).await.unwrap().status(),
        200,
        "lists are out of scope"
    );
    assert_eq!(cos_put(&emulator, "a").await.status(), 503);
    assert_eq!(cos_put(&emulator, "a").await.status(), 503);
    assert_eq!(cos_put(&emulator, "a").await.status(), 200);
}

#[tokio::test]
async fn an_injected_connection_reset_is_a_transport_error_and_changes_nothing() {
    let emulator = start().await;
    emulator
        .set_faults(FaultConfig {
            reset_rate: 1.0,
            ..FaultConfig::default()
        })
        .unwrap();
    let body = cos_config("r", "p/");
    let url = format!(
        "{}/resetbucket/?inventory&inventoryId=r",
        emulator.endpoint()
    );
    // The request is unsigned on purpose: the reset happens before authentication.
    let result = http().put(url).body(body).send().await;
    assert!(result.is_err(), "a reset is not an answer: {result:?}");
    emulator.set_faults(FaultConfig::default()).unwrap();
    assert!(emulator.configs(Provider::OSS, "resetbucket").is_empty());
    let stats = emulator.stats();
    assert_eq!(
        stats.count(Provider::OSS, Operation::Put, 0),
        1,
        "{stats:?}"
    );
}

#[tokio::test]
async fn malformed_answers_are_truncated_xml_with_a_success_status() {
    let emulator = start().await;
    cos_put(&emulator, "m").await;
    emulator
        .set_faults(FaultConfig {
            malformed_rate: 1.0,
            ..FaultConfig::default()
        })
        .unwrap();
    let response = cos_list(&emulator).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(
        !body.contains("</ListInventoryConfigurationResult>"),
        "{body}"
    );
}

#[tokio::test]
async fn latency_delays_every_affected_answer() {
    let emulator = start().await;
    emulator
        .set_faults(FaultConfig {
            latency: Duration::from_millis(200),
            ..FaultConfig::default()
        })
        .unwrap();
    let started = Instant::now();
    assert_eq!(cos_list(&emulator).await.unwrap().status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn stats_count_by_provider_operation_and_status_and_reset_over_http() {
    let emulator = start().await;
    cos_put(&emulator, "s").await;
    cos_list(&emulator).await.unwrap();
    cos_list(&emulator).await.unwrap();
    let mut missing = CosRequest::new(
        Method::GET,
        COS_BUCKET,
        vec![("inventory", ""), ("id", "x")],
    );
    missing.secret_key = "wrong";
    missing.send(&emulator).await;
    OssRequest::new(
        Method::GET,
        OSS_BUCKET,
        vec![("inventory", "")],
        OssVersion::V1,
    )
    .send(&emulator)
    .await;

    let url = format!("{}/_emulator/stats", emulator.endpoint());
    let stats: Stats =
        serde_json::from_str(&http().get(&url).send().await.unwrap().text().await.unwrap())
            .unwrap();
    assert_eq!(stats, emulator.stats());
    assert_eq!(stats.total, 5);
    assert_eq!(stats.count(Provider::COS, Operation::Put, 200), 1);
    assert_eq!(stats.count(Provider::COS, Operation::List, 200), 2);
    assert_eq!(stats.count(Provider::COS, Operation::Get, 403), 1);
    assert_eq!(stats.count(Provider::OSS, Operation::List, 404), 1);

    let reset = http().delete(&url).send().await.unwrap();
    assert_eq!(reset.status(), 204);
    assert_eq!(emulator.stats(), Stats::default());
    cos_list(&emulator).await.unwrap();
    emulator.reset_stats();
    assert_eq!(emulator.stats().total, 0);
}

#[tokio::test]
async fn configurations_survive_a_restart_with_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("emulator.json");
    let config = || EmulatorConfig {
        state_file: Some(state.clone()),
        ..emulator_support::config()
    };
    let first = start_with(config()).await;
    for id in ["z", "a"] {
        assert_eq!(cos_put(&first, id).await.status(), 200);
    }
    first.shutdown().await.unwrap();
    assert!(state.exists());

    let second = start_with(config()).await;
    let page = cos_list(&second).await.unwrap().text().await.unwrap();
    assert_eq!(ids(&page), ["z", "a"], "creation order survives too");
    assert_eq!(cos_put(&second, "b").await.status(), 200);
    let third_view = invsync::emulator::spawn(config()).await.unwrap();
    assert_eq!(third_view.configs(Provider::COS, COS_BUCKET).len(), 3);
}

#[tokio::test]
async fn strict_buckets_answer_404_no_such_bucket_for_unlisted_buckets() {
    let emulator = start_with(EmulatorConfig {
        strict_buckets: true,
        buckets: vec![(Provider::COS, COS_BUCKET.to_string())],
        ..emulator_support::config()
    })
    .await;
    assert_eq!(cos_list(&emulator).await.unwrap().status(), 200);
    let other = CosRequest::new(Method::GET, "other-1250000000", vec![("inventory", "")])
        .send(&emulator)
        .await;
    assert_eq!(other.status(), 404);
    assert_eq!(
        element(&other.text().await.unwrap(), "Code"),
        Some("NoSuchBucket")
    );
    let oss = OssRequest::new(
        Method::GET,
        OSS_BUCKET,
        vec![("inventory", "")],
        OssVersion::V1,
    )
    .send(&emulator)
    .await;
    assert_eq!(oss.status(), 404);
    assert_eq!(oss.headers()["x-oss-ec"], "0015-00000101");
}

#[tokio::test]
async fn required_content_md5_refuses_a_put_without_it() {
    let emulator = start_with(EmulatorConfig {
        require_content_md5: true,
        ..emulator_support::config()
    })
    .await;
    let mut request = CosRequest::new(
        Method::PUT,
        COS_BUCKET,
        vec![("inventory", ""), ("id", "n")],
    )
    .body(cos_config("n", "p/"));
    request.content_md5 = false;
    assert_eq!(request.send(&emulator).await.status(), 400);
    assert_eq!(cos_put(&emulator, "n").await.status(), 200);
}

#[tokio::test]
async fn seeded_configurations_are_served_like_put_ones_and_not_counted() {
    let emulator = start().await;
    emulator
        .seed_xml(Provider::OSS, OSS_BUCKET, &oss_config("seeded", "s/"))
        .unwrap();
    let params = vec![("inventory", ""), ("inventoryId", "seeded")];
    let response = OssRequest::new(Method::GET, OSS_BUCKET, params, OssVersion::V4)
        .send(&emulator)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(emulator.stats().total, 1);
    let again = emulator.seed_xml(Provider::OSS, OSS_BUCKET, &oss_config("seeded", "s/"));
    assert_eq!(again.unwrap_err().status, 409);
}

#[tokio::test]
async fn unknown_routes_get_a_provider_shaped_501() {
    let emulator = start().await;
    let response = http()
        .get(format!("{}/bucket/?acl", emulator.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 501);
    assert!(response.headers().contains_key("x-oss-request-id"));
    assert_eq!(
        element(&response.text().await.unwrap(), "Code"),
        Some("NotImplemented")
    );
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let emulator = start().await;
    let endpoint = emulator.endpoint();
    emulator.shutdown().await.unwrap();
    assert!(
        http()
            .get(format!("{endpoint}/_emulator/healthz"))
            .send()
            .await
            .is_err()
    );
}
