//! Test support shared by the integration test modules: emulators, mock servers, processes,
//! fixtures and golden files.

pub(crate) mod arbitrary;
pub(crate) mod cases;
pub(crate) mod cos_mock;
pub(crate) mod daemon;
pub(crate) mod e2e;
pub(crate) mod emulator_support;
pub(crate) mod fixtures;
pub(crate) mod full_configs;
pub(crate) mod golden;
pub(crate) mod mock_server;
pub(crate) mod process;
pub(crate) mod receiver;
