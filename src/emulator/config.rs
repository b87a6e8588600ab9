//! How an emulator instance is set up: accepted credentials, persistence, bucket strictness,
//! Content-MD5 strictness, faults, clock-skew tolerance, and where its S3 buckets live.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::faults::FaultConfig;
use crate::model::Provider;
use crate::provider::CredentialVars;

/// Default tolerance for COS signature windows that start slightly in the future. The real
/// service's tolerance is undocumented; 60 s covers cos-python-sdk-v5, which back-dates by 60 s.
pub const DEFAULT_CLOCK_SKEW_TOLERANCE: Duration = Duration::from_secs(60);

/// The region of every emulated S3 bucket unless configured otherwise.
pub const DEFAULT_S3_REGION: &str = "us-east-1";
/// The account that owns every emulated S3 bucket (checked against
/// `x-amz-expected-bucket-owner`) unless configured otherwise.
pub const DEFAULT_S3_ACCOUNT_ID: &str = "123456789012";

/// One accepted S3 key: long-term (no token) or temporary (requests must carry the token).
#[derive(Clone, PartialEq, Eq)]
pub struct S3Credential {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

// Hand-written so that neither the secret nor the token reaches a log.
impl fmt::Debug for S3Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credential")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"******")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "******"),
            )
            .finish()
    }
}

/// Everything an emulator instance needs to start.
///
/// With no credentials for a provider, every request to it is refused with 403
/// `InvalidAccessKeyId`: verification is never switched off.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// COS SecretId → SecretKey pairs accepted in `q-ak`.
    pub cos_credentials: Vec<(String, String)>,
    /// OSS AccessKeyId → AccessKeySecret pairs.
    pub oss_credentials: Vec<(String, String)>,
    /// S3 keys accepted in SigV4 `Credential=`.
    pub s3_credentials: Vec<S3Credential>,
    /// The region every S3 bucket lives in: a signature scoped to another region is refused
    /// with 400 `AuthorizationHeaderMalformed` naming this one.
    pub s3_region: String,
    /// The account that owns every S3 bucket.
    pub s3_account_id: String,
    /// Load configurations from this JSON file at start and rewrite it after every change.
    pub state_file: Option<PathBuf>,
    /// Answer 404 `NoSuchBucket` for buckets not in `buckets` (otherwise buckets spring into
    /// existence on first use).
    pub strict_buckets: bool,
    /// The buckets that exist when `strict_buckets` is set.
    pub buckets: Vec<(Provider, String)>,
    /// Refuse a PUT without `Content-MD5` (it is verified whenever present regardless).
    pub require_content_md5: bool,
    /// Faults injected from the start; changeable at run time.
    pub faults: FaultConfig,
    /// How far a COS signature window may lie in the future (client clock ahead) or past.
    /// OSS uses its documented fixed 15-minute window.
    pub clock_skew_tolerance: Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            cos_credentials: Vec::new(),
            oss_credentials: Vec::new(),
            s3_credentials: Vec::new(),
            s3_region: DEFAULT_S3_REGION.to_string(),
            s3_account_id: DEFAULT_S3_ACCOUNT_ID.to_string(),
            state_file: None,
            strict_buckets: false,
            buckets: Vec::new(),
            require_content_md5: false,
            faults: FaultConfig::default(),
            clock_skew_tolerance: DEFAULT_CLOCK_SKEW_TOLERANCE,
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = |pairs: &[(String, String)]| -> Vec<String> {
            pairs.iter().map(|(id, _)| format!("{id}:******")).collect()
        };
        f.debug_struct("EmulatorConfig")
            .field("cos_credentials", &ids(&self.cos_credentials))
            .field("oss_credentials", &ids(&self.oss_credentials))
            .field("s3_credentials", &self.s3_credentials)
            .field("s3_region", &self.s3_region)
            .field("s3_account_id", &self.s3_account_id)
            .field("state_file", &self.state_file)
            .field("strict_buckets", &self.strict_buckets)
            .field("buckets", &self.buckets)
            .field("require_content_md5", &self.require_content_md5)
            .field("faults", &self.faults)
            .field("clock_skew_tolerance", &self.clock_skew_tolerance)
            .finish()
    }
}

impl EmulatorConfig {
    /// Defaults, with credentials from the clients' standard env vars:
    /// `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` for COS,
    /// `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` for OSS, and
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` for S3 (with `AWS_SESSION_TOKEN`, a
    /// temporary key whose requests must carry that token). A pair with either half unset or
    /// empty is left out.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`EmulatorConfig::from_env`] with the variables looked up through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let pair = |vars: CredentialVars| -> Vec<(String, String)> {
            match (var(vars.id), var(vars.secret)) {
                (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
                    vec![(id, secret)]
                }
                _ => Vec::new(),
            }
        };
        let s3_credentials = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
                vec![S3Credential {
                    access_key_id: id,
                    secret_access_key: secret,
                    session_token: var("AWS_SESSION_TOKEN").filter(|t| !t.is_empty()),
                }]
            }
            _ => Vec::new(),
        };
        EmulatorConfig {
            cos_credentials: pair(CredentialVars::of(Provider::Cos)),
            oss_credentials: pair(CredentialVars::of(Provider::Oss)),
            s3_credentials,
            ..EmulatorConfig::default()
        }
    }

    /// True when some key pair is accepted for `provider`; without one every request to it is
    /// refused.
    pub fn has_credentials(&self, provider: Provider) -> bool {
        match provider {
            Provider::Cos => !self.cos_credentials.is_empty(),
            Provider::Oss => !self.oss_credentials.is_empty(),
            Provider::S3 => !self.s3_credentials.is_empty(),
        }
    }

    /// Adds an accepted COS key pair.
    pub fn with_cos_credentials(mut self, id: impl Into<String>, key: impl Into<String>) -> Self {
        self.cos_credentials.push((id.into(), key.into()));
        self
    }

    /// Adds an accepted OSS key pair.
    pub fn with_oss_credentials(mut self, id: impl Into<String>, key: impl Into<String>) -> Self {
        self.oss_credentials.push((id.into(), key.into()));
        self
    }

    /// Adds an accepted long-term S3 key.
    pub fn with_s3_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.s3_credentials.push(S3Credential {
            access_key_id: id.into(),
            secret_access_key: secret.into(),
            session_token: None,
        });
        self
    }

    /// Adds an accepted temporary S3 key, valid only with `token` in `x-amz-security-token`.
    pub fn with_s3_session_credentials(
        mut self,
        id: impl Into<String>,
        secret: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        self.s3_credentials.push(S3Credential {
            access_key_id: id.into(),
            secret_access_key: secret.into(),
            session_token: Some(token.into()),
        });
        self
    }
}

/// The secret of `key_id` among accepted `(id, secret)` pairs.
pub(crate) fn find_secret<'c>(pairs: &'c [(String, String)], key_id: &str) -> Option<&'c str> {
    pairs
        .iter()
        .find(|(id, _)| id == key_id)
        .map(|(_, secret)| secret.as_str())
}

/// Parses a `--bucket` value, `cos:NAME`, `oss:NAME` or `s3:NAME`.
///
/// # Errors
/// A message quoting the value when it has another form.
pub fn parse_bucket_spec(value: &str) -> Result<(Provider, String), String> {
    if let Some((name, bucket)) = value.split_once(':')
        && let Some(provider) = Provider::from_name(name)
        && !bucket.is_empty()
    {
        return Ok((provider, bucket.to_string()));
    }
    let forms: Vec<String> = Provider::ALL.iter().map(|p| format!("{p}:NAME")).collect();
    let expected = match forms.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    Err(format!("expected {expected}, got {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_specs_name_provider_and_bucket() {
        assert_eq!(
            parse_bucket_spec("cos:b-1250000000"),
            Ok((Provider::Cos, "b-1250000000".into()))
        );
        assert_eq!(parse_bucket_spec("oss:b"), Ok((Provider::Oss, "b".into())));
        assert_eq!(parse_bucket_spec("s3:b"), Ok((Provider::S3, "b".into())));
        assert!(parse_bucket_spec("gcs:b").is_err());
        assert_eq!(
            parse_bucket_spec("cos:"),
            Err("expected cos:NAME, oss:NAME or s3:NAME, got \"cos:\"".into())
        );
    }

    #[test]
    fn credentials_come_from_the_clients_env_vars() {
        let config = EmulatorConfig::from_vars(|name| match name {
            "TENCENTCLOUD_SECRET_ID" => Some("AKIDcos".into()),
            "TENCENTCLOUD_SECRET_KEY" => Some("cos-secret".into()),
            "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("LTAIoss".into()),
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some(String::new()),
            "AWS_ACCESS_KEY_ID" => Some("ASIAs3".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("s3-secret".into()),
            "AWS_SESSION_TOKEN" => Some("s3-token".into()),
            _ => None,
        });
        assert_eq!(
            config.s3_credentials,
            vec![S3Credential {
                access_key_id: "ASIAs3".into(),
                secret_access_key: "s3-secret".into(),
                session_token: Some("s3-token".into()),
            }]
        );
        assert_eq!(
            find_secret(&config.cos_credentials, "AKIDcos"),
            Some("cos-secret")
        );
        assert!(
            config.oss_credentials.is_empty(),
            "an empty secret is not a credential"
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let config = EmulatorConfig::default()
            .with_cos_credentials("AKIDcos", "cos-secret")
            .with_oss_credentials("LTAIoss", "oss-secret")
            .with_s3_session_credentials("ASIAs3", "s3-secret", "s3-token");
        let shown = format!("{config:?}");
        assert!(shown.contains("AKIDcos") && shown.contains("LTAIoss") && shown.contains("ASIAs3"));
        assert!(!shown.contains("cos-secret") && !shown.contains("oss-secret"));
        assert!(!shown.contains("s3-secret") && !shown.contains("s3-token"));
    }
}
