//! Where S3 credentials come from: the standard AWS chain, cached and refreshed before they
//! expire.
//!
//! The chain is `aws-config`'s default one, in its order: environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), the shared `~/.aws/credentials` and
//! `~/.aws/config` files (`AWS_PROFILE`, including `role_arn` profiles), the web identity token
//! file (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`: EKS IRSA and Pod Identity), ECS
//! container credentials, and IMDSv2 on EC2. Its network calls (STS, ECS, IMDS) go through an
//! HTTPS client on rustls with the ring provider, the same TLS stack as invsync's own requests.
//!
//! With `--credentials-file`, a file holding the AWS keys (the variable names of [`VARS`] as
//! keys) comes first, so mounted secrets rotate as for the other providers; without those keys
//! in it, or without a file, the chain answers.
//!
//! A bucket that names a shared-config profile (`profile: NAME`) is signed with that profile's
//! credentials instead, from one cache per profile name ([`super::profile`]); neither the
//! credentials file nor the chain stands in for a profile that gives none.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::Region;
use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::Credentials as AwsCredentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::model::Provider;
use crate::provider::Credentials;
use crate::provider::credentials::{
    BoxFuture, CredentialSource, CredentialVars, CredentialsError as SourceError,
};

/// The variable names of AWS access keys (the AWS CLI's and SDKs').
pub(crate) const VARS: CredentialVars = CredentialVars {
    provider: Provider::S3,
    id: "AWS_ACCESS_KEY_ID",
    secret: "AWS_SECRET_ACCESS_KEY",
    token: "AWS_SESSION_TOKEN",
};

/// The rest of the chain, as help texts name it after [`VARS`].
pub(crate) const FALLBACK: &str = "or a profile of ~/.aws/config (AWS_PROFILE), a web identity token \
(AWS_WEB_IDENTITY_TOKEN_FILE), ECS container credentials or EC2 instance metadata";

/// Credentials are renewed this long before they expire, so a request signed just before
/// expiry still reaches S3 in time (STS sessions last at least 15 minutes).
pub(crate) const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// Credentials without an expiry (environment, static profile keys) are read again after this
/// long, so that a rotated profile file takes effect without a restart (the AWS SDKs' lazy
/// identity cache uses the same 15 minutes).
pub(crate) const REREAD_WITHOUT_EXPIRY: Duration = Duration::from_secs(15 * 60);

/// The STS region when neither `AWS_REGION`/`AWS_DEFAULT_REGION` nor the profile names one:
/// the region of the global STS endpoint.
pub(crate) const STS_FALLBACK_REGION: &str = "us-east-1";

/// The time source of the cache; injectable so tests can move time.
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Why no credentials could be had, on one line: the fix and what each source of the chain
/// said when none had any, else the failing source's error. Never a key or token. The request
/// that needed them says "no AWS credentials" itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CredentialsError(String);

/// The fix when no source of the chain has credentials.
const NOT_CONFIGURED: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, \
or run with a web identity token, an ECS task role or an EC2 instance profile";

/// The fix when a named profile gives no credentials.
const PROFILE_NOT_CONFIGURED: &str = "define the profile in ~/.aws/config (or the file \
AWS_CONFIG_FILE names) with keys in ~/.aws/credentials (or AWS_SHARED_CREDENTIALS_FILE), a \
role_arn and source_profile, or another credential source; or correct the bucket's `profile`";

/// aws-config's words for "this source had nothing", which say nothing about a named profile.
const NOT_ENABLED: &str = "the credential provider was not enabled";

impl CredentialsError {
    /// The error of named profile `profile` that gave no credentials: the profile, what
    /// aws-config said, and the fix when the profile has no credentials at all.
    fn of_profile(
        profile: &str,
        error: &aws_credential_types::provider::error::CredentialsError,
    ) -> Self {
        use aws_credential_types::provider::error::CredentialsError as ChainError;
        let message = describe(error)
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("; ");
        let message = message
            .strip_prefix(NOT_ENABLED)
            .map(|rest| rest.trim_start_matches([':', ' ']))
            .unwrap_or(&message);
        let message = if message.is_empty() {
            "it has no credentials"
        } else {
            message
        };
        let profile = profile.escape_debug();
        if matches!(
            error,
            ChainError::CredentialsNotLoaded(_) | ChainError::InvalidConfiguration(_)
        ) {
            CredentialsError(format!(
                "AWS profile `{profile}`: {message} ({PROFILE_NOT_CONFIGURED})"
            ))
        } else {
            CredentialsError(format!("AWS profile `{profile}`: {message}"))
        }
    }

    /// The error of a chain that gave no credentials.
    fn of_chain(error: &aws_credential_types::provider::error::CredentialsError) -> Self {
        use aws_credential_types::provider::error::CredentialsError as ChainError;
        let message = describe(error);
        if !matches!(error, ChainError::CredentialsNotLoaded(_)) {
            return CredentialsError(
                message
                    .lines()
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        // The chain's text is a header and one line per source tried, each repeating that the
        // source "was not enabled"; kept are the sources and their reasons.
        let tried: Vec<String> = message
            .lines()
            .skip(1)
            .map(|line| {
                line.trim()
                    .replace(&format!("{NOT_ENABLED}: "), "")
                    .replace(NOT_ENABLED, "not enabled")
            })
            .collect();
        if tried.is_empty() {
            CredentialsError(format!("{NOT_CONFIGURED} ({message})"))
        } else {
            CredentialsError(format!("{NOT_CONFIGURED} (tried {})", tried.join("; ")))
        }
    }
}

/// An AWS credentials provider behind a cache: asked at most once per refresh period, and
/// again shortly before what it gave expires.
///
/// # Guarantees
/// - Concurrent callers wait for one refresh instead of each asking the provider.
/// - When a refresh fails while the cached credentials are still valid, those are returned
///   (and the failure logged), so a brief STS or IMDS outage does not stop signing.
/// - `Debug` shows neither the key secret nor the session token.
pub(crate) struct CachedAwsCredentials {
    provider: SharedCredentialsProvider,
    /// The named profile `provider` reads, for errors and logs; `None` for the default chain.
    profile: Option<String>,
    cache: tokio::sync::Mutex<Option<Cached>>,
    clock: Clock,
}

#[derive(Clone)]
struct Cached {
    credentials: AwsCredentials,
    /// When to ask the provider again.
    refresh_at: SystemTime,
    /// When the credentials stop working; `None` when they do not expire.
    expires_at: Option<SystemTime>,
}

impl std::fmt::Debug for CachedAwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedAwsCredentials")
            .field("provider", &self.provider)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl CachedAwsCredentials {
    /// Caches `provider`, timed by the system clock.
    pub(crate) fn new(provider: impl ProvideCredentials + 'static) -> Self {
        CachedAwsCredentials {
            provider: SharedCredentialsProvider::new(provider),
            profile: None,
            cache: tokio::sync::Mutex::new(None),
            clock: Arc::new(SystemTime::now),
        }
    }

    /// Caches `provider`, which reads the named profile `profile`; its errors name the
    /// profile and the fix.
    pub(crate) fn of_profile(profile: &str, provider: impl ProvideCredentials + 'static) -> Self {
        CachedAwsCredentials {
            profile: Some(profile.to_string()),
            ..CachedAwsCredentials::new(provider)
        }
    }

    #[cfg(test)]
    /// The same cache timed by `clock`.
    pub(crate) fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The standard AWS credential chain of this process's environment and files.
    pub(crate) async fn default_chain() -> Self {
        let http = sts_http_client();
        // The chain's own region lookup would end at instance metadata, which warns on every
        // command off EC2; the region only picks the STS endpoint of the web identity exchange.
        let region = RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
            .or_else(ProfileFileRegionProvider::new())
            .or_else(Region::from_static(STS_FALLBACK_REGION));
        let chain = DefaultCredentialsChain::builder()
            .configure(ProviderConfig::default().with_http_client(http))
            .region(region)
            .build()
            .await;
        CachedAwsCredentials::new(chain)
    }

    /// The current credentials, from the cache while they are fresh.
    ///
    /// # Errors
    /// When the provider fails and no unexpired credentials are cached.
    pub(crate) async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let now = (self.clock)();
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && now < cached.refresh_at
        {
            return Ok(convert(&cached.credentials));
        }
        match self.provider.provide_credentials().await {
            Ok(credentials) => {
                let expires_at = credentials.expiry();
                let refresh_at = match expires_at {
                    Some(expiry) => expiry
                        .checked_sub(REFRESH_BEFORE_EXPIRY)
                        .unwrap_or(now)
                        .max(now),
                    None => now + REREAD_WITHOUT_EXPIRY,
                };
                let out = convert(&credentials);
                *cache = Some(Cached {
                    credentials,
                    refresh_at,
                    expires_at,
                });
                Ok(out)
            }
            Err(error) => {
                let error = match &self.profile {
                    Some(profile) => CredentialsError::of_profile(profile, &error),
                    None => CredentialsError::of_chain(&error),
                };
                match cache.as_ref() {
                    Some(cached) if cached.expires_at.is_none_or(|e| now < e) => {
                        tracing::warn!(
                            error = %error,
                            profile = self.profile.as_deref(),
                            "refreshing AWS credentials failed; using the cached ones until they expire"
                        );
                        Ok(convert(&cached.credentials))
                    }
                    _ => Err(error),
                }
            }
        }
    }
}

impl CredentialSource for CachedAwsCredentials {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials, SourceError>> {
        Box::pin(async move {
            CachedAwsCredentials::credentials(self)
                .await
                .map_err(SourceError::refreshed_by)
        })
    }
}

/// The HTTPS client of the chain's and profiles' own calls (STS, ECS, IMDS): rustls with
/// the ring provider, as invsync's requests.
pub(crate) fn sts_http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// invsync's credentials from the AWS ones.
fn convert(credentials: &AwsCredentials) -> Credentials {
    let out = Credentials::new(credentials.access_key_id(), credentials.secret_access_key());
    match credentials.session_token() {
        Some(token) => out.with_security_token(token),
        None => out,
    }
}

/// The error and its causes on one line (the chain's own messages name the providers tried
/// and what each lacked, never a value).
fn describe(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
