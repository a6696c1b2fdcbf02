#!/bin/bash
# environment.sh — task environment speed and memory: `assay env` serving a
# web-of-sites task over MCP on loopback.
#   - steps/s: tools/call `open` (route, build and render a search page) and
#     `read`, at concurrency 1 and 64, wrk with one thread;
#   - reset latency: the judge's `reset` on the control endpoint;
#   - memory per live session: resident growth over N sessions that each
#     initialised and took one step, divided by N;
#   - the peer, in the same run: a trivial echo tool on the official MCP SDK
#     (bench/peers/mcp_echo_sdk.mjs), so the ratio says what a real
#     environment step costs next to the SDK doing nothing.
# usage: bench/environment.sh [SECONDS_PER_POINT] [SESSIONS]   (default 10, 500)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
SESSIONS=${2:-500}
ASSAY=${ASSAY:-build/assay}
NODE=${NODE:-node}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)"; exit 2; }
[ -x "$ASSAY" ] || { echo "bench: $ASSAY is missing (make)"; exit 2; }
source bench/lib.sh

call() { printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"%s","arguments":%s}}' "$1" "$2" "$3"; }
OPEN_BODY=$(call 2 open '{"url":"http://shop.local/search?q=mug"}')
READ_BODY=$(call 3 read '{}')
ECHO_BODY=$(call 4 echo '{"text":"hello"}')

start "$ASSAY" env --bench web-of-sites --task price-blue-ceramic-mug --port 0
ENV_URL=$URL
ENV_PID=$PID
CONTROL_URL=$(sed -n 's/^CONTROL //p' "$LOG")
session=$(mcp_session "$ENV_URL")
headers=$(mcp_headers "$session")
check "$ENV_URL" "$OPEN_BODY" "$headers" 'Ceramic mug (blue)'
for concurrency in 1 64; do
    measure "open-$concurrency" "$ENV_URL" "$OPEN_BODY" "$headers" "$concurrency"
    measure "read-$concurrency" "$ENV_URL" "$READ_BODY" "$headers" "$concurrency"
done

control_session=$(mcp_session "$CONTROL_URL")
control_headers=$(mcp_headers "$control_session")
RESET_BODY=$(call 5 reset "{\"session\":\"$session\"}")
check "$CONTROL_URL" "$RESET_BODY" "$control_headers" '"seed"'
measure "reset-1" "$CONTROL_URL" "$RESET_BODY" "$control_headers" 1

# memory per live session
before=$(resident_kib "$ENV_PID")
export ENV_URL OPEN_BODY
one_session() {
    local id
    id=$(bash -c 'source bench/lib.sh; trap - EXIT; mcp_session "$ENV_URL"')
    curl -sS -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H "Mcp-Session-Id: $id" -H 'MCP-Protocol-Version: 2025-11-25' -d "$OPEN_BODY" "$ENV_URL"
}
export -f one_session
seq 1 "$SESSIONS" | xargs -P 8 -I{} bash -c one_session
after=$(resident_kib "$ENV_PID")
per_session=$(awk -v a="$after" -v b="$before" -v n="$SESSIONS" 'BEGIN {printf "%.1f", (a - b) / n}')
env_peak=$(peak_mib "$ENV_PID")
kill "$ENV_PID"; wait "$ENV_PID" 2>/dev/null || true

start "$NODE" bench/peers/mcp_echo_sdk.mjs 0
sdk_session=$(mcp_session "$URL")
sdk_headers=$(mcp_headers "$sdk_session")
check "$URL" "$ECHO_BODY" "$sdk_headers" 'hello'
measure "sdk-1" "$URL" "$ECHO_BODY" "$sdk_headers" 1
measure "sdk-64" "$URL" "$ECHO_BODY" "$sdk_headers" 64
kill "$PID"; wait "$PID" 2>/dev/null || true

echo "assay env (web-of-sites), wrk 1 thread, ${DURATION}s per point, $(nproc) cores"
printf '\n%-28s %5s %12s %10s %10s\n' "operation" conc "per second" "p50 ms" "p99 ms"
for key in open-1 open-64 read-1 read-64 reset-1 sdk-1 sdk-64; do
    case $key in
        open-*) label="env step: open (search page)" ;;
        read-*) label="env step: read" ;;
        reset-*) label="env reset (control)" ;;
        sdk-*) label="peer: SDK echo tool" ;;
    esac
    printf '%-28s %5s %12s %10s %10s\n' "$label" "${key##*-}" "${RPS[$key]}" "${P50[$key]}" "${P99[$key]}"
done
echo
echo "steps/s (open, c=64): ${RPS[open-64]} (target >= 20000); ratio to the SDK's trivial echo: $(ratio "${RPS[open-64]}" "${RPS[sdk-64]}")x"
echo "reset latency: p50 ${P50[reset-1]} ms, p99 ${P99[reset-1]} ms"
echo "memory: ${per_session} KiB per live session over $SESSIONS sessions (target < 256 KiB); server peak ${env_peak} MiB"
