//! How an emulator instance is set up: accepted credentials, persistence, bucket strictness,
//! Content-MD5 strictness, faults, clock-skew tolerance, and where its S3 buckets live.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::faults::FaultConfig;
use crate::model::Provider;
use crate::provider::CredentialVars;

/// Default tolerance for COS signature windows that start slightly in the future. The real
/// service's tolerance is undocumented; 60 s covers cos-python-sdk-v5, which back-dates by 60 s.
pub(crate) const DEFAULT_CLOCK_SKEW_TOLERANCE: Duration = Duration::from_secs(60);

/// The region of every emulated S3 bucket unless configured otherwise.
pub(crate) const DEFAULT_S3_REGION: &str = "us-east-1";
/// The account that owns every emulated S3 bucket (checked against
/// `x-amz-expected-bucket-owner`) unless configured otherwise.
pub(crate) const DEFAULT_S3_ACCOUNT_ID: &str = "123456789012";

/// One accepted key: an access key id and its secret, and for a temporary key the session
/// token its requests must carry (S3's `x-amz-security-token`; dialects without tokens never
/// look at it).
#[derive(Clone, PartialEq, Eq)]
pub struct AcceptedKey {
    /// The access key id a request's signature names.
    pub id: String,
    /// The secret the signature must be computed with.
    pub secret: String,
    /// The session token a temporary key's requests must carry; `None` for a long-term key.
    pub session_token: Option<String>,
}

// Hand-written so that neither the secret nor the token reaches a log.
impl fmt::Debug for AcceptedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcceptedKey")
            .field("id", &self.id)
            .field("secret", &"******")
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
    /// The keys each provider accepts (COS `q-ak`, OSS `AccessKeyId`, S3 SigV4
    /// `Credential=`).
    pub credentials: BTreeMap<Provider, Vec<AcceptedKey>>,
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
            credentials: BTreeMap::new(),
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
        f.debug_struct("EmulatorConfig")
            .field("credentials", &self.credentials)
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
    /// Defaults, with each provider's credentials from its clients' standard variables (its
    /// table entry's: `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` for COS,
    /// `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` for OSS,
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` for S3). With the provider's session token
    /// variable set (`AWS_SESSION_TOKEN`), the key is a temporary one whose requests must carry
    /// that token. A pair with either half unset or empty is left out.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`EmulatorConfig::from_env`] with the variables looked up through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| var(name).filter(|value| !value.is_empty());
        let mut config = EmulatorConfig::default();
        for provider in Provider::ALL {
            let vars = CredentialVars::of(provider);
            if let (Some(id), Some(secret)) = (set(vars.id), set(vars.secret)) {
                let session_token = if vars.token.is_empty() {
                    None
                } else {
                    set(vars.token)
                };
                config.add_key(provider, id, secret, session_token);
            }
        }
        config
    }

    /// The keys `provider` accepts; without one every request to it is refused.
    pub(crate) fn accepted_keys(&self, provider: Provider) -> &[AcceptedKey] {
        self.credentials.get(&provider).map_or(&[], Vec::as_slice)
    }

    /// True when some key is accepted for `provider`; without one every request to it is
    /// refused.
    pub(crate) fn has_credentials(&self, provider: Provider) -> bool {
        !self.accepted_keys(provider).is_empty()
    }

    /// Adds an accepted long-term key for `provider`.
    pub fn with_credentials(
        mut self,
        provider: Provider,
        id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.add_key(provider, id.into(), secret.into(), None);
        self
    }

    /// Adds an accepted temporary key for `provider`, valid only with `token` (S3:
    /// `x-amz-security-token`).
    pub fn with_session_credentials(
        mut self,
        provider: Provider,
        id: impl Into<String>,
        secret: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        self.add_key(provider, id.into(), secret.into(), Some(token.into()));
        self
    }

    fn add_key(
        &mut self,
        provider: Provider,
        id: String,
        secret: String,
        session_token: Option<String>,
    ) {
        self.credentials
            .entry(provider)
            .or_default()
            .push(AcceptedKey {
                id,
                secret,
                session_token,
            });
    }
}

/// The secret of `key_id` among accepted keys.
pub(crate) fn find_secret<'c>(keys: &'c [AcceptedKey], key_id: &str) -> Option<&'c str> {
    keys.iter()
        .find(|key| key.id == key_id)
        .map(|key| key.secret.as_str())
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
            Ok((Provider::COS, "b-1250000000".into()))
        );
        assert_eq!(parse_bucket_spec("oss:b"), Ok((Provider::OSS, "b".into())));
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
            config.accepted_keys(Provider::S3),
            [AcceptedKey {
                id: "ASIAs3".into(),
                secret: "s3-secret".into(),
                session_token: Some("s3-token".into()),
            }]
        );
        assert_eq!(
            find_secret(config.accepted_keys(Provider::COS), "AKIDcos"),
            Some("cos-secret")
        );
        assert_eq!(
            config.accepted_keys(Provider::COS)[0].session_token,
            None,
            "COS has no session token variable set"
        );
        assert!(
            config.accepted_keys(Provider::OSS).is_empty(),
            "an empty secret is not a credential"
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let config = EmulatorConfig::default()
            .with_credentials(Provider::COS, "AKIDcos", "cos-secret")
            .with_credentials(Provider::OSS, "LTAIoss", "oss-secret")
            .with_session_credentials(Provider::S3, "ASIAs3", "s3-secret", "s3-token");
        let shown = format!("{config:?}");
        assert!(shown.contains("AKIDcos") && shown.contains("LTAIoss") && shown.contains("ASIAs3"));
        assert!(!shown.contains("cos-secret") && !shown.contains("oss-secret"));
        assert!(!shown.contains("s3-secret") && !shown.contains("s3-token"));
    }
}
