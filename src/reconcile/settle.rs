//! Writes a just-changed revision may not be sure of wait for it to be stable: the daemon
//! deletes or replaces a configuration, or writes anything the previous revision did not allow,
//! only for manifests that have stayed the same across a settle window.
//!
//! A manifest rewritten in place in two writes (`cat > file`, an editor's in-place save, a sync
//! tool) can be read between them. The half-written file may be valid YAML declaring fewer
//! configurations, or missing a line that limits writes (`mode: observe` not written yet).
//! Acting on it at once would delete live configurations and re-create them when the second
//! write lands (on OSS losing whatever invsync does not model), or write to a bucket that is
//! only to be observed. So two kinds of change wait:
//!
//! - deletes and OSS replacements, whatever the previous revision said;
//! - every write the last settled revision did not grant ([`WriteGrant`]): a bucket switched
//!   from observe to enforce or newly named, `prune` turned on, an `overwriteForeign` opt-in.
//!
//! They are held until:
//!
//! 1. the revision has been in force for the settle window, and
//! 2. re-reading the manifest files gives the same content digest (the per-file SHA-256 hashes
//!    of the load path), so a write still in progress, not yet seen by the watcher, holds them
//!    too.
//!
//! Creates and updates the settled revision already allowed go ahead at once (the next
//! revision corrects them), and so does every narrowing (enforce → observe, prune off): the new
//! revision is planned as it is, and a held write is only ever one it asks for.
//!
//! The settled revision is the last one that stayed in force for the whole window (or was
//! atomic); the first revision the daemon loads is its own, as nothing earlier could have
//! allowed less.
//!
//! A git-sync revision (the directory reached through a symlink to a checkout named after its
//! commit) skips the window: git-sync builds the checkout completely before swapping the link
//! in one `rename`, and never writes into it afterwards, so it is complete by construction and
//! its deletions are as intended as its commit. Only the link is re-resolved before writing:
//! if it moved on, the newer commit decides.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::grant::WriteGrant;
use crate::manifest::revision::{file_digest, revision_from_digests};
use crate::manifest::walk::manifest_files;
use crate::model::{BucketMode, DesiredBucket, DesiredState};
use crate::plan::{Action, BucketPlan};
use crate::watch;

/// Default `--settle`: far above the gap between the writes of one save (milliseconds for an
/// editor or `cat`, the 400 ms of a slow pipe), short enough that a real removal still lands
/// within a typical resync.
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(5);

/// Whether held changes may be taken for a revision now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stability {
    /// Unchanged across the window and on disk: every change it plans may go ahead.
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
    /// Its desired state, which becomes the settled one once it has stayed for the window.
    desired: Arc<DesiredState>,
}

/// What the gate knows: the revision in force and the last settled one.
#[derive(Debug, Default)]
struct Revisions {
    in_force: Option<InForce>,
    /// The desired state of the last revision that stayed in force for the whole window.
    settled: Option<Arc<DesiredState>>,
}

/// Shared between the daemon loop (which records each revision put in force) and the
/// reconcile tasks (which ask before a held change). Cheap to clone.
#[derive(Debug, Clone)]
pub struct SettleGate {
    window: Duration,
    revisions: Arc<Mutex<Revisions>>,
    /// False for a one-shot `apply`: everything is written at once.
    guarded: bool,
}

impl Default for SettleGate {
    fn default() -> Self {
        SettleGate::new(DEFAULT_SETTLE)
    }
}

impl SettleGate {
    /// A gate holding changes until a revision is `window` old and still on disk. A zero
    /// window keeps the on-disk check.
    pub fn new(window: Duration) -> Self {
        SettleGate {
            window,
            revisions: Arc::default(),
            guarded: true,
        }
    }

    /// A gate that holds nothing, for `invsync apply`: a one-shot run writes what the
    /// manifests ask for now, as the person running it asked for it now.
    pub fn unguarded() -> Self {
        SettleGate {
            guarded: false,
            ..SettleGate::new(Duration::ZERO)
        }
    }

    /// The settle window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Records that revision `id` (content digest `content`, desired state `desired`) of `dir`
    /// is in force from `now`. `atomic` says it was reached through a git-sync link to a commit
    /// checkout.
    ///
    /// The revision it replaces becomes the settled one if it had been in force for the window
    /// (or was atomic); the first revision recorded is settled from the start.
    pub fn revision_in_force(
        &self,
        dir: &Path,
        id: &str,
        content: &str,
        atomic: bool,
        now: Instant,
        desired: Arc<DesiredState>,
    ) {
        let mut revisions = self.revisions.lock().unwrap_or_else(|e| e.into_inner());
        let previous = revisions.in_force.take();
        match previous {
            None => revisions.settled = Some(desired.clone()),
            Some(previous)
                if previous.atomic
                    || now.saturating_duration_since(previous.since) >= self.window =>
            {
                revisions.settled = Some(previous.desired);
            }
            Some(_) => {}
        }
        revisions.in_force = Some(InForce {
            dir: dir.to_path_buf(),
            id: id.to_string(),
            content: content.to_string(),
            atomic,
            since: now,
            desired,
        });
    }

    /// Records that revision `id`, still in force, now expands to `desired` (a discovery pass
    /// saw the fleet change). Nothing else moves: a bucket its policies newly reach is a write
    /// the settled revision did not grant, so it waits, like a newly named bucket, until `id`
    /// has settled; once `id` is replaced after settling, what it reached counts as granted.
    /// Ignored when `id` is not the revision in force.
    pub fn revision_expanded(&self, id: &str, desired: Arc<DesiredState>) {
        let mut revisions = self.revisions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(in_force) = revisions.in_force.as_mut().filter(|f| f.id == id) {
            in_force.desired = desired;
        }
    }

    /// What the settled revision lets the daemon write on `bucket`'s bucket: writes beyond it
    /// wait for [`SettleGate::check`]. Before any revision is recorded, what `bucket` itself
    /// grants (there is nothing it could widen).
    pub(crate) fn settled_grant(&self, bucket: &DesiredBucket) -> WriteGrant {
        let revisions = self.revisions.lock().unwrap_or_else(|e| e.into_inner());
        match &revisions.settled {
            Some(settled) => WriteGrant::of(settled, &bucket.key),
            None => WriteGrant::of_bucket(Some(bucket)),
        }
    }

    /// Whether held changes planned from revision `id` may be written now.
    ///
    /// # Guarantees
    /// Always `Settled` for an [unguarded](Self::unguarded) gate. Otherwise
    /// `Settled` only when `id` is the revision in force, it is atomic or has been in force for
    /// the window, and the directory still resolves to it (same commit, or the same content
    /// digest re-read from disk). Anything unreadable holds.
    pub async fn check(&self, id: &str, now: Instant) -> Stability {
        if !self.guarded {
            return Stability::Settled;
        }
        let hold = Stability::Hold(self.window.max(Duration::from_millis(100)));
        let in_force = self
            .revisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .in_force
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

/// True when `plan` has a change that waits for its revision to settle: a delete or
/// replacement, or a write `settled` does not grant.
pub(crate) fn must_settle(
    plan: &BucketPlan,
    desired: &DesiredBucket,
    settled: &WriteGrant,
) -> bool {
    plan.changes.iter().any(|c| {
        matches!(c.action, Action::Delete | Action::Replace) || !settled.permits_in(desired, c)
    })
}

/// What `desired` may be made into while `plan`'s held changes wait, or `None` when `settled`
/// grants no write on the bucket at all (it was observed, or not named): the same bucket, not
/// pruning (its policies neither), its policies observing where the settled ones did, keeping the live version of every configuration `plan` would replace and
/// overwriting only the foreign configurations `settled` already allowed. Planning against it
/// gives the creates and updates `settled` allows.
pub(crate) fn within_settled(
    desired: &DesiredBucket,
    plan: &BucketPlan,
    settled: &WriteGrant,
) -> Option<DesiredBucket> {
    if !settled.writes {
        return None;
    }
    let mut interim = desired.clone();
    interim.prune = false;
    // A policy that did not reach the bucket in the settled revision adds nothing yet.
    let new_policies: Vec<String> = interim
        .policies
        .iter()
        .filter(|share| !settled.reaches(&share.policy))
        .map(|share| share.policy.clone())
        .collect();
    interim.inventories.retain(|inventory| {
        desired
            .declared_by_policy(inventory.id())
            .is_none_or(|share| !new_policies.contains(&share.policy))
    });
    interim
        .policies
        .retain(|share| !new_policies.contains(&share.policy));
    for share in &mut interim.policies {
        // Deletes wait for the revision to settle, and so do writes of what a policy only
        // observed in the settled one.
        share.prune = false;
        if settled.policy_observes(&share.policy) {
            share.mode = BucketMode::Observe;
        }
    }
    interim
        .overwrite_foreign
        .retain(|id| settled.overwrite_foreign.contains(id));
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
    Some(interim)
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
        let settled = WriteGrant::of_bucket(Some(&desired));
        assert!(must_settle(&plan, &desired, &settled));
        let interim = within_settled(&desired, &plan, &settled).unwrap();
        let held = plan_bucket(&interim, &live, &options);
        let actions: Vec<(&str, Action)> = held
            .changes
            .iter()
            .map(|c| (c.id.as_str(), c.action))
            .collect();
        assert_eq!(actions, [("new", Action::Create)]);
        assert!(!must_settle(&held, &desired, &settled));
    }

    #[test]
    fn the_settled_revision_is_the_last_one_in_force_for_the_whole_window() {
        let enforced = bucket(&[("a", "a/")]);
        let mut observed = enforced.clone();
        observed.mode = crate::model::BucketMode::Observe;
        let state = |b: &DesiredBucket| {
            Arc::new(DesiredState {
                revision: String::new(),
                buckets: [(b.key.clone(), b.clone())].into(),
                policies: Vec::new(),
            })
        };
        let gate = SettleGate::new(Duration::from_secs(2));
        let dir = Path::new("unused");
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let writes = |gate: &SettleGate| gate.settled_grant(&enforced).writes;
        assert!(writes(&gate), "before any revision: the bucket's own grant");
        gate.revision_in_force(dir, "r0", "c0", false, at(0), state(&observed));
        assert!(
            !writes(&gate),
            "the first revision is settled from the start"
        );
        gate.revision_in_force(dir, "r1", "c1", false, at(10_000), state(&enforced));
        assert!(!writes(&gate), "r0 settled; r1 is new");
        gate.revision_in_force(dir, "r2", "c2", false, at(10_300), state(&enforced));
        assert!(!writes(&gate), "r1 never settled: r0 still is");
        gate.revision_in_force(dir, "r3", "c3", false, at(12_300), state(&observed));
        assert!(writes(&gate), "r2 stayed for the window");
        gate.revision_in_force(dir, "r4", "c4", true, at(12_400), state(&enforced));
        assert!(writes(&gate), "r3 was young: r2 stays settled");
        gate.revision_in_force(dir, "r5", "c5", false, at(12_500), state(&observed));
        assert!(writes(&gate), "r4 was atomic: settled at once");
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
        gate.revision_in_force(
            dir.path(),
            "r1",
            &content_of(dir.path()),
            false,
            t0,
            Arc::default(),
        );
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
        gate.revision_in_force(&link, commit, "unused", true, now, Arc::default());
        assert_eq!(gate.check(commit, now).await, Stability::Settled);
        let other = "1123456789abcdef0123456789abcdef01234567";
        std::fs::create_dir(root.path().join(other)).unwrap();
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(root.path().join(other), &link).unwrap();
        assert!(matches!(gate.check(commit, now).await, Stability::Hold(_)));
    }

    #[tokio::test]
    async fn an_unguarded_gate_lets_every_change_through_at_once() {
        let unguarded = SettleGate::unguarded();
        assert_eq!(
            unguarded.check("never-in-force", Instant::now()).await,
            Stability::Settled
        );
        let guarded = SettleGate::new(Duration::ZERO);
        assert!(matches!(
            guarded.check("never-in-force", Instant::now()).await,
            Stability::Hold(_)
        ));
    }
}
