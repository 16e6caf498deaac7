#!/usr/bin/env bash
# Points the bot's webhook at the deployed API, with the secret token Telegram
# echoes in X-Telegram-Bot-Api-Secret-Token and only the update kinds Linklet
# handles, then publishes the command list in English and French.
#   infra/set-webhook.sh            (reads the stack's outputs and secret)
# Environment: STACK_NAME (default linklet), TELEGRAM_API_URL (default Telegram's),
# TELEGRAM_WEBHOOK_URL (default: the stack's WebhookUrl output, e.g. to use a custom domain).
set -euo pipefail

stack="${STACK_NAME:-linklet}"
api="${TELEGRAM_API_URL:-https://api.telegram.org}"
outputs=$(aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].Outputs' --output json)
output() { python3 -c 'import json,sys; print(next(o["OutputValue"] for o in json.load(sys.stdin) if o["OutputKey"] == sys.argv[1]))' "$1" <<<"$outputs"; }
webhook_url="${TELEGRAM_WEBHOOK_URL:-$(output WebhookUrl)}"
# LINKLET_BIN: a built `linklet` binary, to skip cargo (the tests set it).
if [ -n "${LINKLET_BIN:-}" ]; then
  commands=$("$LINKLET_BIN" commands)
else
  commands=$(cd "$(dirname "$0")/.." && cargo run --quiet -p linklet-local --bin linklet -- commands)
fi
secret=$(aws secretsmanager get-secret-value --secret-id "$(output TelegramSecretArn)" --query SecretString --output text)

# The token and secret stay inside python: never on a command line or in a log.
COMMANDS="$commands" SECRET_JSON="$secret" WEBHOOK_URL="$webhook_url" API="$api" python3 - <<'PY'
import json, os, sys, urllib.request

secret = json.loads(os.environ["SECRET_JSON"])
token = secret["TELEGRAM_BOT_TOKEN"]
if not token or token.startswith("set-me"):
    sys.exit("The bot token is not set: run TELEGRAM_BOT_TOKEN=... infra/deploy.sh")

def call(method, payload):
    request = urllib.request.Request(
        f"{os.environ['API']}/bot{token}/{method}",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        answer = json.load(error)
    if not answer.get("ok"):
        sys.exit(f"{method} failed: {answer.get('description')}")
    print(f"{method}: ok")

call("setWebhook", {
    "url": os.environ["WEBHOOK_URL"],
    "secret_token": secret["TELEGRAM_WEBHOOK_SECRET"],
    "allowed_updates": ["message", "callback_query"],
    "max_connections": 40,
})
# The command list comes from the bot's own message catalog (`linklet commands`).
for lang, commands in json.loads(os.environ["COMMANDS"]).items():
    payload = {"commands": commands}
    if lang != "en":
        payload["language_code"] = lang
    call("setMyCommands", payload)
print(f"Telegram now delivers updates to {os.environ['WEBHOOK_URL']}")
PY
