//! Finding the manifest files of a directory.

use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Largest manifest file read, in bytes (16 MiB). Far above any real file (a bucket holds at
/// most 1,000 inventories of a few hundred bytes each) and below what would let one file
/// exhaust memory; the parser's node budget would refuse a larger file anyway, but only after
/// reading it whole.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

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
    pub problem: WalkProblem,
}

/// Why a file or directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WalkProblem {
    #[error("cannot be read: {0}")]
    Io(#[from] io::Error),
    /// Larger than [`MAX_FILE_BYTES`]; `size` is what was seen (a lower bound when the file
    /// grew while it was read).
    #[error(
        "is {size} bytes, more than the limit of {MAX_FILE_BYTES} bytes (16 MiB) per manifest file"
    )]
    TooLarge { size: u64 },
}

impl WalkProblem {
    /// True when the same read may succeed later with the same files (see [`is_transient`]).
    pub fn is_transient(&self) -> bool {
        match self {
            WalkProblem::Io(error) => is_transient(error),
            WalkProblem::TooLarge { .. } => false,
        }
    }

    /// How to fix it, when there is more to say than the message.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            WalkProblem::Io(_) => None,
            WalkProblem::TooLarge { .. } => Some(
                "split it into several manifest files, or move it out of the manifests directory",
            ),
        }
    }
}

/// True for an I/O error that says nothing about the files and may pass by itself: the
/// process or the system out of descriptors (`EMFILE`, `ENFILE`) or memory (`ENOMEM`,
/// `ENOBUFS`), an interrupted or would-block call, a busy or timed-out device, a stale network
/// file handle, and `EIO` (a network or overlay volume's hiccup). Not transient: a missing
/// file, a permission problem, a path that is not a directory: those need an edit, which the
/// watcher sees.
pub fn is_transient(error: &io::Error) -> bool {
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

/// A `*.yaml` / `*.yml` entry that is not a regular file (a FIFO, a socket, a device such as a
/// link to `/dev/zero`): skipped, since reading it could block forever or never end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub relative: PathBuf,
    /// `fifo`, `socket`, `character device` or `block device`.
    pub kind: &'static str,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Sorted by path.
    pub files: Vec<ManifestFile>,
    pub errors: Vec<WalkError>,
    pub skipped: Vec<Skipped>,
}

/// Every `*.yaml` / `*.yml` file below `root`, recursively, sorted by path.
///
/// Hidden entries (names starting with `.`, such as `.git` or git-sync's `.worktrees`) are
/// skipped. Symlinked files are followed; symlinked directories are not, so that a link cycle
/// cannot make the walk endless. Entries that are not regular files are never opened for
/// reading and are listed in [`Walk::skipped`]. Unreadable entries and files larger than
/// [`MAX_FILE_BYTES`] are returned as errors, not skipped; no more than the limit plus one byte
/// is ever read from a file, even one that grows while it is read.
pub fn manifest_files(root: &Path) -> Walk {
    let mut found = Walk::default();
    walk(root, Path::new(""), &mut found);
    found.files.sort_by(|a, b| a.relative.cmp(&b.relative));
    found
}

fn walk(root: &Path, relative: &Path, found: &mut Walk) {
    let entries = match fs::read_dir(root.join(relative)) {
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
            walk(root, &child, found);
            continue;
        }
        if !is_manifest_name(&child) {
            continue;
        }
        // Follows a symlink: what matters is what a read would reach.
        let metadata = match fs::metadata(entry.path()) {
            Ok(metadata) => metadata,
            Err(error) => {
                found.errors.push(WalkError {
                    relative: child,
                    problem: error.into(),
                });
                continue;
            }
        };
        // A symlink to a directory named *.yaml is not a manifest.
        if metadata.is_dir() {
            continue;
        }
        if let Some(kind) = special_kind(&metadata) {
            found.skipped.push(Skipped {
                relative: child,
                kind,
            });
            continue;
        }
        match read_bounded(&entry.path(), &metadata) {
            Ok(Some(contents)) => found.files.push(ManifestFile {
                relative: child,
                contents,
            }),
            Ok(None) => found.skipped.push(Skipped {
                relative: child,
                kind: "special file",
            }),
            Err(problem) => found.errors.push(WalkError {
                relative: child,
                problem,
            }),
        }
    }
}

/// What a non-regular file is, or `None` for a regular file.
fn special_kind(metadata: &Metadata) -> Option<&'static str> {
    let file_type = metadata.file_type();
    if file_type.is_file() {
        None
    } else if file_type.is_fifo() {
        Some("fifo")
    } else if file_type.is_socket() {
        Some("socket")
    } else if file_type.is_char_device() {
        Some("character device")
    } else if file_type.is_block_device() {
        Some("block device")
    } else {
        Some("special file")
    }
}

/// The contents of the regular file at `path`, at most [`MAX_FILE_BYTES`]; `None` when what
/// was opened is no longer a regular file (replaced since `checked` was taken).
fn read_bounded(path: &Path, checked: &Metadata) -> Result<Option<Vec<u8>>, WalkProblem> {
    if checked.len() > MAX_FILE_BYTES {
        return Err(WalkProblem::TooLarge {
            size: checked.len(),
        });
    }
    // Non-blocking, so that opening a FIFO swapped in after the check cannot hang; it has no
    // effect on reading a regular file.
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let opened = file.metadata()?;
    if special_kind(&opened).is_some() {
        return Ok(None);
    }
    let mut contents = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut contents)?;
    let size = contents.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(WalkProblem::TooLarge { size });
    }
    Ok(Some(contents))
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e == "yaml" || e == "yml")
}
