#!/usr/bin/env bash
# What unread HTTP/2 answers cost the proxy (not a test; not run by
# scripts/test or CI). Starts PROXY_BIN (default target/server/tenantscope-proxy)
# with a soft limit of 1,024 open files, serving a site with a 1 MiB script;
# proxy/examples/h2_hold opens CONNECTIONS HTTP/2 connections from 127.0.0.1,
# each asking STREAMS times for the script with a stream window of WINDOW
# bytes and reading nothing, a HEAD /healthz every 200 ms beside; halfway
# through, the proxy's descriptors and resident memory are read and
# /healthz asked from another address (127.0.0.2).
#
#   bench/h2-hold.sh CONNECTIONS STREAMS WINDOW SECONDS [proxy flags...]
#   bench/h2-hold.sh 20 64 0 16
#   bench/h2-hold.sh 8 25 1024 20 --send-timeout 3 --upstream-timeout 3
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
[ $# -ge 4 ] || { sed -n '2,13p' "$0"; exit 2; }
conns=$1 streams=$2 window=$3 hold=$4
shift 4
bin="${PROXY_BIN:-$ROOT/target/server/tenantscope-proxy}"
cargo build --quiet --profile server -p tenantscope-proxy --example h2_hold
[ -n "${PROXY_BIN:-}" ] || cargo build --quiet --profile server -p tenantscope-proxy
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
echo '<html>page</html>' > "$site/index.html"
head -c 1048576 /dev/zero | tr '\0' x > "$site/big-0123456789abcdef.js"
port=$((20000 + RANDOM % 20000))
log=$(mktemp)
( ulimit -Sn 1024; exec "$bin" --static "$site" --listen "127.0.0.1:$port" "$@" >/dev/null 2>"$log" ) &
pid=$!
sleep 1
rss0=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
fd0=$(ls /proc/$pid/fd | wc -l)
"$ROOT/target/server/examples/h2_hold" "127.0.0.1:$port" /big-0123456789abcdef.js "$conns" "$streams" "$window" "$hold" > "$log.client" 2>&1 &
client=$!
sleep $((hold / 2 + 2))
fd1=$(ls /proc/$pid/fd | wc -l)
rss1=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
health=$(curl -s -m 3 --interface 127.0.0.2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
wait $client
echo "idle: $fd0 descriptors, $rss0 KiB resident; after $((hold / 2 + 2)) s: $fd1 descriptors, $rss1 KiB, /healthz from 127.0.0.2: $health;" \
  "client: $(cat "$log.client"); soft limit $(awk '/Max open files/ {print $4}' /proc/$pid/limits); accept failures logged: $(grep -c 'accept failed' "$log" || true)"
kill $pid
wait $pid 2>/dev/null || true
rm -f "$log" "$log.client"
