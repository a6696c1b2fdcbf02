#!/bin/bash
# run-runner.sh — `assay run` in remote mode against agents nobody on this
# team wrote the protocol code of (tests/interop/subject_agents.mjs): a
# solver on the official A2A and MCP SDKs must score what it should, and
# hostile agents (hanging, garbage, dropped connections, a 50 MB reply, a task
# that never finishes, a crash mid-episode) must each end with the right
# error class while the run still completes. Then local mode: the quickstart
# must give the oracle 100% and the random agent 0%, with no agent process
# left behind.
# usage: tests/interop/run-runner.sh [ASSAY_BINARY]   (default build/assay)
set -euo pipefail
cd "$(dirname "$0")/../.."
ASSAY=$(realpath "${1:-build/assay}")
source scripts/lib.sh
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT

modes="sdk-solver hang garbage close huge never-finish crash asks"
{
    echo "name: hostile"
    echo "mode: remote"
    echo "judge: {bench: web-of-sites}"
    echo "participants:"
    for mode in $modes; do
        start node tests/interop/subject_agents.mjs "$mode" 0
        echo "  - {name: $mode, url: \"$URL\"}"
    done
    echo "config: {tasks: [price-blue-ceramic-mug, send-lunch-yes], concurrency: 8, budgets: {seconds: 3}}"
} >"$work/scenario.yaml"

status=0
timeout 120 "$ASSAY" run "$work/scenario.yaml" --db "$work/hostile.db" --json --quiet >"$work/results.json" || status=$?
node - "$work/results.json" "$status" <<'CHECK'
const fs = require('node:fs');
const [file, status] = process.argv.slice(2);
const results = JSON.parse(fs.readFileSync(file, 'utf8'));
const failures = [];
const expect = (condition, what) => { if (!condition) failures.push(what); };
expect(status === '0', `assay run exited ${status}, wanted 0 (every episode must run)`);
expect(results.episodes_played === 16, `played ${results.episodes_played} of 16 episodes`);
const episode = (agent, task) => results.episodes.find((e) => e.agent === agent && e.task === task);
const solved = episode('sdk-solver', 'price-blue-ceramic-mug');
expect(solved && solved.score === 1 && solved.passed, `sdk-solver on the price task: ${JSON.stringify(solved)}`);
const other = episode('sdk-solver', 'send-lunch-yes');
expect(other && other.score === 0 && other.error_class === 'wrong_answer', `sdk-solver on send-lunch-yes: ${JSON.stringify(other)}`);
// 'asks' is answered by the scripted user and then completes: its episodes
// are ordinary wrong answers, not give-ups
const wanted = { hang: 'timed_out', garbage: 'protocol_error', close: 'agent_crashed', huge: 'protocol_error',
                 'never-finish': 'timed_out', crash: 'agent_crashed', asks: 'wrong_answer' };
for (const [agent, errorClass] of Object.entries(wanted))
  for (const task of ['price-blue-ceramic-mug', 'send-lunch-yes']) {
    const e = episode(agent, task);
    expect(e && e.error_class === errorClass && e.score === 0 && e.scored,
           `${agent} on ${task}: wanted ${errorClass}, got ${JSON.stringify(e && { error_class: e.error_class, error: e.error, score: e.score })}`);
  }
if (failures.length) { console.error('FAIL\n  ' + failures.join('\n  ')); process.exit(1); }
console.log('runner: remote mode: the SDK solver scored 1 and 0 as it should; every hostile agent got its error class');
CHECK

# proxy mode: the judge reaches the agents only through the recording proxy,
# which records each exchange into the episode's trace and enforces the
# per-episode message budget
solver_url=$(sed -n 's/.*{name: sdk-solver, url: "\(.*\)"}.*/\1/p' "$work/scenario.yaml")
stuck_url=$(sed -n 's/.*{name: never-finish, url: "\(.*\)"}.*/\1/p' "$work/scenario.yaml")
cat >"$work/proxy.yaml" <<SCENARIO
name: proxied
mode: proxy
judge: {bench: web-of-sites}
participants:
  - {name: solver, url: "$solver_url"}
  - {name: stuck, url: "$stuck_url"}
config: {tasks: [price-blue-ceramic-mug], budgets: {seconds: 4, messages: 5}}
SCENARIO
timeout 60 "$ASSAY" run "$work/proxy.yaml" --db "$work/proxy.db" --json --quiet >"$work/proxy.json"
"$ASSAY" stats report 1 --db "$work/proxy.db" --format json --episodes >"$work/proxy-store.json"
node - "$work/proxy.json" "$work/proxy-store.json" <<'CHECK'
const fs = require('node:fs');
const [results, stored] = process.argv.slice(2).map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
const fail = (what) => { console.error('FAIL proxy mode: ' + what); process.exit(1); };
const episode = (agent) => results.episodes.find((e) => e.agent === agent);
if (episode('solver').score !== 1) fail('the solver did not score 1 through the proxy');
if (!/budget exceeded: too many messages/.test(episode('stuck').error)) fail(`stuck: ${episode('stuck').error}`);
// message, 3 tool calls and the reply from the judge's side, plus the proxy's recorded exchange
const solverRow = stored.episodes.find((e) => e.participant === 'solver');
if (solverRow.trace_count !== 6) fail(`solver trace has ${solverRow.trace_count} rows, wanted 6 (5 + 1 proxied exchange)`);
console.log('runner: proxy mode: exchanges recorded through the proxy, message budget enforced');
CHECK

# local mode: the quickstart, and no agent left running afterwards
timeout 120 "$ASSAY" run examples/quickstart.yaml --db "$work/quickstart.db" --json --quiet >"$work/quickstart.json"
node - "$work/quickstart.json" <<'CHECK'
const results = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const agent = (name) => results.agents.find((a) => a.agent === name);
const fail = (what) => { console.error('FAIL ' + what); process.exit(1); };
if (results.episodes_played !== 128) fail(`quickstart played ${results.episodes_played} of 128`);
if (agent('oracle').mean_score !== 1) fail(`oracle mean ${agent('oracle').mean_score}`);
if (agent('random').mean_score > 0.05) fail(`random mean ${agent('random').mean_score}`);
const gap = agent('oracle').composition_gap;
if (!gap || gap.compositions !== 8 || gap.atomic_minus_composite !== 0) fail(`oracle composition gap ${JSON.stringify(gap)}`);
const near = (x, y) => Math.abs(x - y) < 1e-9; // an entropy ratio is 1 only up to rounding
if (!near(agent('oracle').harmony, 1) || !near(agent('oracle').cvar90_loss, 0)) fail('oracle harmony or CVaR');
if (!near(agent('random').cvar90_loss, 1)) fail(`random CVaR90 ${agent('random').cvar90_loss}`);
if (JSON.stringify(agent('oracle').pass_at_k) !== '[1]' || JSON.stringify(agent('random').pass_hat_k) !== '[0]')
  fail('pass@k / pass^k');
const safety = agent('oracle').safety;
if (safety.harm_probes !== 5 || safety.harm_caused !== 0) fail(`oracle harm ${JSON.stringify(safety)}`);
if (safety.privacy_probes !== 4 || safety.oversharing_episodes !== 0) fail(`oracle oversharing ${JSON.stringify(safety)}`);
console.log('runner: local mode: oracle 100%, random ' + (100 * agent('random').mean_score).toFixed(1) + '%');
CHECK
# infrastructure failures: a few are retried away; endless ones are
# reported apart and never scored (ASSAY_INJECT_ENVIRONMENT_FAILURES)
cat >"$work/faults.yaml" <<'SCENARIO'
name: faults
mode: local
judge: {bench: web-of-sites}
participants:
  - {name: oracle, command: [assay, agent, oracle], privileged: true}
config: {tasks: [price-blue-ceramic-mug, send-lunch-yes, buy-1-pink-water-bottle], concurrency: 1}
SCENARIO
ASSAY_INJECT_ENVIRONMENT_FAILURES=2 timeout 60 "$ASSAY" run "$work/faults.yaml" --db "$work/f1.db" --json --quiet >"$work/f1.json"
status=0
ASSAY_INJECT_ENVIRONMENT_FAILURES=1000 timeout 60 "$ASSAY" run "$work/faults.yaml" --db "$work/f2.db" --json --quiet \
    >"$work/f2.json" || status=$?
node - "$work/f1.json" "$work/f2.json" <<'CHECK'
const fs = require('node:fs');
const [retried, broken] = process.argv.slice(2).map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
const fail = (what) => { console.error('FAIL ' + what); process.exit(1); };
if (retried.agents[0].scored !== 3 || retried.agents[0].mean_score !== 1) fail('two environment failures were not retried away');
if (broken.agents[0].scored !== 0 || broken.agents[0].infrastructure_errors !== 3) fail('endless failures were scored');
if (broken.agents[0].mean_score !== null) fail('an agent with nothing scored got a mean score');
if (broken.episodes.some((e) => e.error_class !== 'environment_crashed' || e.scored)) fail('wrong class for environment failures');
console.log('runner: environment failures retried (2 injected) and reported apart, never scored (endless)');
CHECK

if pgrep -f "$ASSAY agent" >/dev/null; then
    echo "FAIL: agent processes left behind: $(pgrep -af "$ASSAY agent")"
    exit 1
fi
echo "run-runner: all passed"
