//! A local stand-in for the COS, OSS and S3 inventory APIs, for demos and tests.
//!
//! Faithful enough that the official SDKs (cos-python-sdk-v5, oss2, alibabacloud-oss-v2, boto3) work
//! against it unchanged (see `tests/sdk/`): strict signature checks with the client's own
//! signers, the services' status codes, error codes and XML error bodies, 100-per-page LIST with
//! opaque tokens, OSS create-only PUT, fault injection, request statistics and optional
//! persistence.
//!
//! # Layout
//! - [`server`]: `serve(listener, config, shutdown)`, `spawn(config)` → [`EmulatorHandle`]
//!   (`handle`); `pipeline`: one request from routing to answer; `shared`: per-instance state.
//! - [`config`]: the [`EmulatorConfig`] type.
//! - `route`: Host / path / query → provider, bucket, operation.
//! - `auth`: signature dispatch and Content-MD5; `cos_auth`, `oss_auth`, `s3_auth`: each
//!   provider's signature check. `s3_route`, `s3_reply`: S3's endpoints and answer format.
//! - `api`, `cos`, `oss`, `s3`: the operations and each provider's rules; `state`, `token`: the
//!   store and its pagination; `xmltree`: stored configurations as element trees.
//! - [`faults`], [`stats`], `persist`, `errors`, `reply`, `control` (`/_emulator/*`).

mod api;
mod auth;
mod clock;
pub mod config;
mod control;
mod cos;
mod cos_auth;
mod errors;
pub mod faults;
mod handle;
mod oss;
mod oss_auth;
mod persist;
mod pipeline;
mod reply;
mod route;
mod s3;
mod s3_auth;
mod s3_reply;
mod s3_route;
pub mod server;
mod shared;
mod state;
pub mod stats;
mod token;
use crate::provider::xmltree;

pub use config::EmulatorConfig;
pub use errors::ApiError;
pub use faults::{FaultConfig, InjectedError};
pub use handle::EmulatorHandle;
pub use persist::PersistError;
pub use server::{serve, spawn};
pub use stats::{StatEntry, Stats};
