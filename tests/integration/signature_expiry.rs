//! A leaked signature is replayable only as long as clock skew needs: every provider's
//! requests, signed with the real clock, expire within `signing_window::MAX_SIGNATURE_LIFETIME`
//! (COS's own window) or carry the current time for the server's 15-minute check (OSS, which
//! has no expiry of its own in header signatures), and none is presigned with a longer one.

use crate::support::mock_server;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use invsync::model::{BucketKey, Provider};
use invsync::provider::cos::CosClient;
use invsync::provider::cos::signer::Authorization;
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::oss::{OssClient, SignatureVersion};
use invsync::provider::signing_window::{CLOCK_SKEW, MAX_SIGNATURE_LIFETIME};
use invsync::provider::{Credentials, InventoryApi, StaticCredentials};
use mock_server::MockServer;

/// Headers and query of every request received.
type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A server that records each request and answers an empty COS list (the OSS client treats
/// it as an unreadable body, which is fine: only the request matters here).
async fn capture() -> (url::Url, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let server = MockServer::start();
    server.fallback(move |request, _| {
        log.lock()
            .unwrap()
            .push((request.headers.clone(), request.query().to_string()));
        "<ListInventoryConfigurationResult><IsTruncated>false</IsTruncated></ListInventoryConfigurationResult>"
            .into_response()
    });
    (url::Url::parse(&server.detach()).unwrap(), seen)
}

fn transport() -> Transport {
    Transport::new(HttpSettings {
        max_attempts: 1,
        ..HttpSettings::default()
    })
    .unwrap()
}

fn key(provider: Provider, bucket: &str, region: &str) -> BucketKey {
    BucketKey {
        provider,
        bucket: bucket.into(),
        region: region.into(),
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn the_signature_lifetime_is_minutes_not_an_hour() {
    assert!(MAX_SIGNATURE_LIFETIME <= Duration::from_secs(15 * 60));
    assert!(CLOCK_SKEW >= Duration::from_secs(60), "PY's own margin");
}

#[tokio::test]
async fn cos_requests_expire_within_the_signature_lifetime() {
    let (url, seen) = capture().await;
    let credentials = Arc::new(StaticCredentials(Credentials::new("AKIDx", "secret")));
    let client = CosClient::new(transport(), credentials).with_endpoint(url.try_into().unwrap());
    let before = unix_now();
    client
        .list(&key(
            Provider::COS,
            "examplebucket-1250000000",
            "ap-guangzhou",
        ))
        .await
        .unwrap();
    let after = unix_now();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let authorization = seen[0].0["authorization"].to_str().unwrap();
    let auth = Authorization::parse(authorization).unwrap();
    let lifetime = MAX_SIGNATURE_LIFETIME.as_secs();
    assert!(
        auth.key_time.end <= after + lifetime,
        "q-key-time {} ends more than {lifetime} s after now",
        auth.key_time
    );
    assert!(auth.key_time.end >= before + lifetime, "{}", auth.key_time);
    assert!(
        auth.key_time.start <= before,
        "valid now: {}",
        auth.key_time
    );
    assert_eq!(auth.sign_time, Some(auth.key_time));
}

/// `20221228T102741Z` as unix seconds.
fn iso8601_basic(text: &str) -> u64 {
    let digits = |range: std::ops::Range<usize>| -> i64 { text[range].parse().unwrap() };
    let (y, m, d) = (digits(0..4), digits(4..6), digits(6..8));
    let (hh, mm, ss) = (digits(9..11), digits(11..13), digits(13..15));
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).unwrap()
}

#[tokio::test]
async fn oss_requests_sign_the_current_time_and_are_never_presigned() {
    for version in [SignatureVersion::V1, SignatureVersion::V4] {
        let (url, seen) = capture().await;
        let credentials = Arc::new(StaticCredentials(Credentials::new("LTAIx", "secret")));
        let client = OssClient::new(transport(), credentials)
            .with_signature_version(version)
            .with_endpoint(url.try_into().unwrap());
        let before = unix_now();
        // The capture server's body is not an OSS list; the request is what is checked.
        let _ = client
            .list(&key(Provider::OSS, "examplebucket", "cn-hangzhou"))
            .await;
        let after = unix_now();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "{version:?}");
        let (headers, query) = &seen[0];
        let signed_at = match version {
            SignatureVersion::V1 => {
                let date = headers["date"].to_str().unwrap();
                httpdate::parse_http_date(date)
                    .unwrap()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs()
            }
            SignatureVersion::V4 => iso8601_basic(headers["x-oss-date"].to_str().unwrap()),
        };
        assert!(
            (before..=after).contains(&signed_at),
            "{version:?} signed at {signed_at}, not now ({before}..={after})"
        );
        for presign in ["Expires", "x-oss-expires", "x-oss-signature"] {
            assert!(!query.contains(presign), "{version:?} presigned: {query}");
        }
        assert!(headers.contains_key("authorization"), "{version:?}");
    }
}
