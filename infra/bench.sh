#!/usr/bin/env bash
# Prints the figures of docs/performance.md (figures, not pass/fail):
#  - the release webhook binary's cold start (process start to first answered
#    API Gateway event, SDK clients built, secret read from Secrets Manager,
#    user written to DynamoDB, reply sent) and peak memory, next to a bare
#    lambda_http binary, under a local Lambda Runtime API; the same for the jobs
#    function answering one SQS batch (a question, answered by the fake AI);
#  - the local runner's POST /telegram throughput with 16 requests in flight;
#  - the reminder sweep: 10,000 due reminders for 2,000 users sent to the fake
#    Bot API (throughput, sent = due, no duplicate, peak memory);
#  - reminder lateness: 1,000 reminders due over 10 minutes, a sweep a minute
#    (p50/p99/max of how late each reached the fake Bot API; 11 minutes);
#  - the job queue: what queueing a question adds to the webhook's answer, and
#    the jobs consumer's rate from SQS batches (moto, fake AI and Telegram);
#  - the guard rails: the rate-limit count per update, the vault per credential;
#  - a shared location's zone: loading the bundled boundaries, then each lookup;
#  - workflows: hook POST -> 202 latency, engine steps/s, 10,000 schedules due at once;
#  - with --zip, the size of the arm64 Lambda zip (cargo-lambda, cross-compiled).
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/lib/moto.sh
start_moto

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --quiet --release -p webhook -p jobs -p linklet-local -p linklet-bench
bin="$CARGO_TARGET_DIR/release"

export DYNAMODB_TABLE="linklet-bench"
"$bin/linklet" migrate >/dev/null
LINKLET_SECRET_ARN=$("$VENV/bin/python" - <<'PY'
import json, os, boto3
client = boto3.client("secretsmanager", region_name=os.environ["AWS_REGION"], endpoint_url=os.environ["AWS_ENDPOINT_URL"])
secret = {"TELEGRAM_BOT_TOKEN": "0:bench", "TELEGRAM_WEBHOOK_SECRET": "local-secret"}
print(client.create_secret(Name="linklet-bench-telegram", SecretString=json.dumps(secret))["ARN"])
PY
)
export LINKLET_SECRET_ARN
eval "$("$bin/linklet" queues)"

echo "==> cold start and memory (20 runs each)"
"$bin/linklet-bench" cold-start --binary "$bin/bare-lambda" --event events/apigw-start.json --runs 20
"$bin/linklet-bench" cold-start --binary "$bin/webhook" --event events/apigw-start.json --runs 20 --token 0:bench
# The user of apigw-start.json (registered by the runs above) asks a question; the fake AI answers.
"$bin/linklet-bench" cold-start --binary "$bin/jobs" --event events/sqs-ask.json --runs 20 --token 0:bench
ls -l "$bin/webhook" "$bin/jobs" "$bin/bare-lambda" | awk '{ printf "binary %s: %.1f MiB (x86_64)\n", $9, $5 / 1048576 }'

echo "==> local runner throughput"
"$bin/linklet-bench" throughput --binary "$bin/linklet" --requests 2000 --concurrency 16

echo "==> reminder sweep: 10,000 due reminders for 2,000 users"
"$bin/linklet-bench" sweep --users 2000 --per-user 5 --per-second 1000 --store embedded
# moto keeps every transaction in memory (2.4 GiB for 1,000 tasks, 18 GiB before 10,000 were
# loaded): the DynamoDB path is measured on 1,000 reminders.
"$bin/linklet-bench" sweep --users 200 --per-user 5 --per-second 1000 --store dynamodb
# At the production pace (25 messages/s) the same load takes about 400 s over several sweeps.
"$bin/linklet-bench" sweep --users 2000 --per-user 5 --per-second 25 --store embedded

echo "==> reminder lateness: 1,000 reminders over 10 minutes, a sweep every 60 s (takes 11 minutes)"
"$bin/linklet-bench" lateness --reminders 1000 --minutes 10 --users 250

echo "==> job queue: 500 questions queued by the webhook, answered from SQS batches (moto, fake AI)"
"$bin/linklet-bench" jobs --jobs 500 --pollers 1
"$bin/linklet-bench" jobs --jobs 500 --pollers 4
"$bin/linklet-bench" jobs --jobs 5000 --pollers 16 --store embedded

echo "==> guard rails: the rate limiter's count per update, the vault's seal/open"
"$bin/linklet-bench" guard --updates 1000

echo "==> a shared location's time zone: the boundaries loaded on first use, then 10,000 lookups"
"$bin/linklet-bench" zones --lookups 10000

echo "==> workflows: hook POST -> 202, engine steps/s, 10,000 schedules due in one minute"
"$bin/linklet-bench" workflows --posts 2000 --concurrency 16 --schedules 10000

if [ "${1:-}" = "--zip" ]; then
  echo "==> arm64 Lambda zip (cargo-lambda)"
  if ! [ -x "$VENV/bin/cargo-lambda" ]; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==1.9.2"
  fi
  rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || true
  PATH="$PWD/$VENV/bin:$PATH" cargo lambda build --release --arm64 -p webhook --output-format zip \
    --lambda-dir "$CARGO_TARGET_DIR/lambda"
  ls -l "$CARGO_TARGET_DIR/lambda/webhook/bootstrap.zip" | awk '{ printf "arm64 zip: %.2f MiB\n", $5 / 1048576 }'
fi
