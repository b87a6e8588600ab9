//! Access keys, which never print themselves.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub use futures_util::future::BoxFuture;

use crate::model::Provider;

/// Why a [`CredentialSource`] has no credentials. `Display` names variables, files and lines,
/// never a value.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CredentialsError {
    /// The provider's variables are not set (blank counts as unset).
    #[error(
        "{} credentials are not configured: set {}",
        provider.as_str().to_uppercase(),
        vars.join(" and ")
    )]
    Missing {
        /// Whose credentials are missing.
        provider: Provider,
        /// The unset variables, in the order id, secret.
        vars: Vec<&'static str>,
    },
    /// The credentials file gave none: unreadable, malformed or without a key.
    #[error("{source}")]
    File {
        /// The credentials file (`--credentials-file`).
        path: PathBuf,
        /// Shared: the file's answer is cached until the file changes. A
        /// [`CredentialsFileError`](super::credentials_file::CredentialsFileError).
        source: Arc<dyn std::error::Error + Send + Sync>,
    },
    /// A source that refreshes (a cloud's credential chain) failed; its own error says how.
    #[error(transparent)]
    Refresh {
        /// The source's own error; shared, so that the error stays cloneable.
        source: Arc<dyn std::error::Error + Send + Sync>,
    },
}

impl CredentialsError {
    /// A refresh failure described by `message` alone (a source that reports no error type).
    pub fn refresh(message: impl Into<String>) -> Self {
        let source: Box<dyn std::error::Error + Send + Sync> = message.into().into();
        CredentialsError::Refresh {
            source: Arc::from(source),
        }
    }

    /// A refresh failure caused by `error`, kept as the source.
    pub(crate) fn refreshed_by(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        CredentialsError::Refresh {
            source: Arc::new(error),
        }
    }
}

/// A secret string. `Debug` and `Display` print `******`; only [`Secret::expose`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`; from here on it prints as `******`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for signing. Never log what this returns.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("******")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("******")
    }
}

/// One provider account's key pair, with the session token of temporary credentials.
///
/// The key id is not secret (it appears in signed requests); the key secret and token are.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (COS `SecretId`, OSS `AccessKeyId`, S3 access key id); printed freely.
    pub access_key_id: String,
    pub(crate) access_key_secret: Secret,
    pub(crate) security_token: Option<Secret>,
}

impl Credentials {
    /// Long-term keys: an id and its secret, without a session token.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: Secret::new(access_key_secret),
            security_token: None,
        }
    }

    /// The same keys with a session token (STS / temporary credentials).
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .finish()
    }
}

/// The environment variable names that hold one provider's credentials; the same names are
/// the keys of a credentials file. Each provider folder defines its own (`VARS`), and its
/// table entry carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialVars {
    /// Whose keys these are, for messages.
    pub provider: Provider,
    /// Holds the access key id, e.g. `TENCENTCLOUD_SECRET_ID`.
    pub id: &'static str,
    /// Holds the access key secret, e.g. `TENCENTCLOUD_SECRET_KEY`.
    pub secret: &'static str,
    /// Optional: the session token of temporary credentials.
    pub token: &'static str,
}

/// The credentials named by `vars`, looked up through `lookup` (blank counts as unset).
///
/// # Errors
/// [`CredentialsError::Missing`], naming the missing variables, never a value.
pub fn credentials_from_lookup(
    vars: CredentialVars,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Credentials, CredentialsError> {
    let get = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let (id, secret) = (get(vars.id), get(vars.secret));
    let (Some(id), Some(secret)) = (id.clone(), secret.clone()) else {
        let missing = [(vars.id, id.is_none()), (vars.secret, secret.is_none())]
            .into_iter()
            .filter_map(|(name, missing)| missing.then_some(name))
            .collect();
        return Err(CredentialsError::Missing {
            provider: vars.provider,
            vars: missing,
        });
    };
    let credentials = Credentials::new(id, secret);
    Ok(match get(vars.token) {
        Some(token) => credentials.with_security_token(token),
        None => credentials,
    })
}

/// The credentials named by `vars`, from the process environment.
///
/// # Errors
/// As [`credentials_from_lookup`].
pub fn credentials_from_env(vars: CredentialVars) -> Result<Credentials, CredentialsError> {
    credentials_from_lookup(vars, |name| std::env::var(name).ok())
}

/// Where a client gets its credentials, asked before every inventory call (its retries sign
/// with the same answer) so that rotated keys take effect without a restart.
///
/// Asynchronous so that a source may refresh over the network (a cloud's credential chain:
/// instance metadata, web identity token exchange); a source that has nothing to wait for
/// returns a ready future.
///
/// A source implements [`CredentialSource::fetch`]; [`CredentialSource::credentials`] is its
/// message form.
pub trait CredentialSource: Send + Sync {
    /// The current credentials, or why there are none (never the secret itself).
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;

    /// [`CredentialSource::fetch`] with its error as a message.
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, String>> {
        Box::pin(async move { self.fetch().await.map_err(|e| e.to_string()) })
    }

    /// The source of the named profile `name` of the provider's shared configuration (an AWS
    /// shared-config profile), for buckets that name one.
    ///
    /// # Guarantees
    /// One source per name for the life of `self`, so every bucket naming a profile shares its
    /// cache and refreshes. `None` when this source reads no named profiles (fixed keys, or a
    /// provider without them); a profile that does not exist is the returned source's error,
    /// not `None`.
    fn profile(&self, name: &str) -> Option<Arc<dyn CredentialSource>> {
        let _ = name;
        None
    }
}

/// Credentials read from the provider's environment variables before every request, so a
/// missing variable is reported only for the provider that needs it.
#[derive(Debug, Clone, Copy)]
pub struct EnvCredentials(pub CredentialVars);

impl CredentialSource for EnvCredentials {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(credentials_from_env(self.0)))
    }
}

/// Credentials fixed at start-up.
#[derive(Debug, Clone)]
pub struct StaticCredentials(pub Credentials);

impl CredentialSource for StaticCredentials {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(Ok(self.0.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::cos::credentials::VARS as COS;
    use crate::provider::oss::credentials::VARS as OSS;

    #[test]
    fn debug_output_hides_secret_and_token() {
        let creds =
            Credentials::new("AKIDexample", "very-secret-key").with_security_token("tok123");
        let shown = format!("{creds:?} {}", creds.access_key_secret);
        assert!(shown.contains("AKIDexample"));
        assert!(!shown.contains("very-secret-key"));
        assert!(!shown.contains("tok123"));
        assert!(shown.contains("******"));
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn credentials_come_from_the_providers_standard_variables() {
        let cos = credentials_from_lookup(
            COS,
            env(&[
                ("TENCENTCLOUD_SECRET_ID", "AKID1"),
                ("TENCENTCLOUD_SECRET_KEY", " sk1 "),
            ]),
        )
        .unwrap();
        assert_eq!(cos.access_key_id, "AKID1");
        assert_eq!(cos.access_key_secret.expose(), "sk1");
        assert!(cos.security_token.is_none());
        let oss = credentials_from_lookup(
            OSS,
            env(&[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI1"),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sk2"),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok"),
            ]),
        )
        .unwrap();
        assert_eq!(oss.security_token.unwrap().expose(), "tok");
    }

    #[test]
    fn missing_credentials_name_the_variables_and_never_a_value() {
        let err = credentials_from_lookup(
            COS,
            env(&[
                ("TENCENTCLOUD_SECRET_KEY", "sk-value"),
                ("TENCENTCLOUD_SECRET_ID", "  "),
            ]),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "COS credentials are not configured: set TENCENTCLOUD_SECRET_ID"
        );
        assert!(err.contains("TENCENTCLOUD_SECRET_ID"), "{err}");
        assert!(!err.contains("TENCENTCLOUD_SECRET_KEY"), "{err}");
        assert!(!err.contains("sk-value"), "{err}");
        let err = credentials_from_lookup(OSS, env(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
            "{err}"
        );
    }

    /// A source whose failure is only a message.
    struct MessageOnly;

    impl CredentialSource for MessageOnly {
        fn fetch(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
            Box::pin(std::future::ready(Err(CredentialsError::refresh(
                "no token file",
            ))))
        }
    }

    #[tokio::test]
    async fn either_form_of_a_source_answers_through_the_other() {
        let err = MessageOnly.fetch().await.unwrap_err();
        assert!(matches!(err, CredentialsError::Refresh { .. }));
        assert_eq!(err.to_string(), "no token file");
        let message = EnvCredentials(COS).credentials();
        // Only the form matters here, whatever this process's environment holds.
        if let Err(message) = message.await {
            assert!(message.starts_with("COS credentials are not configured"));
        }
    }
}
