//! Validates one delivered report: `manifest.checksum` against `manifest.json`, and what the
//! manifest says against the configuration. Pure.
//!
//! Shapes (`reference/reports.md` §2): every provider's manifest names `sourceBucket` and lists
//! `files`, each with a `key` (sizes and checksums are numbers or strings, and the checksum field
//! is `MD5checksum` or `md5Checksum`, so neither is relied on); `manifest.checksum` holds the MD5
//! of the manifest bytes as hex, compared trimmed and without regard to case.

use md5::{Digest, Md5};
use serde_json::Value;

use crate::model::ReportLocation;

/// What a valid manifest tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValidManifest {
    /// How many data files it lists.
    pub(crate) files: usize,
}

/// Checks a report whose manifest is `manifest` and whose checksum object is `checksum`,
/// delivered for `location`.
///
/// # Errors
/// Why the report is not trusted, in a sentence: the checksum does not match, the manifest is
/// not JSON, names another source bucket, lists no files, or a file outside the
/// configuration's report area.
pub(crate) fn validate(
    location: &ReportLocation,
    checksum: &[u8],
    manifest: &[u8],
) -> Result<ValidManifest, String> {
    let expected = String::from_utf8_lossy(checksum)
        .trim()
        .to_ascii_lowercase();
    let actual = hex::encode(Md5::digest(manifest));
    if expected != actual {
        return Err(format!(
            "manifest.checksum says {} but manifest.json's MD5 is {actual}",
            shorten(&expected)
        ));
    }
    let value: Value =
        serde_json::from_slice(manifest).map_err(|e| format!("manifest.json is not JSON: {e}"))?;
    let source = value.get("sourceBucket").and_then(Value::as_str);
    if source != Some(location.source_bucket.as_str()) {
        return Err(format!(
            "manifest.json names source bucket {}, not {}",
            source.map_or_else(|| "(none)".to_string(), shorten),
            location.source_bucket
        ));
    }
    let files = value
        .get("files")
        .and_then(Value::as_array)
        .filter(|files| !files.is_empty())
        .ok_or_else(|| "manifest.json lists no files".to_string())?;
    for file in files {
        let key = file.get("key").and_then(Value::as_str).unwrap_or_default();
        if key.is_empty() || !key.starts_with(&location.folder) || key.contains("/../") {
            return Err(format!(
                "manifest.json lists file `{}` outside {}",
                shorten(key),
                location.folder
            ));
        }
    }
    Ok(ValidManifest { files: files.len() })
}

/// At most 80 characters of text from the bucket, for messages.
fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BucketKey, Provider, ReportSchedule, StampFormat};

    fn location() -> ReportLocation {
        ReportLocation {
            destination: BucketKey {
                provider: Provider::S3,
                bucket: "dest".into(),
                region: "us-east-1".into(),
            },
            folder: "inv/src/daily/".into(),
            stamp: StampFormat::Minute,
            source_bucket: "src".into(),
            schedule: ReportSchedule::Every(std::time::Duration::from_secs(86_400)),
        }
    }

    fn sum(bytes: &[u8]) -> Vec<u8> {
        hex::encode(Md5::digest(bytes)).into_bytes()
    }

    const MANIFEST: &str = r#"{"sourceBucket":"src","destinationBucket":"arn:aws:s3:::dest",
        "files":[{"key":"inv/src/daily/data/a.csv.gz","size":12,"MD5checksum":"x"}]}"#;

    #[test]
    fn a_manifest_with_its_checksum_source_and_files_is_valid() {
        let valid = validate(&location(), &sum(MANIFEST.as_bytes()), MANIFEST.as_bytes());
        assert_eq!(valid, Ok(ValidManifest { files: 1 }));
        let upper = format!(
            "{}\n",
            String::from_utf8(sum(MANIFEST.as_bytes()))
                .unwrap()
                .to_uppercase()
        );
        assert!(validate(&location(), upper.as_bytes(), MANIFEST.as_bytes()).is_ok());
    }

    #[test]
    fn a_tampered_manifest_fails_its_checksum() {
        let tampered = MANIFEST.replace("12", "13");
        let err =
            validate(&location(), &sum(MANIFEST.as_bytes()), tampered.as_bytes()).unwrap_err();
        assert!(err.contains("checksum"), "{err}");
    }

    #[test]
    fn another_source_no_files_or_a_file_elsewhere_is_invalid() {
        for (bad, why) in [
            (MANIFEST.replace("\"src\"", "\"other\""), "source bucket"),
            (
                MANIFEST.replace(
                    r#"{"key":"inv/src/daily/data/a.csv.gz","size":12,"MD5checksum":"x"}"#,
                    "",
                ),
                "no files",
            ),
            (
                MANIFEST.replace("inv/src/daily/data", "elsewhere"),
                "outside",
            ),
            ("[1]".to_string(), "source bucket"),
            ("{".to_string(), "not JSON"),
        ] {
            let err = validate(&location(), &sum(bad.as_bytes()), bad.as_bytes()).unwrap_err();
            assert!(err.contains(why), "{why}: {err}");
        }
    }
}
