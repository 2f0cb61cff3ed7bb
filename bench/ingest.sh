#!/usr/bin/env bash
# Webhook ingest benchmark: verified, durable (log synced before the answer) deliveries per second through the real
# release binary, driven by wrk on the same machine. Usage: bench/ingest.sh [CONNECTIONS...] (default 64)
# Env: DURATION (seconds, default 20), RATE_GUESS (deliveries/s to pre-sign for, default 20000), THREADS (wrk, 2),
#      RATE (pace the load to at most this many deliveries/s, for latency at a given rate; default: as fast as it goes),
#      BIN and MIGRATIONS (another build and its migrations folder, for before/after comparisons; default: this tree's),
#      SHAPE (realistic, the default, or ideal: see make_deliveries.py),
#      PEER=1 (after each run, replay the same deliveries at bench/peer/app.py, the FastAPI + svix + sqlite3 service a
#      user would write instead, and print the ratio; needs pip install 'fastapi==0.165.0' 'uvicorn[standard]==0.55.0' svix).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
DURATION=${DURATION:-20}
RATE_GUESS=${RATE_GUESS:-20000}
THREADS=${THREADS:-2}
CONNECTIONS=("${@:-64}")
if [ -z "${BIN:-}" ]; then swift build -c release --product runa-ledger >/dev/null; fi
BIN=${BIN:-.build/release/runa-ledger}
MIGRATIONS=${MIGRATIONS:-migrations}
WORK=$(mktemp -d)
trap 'kill $SERVER ${PEER_PID:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT
SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
PORT=${PORT:-18123}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%FT%TZ)"
for connections in "${CONNECTIONS[@]}"; do
  rm -f "$WORK"/ledger.sqlite*
  RUNA_WEBHOOK_SECRETS="$SECRET" LOG_LEVEL=warning "$BIN" serve --db "$WORK/ledger.sqlite" --port "$PORT" \
    --migrations "$MIGRATIONS" 2>"$WORK/server.log" &
  SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  python3 bench/make_deliveries.py "$SECRET" $((RATE_GUESS * DURATION * 3 / 2)) "$WORK/deliveries.tsv"
  threads=$(( connections < THREADS ? connections : THREADS ))
  RESULT=$(DELIVERIES="$WORK/deliveries.tsv" WRK_THREADS=$threads CONNECTIONS=$connections wrk -t"$threads" -c"$connections" -d"${DURATION}s" \
    --latency -s bench/ingest.lua "http://127.0.0.1:$PORT" | grep '^RESULT')
  RSS=$(awk '/VmHWM/ {print $2}' /proc/$SERVER/status)
  kill -TERM $SERVER; wait $SERVER || true
  STORED=$(sqlite3 "$WORK/ledger.sqlite" "SELECT count(*) FROM webhook_deliveries WHERE outcome = 'applied'")
  echo "ingest connections=$connections ${RESULT#RESULT } stored_applied=$STORED peak_rss_kb=$RSS"
  if [ "${PEER:-0}" = 1 ]; then
    rm -f "$WORK"/peer.sqlite*
    PEER_DB="$WORK/peer.sqlite" PEER_SECRET="$SECRET" python3 -m uvicorn app:app --app-dir bench/peer \
      --port $((PORT + 1)) --no-access-log --log-level warning 2>"$WORK/peer.log" &
    PEER_PID=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((PORT + 1))/healthz" >/dev/null && break; sleep 0.1; done
    PEER_RESULT=$(DELIVERIES="$WORK/deliveries.tsv" WRK_THREADS=$threads CONNECTIONS=$connections wrk -t"$threads" \
      -c"$connections" -d"${DURATION}s" --latency -s bench/ingest.lua "http://127.0.0.1:$((PORT + 1))" | grep '^RESULT')
    PEER_RSS=$(awk '/VmHWM/ {print $2}' /proc/$PEER_PID/status)
    kill -TERM $PEER_PID; wait $PEER_PID || true
    PEER_STORED=$(sqlite3 "$WORK/peer.sqlite" "SELECT count(*) FROM deliveries")
    echo "peer connections=$connections ${PEER_RESULT#RESULT } stored=$PEER_STORED peak_rss_kb=$PEER_RSS"
    python3 -c "import re, sys; rate = lambda t: float(re.search(r'rps=([0-9.]+)', t).group(1)); \
print(f'ratio connections=$connections runa-ledger/peer={rate(sys.argv[1]) / rate(sys.argv[2]):.2f}')" "$RESULT" "$PEER_RESULT"
  fi
done

# The framework's ceiling: a trivial endpoint on the same server.
rm -f "$WORK"/ledger.sqlite*
RUNA_WEBHOOK_SECRETS="$SECRET" LOG_LEVEL=warning "$BIN" serve --db "$WORK/ledger.sqlite" --port "$PORT" --migrations "$MIGRATIONS" 2>/dev/null &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
RESULT=$(wrk -t"$THREADS" -c64 -d"${DURATION}s" --latency -s bench/trivial.lua "http://127.0.0.1:$PORT/healthz" | grep '^RESULT')
echo "healthz connections=64 ${RESULT#RESULT }"
