//! Tests of the credentials cache with a fake provider and a clock the test moves.

use super::*;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_credential_types::provider::{error::CredentialsError as AwsError, future};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";

/// A provider handing out numbered temporary credentials valid for `lifetime` from `now`,
/// or failing once `failing` is set.
#[derive(Debug)]
struct Fake {
    calls: Arc<AtomicUsize>,
    now: Arc<Mutex<SystemTime>>,
    lifetime: Option<Duration>,
    failing: Arc<Mutex<bool>>,
}

impl ProvideCredentials for Fake {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if *self.failing.lock().unwrap() {
            return future::ProvideCredentials::ready(Err(AwsError::provider_error(
                "IMDS unreachable",
            )));
        }
        let expiry = self.lifetime.map(|l| *self.now.lock().unwrap() + l);
        future::ProvideCredentials::ready(Ok(AwsCredentials::new(
            format!("ASIA{n}"),
            SECRET,
            Some(TOKEN.to_string()),
            expiry,
            "fake",
        )))
    }
}

struct Harness {
    cache: CachedAwsCredentials,
    calls: Arc<AtomicUsize>,
    now: Arc<Mutex<SystemTime>>,
    failing: Arc<Mutex<bool>>,
}

impl Harness {
    fn new(lifetime: Option<Duration>) -> Self {
        let calls = Arc::new(AtomicUsize::new(0));
        let now = Arc::new(Mutex::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_771_675_200),
        ));
        let failing = Arc::new(Mutex::new(false));
        let fake = Fake {
            calls: calls.clone(),
            now: now.clone(),
            lifetime,
            failing: failing.clone(),
        };
        let clock_now = now.clone();
        let cache = CachedAwsCredentials::new(fake)
            .with_clock(Arc::new(move || *clock_now.lock().unwrap()));
        Harness {
            cache,
            calls,
            now,
            failing,
        }
    }

    fn advance(&self, by: Duration) {
        *self.now.lock().unwrap() += by;
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    async fn key_id(&self) -> Result<String, CredentialsError> {
        self.cache.credentials().await.map(|c| c.access_key_id)
    }
}

#[tokio::test]
async fn credentials_are_cached_until_shortly_before_they_expire() {
    let h = Harness::new(Some(Duration::from_secs(3600)));
    let first = h.cache.credentials().await.unwrap();
    assert_eq!(first.access_key_id, "ASIA1");
    assert_eq!(first.access_key_secret.expose(), SECRET);
    assert_eq!(first.security_token.as_ref().unwrap().expose(), TOKEN);
    h.advance(Duration::from_secs(3600) - REFRESH_BEFORE_EXPIRY - Duration::from_secs(1));
    assert_eq!(h.key_id().await.unwrap(), "ASIA1");
    assert_eq!(h.calls(), 1);
    h.advance(Duration::from_secs(1));
    assert_eq!(h.key_id().await.unwrap(), "ASIA2");
    assert_eq!(h.calls(), 2);
}

#[tokio::test]
async fn credentials_without_expiry_are_read_again_after_fifteen_minutes() {
    let h = Harness::new(None);
    assert_eq!(h.key_id().await.unwrap(), "ASIA1");
    h.advance(REREAD_WITHOUT_EXPIRY - Duration::from_secs(1));
    assert_eq!(h.key_id().await.unwrap(), "ASIA1");
    h.advance(Duration::from_secs(1));
    assert_eq!(h.key_id().await.unwrap(), "ASIA2");
}

#[tokio::test]
async fn a_failed_refresh_keeps_valid_credentials_until_they_expire() {
    let h = Harness::new(Some(Duration::from_secs(3600)));
    assert_eq!(h.key_id().await.unwrap(), "ASIA1");
    *h.failing.lock().unwrap() = true;
    h.advance(Duration::from_secs(3600) - Duration::from_secs(60));
    assert_eq!(h.key_id().await.unwrap(), "ASIA1");
    h.advance(Duration::from_secs(60));
    let err = h.key_id().await.unwrap_err();
    assert!(err.to_string().contains("IMDS unreachable"), "{err}");
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let h = Harness::new(Some(Duration::from_secs(3600)));
    let (a, b, c) = tokio::join!(h.key_id(), h.key_id(), h.key_id());
    assert_eq!(
        (a.unwrap(), b.unwrap(), c.unwrap()),
        ("ASIA1".into(), "ASIA1".into(), "ASIA1".into())
    );
    assert_eq!(h.calls(), 1);
}

#[tokio::test]
async fn secrets_appear_in_no_debug_output_or_error() {
    let h = Harness::new(Some(Duration::from_secs(3600)));
    let creds = h.cache.credentials().await.unwrap();
    let shown = format!("{:?} {creds:?} {}", h.cache, creds.access_key_secret);
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
    *h.failing.lock().unwrap() = true;
    h.advance(Duration::from_secs(7200));
    let err = h.cache.credentials().await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
}

#[test]
fn a_chain_without_credentials_is_one_line_naming_the_fix_and_each_source_once() {
    let chain = AwsError::not_loaded(
        "no credentials found in chain. Attempted:\n  Environment: the credential provider was not \
         enabled: environment variable not set\n  Profile: the credential provider was not enabled",
    );
    let message = CredentialsError::of_chain(&chain).to_string();
    assert_eq!(
        message,
        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with a web \
         identity token, an ECS task role or an EC2 instance profile (tried Environment: \
         environment variable not set; Profile: not enabled)"
    );
    assert!(
        !message.contains("no AWS credentials"),
        "the request says that"
    );
}

#[test]
fn a_profile_error_names_the_profile_and_the_fix_on_one_line() {
    let not_loaded = AwsError::not_loaded("the credential provider was not enabled");
    let message = CredentialsError::of_profile("keyless", &not_loaded).to_string();
    assert!(
        message.starts_with("AWS profile `keyless`: it has no credentials ("),
        "{message}"
    );
    assert!(message.contains("~/.aws/config") && message.contains("AWS_SHARED_CREDENTIALS_FILE"));
    assert!(!message.contains('\n'), "{message}");
    let refused =
        AwsError::provider_error("AccessDenied: not authorized to perform sts:AssumeRole");
    let message = CredentialsError::of_profile("cross", &refused).to_string();
    assert!(message.starts_with("AWS profile `cross`: "), "{message}");
    assert!(
        message.contains("sts:AssumeRole") && !message.contains("~/.aws"),
        "{message}"
    );
}
