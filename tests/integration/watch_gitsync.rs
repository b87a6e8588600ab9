//! The manifests watcher on real directories: edits, git-sync symlink swaps, ignored files.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use invsync::watch::{DEFAULT_DEBOUNCE, ManifestWatcher, resolve};
use tempfile::TempDir;

const HASH1: &str = "1111111111111111111111111111111111111111";
const HASH2: &str = "2222222222222222222222222222222222222222";

/// Upper bound for any wait; the promptness assertions are much tighter.
const MAX_WAIT: Duration = Duration::from_secs(5);
/// A notification after a normal write must come within this.
const PROMPT: Duration = Duration::from_secs(1);
/// How long silence is awaited to show that nothing (more) is reported.
const QUIET: Duration = Duration::from_millis(800);

const MANIFEST: &str = "apiVersion: invsync.dev/v1\nkind: Bucket\n";

/// A git-sync style root: `<root>/<HASH1>/a.yaml` and `<root>/current -> <HASH1>`.
struct GitSyncRoot {
    _tmp: TempDir,
    root: PathBuf,
}

impl GitSyncRoot {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap().join("git");
        fs::create_dir(&root).unwrap();
        let checkout = root.join(HASH1);
        fs::create_dir(&checkout).unwrap();
        fs::write(checkout.join("a.yaml"), MANIFEST).unwrap();
        symlink(HASH1, root.join("current")).unwrap();
        GitSyncRoot { _tmp: tmp, root }
    }

    fn link(&self) -> PathBuf {
        self.root.join("current")
    }

    /// What git-sync does for a new commit: check out, link, rename the link over the old one.
    fn swap_to(&self, hash: &str) {
        let checkout = self.root.join(hash);
        fs::create_dir(&checkout).unwrap();
        fs::write(checkout.join("a.yaml"), MANIFEST).unwrap();
        fs::write(checkout.join("b.yaml"), MANIFEST).unwrap();
        let tmp_link = self.root.join("tmp-link");
        symlink(hash, &tmp_link).unwrap();
        fs::rename(&tmp_link, self.link()).unwrap();
    }
}

fn watcher(dir: &Path) -> ManifestWatcher {
    ManifestWatcher::new(dir, DEFAULT_DEBOUNCE).unwrap()
}

/// Waits for the next notification; returns how long it took, or `None` after `limit`.
async fn next_change(watcher: &mut ManifestWatcher, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    tokio::time::timeout(limit, watcher.changed())
        .await
        .ok()
        .map(|()| start.elapsed())
}

/// Lets the watches settle so that set-up writes are not reported.
async fn settle(watcher: &mut ManifestWatcher) {
    while next_change(watcher, Duration::from_millis(400))
        .await
        .is_some()
    {}
}

#[tokio::test]
async fn editing_a_manifest_notifies_exactly_once_and_promptly() {
    let git = GitSyncRoot::new();
    let mut w = watcher(&git.link());
    settle(&mut w).await;
    let file = git.link().join("a.yaml");
    let start = Instant::now();
    fs::write(&file, format!("{MANIFEST}# edited\n")).unwrap();
    fs::write(&file, format!("{MANIFEST}# edited twice\n")).unwrap();
    next_change(&mut w, MAX_WAIT)
        .await
        .expect("edit is reported");
    assert!(start.elapsed() < PROMPT, "took {:?}", start.elapsed());
    assert_eq!(
        next_change(&mut w, QUIET).await,
        None,
        "one burst, one notification"
    );
}

#[tokio::test]
async fn a_git_sync_swap_notifies_and_resolve_follows_the_new_commit() {
    let git = GitSyncRoot::new();
    let before = resolve(&git.link()).unwrap();
    assert_eq!(before.path, git.root.join(HASH1));
    assert_eq!(before.revision_hint.as_deref(), Some(HASH1));
    assert_eq!(before.links, vec![git.link()]);

    let mut w = watcher(&git.link());
    settle(&mut w).await;
    let start = Instant::now();
    git.swap_to(HASH2);
    next_change(&mut w, MAX_WAIT)
        .await
        .expect("swap is reported");
    assert!(start.elapsed() < PROMPT, "took {:?}", start.elapsed());
    assert_eq!(
        next_change(&mut w, QUIET).await,
        None,
        "one swap, one notification"
    );

    let after = resolve(&git.link()).unwrap();
    assert_eq!(after.path, git.root.join(HASH2));
    assert_eq!(after.revision_hint.as_deref(), Some(HASH2));
    assert_eq!(w.current(), &after);
}

#[tokio::test]
async fn after_a_swap_edits_in_the_new_checkout_notify_and_the_old_one_is_ignored() {
    let git = GitSyncRoot::new();
    let mut w = watcher(&git.link());
    settle(&mut w).await;
    git.swap_to(HASH2);
    next_change(&mut w, MAX_WAIT)
        .await
        .expect("swap is reported");

    // git-sync deletes the old checkout after the swap: not a change of the manifests.
    fs::remove_dir_all(git.root.join(HASH1)).unwrap();
    assert_eq!(next_change(&mut w, QUIET).await, None);

    fs::write(git.root.join(HASH2).join("c.yaml"), MANIFEST).unwrap();
    let took = next_change(&mut w, MAX_WAIT)
        .await
        .expect("edit in the new checkout is reported");
    assert!(took < PROMPT, "took {took:?}");
}

#[tokio::test]
async fn unrelated_files_do_not_notify() {
    let git = GitSyncRoot::new();
    let mut w = watcher(&git.link());
    settle(&mut w).await;
    let checkout = git.link();
    fs::write(checkout.join(".a.yaml.swp"), "swap").unwrap();
    fs::write(checkout.join("README.md"), "# readme").unwrap();
    fs::write(checkout.join("a.yaml~"), "backup").unwrap();
    fs::create_dir(checkout.join(".git")).unwrap();
    fs::write(checkout.join(".git").join("HEAD.yaml"), "x").unwrap();
    fs::write(git.root.join("sibling.yaml"), MANIFEST).unwrap();
    assert_eq!(next_change(&mut w, QUIET).await, None);

    // Still alive: a manifest write is reported.
    fs::write(checkout.join("b.yml"), MANIFEST).unwrap();
    assert!(next_change(&mut w, MAX_WAIT).await.is_some());
}

#[tokio::test]
async fn reading_the_manifests_does_not_notify() {
    let git = GitSyncRoot::new();
    let mut w = watcher(&git.link());
    settle(&mut w).await;
    let resolved = resolve(&git.link()).unwrap();
    for entry in fs::read_dir(&resolved.path).unwrap() {
        fs::read_to_string(entry.unwrap().path()).unwrap();
    }
    assert_eq!(next_change(&mut w, QUIET).await, None);
}

#[tokio::test]
async fn new_subdirectories_and_files_in_them_notify() {
    let git = GitSyncRoot::new();
    let mut w = watcher(&git.link());
    settle(&mut w).await;
    let sub = git.link().join("team-a");
    fs::create_dir(&sub).unwrap();
    fs::write(sub.join("logs.yaml"), MANIFEST).unwrap();
    assert!(next_change(&mut w, MAX_WAIT).await.is_some());
    settle(&mut w).await;
    fs::write(sub.join("logs.yaml"), format!("{MANIFEST}# more\n")).unwrap();
    assert!(next_change(&mut w, MAX_WAIT).await.is_some());
}

#[tokio::test]
async fn a_change_made_while_nobody_waits_is_reported_on_the_next_call() {
    let git = GitSyncRoot::new();
    let mut w = watcher(&git.link());
    settle(&mut w).await;
    fs::write(git.link().join("a.yaml"), format!("{MANIFEST}# edited\n")).unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let took = next_change(&mut w, MAX_WAIT)
        .await
        .expect("queued change is reported");
    assert!(took < PROMPT, "took {took:?}");
    assert_eq!(next_change(&mut w, QUIET).await, None);
}

#[tokio::test]
async fn a_manifests_subdirectory_below_the_link_is_followed_across_swaps() {
    let git = GitSyncRoot::new();
    fs::create_dir(git.root.join(HASH1).join("manifests")).unwrap();
    let dir = git.link().join("manifests");
    let resolved = resolve(&dir).unwrap();
    assert_eq!(resolved.path, git.root.join(HASH1).join("manifests"));
    assert_eq!(resolved.revision_hint.as_deref(), Some(HASH1));

    let mut w = watcher(&dir);
    settle(&mut w).await;
    let checkout = git.root.join(HASH2);
    fs::create_dir_all(checkout.join("manifests")).unwrap();
    fs::write(checkout.join("manifests").join("a.yaml"), MANIFEST).unwrap();
    symlink(HASH2, git.root.join("tmp-link")).unwrap();
    fs::rename(git.root.join("tmp-link"), git.link()).unwrap();
    assert!(next_change(&mut w, MAX_WAIT).await.is_some());
    assert_eq!(
        resolve(&dir).unwrap().path,
        git.root.join(HASH2).join("manifests")
    );
    fs::write(checkout.join("manifests").join("b.yaml"), MANIFEST).unwrap();
    assert!(next_change(&mut w, MAX_WAIT).await.is_some());
}

#[test]
fn resolve_follows_chains_of_relative_and_absolute_links() {
    let git = GitSyncRoot::new();
    symlink(git.link(), git.root.join("alias")).unwrap();
    let resolved = resolve(&git.root.join("alias")).unwrap();
    assert_eq!(resolved.path, git.root.join(HASH1));
    assert_eq!(
        resolved.links,
        vec![git.root.join("alias"), git.root.join("current")]
    );
}

#[test]
fn resolve_of_a_plain_directory_has_no_revision_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let resolved = resolve(tmp.path()).unwrap();
    assert_eq!(resolved.path, tmp.path().canonicalize().unwrap());
    assert_eq!(resolved.revision_hint, None);
    assert!(resolved.links.is_empty());
}

#[test]
fn resolve_rejects_dangling_links_files_and_loops() {
    let git = GitSyncRoot::new();
    symlink("missing", git.root.join("dangling")).unwrap();
    assert_eq!(
        resolve(&git.root.join("dangling")).unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
    let file = git.root.join(HASH1).join("a.yaml");
    assert_eq!(
        resolve(&file).unwrap_err().kind(),
        std::io::ErrorKind::NotADirectory
    );
    symlink("loop-b", git.root.join("loop-a")).unwrap();
    symlink("loop-a", git.root.join("loop-b")).unwrap();
    assert!(resolve(&git.root.join("loop-a")).is_err());
}

#[test]
fn a_watcher_cannot_start_on_a_missing_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let err = ManifestWatcher::new(tmp.path().join("nope"), DEFAULT_DEBOUNCE).unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot resolve manifests directory")
    );
}

#[tokio::test]
async fn a_plain_directory_replaced_by_a_new_one_is_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().canonicalize().unwrap();
    let dir = parent.join("manifests");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("a.yaml"), MANIFEST).unwrap();
    let mut w = watcher(&dir);
    settle(&mut w).await;

    // A deploy tool's atomic directory replacement.
    let staged = parent.join("manifests.new");
    fs::create_dir(&staged).unwrap();
    fs::write(staged.join("a.yaml"), MANIFEST).unwrap();
    fs::rename(&dir, parent.join("manifests.old")).unwrap();
    fs::rename(&staged, &dir).unwrap();
    assert!(next_change(&mut w, MAX_WAIT).await.is_some());
    settle(&mut w).await;

    // The watch follows the new directory, not the old one under its new name.
    fs::write(parent.join("manifests.old").join("z.yaml"), MANIFEST).unwrap();
    assert_eq!(next_change(&mut w, QUIET).await, None);
    fs::write(dir.join("b.yaml"), MANIFEST).unwrap();
    assert!(next_change(&mut w, MAX_WAIT).await.is_some());
}

#[tokio::test]
async fn git_sync_v4_worktrees_layout_gives_the_commit_as_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let worktree = root.join(".worktrees").join(HASH1);
    fs::create_dir_all(worktree.join("manifests")).unwrap();
    symlink(format!(".worktrees/{HASH1}"), root.join("current")).unwrap();
    let dir = root.join("current").join("manifests");
    let resolved = resolve(&dir).unwrap();
    assert_eq!(resolved.path, worktree.join("manifests"));
    assert_eq!(resolved.revision_hint.as_deref(), Some(HASH1));

    let mut w = watcher(&dir);
    settle(&mut w).await;
    fs::write(worktree.join("manifests").join("a.yaml"), MANIFEST).unwrap();
    assert!(
        next_change(&mut w, MAX_WAIT).await.is_some(),
        "hidden directories above the target do not hide its files"
    );
}
