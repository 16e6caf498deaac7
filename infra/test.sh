#!/usr/bin/env bash
# README command 2: install what the tests need, start a moto server on a free
# loopback port, apply the migrations to it, run every test of the workspace,
# and stop the server (also when the tests fail), then scan every test's output
# for the credentials the tests use. Arguments go to the test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/lib/moto.sh
start_moto

echo "==> migrations (twice: the second run must apply nothing)"
cargo run --quiet -p linklet-local --bin linklet -- migrate
cargo run --quiet -p linklet-local --bin linklet -- migrate

echo "==> tests"
if ! cargo nextest --version >/dev/null 2>&1; then
  cargo test --workspace --no-fail-fast "$@"
  exit
fi
# Every test's captured output (logs included, passing tests too) is kept in
# one file, then scanned for the credentials the tests use: none may appear.
log="${CARGO_TARGET_DIR:-target}/test-output.log"
mkdir -p "$(dirname "$log")"
set +e
# At TRACE, the most any operator can set, so the scan sees every line that could ever be logged.
LOG_LEVEL="${LOG_LEVEL:-TRACE}" \
  cargo nextest run --workspace --no-fail-fast --success-output final --failure-output final "$@" >"$log" 2>&1
status=$?
set -e
if [ "$status" -ne 0 ]; then
  cat "$log"
else
  grep -E '^ +(PASS|FAIL|SLOW|TIMEOUT|LEAK|SIGSEGV|SIGABRT) |Summary|Starting' "$log" || true
fi
echo "==> scanning the output of every test ($(wc -l <"$log") lines) for the credentials the tests use"
if grep -n -F -f infra/lib/test-secrets.txt "$log"; then
  echo "A credential the tests use appears in the test output (lines above)." >&2
  exit 1
fi
echo "none found"
exit "$status"
