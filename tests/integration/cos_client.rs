//! The COS client against a small local mock of the inventory API on 127.0.0.1:0.

use crate::support::cos_mock;

use cos_mock::*;

#[tokio::test]
async fn list_follows_the_continuation_token_across_two_pages() {
    let (url, mock) = start(|seen, _| {
        if seen.query == "inventory" {
            xml_response(
                200,
                &format!(
                    "<ListInventoryConfigurationResult>{}{}<IsTruncated>true</IsTruncated>\
                     <NextContinuationToken>{TOKEN}</NextContinuationToken></ListInventoryConfigurationResult>",
                    config_xml("a"),
                    config_xml("b")
                ),
            )
        } else {
            xml_response(
                200,
                &format!(
                    "<ListInventoryConfigurationResult>{}<IsTruncated>false</IsTruncated>\
                     <ContinuationToken>{TOKEN}</ContinuationToken></ListInventoryConfigurationResult>",
                    config_xml("c")
                ),
            )
        }
    })
    .await;
    let list = client(&url).list(&bucket()).await.unwrap();
    let ids: Vec<&str> = list.iter().map(LiveConfig::id).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[1].query,
        "inventory&continuation-token=1ueSDFASDF1Tr%2FXDAFdadEADadf2J%2Fwm36Hy4vbOwM%3D"
    );
    // The PY SDK's own signatures for the same requests over its window (vectors P5 and P3).
    assert_eq!(
        seen[0].py_signature,
        "425f3285f918ca3a5dc260aa67160ecd5150c8cf"
    );
    assert_eq!(
        seen[1].py_signature,
        "172fa51391d1c761079389e0b5f39af69d1a23c8"
    );
    assert_eq!(seen[0].authorization().header_list, ["host"]);
}

#[tokio::test]
async fn list_of_a_bucket_without_configurations_is_empty() {
    let (url, _mock) = start(|_, _| {
        xml_response(
            200,
            "<ListInventoryConfigurationResult><IsTruncated>false</IsTruncated></ListInventoryConfigurationResult>",
        )
    })
    .await;
    assert!(client(&url).list(&bucket()).await.unwrap().is_empty());
    let (url, _mock) = start(|_, _| {
        xml_response(
            404,
            &error_xml("InventoryConfigurationNotFoundError", "none", "r1"),
        )
    })
    .await;
    assert!(client(&url).list(&bucket()).await.unwrap().is_empty());
}

#[tokio::test]
async fn list_of_a_missing_bucket_is_a_service_error() {
    let (url, _mock) = start(|_, _| {
        xml_response(
            404,
            &error_xml("NoSuchBucket", "The specified bucket does not exist.", "r2"),
        )
    })
    .await;
    let err = client(&url).list(&bucket()).await.unwrap_err();
    let service = err.service().expect("service error");
    assert_eq!(
        (service.status, service.code.as_str()),
        (404, "NoSuchBucket")
    );
}

#[tokio::test]
async fn truncated_list_without_next_token_is_a_decode_error() {
    let (url, mock) = start(|_, _| {
        xml_response(
            200,
            "<ListInventoryConfigurationResult><IsTruncated>true</IsTruncated></ListInventoryConfigurationResult>",
        )
    })
    .await;
    let err = client(&url).list(&bucket()).await.unwrap_err();
    assert!(matches!(err, ProviderError::Decode { .. }), "{err}");
    assert_eq!(mock.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn get_returns_the_configuration_and_signs_like_the_python_sdk() {
    let (url, mock) = start(|_, _| xml_response(200, SMALL)).await;
    let got = client(&url).get(&bucket(), "list1").await.unwrap();
    assert_eq!(got, Some(LiveConfig::Modelled(Inventory::new(small()))));
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.query, "inventory&id=list1");
    // The client's window is now ± 5 min; over the PY window the same request signs as PY's.
    let authorization = seen.header("authorization").unwrap();
    assert!(
        authorization.starts_with(
            "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234\
             &q-sign-time=1699999760;1700000360&q-key-time=1699999760;1700000360\
             &q-header-list=host&q-url-param-list=id;inventory&q-signature="
        ),
        "{authorization}"
    );
    assert_eq!(
        seen.py_signature,
        "ccd12190f2a5b105f9bbdd8aa6e8c578d61f29a8"
    );
}

#[tokio::test]
async fn get_of_a_missing_configuration_is_none() {
    let (url, _mock) = start(|_, _| {
        xml_response(
            404,
            &error_xml("InventoryConfigurationNotFoundError", "not found", "r3"),
        )
    })
    .await;
    assert_eq!(client(&url).get(&bucket(), "gone").await.unwrap(), None);
}

#[tokio::test]
async fn get_of_a_configuration_with_an_unknown_value_is_foreign_naming_the_element() {
    let body = SMALL.replace(">Daily<", ">Hourly<");
    let served = body.clone();
    let (url, _mock) = start(move |_, _| xml_response(200, &served)).await;
    let got = client(&url).get(&bucket(), "list1").await.unwrap();
    let foreign = got.as_ref().and_then(LiveConfig::foreign).expect("foreign");
    assert_eq!(foreign.id, "list1");
    assert_eq!(foreign.unmodelled, ["Schedule/Frequency=Hourly"]);
    assert!(foreign.raw_xml.contains("<Frequency>Hourly</Frequency>"));
}

#[tokio::test]
async fn get_or_list_answered_200_with_something_else_than_the_document_is_a_decode_error() {
    for body in [
        "",
        "<html><body>gateway</body></html>",
        "<Error><Code>InternalError</Code><Message>m</Message></Error>",
        "<ListInventoryConfigurationsResult></ListInventoryConfigurationsResult>",
        "<ListInventoryConfigurationResult><InventoryConfiguration><Id>a</Id>",
    ] {
        let (url, _mock) = start(move |_, _| xml_response(200, body)).await;
        let err = client(&url).list(&bucket()).await.unwrap_err();
        assert!(matches!(err, ProviderError::Decode { .. }), "{body}: {err}");
        let err = client(&url).get(&bucket(), "list1").await.unwrap_err();
        assert!(matches!(err, ProviderError::Decode { .. }), "{body}: {err}");
    }
}

#[tokio::test]
async fn put_sends_the_canonical_body_with_content_md5() {
    let (url, mock) = start(|_, _| xml_response(200, "")).await;
    client(&url)
        .put(&bucket(), &Inventory::new(small()))
        .await
        .unwrap();
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.query, "inventory&id=list1");
    assert_eq!(&seen.body[..], SMALL.as_bytes());
    assert_eq!(seen.header("content-md5"), Some("0D2hKeStTdgbBUwiPr1Ntw=="));
    assert_eq!(seen.header("content-type"), Some("application/xml"));
    assert_eq!(seen.header("content-length"), Some("351"));
    // Vector P2: the PY SDK's signature of this very PUT.
    assert_eq!(
        seen.authorization().header_list,
        ["content-length", "content-md5", "content-type", "host"]
    );
    assert_eq!(
        seen.py_signature,
        "6bb5d4691597e4d05747276eaf75f3c21b9bf9de"
    );
}

#[tokio::test]
async fn put_of_an_oss_configuration_is_a_request_error_without_any_call() {
    let (url, mock) = start(|_, _| xml_response(200, "")).await;
    let oss = Inventory::new(OssInventory {
        id: "x".into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::All,
        frequency: Frequency::Daily,
        day_of_month: None,
        auto_delete: false,
        incremental: None,
        filter: OssFilter::default(),
        optional_fields: vec![],
        destination: OssDestination {
            bucket: "acs:oss:::dest".into(),
            account_id: "1".into(),
            role_arn: "acs:ram::1:role/x".into(),
            prefix: None,
            format: ReportFormat::Csv,
            encryption: None,
        },
    });
    let err = client(&url).put(&bucket(), &oss).await.unwrap_err();
    assert!(matches!(err, ProviderError::Request { .. }), "{err}");
    assert!(mock.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn delete_accepts_204_and_treats_404_as_already_gone() {
    let (url, mock) = start(|_, n| {
        if n == 0 {
            StatusCode::NO_CONTENT.into_response()
        } else {
            xml_response(
                404,
                &error_xml("InventoryConfigurationNotFoundError", "nf", "r"),
            )
        }
    })
    .await;
    let client = client(&url);
    client.delete(&bucket(), "list1").await.unwrap();
    client.delete(&bucket(), "list1").await.unwrap();
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "DELETE");
    assert_eq!(seen[0].query, "inventory&id=list1");
}

#[tokio::test]
async fn error_xml_becomes_a_service_error_with_code_and_request_id() {
    let (url, _mock) = start(|_, _| {
        xml_response(
            403,
            &error_xml("AccessDenied", "Access Denied.", "NjA2YjQ5XzQ"),
        )
    })
    .await;
    let err = client(&url).get(&bucket(), "list1").await.unwrap_err();
    let service = err.service().expect("service error");
    assert_eq!(service.status, 403);
    assert_eq!(service.code, "AccessDenied");
    assert_eq!(service.message, "Access Denied.");
    assert_eq!(service.request_id, "NjA2YjQ5XzQ");
    assert!(err.to_string().contains("AccessDenied"), "{err}");
}

#[tokio::test]
async fn request_id_falls_back_to_the_header_when_the_body_is_not_cos_xml() {
    let (url, _mock) = start(|_, _| xml_response(400, "<html>bad gateway config</html>")).await;
    let err = client(&url)
        .put(&bucket(), &Inventory::new(small()))
        .await
        .unwrap_err();
    let service = err.service().expect("service error");
    assert_eq!(service.code, "BadRequest");
    assert_eq!(service.request_id, "hdr-req-id");
    assert!(service.message.contains("bad gateway config"));
}

#[tokio::test]
async fn throttling_is_retried_with_a_signed_retry_marker_then_reported() {
    let (url, mock) = start(|_, _| {
        xml_response(
            503,
            &error_xml("SlowDown", "Please reduce your request rate.", "r503"),
        )
    })
    .await;
    let err = client(&url).list(&bucket()).await.unwrap_err();
    let service = err.service().expect("service error");
    assert_eq!((service.status, service.code.as_str()), (503, "SlowDown"));
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].header("x-cos-sdk-retry"), None);
    for retry in &seen[1..] {
        assert_eq!(retry.header("x-cos-sdk-retry"), Some("true"));
        assert!(
            retry
                .authorization()
                .header_list
                .contains(&"x-cos-sdk-retry".to_string())
        );
    }
}

#[tokio::test]
async fn temporary_credentials_send_a_signed_security_token() {
    let (url, mock) = start(|_, _| StatusCode::NO_CONTENT.into_response()).await;
    client_with(
        &url,
        Credentials::new(AK, SK).with_security_token(SESSION_TOKEN),
    )
    .delete(&bucket(), "list1")
    .await
    .unwrap();
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.header("x-cos-security-token"), Some(SESSION_TOKEN));
    assert_eq!(
        seen.authorization().header_list,
        ["host", "x-cos-security-token"]
    );
}

#[tokio::test]
async fn missing_credentials_are_a_request_error() {
    use invsync::provider::{BoxFuture, CredentialsError};
    struct NoCredentials;
    impl CredentialSource for NoCredentials {
        fn fetch(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
            Box::pin(std::future::ready(Err(CredentialsError::refresh(
                "TENCENTCLOUD_SECRET_ID missing",
            ))))
        }
    }
    let (url, mock) = start(|_, _| xml_response(200, SMALL)).await;
    let transport = Transport::new(HttpSettings::default()).unwrap();
    let client =
        CosClient::new(transport, Arc::new(NoCredentials)).with_endpoint(url.parse().unwrap());
    let err = client.get(&bucket(), "list1").await.unwrap_err();
    assert!(matches!(err, ProviderError::Request { .. }), "{err}");
    assert!(err.to_string().contains("TENCENTCLOUD_SECRET_ID"), "{err}");
    assert!(mock.seen.lock().unwrap().is_empty());
}
