#!/usr/bin/env bash
# Mutated and random requests against every route of a real `serve` (scripts/fuzz_http.py), then the ledger checked.
# Usage: scripts/fuzz_http.sh [REQUESTS] [BINARY]   (default 100000, .build/debug/runa-ledger)
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-100000}
BIN=${2:-.build/debug/runa-ledger}
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
export RUNA_WEBHOOK_SECRETS=whsec_$(head -c 32 /dev/urandom | base64 | tr -d '\n')
export LEDGER_API_TOKENS=auditor:fuzz:fuzz-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG_LEVEL=info "$BIN" serve --db "$WORK/ledger.sqlite" --port "$PORT" --migrations migrations 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
status=0
python3 scripts/fuzz_http.py "http://127.0.0.1:$PORT" "$WORK/ledger.sqlite" "$REQUESTS" "${FUZZ_SEED:-20261123}" || status=1
# Why the service answered 503, if it did (it must only be for lack of a commit, and say so).
grep '"webhook not stored' "$WORK/serve.log" | sed 's/.*"error":"\([^"]*\)".*/  503 because: \1/' | sort | uniq -c | head -5 || true
if ! kill -0 "$SERVER" 2>/dev/null; then echo "FAIL: the server died"; tail -20 "$WORK/serve.log"; exit 1; fi
kill -TERM "$SERVER"; wait "$SERVER" || { echo "FAIL: the server did not stop cleanly"; status=1; }
"$BIN" check --db "$WORK/ledger.sqlite" --migrations migrations || status=1
# The log must hold no payload data: the canary e-mail address and body text fuzz_http.py sends (as values, keys,
# svix-id and X-Forwarded-For), nor the webhook secret or the API token.
SECRET_KEY=${RUNA_WEBHOOK_SECRETS#whsec_}
TOKEN=${LEDGER_API_TOKENS##*:}
LEAKS=$(grep -c -F -e 'canary.person' -e 'example.com' -e 'body-canary-7f3a9' -e "$SECRET_KEY" -e "$TOKEN" "$WORK/serve.log" || true)
echo "log: $(wc -l <"$WORK/serve.log") lines; lines with an e-mail address, body text, the secret or the token: $LEAKS"
if [ "$LEAKS" != "0" ]; then
  echo "FAIL: payload data or secrets in the log:"; grep -F -e 'canary.person' -e 'example.com' -e 'body-canary-7f3a9' "$WORK/serve.log" | head -5
  status=1
fi
exit $status
