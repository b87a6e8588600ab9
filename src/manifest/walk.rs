//! Finding the manifest files of a directory.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One manifest file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestFile {
    /// Path below the walked directory.
    pub relative: PathBuf,
    pub contents: Vec<u8>,
}

/// A file or directory that could not be read.
#[derive(Debug)]
pub struct WalkError {
    pub relative: PathBuf,
    pub error: io::Error,
}

/// Every `*.yaml` / `*.yml` file below `root`, recursively, sorted by path.
///
/// Hidden entries (names starting with `.`, such as `.git` or git-sync's `.worktrees`) are
/// skipped. Symlinked files are followed; symlinked directories are not, so that a link cycle
/// cannot make the walk endless. Unreadable entries are returned as errors, not skipped.
pub fn manifest_files(root: &Path) -> (Vec<ManifestFile>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    walk(root, Path::new(""), &mut files, &mut errors);
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    (files, errors)
}

fn walk(root: &Path, relative: &Path, files: &mut Vec<ManifestFile>, errors: &mut Vec<WalkError>) {
    let entries = match fs::read_dir(root.join(relative)) {
        Ok(entries) => entries,
        Err(error) => {
            errors.push(WalkError {
                relative: relative.to_path_buf(),
                error,
            });
            return;
        }
    };
    let mut names: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    names.sort_by_key(|e| e.file_name());
    for entry in names {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let child = relative.join(&name);
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            walk(root, &child, files, errors);
            continue;
        }
        if !is_manifest_name(&child) {
            continue;
        }
        // A symlink to a directory named *.yaml is not a manifest.
        if file_type.is_symlink() && fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        match fs::read(entry.path()) {
            Ok(contents) => files.push(ManifestFile {
                relative: child,
                contents,
            }),
            Err(error) => errors.push(WalkError {
                relative: child,
                error,
            }),
        }
    }
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e == "yaml" || e == "yml")
}
