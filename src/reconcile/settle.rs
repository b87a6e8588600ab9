//! Destructive changes wait for a stable revision: the daemon deletes or replaces a
//! configuration only for manifests that have stayed the same across a settle window.
//!
//! A manifest rewritten in place in two writes (`cat > file`, an editor's in-place save, a sync
//! tool) can be read between them. The half-written file may be valid YAML declaring fewer
//! configurations; with `prune: true` acting on it at once would delete live configurations
//! and re-create them when the second write lands (on OSS losing whatever invsync does not
//! model). Creates and updates of such a revision are harmless to take at once (the next
//! revision corrects them); deletes and OSS replacements are not, so they are held until:
//!
//! 1. the revision has been in force for the settle window, and
//! 2. re-reading the manifest files gives the same content digest (the per-file SHA-256 hashes
//!    of the load path), so a write still in progress, not yet seen by the watcher, holds them
//!    too.
//!
//! A git-sync revision (the directory reached through a symlink to a checkout named after its
//! commit) skips the window: git-sync builds the checkout completely before swapping the link
//! in one `rename`, and never writes into it afterwards, so it is complete by construction and
//! its deletions are as intended as its commit. Only the link is re-resolved before writing:
//! if it moved on, the newer commit decides.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::manifest::revision::{file_digest, revision_from_digests};
use crate::manifest::walk::manifest_files;
use crate::model::DesiredBucket;
use crate::plan::{Action, BucketPlan};
use crate::watch;

/// Default `--settle`: far above the gap between the writes of one save (milliseconds for an
/// editor or `cat`, the 400 ms of a slow pipe), short enough that a real removal still lands
/// within a typical resync.
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(5);

/// Whether destructive changes may be taken for a revision now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stability {
    /// Unchanged across the window and on disk: deletes and replacements may go ahead.
    Settled,
    /// Too young, or the files differ from it (a newer revision is on its way): look again
    /// after this long.
    Hold(Duration),
}

/// The revision in force, as the gate knows it.
#[derive(Debug, Clone)]
struct InForce {
    /// The manifests directory as configured (it or a parent may be a git-sync link).
    dir: PathBuf,
    /// The revision id the daemon stamps (commit or content digest).
    id: String,
    /// The content digest of the files it was loaded from.
    content: String,
    /// Reached through a link to a commit checkout: complete by construction.
    atomic: bool,
    since: Instant,
}

/// Shared between the daemon loop (which records each revision put in force) and the
/// reconcile tasks (which ask before deleting or replacing). Cheap to clone.
#[derive(Debug, Clone)]
pub struct SettleGate {
    window: Duration,
    in_force: Arc<Mutex<Option<InForce>>>,
}

impl Default for SettleGate {
    fn default() -> Self {
        SettleGate::new(DEFAULT_SETTLE)
    }
}

impl SettleGate {
    /// A gate holding destructive changes until a revision is `window` old and still on disk.
    /// A zero window keeps the on-disk check.
    pub fn new(window: Duration) -> Self {
        SettleGate {
            window,
            in_force: Arc::default(),
        }
    }

    /// The settle window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Records that revision `id` (content digest `content`) of `dir` is in force from `now`.
    /// `atomic` says it was reached through a git-sync link to a commit checkout.
    pub fn revision_in_force(
        &self,
        dir: &Path,
        id: &str,
        content: &str,
        atomic: bool,
        now: Instant,
    ) {
        let mut in_force = self.in_force.lock().unwrap_or_else(|e| e.into_inner());
        *in_force = Some(InForce {
            dir: dir.to_path_buf(),
            id: id.to_string(),
            content: content.to_string(),
            atomic,
            since: now,
        });
    }

    /// Whether deletes and replacements planned from revision `id` may be written now.
    ///
    /// # Guarantees
    /// `Settled` only when `id` is the revision in force, it is atomic or has been in force for
    /// the window, and the directory still resolves to it (same commit, or the same content
    /// digest re-read from disk). Anything unreadable holds.
    pub async fn check(&self, id: &str, now: Instant) -> Stability {
        let hold = Stability::Hold(self.window.max(Duration::from_millis(100)));
        let in_force = self
            .in_force
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(in_force) = in_force.filter(|f| f.id == id) else {
            return hold;
        };
        let age = now.saturating_duration_since(in_force.since);
        if !in_force.atomic && age < self.window {
            return Stability::Hold(self.window - age);
        }
        let unchanged = tokio::task::spawn_blocking(move || still_on_disk(&in_force))
            .await
            .unwrap_or(false);
        if unchanged { Stability::Settled } else { hold }
    }
}

/// True when `dir` still resolves to the revision: the same commit checkout for an atomic one,
/// else files with the same content digest.
fn still_on_disk(in_force: &InForce) -> bool {
    let Ok(resolved) = watch::resolve(&in_force.dir) else {
        return false;
    };
    if in_force.atomic {
        return resolved.revision_hint.as_deref() == Some(in_force.id.as_str());
    }
    let walk = manifest_files(&resolved.path);
    if !walk.errors.is_empty() {
        return false;
    }
    let digests: Vec<(PathBuf, [u8; 32])> = walk
        .files
        .into_iter()
        .map(|f| {
            let digest = file_digest(&f.contents);
            (f.relative, digest)
        })
        .collect();
    revision_from_digests(&resolved.path, &digests) == in_force.content
}

/// True when `plan` deletes or replaces anything.
pub fn is_destructive(plan: &BucketPlan) -> bool {
    plan.changes
        .iter()
        .any(|c| matches!(c.action, Action::Delete | Action::Replace))
}

/// What `desired` may be made into while destructive changes are held: the same bucket, not
/// pruning, keeping the live version of every configuration `plan` would replace and leaving
/// foreign configurations alone. Planning
/// against it gives `plan`'s creates and updates only.
pub fn without_destructive(desired: &DesiredBucket, plan: &BucketPlan) -> DesiredBucket {
    let mut interim = desired.clone();
    interim.prune = false;
    for change in plan.changes.iter().filter(|c| c.action == Action::Replace) {
        // Overwriting a foreign configuration replaces it too: held like any replacement.
        if change.overwrites.is_some() {
            interim.overwrite_foreign.remove(&change.id);
        }
        if let (Some(live), Some(slot)) = (
            &change.before,
            interim.inventories.iter_mut().find(|i| i.id() == change.id),
        ) {
            *slot = live.clone();
        }
    }
    interim
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_document_text;
    use crate::plan::{PlanOptions, plan_bucket};

    /// An OSS bucket declaring `(id, prefix)` configurations, read from a manifest so the
    /// test follows the model wherever it grows.
    fn bucket(inventories: &[(&str, &str)]) -> DesiredBucket {
        let mut yaml = String::from(
            "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata: {name: b}\nspec:\n  provider: oss\n  bucket: examplebucket\n  region: cn-hangzhou\n  prune: true\n  inventories:\n",
        );
        for (id, prefix) in inventories {
            yaml.push_str(&format!(
                "    - id: {id}\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      filter: {{prefix: {prefix}}}\n      destination: {{bucket: \"acs:oss:::dest\", accountId: \"1000000000000000\", roleArn: \"acs:ram::1000000000000000:role/R\", format: CSV}}\n"
            ));
        }
        parse_document_text(Path::new("t.yaml"), &yaml)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .remove(0)
    }

    #[test]
    fn held_plans_keep_creates_and_drop_deletes_and_replacements() {
        let desired = bucket(&[("new", "n/"), ("changed", "after/")]);
        let live = crate::model::all_modelled(
            bucket(&[("changed", "before/"), ("gone", "g/")]).inventories,
        );
        let options = PlanOptions::default();
        let plan = plan_bucket(&desired, &live, &options);
        assert!(is_destructive(&plan));
        let interim = without_destructive(&desired, &plan);
        let held = plan_bucket(&interim, &live, &options);
        let actions: Vec<(&str, Action)> = held
            .changes
            .iter()
            .map(|c| (c.id.as_str(), c.action))
            .collect();
        assert_eq!(actions, [("new", Action::Create)]);
        assert!(!is_destructive(&held));
    }

    fn write(dir: &Path, text: &str) {
        std::fs::write(dir.join("a.yaml"), text).unwrap();
    }

    fn content_of(dir: &Path) -> String {
        let digests: Vec<_> = manifest_files(dir)
            .files
            .into_iter()
            .map(|f| {
                let d = file_digest(&f.contents);
                (f.relative, d)
            })
            .collect();
        revision_from_digests(dir, &digests)
    }

    #[tokio::test]
    async fn a_revision_settles_after_the_window_only_while_the_files_are_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "one");
        let gate = SettleGate::new(Duration::from_secs(2));
        let t0 = Instant::now();
        gate.revision_in_force(dir.path(), "r1", &content_of(dir.path()), false, t0);
        assert_eq!(
            gate.check("r1", t0 + Duration::from_millis(500)).await,
            Stability::Hold(Duration::from_millis(1500))
        );
        let later = t0 + Duration::from_secs(3);
        assert_eq!(gate.check("r1", later).await, Stability::Settled);
        assert!(matches!(gate.check("r0", later).await, Stability::Hold(_)));
        write(dir.path(), "one, then half of two");
        assert!(matches!(gate.check("r1", later).await, Stability::Hold(_)));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn an_atomic_revision_settles_at_once_while_its_link_is_unchanged() {
        let root = tempfile::tempdir().unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567";
        std::fs::create_dir(root.path().join(commit)).unwrap();
        write(&root.path().join(commit), "x");
        let link = root.path().join("current");
        std::os::unix::fs::symlink(root.path().join(commit), &link).unwrap();
        let gate = SettleGate::new(Duration::from_secs(60));
        let now = Instant::now();
        gate.revision_in_force(&link, commit, "unused", true, now);
        assert_eq!(gate.check(commit, now).await, Stability::Settled);
        let other = "1123456789abcdef0123456789abcdef01234567";
        std::fs::create_dir(root.path().join(other)).unwrap();
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(root.path().join(other), &link).unwrap();
        assert!(matches!(gate.check(commit, now).await, Stability::Hold(_)));
    }
}
