//! Where COS credentials come from: Tencent Cloud's standard variables (`tccli`, the SDKs), or
//! a credentials file with the same keys.

use std::path::Path;
use std::sync::Arc;

use crate::model::Provider;
use crate::provider::credentials::{CredentialSource, CredentialVars};
use crate::provider::credentials_file::env_or_file;

/// The variable names of COS access keys.
pub(crate) const VARS: CredentialVars = CredentialVars {
    provider: Provider::COS,
    id: "TENCENTCLOUD_SECRET_ID",
    secret: "TENCENTCLOUD_SECRET_KEY",
    token: "TENCENTCLOUD_SESSION_TOKEN",
};

/// The table's `credential_source`: `file` when given, else the environment.
pub(crate) fn source(file: Option<&Path>) -> Arc<dyn CredentialSource> {
    env_or_file(VARS, file)
}
