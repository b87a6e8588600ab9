//! Manifests written as users write them are read from parser events, with serde-saphyr's values.

use proptest::prelude::*;

use super::events;
use super::parse_with_serde;
use super::tests::agrees;

/// `text` is read from events, and that reading is serde-saphyr's (values and kept lines).
fn read_from_events(text: &str) {
    assert!(
        events::parse_documents(text).is_some(),
        "not read from events:\n{text}"
    );
    agrees(text);
}

/// A manifest in the README's style: comments everywhere, booleans, quoted strings, flow and
/// block collections, several documents.
const README_STYLE: &str = r#"# Two buckets of one team.
apiVersion: invsync/v1
kind: BucketInventory
metadata:
  name: "logs-bucket"   # quoted
spec:
  provider: cos                   # cos | oss | s3
  bucket: examplebucket-1250000000
  region: 'ap-guangzhou'
  prune: true                     # true: delete live configs on this bucket that are not declared
  inventories:
    # the daily list
    - id: list1                   # [A-Za-z0-9._-]
      enabled: true
      includedObjectVersions: All # All | Current
      schedule: {frequency: Monthly, monthlyDate: 15}
      filter:
        prefix: "logs/"
        tags: [{key: age, value: "18"}, {key: 'team', value: "a \"quoted\" \u00e9 it's"}]
        period: {startTime: 1568688761, endTime: 1568688762}
      optionalFields: [Size, LastModifiedDate, ETag, StorageClass, Tag]
      destination:
        bucket: qcs::cos:ap-guangzhou::inventory-1250000000
        accountId: "100000000001"
        prefix: 'it''s'
        format: CSV
        encryption: SSE-COS
    - {id: list2, enabled: false, schedule: {frequency: Weekly}, optionalFields: []}
---
# Second document: every boolean and null spelling.
spec:
  provider: oss
  bucket: b
  flags: [true, True, TRUE, false, False, FALSE, yes, No, ON, off, y, N]
  nulls: [null, Null, NULL, ~, ]
  empty:
  escapes: ["tab\tnew\nline", "\x41\u0042\U00000043", "back\\slash", '']
  numbers: [0, 7, -5, 1250000000, -0]
  nested:
    - - a
      - {b: [c, {d: e}]}
    - {}
    - []
"#;

#[test]
fn a_readme_style_manifest_is_read_from_events_with_serde_saphyrs_values_and_lines() {
    read_from_events(README_STYLE);
    let docs = events::parse_documents(README_STYLE).unwrap();
    let inventories = &docs[0].value["spec"]["inventories"];
    assert_eq!(docs[0].value["spec"]["prune"], true);
    assert_eq!(inventories[0]["enabled"], true);
    assert_eq!(inventories[1]["enabled"], false);
    assert_eq!(
        docs[1].value["spec"]["flags"],
        serde_json::json!([
            true, true, true, false, false, false, true, false, true, false, true, false
        ])
    );
}

/// The README's manifest examples: what users copy.
#[test]
fn every_readme_manifest_example_is_read_from_events_with_serde_saphyrs_values() {
    let readme = include_str!("../../README.md");
    let mut examples = 0;
    for block in readme.split("```yaml\n").skip(1) {
        let text = block.split("```").next().unwrap_or_default();
        if text.contains("spec:") {
            read_from_events(text);
            examples += 1;
        }
    }
    assert!(examples >= 2, "the README shows its manifests");
}

/// A YAML 1.1 boolean stays what serde-saphyr reads, as a value and as a key.
#[test]
fn yaml_1_1_booleans_read_from_events_are_serde_saphyrs_booleans() {
    for text in [
        "a: yes\n",
        "a: On\n",
        "a: N\n",
        "y: 1\n",
        "off: [no, YES]\n",
    ] {
        read_from_events(text);
    }
    // The same key to serde-saphyr, which refuses the mapping: never read from events.
    for repeated in ["'yes': a\nyes: b\n", "True: 1\n'True': 2\n"] {
        assert!(parse_with_serde(repeated).is_none(), "{repeated}");
        assert!(events::parse_documents(repeated).is_none(), "{repeated}");
    }
    for text in ["-0: a\n'-0': b\n", "~: a\n'~': b\n", "null: a\n'null': b\n"] {
        if let Some(from_events) = events::parse_documents(text) {
            assert_eq!(Some(from_events), parse_with_serde(text), "{text}");
        }
    }
    let docs = events::parse_documents("y: 1\nenabled: yes\n").unwrap();
    assert_eq!(
        docs[0].value,
        serde_json::json!({"true": 1, "enabled": true})
    );
}

/// Plain scalars of the README style, booleans and null in every spelling read from events.
const PLAIN: &[&str] = &[
    "Daily",
    "inv001",
    "logs/",
    "qcs::cos:ap-guangzhou::inventory-1250000000",
    "SSE-KMS",
    "a b",
    "0",
    "15",
    "-3",
    "1568688761",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "null",
    "Null",
    "NULL",
    "~",
];

/// Quoted scalars, with the escapes double quotes allow.
const QUOTED: &[&str] = &[
    "\"18\"",
    "\"true\"",
    "\"\"",
    "''",
    "'it''s'",
    "\"tab\\there\"",
    "\"\\u00e9\\x41\"",
    "\"a \\\"b\\\"\"",
    "'null'",
    "\"back\\\\slash\"",
];

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(PLAIN).prop_map(str::to_string),
        1 => proptest::sample::select(QUOTED).prop_map(str::to_string),
    ]
}

fn key() -> impl Strategy<Value = String> {
    proptest::sample::select(
        &[
            "id", "enabled", "prune", "prefix", "schedule", "filter", "tags", "bucket", "y",
        ][..],
    )
    .prop_map(str::to_string)
}

/// A flow value: a scalar, `[...]` or `{...}`.
fn flow() -> impl Strategy<Value = String> {
    scalar().prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            proptest::collection::btree_map(key(), inner, 0..3).prop_map(|entries| {
                let entries: Vec<String> =
                    entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", entries.join(", "))
            }),
        ]
    })
}

/// A block mapping at `indent`, its entries flow values, block sequences of flow values or
/// nested block mappings, some with a comment after them.
fn block(indent: usize, depth: u32) -> BoxedStrategy<String> {
    let pad = " ".repeat(indent);
    let value = if depth == 0 {
        flow().prop_map(|v| format!(" {v}\n")).boxed()
    } else {
        let seq_pad = pad.clone();
        prop_oneof![
            3 => flow().prop_map(|v| format!(" {v}\n")),
            1 => proptest::collection::vec(flow(), 1..3).prop_map(move |items| {
                let lines: String =
                    items.iter().map(|i| format!("{seq_pad}  - {i}\n")).collect();
                format!("\n{lines}")
            }),
            1 => block(indent + 2, depth - 1).prop_map(|b| format!("\n{b}")),
        ]
        .boxed()
    };
    let comment = prop_oneof![Just(""), Just("   # a comment: with [flow] {chars}")];
    proptest::collection::btree_map(key(), (value, comment), 1..4)
        .prop_map(move |entries| {
            entries
                .into_iter()
                .map(|(k, (v, c))| match v.strip_suffix('\n') {
                    // A comment goes after a one-line value only.
                    Some(line) if !line.contains('\n') => format!("{pad}{k}:{line}{c}\n"),
                    _ => format!("{pad}{k}:{v}"),
                })
                .collect()
        })
        .boxed()
}

proptest! {
    #[test]
    fn random_readme_style_documents_are_read_from_events_as_serde_saphyr_reads_them(
        documents in proptest::collection::vec(block(0, 2), 1..3),
        lead in prop_oneof![Just(""), Just("# heading\n")],
    ) {
        let text = format!("{lead}{}", documents.join("---\n"));
        let from_events = events::parse_documents(&text);
        prop_assert!(from_events.is_some(), "not read from events:\n{}", text);
        prop_assert_eq!(from_events, parse_with_serde(&text), "{}", text);
    }
}
