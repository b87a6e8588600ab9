//! The YAML parser's safety limits, told to the user as limits with a fix rather than in the
//! parser's internal wording (`budget breached: Documents { documents: 1025 }`).
//!
//! The limits are serde-saphyr's default budget, which protects against documents crafted to
//! exhaust memory or CPU (alias bombs, separator storms, deep nesting). Real manifests stay far
//! below every one of them; the numbers shown come from the budget itself, so they cannot drift
//! from what is enforced.
//!
//! # Stack
//! Reading a file recurses once per nesting level, and the depth limit (64) is what bounds the
//! stack: the parser stops at level 65 before going deeper. Mappings cost the most, about
//! 40 KiB per level in a debug build (measured), so up to 2.7 MiB at the limit: more than a
//! default thread's 2 MiB, so files are always parsed on threads of their own with a stack
//! several times that (`load::PARSE_THREAD_STACK`), whichever thread loads the directory.

use serde_saphyr::Budget;
use serde_saphyr::budget::BudgetBreach;

/// A limit a file went beyond, as the user should read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// What is over which limit, e.g. `has more than 1024 YAML documents (the limit per file)`.
    pub message: String,
    /// How to stay within the limit, e.g. `split it into several manifest files`.
    pub hint: String,
}

/// The fix for a file that is simply too big.
const SPLIT: &str = "split it into several manifest files";

/// The limit `error` reports, or `None` when it is not about a limit.
pub fn describe(error: &serde_saphyr::Error) -> Option<Limit> {
    let mut error = error;
    while let serde_saphyr::Error::WithSnippet { error: inner, .. }
    | serde_saphyr::Error::AliasError { error: inner, .. } = error
    {
        error = inner;
    }
    let budget = Budget::default();
    // The scanner caps flow nesting (`[[[[…`) on its own and, looking ahead, can trip before
    // the depth budget sees the level past its limit: to the user it is the same limit.
    if let serde_saphyr::Error::ExternalMessage { msg, .. } = error
        && msg == "recursion limit exceeded"
    {
        return Some(breach_limit(
            &BudgetBreach::Depth {
                depth: budget.max_depth + 1,
            },
            &budget,
        ));
    }
    let serde_saphyr::Error::Budget { breach, .. } = error else {
        return None;
    };
    Some(breach_limit(breach, &budget))
}

fn breach_limit(breach: &BudgetBreach, budget: &Budget) -> Limit {
    let limit = |message: String, hint: &str| Limit {
        message,
        hint: hint.to_string(),
    };
    match breach {
        BudgetBreach::Documents { .. } => limit(
            format!(
                "has more than {} YAML documents, the limit per file",
                budget.max_documents
            ),
            &format!(
                "split it into several manifest files of at most {} documents each",
                budget.max_documents
            ),
        ),
        BudgetBreach::Nodes { .. } => limit(
            format!(
                "has more than {} YAML nodes (mappings, sequences and scalars), the limit per file",
                budget.max_nodes
            ),
            SPLIT,
        ),
        BudgetBreach::Events { .. } => limit(
            format!(
                "has more than {} YAML parser events, the limit per file",
                budget.max_events
            ),
            SPLIT,
        ),
        BudgetBreach::Depth { .. } => limit(
            format!(
                "nests mappings and sequences more than {} levels deep, the limit",
                budget.max_depth
            ),
            "a manifest needs only a few levels; check the indentation and the brackets",
        ),
        BudgetBreach::ScalarBytes { .. } => limit(
            format!(
                "holds more than {} bytes of scalar text, the limit per file",
                budget.max_total_scalar_bytes
            ),
            SPLIT,
        ),
        BudgetBreach::Aliases { .. } => limit(
            format!(
                "uses more than {} aliases (`*name`), the limit per file",
                budget.max_aliases
            ),
            "write the repeated values out, or split it into several manifest files",
        ),
        BudgetBreach::Anchors { .. } => limit(
            format!(
                "defines more than {} anchors (`&name`), the limit per file",
                budget.max_anchors
            ),
            "write the repeated values out, or split it into several manifest files",
        ),
        BudgetBreach::MergeKeys { .. } => limit(
            format!(
                "uses more than {} merge keys (`<<`), the limit per file",
                budget.max_merge_keys
            ),
            "write the merged values out, or split it into several manifest files",
        ),
        BudgetBreach::AliasAnchorRatio { aliases, anchors } => limit(
            format!(
                "uses {aliases} aliases for {anchors} anchor(s); more than {} aliases per anchor \
                 (from {} aliases on) is refused as a possible alias bomb",
                budget.alias_anchor_ratio_multiplier, budget.alias_anchor_min_aliases
            ),
            "write the repeated values out, or split it into several manifest files",
        ),
        BudgetBreach::RecordedAnchorEvents { .. } | BudgetBreach::RecordedAnchorBytes { .. } => {
            limit(
                format!(
                    "replays more anchored content through aliases than the limit per file \
                     ({} events, {} bytes)",
                    budget.max_recorded_anchor_events, budget.max_recorded_anchor_bytes
                ),
                "alias small values only, or write the repeated blocks out",
            )
        }
        BudgetBreach::InputBytes { .. } => limit(
            "is larger than the YAML parser's input limit".to_string(),
            SPLIT,
        ),
        BudgetBreach::SequenceUnbalanced => limit(
            "is malformed: a collection ends that never started".to_string(),
            "fix the YAML syntax; no document of this file was read",
        ),
        // Includes and property interpolation are not enabled for manifests; a breach added in
        // a later parser version still gets a plain sentence.
        _ => limit(
            "goes beyond one of the YAML parser's safety limits".to_string(),
            SPLIT,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Limits that a file within the 16 MiB size cap cannot reach before another limit (the
    /// node count) trips: their messages are checked here, the reachable ones in
    /// `tests/integration/manifest_hostile.rs`.
    #[test]
    fn limits_a_file_cannot_reach_first_still_read_as_limits_with_a_fix() {
        let budget = Budget::default();
        let cases = [
            (
                BudgetBreach::Events { events: 1 },
                "has more than 1000000 YAML parser events, the limit per file",
            ),
            (
                BudgetBreach::ScalarBytes {
                    total_scalar_bytes: 1,
                },
                "holds more than 67108864 bytes of scalar text, the limit per file",
            ),
            (
                BudgetBreach::RecordedAnchorEvents {
                    recorded_anchor_events: 1,
                },
                "replays more anchored content through aliases than the limit per file \
                 (1000000 events, 67108864 bytes)",
            ),
        ];
        for (breach, message) in cases {
            let limit = breach_limit(&breach, &budget);
            assert_eq!(limit.message, message);
            assert!(!limit.hint.is_empty());
        }
    }
}
