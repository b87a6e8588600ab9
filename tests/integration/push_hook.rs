//! `POST /hooks/git` on `invsync run`: a signed push reloads the manifests at once (and keeps
//! trying while git-sync catches up); bad signatures, replays and floods are refused and
//! counted.

use crate::support::cases;
use crate::support::e2e;
use crate::support::process;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use cases::COS;
use e2e::{Emulator, Manifests};
use invsync::hooks::HookSecret;
use process::{MAX_WAIT, Process, get, wait_ready};

const SECRET: &str = "push-hook-test-secret";
const BODY: &str = r#"{"ref":"refs/heads/main","after":"0123abcd"}"#;

/// A daemon whose file watcher waits an hour, so only the hook can reload it promptly.
struct Hooked {
    process: Process,
    hook: String,
    metrics: String,
    _secret: tempfile::TempDir,
}

fn start(emulator: &Emulator, manifests: &Manifests) -> Hooked {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, format!("{SECRET}\n")).unwrap();
    let process = Process::start_with(
        emulator,
        manifests,
        &[
            "--hook-listen",
            "127.0.0.1:0",
            "--hook-secret-file",
            secret.to_str().unwrap(),
            "--debounce",
            "1h",
            "--hook-reload-window",
            "10s",
        ],
        &[],
    );
    let metrics = process.address();
    let hook = process.wait_for_log("serving the push hook POST /hooks/git")["addr"]
        .as_str()
        .unwrap()
        .to_string();
    wait_ready(&metrics);
    Hooked {
        process,
        hook,
        metrics,
        _secret: dir,
    }
}

/// `POST /hooks/git` with `headers` and [`BODY`]; returns the status.
fn post(addr: &str, headers: &[(&str, String)]) -> u16 {
    post_body(addr, headers, BODY)
}

/// `POST /hooks/git` with `headers` and `body`; returns the status.
fn post_body(addr: &str, headers: &[(&str, String)], body: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut request = format!(
        "POST /hooks/git HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response[9..12].parse().unwrap()
}

fn github(delivery: &str) -> Vec<(&'static str, String)> {
    github_for(delivery, BODY)
}

fn github_for(delivery: &str, body: &str) -> Vec<(&'static str, String)> {
    let signature = HookSecret::new(SECRET).sign(&[body.as_bytes()]);
    vec![
        ("X-Hub-Signature-256", signature),
        ("X-GitHub-Delivery", delivery.to_string()),
        ("X-GitHub-Event", "push".to_string()),
    ]
}

fn counted(metrics: &str, outcome: &str) -> u64 {
    let series = format!(r#"invsync_hook_requests_total{{outcome="{outcome}"}} "#);
    get(metrics, "/metrics")
        .1
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0, |v| v.trim().parse().unwrap())
}

fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + MAX_WAIT;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_signed_github_push_reloads_the_manifests_at_once() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let hooked = start(&emulator, &manifests);
    assert_eq!(COS.live_ids(&emulator), ["logs"]);

    manifests.write(
        "cos.yaml",
        &COS.manifest(false, &[("logs", "logs/"), ("more", "more/")]),
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        COS.live_ids(&emulator),
        ["logs"],
        "the watcher waits an hour"
    );
    let started = Instant::now();
    assert_eq!(post(&hooked.hook, &github("delivery-1")), 202);
    wait_for("the new config", || COS.live_ids(&emulator).len() == 2);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(counted(&hooked.metrics, "accepted"), 1);
}

#[test]
fn a_push_ahead_of_git_sync_is_retried_until_the_revision_changes() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let hooked = start(&emulator, &manifests);
    assert_eq!(post(&hooked.hook, &github("delivery-early")), 202);
    // git-sync lands the commit a little later.
    std::thread::sleep(Duration::from_millis(1200));
    manifests.write(
        "cos.yaml",
        &COS.manifest(false, &[("logs", "logs/"), ("late", "late/")]),
    );
    wait_for("the late config", || COS.live_ids(&emulator).len() == 2);
    drop(hooked);
}

#[test]
fn gitlab_tokens_and_generic_signatures_are_accepted_and_wrong_ones_refused() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let hooked = start(&emulator, &manifests);
    let hook = &hooked.hook;
    assert_eq!(post(hook, &[("X-Gitlab-Token", SECRET.to_string())]), 202);
    assert_eq!(post(hook, &[("X-Gitlab-Token", "guess".to_string())]), 401);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let signature = HookSecret::new(SECRET).sign(&[now.as_bytes(), b".", BODY.as_bytes()]);
    let generic = vec![
        ("X-Invsync-Timestamp", now.clone()),
        ("X-Invsync-Signature-256", signature),
    ];
    assert_eq!(post(hook, &generic), 202);
    assert_eq!(
        post(hook, &generic),
        409,
        "the same signature twice is a replay"
    );
    let generic_upper: Vec<_> = generic
        .iter()
        .map(|(name, value)| match *name {
            "X-Invsync-Signature-256" => (*name, format!("sha256={}", value[7..].to_uppercase())),
            _ => (*name, value.clone()),
        })
        .collect();
    assert_eq!(
        post(hook, &generic_upper),
        409,
        "upper-case hex is the same signature"
    );
    let forged = HookSecret::new("other").sign(&[BODY.as_bytes()]);
    assert_eq!(post(hook, &[("X-Hub-Signature-256", forged)]), 401);
    assert_eq!(post(hook, &[]), 401);
    assert_eq!(counted(&hooked.metrics, "accepted"), 2);
    assert_eq!(counted(&hooked.metrics, "unauthorized"), 3);
    assert_eq!(counted(&hooked.metrics, "replayed"), 2);
    let logs = format!("{:?}", hooked.process.logs.lock().unwrap());
    assert!(!logs.contains(SECRET), "the secret is never logged");
}

#[test]
fn a_replayed_github_delivery_is_refused() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let hooked = start(&emulator, &manifests);
    assert_eq!(post(&hooked.hook, &github("delivery-7")), 202);
    assert_eq!(post(&hooked.hook, &github("delivery-7")), 409);
    // What the signature covers is the delivery: a captured one re-sent with another id, or
    // with none, is the same delivery.
    assert_eq!(post(&hooked.hook, &github("delivery-8")), 409);
    let mut without_id = github("delivery-7");
    without_id.retain(|(name, _)| *name != "X-GitHub-Delivery");
    assert_eq!(post(&hooked.hook, &without_id), 409);
    let upper: Vec<_> = github("delivery-9")
        .into_iter()
        .map(|(name, value)| match name {
            "X-Hub-Signature-256" => (name, format!("sha256={}", value[7..].to_uppercase())),
            _ => (name, value),
        })
        .collect();
    assert_eq!(post(&hooked.hook, &upper), 409);
    let next_push = r#"{"ref":"refs/heads/main","after":"4567cdef"}"#;
    assert_eq!(
        post_body(
            &hooked.hook,
            &github_for("delivery-10", next_push),
            next_push
        ),
        202
    );
    assert_eq!(counted(&hooked.metrics, "replayed"), 4);
}

#[test]
fn a_flood_is_rate_limited_before_signatures_are_checked() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let hooked = start(&emulator, &manifests);
    let statuses: Vec<u16> = (0..40)
        .map(|i| {
            let body = format!(r#"{{"ref":"refs/heads/main","after":"{i:08x}"}}"#);
            post_body(
                &hooked.hook,
                &github_for(&format!("flood-{i}"), &body),
                &body,
            )
        })
        .collect();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    let accepted = statuses.iter().filter(|s| **s == 202).count();
    assert!(limited >= 25, "{statuses:?}");
    assert!((10..=15).contains(&accepted), "{statuses:?}");
    assert_eq!(counted(&hooked.metrics, "rate_limited"), limited as u64);
    // The daemon is unharmed.
    assert_eq!(get(&hooked.metrics, "/readyz").0, 200);
}

#[test]
fn a_fifo_or_a_device_as_hook_secret_file_fails_the_start_at_once() {
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("secret");
    e2e::mkfifo(&fifo);
    for (path, expected) in [
        (fifo.to_str().unwrap(), "is a FIFO, not a regular file"),
        ("/dev/zero", "is a character device, not a regular file"),
    ] {
        let (code, output) = process::run_start_failure(
            &manifests,
            &["--hook-listen", "127.0.0.1:0", "--hook-secret-file", path],
            &[],
        );
        assert_eq!(code, Some(1), "{output}");
        assert!(output.contains("--hook-secret-file"), "{output}");
        assert!(output.contains(path), "{output}");
        assert!(output.contains(expected), "{output}");
    }
}

/// The resident memory of process `pid`, in bytes (Linux).
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

#[test]
fn bodies_sent_nearly_whole_and_left_hanging_hold_no_memory() {
    const CONNECTIONS: usize = 60;
    const SENT: usize = 1_900_000;
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let hooked = start(&emulator, &manifests);
    let pid = hooked.process.child.id();
    let before = rss(pid);
    let senders: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let addr = hooked.hook.clone();
            std::thread::spawn(move || {
                let Ok(mut stream) = TcpStream::connect(&addr) else {
                    return None;
                };
                stream
                    .set_write_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let head = format!(
                    "POST /hooks/git HTTP/1.1\r\nHost: {addr}\r\nX-Hub-Signature-256: sha256={}\r\nContent-Length: 2000000\r\n\r\n",
                    "00".repeat(32)
                );
                let _ = stream.write_all(head.as_bytes());
                // A refused request's body is never read: the write may fail, which is fine.
                let _ = stream.write_all(&vec![b'a'; SENT]);
                Some(stream)
            })
        })
        .collect();
    let streams: Vec<_> = senders.into_iter().map(|s| s.join().unwrap()).collect();
    std::thread::sleep(Duration::from_millis(500));
    let grown = rss(pid).saturating_sub(before);
    // Buffered, these bodies would be about 110 MiB.
    assert!(
        grown < 40 * 1024 * 1024,
        "RSS grew by {} MiB",
        grown / (1024 * 1024)
    );
    assert_eq!(get(&hooked.metrics, "/healthz").0, 200);
    drop(streams);
}
