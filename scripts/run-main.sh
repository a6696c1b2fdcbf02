#!/bin/bash
# run-main.sh — the main job behind `make run`.
#
# Until the assessment engine lands, this is the protocol demo: assay's A2A
# echo agent and assay's MCP test server run as real processes on loopback,
# and assay's own A2A and MCP clients talk to them. Every exchange is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
ASSAY=${ASSAY:-build/assay}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

start() { # start COMMAND... ; sets URL from the READY line
    local log
    log=$(mktemp)
    "$@" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        URL=$(sed -n 's/^READY //p' "$log" | head -1)
        [ -n "$URL" ] && return 0
        sleep 0.05
    done
    echo "run: '$*' did not start:"; cat "$log"; exit 1
}
show() { echo; echo "\$ assay ${*:2}"; "$@"; }

"$ASSAY" version
start "$ASSAY" fixture a2a echo --port 0
A2A_URL=$URL
echo "A2A echo agent listening at $A2A_URL"
show "$ASSAY" fixture a2a client "$A2A_URL" card
show "$ASSAY" fixture a2a client "$A2A_URL" send "hello from assay"
show "$ASSAY" fixture a2a client "$A2A_URL" stream "stream this"
show "$ASSAY" fixture a2a client "$A2A_URL" list

start "$ASSAY" fixture mcp http --port 0
MCP_URL=$URL
echo
echo "MCP test server listening at $MCP_URL"
show "$ASSAY" fixture mcp client --url "$MCP_URL" list-tools
show "$ASSAY" fixture mcp client --url "$MCP_URL" call echo '{"text":"hello over MCP"}'
show "$ASSAY" fixture mcp client --stdio -- "$ASSAY" fixture mcp stdio call echo '{"text":"hello over stdio"}'
echo
echo "run: protocol demo complete (the full assessment arrives with the engine; see README)"
