#!/bin/bash
# run-main.sh — the main job behind `make run`.
#
#   1. the assessment: `assay run examples/quickstart.yaml` — the built-in
#      oracle and random agents, started as A2A servers, on all 64 tasks of
#      the built-in web-of-sites benchmark, each task served over MCP with a
#      per-episode token; a leaderboard with intervals at the end;
#   2. the stored run: a paired comparison and `assay serve` answering its
#      JSON API (the web pages are tested in Chromium by tests/web);
#   3. what it stands on, shown piece by piece: the protocols (assay's A2A
#      and MCP servers and clients), the benchmark check (every reference
#      solution replayed), and one task played by hand through `assay env`.
set -euo pipefail
cd "$(dirname "$0")/.."
ASSAY=${ASSAY:-build/assay}
source scripts/lib.sh

# show COMMAND...: prints the command, runs it, trims very long lines for a terminal
show() {
    echo
    echo "\$ assay ${*:2}"
    "$@" | awk '{ if (length($0) > 220) print substr($0, 1, 220) " ..."; else print }'
}
section() { echo; echo "== $*"; }

"$ASSAY" version

section "The assessment: assay run examples/quickstart.yaml"
scenario=examples/quickstart.yaml
if [ -n "${ASSAY_LLM_URL:-}" ] && [ -n "${ASSAY_LLM_MODEL:-}" ]; then
    # an OpenAI-compatible model is configured: assess it too
    scenario=$(mktemp --suffix=.yaml)
    sed '/^config:/i\  - name: llm\n    command: [assay, agent, llm]' examples/quickstart.yaml >"$scenario"
    echo "(ASSAY_LLM_URL is set: the llm agent on $ASSAY_LLM_MODEL joins the assessment)"
fi
run_log=$(mktemp)
"$ASSAY" run "$scenario" 2>&1 | tee "$run_log"
run_id=$(sed -n 's/^results: .*, run \([0-9]*\) .*/\1/p' "$run_log" | tail -1)
rm -f "$run_log"

section "The stored run: assay stats compare, and assay serve (web pages and JSON API)"
show "$ASSAY" stats compare "$run_id" --agents oracle,random
start "$ASSAY" serve --db assay.db --port 0
SERVE_URL=$URL
echo
echo "\$ curl $SERVE_URL/api/leaderboard/web-of-sites   (per agent: mean score and its 95% interval)"
curl -s "$SERVE_URL/api/leaderboard/web-of-sites" |
    grep -o '"agent":"[^"]*","episodes":[0-9]*,"scored":[0-9]*,"mean_score":[^,]*,"mean_score_ci95":\[[^]]*\]' | head -5
echo "pages: $SERVE_URL/ (leaderboard), $SERVE_URL/runs/$run_id, $SERVE_URL/runs/$run_id/analysis"

section "A2A 1.0: assay's echo agent and assay's client"
start "$ASSAY" fixture a2a echo --port 0
A2A_URL=$URL
show "$ASSAY" fixture a2a client "$A2A_URL" card
show "$ASSAY" fixture a2a client "$A2A_URL" send "hello from assay"
show "$ASSAY" fixture a2a client "$A2A_URL" stream "stream this"

section "MCP 2025-11-25: assay's test server and client, over HTTP and stdio"
start "$ASSAY" fixture mcp http --port 0
MCP_URL=$URL
show "$ASSAY" fixture mcp client --url "$MCP_URL" call echo '{"text":"hello over MCP"}'
show "$ASSAY" fixture mcp client --stdio -- "$ASSAY" fixture mcp stdio -- call add '{"a":2,"b":3}'

section "The built-in benchmark: every reference solution against an idle agent"
show "$ASSAY" bench list
show "$ASSAY" bench check web-of-sites

section "One task played through MCP: assay env, a scripted subject, the judge's score"
start "$ASSAY" env --bench web-of-sites --task price-blue-ceramic-mug --port 0
ENV_URL=$URL
CONTROL_URL=$(sed -n 's/^CONTROL //p' "$LOG")
show "$ASSAY" fixture mcp client --url "$ENV_URL" read task://instruction \
    call open '{"url":"http://shop.local/search?q=blue+mug"}' \
    call click '{"label":"Ceramic mug (blue) - $12.50"}' \
    call answer '{"text":"$12.50"}'
session=$("$ASSAY" fixture mcp client --url "$CONTROL_URL" call sessions '{}' |
          grep -o '"session":"[^"]*"' | head -1 | cut -d'"' -f4)
show "$ASSAY" fixture mcp client --url "$CONTROL_URL" call evaluate "{\"session\":\"$session\"}"
echo
echo "run: done. Results are in assay.db: \`assay stats report RUN_ID\`, or \`build/assay serve\` and open http://127.0.0.1:8080/"
