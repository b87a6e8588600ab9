//! One notification as the JSON body each webhook format expects. Pure.

use serde_json::{Value, json};

use super::config::{EventKind, Format};
use super::event::Notification;

/// Messages of a rejected revision shown in chat formats; the JSON format carries them all.
const SHOWN_MESSAGES: usize = 10;

/// The body for `format`. `timestamp` is the Unix time of sending.
pub fn render(format: Format, notification: &Notification, timestamp: u64) -> Value {
    match format {
        Format::Json => generic(notification, timestamp),
        Format::Slack => json!({
            "text": title(notification),
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": format!("*{}*", title(notification))}},
                {"type": "section", "text": {"type": "mrkdwn", "text": details(notification)}},
            ],
        }),
        Format::Teams => json!({
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": title(notification),
            "themeColor": color(notification.kind),
            "title": title(notification),
            "text": details(notification).replace('\n', "\n\n"),
        }),
        Format::GoogleChat => json!({
            "text": format!("*{}*\n{}", title(notification), details(notification)),
        }),
    }
}

/// invsync's own format: every field, machine-readable.
fn generic(n: &Notification, timestamp: u64) -> Value {
    let fields: Vec<Value> = n
        .fields
        .iter()
        .map(|f| json!({"path": f.path, "live": f.live, "desired": f.desired}))
        .collect();
    json!({
        "source": "invsync",
        "event": n.kind.as_str(),
        "timestamp": timestamp,
        "revision": n.revision,
        "provider": n.bucket.as_ref().map(|k| k.provider.as_str()),
        "bucket": n.bucket.as_ref().map(|k| k.bucket.as_str()),
        "region": n.bucket.as_ref().map(|k| k.region.as_str()),
        "id": n.id,
        "detail": n.detail,
        "fields": fields,
        "messages": n.messages,
        "summary": title(n),
    })
}

/// One line saying what happened.
pub fn title(n: &Notification) -> String {
    let bucket = n
        .bucket
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let id = n.id.as_deref().unwrap_or("");
    let detail = n.detail.as_deref().unwrap_or("");
    match n.kind {
        EventKind::Drift => format!("invsync: drift on {bucket}: `{id}` {detail}"),
        EventKind::Corrected => format!("invsync: corrected {bucket}: `{id}` ({detail})"),
        EventKind::Failed => format!("invsync: reconcile of {bucket} failed"),
        EventKind::Blocked => format!("invsync: {bucket} blocked, nothing written"),
        EventKind::Delivery if detail == "delivered" => {
            format!("invsync: reports of {bucket}: `{id}` delivered again")
        }
        EventKind::Delivery => {
            format!(
                "invsync: reports of {bucket}: `{id}` {}",
                detail.replace('_', " ")
            )
        }
        EventKind::Rejected => format!(
            "invsync: manifests revision {} rejected ({} problems)",
            n.revision,
            n.messages.len()
        ),
    }
}

/// The field diff or the messages, as Markdown-ish text all three chat tools render.
fn details(n: &Notification) -> String {
    let mut lines: Vec<String> = n.fields.iter().map(|f| format!("`{f}`")).collect();
    lines.extend(
        n.messages
            .iter()
            .take(SHOWN_MESSAGES)
            .map(|m| format!("• {m}")),
    );
    if n.messages.len() > SHOWN_MESSAGES {
        lines.push(format!("… and {} more", n.messages.len() - SHOWN_MESSAGES));
    }
    lines.push(format!("revision `{}`", n.revision));
    lines.join("\n")
}

fn color(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Corrected => "2EB67D",
        EventKind::Drift => "ECB22E",
        EventKind::Delivery => "E8912D",
        EventKind::Failed | EventKind::Blocked | EventKind::Rejected => "E01E5A",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BucketKey, Provider};
    use crate::reconcile::drift::FieldChange;

    fn drift() -> Notification {
        Notification {
            kind: EventKind::Drift,
            revision: "abc123".into(),
            bucket: Some(BucketKey {
                provider: Provider::OSS,
                bucket: "logs".into(),
                region: "cn-hangzhou".into(),
            }),
            id: Some("list1".into()),
            detail: Some("changed".into()),
            fields: vec![FieldChange {
                path: "enabled".into(),
                live: Some("false".into()),
                desired: Some("true".into()),
            }],
            messages: Vec::new(),
        }
    }

    #[test]
    fn the_generic_payload_has_every_field() {
        let body = render(Format::Json, &drift(), 1_700_000_000);
        assert_eq!(body["event"], "drift");
        assert_eq!(body["provider"], "oss");
        assert_eq!(body["bucket"], "logs");
        assert_eq!(body["region"], "cn-hangzhou");
        assert_eq!(body["id"], "list1");
        assert_eq!(body["detail"], "changed");
        assert_eq!(body["revision"], "abc123");
        assert_eq!(body["timestamp"], 1_700_000_000);
        assert_eq!(
            body["fields"][0],
            json!({"path": "enabled", "live": "false", "desired": "true"})
        );
    }

    #[test]
    fn chat_formats_carry_the_title_and_the_field_diff() {
        let title = "invsync: drift on oss://logs (cn-hangzhou): `list1` changed";
        let slack = render(Format::Slack, &drift(), 0);
        assert_eq!(slack["text"], title);
        assert!(
            slack["blocks"][1]["text"]["text"]
                .as_str()
                .unwrap()
                .contains("`enabled: false -> true`")
        );
        let teams = render(Format::Teams, &drift(), 0);
        assert_eq!(teams["@type"], "MessageCard");
        assert_eq!(teams["title"], title);
        let chat = render(Format::GoogleChat, &drift(), 0);
        assert!(
            chat["text"]
                .as_str()
                .unwrap()
                .contains("enabled: false -> true")
        );
    }

    #[test]
    fn long_problem_lists_are_cut_in_chat_formats_only() {
        let rejected = Notification {
            kind: EventKind::Rejected,
            bucket: None,
            id: None,
            detail: None,
            fields: Vec::new(),
            messages: (0..25).map(|i| format!("problem {i}")).collect(),
            ..drift()
        };
        let slack = render(Format::Slack, &rejected, 0);
        let text = slack["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(text.contains("… and 15 more"), "{text}");
        let body = render(Format::Json, &rejected, 0);
        assert_eq!(body["messages"].as_array().unwrap().len(), 25);
        assert_eq!(body["bucket"], Value::Null);
    }

    #[test]
    fn delivery_titles_name_the_problem_or_the_recovery() {
        let overdue = Notification {
            kind: EventKind::Delivery,
            detail: Some("report_overdue".into()),
            fields: Vec::new(),
            messages: vec!["report overdue (last delivered at 2026-12-01T00:00:00Z)".into()],
            ..drift()
        };
        assert_eq!(
            title(&overdue),
            "invsync: reports of oss://logs (cn-hangzhou): `list1` report overdue"
        );
        let body = render(Format::Json, &overdue, 1_700_000_000);
        assert_eq!(body["event"], "delivery");
        assert_eq!(body["detail"], "report_overdue");
        let again = Notification {
            detail: Some("delivered".into()),
            ..overdue
        };
        assert!(
            title(&again).ends_with("delivered again"),
            "{}",
            title(&again)
        );
    }
}
