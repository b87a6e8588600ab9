//! Plans read through a git-sync link carry the checked-out commit as their revision.

use crate::support::cases;
use crate::support::e2e;

use std::os::unix::fs::symlink;

use cases::COS;
use e2e::{Emulator, assert_exit, invsync, stdout};

const HASH: &str = "abcdef0123456789abcdef0123456789abcdef01";

#[test]
fn a_plan_through_a_git_sync_link_is_stamped_with_the_commit_hash() {
    let emulator = Emulator::start();
    let tmp = tempfile::tempdir().unwrap();
    let checkout = tmp.path().join(".worktrees").join(HASH).join("manifests");
    std::fs::create_dir_all(&checkout).unwrap();
    std::fs::write(
        checkout.join("bucket.yaml"),
        COS.manifest(false, &[("logs", "logs/")]),
    )
    .unwrap();
    symlink(format!(".worktrees/{HASH}"), tmp.path().join("current")).unwrap();
    let dir = tmp.path().join("current").join("manifests");

    let output = invsync(
        &emulator,
        &[
            "plan",
            "--manifests",
            dir.to_str().unwrap(),
            "--output",
            "json",
        ],
    );
    assert_exit(&output, 0);
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(plan["revision"], HASH);
}
