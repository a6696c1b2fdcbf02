#!/bin/bash
# protocols.sh — A2A SendMessage and MCP tools/call throughput, latency and
# memory: assay against the same echo agent / tool written with the official
# JS SDKs (@a2a-js/sdk, @modelcontextprotocol/sdk), in the same run, on
# loopback with keep-alive. Load generator: wrk (Debian), one thread.
#
# usage: bench/protocols.sh [SECONDS_PER_POINT]   (default 10)
# Prints a table and the assay/SDK ratios. Each server runs on one event
# thread (Node is single-threaded; a fair comparison), wrk on the other core.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
ASSAY=${ASSAY:-build/assay}
NODE=${NODE:-node}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)"; exit 2; }
[ -x "$ASSAY" ] || { echo "bench: $ASSAY is missing (make)"; exit 2; }

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# start NAME COMMAND...: starts a server and sets URL and PID from its READY line.
start() {
    local log
    log=$(mktemp)
    "$@" >"$log" 2>&1 &
    PID=$!
    pids+=("$PID")
    for _ in $(seq 1 200); do
        URL=$(sed -n 's/^READY //p' "$log" | head -1)
        [ -n "$URL" ] && return 0
        sleep 0.05
    done
    echo "bench: '$*' did not print READY:"; cat "$log"; exit 1
}

peak_mib() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

A2A_BODY='{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"bench-1","role":"ROLE_USER","parts":[{"text":"hello"}]}}}'
MCP_BODY='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'

# mcp_session URL: initialize, and print the session id.
mcp_session() {
    local headers
    headers=$(mktemp)
    curl -sS -D "$headers" -o /dev/null -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' \
        -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' "$1"
    local session
    session=$(awk -F': ' 'tolower($1)=="mcp-session-id" {print $2}' "$headers" | tr -d '\r')
    curl -sS -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H "Mcp-Session-Id: $session" -H 'MCP-Protocol-Version: 2025-11-25' \
        -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$1"
    echo "$session"
}

# check URL BODY HEADERS EXPECT: one request by hand; the answer must contain EXPECT.
check() {
    local args=(-sS -H 'Content-Type: application/json')
    IFS='|' read -ra extra <<<"$3"
    for header in "${extra[@]}"; do args+=(-H "$header"); done
    local reply
    reply=$(curl "${args[@]}" -d "$2" "$1")
    if [[ "$reply" != *"$4"* ]]; then echo "bench: unexpected reply from $1: $reply"; exit 1; fi
}

declare -A RPS P50 P99
# measure KEY URL BODY HEADERS CONNECTIONS
measure() {
    local out
    out=$(BODY="$3" HEADERS="$4" wrk -t1 -c"$5" -d"${DURATION}s" --timeout 5s -s bench/wrk_post.lua "$2" | grep '^RESULT')
    local requests duration errors p50 p99
    requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$out")
    duration=$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<<"$out")
    errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$out")
    p50=$(sed 's/.*p50_us=\([0-9]*\).*/\1/' <<<"$out")
    p99=$(sed 's/.*p99_us=\([0-9]*\).*/\1/' <<<"$out")
    if [ "$errors" != 0 ]; then echo "bench: $1 had $errors errors"; fi
    RPS[$1]=$(awk -v r="$requests" -v d="$duration" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
    P50[$1]=$(awk -v v="$p50" 'BEGIN {printf "%.3f", v / 1000}')
    P99[$1]=$(awk -v v="$p99" 'BEGIN {printf "%.3f", v / 1000}')
}

declare -A PEAK
run_a2a() { # NAME COMMAND...
    local name=$1; shift
    start "$@"
    local headers='A2A-Version: 1.0'
    check "$URL" "$A2A_BODY" "$headers" 'TASK_STATE_COMPLETED'
    measure "$name-1" "$URL" "$A2A_BODY" "$headers" 1
    measure "$name-64" "$URL" "$A2A_BODY" "$headers" 64
    PEAK[$name]=$(peak_mib "$PID")
    kill "$PID"; wait "$PID" 2>/dev/null || true
}
run_mcp() { # NAME COMMAND...
    local name=$1; shift
    start "$@"
    local session
    session=$(mcp_session "$URL")
    local headers="Accept: application/json, text/event-stream|Mcp-Session-Id: $session|MCP-Protocol-Version: 2025-11-25"
    check "$URL" "$MCP_BODY" "$headers" 'hello'
    measure "$name-1" "$URL" "$MCP_BODY" "$headers" 1
    measure "$name-64" "$URL" "$MCP_BODY" "$headers" 64
    PEAK[$name]=$(peak_mib "$PID")
    kill "$PID"; wait "$PID" 2>/dev/null || true
}

echo "assay $("$ASSAY" version | cut -d' ' -f2), $("$NODE" --version), wrk 1 thread, ${DURATION}s per point, $(nproc) cores"
run_a2a assay-a2a "$ASSAY" fixture a2a echo --port 0 --threads 1
run_a2a sdk-a2a "$NODE" bench/peers/a2a_echo_sdk.mjs 0
run_mcp assay-mcp "$ASSAY" fixture mcp http --port 0 --threads 1
run_mcp sdk-mcp "$NODE" bench/peers/mcp_echo_sdk.mjs 0

printf '\n%-10s %-6s %5s %12s %10s %10s %10s\n' protocol server conc "requests/s" "p50 ms" "p99 ms" "peak MiB"
for protocol in a2a mcp; do
    for server in assay sdk; do
        for concurrency in 1 64; do
            key="$server-$protocol-$concurrency"
            printf '%-10s %-6s %5s %12s %10s %10s %10s\n' "$protocol" "$server" "$concurrency" \
                "${RPS[$key]}" "${P50[$key]}" "${P99[$key]}" "${PEAK[$server-$protocol]}"
        done
    done
done
echo
for protocol in a2a mcp; do
    for concurrency in 1 64; do
        awk -v a="${RPS[assay-$protocol-$concurrency]}" -v s="${RPS[sdk-$protocol-$concurrency]}" \
            -v p="$protocol" -v c="$concurrency" \
            'BEGIN {printf "ratio %s c=%s: assay/sdk throughput %.1fx (target >= 20x)\n", p, c, a / s}'
    done
    echo "target $protocol: p99 at c=1 ${P99[assay-$protocol-1]} ms (target < 1 ms); assay peak ${PEAK[assay-$protocol]} MiB (target < 20 MiB)"
done
