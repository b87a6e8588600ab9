//! Reading a file named by a flag, a config file or a manifests directory: regular files only,
//! bounded in size, never blocking.
//!
//! Every file invsync reads (manifests, `--hook-secret-file`, `--notify-config` and its
//! `urlFile`s, `--credentials-file`, the emulator's `--state`) goes through [`read`], because a
//! path may name something other than a regular file: a FIFO blocks the reader until a writer
//! comes (a start that never finishes), a link to `/dev/zero` never ends (memory that grows
//! without bound), a huge file exhausts memory.
//!
//! # Guarantees
//! - Only regular files are read. The path is checked with `stat` before it is opened (so a
//!   device is never opened at all, since opening some has side effects) and the opened file
//!   is checked again with `fstat` (so one swapped in between is not read either).
//! - Opening never blocks: the file is opened with `O_NONBLOCK`, which opens a FIFO at once
//!   and does not change how a regular file reads.
//! - No more than the limit plus one byte is read, even from a file that grows while it is
//!   read.
//! - Errors describe the file's problem and the fix, never its contents; the caller names the
//!   path and the flag.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed (missing, permission denied, …).
    #[error(transparent)]
    Io(#[from] io::Error),
    /// Not a regular file: `kind` is `FIFO`, `socket`, `character device`, `block device`,
    /// `directory` or `special file`.
    #[error(
        "is a {kind}, not a regular file (reading it could block or never end); point it at a \
         regular file"
    )]
    NotRegular {
        /// What the path names instead, as `stat` reports it (see above).
        kind: &'static str,
    },
    /// Larger than the limit; `size` is what was seen (a lower bound when the file grew while
    /// it was read).
    #[error("is {size} bytes, more than the limit of {limit} bytes ({})", human_size(*limit))]
    TooLarge {
        /// Bytes seen: the size `stat` reports, or what was read (then `limit + 1`).
        size: u64,
        /// The caller's limit, in bytes.
        limit: u64,
    },
    /// Not UTF-8 text (only from [`read_to_string`]).
    #[error("is not UTF-8 text")]
    NotUtf8,
}

impl ReadError {
    /// True when the file does not exist.
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

/// The contents of the regular file at `path`, at most `limit` bytes.
///
/// Symlinks are followed (mounted secrets are links); the caller decides whether where a link
/// leads is acceptable.
///
/// # Errors
/// `path` is missing or unreadable, is not a regular file, or holds more than `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    check(&std::fs::metadata(path)?, limit)?;
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let opened = file.metadata()?;
    check(&opened, limit)?;
    let mut contents = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut contents)?;
    let size = contents.len() as u64;
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    Ok(contents)
}

/// [`read`] as UTF-8 text.
///
/// # Errors
/// As [`read`], and text that is not UTF-8.
pub fn read_to_string(path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read(path, limit)?).map_err(|_| ReadError::NotUtf8)
}

/// What a file that is not a regular file is, or `None` for a regular file.
pub(crate) fn special_kind(metadata: &Metadata) -> Option<&'static str> {
    let file_type = metadata.file_type();
    if file_type.is_file() {
        None
    } else if file_type.is_fifo() {
        Some("FIFO")
    } else if file_type.is_socket() {
        Some("socket")
    } else if file_type.is_char_device() {
        Some("character device")
    } else if file_type.is_block_device() {
        Some("block device")
    } else if file_type.is_dir() {
        Some("directory")
    } else {
        Some("special file")
    }
}

fn check(metadata: &Metadata, limit: u64) -> Result<(), ReadError> {
    if let Some(kind) = special_kind(metadata) {
        return Err(ReadError::NotRegular { kind });
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            size: metadata.len(),
            limit,
        });
    }
    Ok(())
}

/// `16 MiB`, `64 KiB` or `100 bytes`, for limits.
fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    const GIB: u64 = 1024 * MIB;
    match bytes {
        b if b >= GIB && b % GIB == 0 => format!("{} GiB", b / GIB),
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;

    use super::*;

    fn mkfifo(path: &Path) {
        let name = CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a directory entry.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    }

    #[test]
    fn a_regular_file_within_the_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(read(&path, 10).unwrap(), b"0123456789");
        assert_eq!(read_to_string(&path, 10).unwrap(), "0123456789");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_naming_size_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(64 * 1024 + 1)
            .unwrap();
        let error = read(&path, 64 * 1024).unwrap_err();
        assert_eq!(
            error.to_string(),
            "is 65537 bytes, more than the limit of 65536 bytes (64 KiB)"
        );
    }

    #[test]
    fn a_fifo_is_refused_at_once_without_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe");
        mkfifo(&path);
        let error = read(&path, 1024).unwrap_err();
        assert!(
            matches!(error, ReadError::NotRegular { kind: "FIFO" }),
            "{error}"
        );
        assert!(error.to_string().contains("point it at a regular file"));
    }

    #[test]
    fn a_link_to_dev_zero_and_a_directory_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read(&link, 1024),
            Err(ReadError::NotRegular {
                kind: "character device"
            })
        ));
        assert!(matches!(
            read(dir.path(), 1024),
            Err(ReadError::NotRegular { kind: "directory" })
        ));
    }

    #[test]
    fn a_missing_file_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let error = read(&dir.path().join("absent"), 10).unwrap_err();
        assert!(error.is_not_found(), "{error}");
    }

    #[test]
    fn sizes_print_in_the_largest_exact_unit() {
        assert_eq!(human_size(16 * 1024 * 1024), "16 MiB");
        assert_eq!(human_size(1024 * 1024 * 1024), "1 GiB");
        assert_eq!(human_size(64 * 1024), "64 KiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }
}
