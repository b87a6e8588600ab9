//! Where OSS credentials come from: Alibaba Cloud's standard variables (`aliyun` CLI, the
//! SDKs), or a credentials file with the same keys.

use std::path::Path;
use std::sync::Arc;

use crate::model::Provider;
use crate::provider::credentials::{CredentialSource, CredentialVars};
use crate::provider::credentials_file::env_or_file;

/// The variable names of OSS access keys.
pub(crate) const VARS: CredentialVars = CredentialVars {
    provider: Provider::OSS,
    id: "ALIBABA_CLOUD_ACCESS_KEY_ID",
    secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    token: "ALIBABA_CLOUD_SECURITY_TOKEN",
};

/// The table's `credential_source`: `file` when given, else the environment.
pub(crate) fn source(file: Option<&Path>) -> Arc<dyn CredentialSource> {
    env_or_file(VARS, file)
}
