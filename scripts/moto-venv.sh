#!/usr/bin/env bash
# Creates .venv-moto in the checkout root with the moto server the emulator tests start
# (tests/emulator_eb.rs). Idempotent: does nothing when the pinned version is already installed.
# Quiet on success; pip's output is shown only when something fails.
set -euo pipefail

MOTO_VERSION="5.2.5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-moto"

installed_version() {
    "$venv/bin/python" - <<'PY' 2>/dev/null
from importlib.metadata import version
print(version("moto"))
PY
}

if [[ -x "$venv/bin/moto_server" && "$(installed_version || true)" == "$MOTO_VERSION" ]]; then
    exit 0
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

if [[ ! -x "$venv/bin/python" ]]; then
    if ! python3 -m venv "$venv" >"$log" 2>&1; then
        cat "$log" >&2
        echo "moto-venv: could not create $venv (is python3-venv installed?)" >&2
        exit 1
    fi
fi

if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >"$log" 2>&1; then
    cat "$log" >&2
    echo "moto-venv: pip install moto[server]==$MOTO_VERSION failed" >&2
    exit 1
fi
