//! Credentials read from a `KEY=VALUE` file and re-read when it changes (mounted secrets).
//!
//! The file uses the providers' standard environment variable names, so the same text works
//! as a systemd `EnvironmentFile` and as a Kubernetes Secret mounted as a file:
//!
//! ```text
//! # COS
//! TENCENTCLOUD_SECRET_ID=AKID...
//! TENCENTCLOUD_SECRET_KEY="..."
//! # OSS, optional temporary token
//! ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI...
//! ALIBABA_CLOUD_ACCESS_KEY_SECRET='...'
//! ALIBABA_CLOUD_SECURITY_TOKEN=...
//! ```
//!
//! Blank lines and lines starting with `#` are ignored, an `export ` prefix is accepted, keys
//! and values are trimmed, and a value may be wrapped in one pair of `"` or `'` quotes (no
//! escapes). Keys for other providers are ignored, so one file can serve both.
//!
//! # Guarantees
//! - Every [`CredentialSource::credentials`] call costs one `stat` of the file; the file is read
//!   and parsed again only when its modification time, size or inode changed (a Kubernetes
//!   Secret update swaps the file behind a symlink, which changes all three). Rotated keys are
//!   therefore used from the next signed request on, without a restart.
//! - The file is read with [`crate::guarded_file::read`]: a FIFO, a device or a file over
//!   [`MAX_FILE_BYTES`] is an error, never a blocked or endless read.
//! - Error messages name the file and the missing key or the malformed line number, never a
//!   value read from the file. `Debug` and `Display` of [`CredentialsFile`] show only the path
//!   and provider.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::guarded_file::{self, ReadError};

use super::credentials::{
    BoxFuture, CredentialSource, CredentialVars, Credentials, CredentialsError, EnvCredentials,
};

/// Largest credentials file read; a few keys take a few hundred bytes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Why the credentials file gave no credentials.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CredentialsFileError {
    /// The file could not be read (missing, unreadable, not a regular file, too large).
    #[error("cannot read credentials file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: ReadError,
    },
    /// A line is neither blank, a comment, nor `KEY=VALUE`.
    #[error("credentials file {}: line {line} is not KEY=VALUE", path.display())]
    Malformed { path: PathBuf, line: usize },
    /// A required key is absent or empty.
    #[error("credentials file {}: {key} is missing or empty", path.display())]
    MissingKey { path: PathBuf, key: &'static str },
}

/// What identifies one version of the file without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl FileStamp {
    fn of(metadata: &fs::Metadata) -> Self {
        FileStamp {
            modified: metadata.modified().ok(),
            len: metadata.len(),
            inode: inode(metadata),
        }
    }
}

#[cfg(unix)]
fn inode(metadata: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    metadata.ino()
}

#[cfg(not(unix))]
fn inode(_: &fs::Metadata) -> u64 {
    0
}

/// The parse of one file version; errors are cached too, so a broken file is not re-read
/// until it changes.
struct Cached {
    stamp: FileStamp,
    result: Result<Credentials, CredentialsError>,
}

/// A [`CredentialSource`] backed by a `KEY=VALUE` file; see the [module docs](self).
pub(crate) struct CredentialsFile {
    path: PathBuf,
    vars: CredentialVars,
    cache: Mutex<Option<Cached>>,
}

impl CredentialsFile {
    /// The credentials named by `vars` from `path`. The file is not read until first use.
    pub(crate) fn new(vars: CredentialVars, path: impl Into<PathBuf>) -> Self {
        CredentialsFile {
            path: path.into(),
            vars,
            cache: Mutex::new(None),
        }
    }

    /// The current credentials, re-reading the file only when it changed.
    fn credentials_cached(&self) -> Result<Credentials, CredentialsError> {
        let stamp = match fs::metadata(&self.path) {
            Ok(metadata) => FileStamp::of(&metadata),
            Err(source) => {
                return Err(self.error(CredentialsFileError::Read {
                    path: self.path.clone(),
                    source: source.into(),
                }));
            }
        };
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(cached) = cache.as_ref().filter(|c| c.stamp == stamp) {
            return cached.result.clone();
        }
        let result = self.load_uncached().map_err(|e| self.error(e));
        *cache = Some(Cached {
            stamp,
            result: result.clone(),
        });
        result
    }

    fn error(&self, source: CredentialsFileError) -> CredentialsError {
        CredentialsError::File {
            path: self.path.clone(),
            source: Arc::new(source),
        }
    }

    fn load_uncached(&self) -> Result<Credentials, CredentialsFileError> {
        let text = guarded_file::read_to_string(&self.path, MAX_FILE_BYTES).map_err(|source| {
            CredentialsFileError::Read {
                path: self.path.clone(),
                source,
            }
        })?;
        parse(&text, self.vars, &self.path)
    }
}

impl CredentialSource for CredentialsFile {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        // A local file read: nothing worth yielding for.
        Box::pin(std::future::ready(self.credentials_cached()))
    }
}

impl fmt::Debug for CredentialsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsFile")
            .field("path", &self.path)
            .field("provider", &self.vars.provider)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for CredentialsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} credentials file {}",
            self.vars.provider,
            self.path.display()
        )
    }
}

/// Parses the file text into the credentials `names` names. `path` is only used in errors.
fn parse(
    text: &str,
    names: CredentialVars,
    path: &Path,
) -> Result<Credentials, CredentialsFileError> {
    let mut id = None;
    let mut secret = None;
    let mut token = None;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            return Err(CredentialsFileError::Malformed {
                path: path.to_owned(),
                line: index + 1,
            });
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(CredentialsFileError::Malformed {
                path: path.to_owned(),
                line: index + 1,
            });
        }
        let value = unquote(value.trim()).to_owned();
        // Later lines win, as in a shell or an EnvironmentFile.
        if key == names.id {
            id = Some(value);
        } else if key == names.secret {
            secret = Some(value);
        } else if key == names.token {
            token = Some(value);
        }
    }
    let required = |value: Option<String>, key| {
        value
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CredentialsFileError::MissingKey {
                path: path.to_owned(),
                key,
            })
    };
    let id = required(id, names.id)?;
    let secret = required(secret, names.secret)?;
    let credentials = Credentials::new(id, secret);
    Ok(match token.filter(|t| !t.is_empty()) {
        Some(token) => credentials.with_security_token(token),
        None => credentials,
    })
}

/// Strips one pair of matching surrounding quotes.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// The keys named by `vars` from the credentials file `file` when given, else from the
/// environment; read for every request either way, so rotation needs no restart.
pub(crate) fn env_or_file(vars: CredentialVars, file: Option<&Path>) -> Arc<dyn CredentialSource> {
    match file {
        Some(path) => Arc::new(CredentialsFile::new(vars, path)),
        None => Arc::new(EnvCredentials(vars)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::cos::credentials::VARS as COS;
    use crate::provider::oss::credentials::VARS as OSS;

    fn parse_cos(text: &str) -> Result<Credentials, CredentialsFileError> {
        parse(text, COS, Path::new("/etc/invsync/credentials"))
    }

    #[test]
    fn comments_blank_lines_quotes_and_export_are_accepted() {
        let creds = parse_cos(
            "# COS keys\n\n  export TENCENTCLOUD_SECRET_ID = \"AKIDx\"\nTENCENTCLOUD_SECRET_KEY='k=ey'\nTENCENTCLOUD_SESSION_TOKEN=tok\n",
        )
        .unwrap();
        assert_eq!(creds.access_key_id, "AKIDx");
        assert_eq!(creds.access_key_secret.expose(), "k=ey");
        assert_eq!(creds.security_token.unwrap().expose(), "tok");
    }

    #[test]
    fn the_other_providers_keys_are_ignored() {
        let text = "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI\nALIBABA_CLOUD_ACCESS_KEY_SECRET=s\nTENCENTCLOUD_SECRET_ID=AKID\nTENCENTCLOUD_SECRET_KEY=k\n";
        let oss = parse(text, OSS, Path::new("f")).unwrap();
        assert_eq!(oss.access_key_id, "LTAI");
        assert!(oss.security_token.is_none());
        assert_eq!(parse_cos(text).unwrap().access_key_id, "AKID");
    }

    #[test]
    fn an_empty_token_means_no_token() {
        let creds = parse_cos(
            "TENCENTCLOUD_SECRET_ID=a\nTENCENTCLOUD_SECRET_KEY=b\nTENCENTCLOUD_SESSION_TOKEN=\n",
        )
        .unwrap();
        assert!(creds.security_token.is_none());
    }

    #[test]
    fn a_missing_or_empty_key_is_named_with_the_file() {
        let err =
            parse_cos("TENCENTCLOUD_SECRET_ID=a\nTENCENTCLOUD_SECRET_KEY=\"\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "credentials file /etc/invsync/credentials: TENCENTCLOUD_SECRET_KEY is missing or empty"
        );
        let err = parse_cos("TENCENTCLOUD_SECRET_KEY=b\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("TENCENTCLOUD_SECRET_ID is missing")
        );
    }

    #[test]
    fn a_malformed_line_is_reported_by_number_without_its_content() {
        let err = parse_cos("TENCENTCLOUD_SECRET_ID=a\nsupersecretvalue\n").unwrap_err();
        let message = err.to_string();
        assert_eq!(
            message,
            "credentials file /etc/invsync/credentials: line 2 is not KEY=VALUE"
        );
        assert!(!message.contains("supersecretvalue"));
    }

    fn write(path: &Path, id: &str, secret: &str) {
        // Written to a sibling and renamed, as a Kubernetes Secret update or an atomic deploy
        // does, so a reader never sees half a file.
        let tmp = path.with_extension("tmp");
        fs::write(
            &tmp,
            format!("TENCENTCLOUD_SECRET_ID={id}\nTENCENTCLOUD_SECRET_KEY={secret}\n"),
        )
        .unwrap();
        fs::rename(&tmp, path).unwrap();
    }

    #[test]
    fn rotated_keys_are_picked_up_without_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        write(&path, "AKIDold", "old-secret");
        let source = CredentialsFile::new(COS, &path);
        assert_eq!(
            source.credentials_cached().unwrap().access_key_id,
            "AKIDold"
        );
        write(&path, "AKIDnew", "new-secret-longer");
        let creds = source.credentials_cached().unwrap();
        assert_eq!(creds.access_key_id, "AKIDnew");
        assert_eq!(creds.access_key_secret.expose(), "new-secret-longer");
    }

    #[test]
    fn an_in_place_rewrite_of_the_same_size_is_picked_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(
            &path,
            "TENCENTCLOUD_SECRET_ID=AKID1\nTENCENTCLOUD_SECRET_KEY=aaaa\n",
        )
        .unwrap();
        let source = CredentialsFile::new(COS, &path);
        assert_eq!(
            source
                .credentials_cached()
                .unwrap()
                .access_key_secret
                .expose(),
            "aaaa"
        );
        // Make sure the modification time moves even on coarse-grained file systems.
        let file = fs::File::options().write(true).open(&path).unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        fs::write(
            &path,
            "TENCENTCLOUD_SECRET_ID=AKID1\nTENCENTCLOUD_SECRET_KEY=bbbb\n",
        )
        .unwrap();
        file.set_modified(later).unwrap();
        assert_eq!(
            source
                .credentials_cached()
                .unwrap()
                .access_key_secret
                .expose(),
            "bbbb"
        );
    }

    #[test]
    fn an_unchanged_file_is_not_parsed_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        write(&path, "AKID", "s");
        let source = CredentialsFile::new(COS, &path);
        source.credentials_cached().unwrap();
        let stamp = source.cache.lock().unwrap().as_ref().unwrap().stamp.clone();
        // Poison the cached value: if the file were re-parsed, the real keys would come back.
        source.cache.lock().unwrap().as_mut().unwrap().result =
            Err(CredentialsError::refresh("cached"));
        assert_eq!(
            source.credentials_cached().unwrap_err().to_string(),
            "cached"
        );
        assert_eq!(source.cache.lock().unwrap().as_ref().unwrap().stamp, stamp);
    }

    #[test]
    fn a_missing_file_is_named_and_recovers_once_it_appears() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let source = CredentialsFile::new(OSS, &path);
        let error = source.credentials_cached().unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("cannot read credentials file"),
            "{message}"
        );
        // The operating system's reason is the cause, not part of the message.
        let chain = crate::error_chain::Chain(&error).to_string();
        assert!(chain.contains("No such file or directory"), "{chain}");
        assert!(message.contains(&path.display().to_string()));
        fs::write(
            &path,
            "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI\nALIBABA_CLOUD_ACCESS_KEY_SECRET=s\nALIBABA_CLOUD_SECURITY_TOKEN=t\n",
        )
        .unwrap();
        let creds = source.credentials_cached().unwrap();
        assert_eq!(creds.access_key_id, "LTAI");
        assert_eq!(creds.security_token.unwrap().expose(), "t");
    }

    #[test]
    fn a_missing_key_message_names_file_and_key_but_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "TENCENTCLOUD_SECRET_KEY=hunter2-secret\n").unwrap();
        let message = CredentialsFile::new(COS, &path)
            .credentials_cached()
            .unwrap_err()
            .to_string();
        assert!(message.contains(&path.display().to_string()));
        assert!(message.contains("TENCENTCLOUD_SECRET_ID"));
        assert!(!message.contains("hunter2"));
    }

    #[test]
    fn debug_and_display_never_show_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        write(&path, "AKIDvisible", "hunter2-secret");
        let source = CredentialsFile::new(COS, &path);
        let creds = source.credentials_cached().unwrap();
        let shown = format!("{source:?} {source} {creds:?} {}", creds.access_key_secret);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("cos credentials file"));
        assert!(shown.contains(&path.display().to_string()));
    }

    #[test]
    fn a_credentials_file_that_is_a_device_is_an_error_not_an_endless_read() {
        let source = CredentialsFile::new(COS, "/dev/zero");
        let error = source.credentials_cached().unwrap_err();
        let chain = crate::error_chain::Chain(&error).to_string();
        assert!(
            chain.contains("cannot read credentials file /dev/zero"),
            "{chain}"
        );
        assert!(
            chain.contains("is a character device, not a regular file"),
            "{chain}"
        );
    }
}
