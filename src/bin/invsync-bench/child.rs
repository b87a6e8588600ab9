//! Runs `invsync` as a child process and measures it: wall time, exit code and peak RSS
//! (`ru_maxrss` from `wait4`, which covers that one child only).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use invsync::model::Provider;
use invsync::provider::CredentialVars;

use crate::fixture;

/// What one child run came to.
#[derive(Debug, Clone)]
pub(crate) struct ChildRun {
    pub wall: Duration,
    /// Exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    /// Peak resident set size in bytes.
    pub peak_rss: u64,
    /// User plus system CPU time of the child.
    pub cpu: Duration,
    /// Everything the child wrote on stdout.
    pub stdout: Vec<u8>,
}

/// How to start `invsync` against the emulator.
#[derive(Debug, Clone)]
pub(crate) struct Invoker {
    pub binary: PathBuf,
    pub endpoint: String,
    pub concurrency: u16,
    pub max_requests_per_second: u32,
    pub scratch: PathBuf,
    /// `INVSYNC_DELIVERY_CHECKS` of every child (`on` or `off`).
    pub delivery_checks: &'static str,
}

impl Invoker {
    /// Runs `invsync <args> --manifests <dir>` with the provider flags and credentials, and
    /// waits for it. Stdout goes to a scratch file (a pipe could fill up and stall the child).
    pub(crate) fn run(&self, args: &[&str], manifests: &Path) -> std::io::Result<ChildRun> {
        self.run_command(self.command(args, manifests))
    }

    /// Runs `command` and waits for it, measured; stdout goes to a scratch file.
    pub(crate) fn run_command(&self, mut command: Command) -> std::io::Result<ChildRun> {
        let out_path = self.scratch.join("child-stdout");
        let out = std::fs::File::create(&out_path)?;
        command.stdout(out);
        let started = Instant::now();
        let child = command.spawn()?;
        let (code, peak_rss, cpu) = wait_with_rusage(child.id())?;
        let wall = started.elapsed();
        let stdout = std::fs::read(&out_path)?;
        Ok(ChildRun {
            wall,
            code,
            peak_rss,
            cpu,
            stdout,
        })
    }

    /// `invsync <args> --manifests <dir>` with the provider flags and credentials; stdin and
    /// stdout closed, stderr inherited.
    pub(crate) fn command(&self, args: &[&str], manifests: &Path) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .args(args)
            .arg("--manifests")
            .arg(manifests)
            .args(Provider::ALL.iter().flat_map(|provider| {
                [
                    "--endpoint".to_string(),
                    format!("{provider}={}", self.endpoint),
                ]
            }))
            .args(["--concurrency", &self.concurrency.to_string()])
            .args([
                "--max-requests-per-second",
                &self.max_requests_per_second.to_string(),
            ])
            .envs(Provider::ALL.iter().flat_map(|&provider| {
                let vars = CredentialVars::of(provider);
                [
                    (vars.id, fixture::key_id(provider)),
                    (vars.secret, fixture::secret(provider)),
                ]
            }))
            // The child must never reach for EC2 instance metadata.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("RUST_LOG", "error")
            .env("INVSYNC_DELIVERY_CHECKS", self.delivery_checks)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        command
    }
}

/// Stops a long-running child (SIGTERM) and reaps it: its exit code, peak RSS and CPU time.
pub(crate) fn terminate(pid: u32) -> std::io::Result<(Option<i32>, u64, Duration)> {
    let raw = libc::pid_t::try_from(pid).map_err(std::io::Error::other)?;
    // SAFETY: plain syscall on our own child's pid, which is not reaped yet.
    if unsafe { libc::kill(raw, libc::SIGTERM) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    wait_with_rusage(pid)
}

/// Waits for `pid` with `wait4`, returning its exit code, `ru_maxrss` in bytes and its CPU
/// time (user + system).
fn wait_with_rusage(pid: u32) -> std::io::Result<(Option<i32>, u64, Duration)> {
    let pid = libc::pid_t::try_from(pid).map_err(std::io::Error::other)?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid, exclusively borrowed out-pointers and `pid`
        // is our own child, which std has not reaped (we never call `Child::wait`).
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        None
    };
    // Linux reports ru_maxrss in KiB.
    let peak_rss = u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024;
    Ok((code, peak_rss, cpu_time(&usage)))
}

/// User plus system CPU time so far of the running process `pid` (`/proc/<pid>/stat`, in
/// clock ticks), for timing one phase of a long-running child.
pub(crate) fn running_cpu(pid: u32) -> std::io::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces and parentheses: the fields follow its last `)`.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the line: 11 and 12 counting from the state.
    let ticks = |i: usize| -> std::io::Result<u64> {
        fields
            .get(i)
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("/proc/{pid}/stat: no field {i}")))
    };
    // SAFETY: sysconf has no preconditions.
    let hz = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) })
        .unwrap_or(100)
        .max(1);
    let total = ticks(11)? + ticks(12)?;
    Ok(Duration::from_micros(total * 1_000_000 / hz))
}

/// User plus system CPU time of a `rusage`.
pub(crate) fn cpu_time(usage: &libc::rusage) -> Duration {
    let seconds = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
