//! A local stand-in for the COS, OSS and S3 inventory APIs, bucket listing and bucket tags,
//! for demos and tests.
//!
//! Faithful enough that the official SDKs (cos-python-sdk-v5, oss2, alibabacloud-oss-v2, boto3) work
//! against it unchanged (see `tests/sdk/`): strict signature checks with the client's own
//! signers, the services' status codes, error codes and XML error bodies, 100-per-page LIST with
//! opaque tokens, OSS create-only PUT, each provider's bucket listing with its own paging, bucket
//! tags with each provider's limits and "no tags" answer, buckets created and deleted at run
//! time (`/_emulator/buckets/…`), fault injection, request statistics and optional persistence.
//!
//! Destination buckets have objects and bucket policies (ListObjects V1/V2, GetObject,
//! HeadObject, Get/Put/DeleteBucketPolicy), and the emulator delivers inventory reports on
//! its own clock (`/_emulator/clock`): each enabled configuration gets its scheduled report
//! in its provider's layout when the destination permits it (`report`, each provider's
//! `report.rs` holding its layout and its grant rule).
//!
//! # Layout
//! - [`server`]: `serve(listener, config, shutdown)`, `spawn(config)` → [`EmulatorHandle`]
//!   (`handle`); `shared`: per-instance state; `control`: `/_emulator/*`.
//! - `pipeline`: one request as layers, route → fault → auth → execute → reply, naming no
//!   provider.
//! - `dialect`: the `EmulatedProvider` trait, what one provider contributes (route, verify
//!   the signature, the rules of its operations, its answers and errors); `dialects`: the table
//!   of them and the edge that picks one per request.
//! - `cos`, `oss`, `s3`: one dialect each, in its own folder (host forms, signature check,
//!   rules, answer format).
//! - The shared kit the dialects use: `route` (routing rules), [`call`] (which call a request
//!   makes), `operations` (the four inventory operations), `bucket_ops` (bucket listing and
//!   tags), `tagging` (tag bodies and limits), `content_md5`, `reply` (HTTP answers), `errors`,
//!   `wire`, `state`, `bucket_index` and `token` (the store, its buckets and its pagination),
//!   `xmltree` (stored configurations as element trees).
//! - Provider-neutral services: [`config`] ([`EmulatorConfig`]), [`faults`], [`stats`],
//!   `persist`, `clock`; `objects` and `object_ops` (objects, bucket policies, listings);
//!   `report` (schedules, delivery, the deliveries log).
//!
//! # Adding a provider
//! A folder `src/emulator/<p>/` with a type implementing `EmulatedProvider`, and its entry in
//! the table in `dialects`. Nothing else in the emulator changes.

mod bucket_index;
mod bucket_ops;
pub mod call;
mod clock;
pub mod config;
mod content_md5;
mod control;
mod cos;
mod dialect;
mod dialects;
mod errors;
pub mod faults;
mod handle;
mod object_ops;
mod objects;
mod operations;
mod oss;
mod persist;
mod pipeline;
mod reply;
mod report;
mod route;
mod s3;
pub mod server;
mod shared;
mod state;
pub mod stats;
mod tagging;
mod token;
mod wire;

#[cfg(test)]
mod layout_tests;
use crate::provider::xmltree;

pub use call::{BucketCall, Call, ObjectCall};
pub use config::EmulatorConfig;
pub use errors::ApiError;
pub use faults::{FaultConfig, InjectedError};
pub use handle::EmulatorHandle;
pub use persist::PersistError;
pub use report::DeliveryRecord;
pub use server::{serve, spawn};
pub use stats::{BucketStatEntry, ObjectStatEntry, StatEntry, Stats};
