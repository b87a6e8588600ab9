//! Field checks every provider's manifest section shares: ids, prefixes, optional fields,
//! ranges, account ids and DNS labels.
//!
//! Everything here is pure. Each check returns every problem it finds (never only the first),
//! as [`FieldError`]s with the path of the offending field and a hint for the fix.

use std::collections::BTreeMap;

use super::diagnostic::FieldError;
use super::field_path::FieldPath;

/// Most configurations a bucket can hold (COS and OSS alike).
pub(crate) const MAX_INVENTORIES: usize = 1000;
/// Longest configuration id invsync accepts (COS leaves it unspecified, OSS allows more).
pub(crate) const MAX_ID_LEN: usize = 64;
/// Longest filter or destination prefix the APIs accept.
pub(crate) const MAX_PREFIX_LEN: usize = 1023;

/// `[A-Za-z0-9._-]{1,64}`.
pub(crate) fn check_id(id: &str, path: &FieldPath, errors: &mut Vec<FieldError>) {
    let hint = "use only letters, digits, `.`, `_` and `-`, at most 64 characters";
    if id.is_empty() {
        errors.push(FieldError::new(path.clone(), "id is empty").hint(hint));
    } else if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        // Escaped, so that a control character in an id cannot reach a terminal.
        let message = format!(
            "id `{}` contains `{}`",
            id.escape_debug(),
            bad.escape_debug()
        );
        errors.push(FieldError::new(path.clone(), message).hint(hint));
    } else if id.len() > MAX_ID_LEN {
        errors.push(
            FieldError::new(
                path.clone(),
                format!("id is {} characters long, more than {MAX_ID_LEN}", id.len()),
            )
            .hint(hint),
        );
    }
}

/// Ids unique within the bucket and at most [`MAX_INVENTORIES`] of them.
///
/// `ids` holds the index in `spec.inventories` and the id of every readable configuration.
pub(crate) fn check_ids_unique(ids: &[(usize, &str)], count: usize, errors: &mut Vec<FieldError>) {
    let inventories = FieldPath::root().key("spec").key("inventories");
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, id) in ids {
        match first.get(id) {
            Some(earlier) => errors.push(
                FieldError::new(
                    inventories.index(*index).key("id"),
                    format!("id `{id}` is already used by spec.inventories[{earlier}]"),
                )
                .hint("ids must be unique within a bucket; rename one of them"),
            ),
            None => {
                first.insert(id, *index);
            }
        }
    }
    if count > MAX_INVENTORIES {
        errors.push(
            FieldError::new(
                inventories,
                format!(
                    "{count} inventory configurations, more than the limit of {MAX_INVENTORIES}"
                ),
            )
            .hint("a bucket holds at most 1000 inventory configurations"),
        );
    }
}

/// No field listed twice in `optionalFields`; every field known to the provider.
pub(crate) fn check_optional_fields(
    fields: &[String],
    path: &FieldPath,
    is_known: impl Fn(&str) -> bool,
    known: &[&str],
    errors: &mut Vec<FieldError>,
) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, field) in fields.iter().enumerate() {
        if !is_known(field) {
            let hint = super::diagnostic::did_you_mean(field, known.iter().copied())
                .unwrap_or_else(|| format!("allowed fields: {}", known.join(", ")));
            errors.push(
                FieldError::new(path.index(i), format!("unknown optional field `{field}`"))
                    .hint(hint),
            );
        }
        if let Some(earlier) = seen.insert(field, i) {
            errors.push(
                FieldError::new(
                    path.index(i),
                    format!("`{field}` is listed twice (also at index {earlier})"),
                )
                .hint("list each optional field once"),
            );
        }
    }
}

/// A prefix within the API's length limit.
pub(crate) fn check_prefix_len(prefix: &str, path: &FieldPath, errors: &mut Vec<FieldError>) {
    let len = prefix.chars().count();
    if len > MAX_PREFIX_LEN {
        errors.push(FieldError::new(
            path.clone(),
            format!("prefix is {len} characters long, more than {MAX_PREFIX_LEN}"),
        ));
    }
}

/// `start <= end` when both are given.
pub(crate) fn check_order<T: PartialOrd + std::fmt::Display>(
    start: Option<T>,
    end: Option<T>,
    path: &FieldPath,
    names: (&str, &str),
    errors: &mut Vec<FieldError>,
) {
    if let (Some(start), Some(end)) = (start, end)
        && start > end
    {
        errors.push(
            FieldError::new(
                path.clone(),
                format!("{} {start} is after {} {end}", names.0, names.1),
            )
            .hint(format!("{} must not be greater than {}", names.0, names.1)),
        );
    }
}

/// Digits only, non-empty (a Tencent UIN or an Alibaba Cloud UID).
pub(crate) fn is_account_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Lowercase letters, digits and hyphens, not starting or ending with a hyphen.
pub(crate) fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(f: impl FnOnce(&mut Vec<FieldError>)) -> Vec<String> {
        let mut errors = Vec::new();
        f(&mut errors);
        errors
            .into_iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect()
    }

    #[test]
    fn ids_with_other_characters_are_rejected() {
        let path = FieldPath::root().key("id");
        assert!(errors_of(|e| check_id("list-1.a_b", &path, e)).is_empty());
        assert_eq!(
            errors_of(|e| check_id("list 1", &path, e)),
            ["id: id `list 1` contains ` `"]
        );
        assert_eq!(errors_of(|e| check_id("", &path, e)).len(), 1);
        assert_eq!(errors_of(|e| check_id(&"a".repeat(65), &path, e)).len(), 1);
    }

    #[test]
    fn a_duplicate_id_names_both_indices() {
        let got = errors_of(|e| check_ids_unique(&[(0, "a"), (1, "b"), (2, "a")], 3, e));
        assert_eq!(
            got,
            ["spec.inventories[2].id: id `a` is already used by spec.inventories[0]"]
        );
    }

    #[test]
    fn more_than_a_thousand_inventories_are_rejected() {
        assert_eq!(errors_of(|e| check_ids_unique(&[], 1001, e)).len(), 1);
        assert!(errors_of(|e| check_ids_unique(&[], 1000, e)).is_empty());
    }

    #[test]
    fn a_start_after_its_end_is_rejected() {
        let path = FieldPath::root();
        assert_eq!(
            errors_of(|e| check_order(Some(2), Some(1), &path, ("a", "b"), e)).len(),
            1
        );
        assert!(errors_of(|e| check_order(Some(1), Some(1), &path, ("a", "b"), e)).is_empty());
        assert!(errors_of(|e| check_order(None, Some(1), &path, ("a", "b"), e)).is_empty());
    }
}
