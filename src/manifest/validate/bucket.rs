//! Bucket-level rules: document header, bucket name, region and endpoint.

use crate::manifest::diagnostic::FieldError;
use crate::manifest::lines::FieldPath;
use crate::manifest::schema::{API_VERSION, KIND};
use crate::model::Provider;
use crate::provider::endpoint_policy::parse_endpoint;

use super::is_dns_label;

/// `apiVersion` and `kind` are the ones this release understands; `metadata.name` is set.
pub fn check_header(api_version: &str, kind: &str, name: &str, errors: &mut Vec<FieldError>) {
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
    if kind != KIND {
        errors.push(
            FieldError::new(root.key("kind"), format!("unsupported kind `{kind}`"))
                .hint(format!("use `kind: {KIND}`")),
        );
    }
    if name.trim().is_empty() {
        errors.push(
            FieldError::new(root.key("metadata").key("name"), "metadata.name is empty")
                .hint("name the document, e.g. after the bucket"),
        );
    }
}

/// Bucket name, region and endpoint of `spec`.
pub fn check_location(
    provider: Provider,
    bucket: &str,
    region: &str,
    endpoint: Option<&str>,
    errors: &mut Vec<FieldError>,
) {
    let spec = FieldPath::root().key("spec");
    let name_check = match provider {
        Provider::Cos => check_cos_bucket_name(bucket).map_err(|p| {
            (
                p,
                "COS bucket names are <name>-<appid>, e.g. examplebucket-1250000000",
            )
        }),
        Provider::Oss => check_oss_bucket_name(bucket).map_err(|p| {
            (
                p,
                "OSS bucket names have 3-63 lowercase letters, digits and hyphens",
            )
        }),
    };
    if let Err((problem, hint)) = name_check {
        errors.push(FieldError::new(spec.key("bucket"), format!("bucket {problem}")).hint(hint));
    }
    check_region(provider, region, &spec.key("region"), errors);
    // Only the form is checked here; whether the operator allows the host is checked against
    // the endpoint policy once the revision has loaded (`manifest::endpoints`).
    if let Some(endpoint) = endpoint
        && let Err(problem) = parse_endpoint(endpoint)
    {
        errors.push(
            FieldError::new(spec.key("endpoint"), problem.to_string())
                .hint("give http(s)://HOST[:PORT] only, such as https://cos.ap-guangzhou.myqcloud.com, or remove endpoint"),
        );
    }
}

/// `<name>-<appid>`: lowercase letters, digits and hyphens, ending in a numeric APPID.
pub fn check_cos_bucket_name(bucket: &str) -> Result<(), String> {
    let Some((name, appid)) = bucket.rsplit_once('-') else {
        return Err(format!("`{bucket}` has no -<appid> suffix"));
    };
    if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{bucket}` does not end in a numeric -<appid>"));
    }
    if !is_dns_label(name) {
        return Err(format!(
            "`{bucket}` may only use lowercase letters, digits and hyphens before the appid"
        ));
    }
    if name.len() > 50 {
        return Err(format!("`{bucket}` has a name longer than 50 characters"));
    }
    Ok(())
}

/// 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.
pub fn check_oss_bucket_name(bucket: &str) -> Result<(), String> {
    if !(3..=63).contains(&bucket.len()) {
        return Err(format!("`{bucket}` is not 3-63 characters long"));
    }
    if !is_dns_label(bucket) {
        return Err(format!(
            "`{bucket}` may only use lowercase letters, digits and hyphens, not at either end"
        ));
    }
    Ok(())
}

fn check_region(provider: Provider, region: &str, path: &FieldPath, errors: &mut Vec<FieldError>) {
    let example = match provider {
        Provider::Cos => "ap-guangzhou",
        Provider::Oss => "cn-hangzhou",
    };
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
    } else if provider == Provider::Oss
        && let Some(bare) = region.strip_prefix("oss-")
    {
        errors.push(
            FieldError::new(
                path.clone(),
                format!("region `{region}` has the `oss-` prefix"),
            )
            .hint(format!("drop the prefix: `region: {bare}`")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cos_bucket_names_need_a_numeric_appid() {
        assert!(check_cos_bucket_name("examplebucket-1250000000").is_ok());
        assert!(check_cos_bucket_name("my-logs-1250000000").is_ok());
        assert!(check_cos_bucket_name("examplebucket").is_err());
        assert!(check_cos_bucket_name("examplebucket-abc").is_err());
        assert!(check_cos_bucket_name("Example-1250000000").is_err());
        assert!(check_cos_bucket_name("-1250000000").is_err());
    }

    #[test]
    fn oss_bucket_names_are_three_to_sixty_three_lowercase_characters() {
        assert!(check_oss_bucket_name("examplebucket").is_ok());
        assert!(check_oss_bucket_name("ab").is_err());
        assert!(check_oss_bucket_name(&"a".repeat(64)).is_err());
        assert!(check_oss_bucket_name("Bucket").is_err());
        assert!(check_oss_bucket_name("bucket-").is_err());
    }

    #[test]
    fn an_oss_region_with_the_oss_prefix_gets_a_hint_to_drop_it() {
        let mut errors = Vec::new();
        check_location(
            Provider::Oss,
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
