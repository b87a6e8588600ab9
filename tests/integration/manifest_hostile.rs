//! Hostile local input to the loader: special files, huge files, and every parser limit,
//! each refused quickly with a message naming the file, the limit and the fix.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use invsync::manifest::walk::MAX_FILE_BYTES;
use invsync::manifest::{Diagnostic, load_dir};

const COS_DOC: &str = "\
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
      destination:
        bucket: qcs::cos:ap-guangzhou::inventory-1250000000
        format: CSV
";

/// Any run here must finish well within this; a hang is a failure, not a stuck suite.
const LIMIT: Duration = Duration::from_secs(20);

fn mkfifo(path: &Path) {
    let name = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a directory entry.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
}

fn validate(dir: &Path) -> std::process::Output {
    Command::cargo_bin("invsync")
        .unwrap()
        .args(["validate", "--manifests"])
        .arg(dir)
        .env_remove("RUST_LOG")
        .timeout(LIMIT)
        .output()
        .unwrap()
}

/// The only diagnostic of loading `dir`.
fn only_diagnostic(dir: &Path) -> Diagnostic {
    let errors = load_dir(dir).expect_err("the directory should not load");
    assert_eq!(errors.diagnostics.len(), 1, "{errors}");
    errors.diagnostics[0].clone()
}

#[test]
fn a_fifo_named_like_a_manifest_is_skipped_with_a_warning_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.yaml"), COS_DOC).unwrap();
    mkfifo(&dir.path().join("pipe.yaml"));
    let start = Instant::now();
    let out = validate(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(start.elapsed() < LIMIT);
    let warning = stderr
        .lines()
        .find(|l| l.contains("not a regular file"))
        .unwrap_or_else(|| panic!("a warning is printed: {stderr}"));
    assert!(warning.contains("WARN"), "{warning}");
    assert!(warning.contains("pipe.yaml"), "{warning}");
    assert!(warning.contains("fifo"), "{warning}");
}

#[test]
fn a_manifest_linked_to_dev_zero_is_skipped_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.yaml"), COS_DOC).unwrap();
    symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    let start = Instant::now();
    let state = load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(state.buckets.len(), 1);
    let out = validate(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("zero.yaml") && stderr.contains("character device"),
        "{stderr}"
    );
}

#[test]
fn a_manifest_file_over_the_size_limit_is_refused_naming_the_limit_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    let file = fs::File::create(&big).unwrap();
    // Sparse: costs no disk, and the loader must refuse it without reading it.
    file.set_len(MAX_FILE_BYTES + 1).unwrap();
    let d = only_diagnostic(dir.path());
    assert_eq!(d.file, big);
    assert_eq!(
        d.to_string(),
        format!(
            "{}: is 16777217 bytes, more than the limit of 16777216 bytes (16 MiB) per manifest \
             file (hint: split it into several manifest files, or move it out of the manifests \
             directory)",
            big.display()
        )
    );
}

#[test]
fn a_manifest_file_exactly_at_the_size_limit_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = COS_DOC.to_string();
    let padding = MAX_FILE_BYTES as usize - text.len();
    text.push_str(&"#".repeat(padding - 1));
    text.push('\n');
    fs::write(dir.path().join("a.yaml"), &text).unwrap();
    let state = load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(state.buckets.len(), 1);
}

/// Writes `text` as the only manifest of a new directory and returns the one diagnostic,
/// checking it names the file.
fn limit_diagnostic(text: &str) -> (tempfile::TempDir, Diagnostic) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.yaml");
    fs::write(&file, text).unwrap();
    let start = Instant::now();
    let d = only_diagnostic(dir.path());
    assert!(start.elapsed() < LIMIT);
    assert_eq!(d.file, file);
    assert!(
        !d.message.contains("budget") && !d.message.contains('{'),
        "no parser-internal wording: {d}"
    );
    (dir, d)
}

#[test]
fn a_file_with_more_documents_than_the_limit_names_the_limit_and_the_fix() {
    let (_dir, d) = limit_diagnostic(&"---\na: 1\n".repeat(1025));
    assert_eq!(
        d.message,
        "has more than 1024 YAML documents, the limit per file"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("split it into several manifest files of at most 1024 documents each")
    );
    assert!(d.to_string().contains("big.yaml"), "{d}");
}

#[test]
fn a_file_with_more_nodes_than_the_limit_names_the_limit_and_the_fix() {
    let items = vec!["1"; 250_001].join(",");
    let (_dir, d) = limit_diagnostic(&format!("a: [{items}]\n"));
    assert_eq!(
        d.message,
        "has more than 250000 YAML nodes (mappings, sequences and scalars), the limit per file"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("split it into several manifest files")
    );
}

#[test]
fn nesting_deeper_than_the_limit_names_the_limit_and_the_fix() {
    let (_dir, d) = limit_diagnostic(&format!("a: {}{}\n", "[".repeat(80), "]".repeat(80)));
    assert_eq!(
        d.message,
        "nests mappings and sequences more than 64 levels deep, the limit"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("a manifest needs only a few levels; check the indentation and the brackets")
    );
}

#[test]
fn an_alias_bomb_ratio_names_the_limit_and_the_fix() {
    let aliases = vec!["*x"; 120].join(", ");
    let (_dir, d) = limit_diagnostic(&format!("a: &x [1, 2]\nb: [{aliases}]\n"));
    assert_eq!(
        d.message,
        "uses 120 aliases for 1 anchor(s); more than 10 aliases per anchor (from 100 aliases \
         on) is refused as a possible alias bomb"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("write the repeated values out, or split it into several manifest files")
    );
}

#[test]
fn more_anchors_than_the_limit_names_the_limit_and_the_fix() {
    let anchors: String = (0..50_001).map(|i| format!("- &a{i} x\n")).collect();
    let (_dir, d) = limit_diagnostic(&anchors);
    assert_eq!(
        d.message,
        "defines more than 50000 anchors (`&name`), the limit per file"
    );
}

#[test]
fn more_aliases_than_the_limit_names_the_limit_and_the_fix() {
    let mut text: String = (0..6_000).map(|i| format!("- &a{i} x\n")).collect();
    text.extend((0..50_001).map(|i| format!("- *a{}\n", i % 6_000)));
    let (_dir, d) = limit_diagnostic(&text);
    assert_eq!(
        d.message,
        "uses more than 50000 aliases (`*name`), the limit per file"
    );
}

#[test]
fn more_merge_keys_than_the_limit_names_the_limit_and_the_fix() {
    let mut text: String = (0..1_100).map(|i| format!("- &a{i} {{k: v}}\n")).collect();
    text.extend((0..10_001).map(|i| format!("- {{<<: *a{}}}\n", i % 1_100)));
    let (_dir, d) = limit_diagnostic(&text);
    assert_eq!(
        d.message,
        "uses more than 10000 merge keys (`<<`), the limit per file"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("write the merged values out, or split it into several manifest files")
    );
}
