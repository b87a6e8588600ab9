//! The one inventory client of every provider, through the mock server on 127.0.0.1: the same
//! LIST token rule for all, answers whose typed cause stays in the error chain, and clients
//! handed out as `Arc<dyn InventoryApi>`.

use crate::support::mock_server;

use std::error::Error as _;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use invsync::model::{BucketKey, Provider};
use invsync::provider::document::BodyError;
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::s3::S3Client;
use invsync::provider::s3::request::RequestError;
use invsync::provider::{
    CredentialSource, Credentials, ErrorKind, InventoryApi, ProviderError, StaticCredentials,
};
use invsync::reconcile::{ClientSettings, Clients};
use mock_server::MockServer;

/// A bucket of each provider, with the root element of its LIST answer.
fn cases() -> [(BucketKey, &'static str); 3] {
    let key = |provider, bucket: &str, region: &str| BucketKey {
        provider,
        bucket: bucket.into(),
        region: region.into(),
    };
    [
        (
            key(Provider::COS, "examplebucket-1250000000", "ap-guangzhou"),
            "ListInventoryConfigurationResult",
        ),
        (
            key(Provider::OSS, "examplebucket", "cn-hangzhou"),
            "ListInventoryConfigurationsResult",
        ),
        (
            key(Provider::S3, "examplebucket", "us-east-1"),
            "ListInventoryConfigurationsResult",
        ),
    ]
}

fn clients(server: &MockServer) -> Clients {
    let credentials: Arc<dyn CredentialSource> =
        Arc::new(StaticCredentials(Credentials::new("id", "secret")));
    Clients::new(
        ClientSettings::default().with_endpoint_for_all(&server.url().parse().unwrap()),
        Transport::new(HttpSettings::default()).unwrap(),
        Provider::ALL
            .into_iter()
            .map(|p| (p, credentials.clone()))
            .collect(),
    )
}

/// A mock answering every request 200 with `body`.
fn answering(body: String) -> MockServer {
    let server = MockServer::start();
    server.fallback(move |_, _| (StatusCode::OK, body.clone()).into_response());
    server
}

#[tokio::test]
async fn a_truncated_page_with_an_empty_token_fails_the_list_at_once_for_every_provider() {
    for (key, root) in cases() {
        let server = answering(format!(
            "<{root}><IsTruncated>true</IsTruncated>\
             <NextContinuationToken></NextContinuationToken></{root}>"
        ));
        let client: Arc<dyn InventoryApi> = clients(&server).for_bucket(&key, None).unwrap();

        let error = client.list(&key).await.unwrap_err();

        assert!(matches!(error, ProviderError::Decode { .. }), "{error}");
        assert!(
            error.to_string().contains("NextContinuationToken"),
            "{}: {error}",
            key.provider
        );
        assert_eq!(
            server.request_count(),
            1,
            "{}: no second page",
            key.provider
        );
    }
}

#[tokio::test]
async fn a_list_body_that_is_not_the_document_keeps_the_reader_error_as_its_cause() {
    for (key, root) in cases() {
        let server = answering(format!("<{root}><InventoryConfiguration><Id>a"));
        let client = clients(&server).for_bucket(&key, None).unwrap();

        let error = client.list(&key).await.unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Unreadable, "{error}");
        let cause = error.source().expect("the reader's error is the cause");
        assert!(
            cause.downcast_ref::<BodyError>().is_some(),
            "{}: {cause}",
            key.provider
        );
    }
}

#[tokio::test]
async fn an_s3_request_that_cannot_be_built_keeps_the_typed_cause_and_sends_nothing() {
    let server = MockServer::start();
    let client = S3Client::new(
        Transport::new(HttpSettings::default()).unwrap(),
        Arc::new(StaticCredentials(Credentials::new("id", "secret"))),
    )
    .with_endpoint(server.parsed_url().try_into().unwrap());
    let key = BucketKey {
        provider: Provider::S3,
        bucket: "Not_A_Bucket".into(),
        region: "us-east-1".into(),
    };

    let error = client.list(&key).await.unwrap_err();

    assert!(matches!(error, ProviderError::Request { .. }), "{error}");
    let cause = error.source().expect("the URL error is the cause");
    assert!(
        matches!(
            cause.downcast_ref::<RequestError>(),
            Some(RequestError::Url(_))
        ),
        "{cause}"
    );
    assert!(error.to_string().contains("Not_A_Bucket"), "{error}");
    assert_eq!(server.request_count(), 0);
}
