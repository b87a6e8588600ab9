//! Command output on stdout that ends quietly when the reader goes away
//! (`invsync plan | head -1`), as ripgrep does, instead of panicking on a broken pipe.

use std::io::{self, Write};

/// Writes `text` to stdout and flushes it.
///
/// # Errors
/// The write fails; a closed pipe is an error of kind [`io::ErrorKind::BrokenPipe`], which
/// `main` turns into a quiet exit 0 (see [`is_broken_pipe`]).
pub(crate) fn print(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// [`print`] followed by a newline.
///
/// # Errors
/// As [`print`].
pub(crate) fn println(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Whether `error` (or any error in its chain) is a closed pipe: the reader of stdout stopped
/// reading, which is how `head` and `grep -q` end a pipeline, not a failure of invsync.
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_is_recognised_through_added_context() {
        let error = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("printing the plan");
        assert!(is_broken_pipe(&error));
        let other = anyhow::Error::new(io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(!is_broken_pipe(&other));
    }
}
