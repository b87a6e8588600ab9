//! Watching a few named entries of directories, and nothing else in them.
//!
//! The manifests link (or directory) lives in a parent directory that may hold anything else,
//! for example the daemon's own log file. A plain watch on that parent hands every event in it
//! to the watcher library, which logs each one at TRACE before anyone can drop it: a log file
//! there then feeds itself, one event per log line. [`EntryWatch`] reads the parent's inotify
//! events itself and keeps only those about the entries asked for; the rest are dropped without
//! a log line or an allocation. It asks the kernel only for the events that can replace an
//! entry (create, delete, rename), so writes to a sibling file never even reach it.

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask, Watches};
use notify_debouncer_full::notify::event::{CreateKind, ModifyKind, RemoveKind, RenameMode};
use notify_debouncer_full::notify::{self, Event, EventKind};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent};
use tokio::sync::mpsc;

/// What the kernel reports for a watched parent: the events that add, remove or replace an
/// entry, and the parent itself going away.
fn mask() -> WatchMask {
    WatchMask::CREATE
        | WatchMask::DELETE
        | WatchMask::MOVED_FROM
        | WatchMask::MOVED_TO
        | WatchMask::DELETE_SELF
        | WatchMask::MOVE_SELF
        | WatchMask::ONLYDIR
}

/// Per watched directory: its path and the entry names that matter in it.
type Filters = HashMap<WatchDescriptor, (PathBuf, BTreeSet<OsString>)>;

/// Non-recursive watches of directories that report only events about chosen entries.
///
/// Reported events go into the same channel as the debouncer's, shaped like its events, so the
/// watcher judges both alike. Dropping the `EntryWatch` stops its thread.
pub(crate) struct EntryWatch {
    watches: Watches,
    filters: Arc<Mutex<Filters>>,
    /// Dropped with `self`, which wakes the reader thread to end.
    _stop: io::PipeWriter,
}

impl EntryWatch {
    /// Starts the reader thread; events it keeps go to `sender`.
    pub(super) fn start(sender: mpsc::UnboundedSender<DebounceEventResult>) -> io::Result<Self> {
        let inotify = Inotify::init()?;
        let watches = inotify.watches();
        let filters = Arc::new(Mutex::new(Filters::new()));
        let (stop_reader, stop) = io::pipe()?;
        let thread_filters = Arc::clone(&filters);
        std::thread::Builder::new()
            .name("invsync-watch-entries".into())
            .spawn(move || read_loop(inotify, stop_reader, &thread_filters, &sender))?;
        Ok(EntryWatch {
            watches,
            filters,
            _stop: stop,
        })
    }

    /// Watches `dir` for changes to the entries named `names` (replacing any names given for
    /// it before).
    pub(super) fn watch(&mut self, dir: &Path, names: BTreeSet<OsString>) -> io::Result<()> {
        let wd = self.watches.add(dir, mask())?;
        lock(&self.filters).insert(wd, (dir.to_path_buf(), names));
        Ok(())
    }

    /// Stops watching `dir`; nothing when it is not watched.
    pub(crate) fn unwatch(&mut self, dir: &Path) {
        let mut filters = lock(&self.filters);
        let found: Vec<WatchDescriptor> = filters
            .iter()
            .filter(|(_, (path, _))| path == dir)
            .map(|(wd, _)| wd.clone())
            .collect();
        for wd in found {
            filters.remove(&wd);
            // The directory may be gone already, which removed the watch on its own.
            let _ = self.watches.remove(wd);
        }
    }
}

fn lock(filters: &Mutex<Filters>) -> std::sync::MutexGuard<'_, Filters> {
    filters.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits for inotify events or the stop pipe; forwards the events that concern a watched entry.
fn read_loop(
    mut inotify: Inotify,
    mut stop: io::PipeReader,
    filters: &Mutex<Filters>,
    sender: &mpsc::UnboundedSender<DebounceEventResult>,
) {
    let mut buffer = [0u8; 4096];
    loop {
        let mut fds = [
            libc::pollfd {
                fd: inotify.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: stop.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: `fds` is a valid array of two pollfd for the duration of the call.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if ready < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        if fds[1].revents != 0 {
            // The writer end is dropped (or, never, written): the watcher is gone.
            let _ = stop.read(&mut [0u8; 1]);
            return;
        }
        let events = match inotify.read_events(&mut buffer) {
            Ok(events) => events,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
            Err(error) => {
                let _ = sender.send(Err(vec![notify::Error::io(error)]));
                return;
            }
        };
        let mut kept = Vec::new();
        let mut lost = None;
        {
            let filters = lock(filters);
            for event in events {
                if event.mask.contains(EventMask::Q_OVERFLOW) {
                    lost = Some("the kernel's event queue for the manifests parent overflowed");
                    continue;
                }
                let Some((dir, names)) = filters.get(&event.wd) else {
                    // A watch removed since (its IN_IGNORED included).
                    continue;
                };
                if event
                    .mask
                    .intersects(EventMask::DELETE_SELF | EventMask::MOVE_SELF | EventMask::IGNORED)
                {
                    lost = Some("a watched parent of the manifests directory moved or was removed");
                    continue;
                }
                match event.name {
                    Some(name) if names.contains(name) => {
                        kept.push(entry_event(dir.join(name), event.mask));
                    }
                    _ => {}
                }
            }
        }
        if let Some(why) = lost {
            let _ = sender.send(Err(vec![notify::Error::generic(why)]));
        }
        if !kept.is_empty() && sender.send(Ok(kept)).is_err() {
            return;
        }
    }
}

/// The event the debouncer would have reported for `mask` on `path`.
fn entry_event(path: PathBuf, mask: EventMask) -> DebouncedEvent {
    let folder = mask.contains(EventMask::ISDIR);
    let kind = if mask.contains(EventMask::CREATE) {
        EventKind::Create(if folder {
            CreateKind::Folder
        } else {
            CreateKind::Any
        })
    } else if mask.contains(EventMask::DELETE) {
        EventKind::Remove(if folder {
            RemoveKind::Folder
        } else {
            RemoveKind::Any
        })
    } else if mask.contains(EventMask::MOVED_FROM) {
        EventKind::Modify(ModifyKind::Name(RenameMode::From))
    } else {
        EventKind::Modify(ModifyKind::Name(RenameMode::To))
    };
    DebouncedEvent::new(Event::new(kind).add_path(path), Instant::now())
}
