#!/usr/bin/env bash
# Moves the jobs of a dead-letter queue back to their queue, once the cause of
# their failures is fixed (a provider key, an outage, a bug). Each message is
# deleted from the dead-letter queue only after it is sent back.
#   infra/redrive.sh ai              (assistant questions)
#   infra/redrive.sh integrations    (integration jobs)
# Environment: STACK_NAME (default linklet); AWS_ENDPOINT_URL for a local endpoint.
set -euo pipefail

case "${1:-}" in
  ai) prefix=AiJobs ;;
  integrations) prefix=IntegrationJobs ;;
  *) echo "usage: infra/redrive.sh ai|integrations" >&2; exit 2 ;;
esac
stack="${STACK_NAME:-linklet}"
outputs=$(aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].Outputs' --output json)
output() { python3 -c 'import json,sys; print(next(o["OutputValue"] for o in json.load(sys.stdin) if o["OutputKey"] == sys.argv[1]))' "$1" <<<"$outputs"; }
from=$(output "${prefix}DeadLetterQueueUrl")
to=$(output "${prefix}QueueUrl")

# LINKLET_BIN: a built `linklet` binary, to skip cargo (the tests set it).
if [ -n "${LINKLET_BIN:-}" ]; then
  "$LINKLET_BIN" redrive --from "$from" --to "$to"
else
  cd "$(dirname "$0")/.." && cargo run --quiet --release -p linklet-local --bin linklet -- redrive --from "$from" --to "$to"
fi
