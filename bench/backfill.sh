#!/usr/bin/env bash
# Backfill benchmark: time for `runa-ledger backfill` to bring N orders from the simulator into an empty ledger at
# a budget of R requests/s, against the ideal (list pages + one detail call per order) / R.
# Usage: bench/backfill.sh [ORDERS] [RATE]   (default 50000 orders at 400 requests/s)
# Env: BIN and MIGRATIONS (another build and its migrations folder, for before/after comparisons; default: this tree's).
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${1:-50000}
RATE=${2:-400}
PAGE=100
if [ -z "${BIN:-}" ]; then swift build -c release --product runa-ledger >/dev/null; fi
BIN=${BIN:-.build/release/runa-ledger}
MIGRATIONS=${MIGRATIONS:-migrations}
WORK=$(mktemp -d)
trap 'kill $SIM 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$BIN" sim --api-key bench --port 0 --complete-after 0 --claim-rate 0 --cancel-rate 0 --preload "$ORDERS" >"$WORK/sim.out" 2>/dev/null &
SIM=$!
for _ in $(seq 600); do grep -q listening "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$WORK/sim.out")
ROOT=${BASE%/v2}
echo "machine: $(nproc) cores, $(date -u +%FT%TZ); $ORDERS orders preloaded; budget $RATE requests/s; concurrency 8"
START=$(date +%s.%N)
RUNA_API_KEY=bench RUNA_BASE_URL="$BASE" RUNA_REQUESTS_PER_SECOND=$RATE RUNA_MAX_CONCURRENCY=8 \
  LEDGER_DB="$WORK/ledger.sqlite" "$BIN" backfill --migrations "$MIGRATIONS" | tail -1
END=$(date +%s.%N)
REQUESTS=$(curl -s "$ROOT/_sim/statistics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["apiRequests"])')
python3 - "$START" "$END" "$ORDERS" "$RATE" "$PAGE" "$REQUESTS" <<'PY'
import sys
start, end, orders, rate, page, requests = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
pages = -(-orders // page) + 1  # every page, plus the empty one that ends the walk
ideal = (pages + orders) / rate
took = end - start
print(f"backfill took {took:.1f} s; ideal {ideal:.1f} s ({pages} list pages + {orders} detail calls at {rate:.0f}/s); "
      f"{took / ideal * 100 - 100:+.1f}% over ideal; {requests} requests = {requests / orders:.3f} per order")
PY
echo "ledger check: $("$BIN" check --db "$WORK/ledger.sqlite" --migrations "$MIGRATIONS" | head -1)"
