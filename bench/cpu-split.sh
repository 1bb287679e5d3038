#!/usr/bin/env bash
# User and system CPU per relayed request of one server, pinned alone on
# CPU 1 with wrk and the stub on CPU 0 (as scripts/bench pins them), over
# SECONDS of load at 8 connections with the benchmark's request. Quicker
# than scripts/bench when only one server's figure is wanted, and it says
# how much of it is the kernel's (the loopback hops, the syscalls), which no
# relay avoids, and how much is user space.
#
#   bench/cpu-split.sh SERVER_BIN [proxy|thin] [SECONDS] [PERF_SECONDS]
#
# With PERF_SECONDS, `perf record -g` samples the server for that long in
# the middle of the run (target/bench/perf.<kind>.data; perf report reads it).
# BENCH_RUST_LOG sets the server's RUST_LOG (default info).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/cpu-split.sh SERVER_BIN [proxy|thin] [SECONDS] [PERF_SECONDS]}
KIND=${2:-proxy}
SECONDS_RUN=${3:-10}
PERF_SECONDS=${4:-}
OUT=target/bench
STUB=$OUT/bench-stub
[ -x "$STUB" ] || { echo "no $STUB: run scripts/bench once (it builds the stub)" >&2; exit 1; }
ORIGIN=http://console.bench.test
PROJECT=0b4a3c5d6e7f80912a3b4c5d6e7f8091
UPSTREAM_PATH="/v5/$PROJECT/billing/quotas-detail?limit=200&offset=0"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

listening() {
  for _ in $(seq 1 200); do
    url=$(grep -ao 'listening on http://[^ )]*' "$1" 2>/dev/null | head -1 | sed 's/listening on //; s#/$##') || true
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.05
  done
  echo "no 'listening on' in $1" >&2; exit 1
}

taskset -c 0 "$STUB" 127.0.0.1:0 >"$OUT/split-stub.log" 2>&1 &
pids+=($!)
STUB_URL=$(listening "$OUT/split-stub.log")
case "${KIND%%-*}" in
  proxy) args=(--listen 127.0.0.1:0 --upstream-base "$STUB_URL" --allow-origin "$ORIGIN" --rate-limit 0)
         REQ_PATH="/api/hss/cn-north-4$UPSTREAM_PATH" ;;
  thin)  args=(127.0.0.1:0 "$STUB_URL"); REQ_PATH="$UPSTREAM_PATH" ;;
  *) echo "kind must be proxy or thin" >&2; exit 1 ;;
esac
RUST_LOG=${BENCH_RUST_LOG:-info} taskset -c 1 "$BIN" "${args[@]}" >"$OUT/split-server.log" 2>&1 &
SERVER=$!
pids+=($SERVER)
SERVER_URL=$(listening "$OUT/split-server.log")

run_wrk() {
  BENCH_PATH="$REQ_PATH" BENCH_ORIGIN="$ORIGIN" BENCH_TOKEN_BYTES=4096 taskset -c 0 \
    wrk -t2 -c8 -d"$1"s --timeout 5s -s bench/wrk.lua "$SERVER_URL/"
}
ticks() { awk '{print $14, $15}' "/proc/$SERVER/stat"; }
run_wrk 2 >/dev/null
read -r u0 s0 < <(ticks)
perf_pid=
if [ -n "$PERF_SECONDS" ]; then
  ( sleep 2; perf record -q -g -p "$SERVER" -o "$OUT/perf.$KIND.data" -- sleep "$PERF_SECONDS" >/dev/null 2>&1 ) &
  perf_pid=$!
fi
summary=$(run_wrk "$SECONDS_RUN" | grep '^BENCH ')
read -r u1 s1 < <(ticks)
[ -z "$perf_pid" ] || wait "$perf_pid"
requests=$(echo "$summary" | sed 's/.*"requests":\([0-9]*\).*/\1/')
hz=$(getconf CLK_TCK)
awk -v r="$requests" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" -v k="$KIND" -v d="$SECONDS_RUN" 'BEGIN {
  us = 1e6 / hz
  printf "%s: %d requests/s, CPU per request %.1f us (user %.1f, system %.1f)\n", k, r / d, (u + s) * us / r, u * us / r, s * us / r
}'
