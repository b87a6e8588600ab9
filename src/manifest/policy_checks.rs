//! Rules between the policies of one revision: names unique, and no two policies of one
//! provider owning the same ids.

use super::diagnostic::Diagnostic;
use crate::model::InventoryPolicy;

/// Adds a diagnostic for every policy whose name an earlier one took, and for every pair of
/// policies of one provider whose `idPrefix`es overlap (one starts with the other), which
/// would let both declare, and prune, the same id. Each names both files.
pub(crate) fn check_policies(policies: &[InventoryPolicy], out: &mut Vec<Diagnostic>) {
    for (i, later) in policies.iter().enumerate() {
        let diagnostic = |path: &str, message: String, hint: &str| Diagnostic {
            file: later.origin.file.clone(),
            line: later.origin.line,
            document: Some(later.origin.document),
            path: path.to_string(),
            message,
            hint: Some(hint.to_string()),
        };
        for earlier in &policies[..i] {
            if earlier.name == later.name {
                out.push(diagnostic(
                    "metadata.name",
                    format!(
                        "policy `{}` is already declared at {}",
                        later.name, earlier.origin
                    ),
                    "give each policy its own metadata.name",
                ));
            } else if earlier.provider == later.provider
                && (earlier.id_prefix.starts_with(&later.id_prefix)
                    || later.id_prefix.starts_with(&earlier.id_prefix))
            {
                out.push(diagnostic(
                    "spec.idPrefix",
                    format!(
                        "idPrefix `{}` of policy `{}` overlaps idPrefix `{}` of policy `{}` ({}), \
                         so both would own the same {} ids",
                        later.id_prefix,
                        later.name,
                        earlier.id_prefix,
                        earlier.name,
                        earlier.origin,
                        later.provider
                    ),
                    "give each policy of a provider an idPrefix that is not the start of another's",
                ));
            }
        }
    }
}
