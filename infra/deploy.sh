#!/usr/bin/env bash
# Release: build the functions, deploy the stack, store the bot token in the
# stack's secret (first time, or when TELEGRAM_BOT_TOKEN is set), apply the
# migrations to the table, and point Telegram's webhook at the new API.
#   TELEGRAM_BOT_TOKEN=123:abc infra/deploy.sh [--config-env prod]
# Needs: sam (aws-sam-cli), cargo-lambda, the aws CLI, AWS credentials.
set -euo pipefail
cd "$(dirname "$0")/.."

sam build "$@"
sam deploy "$@"

outputs=$(aws cloudformation describe-stacks --stack-name "${STACK_NAME:-linklet}" --query 'Stacks[0].Outputs' --output json)
output() { python3 -c 'import json,sys; print(next(o["OutputValue"] for o in json.load(sys.stdin) if o["OutputKey"] == sys.argv[1]))' "$1" <<<"$outputs"; }
secret_arn=$(output TelegramSecretArn)
table=$(output TableName)

if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
  echo "==> storing the bot token in $secret_arn"
  current=$(aws secretsmanager get-secret-value --secret-id "$secret_arn" --query SecretString --output text)
  updated=$(TOKEN="$TELEGRAM_BOT_TOKEN" python3 -c 'import json,os,sys; d=json.loads(sys.stdin.read()); d["TELEGRAM_BOT_TOKEN"]=os.environ["TOKEN"]; print(json.dumps(d))' <<<"$current")
  aws secretsmanager put-secret-value --secret-id "$secret_arn" --secret-string "$updated" >/dev/null
fi

echo "==> migrations on $table"
DYNAMODB_TABLE="$table" cargo run --quiet --release -p linklet-local --bin linklet -- migrate

infra/set-webhook.sh
