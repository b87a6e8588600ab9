//! Test support shared by the integration test modules: emulators, mock servers, processes,
//! fixtures and golden files.

pub mod arbitrary;
pub mod cases;
pub mod cos_mock;
pub mod daemon;
pub mod e2e;
pub mod emulator_support;
pub mod fixtures;
pub mod full_configs;
pub mod golden;
pub mod mock_server;
pub mod process;
pub mod receiver;
