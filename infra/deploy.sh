#!/usr/bin/env bash
# Release: build the functions, deploy the stack, store the bot token and AI
# keys in the stack's secret (those set in the environment), apply the
# migrations to the table, write the vault's key once, and point Telegram's
# webhook at the new API.
#   TELEGRAM_BOT_TOKEN=123:abc OPENAI_API_KEY=sk-... infra/deploy.sh [--config-env prod]
# Needs: sam (aws-sam-cli), cargo-lambda, the aws CLI, AWS credentials.
# Environment: STACK_NAME (default linklet); LINKLET_BIN, a built `linklet`
# binary to run instead of `cargo run --release` (the tests set it).
set -euo pipefail
cd "$(dirname "$0")/.."

sam build "$@"
sam deploy "$@"

outputs=$(aws cloudformation describe-stacks --stack-name "${STACK_NAME:-linklet}" --query 'Stacks[0].Outputs' --output json)
output() { python3 -c 'import json,sys; print(next(o["OutputValue"] for o in json.load(sys.stdin) if o["OutputKey"] == sys.argv[1]))' "$1" <<<"$outputs"; }
secret_arn=$(output TelegramSecretArn)
key_secret_arn=$(output EncryptionKeySecretArn)
table=$(output TableName)

linklet() {
  if [ -n "${LINKLET_BIN:-}" ]; then
    "$LINKLET_BIN" "$@"
  else
    cargo run --quiet --release -p linklet-local --bin linklet -- "$@"
  fi
}

# Secret values reach the aws CLI on its standard input, never on a command
# line (where anyone who can list processes reads them) or in a log.
put_secret() { aws secretsmanager put-secret-value --secret-id "$1" --secret-string file:///dev/stdin >/dev/null; }
get_secret() { aws secretsmanager get-secret-value --secret-id "$1" --query SecretString --output text; }

# The bot token and the AI keys go into the stack's secret when they are set here.
current=$(get_secret "$secret_arn")
if [ -n "${TELEGRAM_BOT_TOKEN:-}${OPENAI_API_KEY:-}${GOOGLE_AI_API_KEY:-}" ]; then
  echo "==> storing the keys given in the environment in $secret_arn"
  python3 -c '
import json, os, sys
d = json.loads(sys.stdin.read())
for name in ("TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "GOOGLE_AI_API_KEY"):
    if os.environ.get(name):
        d[name] = os.environ[name]
        print("   ", name, file=sys.stderr)
sys.stdout.write(json.dumps(d))' <<<"$current" | put_secret "$secret_arn"
fi

echo "==> migrations on $table"
DYNAMODB_TABLE="$table" linklet migrate

# The vault's key lives in its own secret, which no template edit regenerates.
# It is written once: moved from the stack's secret where earlier releases kept
# it, or made new only while no credential is sealed (a new key would leave
# them unreadable). Rotation and backup: docs/operations.md.
if ! key=$(get_secret "$key_secret_arn" 2>/dev/null) || [ -z "$key" ] || [ "$key" = "None" ]; then
  legacy=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read()).get("ENCRYPTION_KEY", ""))' <<<"$current")
  if [ -n "$legacy" ]; then
    echo "==> moving the encryption key into its own secret, $key_secret_arn"
    printf '%s' "$legacy" | put_secret "$key_secret_arn"
  else
    sealed=$(DYNAMODB_TABLE="$table" linklet sealed --aws)
    if [ "${sealed%% *}" != "0" ]; then
      echo "error: the encryption key's secret $key_secret_arn is empty, but $sealed." >&2
      echo "A new key would leave them unreadable: restore the key from its backup (docs/operations.md)." >&2
      exit 1
    fi
    echo "==> creating the encryption key in $key_secret_arn (back it up: docs/operations.md)"
    linklet keygen | put_secret "$key_secret_arn"
  fi
fi

infra/set-webhook.sh
