#!/usr/bin/env bash
# Release: build the functions, deploy the stack, store the bot token and AI
# keys in the stack's secret (those set in the environment), apply the
# migrations to the table, and point Telegram's webhook at the new API.
#   TELEGRAM_BOT_TOKEN=123:abc OPENAI_API_KEY=sk-... infra/deploy.sh [--config-env prod]
# Needs: sam (aws-sam-cli), cargo-lambda, the aws CLI, AWS credentials.
set -euo pipefail
cd "$(dirname "$0")/.."

sam build "$@"
sam deploy "$@"

outputs=$(aws cloudformation describe-stacks --stack-name "${STACK_NAME:-linklet}" --query 'Stacks[0].Outputs' --output json)
output() { python3 -c 'import json,sys; print(next(o["OutputValue"] for o in json.load(sys.stdin) if o["OutputKey"] == sys.argv[1]))' "$1" <<<"$outputs"; }
secret_arn=$(output TelegramSecretArn)
table=$(output TableName)

# The bot token and the AI keys go into the stack's secret when they are set
# here; the values stay inside python, never on a command line or in a log.
if [ -n "${TELEGRAM_BOT_TOKEN:-}${OPENAI_API_KEY:-}${GOOGLE_AI_API_KEY:-}" ]; then
  echo "==> storing the keys given in the environment in $secret_arn"
  current=$(aws secretsmanager get-secret-value --secret-id "$secret_arn" --query SecretString --output text)
  updated=$(python3 -c '
import json, os, sys
d = json.loads(sys.stdin.read())
for name in ("TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "GOOGLE_AI_API_KEY"):
    if os.environ.get(name):
        d[name] = os.environ[name]
        print("   ", name, file=sys.stderr)
print(json.dumps(d))' <<<"$current")
  aws secretsmanager put-secret-value --secret-id "$secret_arn" --secret-string "$updated" >/dev/null
fi

# The vault's key, created once: rotating it is described in docs/operations.md.
current=$(aws secretsmanager get-secret-value --secret-id "$secret_arn" --query SecretString --output text)
if ! python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.stdin.read()).get("ENCRYPTION_KEY") else 1)' <<<"$current"; then
  echo "==> creating the encryption key in $secret_arn"
  updated=$(python3 -c '
import base64, json, os, sys
d = json.loads(sys.stdin.read())
d["ENCRYPTION_KEY"] = "k1:" + base64.b64encode(os.urandom(32)).decode()
print(json.dumps(d))' <<<"$current")
  aws secretsmanager put-secret-value --secret-id "$secret_arn" --secret-string "$updated" >/dev/null
fi

echo "==> migrations on $table"
DYNAMODB_TABLE="$table" cargo run --quiet --release -p linklet-local --bin linklet -- migrate

infra/set-webhook.sh
