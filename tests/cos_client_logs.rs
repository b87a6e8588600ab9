//! No secret or signature reaches an error or a log line of the COS client.
//!
//! Alone in its test binary: it captures logs with a thread-scoped subscriber, which tests
//! running in parallel in the same process would race with over tracing's callsite cache.

#[path = "integration/support"]
mod support {
    pub(crate) mod cos_mock;
    pub(crate) mod mock_server;
}

use support::cos_mock;

use cos_mock::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_or_signature_appears_in_errors_or_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (url, mock) = start(|_, n| match n % 3 {
        0 => xml_response(503, &error_xml("SlowDown", "slow", "r1")),
        1 => xml_response(
            403,
            &error_xml(
                "SignatureDoesNotMatch",
                "The Signature you specified is invalid.",
                "r2",
            ),
        ),
        _ => xml_response(500, &error_xml("InternalError", "oops", "r3")),
    })
    .await;
    let client = client_with(
        &url,
        Credentials::new(AK, SK).with_security_token(SESSION_TOKEN),
    );
    let mut shown = String::new();
    for _ in 0..3 {
        let errs = [
            client.list(&bucket()).await.err(),
            client.get(&bucket(), "list1").await.err(),
            client.put(&bucket(), &Inventory::new(small())).await.err(),
            client.delete(&bucket(), "list1").await.err(),
        ];
        for err in errs.into_iter().flatten() {
            shown.push_str(&format!("{err}\n{err:?}\n"));
        }
    }
    // A transport failure too: nothing listens on this port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let err = client_with(&dead, Credentials::new(AK, SK))
        .list(&bucket())
        .await
        .unwrap_err();
    shown.push_str(&format!("{err}\n{err:?}\n{client:?}\n"));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("retrying provider request"),
        "retries were logged"
    );
    let signatures: Vec<String> = mock.seen.lock().unwrap().iter().map(signature_of).collect();
    assert!(!signatures.is_empty());
    for text in [&shown, &logs] {
        assert!(!text.contains(SK), "secret key leaked");
        assert!(!text.contains(SESSION_TOKEN), "session token leaked");
        assert!(!text.contains("q-signature"), "Authorization leaked");
        for signature in &signatures {
            assert!(!text.contains(signature.as_str()), "signature leaked");
        }
    }
}

#[test]
fn signing_windows_follow_the_injected_clock() {
    // The PY vectors' window is what KeyTime::around gives for NOW with PY's margins.
    let kt = signer::KeyTime::around(
        UNIX_EPOCH + Duration::from_secs(NOW),
        Duration::from_secs(60),
        Duration::from_secs(3600),
    );
    assert_eq!((kt.start, kt.end), PY_WINDOW);
    let _ = SystemTime::now();
}
