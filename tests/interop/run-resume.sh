#!/bin/bash
# run-resume.sh — the crash test of `assay run`: SIGKILL the runner at random
# moments (24 times, seeded), resume the run each time, then finish it. The
# store must end with every planned episode exactly once, and no agent
# process may outlive its runner (they get a parent-death signal).
# usage: tests/interop/run-resume.sh [ASSAY_BINARY]   (default build/assay)
set -euo pipefail
cd "$(dirname "$0")/../.."
ASSAY=$(realpath "${1:-build/assay}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/crash.db"
RANDOM=20261122
kills=0
# 512 episodes at concurrency 1: long enough that random kills land mid-run
sed 's/trials: 1/trials: 4/; s/concurrency: 4/concurrency: 1/' examples/quickstart.yaml >"$work/scenario.yaml"
# a kill counts only if the runner was still running (not a zombie)
kill_running() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone)
    if [ "$state" != Z ] && [ "$state" != gone ] && kill -9 "$1" 2>/dev/null; then kills=$((kills + 1)); fi
}

# The first session creates run 1; give it time to get that far.
# (The plan: 2 agents x 64 tasks x 4 trials = 512 episodes.)
"$ASSAY" run "$work/scenario.yaml" --db "$db" --quiet >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill_running "$pid"
wait "$pid" 2>/dev/null || true

for attempt in $(seq 1 24); do
    "$ASSAY" run "$work/scenario.yaml" --db "$db" --resume 1 --quiet >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 150)))"
    kill_running "$pid"
    wait "$pid" 2>/dev/null || true
done
"$ASSAY" run "$work/scenario.yaml" --db "$db" --resume 1 --quiet >/dev/null 2>&1 || true

sleep 0.5
if pgrep -f "$ASSAY agent" >/dev/null; then
    echo "FAIL: agent processes outlived their runner: $(pgrep -af "$ASSAY agent" | head -3)"
    exit 1
fi
csv=$("$ASSAY" stats report 1 --db "$db" --format csv --episodes)
rows=$(($(wc -l <<<"$csv") - 1))
unique=$(tail -n +2 <<<"$csv" | cut -d, -f2-4 | sort -u | wc -l)
oracle_pass=$(tail -n +2 <<<"$csv" | awk -F, '$2 == "oracle" && $6 == 1' | wc -l)
echo "resume: $kills kills; the store holds $rows episodes, $unique distinct; oracle passed $oracle_pass"
if [ "$rows" != 512 ] || [ "$unique" != 512 ] || [ "$oracle_pass" != 256 ]; then
    echo "FAIL: wanted 512 episodes, each exactly once, and the oracle passing all 256"
    exit 1
fi
if [ "$kills" -lt 20 ]; then
    echo "FAIL: only $kills of the kills landed while the runner ran (wanted at least 20)"
    exit 1
fi
# ci mode: a killed run is continued by simply running the scenario again,
# and a provenance record is written next to the store
sed 's/mode: local/mode: ci/; s/name: quickstart/name: ci-resume/' "$work/scenario.yaml" >"$work/ci.yaml"
"$ASSAY" run "$work/ci.yaml" --db "$work/ci.db" --quiet >/dev/null 2>&1 &
pid=$!
sleep 0.4
kill_running "$pid"
wait "$pid" 2>/dev/null || true
"$ASSAY" run "$work/ci.yaml" --db "$work/ci.db" --quiet --json >"$work/ci.json"
node - "$work/ci.db.run-1.provenance.json" <<'CHECK'
const record = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const fail = (what) => { console.error('FAIL ci provenance: ' + what); process.exit(1); };
if (!record.resumed) fail('the rerun did not continue run 1');
if (!record.complete) fail('run 1 is not complete after the rerun');
if (record.episodes_already_recorded + record.episodes_this_session !== 512) fail('episodes do not add up to 512');
if (!/^[0-9a-f]{64}$/.test(record.scenario.sha256) || !/^[0-9a-f]{64}$/.test(record.benchmark.sha256)) fail('hashes missing');
if (record.agents.some((agent) => !/^[0-9a-f]{64}$/.test(agent.card_sha256))) fail('agent card hashes missing');
console.log(`resume: ci mode continued run 1 (${record.episodes_already_recorded} already recorded) and wrote its provenance`);
CHECK
echo "run-resume: all passed"
