//! A file written next to the manifests link, such as the daemon's own log, is invisible to the
//! watcher: no reload and, even at TRACE, no log line about it (which would feed itself).

use std::fs;
use std::io::Write;
use std::os::unix::fs::symlink;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use invsync::watch::{DEFAULT_DEBOUNCE, ManifestWatcher};

const HASH1: &str = "1111111111111111111111111111111111111111";
const HASH2: &str = "2222222222222222222222222222222222222222";

/// Every log line of this test binary, at every level, including the watcher library's own
/// (`log` records are bridged into tracing).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn a_log_file_written_next_to_the_manifests_link_causes_no_reload_and_no_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();

    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    for hash in [HASH1, HASH2] {
        fs::create_dir(root.join(hash)).unwrap();
        fs::write(root.join(hash).join("a.yaml"), "kind: BucketInventory\n").unwrap();
    }
    symlink(HASH1, root.join("current")).unwrap();
    let mut watcher = ManifestWatcher::new(root.join("current"), DEFAULT_DEBOUNCE).unwrap();

    let mut log = fs::File::create(root.join("daemon-sibling.log")).unwrap();
    let writes = async {
        for i in 0..40 {
            writeln!(log, "line {i}").unwrap();
            log.sync_data().unwrap();
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    };
    let reloaded = tokio::select! {
        () = watcher.changed() => true,
        () = writes => false,
    };
    assert!(!reloaded, "a write next to the link caused a reload");
    let quiet = tokio::time::timeout(Duration::from_millis(500), watcher.changed()).await;
    assert!(quiet.is_err(), "a write next to the link caused a reload");
    let logged = captured.text();
    // The watcher library's own TRACE lines are captured, so their silence below means something.
    assert!(logged.contains("adding inotify watch"), "{logged}");
    assert!(
        !logged.contains("daemon-sibling"),
        "the sibling file was logged:\n{logged}"
    );

    // The link next to it is still watched: git-sync's swap is reported.
    symlink(HASH2, root.join("tmp-link")).unwrap();
    fs::rename(root.join("tmp-link"), root.join("current")).unwrap();
    tokio::time::timeout(Duration::from_secs(5), watcher.changed())
        .await
        .expect("the swap is reported");
    assert!(watcher.current().path.ends_with(HASH2));
}
