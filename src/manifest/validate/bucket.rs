//! Bucket-level rules: document header, bucket name, region and endpoint.

use crate::manifest::diagnostic::FieldError;
use crate::manifest::lines::FieldPath;
use crate::manifest::schema::{API_VERSION, KIND, POLICY_KIND};
use crate::model::Endpoint;
use crate::model::Provider;
use crate::provider::registry;

use super::is_dns_label;

/// `apiVersion` and `kind` are ones this release understands; `metadata.name` is set.
pub(crate) fn check_header(
    api_version: &str,
    kind: &str,
    name: &str,
    errors: &mut Vec<FieldError>,
) {
    let root = FieldPath::root();
    if api_version != API_VERSION {
        errors.push(
            FieldError::new(
                root.key("apiVersion"),
                format!("unsupported apiVersion `{api_version}`"),
            )
            .hint(format!("use `apiVersion: {API_VERSION}`")),
        );
    }
    if kind != KIND && kind != POLICY_KIND {
        errors.push(
            FieldError::new(root.key("kind"), format!("unsupported kind `{kind}`")).hint(format!(
                "use `kind: {KIND}` (one bucket) or `kind: {POLICY_KIND}` (every bucket a selector matches)"
            )),
        );
    }
    if name.trim().is_empty() {
        errors.push(
            FieldError::new(root.key("metadata").key("name"), "metadata.name is empty")
                .hint("name the document, e.g. after the bucket"),
        );
    }
}

/// Bucket name, region and endpoint of `spec`, by the rules of `provider`'s table entry.
/// Returns the endpoint, read once here, when it is given and of a usable form.
pub(crate) fn check_location(
    provider: Provider,
    bucket: &str,
    region: &str,
    endpoint: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<Endpoint> {
    let spec = FieldPath::root().key("spec");
    let entry = registry::spec(provider);
    if let Err(problem) = (entry.check_bucket_name)(bucket) {
        errors.push(
            FieldError::new(spec.key("bucket"), format!("bucket {problem}"))
                .hint(entry.bucket_name_hint),
        );
    }
    check_region(provider, region, &spec.key("region"), errors);
    // Only the form is checked here; whether the operator allows the host is checked against
    // the endpoint policy once the revision has loaded (`manifest::endpoints`).
    match Endpoint::parse(endpoint?) {
        Ok(endpoint) => Some(endpoint),
        Err(problem) => {
            errors.push(
                FieldError::new(spec.key("endpoint"), problem.to_string())
                    .hint("give http(s)://HOST[:PORT] only, such as https://cos.ap-guangzhou.myqcloud.com, or remove endpoint"),
            );
            None
        }
    }
}

pub(crate) fn check_region(
    provider: Provider,
    region: &str,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) {
    let entry = registry::spec(provider);
    let example = entry.region_example;
    if region.is_empty() {
        errors.push(
            FieldError::new(path.clone(), "region is empty").hint(format!("e.g. `{example}`")),
        );
    } else if !is_dns_label(region) {
        errors.push(
            FieldError::new(
                path.clone(),
                format!("region `{region}` is not a region id"),
            )
            .hint(format!("region ids are lowercase, e.g. `{example}`")),
        );
    } else if let Err((problem, hint)) = (entry.check_region)(region) {
        errors.push(FieldError::new(path.clone(), problem).hint(hint));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oss_region_with_the_oss_prefix_gets_a_hint_to_drop_it() {
        let mut errors = Vec::new();
        let _ = check_location(
            Provider::OSS,
            "examplebucket",
            "oss-cn-hangzhou",
            None,
            &mut errors,
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("drop the prefix: `region: cn-hangzhou`")
        );
    }
}
