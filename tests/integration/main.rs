//! invsync's integration tests, one binary of modules: each module is one area (the CLI, the
//! emulator per provider, end-to-end reconciles, the daemon, manifests, plans, the signers), and
//! `support` holds what they share. One binary links once instead of once per file.
//!
//! Run one area with a filter: `cargo test --test integration e2e_mixed::`.

mod support;

mod bench_smoke;
mod ci_templates;
mod cli;
mod cli_durations;
mod cli_endpoint;
mod cli_pipeline;
mod contract;
mod cos_client;
mod cos_transport;
mod daemon_process;
mod daemon_reconcile;
mod daemon_revisions;
mod daemon_settle;
mod demo;
mod discovery;
mod discovery_bodies;
mod e2e_foreign;
mod e2e_mixed;
mod e2e_once;
mod e2e_reconcile;
mod e2e_s3;
mod e2e_specifics;
mod emulator_buckets;
mod emulator_cos;
mod emulator_cos_client;
mod emulator_hostile_bodies;
mod emulator_oss;
mod emulator_oss_client;
mod emulator_s3;
mod emulator_server;
mod endpoint_trust;
mod hostile_bodies;
mod import_all_buckets;
mod layering;
mod list_later_page_404;
mod listener_limits;
mod manifest_control_chars;
mod manifest_hostile;
mod manifest_invalid;
mod manifest_load;
mod manifest_roundtrip;
mod manifest_schema;
mod monitoring;
mod notify_webhooks;
mod observe_mode;
mod oss_client;
mod plan_golden;
mod plan_markdown;
mod plan_normalize;
mod plan_properties;
mod plan_revision;
mod plan_state;
mod protocol_core;
mod provider_footprint;
mod push_hook;
mod reader_fuzz;
mod reconcile_memory;
mod s3_cli;
mod s3_client;
mod s3_sigv4_official_crate;
mod s3_sigv4_vectors;
mod scheduler_bucket;
mod scheduler_properties;
mod server_deploy;
mod server_endpoints;
mod settle_widening;
mod shard_replicas;
mod signature_expiry;
mod vendor_bodies;
mod watch_gitsync;
