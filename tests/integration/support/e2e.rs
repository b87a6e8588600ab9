//! End-to-end harness: an in-process emulator on 127.0.0.1:0, manifest directories in temp
//! dirs, and the real `invsync` binary run against them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use invsync::emulator::{EmulatorConfig, EmulatorHandle};
use invsync::model::Provider;

pub(crate) const COS_ID: &str = "AKIDe2etestsecretid0000000000000000";
pub(crate) const COS_KEY: &str = "cos-e2e-secret-key-do-not-print";
pub(crate) const OSS_ID: &str = "LTAIe2etestaccesskey";
pub(crate) const OSS_KEY: &str = "oss-e2e-secret-key-do-not-print";
pub(crate) const S3_ID: &str = "AKIAE2ETESTACCESSKEY";
pub(crate) const S3_KEY: &str = "s3-e2e-secret-key-do-not-print";

/// An emulator running on its own runtime thread for the life of the value.
pub(crate) struct Emulator {
    pub handle: EmulatorHandle,
    runtime: tokio::runtime::Runtime,
}

impl Emulator {
    /// Starts an emulator that knows the test credentials.
    pub(crate) fn start() -> Emulator {
        Self::start_with(|_| {})
    }

    /// Starts an emulator after `configure` adjusted its configuration.
    pub(crate) fn start_with(configure: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let mut config = EmulatorConfig::default()
            .with_credentials(Provider::COS, COS_ID, COS_KEY)
            .with_credentials(Provider::OSS, OSS_ID, OSS_KEY)
            .with_credentials(Provider::S3, S3_ID, S3_KEY);
        configure(&mut config);
        let handle = runtime
            .block_on(invsync::emulator::spawn(config))
            .expect("emulator starts");
        Emulator { handle, runtime }
    }

    pub(crate) fn endpoint(&self) -> String {
        self.handle.endpoint()
    }

    /// Runs a future on the emulator's runtime (for seeding and inspection).
    pub(crate) fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

/// A manifests directory in a temp dir.
pub(crate) struct Manifests {
    pub dir: tempfile::TempDir,
}

impl Manifests {
    pub(crate) fn new() -> Manifests {
        Manifests {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes (or overwrites) `name` with `yaml`.
    pub(crate) fn write(&self, name: &str, yaml: &str) -> &Self {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, yaml).expect("write manifest");
        self
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The `invsync` binary under test.
/// Makes a FIFO at `path`, as a hostile manifest directory or a mistaken flag may name one.
pub(crate) fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a directory entry.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
}

pub(crate) fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_invsync"))
}

/// Runs `invsync ARGS` against `emulator` with the test credentials.
pub(crate) fn invsync(emulator: &Emulator, args: &[&str]) -> Output {
    invsync_with(emulator, args, &[])
}

/// Runs `invsync ARGS` with extra environment variables (which win over the defaults).
pub(crate) fn invsync_with(emulator: &Emulator, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new(bin());
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TENCENTCLOUD_SECRET_ID", COS_ID)
        .env("TENCENTCLOUD_SECRET_KEY", COS_KEY)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", OSS_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", OSS_KEY)
        .env("AWS_ACCESS_KEY_ID", S3_ID)
        .env("AWS_SECRET_ACCESS_KEY", S3_KEY)
        // Never reach for EC2 instance metadata from a test, whatever the credentials.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("INVSYNC_COS_ENDPOINT", emulator.endpoint())
        .env("INVSYNC_OSS_ENDPOINT", emulator.endpoint())
        .env("INVSYNC_S3_ENDPOINT", emulator.endpoint())
        .env("INVSYNC_COLOR", "never")
        .env("RUST_LOG", "info");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("invsync runs")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
pub(crate) fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "exit code\n--- stdout\n{}\n--- stderr\n{}",
        stdout(output),
        stderr(output)
    );
}
