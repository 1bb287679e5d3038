#!/usr/bin/env bash
# Instructions per relayed request, counted by valgrind's callgrind: a figure
# that other load on the machine does not move (the wall-clock benchmark,
# scripts/bench, is at the mercy of whatever else runs). User space only:
# the kernel's share (the loopback TCP hops, the syscalls) is not counted.
#
#   bench/callgrind.sh SERVER_BIN [proxy|thin] [SECONDS]
#
# Starts the stub upstream (target/bench/bench-stub, which scripts/bench
# builds) and SERVER_BIN under callgrind on one CPU (so the proxy picks its
# single-threaded runtime, as in the benchmark), warms it up with wrk, zeroes
# the counters, runs wrk for SECONDS (default 10) at 8 connections with the
# benchmark's request (bench/wrk.lua: 4 KiB token, Accept, allowed Origin),
# dumps the counters and prints instructions per request. The callgrind file
# is target/bench/callgrind.<kind>.out (callgrind_annotate reads it).
# BENCH_RUST_LOG sets the server's RUST_LOG (default info); BENCH_PRELOAD an
# LD_PRELOAD for it (e.g. another allocator, to see what malloc costs).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/callgrind.sh SERVER_BIN [proxy|thin] [SECONDS]}
KIND=${2:-proxy}
SECONDS_RUN=${3:-10}
OUT=target/bench
STUB=$OUT/bench-stub
[ -x "$STUB" ] || { echo "no $STUB: run scripts/bench once (it builds the stub)" >&2; exit 1; }
ORIGIN=http://console.bench.test
PROJECT=0b4a3c5d6e7f80912a3b4c5d6e7f8091
UPSTREAM_PATH="/v5/$PROJECT/billing/quotas-detail?limit=200&offset=0"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

listening() { # file -> url
  for _ in $(seq 1 400); do
    url=$(grep -ao 'listening on http://[^ )]*' "$1" 2>/dev/null | head -1 | sed 's/listening on //; s#/$##') || true
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.05
  done
  echo "no 'listening on' in $1" >&2; cat "$1" >&2; exit 1
}

taskset -c 0 "$STUB" 127.0.0.1:0 >"$OUT/callgrind-stub.log" 2>&1 &
pids+=($!)
STUB_URL=$(listening "$OUT/callgrind-stub.log")

CG_OUT=$OUT/callgrind.$KIND.out
rm -f "$CG_OUT"
case "${KIND%%-*}" in
  proxy)
    args=(--listen 127.0.0.1:0 --upstream-base "$STUB_URL" --allow-origin "$ORIGIN" --rate-limit 0)
    REQ_PATH="/api/hss/cn-north-4$UPSTREAM_PATH" ;;
  thin)
    args=(127.0.0.1:0 "$STUB_URL")
    REQ_PATH="$UPSTREAM_PATH" ;;
  *) echo "kind must be proxy or thin" >&2; exit 1 ;;
esac
RUST_LOG=${BENCH_RUST_LOG:-info} LD_PRELOAD=${BENCH_PRELOAD:-} taskset -c 1 valgrind --tool=callgrind --callgrind-out-file="$CG_OUT" \
  --dump-instr=no --instr-atstart=no "$BIN" "${args[@]}" >"$OUT/callgrind-server.log" 2>&1 &
pids+=($!)
SERVER_URL=$(listening "$OUT/callgrind-server.log")

run_wrk() {
  BENCH_PATH="$REQ_PATH" BENCH_ORIGIN="$ORIGIN" BENCH_TOKEN_BYTES=4096 taskset -c 0 \
    wrk -t1 -c8 -d"$1"s --timeout 10s -s bench/wrk.lua "$SERVER_URL/"
}
run_wrk 3 >/dev/null
callgrind_control -i on >/dev/null 2>&1
callgrind_control -z >/dev/null 2>&1
summary=$(run_wrk "$SECONDS_RUN" | grep '^BENCH ')
callgrind_control -d >/dev/null 2>&1
callgrind_control -i off >/dev/null 2>&1
sleep 1
requests=$(echo "$summary" | sed 's/.*"requests":\([0-9]*\).*/\1/')
errors=$(echo "$summary" | sed 's/.*"errors_status":\([0-9]*\).*/\1/')
file=$(ls -t "$CG_OUT"* | head -1)
total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ && !t {gsub(",","",$1); t=$1} END {print t}')
echo "$KIND: $requests requests ($errors non-2xx), $total instructions, $((total / requests)) per request ($file)"
