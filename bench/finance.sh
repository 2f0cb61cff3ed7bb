#!/usr/bin/env bash
# Finance features at scale: a ledger of N orders brought in by a real backfill from the simulator (so the audit
# trail is real), then the completeness report, a summary live and as_of (and whether they agree), an order as_of,
# value at risk, a month-end close package (forced: the simulator's orders are this month's) and its sha256sum
# check, the access log as CSV, and `runa-ledger check`, each timed.
# Usage: bench/finance.sh [ORDERS] [RATE]   (default 20000 orders, 1000 requests/s)
# Env: LEDGER (a ledger made before, e.g. by make-trail, copied instead of backfilled), PERIOD (the month to close;
#      default this month), BIN and MIGRATIONS (another build, for before/after comparisons).
#   swift build -c release --product make-trail && .build/release/make-trail /tmp/trail.sqlite 1000000
#   LEDGER=/tmp/trail.sqlite PERIOD=2026-06 bench/finance.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${1:-20000}
RATE=${2:-1000}
if [ -z "${BIN:-}" ]; then swift build -c release --product runa-ledger >/dev/null; fi
BIN=${BIN:-.build/release/runa-ledger}
MIGRATIONS=${MIGRATIONS:-migrations}
WORK=$(mktemp -d)
SIM=
SERVER=
trap 'kill $SIM $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%FT%TZ)"
if [ -n "${LEDGER:-}" ]; then
  cp "$LEDGER" "$WORK/ledger.sqlite"
  ORDERS=$(sqlite3 "$WORK/ledger.sqlite" 'SELECT count(*) FROM orders')
  echo "ledger: a copy of $LEDGER, $ORDERS orders"
else
  "$BIN" sim --api-key bench --port 0 --complete-after 0 --claim-rate 0.3 --cancel-rate 0.1 --preload "$ORDERS" >"$WORK/sim.out" 2>/dev/null &
  SIM=$!
  for _ in $(seq 600); do grep -q listening "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
  BASE=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$WORK/sim.out")
  echo "$ORDERS orders"
  RUNA_API_KEY=bench RUNA_BASE_URL="$BASE" RUNA_REQUESTS_PER_SECOND=$RATE RUNA_MAX_CONCURRENCY=8 \
    LEDGER_DB="$WORK/ledger.sqlite" "$BIN" backfill --migrations "$MIGRATIONS" | tail -1
fi
echo "events in the trail: $(sqlite3 "$WORK/ledger.sqlite" 'SELECT count(*) FROM order_events')"

TOKEN=auditor-bench-0123456789abcdef
LEDGER_API_TOKENS="auditor:bench:$TOKEN" RUNA_WEBHOOK_SECRETS=whsec_ZGV2LW9ubHktc2VjcmV0LWRvLW5vdC11c2UtaW4tcHJvZA== \
  LOG_LEVEL=warning "$BIN" serve --db "$WORK/ledger.sqlite" --port 18600 --migrations "$MIGRATIONS" 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 600); do curl -sf http://127.0.0.1:18600/readyz >/dev/null && break; sleep 0.1; done
curl -sf http://127.0.0.1:18600/readyz >/dev/null || { echo "the service did not start:" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
get() {  # get PATH OUTFILE → prints the time
  curl -s -o "$2" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18600$1"
}
echo "GET /v1/completeness: $(get /v1/completeness "$WORK/completeness.json") s"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("  watermark", d["watermark"], "open gaps", d["open_gaps"], "listed", d["listed_orders"])' "$WORK/completeness.json"
sleep 1
AS_OF=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ | cut -c1-26)Z
sleep 1
echo "GET /v1/summary (live): $(get /v1/summary "$WORK/live.json") s"
echo "GET /v1/summary?as_of=$AS_OF: $(get "/v1/summary?as_of=$AS_OF" "$WORK/asof.json") s"
python3 - "$WORK/live.json" "$WORK/asof.json" <<'PY'
import json, sys
live, asof = (json.load(open(p)) for p in sys.argv[1:3])
asof.pop("as_of", None); live.pop("as_of", None)
print("  as_of summary equals the live one:", "yes" if live == asof else "NO")
PY
# Moments inside the backfill: 10% of the orders changed after the first (the rows, with those orders rebuilt),
# 60% after the second (every order rebuilt from the whole trail).
for share in 90 40; do
  MOMENT=$(sqlite3 "$WORK/ledger.sqlite" "SELECT at FROM order_events ORDER BY seq LIMIT 1 OFFSET (SELECT count(*) * $share / 100 FROM order_events)")
  echo "GET /v1/summary?as_of= the moment $share% of the trail was written: $(get "/v1/summary?as_of=$MOMENT" /dev/null) s"
done
ID=$(sqlite3 "$WORK/ledger.sqlite" "SELECT id FROM orders ORDER BY id LIMIT 1 OFFSET $((ORDERS / 2))")
echo "GET /v1/orders/{id}?as_of: $(get "/v1/orders/$ID?as_of=$AS_OF" /dev/null) s"
echo "GET /v1/value-at-risk: $(get /v1/value-at-risk /dev/null) s"

PERIOD=${PERIOD:-$(date -u +%Y-%m)}
echo "orders listed in $PERIOD: $(sqlite3 "$WORK/ledger.sqlite" "SELECT count(*) FROM orders WHERE substr(coalesce(created_at, first_seen_at), 1, 7) = '$PERIOD'")"
START=$(date +%s.%N)
"$BIN" close --db "$WORK/ledger.sqlite" --migrations "$MIGRATIONS" --period "$PERIOD" --out "$WORK/close" --force \
  --reason "benchmark: the month is not over" | grep -E "rows|manifest"
END=$(date +%s.%N)
python3 -c "import sys; print(f'close package written and recorded in {float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$START" "$END"
START=$(date +%s.%N)
(cd "$WORK/close" && sha256sum -c --quiet SHA256SUMS) && echo "  sha256sum -c: OK"
END=$(date +%s.%N)
python3 -c "import sys; print(f'  sha256sum -c took {float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$START" "$END"
echo "GET /v1/closes/$PERIOD: $(get "/v1/closes/$PERIOD" /dev/null) s"
echo "GET /v1/access-log?format=csv: $(get "/v1/access-log?format=csv" /dev/null) s"
echo "server peak RSS: $(awk '/VmHWM/ {print $2 / 1024 " MB"}' /proc/$SERVER/status)"
START=$(date +%s.%N)
echo "ledger check: $("$BIN" check --db "$WORK/ledger.sqlite" --migrations "$MIGRATIONS" | head -1)"
END=$(date +%s.%N)
python3 -c "import sys; print(f'  check took {float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$START" "$END"
