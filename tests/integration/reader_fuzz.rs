//! Bounded fuzzing of every reader of untrusted bytes, run by `cargo test` in CI (cargo-fuzz
//! needs a nightly toolchain): arbitrary bytes, mutated vendor bodies and deeply nested inputs
//! never panic, and nesting past a reader's limit is that reader's clear error.
//!
//! Readers: the XML element tree, each provider's LIST, GET and error-body readers and wire
//! types (which the emulator reads PUT bodies with), the manifest loader, the notification
//! config file and the emulator's fault configuration (JSON). The emulator's PUT check and
//! state file have their own bounded properties next to their code.

use std::path::Path;
use std::time::Duration;

use invsync::emulator::FaultConfig;
use invsync::model::LiveConfig;
use invsync::notify::NotifyConfig;
use invsync::provider::document::{BodyError, read_document};
use invsync::provider::paginate::ListPage;
use invsync::provider::protocol::Dialect;
use invsync::provider::response::Failure;
use invsync::provider::xml_depth::MAX_DEPTH;
use invsync::provider::xmltree::{Element, XmlTreeError};
use invsync::provider::{ServiceError, cos, oss, s3};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use reqwest::header::HeaderMap;

/// Cases per property: enough to find a shallow panic, few enough that the file runs in a
/// couple of seconds on a loaded CI machine.
const CASES: u32 = 256;

type ListReader = fn(u16, &HeaderMap, &[u8]) -> Result<ListPage, Failure>;
type GetReader = fn(u16, &HeaderMap, &[u8]) -> Result<Option<LiveConfig>, Failure>;
type ErrorReader = fn(u16, &HeaderMap, &[u8]) -> ServiceError;

/// Each provider's readers of a server's answer, and its wire types' reader of a
/// configuration (what the emulator's PUT check runs).
struct Provider {
    list_root: &'static str,
    list: ListReader,
    get: GetReader,
    error: ErrorReader,
    wire: fn(&[u8]) -> Result<(), String>,
}

const PROVIDERS: [Provider; 3] = [
    Provider {
        list_root: "ListInventoryConfigurationResult",
        list: <cos::client::Cos as Dialect>::read_list,
        get: <cos::client::Cos as Dialect>::read_get,
        error: <cos::client::Cos as Dialect>::read_error,
        wire: |b| {
            cos::xml::from_bytes::<cos::xml::InventoryConfiguration>(b)
                .map(drop)
                .map_err(|e| e.to_string())
        },
    },
    Provider {
        list_root: "ListInventoryConfigurationsResult",
        list: <oss::client::Oss as Dialect>::read_list,
        get: <oss::client::Oss as Dialect>::read_get,
        error: <oss::client::Oss as Dialect>::read_error,
        wire: |b| {
            oss::xml::from_bytes::<oss::xml::InventoryConfiguration>(b)
                .map(drop)
                .map_err(|e| e.to_string())
        },
    },
    Provider {
        list_root: "ListInventoryConfigurationsResult",
        list: <s3::client::S3 as Dialect>::read_list,
        get: <s3::client::S3 as Dialect>::read_get,
        error: <s3::client::S3 as Dialect>::read_error,
        wire: |b| {
            s3::xml::from_bytes::<s3::xml::InventoryConfiguration>(b)
                .map(drop)
                .map_err(|e| e.to_string())
        },
    },
];

/// The S3 LIST example of the S3 API reference, with a KMS key: the deepest real body.
const S3_LIST: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
    <ListInventoryConfigurationsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
    <InventoryConfiguration><Id>report1</Id><IsEnabled>true</IsEnabled>\
    <Destination><S3BucketDestination><Format>CSV</Format><AccountId>123456789012</AccountId>\
    <Bucket>arn:aws:s3:::destination-bucket</Bucket><Prefix>prefix1</Prefix>\
    <Encryption><SSE-KMS><KeyId>arn:aws:kms:us-west-2:123456789012:key/1</KeyId></SSE-KMS>\
    </Encryption></S3BucketDestination></Destination><Schedule><Frequency>Daily</Frequency>\
    </Schedule><Filter><Prefix>prefix/One</Prefix></Filter>\
    <IncludedObjectVersions>All</IncludedObjectVersions>\
    <OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>\
    </InventoryConfiguration><IsTruncated>false</IsTruncated>\
    </ListInventoryConfigurationsResult>";

/// Every vendor body of `tests/fixtures/vendor/`, and the S3 example.
fn vendor_bodies() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vendor");
    let mut bodies = vec![S3_LIST.as_bytes().to_vec()];
    for provider in ["cos", "oss"] {
        for entry in std::fs::read_dir(root.join(provider)).unwrap() {
            bodies.push(std::fs::read(entry.unwrap().path()).unwrap());
        }
    }
    bodies.sort();
    bodies
}

/// Pieces a mutation inserts: markup that changes structure, not just text.
const PIECES: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<a>",
    "</a>",
    "<Id>",
    "</Id>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "&amp;",
    "&#x0;",
    "&bogus;",
    "<?xml version=\"1.0\"?>",
    "\u{feff}",
    "<Error>",
    "<IsTruncated>true</IsTruncated>",
    "xmlns:a=\"x\"",
];

/// A seed with a few edits: a byte inserted, removed or changed, a cut, a slice repeated, a
/// piece of markup inserted.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let edit = (0u8..6, any::<Index>(), any::<Index>(), any::<u8>());
    (select(seeds), vec(edit, 1..6)).prop_map(|(mut bytes, edits)| {
        for (op, at, span, byte) in edits {
            let i = at.index(bytes.len() + 1);
            match op {
                0 => bytes.insert(i, byte),
                1 if i < bytes.len() => {
                    bytes.remove(i);
                }
                2 if i < bytes.len() => bytes[i] = byte,
                3 => bytes.truncate(i),
                4 => {
                    let end = i + span.index(bytes.len() - i + 1).min(512);
                    let slice = bytes[i..end].to_vec();
                    bytes.splice(i..i, slice);
                }
                _ => {
                    let piece = PIECES[span.index(PIECES.len())].as_bytes();
                    bytes.splice(i..i, piece.iter().copied());
                }
            }
        }
        bytes
    })
}

/// `levels` elements named `name` nested at `text` (closed unless `open`).
fn nest(name: &str, levels: usize, open: bool) -> String {
    let mut text = format!("<{name}>").repeat(levels);
    if !open {
        text.push_str(&format!("</{name}>").repeat(levels));
    }
    text
}

/// Element names to nest: known to every reader, known to one, unknown, prefixed.
fn names() -> impl Strategy<Value = &'static str> {
    select(vec![
        "InventoryConfiguration",
        "Filter",
        "And",
        "Destination",
        "Unknown",
        "a",
        "x:Deep",
    ])
}

/// Runs every XML reader on `body` and returns nothing: the property is that none panics.
fn read_everywhere(body: &[u8]) {
    let headers = HeaderMap::new();
    let _ = Element::parse(body);
    for provider in &PROVIDERS {
        let _ = read_document(body, provider.list_root);
        for status in [200, 404] {
            let _ = (provider.list)(status, &headers, body);
            let _ = (provider.get)(status, &headers, body);
        }
        let _ = (provider.error)(403, &headers, body);
        let _ = (provider.wire)(body);
    }
    if let Ok(text) = std::str::from_utf8(body) {
        for reader in [
            cos::response::READER,
            oss::response::READER,
            s3::response::READER,
        ] {
            let _ = reader.read(text);
        }
    }
}

/// The depth error, as a body error or (S3) its text.
fn is_too_deep(failure: &Failure) -> bool {
    match failure {
        Failure::Body(error) => matches!(error, BodyError::TooDeep { .. }),
        Failure::Decode(message) => message.contains("more than 64 levels deep"),
        Failure::Service(_) => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn xml_readers_never_panic_on_arbitrary_bytes(body in vec(any::<u8>(), 0..512)) {
        read_everywhere(&body);
    }

    #[test]
    fn xml_readers_never_panic_on_mutated_vendor_bodies(body in mutated(vendor_bodies())) {
        read_everywhere(&body);
    }

    /// A LIST whose configuration nests `levels` more elements: past the limit every reader
    /// refuses it with the depth error, closed or not, whatever the names.
    #[test]
    fn nesting_past_the_limit_is_the_depth_error_for_every_xml_reader(
        name in names(),
        levels in 0usize..400,
        open in any::<bool>(),
    ) {
        let headers = HeaderMap::new();
        let config = format!("<InventoryConfiguration><Id>a</Id>{}", nest(name, levels, open));
        let config = if open { config } else { format!("{config}</InventoryConfiguration>") };
        // The configuration's root is level 1, and level 2 inside a LIST.
        let config_too_deep = 1 + levels > MAX_DEPTH;
        let list_too_deep = 2 + levels > MAX_DEPTH;
        prop_assert_eq!(
            matches!(Element::parse(config.as_bytes()), Err(XmlTreeError::TooDeep(_))),
            config_too_deep
        );
        for provider in &PROVIDERS {
            let root = provider.list_root;
            let list = if open {
                format!("<{root}>{config}")
            } else {
                format!("<{root}>{config}<IsTruncated>false</IsTruncated></{root}>")
            };
            let listed = (provider.list)(200, &headers, list.as_bytes());
            prop_assert_eq!(listed.as_ref().err().is_some_and(is_too_deep), list_too_deep);
            let got = (provider.get)(200, &headers, config.as_bytes());
            prop_assert_eq!(got.as_ref().err().is_some_and(is_too_deep), config_too_deep);
            let wire = (provider.wire)(config.as_bytes());
            prop_assert_eq!(
                wire.as_ref().err().is_some_and(|m| m.contains("more than 64 levels deep")),
                config_too_deep,
                "{:?}", wire
            );
            // An error body that deep still reads as an error, named from the status.
            let error = (provider.error)(503, &headers, config.as_bytes());
            prop_assert!(!error.code.is_empty());
        }
    }
}

/// A valid manifest, the seed of the mutated ones.
const MANIFEST: &str = "\
apiVersion: invsync/v1
kind: BucketInventory
metadata:
  name: a
spec:
  provider: cos
  bucket: a-1250000000
  region: ap-guangzhou
  inventories:
    - id: list1
      includedObjectVersions: Current
      schedule: {frequency: Daily}
      filter: {prefix: logs/, tags: [{key: a, value: b}]}
      destination:
        bucket: qcs::cos:ap-guangzhou::inventory-1250000000
        format: CSV
";

/// Loads `text` as a manifest file on a thread with the binary's main-thread stack (8 MiB):
/// `validate`, `plan` and the daemon's reloads all load on the main thread, and serde-saphyr's
/// recursion up to the 64-level cap needs more than a test thread's 2 MiB in a debug build.
fn load_manifest(text: &str) -> Result<usize, Vec<String>> {
    let text = text.to_string();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            invsync::manifest::parse_document_text(Path::new("fuzz.yaml"), &text)
                .map(|buckets| buckets.len())
                .map_err(|diagnostics| diagnostics.iter().map(|d| d.to_string()).collect())
        })
        .unwrap()
        .join()
        .unwrap()
}

/// YAML nesting `levels` collections: flow sequences, flow mappings, block sequences on one
/// line, or block mappings by indentation; as the value of a key added to a real manifest's
/// inventory, or of the only key of a file.
fn deep_yaml(shape: u8, levels: usize, inside: bool) -> String {
    let pad = if inside { "      " } else { "" };
    let deep = match shape {
        0 => format!("{}1{}", "[".repeat(levels), "]".repeat(levels)),
        1 => format!("{}1{}", "{a: ".repeat(levels), "}".repeat(levels)),
        2 => format!("\n{pad}  {}1", "- ".repeat(levels)),
        _ => (0..levels)
            .map(|i| format!("\n{pad}{}a:", "  ".repeat(i + 1)))
            .collect::<String>(),
    };
    if inside {
        format!("{MANIFEST}{pad}extra: {deep}\n")
    } else {
        format!("a: {deep}\n")
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn the_manifest_loader_never_panics_on_arbitrary_text(text in "(?s).{0,300}") {
        let _ = load_manifest(&text);
    }

    #[test]
    fn the_manifest_loader_never_panics_on_yaml_like_text(
        text in "[-:{}\\[\\],&*!|>'\"#? \na-z0-9]{0,300}",
    ) {
        let _ = load_manifest(&text);
    }

    #[test]
    fn the_manifest_loader_never_panics_on_mutated_manifests(
        bytes in mutated(vec![MANIFEST.as_bytes().to_vec()]),
    ) {
        let _ = load_manifest(&String::from_utf8_lossy(&bytes));
    }

    /// Past the YAML nesting limit (64, as for XML) the loader names the limit.
    #[test]
    fn nesting_past_the_limit_is_a_manifest_error_naming_it(
        shape in 0u8..4,
        levels in 0usize..300,
        inside in any::<bool>(),
    ) {
        let result = load_manifest(&deep_yaml(shape, levels, inside));
        if levels > 70 {
            let errors = result.unwrap_err();
            prop_assert!(
                errors.iter().any(|e| e.contains("more than 64 levels deep")),
                "{:?}", errors
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn the_fault_configuration_never_panics_on_arbitrary_text(text in "(?s).{0,200}") {
        let _ = FaultConfig::from_json(&text);
    }

    /// JSON is read with serde_json's nesting limit of 128, never turned off.
    #[test]
    fn a_deeply_nested_fault_configuration_is_an_error(
        levels in 2usize..2000,
        (open, close) in select(vec![("[", "]"), ("{\"a\":", "}")]),
    ) {
        let deep = format!("{}1{}", open.repeat(levels), close.repeat(levels));
        prop_assert!(FaultConfig::from_json(&deep).is_err());
        let text = format!(r#"{{"error_rate":0.5,"operations":{deep}}}"#);
        prop_assert!(FaultConfig::from_json(&text).is_err());
    }
}

#[test]
fn a_notification_config_nested_past_the_limit_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.yaml");
    for shape in 0..4 {
        let levels = if shape == 3 { 2_000 } else { 300_000 };
        std::fs::write(&path, deep_yaml(shape, levels, false)).unwrap();
        let err = NotifyConfig::from_sources(&[], Some(&path), Duration::from_secs(60))
            .unwrap_err()
            .to_string();
        assert!(err.contains("notify.yaml"), "{err}");
    }
}
