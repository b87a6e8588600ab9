//! Watching the manifests directory, including git-sync's atomic symlink swaps.
//!
//! git-sync checks every commit out into its own directory and then points a symlink at it by
//! creating a new link and renaming it over the old one. A plain recursive watch on the link
//! would keep watching the old checkout, so [`ManifestWatcher`] watches the directories that
//! *contain* the symlinks on the way to the manifests (non-recursively, which catches the
//! rename) plus the resolved target (recursively), and moves the recursive watch whenever the
//! link changes. In those containing directories only the link's (or directory's) own entry is
//! listened to (see `entries`), so whatever else lives there, a log file for instance, costs
//! nothing. [`resolve`] gives the runner the directory to read during one cycle and the commit
//! hash to stamp on logs, metrics and plans.

mod entries;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache, new_debouncer,
};
use tokio::sync::mpsc;

/// Default quiet time before a burst of file events counts as one change. Long enough to
/// cover an editor's write-rename-chmod sequence (a few milliseconds) and git-sync's atomic
/// link swap (one event), short enough that an edit converges well within a second.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(100);

/// Symlinks followed before giving up, as Linux's `MAXSYMLINKS` (40).
const MAX_SYMLINK_HOPS: usize = 40;

/// The manifests directory as seen at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedDir {
    /// The canonical directory (every symlink resolved). Read every file of one cycle through
    /// this path, so that a swap in the middle of the cycle cannot mix two revisions.
    pub path: PathBuf,
    /// The git commit hash, lowercase, when a component of the resolved path is 40 (or 64)
    /// hexadecimal digits: git-sync names each checkout after its commit. The last such
    /// component wins, so `/git/.worktrees/<hash>/manifests` gives `<hash>`.
    pub revision_hint: Option<String>,
    /// Every symlink followed on the way, as `canonical parent directory / link name`, in the
    /// order they were met.
    pub links: Vec<PathBuf>,
}

/// Resolves `dir` once: follows every symlink in it and in its parents, relative ones against
/// the directory containing the link.
///
/// # Errors
/// `NotFound` when a component does not exist (for example a dangling link), `NotADirectory`
/// when the result is not a directory, `InvalidInput` after more than 40 symlinks, and any
/// error of reading the current directory (for a relative `dir`) or a link.
pub fn resolve(dir: &Path) -> io::Result<ResolvedDir> {
    let absolute = std::path::absolute(dir)?;
    let mut pending: VecDeque<PathBuf> = components(&absolute);
    let mut resolved = PathBuf::new();
    let mut links = Vec::new();
    while let Some(part) = pending.pop_front() {
        match part.components().next() {
            Some(Component::Prefix(_) | Component::RootDir) => resolved.push(&part),
            Some(Component::CurDir) | None => {}
            Some(Component::ParentDir) => {
                resolved.pop();
            }
            Some(Component::Normal(name)) => {
                let candidate = resolved.join(name);
                let metadata = std::fs::symlink_metadata(&candidate)?;
                if !metadata.file_type().is_symlink() {
                    resolved = candidate;
                    continue;
                }
                if links.len() == MAX_SYMLINK_HOPS {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("more than {MAX_SYMLINK_HOPS} symlinks in {}", dir.display()),
                    ));
                }
                let target = std::fs::read_link(&candidate)?;
                links.push(candidate);
                // The link's target replaces the link; `resolved` stays at the link's parent so
                // a relative target resolves against it, an absolute one restarts from its root.
                for part in components(&target).into_iter().rev() {
                    pending.push_front(part);
                }
            }
        }
    }
    if !std::fs::metadata(&resolved)?.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!("{} is not a directory", resolved.display()),
        ));
    }
    let revision_hint = resolved
        .components()
        .rev()
        .filter_map(|c| c.as_os_str().to_str())
        .find(|name| is_commit_hash(name))
        .map(str::to_ascii_lowercase);
    Ok(ResolvedDir {
        path: resolved,
        revision_hint,
        links,
    })
}

fn components(path: &Path) -> VecDeque<PathBuf> {
    path.components()
        .map(|c| PathBuf::from(c.as_os_str()))
        .collect()
}

/// A git object name: 40 hex digits (SHA-1), or 64 for SHA-256 repositories, as
/// `manifest::revision` accepts too.
fn is_commit_hash(name: &str) -> bool {
    matches!(name.len(), 40 | 64) && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Why a [`ManifestWatcher`] could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The manifests directory does not resolve to a directory.
    #[error("cannot resolve manifests directory {}", path.display())]
    Resolve {
        /// The manifests directory as given.
        path: PathBuf,
        /// Why it does not resolve (missing, not a directory, a link loop, …).
        #[source]
        source: io::Error,
    },
    /// The operating system refused a watch (for example the inotify watch limit).
    #[error("cannot watch {}", path.display())]
    Watch {
        /// The directory whose watch was refused (the manifests directory as given when the
        /// watcher itself could not start).
        path: PathBuf,
        /// The refusal, as the file watcher reports it.
        #[source]
        source: notify_debouncer_full::notify::Error,
    },
    /// The operating system refused a watch of a directory containing the manifests path.
    #[error("cannot watch {}", path.display())]
    WatchParent {
        /// The parent directory whose watch was refused (the manifests directory as given when
        /// the entry watcher itself could not start).
        path: PathBuf,
        /// The refusal, as the operating system reports it.
        #[source]
        source: io::Error,
    },
}

/// The parents watched for their entries: each directory with the entry names that matter.
type ParentWatches = BTreeMap<PathBuf, BTreeSet<OsString>>;

/// What to watch and how to judge events, derived from one [`ResolvedDir`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    resolved: ResolvedDir,
    /// Paths whose own change means the manifests moved: every link followed and the
    /// manifests directory's entry in its canonical parent.
    entries: BTreeSet<PathBuf>,
    /// Directories holding those entries, watched for them alone.
    parents: ParentWatches,
}

impl Target {
    fn new(dir: &Path, resolved: ResolvedDir) -> Self {
        let mut entries: BTreeSet<PathBuf> = resolved.links.iter().cloned().collect();
        let mut parents = ParentWatches::new();
        let mut watch_entry = |entry: &Path| {
            if let (Some(parent), Some(name)) = (entry.parent(), entry.file_name()) {
                parents
                    .entry(parent.to_owned())
                    .or_default()
                    .insert(name.to_owned());
            }
        };
        for link in &resolved.links {
            watch_entry(link);
        }
        // The parent of the manifests path as given, so that replacing the directory itself
        // (not only a link above it) is seen too.
        let lexical_parent = std::path::absolute(dir)
            .ok()
            .and_then(|abs| Some((abs.parent()?.to_owned(), abs.file_name()?.to_owned())));
        if let Some((parent, name)) = lexical_parent
            && let Ok(parent) = resolve(&parent)
        {
            let entry = parent.path.join(name);
            watch_entry(&entry);
            entries.insert(entry);
        }
        entries.insert(resolved.path.clone());
        Target {
            resolved,
            entries,
            parents,
        }
    }

    /// True when `event` is about a followed link or the manifests directory itself.
    fn touches_entry(&self, event: &DebouncedEvent) -> bool {
        !matches!(event.kind, EventKind::Access(_))
            && event.paths.iter().any(|path| self.entries.contains(path))
    }

    /// True when `event` may change what the manifests directory contains.
    fn is_relevant(&self, event: &DebouncedEvent) -> bool {
        if event.need_rescan() {
            return true;
        }
        if matches!(event.kind, EventKind::Access(_)) {
            // Opening and closing files, including the runner's own reads of the manifests:
            // counting them would make every reconcile trigger the next.
            return false;
        }
        event
            .paths
            .iter()
            .any(|path| self.is_relevant_path(path, &event.kind))
    }

    fn is_relevant_path(&self, path: &Path, kind: &EventKind) -> bool {
        if self.entries.contains(path) {
            return true;
        }
        let Ok(relative) = path.strip_prefix(&self.resolved.path) else {
            // Outside the current target: a sibling in a watched parent, or a late event from
            // a checkout that is no longer linked.
            return false;
        };
        if relative
            .components()
            .any(|c| c.as_os_str().to_str().is_none_or(|s| s.starts_with('.')))
        {
            // Hidden files and directories: editor swap and lock files, `.git`.
            return false;
        }
        let yaml = path
            .extension()
            .and_then(OsStr::to_str)
            .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"));
        let directory = matches!(
            kind,
            EventKind::Create(notify_debouncer_full::notify::event::CreateKind::Folder)
                | EventKind::Remove(notify_debouncer_full::notify::event::RemoveKind::Folder)
        ) || path.is_dir();
        yaml || directory
    }
}

/// Notifies once per burst of changes to the manifests directory.
///
/// # Guarantees
/// - Relevant changes: creating, writing, renaming or removing a `.yaml` / `.yml` file under the
///   resolved directory (hidden files and directories excluded), creating or removing a
///   directory there, and replacing any symlink on the way to it (git-sync's swap) or the
///   directory itself. Anything else (`README.md`, `.a.yaml.swp`, siblings of the link, late
///   events from a checkout that is no longer linked) is ignored.
/// - [`Self::changed`] completes once per burst: after the first relevant event it waits until
///   no further relevant event has come for one debounce period, so a checkout of many files
///   is one notification. Latency is about two to three debounce periods.
/// - No change is lost: a burst that happens while nobody awaits [`Self::changed`] makes the
///   next call complete at once (bursts queued meanwhile count as one).
/// - After a symlink swap the recursive watch follows the new target before `changed`
///   returns; a burst only inside the old target no longer counts.
/// - Watcher errors (for example an overflowing inotify queue) count as a change, since
///   events may have been lost; they are logged at WARN.
///
/// # Assumptions
/// Readers re-[`resolve`] the directory for each cycle; `changed` says *that* something
/// changed, not what.
pub struct ManifestWatcher {
    dir: PathBuf,
    debounce: Duration,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    parent_watch: entries::EntryWatch,
    events: mpsc::UnboundedReceiver<DebounceEventResult>,
    target: Target,
    /// The directory watched recursively, when a watch is held.
    watching: Option<PathBuf>,
    /// The parents watched for entries.
    watching_parents: ParentWatches,
    /// A relevant event was seen and not yet reported; kept across cancelled `changed` calls.
    pending: bool,
}

impl std::fmt::Debug for ManifestWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManifestWatcher")
            .field("dir", &self.dir)
            .field("debounce", &self.debounce)
            .field("target", &self.target.resolved)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl ManifestWatcher {
    /// Starts watching `dir` with the given debounce period ([`DEFAULT_DEBOUNCE`] suits most).
    /// Must be called inside a tokio runtime only for [`Self::changed`]; creating it is
    /// synchronous.
    ///
    /// # Errors
    /// When `dir` does not resolve to a directory, or a watch cannot be added.
    pub fn new(dir: impl Into<PathBuf>, debounce: Duration) -> Result<Self, WatchError> {
        let dir = dir.into();
        let resolved = resolve(&dir).map_err(|source| WatchError::Resolve {
            path: dir.clone(),
            source,
        })?;
        let target = Target::new(&dir, resolved);
        let (sender, events) = mpsc::unbounded_channel();
        let parent_watch = entries::EntryWatch::start(sender.clone()).map_err(|source| {
            WatchError::WatchParent {
                path: dir.clone(),
                source,
            }
        })?;
        let debouncer = new_debouncer(debounce, None, move |result: DebounceEventResult| {
            // The receiver is gone only when the watcher is dropped; nothing left to tell.
            let _ = sender.send(result);
        })
        .map_err(|source| WatchError::Watch {
            path: dir.clone(),
            source,
        })?;
        let mut watcher = ManifestWatcher {
            dir,
            debounce,
            debouncer,
            parent_watch,
            events,
            target,
            watching: None,
            watching_parents: ParentWatches::new(),
            pending: false,
        };
        let parents = watcher.target.parents.clone();
        for (parent, names) in parents {
            watcher.watch_parent(parent, names)?;
        }
        let recursive = watcher.target.resolved.path.clone();
        watcher.watch_recursive(recursive)?;
        Ok(watcher)
    }

    /// The manifests path as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The resolution the watches currently follow.
    pub fn current(&self) -> &ResolvedDir {
        &self.target.resolved
    }

    /// Completes once per burst of relevant changes; see the type's guarantees.
    ///
    /// Cancel safe: if the future is dropped after a relevant event was seen, the next call
    /// reports it.
    pub async fn changed(&mut self) {
        while !self.pending {
            let Some(batch) = self.events.recv().await else {
                // The debouncer thread only stops when `self` is dropped.
                return std::future::pending().await;
            };
            if self.absorb(batch) {
                self.pending = true;
            }
        }
        // The debouncer already waited for `debounce` of quiet on each path, but it hands over
        // the paths of one burst in batches up to a tick (a quarter of `debounce`) apart:
        // gather those, so one burst is one change.
        let settle = self.debounce / 4;
        let mut quiet_until = tokio::time::Instant::now() + settle;
        while let Ok(Some(batch)) = tokio::time::timeout_at(quiet_until, self.events.recv()).await {
            if self.absorb(batch) {
                quiet_until = tokio::time::Instant::now() + settle;
            }
        }
        self.pending = false;
    }

    /// Judges one batch from the debouncer, re-targeting the watches when a link or the
    /// directory itself changed. Returns true when the batch is relevant.
    fn absorb(&mut self, batch: DebounceEventResult) -> bool {
        match batch {
            Ok(events) => {
                let relevant = events.iter().any(|e| self.target.is_relevant(e));
                // A link or the directory itself was replaced: even if the path resolves as
                // before, the recursive watch still follows the old directory's inode.
                let replaced = events.iter().any(|e| self.target.touches_entry(e));
                if relevant {
                    self.retarget(replaced);
                }
                relevant
            }
            Err(errors) => {
                for error in &errors {
                    tracing::warn!(dir = %self.dir.display(), %error, "manifests watch error");
                }
                self.retarget(true);
                true
            }
        }
    }

    /// Re-resolves the directory and moves the watches if the resolution changed, or renews
    /// them all when `renew`. A failure (for example a link briefly dangling) keeps the old
    /// watches: the parent watches still see the next swap or re-creation.
    fn retarget(&mut self, renew: bool) {
        let resolved = match resolve(&self.dir) {
            Ok(resolved) => resolved,
            Err(error) => {
                tracing::warn!(dir = %self.dir.display(), %error, "cannot resolve manifests directory");
                return;
            }
        };
        if renew {
            if let Some(path) = self.watching.take() {
                // A watch on a deleted directory is already gone; nothing to undo then.
                let _ = self.debouncer.unwatch(&path);
            }
            for parent in std::mem::take(&mut self.watching_parents).into_keys() {
                self.parent_watch.unwatch(&parent);
            }
        } else if resolved == self.target.resolved
            && self.watching.as_ref() == Some(&resolved.path)
            && self.watching_parents == self.target.parents
        {
            return;
        }
        self.target = Target::new(&self.dir, resolved);
        let stale: Vec<PathBuf> = self
            .watching_parents
            .iter()
            .filter(|(path, names)| self.target.parents.get(*path) != Some(*names))
            .map(|(path, _)| path.clone())
            .collect();
        for path in stale {
            self.parent_watch.unwatch(&path);
            self.watching_parents.remove(&path);
        }
        let missing: Vec<(PathBuf, BTreeSet<OsString>)> = self
            .target
            .parents
            .iter()
            .filter(|(path, _)| !self.watching_parents.contains_key(*path))
            .map(|(path, names)| (path.clone(), names.clone()))
            .collect();
        for (path, names) in missing {
            if let Err(error) = self.watch_parent(path, names) {
                tracing::warn!(error = %error, "cannot watch manifests path");
            }
        }
        if self.watching.as_ref() != Some(&self.target.resolved.path) {
            if let Some(old) = self.watching.take() {
                // The old checkout may already be deleted, which drops its watch on its own.
                let _ = self.debouncer.unwatch(&old);
            }
            let path = self.target.resolved.path.clone();
            if let Err(error) = self.watch_recursive(path) {
                tracing::warn!(error = %error, "cannot watch manifests path");
            }
        }
    }

    fn watch_recursive(&mut self, path: PathBuf) -> Result<(), WatchError> {
        self.debouncer
            .watch(&path, RecursiveMode::Recursive)
            .map_err(|source| WatchError::Watch {
                path: path.clone(),
                source,
            })?;
        self.watching = Some(path);
        Ok(())
    }

    fn watch_parent(&mut self, path: PathBuf, names: BTreeSet<OsString>) -> Result<(), WatchError> {
        self.parent_watch
            .watch(&path, names.clone())
            .map_err(|source| WatchError::WatchParent {
                path: path.clone(),
                source,
            })?;
        self.watching_parents.insert(path, names);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_forty_or_sixty_four_hex_digit_names_are_commit_hashes() {
        assert!(is_commit_hash("0123456789abcdef0123456789ABCDEF01234567"));
        assert!(is_commit_hash(&"ab".repeat(32)));
        assert!(!is_commit_hash("0123456789abcdef0123456789abcdef0123456"));
        assert!(!is_commit_hash(
            "rev-0123456789abcdef0123456789abcdef01234567"
        ));
        assert!(!is_commit_hash("g123456789abcdef0123456789abcdef01234567"));
    }
}
