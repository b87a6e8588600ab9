//! A local webhook receiver on the shared [`MockServer`]: records every POST and answers with
//! scripted statuses.

#![allow(dead_code)]

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;

use super::mock_server::MockServer;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

/// A receiver on 127.0.0.1:0 for the life of the value; 200 unless scripted otherwise.
pub(crate) struct Receiver {
    pub addr: std::net::SocketAddr,
    server: MockServer,
}

impl Receiver {
    pub(crate) fn start() -> Receiver {
        let server = MockServer::start();
        server.fallback(|_, _| StatusCode::OK.into_response());
        let addr = server
            .url()
            .trim_start_matches("http://")
            .parse()
            .expect("socket address");
        Receiver { addr, server }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The next requests get these statuses.
    pub(crate) fn script(&self, statuses: &[u16]) {
        for status in statuses {
            self.server.push(StatusCode::from_u16(*status).unwrap());
        }
    }

    /// Every answer waits this long first.
    pub(crate) fn delay(&self, delay: Duration) {
        self.server.delay(delay);
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.server
            .requests()
            .into_iter()
            .map(|r| Received {
                path: r.path().to_string(),
                body: String::from_utf8_lossy(&r.body).into_owned(),
                headers: r.headers,
            })
            .collect()
    }

    /// The bodies received, parsed as JSON.
    pub(crate) fn json(&self) -> Vec<serde_json::Value> {
        self.received()
            .iter()
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    }
}
