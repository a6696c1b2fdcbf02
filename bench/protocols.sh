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

source bench/lib.sh

A2A_BODY='{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"bench-1","role":"ROLE_USER","parts":[{"text":"hello"}]}}}'
MCP_BODY='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'

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
    local headers
    headers=$(mcp_headers "$session")
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
        echo "ratio $protocol c=$concurrency: assay/sdk throughput $(ratio "${RPS[assay-$protocol-$concurrency]}" "${RPS[sdk-$protocol-$concurrency]}")x (target >= 20x)"
    done
    echo "target $protocol: p99 at c=1 ${P99[assay-$protocol-1]} ms (target < 1 ms); assay peak ${PEAK[assay-$protocol]} MiB (target < 20 MiB)"
done
