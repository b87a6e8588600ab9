#!/usr/bin/env bash
# Runs the official-SDK conformance tests of the emulator (tests/sdk/*.py) in a virtualenv.
#
# Usage: tests/sdk/run.sh [pytest args...]
#   INVSYNC_BIN          the invsync binary (default: target/debug/invsync, built if missing)
#   INVSYNC_EMULATOR_URL use an emulator that is already running instead of starting one
#   INVSYNC_SDK_VENV     where the virtualenv lives (default: target/sdk-venv)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${INVSYNC_SDK_VENV:-$root/target/sdk-venv}"

if [[ -z "${INVSYNC_EMULATOR_URL:-}" ]]; then
  if [[ -z "${INVSYNC_BIN:-}" ]]; then
    (cd "$root" && cargo build --quiet --bin invsync)
    INVSYNC_BIN="$root/target/debug/invsync"
  fi
  INVSYNC_BIN="$(realpath "$INVSYNC_BIN")"
  export INVSYNC_BIN
fi

stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi

cd "$here"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
