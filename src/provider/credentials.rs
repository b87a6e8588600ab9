//! Access keys, which never print themselves.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

pub use futures_util::future::BoxFuture;

use crate::model::Provider;
use crate::provider::credentials_file::CredentialsFile;

/// A secret string. `Debug` and `Display` print `******`; only [`Secret::expose`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for signing. Never log what this returns.
    pub fn expose(&self) -> &str {
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
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
}

impl Credentials {
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
/// the keys of a credentials file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialVars {
    pub id: &'static str,
    pub secret: &'static str,
    /// Optional: the session token of temporary credentials.
    pub token: &'static str,
}

impl CredentialVars {
    /// The standard names of `provider`'s SDKs and CLIs (its table entry's).
    pub fn of(provider: Provider) -> Self {
        crate::provider::registry::spec(provider).credential_vars
    }
}

/// `provider`'s credentials from variables looked up through `lookup` (blank counts as unset).
///
/// # Errors
/// A message naming the missing variables, never a value.
pub fn credentials_from_lookup(
    provider: Provider,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Credentials, String> {
    let vars = CredentialVars::of(provider);
    let get = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let (id, secret) = (get(vars.id), get(vars.secret));
    let (Some(id), Some(secret)) = (id.clone(), secret.clone()) else {
        let missing: Vec<&str> = [(vars.id, id.is_none()), (vars.secret, secret.is_none())]
            .into_iter()
            .filter_map(|(name, missing)| missing.then_some(name))
            .collect();
        return Err(format!(
            "{} credentials are not configured: set {}",
            provider.as_str().to_uppercase(),
            missing.join(" and ")
        ));
    };
    let credentials = Credentials::new(id, secret);
    Ok(match get(vars.token) {
        Some(token) => credentials.with_security_token(token),
        None => credentials,
    })
}

/// `provider`'s credentials from the process environment.
///
/// # Errors
/// As [`credentials_from_lookup`].
pub fn credentials_from_env(provider: Provider) -> Result<Credentials, String> {
    credentials_from_lookup(provider, |name| std::env::var(name).ok())
}

/// Where a client gets its credentials, asked before every inventory call (its retries sign
/// with the same answer) so that rotated keys take effect without a restart.
///
/// Asynchronous so that a source may refresh over the network (a cloud's credential chain:
/// instance metadata, web identity token exchange); a source that has nothing to wait for
/// returns a ready future.
pub trait CredentialSource: Send + Sync {
    /// The current credentials, or a message saying what is missing (never the secret itself).
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, String>>;
}

/// Credentials read from the provider's environment variables before every request, so a
/// missing variable is reported only for the provider that needs it.
#[derive(Debug, Clone, Copy)]
pub struct EnvCredentials(pub Provider);

impl CredentialSource for EnvCredentials {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, String>> {
        Box::pin(std::future::ready(credentials_from_env(self.0)))
    }
}

/// `provider`'s keys from the credentials file `file` when given, else from its environment
/// variables; read for every request either way, so rotation needs no restart.
pub fn env_or_file(provider: Provider, file: Option<&Path>) -> Arc<dyn CredentialSource> {
    match file {
        Some(path) => Arc::new(CredentialsFile::new(provider, path)),
        None => Arc::new(EnvCredentials(provider)),
    }
}

/// Credentials fixed at start-up.
#[derive(Debug, Clone)]
pub struct StaticCredentials(pub Credentials);

impl CredentialSource for StaticCredentials {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, String>> {
        Box::pin(std::future::ready(Ok(self.0.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Provider::Cos,
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
            Provider::Oss,
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
            Provider::Cos,
            env(&[
                ("TENCENTCLOUD_SECRET_KEY", "sk-value"),
                ("TENCENTCLOUD_SECRET_ID", "  "),
            ]),
        )
        .unwrap_err();
        assert!(err.contains("TENCENTCLOUD_SECRET_ID"), "{err}");
        assert!(!err.contains("TENCENTCLOUD_SECRET_KEY"), "{err}");
        assert!(!err.contains("sk-value"), "{err}");
        let err = credentials_from_lookup(Provider::Oss, env(&[])).unwrap_err();
        assert!(
            err.contains("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
            "{err}"
        );
    }
}
