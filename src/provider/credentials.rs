//! Access keys, which never print themselves.

use std::fmt;

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

/// Where a client gets its credentials, asked before every signed request so that rotated
/// keys take effect without a restart.
pub trait CredentialSource: Send + Sync {
    /// The current credentials, or a message saying what is missing (never the secret itself).
    fn credentials(&self) -> Result<Credentials, String>;
}

/// Credentials fixed at start-up.
#[derive(Debug, Clone)]
pub struct StaticCredentials(pub Credentials);

impl CredentialSource for StaticCredentials {
    fn credentials(&self) -> Result<Credentials, String> {
        Ok(self.0.clone())
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
}
