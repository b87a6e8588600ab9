//! Loading one revision of the manifests directory for the daemon, and what changed since the
//! last good one.

use std::collections::BTreeSet;
use std::path::Path;

use crate::manifest::{self, ManifestErrors, ParseCache};
use crate::model::{BucketKey, DesiredBucket, DesiredState};
use crate::provider::endpoint_policy::EndpointPolicy;
use crate::watch;

/// A revision that loaded and validated.
#[derive(Debug, Clone)]
pub struct Revision {
    /// The git commit from the resolved path (git-sync), else the manifests' own revision.
    pub id: String,
    /// Every bucket its manifests declare, validated.
    pub desired: DesiredState,
    /// Reached through a symlink to a checkout named after its commit (git-sync): swapped in
    /// whole, never written in place.
    pub atomic: bool,
}

/// Why a revision was rejected. Nothing is written on its behalf.
#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    /// The directory (or a link on the way to it) does not resolve, e.g. mid-swap or deleted.
    #[error("cannot resolve manifests directory {}", path.display())]
    Resolve {
        /// The manifests directory as given (`--manifests`).
        path: std::path::PathBuf,
        /// Why resolving it failed.
        #[source]
        source: std::io::Error,
    },
    /// A file failed to load or validate; the whole revision is rejected.
    #[error("manifests{} are invalid ({} problem(s))", revision.as_deref().map(|r| format!(" at commit {r}")).unwrap_or_default(), errors.diagnostics.len())]
    Invalid {
        /// The git commit the resolved path names (git-sync); `None` when it names none.
        revision: Option<String>,
        /// Every problem found, each naming its file.
        errors: ManifestErrors,
    },
}

impl RevisionError {
    /// True when loading the same files again later may succeed: the directory or a file
    /// could not be read for a reason that passes by itself ([`crate::manifest::walk::is_transient`]),
    /// unlike an invalid manifest, which needs an edit.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            RevisionError::Resolve { source, .. } => crate::manifest::walk::is_transient(source),
            RevisionError::Invalid { errors, .. } => errors.transient,
        }
    }
}

/// Resolves `dir` once and loads every file through the resolved directory, so a git-sync swap
/// in the middle cannot mix two commits. Files whose contents `cache` has seen are not parsed
/// again, so an edit of one manifest among thousands costs one file's parse. An endpoint that
/// `policy` refuses makes the revision invalid, like any other manifest problem.
///
/// # Errors
/// See [`RevisionError`].
pub fn load(
    dir: &Path,
    cache: &mut ParseCache,
    policy: &EndpointPolicy,
) -> Result<Revision, RevisionError> {
    let resolved = watch::resolve(dir).map_err(|source| RevisionError::Resolve {
        path: dir.to_path_buf(),
        source,
    })?;
    let loaded = manifest::load_dir_cached(&resolved.path, cache)
        .and_then(|desired| manifest::check_endpoints(&desired, policy).map(|()| desired));
    match loaded {
        Ok(desired) => Ok(Revision {
            atomic: resolved.revision_hint.is_some() && !resolved.links.is_empty(),
            id: resolved
                .revision_hint
                .unwrap_or_else(|| desired.revision.clone()),
            desired,
        }),
        Err(errors) => Err(RevisionError::Invalid {
            revision: resolved.revision_hint,
            errors,
        }),
    }
}

/// Buckets whose desired state differs between two revisions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevisionDiff {
    /// Named now, not before.
    pub added: BTreeSet<BucketKey>,
    /// Named in both, with different desired configurations, prune flag, mode or endpoint.
    pub changed: BTreeSet<BucketKey>,
    /// Named before, not now: management stops; nothing is deleted.
    pub removed: BTreeSet<BucketKey>,
}

impl RevisionDiff {
    /// True when no bucket's desired state changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Compares two desired states bucket by bucket. Where a document sits (file, line, name) does
/// not count: a git-sync checkout lives in a new directory for every commit.
pub fn diff(old: &DesiredState, new: &DesiredState) -> RevisionDiff {
    let mut result = RevisionDiff::default();
    for (key, bucket) in &new.buckets {
        match old.buckets.get(key) {
            None => {
                result.added.insert(key.clone());
            }
            Some(before) if !same_desired(before, bucket) => {
                result.changed.insert(key.clone());
            }
            Some(_) => {}
        }
    }
    result.removed = old
        .buckets
        .keys()
        .filter(|key| !new.buckets.contains_key(*key))
        .cloned()
        .collect();
    result
}

fn same_desired(a: &DesiredBucket, b: &DesiredBucket) -> bool {
    a.prune == b.prune
        && a.mode == b.mode
        && a.endpoint == b.endpoint
        && a.options == b.options
        && a.inventories == b.inventories
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, Provider};

    fn bucket(name: &str, prune: bool, file: &str) -> DesiredBucket {
        DesiredBucket {
            overwrite_foreign: Default::default(),
            key: BucketKey {
                provider: Provider::OSS,
                bucket: name.into(),
                region: "cn-hangzhou".into(),
            },
            name: name.into(),
            prune,
            mode: Default::default(),
            endpoint: None,
            options: Default::default(),
            origin: Origin {
                file: file.into(),
                document: 0,
                line: Some(1),
            },
            inventories: Vec::new(),
            policies: Vec::new(),
        }
    }

    fn state(buckets: &[DesiredBucket]) -> DesiredState {
        DesiredState {
            revision: "r".into(),
            buckets: buckets.iter().map(|b| (b.key.clone(), b.clone())).collect(),
            policies: Vec::new(),
        }
    }

    #[test]
    fn only_added_changed_and_removed_buckets_are_listed() {
        let old = state(&[
            bucket("same", false, "a"),
            bucket("edit", false, "a"),
            bucket("gone", false, "a"),
        ]);
        let new = state(&[
            bucket("same", false, "moved/b"),
            bucket("edit", true, "a"),
            bucket("new", false, "a"),
        ]);
        let d = diff(&old, &new);
        let names =
            |set: &BTreeSet<BucketKey>| set.iter().map(|k| k.bucket.clone()).collect::<Vec<_>>();
        assert_eq!(names(&d.added), ["new"]);
        assert_eq!(names(&d.changed), ["edit"]);
        assert_eq!(names(&d.removed), ["gone"]);
        assert!(diff(&new, &new).is_empty());
    }
}
