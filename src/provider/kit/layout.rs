//! How report paths are joined under a configuration's destination prefix, the same for every
//! provider (COS documents the `/` it appends; S3 and OSS write the same shape).

/// `rest` under `prefix`: `prefix/rest`, `prefixrest` when the prefix already ends with `/`,
/// `rest` alone without a prefix.
pub(crate) fn join_prefix(prefix: Option<&str>, rest: &str) -> String {
    match prefix.filter(|p| !p.is_empty()) {
        None => rest.to_string(),
        Some(prefix) if prefix.ends_with('/') => format!("{prefix}{rest}"),
        Some(prefix) => format!("{prefix}/{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_joined_with_exactly_the_slash_it_lacks() {
        assert_eq!(join_prefix(Some("inv"), "a/b/"), "inv/a/b/");
        assert_eq!(join_prefix(Some("inv/"), "a/b/"), "inv/a/b/");
        assert_eq!(join_prefix(Some(""), "a/b/"), "a/b/");
        assert_eq!(join_prefix(None, "a/b/"), "a/b/");
    }
}
