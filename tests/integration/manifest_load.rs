//! Loading manifest directories: what is found, what is built, and which directories fail.

use std::fs;
use std::path::{Path, PathBuf};

use invsync::manifest::{ManifestErrors, ParseCache, load_dir, load_dir_cached};
use invsync::model::{Frequency, Inventory, Provider};
use invsync::provider::cos::model::CosInventory;
use invsync::provider::oss::model::{OssEncryption, OssInventory};

const COS_DOC: &str = "\
apiVersion: invsync/v1
kind: BucketInventory
metadata:
  name: NAME
spec:
  provider: cos
  bucket: BUCKET
  region: ap-guangzhou
  inventories:
    - id: list1
      includedObjectVersions: Current
      schedule: {frequency: Daily}
      destination:
        bucket: qcs::cos:ap-guangzhou::inventory-1250000000
        format: CSV
";

fn cos_doc(name: &str, bucket: &str) -> String {
    COS_DOC.replace("NAME", name).replace("BUCKET", bucket)
}

fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn errors(dir: &Path) -> ManifestErrors {
    load_dir(dir).expect_err("the directory should not load")
}

fn manifests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests")
}

#[test]
fn the_example_manifests_load_with_two_cos_two_oss_and_one_s3_buckets() {
    let state = load_dir(&manifests_dir()).unwrap_or_else(|e| panic!("{e}"));
    let providers: Vec<Provider> = state.buckets.keys().map(|k| k.provider).collect();
    assert_eq!(
        providers,
        [
            Provider::COS,
            Provider::COS,
            Provider::OSS,
            Provider::OSS,
            Provider::S3
        ]
    );
    assert!(state.revision.starts_with("sha256:"), "{}", state.revision);
    assert_eq!(state.revision.len(), "sha256:".len() + 16);
    let total: usize = state.buckets.values().map(|b| b.inventories.len()).sum();
    assert_eq!(total, 7);
}

#[test]
fn the_example_manifests_carry_every_kind_of_setting_into_the_model() {
    let state = load_dir(&manifests_dir()).unwrap();
    let inventories: Vec<&Inventory> = state
        .buckets
        .values()
        .flat_map(|b| &b.inventories)
        .collect();
    let monthly = inventories
        .iter()
        .filter_map(|i| i.downcast_ref::<CosInventory>())
        .find(|c| c.id == "list1");
    let monthly = monthly.expect("list1 is declared");
    assert_eq!(monthly.schedule.frequency, Frequency::Monthly);
    assert_eq!(monthly.schedule.monthly_date, Some(15));
    assert_eq!(monthly.filter.tags.len(), 1);
    assert!(monthly.destination.sse_cos);
    let kms = inventories.iter().any(|i| {
        i.downcast_ref::<OssInventory>().is_some_and(|o| {
            matches!(&o.destination.encryption, Some(OssEncryption::SseKms { key_id }) if key_id == "keyId")
        })
    });
    assert!(kms, "an OSS inventory uses SSE-KMS");
    let bucket = state
        .buckets
        .values()
        .find(|b| b.key.bucket == "examplebucket-1250000000")
        .unwrap();
    assert!(bucket.prune);
    assert_eq!(
        bucket.origin.file,
        manifests_dir().join("cos/examplebucket.yaml")
    );
    assert_eq!(bucket.origin.line, Some(3));
}

#[test]
fn nested_directories_and_yml_files_are_found_and_other_files_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &cos_doc("a", "a-1250000000"));
    write(dir.path(), "team/deep/b.yml", &cos_doc("b", "b-1250000000"));
    write(dir.path(), "team/notes.txt", "not: [a manifest");
    write(dir.path(), ".git/config.yaml", "not: [a manifest");
    let state = load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = state.buckets.values().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn several_documents_of_one_file_declare_several_buckets_and_empty_ones_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "---\n{}---\n# nothing here\n---\n{}",
        cos_doc("a", "a-1250000000"),
        cos_doc("b", "b-1250000000")
    );
    write(dir.path(), "all.yaml", &text);
    let state = load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let origins: Vec<(usize, Option<usize>)> = state
        .buckets
        .values()
        .map(|b| (b.origin.document, b.origin.line))
        .collect();
    assert_eq!(origins, [(0, Some(2)), (1, Some(20))]);
}

#[test]
fn a_directory_named_by_a_commit_hash_gives_that_revision() {
    let root = tempfile::tempdir().unwrap();
    let hash = "3f786850e387550fdab836ed7e6dc881de23001b";
    write(
        &root.path().join(hash),
        "a.yaml",
        &cos_doc("a", "a-1250000000"),
    );
    let state = load_dir(&root.path().join(hash)).unwrap();
    assert_eq!(state.revision, hash);
}

#[cfg(unix)]
#[test]
fn a_git_sync_symlink_is_followed_and_stamped_with_the_commit_of_its_target() {
    let root = tempfile::tempdir().unwrap();
    let hash = "3f786850e387550fdab836ed7e6dc881de23001b";
    let target = root.path().join(".worktrees").join(hash);
    write(&target, "a.yaml", &cos_doc("a", "a-1250000000"));
    let link = root.path().join("current");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let state = load_dir(&link).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(state.revision, hash);
    let bucket = state.buckets.values().next().unwrap();
    assert_eq!(bucket.origin.file, link.join("a.yaml"));
}

#[test]
fn the_same_files_give_the_same_digest_revision_and_a_change_gives_another() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &cos_doc("a", "a-1250000000"));
    let first = load_dir(dir.path()).unwrap().revision;
    assert_eq!(load_dir(dir.path()).unwrap().revision, first);
    write(dir.path(), "a.yaml", &cos_doc("renamed", "a-1250000000"));
    assert_ne!(load_dir(dir.path()).unwrap().revision, first);
}

#[test]
fn an_empty_directory_is_an_error_not_an_empty_state() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "only-comments.yaml",
        "# nothing declared yet\n---\n",
    );
    let e = errors(dir.path());
    assert_eq!(e.diagnostics.len(), 1);
    assert!(
        e.to_string().contains("contains no manifest documents"),
        "{e}"
    );
}

#[test]
fn a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = errors(&dir.path().join("nope"));
    assert!(
        e.to_string()
            .contains("nope: manifests directory does not exist"),
        "{e}"
    );
}

#[test]
fn a_file_given_as_the_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &cos_doc("a", "a-1250000000"));
    let e = errors(&dir.path().join("a.yaml"));
    assert!(e.to_string().contains("a.yaml: is not a directory"), "{e}");
}

#[test]
fn a_broken_yaml_file_is_reported_by_name_and_line_and_the_others_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.yaml", &cos_doc("a", "a-1250000000"));
    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata: {name: x\nspec: {}\n",
    );
    write(
        dir.path(),
        "bad.yaml",
        &cos_doc("\"\"", "b-1250000000").replace("Daily", "Hourly"),
    );
    let e = errors(dir.path());
    let text = e.to_string();
    let broken = dir.path().join("broken.yaml");
    let line = e
        .diagnostics
        .iter()
        .find(|d| d.file == broken)
        .unwrap_or_else(|| panic!("broken.yaml is named: {text}"));
    assert!(line.line.is_some_and(|l| (3..=5).contains(&l)), "{text}");
    assert!(line.message.starts_with("invalid YAML"), "{text}");
    assert!(
        text.contains("metadata.name: metadata.name is empty"),
        "{text}"
    );
    assert!(
        text.contains("`Hourly` is not one of `Daily`, `Weekly`, `Monthly`"),
        "{text}"
    );
}

#[test]
fn a_bucket_declared_in_two_files_names_both_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "first.yaml", &cos_doc("a", "same-1250000000"));
    write(
        dir.path(),
        "second/copy.yaml",
        &format!("# copy\n{}", cos_doc("b", "same-1250000000")),
    );
    let e = errors(dir.path());
    assert_eq!(e.diagnostics.len(), 1, "{e}");
    let expected = format!(
        "{}:8 (document 1) spec.bucket: cos bucket `same-1250000000` is already declared at {}:7 (document 1)",
        dir.path().join("second/copy.yaml").display(),
        dir.path().join("first.yaml").display(),
    );
    assert!(e.to_string().starts_with(&expected), "{e}");
}

#[test]
fn the_same_bucket_name_on_both_providers_is_not_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cos.yaml", &cos_doc("a", "shared-1250000000"));
    let oss = "\
apiVersion: invsync/v1
kind: BucketInventory
metadata: {name: b}
spec: {provider: oss, bucket: shared-1250000000, region: cn-hangzhou}
";
    write(dir.path(), "oss.yaml", oss);
    let state = load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(state.buckets.len(), 2);
}

#[test]
fn a_cached_reload_after_edits_gives_exactly_what_a_fresh_load_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "a.yaml", &cos_doc("a", "alpha-1250000000"));
    write(dir, "b.yaml", &cos_doc("b", "beta-1250000000"));
    let mut cache = ParseCache::default();
    assert_eq!(
        load_dir_cached(dir, &mut cache).unwrap(),
        load_dir(dir).unwrap()
    );

    // Edit one file, add one, and break then fix another: every reload matches a fresh load.
    write(dir, "b.yaml", &cos_doc("b2", "beta-1250000000"));
    write(dir, "c.yaml", &cos_doc("c", "gamma-1250000000"));
    assert_eq!(
        load_dir_cached(dir, &mut cache).unwrap(),
        load_dir(dir).unwrap()
    );
    write(dir, "a.yaml", "apiVersion: invsync/v1\nkind: [broken\n");
    let cached = load_dir_cached(dir, &mut cache).unwrap_err();
    assert_eq!(cached.to_string(), errors(dir).to_string());
    write(dir, "a.yaml", &cos_doc("a", "alpha-1250000000"));
    let reloaded = load_dir_cached(dir, &mut cache).unwrap();
    assert_eq!(reloaded, load_dir(dir).unwrap());
    assert_eq!(reloaded.buckets.len(), 3);

    // A duplicate across files is found even when both files come from the cache.
    write(dir, "d.yaml", &cos_doc("d", "alpha-1250000000"));
    let duplicate = load_dir_cached(dir, &mut cache).unwrap_err().to_string();
    assert!(duplicate.contains("already declared"), "{duplicate}");
    fs::remove_file(dir.join("d.yaml")).unwrap();
    assert_eq!(
        load_dir_cached(dir, &mut cache).unwrap(),
        load_dir(dir).unwrap()
    );
}
