//! Golden-file comparison: `assert_golden("plan/create.txt", &actual)`.
//!
//! Run the tests with `UPDATE_GOLDEN=1` to (re)write the files instead of comparing; review
//! the resulting `git diff` like any other change.
#![allow(dead_code)]

use std::path::PathBuf;

/// Compares `actual` with `tests/golden/<relative>`, or writes it there under
/// `UPDATE_GOLDEN=1`. Panics with a unified diff on mismatch.
pub(crate) fn assert_golden(relative: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(relative);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("golden files live in a directory"))
            .expect("create golden directory");
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .header("golden", "actual")
            .to_string();
        panic!(
            "{} differs from the output (UPDATE_GOLDEN=1 rewrites it):\n{diff}",
            path.display()
        );
    }
}
