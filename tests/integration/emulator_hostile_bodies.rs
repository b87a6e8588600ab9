//! The emulator is a server: a client may send it a PUT body nesting elements as deep as the
//! request size limit allows. Each provider answers 400 `MalformedXML` and keeps serving.

use crate::support::emulator_support;

use emulator_support::*;
use invsync::emulator::EmulatorHandle;
use reqwest::{Method, Response};

const COS_BUCKET: &str = "examplebucket-1250000000";
const OSS_BUCKET: &str = "examplebucket";
const S3_BUCKET: &str = "example-bucket";

/// `config` with `levels` elements named `name` nested inside its root, as close to the
/// emulator's 1 MiB request limit as the name allows.
fn nested_inside(config: &str, name: &str) -> String {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let levels = 1_000_000 / (open.len() + close.len());
    let at = config.find("<Id>").expect("a configuration body");
    format!(
        "{}{}{}{}",
        &config[..at],
        open.repeat(levels),
        close.repeat(levels),
        &config[at..]
    )
}

async fn put(emulator: &EmulatorHandle, provider: &str, id: &str, body: String) -> Response {
    match provider {
        "cos" => {
            CosRequest::new(Method::PUT, COS_BUCKET, vec![("inventory", ""), ("id", id)])
                .body(body)
                .send(emulator)
                .await
        }
        "oss" => {
            OssRequest::new(
                Method::PUT,
                OSS_BUCKET,
                vec![("inventory", ""), ("inventoryId", id)],
                OssVersion::V4,
            )
            .body(body)
            .send(emulator)
            .await
        }
        _ => {
            S3Request::new(Method::PUT, S3_BUCKET, vec![("inventory", ""), ("id", id)])
                .body(body)
                .send(emulator)
                .await
        }
    }
}

async fn list(emulator: &EmulatorHandle, provider: &str) -> Response {
    let params = vec![("inventory", "")];
    match provider {
        "cos" => {
            CosRequest::new(Method::GET, COS_BUCKET, params)
                .send(emulator)
                .await
        }
        "oss" => {
            OssRequest::new(Method::GET, OSS_BUCKET, params, OssVersion::V4)
                .send(emulator)
                .await
        }
        _ => {
            S3Request::new(Method::GET, S3_BUCKET, params)
                .send(emulator)
                .await
        }
    }
}

#[tokio::test]
async fn a_put_body_nested_past_the_limit_is_400_malformed_xml_and_the_emulator_keeps_serving() {
    let emulator = start().await;
    for (provider, config) in [
        ("cos", cos_config as fn(&str, &str) -> String),
        ("oss", oss_config),
        ("s3", s3_config),
    ] {
        for name in ["Filter", "a"] {
            let response = put(
                &emulator,
                provider,
                "deep",
                nested_inside(&config("deep", "p/"), name),
            )
            .await;
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            assert_eq!(status, 400, "{provider} <{name}>: {body}");
            assert_eq!(element(&body, "Code"), Some("MalformedXML"), "{provider}");
        }
        let response = put(&emulator, provider, "fine", config("fine", "p/")).await;
        assert!(response.status().is_success(), "{provider} still serves");
        let listed = list(&emulator, provider).await.text().await.unwrap();
        assert_eq!(
            ids(&listed),
            ["fine"],
            "{provider}: only the good body is stored"
        );
    }
}
