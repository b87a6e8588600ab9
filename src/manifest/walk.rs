//! Finding the manifest files of a directory.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::guarded_file::{self, ReadError};

/// Largest manifest file read, in bytes (16 MiB). Far above any real file (a bucket holds at
/// most 1,000 inventories of a few hundred bytes each) and below what would let one file
/// exhaust memory; the parser's node budget would refuse a larger file anyway, but only after
/// reading it whole.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One manifest file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManifestFile {
    /// Path below the walked directory.
    pub relative: PathBuf,
    pub contents: Vec<u8>,
}

/// A file or directory that could not be read, or a path that is not a manifest file.
#[derive(Debug)]
pub(crate) struct WalkError {
    pub relative: PathBuf,
    pub problem: WalkProblem,
}

/// Why a file or directory could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WalkProblem {
    #[error("cannot be read: {0}")]
    Io(#[from] io::Error),
    /// Larger than [`MAX_FILE_BYTES`]; `size` is what was seen (a lower bound when the file
    /// grew while it was read).
    #[error(
        "is {size} bytes, more than the limit of {MAX_FILE_BYTES} bytes (16 MiB) per manifest file"
    )]
    TooLarge { size: u64 },
    /// A FIFO, a socket, a device (such as a link to `/dev/zero`): never opened for reading,
    /// since reading it could block forever or never end.
    #[error("is a {kind}, not a regular file, so it was not read")]
    NotRegular { kind: &'static str },
    /// A symlink whose target is outside the walked directory, or inside it but below a hidden
    /// entry. The target is neither read nor named: it may be a secret.
    #[error("is a symlink leading outside the manifests directory, so it was not read")]
    OutsideTree,
}

impl WalkProblem {
    /// True when the same read may succeed later with the same files (see [`is_transient`]).
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            WalkProblem::Io(error) => is_transient(error),
            WalkProblem::TooLarge { .. }
            | WalkProblem::NotRegular { .. }
            | WalkProblem::OutsideTree => false,
        }
    }

    /// How to fix it, when there is more to say than the message.
    pub(crate) fn hint(&self) -> Option<&'static str> {
        match self {
            WalkProblem::Io(_) => None,
            WalkProblem::TooLarge { .. } => Some(
                "split it into several manifest files, or move it out of the manifests directory",
            ),
            WalkProblem::NotRegular { .. } => Some(
                "a manifest must be a regular file; replace it with one, or remove it from the \
                 manifests directory",
            ),
            WalkProblem::OutsideTree => Some(
                "a symlinked manifest must lead to a file inside the manifests directory (not \
                 below a hidden entry such as .git); put the file itself there instead",
            ),
        }
    }
}

impl From<ReadError> for WalkProblem {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::Io(e) => WalkProblem::Io(e),
            ReadError::NotRegular { kind } => WalkProblem::NotRegular { kind },
            ReadError::TooLarge { size, .. } => WalkProblem::TooLarge { size },
            ReadError::NotUtf8 => WalkProblem::Io(io::Error::from(io::ErrorKind::InvalidData)),
        }
    }
}

/// True for an I/O error that says nothing about the files and may pass by itself: the
/// process or the system out of descriptors (`EMFILE`, `ENFILE`) or memory (`ENOMEM`,
/// `ENOBUFS`), an interrupted or would-block call, a busy or timed-out device, a stale network
/// file handle, and `EIO` (a network or overlay volume's hiccup). Not transient: a missing
/// file, a permission problem, a path that is not a directory: those need an edit, which the
/// watcher sees.
pub(crate) fn is_transient(error: &io::Error) -> bool {
    if let Some(code) = error.raw_os_error() {
        return [
            libc::EMFILE,
            libc::ENFILE,
            libc::ENOMEM,
            libc::ENOBUFS,
            libc::EINTR,
            libc::EAGAIN,
            libc::EBUSY,
            libc::ETIMEDOUT,
            libc::ESTALE,
            libc::EIO,
        ]
        .contains(&code);
    }
    matches!(
        error.kind(),
        io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
            | io::ErrorKind::TimedOut
            | io::ErrorKind::OutOfMemory
    )
}

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    /// Sorted by path.
    pub files: Vec<ManifestFile>,
    pub errors: Vec<WalkError>,
}

/// Every `*.yaml` / `*.yml` file below `root`, recursively, sorted by path.
///
/// Hidden entries (names starting with `.`, such as `.git` or git-sync's `.worktrees`) are
/// skipped. Symlinked directories are not followed, so that a link cycle cannot make the walk
/// endless.
///
/// # Guarantees
/// - Only what is inside `root` is read. A symlinked file is read only when its target
///   (every link resolved) lies inside `root` and not below a hidden entry, as a repository's
///   relative links between its own files do; `root` itself may be a link (git-sync). Any other
///   link is an error naming the link, and its target is neither read nor named, because it
///   may be a secret (`/var/run/secrets/…`, the daemon's credentials file).
/// - Entries that are not regular files (FIFOs, sockets, devices) are never opened for
///   reading and are errors, as are unreadable entries and files larger than
///   [`MAX_FILE_BYTES`]; files are read with [`crate::guarded_file::read`], so no read blocks
///   or goes past the limit plus one byte.
pub(crate) fn manifest_files(root: &Path) -> Walk {
    let mut found = Walk::default();
    match fs::canonicalize(root) {
        Ok(real_root) => walk(&real_root, Path::new(""), &mut found),
        Err(error) => found.errors.push(WalkError {
            relative: PathBuf::new(),
            problem: error.into(),
        }),
    }
    found.files.sort_by(|a, b| a.relative.cmp(&b.relative));
    found
}

/// Walks `relative` below `real_root`, the walked directory with every link resolved (so a
/// git-sync swap during the walk cannot mix two checkouts).
fn walk(real_root: &Path, relative: &Path, found: &mut Walk) {
    let entries = match fs::read_dir(real_root.join(relative)) {
        Ok(entries) => entries,
        Err(error) => {
            found.errors.push(WalkError {
                relative: relative.to_path_buf(),
                problem: error.into(),
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
            walk(real_root, &child, found);
            continue;
        }
        if !is_manifest_name(&child) {
            continue;
        }
        let path = if file_type.is_symlink() {
            match inside_target(&entry.path(), real_root) {
                Ok(target) => target,
                Err(problem) => {
                    found.errors.push(WalkError {
                        relative: child,
                        problem,
                    });
                    continue;
                }
            }
        } else {
            entry.path()
        };
        // A symlink to a directory named *.yaml is not a manifest.
        if file_type.is_symlink() && path.is_dir() {
            continue;
        }
        match guarded_file::read(&path, MAX_FILE_BYTES) {
            Ok(contents) => found.files.push(ManifestFile {
                relative: child,
                contents,
            }),
            Err(error) => found.errors.push(WalkError {
                relative: child,
                problem: error.into(),
            }),
        }
    }
}

/// Where the symlink `link` leads, every link resolved, when that is inside `real_root` and not
/// below a hidden entry; the resolved path is what is read, so the check and the read agree.
fn inside_target(link: &Path, real_root: &Path) -> Result<PathBuf, WalkProblem> {
    let target = fs::canonicalize(link)?;
    let below = target
        .strip_prefix(real_root)
        .map_err(|_| WalkProblem::OutsideTree)?;
    let hidden = below
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    if hidden {
        return Err(WalkProblem::OutsideTree);
    }
    Ok(target)
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e == "yaml" || e == "yml")
}
