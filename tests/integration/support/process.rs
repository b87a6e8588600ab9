//! A running `invsync run` process against an emulator: its JSON logs on stderr, its HTTP
//! endpoints, signals and exit.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::e2e::{COS_ID, COS_KEY, Emulator, Manifests, OSS_ID, OSS_KEY, S3_ID, S3_KEY, bin};

pub(crate) const MAX_WAIT: Duration = Duration::from_secs(20);

/// A running `invsync run` whose stderr (JSON log lines) is collected.
pub(crate) struct Process {
    pub child: Child,
    pub logs: Arc<Mutex<Vec<Value>>>,
    _credentials: tempfile::TempDir,
}

impl Process {
    pub(crate) fn start(emulator: &Emulator, manifests: &Manifests) -> Process {
        Process::start_with(emulator, manifests, &[], &[])
    }

    /// Starts with more arguments and environment variables (added after the defaults, so
    /// they may override them).
    pub(crate) fn start_with(
        emulator: &Emulator,
        manifests: &Manifests,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Process {
        let credentials = tempfile::tempdir().unwrap();
        let file = credentials.path().join("credentials");
        std::fs::write(
            &file,
            format!(
                "TENCENTCLOUD_SECRET_ID={COS_ID}\nTENCENTCLOUD_SECRET_KEY=\"{COS_KEY}\"\nALIBABA_CLOUD_ACCESS_KEY_ID={OSS_ID}\nALIBABA_CLOUD_ACCESS_KEY_SECRET={OSS_KEY}\nAWS_ACCESS_KEY_ID={S3_ID}\nAWS_SECRET_ACCESS_KEY={S3_KEY}\n"
            ),
        )
        .unwrap();
        let mut child = Command::new(bin())
            .args(["run", "--manifests"])
            .arg(manifests.path())
            .args([
                "--listen",
                "127.0.0.1:0",
                "--interval",
                "1s",
                "--log-format",
                "json",
            ])
            .arg("--credentials-file")
            .arg(&file)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("INVSYNC_COS_ENDPOINT", emulator.endpoint())
            .env("INVSYNC_OSS_ENDPOINT", emulator.endpoint())
            .env("INVSYNC_S3_ENDPOINT", emulator.endpoint())
            // Never reach for EC2 instance metadata from a test.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                sink.lock().unwrap().push(value);
            }
        });
        Process {
            child,
            logs,
            _credentials: credentials,
        }
    }

    /// The first log event with this message.
    pub(crate) fn wait_for_log(&self, message: &str) -> Value {
        let deadline = Instant::now() + MAX_WAIT;
        while Instant::now() < deadline {
            if let Some(found) = self
                .logs
                .lock()
                .unwrap()
                .iter()
                .find(|v| v["message"] == message)
            {
                return found.clone();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no `{message}` log in {:#?}", self.logs.lock().unwrap());
    }

    pub(crate) fn address(&self) -> String {
        let event = self.wait_for_log("serving /metrics, /healthz and /readyz");
        event["addr"].as_str().unwrap().to_string()
    }

    pub(crate) fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit; returns the code and how long it took.
    pub(crate) fn wait_exit(&mut self) -> (Option<i32>, Duration) {
        let started = Instant::now();
        while started.elapsed() < MAX_WAIT {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        panic!("invsync run did not exit");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` over HTTP/1.1; returns the status and the body.
pub(crate) fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

pub(crate) fn wait_ready(addr: &str) {
    let deadline = Instant::now() + MAX_WAIT;
    while get(addr, "/readyz").0 != 200 {
        assert!(Instant::now() < deadline, "never ready");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `invsync run --manifests DIR ARGS` (with `env`) that must fail at start: waits for the exit,
/// at most [`MAX_WAIT`] (then kills it and panics, so a start that hangs fails the test rather
/// than blocking the suite), and returns the exit code and stdout plus stderr.
pub(crate) fn run_start_failure(
    manifests: &Manifests,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Option<i32>, String) {
    let mut child = Command::new(bin())
        .args(["run", "--manifests"])
        .arg(manifests.path())
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TENCENTCLOUD_SECRET_ID", COS_ID)
        .env("TENCENTCLOUD_SECRET_KEY", COS_KEY)
        // Nothing listens there: a daemon that got past its start would fail its requests.
        .env("INVSYNC_COS_ENDPOINT", "http://127.0.0.1:9")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > MAX_WAIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("invsync run {args:?} did not exit within {MAX_WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut output = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut output)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut output)
        .unwrap();
    (status.code(), output)
}
