//! The loader and `from_model` agree, and the loader never panics on any input.

use std::path::Path;

use invsync::manifest::from_model::bucket_yaml;
use invsync::manifest::{load_dir, parse_document_text};
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../../manifests/oss/hangzhou.yaml");

#[test]
fn every_example_bucket_survives_a_round_trip_through_manifest_yaml() {
    let state = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests")).unwrap();
    for bucket in state.buckets.values() {
        let text = bucket_yaml(bucket);
        let parsed = parse_document_text(Path::new("roundtrip.yaml"), &text)
            .unwrap_or_else(|e| panic!("{text}\n{e:#?}"));
        assert_eq!(parsed.len(), 1);
        let back = &parsed[0];
        assert_eq!(back.key, bucket.key);
        assert_eq!(back.name, bucket.name);
        assert_eq!(back.prune, bucket.prune);
        assert_eq!(back.endpoint, bucket.endpoint);
        assert_eq!(back.inventories, bucket.inventories, "{text}");
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_every_error_names_the_file(text in "\\PC{0,300}") {
        if let Err(errors) = parse_document_text(Path::new("fuzz.yaml"), &text) {
            prop_assert!(!errors.is_empty());
            for e in errors {
                prop_assert_eq!(e.file.as_path(), Path::new("fuzz.yaml"));
            }
        }
    }

    #[test]
    fn a_damaged_example_never_panics(at in 0usize..EXAMPLE.len(), len in 0usize..40, insert in "[ :\\-\\[\\]{}&*!|>'\"#a-z0-9\n]{0,8}") {
        let mut text = String::new();
        let start = floor_char_boundary(EXAMPLE, at);
        let end = floor_char_boundary(EXAMPLE, (start + len).min(EXAMPLE.len()));
        text.push_str(&EXAMPLE[..start]);
        text.push_str(&insert);
        text.push_str(&EXAMPLE[end..]);
        match parse_document_text(Path::new("damaged.yaml"), &text) {
            Ok(buckets) => prop_assert!(buckets.len() <= 2),
            Err(errors) => prop_assert!(errors.iter().all(|e| !e.message.is_empty())),
        }
    }
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}
