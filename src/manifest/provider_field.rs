//! `spec.provider`: read against the provider table, with a hint listing every provider.

use serde_json::{Map, Value};

use super::diagnostic::FieldError;
use super::lines::FieldPath;
use crate::model::Provider;
use crate::provider::registry;

/// The provider `spec.provider` names; a missing or unknown one is an error with a hint.
pub(crate) fn read_provider(
    map: &Map<String, Value>,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> Option<Provider> {
    let provider_path = path.key("provider");
    let hint = provider_hint();
    match map.get("provider") {
        None => {
            errors.push(
                FieldError::new(provider_path, "missing required field `provider`").hint(hint),
            );
            None
        }
        Some(Value::String(s)) if Provider::from_name(s).is_some() => Provider::from_name(s),
        Some(other) => {
            let shown = other
                .as_str()
                .map_or_else(|| other.to_string(), str::to_string);
            let names: Vec<String> = Provider::ALL
                .iter()
                .map(|p| format!("`{}`", registry::spec(*p).name))
                .collect();
            errors.push(
                FieldError::new(
                    provider_path,
                    format!("`{shown}` is not one of {}", names.join(", ")),
                )
                .hint(hint),
            );
            None
        }
    }
}

/// `set `provider: cos` (Tencent Cloud) or `provider: oss` (Alibaba Cloud)`, from the table.
fn provider_hint() -> String {
    let choices: Vec<String> = Provider::ALL
        .iter()
        .map(|p| {
            let entry = registry::spec(*p);
            format!("`provider: {}` ({})", entry.name, entry.vendor)
        })
        .collect();
    let listed = match choices.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    format!("set {listed}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_hint_lists_every_registered_provider() {
        let hint = provider_hint();
        for provider in Provider::ALL {
            let entry = registry::spec(provider);
            assert!(hint.contains(&format!("`provider: {}` ({})", entry.name, entry.vendor)));
        }
    }
}
