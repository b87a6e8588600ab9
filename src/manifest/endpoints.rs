//! The operator's endpoint policy applied to a loaded revision: every `spec.endpoint` it
//! refuses becomes a diagnostic, so `validate` reports it offline and `plan`, `apply` and the
//! daemon reject the revision before any request.

use super::diagnostic::{Diagnostic, ManifestErrors};
use crate::model::DesiredState;
use crate::provider::endpoint_policy::EndpointPolicy;
use crate::provider::registry;

/// Checks every bucket's `spec.endpoint` against `policy`.
///
/// # Errors
/// One diagnostic per refused endpoint, naming the file, document, field and the flag that
/// allows it; never showing more of the endpoint than `scheme://host[:port]`.
pub fn check_endpoints(
    desired: &DesiredState,
    policy: &EndpointPolicy,
) -> Result<(), ManifestErrors> {
    let mut diagnostics: Vec<Diagnostic> = desired
        .buckets
        .values()
        .filter_map(|bucket| {
            let endpoint = bucket.endpoint.as_ref()?;
            let provider = bucket.key.provider;
            let own_domains = registry::spec(provider).default_endpoint_patterns;
            let refused = policy.check(provider, own_domains, endpoint).err()?;
            Some(Diagnostic {
                file: bucket.origin.file.clone(),
                // The loader keeps no line for the endpoint itself; the path names it.
                line: None,
                document: Some(bucket.origin.document),
                path: "spec.endpoint".to_string(),
                message: refused.to_string(),
                hint: Some(refused.hint()),
            })
        })
        .collect();
    if diagnostics.is_empty() {
        return Ok(());
    }
    diagnostics.sort();
    Err(ManifestErrors {
        diagnostics,
        transient: false,
    })
}
