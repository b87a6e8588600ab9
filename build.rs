//! Build script: stamps the git commit into `--version` and embeds the example manifests of
//! `manifests/` for `invsync demo`.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed=build.rs");
    stamp_commit(&root);
    embed_manifests(&root.join("manifests"), &out.join("demo_manifests.rs"));
}

/// `INVSYNC_BUILD_COMMIT` for the crate: the environment variable of that name when set (a
/// container build without `.git`), else `git rev-parse --short HEAD`, else `unknown` (a crate
/// tarball). Cargo re-runs this when HEAD moves or the branch it names gets a new commit.
fn stamp_commit(root: &Path) {
    println!("cargo:rerun-if-env-changed=INVSYNC_BUILD_COMMIT");
    let commit = env::var("INVSYNC_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(root, &["rev-parse", "--short", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=INVSYNC_BUILD_COMMIT={}", commit.trim());
    // In a worktree HEAD lives in the worktree's git dir and branches in the common one;
    // `--git-path` resolves both. Only existing files are named: cargo treats a missing one as
    // always changed.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(root, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch.trim().to_string());
    }
    for name in watched {
        if let Some(path) = git(root, &["rev-parse", "--git-path", &name]) {
            let path = root.join(path.trim());
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
}

/// Stdout of `git ARGS` run in `root`, when git exists and succeeds.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
        .filter(|s| !s.trim().is_empty())
}

/// Writes `DEMO_MANIFESTS`, every `*.yaml` / `*.yml` under `dir` as (relative path, contents),
/// sorted by path, so the demo runs from any directory with the same examples as the repository.
fn embed_manifests(dir: &Path, target: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The example manifests of the repository's `manifests/` directory: (path below it, \
         contents).\npub(crate) const DEMO_MANIFESTS: &[(&str, &str)] = &[\n",
    );
    for (relative, absolute) in &files {
        let _ = writeln!(code, "    ({relative:?}, include_str!({absolute:?})),");
    }
    code.push_str("];\n");
    fs::write(target, code).expect("writing the embedded manifests");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            let relative = path.strip_prefix(root).expect("below root");
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((relative, path.display().to_string()));
        }
    }
}
