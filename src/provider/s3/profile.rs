//! Named AWS shared-config profiles as credential sources: one cached source per profile name.
//!
//! A bucket manifest's `profile: NAME` signs that bucket's requests with what aws-config's own
//! profile resolution gives for `NAME`: the `[profile NAME]` section of `~/.aws/config` (or
//! `AWS_CONFIG_FILE`) and `[NAME]` of `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`),
//! with static keys, `role_arn` + `source_profile` (a role assumed through STS, in another
//! account), `credential_source` or `web_identity_token_file` (`credential_process` and SSO
//! need aws-config features this crate leaves out). The environment's `AWS_ACCESS_KEY_ID` and
//! `AWS_PROFILE` play no part in it: a named profile is that profile.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use aws_config::Region;
use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::{ProfileFileCredentialsProvider, ProfileFileRegionProvider};
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::credentials::{CachedAwsCredentials, STS_FALLBACK_REGION, sts_http_client};

/// The cached credential source of every profile named so far, by name.
///
/// # Guarantees
/// [`Profiles::source`] gives the same source for the same name, so the buckets naming one
/// profile share one cache: one STS `AssumeRole` per session for all of them, not one per
/// bucket.
#[derive(Debug, Default)]
pub(crate) struct Profiles {
    sources: Mutex<HashMap<String, Arc<CachedAwsCredentials>>>,
}

impl Profiles {
    /// The source of profile `name`, made on first use. Making it reads nothing: a profile
    /// that does not exist is its error when asked for credentials.
    pub(crate) fn source(&self, name: &str) -> Arc<CachedAwsCredentials> {
        // A panic while the map was locked leaves it whole: a lookup or an insert.
        let mut sources = self.sources.lock().unwrap_or_else(PoisonError::into_inner);
        sources
            .entry(name.to_string())
            .or_insert_with(|| {
                Arc::new(CachedAwsCredentials::of_profile(
                    name,
                    ProfileProvider {
                        name: name.to_string(),
                        http: sts_http_client(),
                    },
                ))
            })
            .clone()
    }
}

/// aws-config's provider of one named profile, built afresh for every ask.
///
/// aws-config's provider keeps its first reading of the files for good, and answers a second
/// ask after a failed first one only with "initialization error already taken". Asked at most
/// once per refresh period through [`CachedAwsCredentials`], a fresh one takes up an edited or
/// rotated profile without a restart and names the same problem every time.
#[derive(Debug)]
struct ProfileProvider {
    name: String,
    /// The HTTPS client of its STS exchanges.
    http: SharedHttpClient,
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            // The region only picks the STS endpoint of an assumed role; the profile's own
            // `region` wins over the global endpoint's, as with `aws --profile NAME`.
            let region = RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
                .or_else(
                    ProfileFileRegionProvider::builder()
                        .profile_name(&self.name)
                        .build(),
                )
                .or_else(Region::from_static(STS_FALLBACK_REGION))
                .region()
                .await;
            let config = ProviderConfig::default()
                .with_http_client(self.http.clone())
                .with_region(region);
            ProfileFileCredentialsProvider::builder()
                .configure(&config)
                .profile_name(&self.name)
                .build()
                .provide_credentials()
                .await
        })
    }
}
