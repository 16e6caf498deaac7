#!/usr/bin/env bash
# README command 2: install what the tests need, start a moto server on a free
# loopback port, apply the migrations to it, run every test of the workspace,
# and stop the server (also when the tests fail). Arguments go to the test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/lib/moto.sh
start_moto

echo "==> migrations (twice: the second run must apply nothing)"
cargo run --quiet -p linklet-local --bin linklet -- migrate
cargo run --quiet -p linklet-local --bin linklet -- migrate

echo "==> tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi
