#!/bin/bash
# run-cli.sh — the command line as a user meets it: every command answers
# --help with status 0, bad usage with status 2 and a one-line reason, and
# the working commands give the results they should.
# usage: tests/cli/run-cli.sh [ASSAY_BINARY]   (default build/assay)
set -uo pipefail
cd "$(dirname "$0")/../.."
ASSAY=${1:-build/assay}
failures=0
expect() { # expect STATUS PATTERN COMMAND...: exit status and a pattern in stdout+stderr
    local status=$1 pattern=$2
    shift 2
    local output
    output=$("$@" 2>&1)
    local actual=$?
    if [ "$actual" != "$status" ] || ! grep -qE -- "$pattern" <<<"$output"; then
        echo "FAIL: $* -> status $actual (wanted $status), output:"
        echo "$output" | head -5
        failures=$((failures + 1))
    fi
}

expect 0 "^assay [0-9.]+ \(A2A 1.0, MCP 2025-11-25\)" "$ASSAY" version
expect 0 "usage: assay COMMAND" "$ASSAY" --help
expect 2 "usage: assay COMMAND" "$ASSAY"
expect 2 "unknown command 'nope'" "$ASSAY" nope
for command in version bench env stats fixture; do
    expect 0 "usage" "$ASSAY" $command --help
done
for command in run serve judge agent; do
    expect 2 "not yet available" "$ASSAY" $command
done

# bench
expect 0 "web-of-sites +0.1.0 +built-in" "$ASSAY" bench list
expect 0 "tasks +64" "$ASSAY" bench show web-of-sites
expect 0 "PASS: 0 problems" "$ASSAY" bench check web-of-sites
expect 0 "PASS: 0 problems" "$ASSAY" bench check examples/packages/hello-shop
expect 0 "hello-shop" "$ASSAY" bench list --path examples/packages
expect 1 "FAIL: 1 problem" "$ASSAY" bench check tests/data/packages/duplicate-id
expect 1 "no package 'missing'" "$ASSAY" bench show missing
expect 2 "unknown action 'frobnicate'" "$ASSAY" bench frobnicate

# env
expect 2 "--bench and --task are required" "$ASSAY" env --bench web-of-sites
expect 1 "has no task 'nope'" "$ASSAY" env --bench web-of-sites --task nope
expect 2 "must be a port number" "$ASSAY" env --bench web-of-sites --task x --port 70000

# stats
expect 0 "176 subjects, 1019 items" "$ASSAY" stats irt tests/data/bridge/all_a_pyirt.jsonl
expect 0 '"items":185' "$ASSAY" stats horizon tests/data/bridge/all_a_pyirt.jsonl \
    --human-minutes tests/data/bridge/combined_human_minutes.jsonl --exclude __ --anchor --format json
expect 0 "^kind," "$ASSAY" stats irt tests/data/bridge/all_a_pyirt.jsonl --format csv
expect 1 "no responses found" "$ASSAY" stats irt /dev/null
expect 2 "--format must be table, json or csv" "$ASSAY" stats irt x --format xml
expect 2 "not yet available" "$ASSAY" stats report 1

if [ $failures -ne 0 ]; then
    echo "run-cli: $failures failed"
    exit 1
fi
echo "run-cli: all passed"
