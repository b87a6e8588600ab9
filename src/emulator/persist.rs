//! Optional persistence of the emulator's configurations to a JSON file.
//!
//! The file is replaced atomically (write a temporary file in the same directory, sync,
//! rename), so a crash leaves either the old or the new state, never a torn file.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::state::Store;
use crate::guarded_file::{self, ReadError};

const FORMAT_VERSION: u32 = 1;
/// Largest state file read: far above the 1,000 configurations of each of thousands of
/// buckets a test or a benchmark holds.
pub(crate) const MAX_STATE_FILE_BYTES: u64 = 1024 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct StateFile {
    format_version: u32,
    #[serde(flatten)]
    store: Store,
}

/// Why the state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// The file exists but was not read (unreadable, not a regular file, too large).
    #[error("cannot read emulator state file {path}")]
    Read {
        /// The state file (`--state`).
        path: PathBuf,
        /// Why it was not read.
        #[source]
        source: ReadError,
    },
    /// The file is not a state file's JSON.
    #[error("emulator state file {path} is not valid (delete it to start empty)")]
    Parse {
        /// The state file (`--state`).
        path: PathBuf,
        /// Where and why the JSON was refused.
        #[source]
        source: serde_json::Error,
    },
    /// The file was written by another format of the emulator.
    #[error("emulator state file {path} has format version {found}, expected {FORMAT_VERSION}")]
    Version {
        /// The state file (`--state`).
        path: PathBuf,
        /// The file's `format_version`.
        found: u32,
    },
    /// The new state was not stored (serializing, writing, syncing or renaming failed); the
    /// old file is left as it was.
    #[error("cannot write emulator state file {path}")]
    Write {
        /// The state file (`--state`).
        path: PathBuf,
        /// What the operating system reported.
        #[source]
        source: io::Error,
    },
}

/// The store saved at `path`; an empty store when the file does not exist yet.
///
/// # Errors
/// The file is unreadable, not a regular file, larger than [`MAX_STATE_FILE_BYTES`], not a
/// state file or of another format version.
pub(super) fn load(path: &Path) -> Result<Store, PersistError> {
    let bytes = match guarded_file::read(path, MAX_STATE_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(Store::default()),
        Err(source) => {
            return Err(PersistError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let file: StateFile = serde_json::from_slice(&bytes).map_err(|source| PersistError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    if file.format_version != FORMAT_VERSION {
        return Err(PersistError::Version {
            path: path.to_path_buf(),
            found: file.format_version,
        });
    }
    Ok(file.store)
}

/// Replaces the file at `path` with `store`, atomically.
pub(super) fn save(path: &Path, store: &Store) -> Result<(), PersistError> {
    let write_error = |source| PersistError::Write {
        path: path.to_path_buf(),
        source,
    };
    let file = StateFile {
        format_version: FORMAT_VERSION,
        store: store.clone(),
    };
    let bytes = serde_json::to_vec_pretty(&file).map_err(|e| write_error(io::Error::other(e)))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut out = fs::File::create(&temp)?;
        out.write_all(&bytes)?;
        out.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::state::PutMode;
    use crate::model::Provider;

    #[test]
    fn a_saved_store_loads_back_identical() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut store = Store::default();
        store
            .put(
                Provider::COS,
                "b-1250000000",
                "a",
                "<InventoryConfiguration/>".into(),
                PutMode::Upsert,
            )
            .unwrap();
        store
            .put(
                Provider::OSS,
                "ob",
                "r1",
                "<InventoryConfiguration/>".into(),
                PutMode::CreateOnly,
            )
            .unwrap();
        save(&path, &store).unwrap();
        assert_eq!(load(&path).unwrap(), store);
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_missing_file_is_an_empty_store_and_a_corrupt_one_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(load(&path).unwrap(), Store::default());
        fs::write(&path, "{not json").unwrap();
        assert!(matches!(load(&path), Err(PersistError::Parse { .. })));
        fs::write(&path, r#"{"format_version":9,"buckets":{}}"#).unwrap();
        assert!(matches!(
            load(&path),
            Err(PersistError::Version { found: 9, .. })
        ));
    }

    #[test]
    fn a_state_path_that_is_a_device_is_an_error_not_an_endless_read() {
        let error = load(Path::new("/dev/zero")).unwrap_err();
        assert!(
            matches!(
                &error,
                PersistError::Read {
                    source: ReadError::NotRegular { .. },
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn a_deeply_nested_state_file_is_a_parse_error_not_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let deep = format!("{}{}", "[".repeat(300_000), "]".repeat(300_000));
        for text in [
            format!(r#"{{"format_version":1,"unknown":{deep}}}"#),
            format!(r#"{{"format_version":1,"buckets":{deep}}}"#),
            deep.clone(),
        ] {
            fs::write(&path, text).unwrap();
            let err = load(&path).unwrap_err();
            assert!(matches!(err, PersistError::Parse { .. }), "{err:?}");
        }
    }
}
