//! Reads a JSON bucket policy and decides whether it lets one writer put objects, the way the
//! S3-family evaluators do: an explicit deny wins, then any allow, else nothing is granted.
//!
//! Provider-neutral: the provider folder says who the writer is (a principal test), the action
//! and resource names, and the condition keys it knows the values of. What cannot be decided
//! (an unknown condition key or operator, a `NotPrincipal`/`NotAction`/`NotResource`) is
//! [`Verdict::Unknown`], never taken for a grant.

use serde_json::Value;

/// The largest policy text parsed; larger is refused unparsed.
pub(crate) const MAX_POLICY_BYTES: usize = 80 * 1024;

/// One write to decide.
pub(crate) struct PolicyRequest<'a> {
    /// True when a statement's `Principal` value names the writer.
    pub(crate) principal: &'a dyn Fn(&Value) -> bool,
    /// The action, e.g. `s3:PutObject`; matched case-insensitively with `*` and `?`.
    pub(crate) action: &'a str,
    /// The resources written; each must be allowed, and none denied.
    pub(crate) resources: &'a [String],
    /// The condition keys the request carries (lowercase) with their value, `None` when the
    /// value exists but is not known to invsync. A key not listed is unknown.
    pub(crate) context: &'a [(&'a str, Option<String>)],
}

/// What a policy says of one [`PolicyRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Every resource is allowed and none denied.
    Allowed,
    /// A statement denies the write: its `Sid` (or its position).
    Denied(String),
    /// No statement allows it (for at least one resource).
    NotGranted,
    /// The policy cannot be decided: why.
    Unknown(String),
}

/// Parses `text` as a policy document (an object with `Statement`), refusing it over
/// [`MAX_POLICY_BYTES`]. `serde_json` bounds its own recursion.
///
/// # Errors
/// The reason, in a sentence, when the text is too large, not JSON, or not a policy.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(format!(
            "the bucket policy is over {MAX_POLICY_BYTES} bytes"
        ));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the bucket policy is not JSON: {e}"))?;
    match field(&value, "Statement") {
        Some(Value::Array(_) | Value::Object(_)) => Ok(value),
        _ => Err("the bucket policy has no Statement".to_string()),
    }
}

/// The statements of a policy (`Statement` as an object or a list).
pub(crate) fn statements(policy: &Value) -> Vec<&Value> {
    match field(policy, "Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// The value of `name` in an object, matched without regard to case.
pub(crate) fn field<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A string or a list of strings, as a list; anything else is empty.
pub(crate) fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// True when `pattern` (`*` any run, `?` one character) matches all of `text`.
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether one statement applies to one resource of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Applies {
    Yes,
    No,
    Unknown(String),
}

/// Decides `request` under `policy` (see the module documentation).
pub(crate) fn evaluate(policy: &Value, request: &PolicyRequest<'_>) -> Verdict {
    let statements = statements(policy);
    let mut unknown: Option<String> = None;
    for resource in request.resources {
        let mut allowed = false;
        for (index, statement) in statements.iter().enumerate() {
            let deny = effect(statement) == "deny";
            match applies(statement, request, resource) {
                Applies::Yes if deny => return Verdict::Denied(sid(statement, index)),
                Applies::Yes => allowed = true,
                Applies::No => {}
                Applies::Unknown(why) => {
                    unknown.get_or_insert(format!("statement {}: {why}", sid(statement, index)));
                }
            }
        }
        if !allowed {
            return match unknown {
                Some(why) => Verdict::Unknown(why),
                None => Verdict::NotGranted,
            };
        }
    }
    match unknown {
        // An allow was found, but a statement that might deny could not be decided.
        Some(why) => Verdict::Unknown(why),
        None => Verdict::Allowed,
    }
}

fn sid(statement: &Value, index: usize) -> String {
    field(statement, "Sid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map_or_else(|| format!("#{}", index + 1), |s| format!("`{s}`"))
}

/// The statement's effect, lower-cased (`allow`, `deny`).
pub(crate) fn effect(statement: &Value) -> String {
    field(statement, "Effect")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn applies(statement: &Value, request: &PolicyRequest<'_>, resource: &str) -> Applies {
    for negated in ["NotPrincipal", "NotAction", "NotResource"] {
        if field(statement, negated).is_some() {
            return Applies::Unknown(format!("{negated} is not evaluated"));
        }
    }
    if !field(statement, "Principal").is_some_and(|p| (request.principal)(p)) {
        return Applies::No;
    }
    let actions = strings(field(statement, "Action"));
    let action = request.action.to_ascii_lowercase();
    if !actions
        .iter()
        .any(|a| wildcard(&a.to_ascii_lowercase(), &action))
    {
        return Applies::No;
    }
    if !strings(field(statement, "Resource"))
        .iter()
        .any(|r| wildcard(r, resource))
    {
        return Applies::No;
    }
    match field(statement, "Condition") {
        None => Applies::Yes,
        Some(condition) => conditions(condition, request.context),
    }
}

/// Every operator block of a `Condition` must hold.
fn conditions(condition: &Value, context: &[(&str, Option<String>)]) -> Applies {
    let Some(blocks) = condition.as_object() else {
        return Applies::Unknown("its Condition is not an object".to_string());
    };
    for (operator, keys) in blocks {
        let Some(keys) = keys.as_object() else {
            return Applies::Unknown(format!("condition {operator} is not an object"));
        };
        for (key, values) in keys {
            let wanted = strings(Some(values));
            let lower = key.to_ascii_lowercase();
            let Some((_, known)) = context.iter().find(|(k, _)| *k == lower) else {
                return Applies::Unknown(format!("condition key {key} is not evaluated"));
            };
            let Some(actual) = known else {
                return Applies::Unknown(format!("the value of {key} is not known to invsync"));
            };
            match holds(operator, &wanted, actual) {
                Some(true) => {}
                Some(false) => return Applies::No,
                None => {
                    return Applies::Unknown(format!(
                        "condition operator {operator} is not evaluated"
                    ));
                }
            }
        }
    }
    Applies::Yes
}

/// Whether `operator` holds between the policy's `wanted` values and the request's `actual`
/// one; `None` for an operator not evaluated. Set prefixes and `IfExists` change nothing for
/// a single-valued key that is present.
fn holds(operator: &str, wanted: &[&str], actual: &str) -> Option<bool> {
    let op = operator.to_ascii_lowercase();
    let op = op
        .strip_prefix("forallvalues:")
        .or_else(|| op.strip_prefix("foranyvalue:"))
        .unwrap_or(&op);
    let op = op.strip_suffix("ifexists").unwrap_or(op);
    let any = |test: &dyn Fn(&str) -> bool| wanted.iter().any(|w| test(w));
    Some(match op {
        "stringequals" | "arnequals" => any(&|w| w == actual),
        "stringnotequals" | "arnnotequals" => !any(&|w| w == actual),
        "stringequalsignorecase" => any(&|w| w.eq_ignore_ascii_case(actual)),
        "stringnotequalsignorecase" => !any(&|w| w.eq_ignore_ascii_case(actual)),
        "stringlike" | "arnlike" => any(&|w| wildcard(w, actual)),
        "stringnotlike" | "arnnotlike" => !any(&|w| wildcard(w, actual)),
        "bool" => any(&|w| w.eq_ignore_ascii_case(actual)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(p: &Value) -> bool {
        strings(field(p, "Service")).contains(&"svc")
    }

    fn decide(policy: &str, account: Option<&str>) -> Verdict {
        let context = [
            ("aws:sourceaccount", account.map(str::to_string)),
            ("aws:sourcearn", Some("arn:src".to_string())),
        ];
        let resources = ["dest/inv/a".to_string(), "dest/inv/b".to_string()];
        let request = PolicyRequest {
            principal: &service,
            action: "s3:PutObject",
            resources: &resources,
            context: &context,
        };
        evaluate(&parse(policy).unwrap(), &request)
    }

    const ALLOW: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"svc"},
        "Action":"s3:PutObject","Resource":"dest/inv/*",
        "Condition":{"StringEquals":{"aws:SourceAccount":"1"},"ArnLike":{"aws:SourceArn":"arn:src"}}}]}"#;

    #[test]
    fn a_matching_allow_with_holding_conditions_allows() {
        assert_eq!(decide(ALLOW, Some("1")), Verdict::Allowed);
    }

    #[test]
    fn a_condition_that_fails_grants_nothing_and_one_that_cannot_be_told_is_unknown() {
        assert_eq!(decide(ALLOW, Some("2")), Verdict::NotGranted);
        assert!(matches!(decide(ALLOW, None), Verdict::Unknown(_)));
    }

    #[test]
    fn a_deny_wins_over_an_allow() {
        let policy = r#"{"Statement":[
            {"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
            {"Sid":"no","Effect":"Deny","Principal":"*","Action":"s3:Put*","Resource":"dest/inv/b"}]}"#;
        let everyone = |p: &Value| p.as_str() == Some("*");
        let resources = ["dest/inv/a".to_string(), "dest/inv/b".to_string()];
        let request = PolicyRequest {
            principal: &everyone,
            action: "s3:PutObject",
            resources: &resources,
            context: &[],
        };
        assert_eq!(
            evaluate(&parse(policy).unwrap(), &request),
            Verdict::Denied("`no`".into())
        );
    }

    #[test]
    fn a_policy_that_is_not_json_or_has_no_statement_is_refused() {
        assert!(parse("{").is_err());
        assert!(parse(r#"{"Version":"1"}"#).is_err());
        assert!(parse(&" ".repeat(MAX_POLICY_BYTES + 1)).is_err());
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(wildcard("a*c", "abbbc"));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("a?c", "abbc"));
        assert!(wildcard("*", ""));
    }
}
