//! The template set of fleet policies: `${bucket}`, `${region}` and `${provider}` in string
//! values, `$${` for a literal `${`, and nothing else.
//!
//! Deliberately not a language: no expressions, no defaults, no functions, no keys, so that what
//! a policy writes on a bucket reads off the manifest.

use serde_json::{Map, Value};

use super::diagnostic::FieldError;
use super::lines::FieldPath;
use crate::model::Provider;

/// The names a policy may use, as `${name}`.
pub const VARIABLES: [&str; 3] = ["bucket", "region", "provider"];

/// A bucket name valid for every provider, standing for `${bucket}` when items are checked at
/// load time (before any bucket is known).
pub(crate) const PLACEHOLDER_BUCKET: &str = "examplebucket-1250000000";

/// The values of the template variables for one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateValues<'a> {
    /// `${bucket}`: the bucket's name as the provider spells it.
    pub bucket: &'a str,
    /// `${region}`: the bucket's region id.
    pub region: &'a str,
    /// `${provider}`: the provider's manifest name (`cos`, `oss`, `s3`).
    pub provider: Provider,
}

impl TemplateValues<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        match name {
            "bucket" => Some(self.bucket),
            "region" => Some(self.region),
            "provider" => Some(self.provider.as_str()),
            _ => None,
        }
    }
}

/// `item` with every `${…}` of its string values replaced by `values`, mapping keys and
/// non-string values untouched.
///
/// # Errors
/// Every string value (named by its path below `path`) holding an unknown `${name}` or a `${`
/// without its `}`.
pub fn render(
    item: &Value,
    values: &TemplateValues<'_>,
    path: &FieldPath,
) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let rendered = render_value(item, values, path, &mut errors);
    if errors.is_empty() {
        Ok(rendered)
    } else {
        Err(errors)
    }
}

fn render_value(
    value: &Value,
    values: &TemplateValues<'_>,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> Value {
    match value {
        Value::String(text) => match render_str(text, values) {
            Ok(rendered) => Value::String(rendered),
            Err(problem) => {
                errors.push(FieldError::new(path.clone(), problem).hint(format!(
                    "the template set is {}; write `$${{` for a literal `${{`",
                    VARIABLES.map(|v| format!("`${{{v}}}`")).join(", ")
                )));
                value.clone()
            }
        },
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| render_value(item, values, &path.index(i), errors))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    let rendered = render_value(item, values, &path.key(key.clone()), errors);
                    (key.clone(), rendered)
                })
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// One string with its variables replaced.
///
/// # Errors
/// The problem, quoting the offending placeholder.
pub(crate) fn render_str(text: &str, values: &TemplateValues<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(escaped) = after.strip_prefix("${") {
            out.push_str("${");
            rest = escaped;
        } else if let Some(open) = after.strip_prefix('{') {
            let Some(end) = open.find('}') else {
                return Err(format!(
                    "`${{` without a closing `}}` in `{}`",
                    text.escape_debug()
                ));
            };
            let name = &open[..end];
            let Some(value) = values.get(name) else {
                return Err(format!(
                    "unknown template variable `${{{}}}`",
                    name.escape_debug()
                ));
            };
            out.push_str(value);
            rest = &open[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const VALUES: TemplateValues<'static> = TemplateValues {
        bucket: "logs-a",
        region: "us-east-1",
        provider: Provider::S3,
    };

    #[test]
    fn every_variable_is_replaced_in_string_values_only() {
        let item = json!({
            "id": "fleet-daily",
            "destination": {"bucket": "arn:aws:s3:::inventory-${region}", "prefix": "${bucket}/${provider}/"},
            "optionalFields": ["Size"],
            "enabled": true,
            "${bucket}": "key untouched",
        });
        let rendered = render(&item, &VALUES, &FieldPath::root()).unwrap();
        assert_eq!(
            rendered["destination"]["bucket"],
            "arn:aws:s3:::inventory-us-east-1"
        );
        assert_eq!(rendered["destination"]["prefix"], "logs-a/s3/");
        assert_eq!(rendered["enabled"], true);
        assert_eq!(rendered["${bucket}"], "key untouched");
    }

    #[test]
    fn a_doubled_dollar_escapes_and_a_lone_dollar_stays() {
        assert_eq!(render_str("$${bucket}", &VALUES).unwrap(), "${bucket}");
        assert_eq!(render_str("a$b$", &VALUES).unwrap(), "a$b$");
        // Read left to right: a lone `$`, then the escape.
        assert_eq!(render_str("$$${region}", &VALUES).unwrap(), "$${region}");
    }

    #[test]
    fn an_unknown_or_unclosed_variable_is_an_error_naming_the_field() {
        let item = json!({"destination": {"prefix": "${account}/", "bucket": "x-${region"}});
        let errors = render(&item, &VALUES, &FieldPath::root().key("spec")).unwrap_err();
        assert_eq!(errors.len(), 2);
        let messages: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect();
        assert!(
            messages.iter().any(|m| m.contains("destination.prefix")
                && m.contains("unknown template variable `${account}`")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("destination.bucket") && m.contains("without a closing")),
            "{messages:?}"
        );
        assert!(errors[0].hint.as_deref().unwrap().contains("`${bucket}`"));
    }
}
