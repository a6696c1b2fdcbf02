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
expect 0 "usage: assay serve" "$ASSAY" serve --help
expect 1 "/tmp/assay-cli-none.db: no such results store" "$ASSAY" serve --db /tmp/assay-cli-none.db --port 0
expect 2 "needs a token" "$ASSAY" serve --db /tmp/assay-cli-none.db --bind 0.0.0.0 --port 0
expect 2 "--port must be a port number" "$ASSAY" serve --port 99999
expect 2 "unexpected argument 'extra'" "$ASSAY" serve extra
expect 0 "usage: assay judge" "$ASSAY" judge --help
expect 2 "--bench is required" "$ASSAY" judge
expect 0 "usage" "$ASSAY" run --help
expect 0 "oracle" "$ASSAY" agent --help
expect 2 "name one scenario file" "$ASSAY" run
expect 2 "examples/nope.yaml" "$ASSAY" run examples/nope.yaml
expect 1 "/tmp/assay-cli-none.db: no such results store" "$ASSAY" stats report 999 --db /tmp/assay-cli-none.db
expect 1 "/tmp/assay-cli-none.db: no such results store" "$ASSAY" stats compare 1 --agents a,b --db /tmp/assay-cli-none.db
[ ! -e /tmp/assay-cli-none.db ] || { echo "FAIL: a reader created /tmp/assay-cli-none.db"; failures=$((failures + 1)); }

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
expect 2 "give RUN_ID and --agents A,B" "$ASSAY" stats compare 1

# stats irt/horizon on a results store: the quickstart's agents and tasks
STORE_FOLDER=$(mktemp -d /tmp/assay-cli-store-XXXXXX)
STORE="$STORE_FOLDER/quickstart.db"
expect 0 "results: .*run 1" "$ASSAY" run examples/quickstart.yaml --db "$STORE"
expect 0 "2 subjects, 64 items, 128 responses" "$ASSAY" stats irt "$STORE"
expect 0 "^oracle +[0-9.]+ " "$ASSAY" stats irt "$STORE" --run 1
expect 0 "^random +-[0-9.]+ " "$ASSAY" stats irt "sqlite:$STORE"
expect 0 "^price-blue-ceramic-mug " "$ASSAY" stats irt "$STORE"
expect 0 '"id":"random"' "$ASSAY" stats irt "$STORE" --format json
expect 1 "has no run 99" "$ASSAY" stats irt "$STORE" --run 99
expect 1 "there is no run 999" "$ASSAY" stats report 999 --db "$STORE"
expect 2 "give one RUN_ID" "$ASSAY" stats report x --db "$STORE"
expect 1 "no such results store" "$ASSAY" stats irt "sqlite:$STORE_FOLDER/missing.db"
expect 2 "--run applies to a results store" "$ASSAY" stats irt tests/data/bridge/all_a_pyirt.jsonl --run 1
expect 2 "--run must be a positive run id" "$ASSAY" stats irt "$STORE" --run 0
printf '{"task_id": "price-blue-ceramic-mug", "human_minutes": 2}\n' >"$STORE_FOLDER/minutes.jsonl"
expect 0 "oracle +1 +1 .*too-few-tasks" "$ASSAY" stats horizon "$STORE" --human-minutes "$STORE_FOLDER/minutes.jsonl"
rm -rf "$STORE_FOLDER"
expect 2 "ASSAY_LLM_URL" env -u ASSAY_LLM_URL "$ASSAY" agent llm

# long-running commands stop on SIGINT even when started with SIGINT ignored
# (as a shell starts background jobs), and exit 0
for command in "env --bench web-of-sites --task price-blue-ceramic-mug" "fixture a2a echo --port 0" \
               "agent oracle --port 0" "fixture mcp http --port 0"; do
    (trap '' INT; exec "$ASSAY" $command >/dev/null 2>&1) &
    pid=$!
    for _ in $(seq 1 50); do sleep 0.1; [ -n "$(ls /proc/$pid/task 2>/dev/null | sed -n 2p)" ] && break; done
    kill -INT "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "FAIL: assay $command ignored SIGINT"
        kill -9 "$pid"
        failures=$((failures + 1))
    elif ! wait "$pid"; then
        echo "FAIL: assay $command did not exit 0 on SIGINT"
        failures=$((failures + 1))
    fi
done

if [ $failures -ne 0 ]; then
    echo "run-cli: $failures failed"
    exit 1
fi
echo "run-cli: all passed"
