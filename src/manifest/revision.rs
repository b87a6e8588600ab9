//! The revision of a manifests directory: its git commit when known, else a content digest.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[cfg(test)]
/// The revision stamped on plans, logs and metrics.
///
/// `dir` is the resolved directory (after following a git-sync symlink). When its last path
/// component is a commit hash (40 hex digits, or 64 for SHA-256 repositories), as in git-sync's
/// `.worktrees/<hash>` directories, that hash is the revision. Otherwise it is `sha256:`
/// followed by the first 16 hex digits of a SHA-256 over the manifest files' relative paths and
/// contents in path order, so the same files always give the same revision wherever they are.
pub(crate) fn revision_of(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> String {
    let digests: Vec<(PathBuf, [u8; 32])> = files
        .iter()
        .map(|(path, contents)| (path.clone(), file_digest(contents)))
        .collect();
    revision_from_digests(dir, &digests)
}

/// The SHA-256 of one manifest file's contents.
pub(crate) fn file_digest(contents: &[u8]) -> [u8; 32] {
    Sha256::digest(contents).into()
}

/// [`revision_of`] from each file's [`file_digest`], for callers that already have them.
pub(crate) fn revision_from_digests(dir: &Path, files: &[(PathBuf, [u8; 32])]) -> String {
    if let Some(hash) = dir
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| is_commit_hash(n))
    {
        return hash.to_ascii_lowercase();
    }
    let mut sorted: Vec<&(PathBuf, [u8; 32])> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = Sha256::new();
    for (path, digest) in sorted {
        // Length-prefixed so that no two lists of paths encode to the same bytes.
        let path = path.to_string_lossy();
        hasher.update((path.len() as u64).to_be_bytes());
        hasher.update(path.as_bytes());
        hasher.update(digest);
    }
    let digest = hex::encode(hasher.finalize());
    format!("sha256:{}", &digest[..16])
}

fn is_commit_hash(name: &str) -> bool {
    matches!(name.len(), 40 | 64) && name.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "0123456789abcdef0123456789abcdef01234567";

    fn files(entries: &[(&str, &str)]) -> Vec<(PathBuf, Vec<u8>)> {
        entries
            .iter()
            .map(|(p, c)| (PathBuf::from(p), c.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn a_commit_named_directory_gives_its_hash() {
        let dir = PathBuf::from("/git/.worktrees").join(HASH);
        assert_eq!(revision_of(&dir, &files(&[("a.yaml", "x")])), HASH);
    }

    #[test]
    fn other_directories_give_a_content_digest_independent_of_order_and_location() {
        let a = revision_of(
            Path::new("/x/manifests"),
            &files(&[("a.yaml", "1"), ("b.yaml", "2")]),
        );
        let b = revision_of(
            Path::new("/y/other"),
            &files(&[("b.yaml", "2"), ("a.yaml", "1")]),
        );
        assert_eq!(a, b);
        assert!(a.starts_with("sha256:"));
        assert_eq!(a.len(), "sha256:".len() + 16);
    }

    #[test]
    fn any_change_of_content_or_name_changes_the_digest() {
        let base = revision_of(Path::new("m"), &files(&[("a.yaml", "1")]));
        assert_ne!(
            base,
            revision_of(Path::new("m"), &files(&[("a.yaml", "2")]))
        );
        assert_ne!(
            base,
            revision_of(Path::new("m"), &files(&[("b.yaml", "1")]))
        );
        assert_ne!(
            revision_of(Path::new("m"), &files(&[("a", "bc")])),
            revision_of(Path::new("m"), &files(&[("ab", "c")]))
        );
    }
}
