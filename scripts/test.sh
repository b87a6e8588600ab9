#!/usr/bin/env bash
# The whole test suite: Rust unit, property and integration tests, then the official-SDK
# conformance tests of the emulator (a Python venv with the pinned SDKs, made on first use), then
# the pull-request comment script of deploy/ci against a local fake code host (stdlib only).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --locked

cargo build --locked --bin invsync
INVSYNC_BIN="$PWD/target/debug/invsync" bash tests/sdk/run.sh

INVSYNC_BIN="$PWD/target/debug/invsync" python3 -m unittest discover -s tests/ci -v
