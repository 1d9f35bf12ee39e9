#!/usr/bin/env bash
# The test command: every unit, snapshot, mocked-SDK, replay, emulator and pseudo-terminal test.
# Needs the moto server (scripts/moto-venv.sh installs it into .venv-moto).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/moto-venv.sh
exec cargo test --locked "$@"
