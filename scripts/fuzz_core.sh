#!/usr/bin/env bash
# libFuzzer over the pure core (Sources/CoreFuzzer): money, timestamp and secret parsers, signature headers and
# verifier, payload decoders, built with -sanitize=fuzzer,address in its own build folder.
# Usage: scripts/fuzz_core.sh [SECONDS]   (default 60). Seeds: fuzz/seeds. An input that crashes lands in
# fuzz/regressions/: fix the bug and commit the file; a test replays every file there through the normal build.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
swift build --scratch-path .build-fuzz --product CoreFuzzer \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld >/dev/null
mkdir -p fuzz/regressions
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# A scratch corpus grown from the seeds and earlier regressions.
cp fuzz/seeds/* fuzz/regressions/* "$WORK"/ 2>/dev/null || true
.build-fuzz/debug/CoreFuzzer "$WORK" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix=fuzz/regressions/ -print_final_stats=1 2>&1 | tail -25
