//! The limits every listener is served within (`invsync::serve`): slow and idle clients are
//! dropped, the connection cap keeps a fresh client served, and a body over the cap gets 413
//! before it is buffered. Served on 127.0.0.1:0 with lowered limits.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use invsync::hooks::{self, HookSecret};
use invsync::metrics::Metrics;
use invsync::serve::Limits;
use invsync::server::{self, Readiness};
use tokio::sync::{mpsc, oneshot};

const LIMITS: Limits = Limits {
    header_read_timeout: Duration::from_secs(1),
    request_timeout: Duration::from_secs(5),
    max_connections: 4,
    max_body_bytes: 1024,
    shutdown_grace: Duration::from_secs(1),
};

/// A listener on its own runtime, stopped when dropped.
struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    runtime: tokio::runtime::Runtime,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

enum Which {
    Endpoints,
    Hook,
}

fn start(which: Which, limits: Limits) -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let stopped = async move {
        let _ = stopped.await;
    };
    let task = match which {
        Which::Endpoints => {
            let readiness = Readiness::new();
            runtime.spawn(server::serve(
                listener,
                Metrics::new(),
                readiness,
                limits,
                stopped,
            ))
        }
        Which::Hook => {
            let (trigger, mut reloads) = mpsc::unbounded_channel();
            runtime.spawn(async move { while reloads.recv().await.is_some() {} });
            runtime.spawn(hooks::serve(
                listener,
                HookSecret::new("s3cret"),
                trigger,
                Metrics::new(),
                limits,
                stopped,
            ))
        }
    };
    Running {
        addr,
        stop: Some(stop),
        task: Some(task),
        runtime,
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
}

/// Sends `request` and reads the answer's status (the connection is closed after it).
fn status_of(addr: SocketAddr, request: &[u8]) -> u16 {
    let mut stream = connect(addr);
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    text.get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"))
}

/// True when the server closed `stream` (end of stream or reset) before `limit`.
fn closed_by_server(stream: &mut TcpStream, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 512];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return true,
        }
    }
    false
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

#[test]
fn a_request_head_sent_at_a_byte_a_second_is_dropped_after_the_header_timeout() {
    let running = start(Which::Endpoints, LIMITS);
    let mut stream = connect(running.addr);
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let head =
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let started = Instant::now();
    let mut closed = false;
    // One byte per 200 ms read wait; at most 60 bytes (about 12 s), far past the 1 s timeout.
    for byte in head.iter().take(60) {
        if stream.write_all(&[*byte]).is_err() || closed_by_server(&mut stream, Duration::ZERO) {
            closed = true;
            break;
        }
        if closed_by_server(&mut stream, Duration::from_millis(200)) {
            closed = true;
            break;
        }
    }
    assert!(closed, "still open after {:?}", started.elapsed());
    drop(running);
}

#[test]
fn idle_connections_beyond_the_limit_are_closed_and_a_fresh_client_is_served() {
    let running = start(
        Which::Endpoints,
        Limits {
            header_read_timeout: Duration::from_secs(60),
            ..LIMITS
        },
    );
    let mut idle: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut stream = connect(running.addr);
            stream.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
            stream
        })
        .collect();
    for _ in 0..3 {
        assert_eq!(status_of(running.addr, HEALTHZ), 200);
    }
    // The listener holds no more than its limit: the rest were closed, not left waiting.
    let closed = idle
        .iter_mut()
        .map(|s| closed_by_server(s, Duration::from_millis(300)))
        .filter(|closed| *closed)
        .count();
    assert!(
        closed >= 20 - LIMITS.max_connections,
        "only {closed} closed"
    );
}

#[test]
fn a_declared_body_over_the_cap_gets_413_before_it_is_sent() {
    let running = start(Which::Endpoints, LIMITS);
    // Only the head goes out: the answer cannot have waited for 10 MB.
    let status = status_of(
        running.addr,
        b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n",
    );
    assert_eq!(status, 413);
}

#[test]
fn a_chunked_hook_body_over_the_cap_gets_413_while_it_streams() {
    let running = start(Which::Hook, LIMITS);
    let body = vec![b'a'; 2048];
    let signature = HookSecret::new("s3cret").sign(&[&body]);
    let mut request = format!(
        "POST /hooks/git HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Hub-Signature-256: {signature}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(512) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(status_of(running.addr, &request), 413);

    // Within the cap, the same kind of request is accepted.
    let small = b"{}";
    let signature = HookSecret::new("s3cret").sign(&[small]);
    let request = format!(
        "POST /hooks/git HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Hub-Signature-256: {signature}\r\nContent-Length: 2\r\n\r\n{{}}"
    );
    assert_eq!(status_of(running.addr, request.as_bytes()), 202);
}

#[test]
fn shutdown_closes_a_slow_client_within_the_grace() {
    let mut running = start(
        Which::Endpoints,
        Limits {
            header_read_timeout: Duration::from_secs(60),
            ..LIMITS
        },
    );
    let mut slow = connect(running.addr);
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let _ = running.stop.take().unwrap().send(());
    let task = running.task.take().unwrap();
    // The grace is 1 s; the head timeout (60 s) cannot be what ends it.
    let finished = running
        .runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(8), task).await });
    assert!(finished.is_ok(), "the listener outlived its grace");
    assert!(closed_by_server(&mut slow, Duration::from_secs(2)));
}
