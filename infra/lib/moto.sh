# Sourced by infra/test.sh and infra/bench.sh. `start_moto` installs the pinned
# moto[server] in .venv (reused when present), starts it on a free loopback
# port, exports AWS_ENDPOINT_URL and stand-in credentials, and stops it when the
# calling script exits, whatever the outcome. Run from the repository root.

MOTO_VERSION="5.2.5"
VENV=".venv"

start_moto() {
  if ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "==> installing moto[server]==$MOTO_VERSION in $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  fi
  local port
  port=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p target
  "$VENV/bin/python" infra/lib/moto_serial.py 127.0.0.1 "$port" > target/moto.log 2>&1 &
  MOTO_PID=$!
  trap 'kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true' EXIT

  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
  unset AWS_PROFILE AWS_SESSION_TOKEN

  "$VENV/bin/python" - "$AWS_ENDPOINT_URL" <<'PY'
import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit("moto did not start: see target/moto.log")
PY
  echo "==> moto $MOTO_VERSION on $AWS_ENDPOINT_URL"
}
