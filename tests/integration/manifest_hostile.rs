//! Hostile local input to the loader: special files, links leading out of the manifests
//! directory, huge files, and every parser limit, each refused quickly with a message naming
//! the file, the limit and the fix, and never showing what a link leads to.

use crate::support::e2e;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use e2e::mkfifo;
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

fn validate(dir: &Path) -> std::process::Output {
    invsync(&["validate"], dir)
}

/// `invsync ARGS --manifests DIR`, with credentials and an endpoint nothing listens on, so a
/// run that got past loading would fail loudly rather than reach a real provider.
fn invsync(args: &[&str], dir: &Path) -> std::process::Output {
    Command::cargo_bin("invsync")
        .unwrap()
        .args(args)
        .arg("--manifests")
        .arg(dir)
        .env_remove("RUST_LOG")
        .env("TENCENTCLOUD_SECRET_ID", "AKIDtest")
        .env("TENCENTCLOUD_SECRET_KEY", "test-key")
        .env("INVSYNC_COS_ENDPOINT", "http://127.0.0.1:9")
        .timeout(LIMIT)
        .output()
        .unwrap()
}

/// `validate`, `plan` (the text a CI job posts on a pull request) and `apply` on `dir`: each
/// finishes, exits 1, names `file` with `problem` on stderr, and prints nothing of `secret`.
fn rejected_by_every_command(dir: &Path, file: &str, problem: &str, secret: &str) {
    for args in [
        &["validate"][..],
        &["plan", "--output", "markdown"],
        &["apply"],
    ] {
        let start = Instant::now();
        let out = invsync(args, dir);
        assert!(start.elapsed() < LIMIT, "{args:?} finishes");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stdout}{stderr}");
        let line = stderr
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{args:?} names {file}: {stderr}"));
        assert!(line.contains(problem), "{args:?}: {line}");
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{args:?} shows nothing of the file: {stdout}{stderr}"
        );
    }
}

/// The only diagnostic of loading `dir`.
fn only_diagnostic(dir: &Path) -> Diagnostic {
    let errors = load_dir(dir).expect_err("the directory should not load");
    assert_eq!(errors.diagnostics.len(), 1, "{errors}");
    errors.diagnostics[0].clone()
}

#[test]
fn a_fifo_named_like_a_manifest_is_an_error_naming_it_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.yaml"), COS_DOC).unwrap();
    mkfifo(&dir.path().join("pipe.yaml"));
    rejected_by_every_command(
        dir.path(),
        "pipe.yaml",
        "is a FIFO, not a regular file",
        "never printed",
    );
    let d = only_diagnostic(dir.path());
    assert_eq!(d.file, dir.path().join("pipe.yaml"));
    assert!(
        d.to_string()
            .contains("(hint: a manifest must be a regular file"),
        "{d}"
    );
}

#[test]
fn a_manifest_linked_to_a_fifo_inside_the_directory_is_an_error_too() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.yaml"), COS_DOC).unwrap();
    mkfifo(&dir.path().join("pipe"));
    symlink("pipe", dir.path().join("linked.yaml")).unwrap();
    let start = Instant::now();
    let d = only_diagnostic(dir.path());
    assert!(start.elapsed() < LIMIT);
    assert_eq!(d.file, dir.path().join("linked.yaml"));
    assert!(d.message.contains("is a FIFO"), "{d}");
}

#[test]
fn a_manifest_linked_to_dev_zero_is_an_error_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.yaml"), COS_DOC).unwrap();
    symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    let start = Instant::now();
    let d = only_diagnostic(dir.path());
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(d.file, dir.path().join("zero.yaml"));
    rejected_by_every_command(
        dir.path(),
        "zero.yaml",
        "is a symlink leading outside the manifests directory",
        "/dev/zero",
    );
}

const SECRET: &str = "wJalrXUtnFEMI-K7MDENG-not-a-manifest";

/// A credentials file outside the manifests directory, in the YAML-ish form that makes the
/// parser quote its keys and values.
fn secret_file(outside: &Path) -> std::path::PathBuf {
    let path = outside.join("credentials");
    fs::write(
        &path,
        format!("TENCENTCLOUD_SECRET_ID: AKIDxxxx\nTENCENTCLOUD_SECRET_KEY: {SECRET}\n"),
    )
    .unwrap();
    path
}

#[test]
fn a_manifest_linked_outside_the_directory_is_an_error_naming_the_link_not_the_target() {
    let outside = tempfile::tempdir().unwrap();
    let secret = secret_file(outside.path());
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.yaml"), COS_DOC).unwrap();
    symlink(&secret, dir.path().join("evil.yaml")).unwrap();
    rejected_by_every_command(
        dir.path(),
        "evil.yaml",
        "is a symlink leading outside the manifests directory",
        SECRET,
    );
    let d = only_diagnostic(dir.path());
    let shown = d.to_string();
    assert!(!shown.contains(&secret.display().to_string()), "{shown}");
    assert!(!shown.contains("TENCENTCLOUD"), "{shown}");
    assert!(
        shown.contains("(hint: a symlinked manifest must lead"),
        "{shown}"
    );
}

#[test]
fn a_relative_link_climbing_out_of_the_directory_is_an_error_too() {
    let root = tempfile::tempdir().unwrap();
    secret_file(root.path());
    let dir = root.path().join("manifests");
    fs::create_dir_all(dir.join("team")).unwrap();
    fs::write(dir.join("a.yaml"), COS_DOC).unwrap();
    symlink("../../credentials", dir.join("team/evil.yml")).unwrap();
    rejected_by_every_command(
        &dir,
        "evil.yml",
        "is a symlink leading outside the manifests directory",
        SECRET,
    );
}

#[test]
fn a_link_to_a_hidden_entry_of_the_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.yaml"), COS_DOC).unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    fs::write(
        dir.path().join(".git/config"),
        format!("[remote \"origin\"]\n  url = https://x:{SECRET}@git.example/r\n"),
    )
    .unwrap();
    symlink(".git/config", dir.path().join("git.yaml")).unwrap();
    rejected_by_every_command(
        dir.path(),
        "git.yaml",
        "is a symlink leading outside the manifests directory",
        SECRET,
    );
}

#[test]
fn links_between_files_of_the_directory_are_read_also_through_a_linked_directory() {
    // A git-sync layout: `current -> <commit>`, the manifests below it, and a repository's
    // own relative link from one of its files to another.
    let root = tempfile::tempdir().unwrap();
    let checkout = root.path().join("0123456789abcdef0123456789abcdef01234567");
    fs::create_dir_all(checkout.join("manifests/templates")).unwrap();
    fs::write(checkout.join("manifests/templates/cos.yaml.tmpl"), COS_DOC).unwrap();
    symlink(
        "templates/cos.yaml.tmpl",
        checkout.join("manifests/bucket.yaml"),
    )
    .unwrap();
    symlink(&checkout, root.path().join("current")).unwrap();
    let manifests = root.path().join("current/manifests");
    let state = load_dir(&manifests).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(state.buckets.len(), 1);
    let out = validate(&manifests);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
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

/// `levels` block mappings, one more indented per line.
fn block_mappings(levels: usize) -> String {
    (0..levels)
        .map(|i| format!("{}a:\n", "  ".repeat(i)))
        .collect()
}

#[test]
fn validate_refuses_300000_levels_of_any_nesting_naming_the_limit_not_crashing() {
    let shapes = [
        (
            "flow sequences",
            format!("a: {}1{}\n", "[".repeat(300_000), "]".repeat(300_000)),
        ),
        (
            "flow mappings",
            format!("a: {}1{}\n", "{a: ".repeat(300_000), "}".repeat(300_000)),
        ),
        (
            "block sequences",
            format!("a:\n  {}1\n", "- ".repeat(300_000)),
        ),
        // Indentation grows the file quadratically: 2,000 levels are 4 MB.
        ("block mappings", block_mappings(2_000)),
    ];
    for (shape, text) in shapes {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("deep.yaml"), text).unwrap();
        let out = validate(dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{shape}: {stderr}");
        assert!(
            stderr.contains("deep.yaml")
                && stderr.contains("nests mappings and sequences more than 64 levels deep"),
            "{shape}: {stderr}"
        );
    }
}

#[test]
fn mappings_nested_just_under_the_limit_are_read_without_a_crash() {
    // The loader's deepest recursion: every level of a mapping is several frames of the YAML
    // parser's spanned reading.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("deep.yaml"), block_mappings(63)).unwrap();
    let out = validate(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unknown field `a`"), "{stderr}");
}

#[test]
fn a_directory_nested_just_under_the_limit_loads_from_a_thread_with_a_small_stack() {
    // A daemon loads from a tokio worker (2 MiB of stack), and several files are parsed on
    // threads of their own: the loader, not its caller, must provide the stack the depth needs.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("deep.yaml"), block_mappings(63)).unwrap();
    fs::write(dir.path().join("other.yaml"), block_mappings(63)).unwrap();
    let path = dir.path().to_path_buf();
    let errors = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || invsync::manifest::load_dir(&path).unwrap_err())
        .unwrap()
        .join()
        .expect("loading does not overflow the caller's stack");
    let text = errors.to_string();
    assert!(
        text.contains("deep.yaml")
            && text.contains("other.yaml")
            && text.contains("unknown field `a`"),
        "{text}"
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
