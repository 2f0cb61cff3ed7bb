#!/usr/bin/env bash
# Query API benchmark on a generated ledger of N orders (default 1,000,000): first page of GET /v1/orders with two
# filters (p50/p99 under wrk), GET /v1/summary over everything, CSV export rows/s, and the server's peak RSS.
# Usage: bench/query.sh [ORDERS]
# Env: BIN and MIGRATIONS (another build and its migrations folder, for before/after comparisons; default: this
#      tree's), LEDGER (a ledger made before, copied instead of generated, so that runs compare on identical files),
#      DATASETTE=1 (then serve the same file with Datasette, run the same SQL through it and print the ratios; needs
#      pip install 'datasette==0.65.5').
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${1:-1000000}
if [ -z "${BIN:-}" ]; then swift build -c release --product runa-ledger >/dev/null; fi
BIN=${BIN:-.build/release/runa-ledger}
MIGRATIONS=${MIGRATIONS:-migrations}
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
if [ -n "${LEDGER:-}" ]; then
  cp "$LEDGER" "$WORK/ledger.sqlite"
  ORDERS=$(sqlite3 "$WORK/ledger.sqlite" 'SELECT count(*) FROM orders')
else
  "$BIN" migrate --db "$WORK/ledger.sqlite" --migrations "$MIGRATIONS" >/dev/null
  python3 bench/make_ledger.py "$WORK/ledger.sqlite" "$ORDERS"
  # The generator writes plain SQL, so its orders' search rows wait in order_search_staged; opening the ledger with
  # migrate indexes them once (as serve would at start), so the timed start below is the service's own.
  "$BIN" migrate --db "$WORK/ledger.sqlite" --migrations "$MIGRATIONS" >/dev/null
fi
TOKEN=bench-token-0123456789abcdef
LEDGER_API_TOKENS=$TOKEN RUNA_WEBHOOK_SECRETS=whsec_ZGV2LW9ubHktc2VjcmV0LWRvLW5vdC11c2UtaW4tcHJvZA== LOG_LEVEL=warning \
  "$BIN" serve --db "$WORK/ledger.sqlite" --port 18500 --migrations "$MIGRATIONS" 2>/dev/null &
SERVER=$!
STARTED=$(date +%s.%N)
for _ in $(seq 1200); do curl -sf http://127.0.0.1:18500/readyz >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(date -u +%FT%TZ); $ORDERS orders; ready $(python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 1))" "$STARTED") s after start"

cat > "$WORK/plain.lua" <<LUA
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non_2xx=%d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status))
end
LUA
{ echo "wrk.headers[\"Authorization\"] = \"Bearer $TOKEN\""; cat "$WORK/plain.lua"; } > "$WORK/auth.lua"
URL="http://127.0.0.1:18500/v1/orders?status=COMPLETED&currency=GBP"
echo "first page, two filters ($URL), 4 connections, 10 s: $(wrk -t2 -c4 -d10s -s "$WORK/auth.lua" "$URL" | grep RESULT)"
URL="http://127.0.0.1:18500/v1/orders?payout_status=EXPIRED&created_from=2026-06-01"
echo "first page, payout status + date ($URL): $(wrk -t2 -c4 -d10s -s "$WORK/auth.lua" "$URL" | grep RESULT)"

# Searches: an id prefix; description text found once, a hundred, a thousand and ten thousand times (the last
# clustered in time), nowhere and everywhere; with filters that let few matches through; and a rare source.
for query in "q=O-BENCH00000000000009999" "q=bench%20order%20999999" "q=order%2012345" "q=r%20123" "q=r%2012" \
    "q=no-such-text" "q=BENCH%20ORDER" "q=bench%20order&currency=CAD&status=PROCESSING" "q=r%2012&status=FAILED" \
    "q=bench%20order&created_to=2026-01-15" "source=webhook"; do
  curl -s -o /dev/null -w "$query: %{time_total} s\n" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18500/v1/orders?$query"
done

for path in reconciliation deliveries; do
  curl -s -o /dev/null -w "/v1/$path: %{time_total} s\n" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18500/v1/$path"
done

for run in 1 2 3; do
  curl -s -o /dev/null -w "summary over all orders: %{time_total} s (run $run)\n" -H "Authorization: Bearer $TOKEN" \
    http://127.0.0.1:18500/v1/summary
done
curl -s -o /dev/null -w "summary by day: %{time_total} s\n" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18500/v1/summary?group=day"
# Bounds that are not whole days: whole days from the running totals, the part-days from the orders.
BOUNDS="created_from=2026-03-01T13:17:00Z&created_to=2026-09-01T08:00:00.5Z"
for run in 1 2 3; do
  curl -s -o /dev/null -w "summary, bounds not on whole days: %{time_total} s (run $run)\n" -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:18500/v1/summary?$BOUNDS"
done

START=$(date +%s.%N)
ROWS=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18500/v1/orders?format=csv" | wc -l)
END=$(date +%s.%N)
python3 -c "import sys; rows=int(sys.argv[1])-1; took=float(sys.argv[3])-float(sys.argv[2]); print(f'CSV export: {rows} rows in {took:.2f} s = {rows/took:,.0f} rows/s')" "$ROWS" "$START" "$END"
echo "server peak RSS: $(awk '/VmHWM/ {print $2 / 1024 " MB"}' /proc/$SERVER/status)"
[ "${DATASETTE:-0}" = 1 ] || exit 0

# The same file through Datasette, the tool a user would point at it instead: the same SQL the service runs for the
# two filtered first pages and the summary from running totals, the SQL a user would write for a summary with any
# bounds, and Datasette's own streamed CSV of the table.
kill $SERVER; wait $SERVER 2>/dev/null || true
command -v datasette >/dev/null || { echo "datasette is missing: pip install 'datasette==0.65.5'" >&2; exit 1; }
datasette serve "$WORK/ledger.sqlite" -p 18501 --setting sql_time_limit_ms 600000 --setting max_returned_rows 1000 \
  --setting max_csv_mb 0 >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 300); do curl -sf http://127.0.0.1:18501/-/versions.json >/dev/null && break; sleep 0.1; done
echo "datasette $(datasette --version | awk '{print $3}')"
sql() { python3 -c "import sys, urllib.parse; print('http://127.0.0.1:18501/ledger.json?_shape=array&sql=' + urllib.parse.quote(sys.argv[1]))" "$1"; }
LISTED="coalesce(o.created_at, o.first_seen_at)"
URL=$(sql "SELECT o.* FROM orders o WHERE o.status IN ('COMPLETED') AND o.currency = 'GBP' ORDER BY $LISTED DESC, o.id DESC LIMIT 101")
echo "datasette first page, two filters (same SQL), 4 connections, 10 s: $(wrk -t2 -c4 -d10s -s "$WORK/plain.lua" "$URL" | grep RESULT)"
URL=$(sql "SELECT o.* FROM orders o WHERE EXISTS (SELECT 1 FROM payouts p WHERE p.order_id = o.id AND p.status IN ('EXPIRED')) AND $LISTED >= '2026-06-01T00:00:00.000000Z' ORDER BY $LISTED DESC, o.id DESC LIMIT 101")
echo "datasette first page, payout status + date (same SQL): $(wrk -t2 -c4 -d10s -s "$WORK/plain.lua" "$URL" | grep RESULT)"
for run in 1 2 3; do
  A=$(curl -s -o /dev/null -w '%{time_total}' "$(sql "SELECT currency, status, sum(orders), sum(price_micros), sum(discount_micros) FROM order_totals GROUP BY 1, 2")")
  B=$(curl -s -o /dev/null -w '%{time_total}' "$(sql "SELECT currency, status, sum(items), sum(face_micros) FROM item_totals GROUP BY 1, 2")")
  echo "datasette summary over all orders (the same two SQL statements): $(python3 -c "print(round($A + $B, 4))") s (run $run)"
done
for run in 1 2 3; do
  A=$(curl -s -o /dev/null -w '%{time_total}' "$(sql "SELECT o.currency, o.status, count(*), sum(o.total_price_micros), sum(o.total_discount_micros) FROM orders o WHERE $LISTED >= '2026-03-01T13:17:00.000000Z' AND $LISTED < '2026-09-01T08:00:00.500000Z' GROUP BY 1, 2")")
  B=$(curl -s -o /dev/null -w '%{time_total}' "$(sql "SELECT i.currency, o.status, count(*), sum(i.face_value_micros) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE $LISTED >= '2026-03-01T13:17:00.000000Z' AND $LISTED < '2026-09-01T08:00:00.500000Z' GROUP BY 1, 2")")
  echo "datasette summary, bounds not on whole days (the SQL a user would write over the orders): $(python3 -c "print(round($A + $B, 4))") s (run $run)"
done
START=$(date +%s.%N)
ROWS=$(curl -s "http://127.0.0.1:18501/ledger/orders.csv?_stream=on&_size=max" | wc -l)
END=$(date +%s.%N)
python3 -c "import sys; rows=int(sys.argv[1])-1; took=float(sys.argv[3])-float(sys.argv[2]); print(f'datasette CSV export (table stream): {rows} rows in {took:.2f} s = {rows/took:,.0f} rows/s')" "$ROWS" "$START" "$END"
echo "datasette peak RSS: $(awk '/VmHWM/ {print $2 / 1024 " MB"}' /proc/$SERVER/status)"
