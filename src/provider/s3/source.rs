//! S3's credential source of the process, and the source each bucket signs with: the
//! process's own, or the one of the AWS profile the bucket names.

use std::path::Path;
use std::sync::Arc;

use super::credentials::{CachedAwsCredentials, VARS};
use super::profile::Profiles;
use crate::provider::Credentials;
use crate::provider::credentials::{BoxFuture, CredentialSource, CredentialsError as SourceError};
use crate::provider::credentials_file::CredentialsFile;

/// S3's credential source: the credentials file when it holds the AWS keys, else the AWS
/// chain, built on first use (building it reads the region settings, which needs no network);
/// and the named profiles buckets ask for, one cached source each.
struct AwsSource {
    file: Option<CredentialsFile>,
    chain: tokio::sync::OnceCell<CachedAwsCredentials>,
    profiles: Profiles,
}

impl std::fmt::Debug for AwsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsSource")
            .field("file", &self.file)
            .field("profiles", &self.profiles)
            .finish_non_exhaustive()
    }
}

impl CredentialSource for AwsSource {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials, SourceError>> {
        Box::pin(async move {
            if let Some(file) = &self.file
                && let Ok(credentials) = file.fetch().await
            {
                return Ok(credentials);
            }
            let chain = self
                .chain
                .get_or_init(CachedAwsCredentials::default_chain)
                .await;
            CachedAwsCredentials::credentials(chain)
                .await
                .map_err(SourceError::refreshed_by)
        })
    }

    fn profile(&self, name: &str) -> Option<Arc<dyn CredentialSource>> {
        Some(self.profiles.source(name))
    }
}

/// The table's `credential_source`.
pub(crate) fn source(file: Option<&Path>) -> Arc<dyn CredentialSource> {
    Arc::new(AwsSource {
        file: file.map(|path| CredentialsFile::new(VARS, path)),
        chain: tokio::sync::OnceCell::new(),
        profiles: Profiles::default(),
    })
}

/// The source of a bucket naming profile `name` when the process's S3 source reads no
/// profiles (it signs with fixed keys, as the demo does): every ask fails, naming the profile.
#[derive(Debug)]
struct Unavailable {
    name: String,
}

impl CredentialSource for Unavailable {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials, SourceError>> {
        Box::pin(std::future::ready(Err(SourceError::refresh(format!(
            "AWS profile `{}`: this process signs S3 requests with fixed keys and reads no \
             profiles; remove the bucket's `profile`, or run invsync with the AWS credential chain",
            self.name.escape_debug()
        )))))
    }
}

/// The credential source of a bucket whose options name profile `name`: the profile's source
/// from `process` (the provider's source of this process), or one that explains why there is
/// none.
pub(crate) fn source_for(
    process: &Arc<dyn CredentialSource>,
    name: &str,
) -> Arc<dyn CredentialSource> {
    process.profile(name).unwrap_or_else(|| {
        Arc::new(Unavailable {
            name: name.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_naming_a_profile_shares_its_one_source() {
        let source = source(None);
        let first = source.profile("audit-prod").unwrap();
        let again = source.profile("audit-prod").unwrap();
        let other = source.profile("audit-dev").unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!Arc::ptr_eq(&first, &other));
    }

    #[tokio::test]
    async fn a_profile_of_a_source_with_fixed_keys_is_an_error_naming_it() {
        let fixed: Arc<dyn CredentialSource> = Arc::new(crate::provider::StaticCredentials(
            Credentials::new("id", "secret"),
        ));
        let error = source_for(&fixed, "audit-prod").fetch().await.unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("AWS profile `audit-prod`: "),
            "{message}"
        );
        assert!(!message.contains("secret"), "{message}");
    }
}
