# lib.sh — shell functions the benchmarks share (sourced, not run).
# Servers print `READY URL` when listening; wrk_post.lua prints one RESULT line.

source scripts/lib.sh

peak_mib() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
resident_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# mcp_session URL: initialize, send notifications/initialized, print the session id.
mcp_session() {
    local headers
    headers=$(mktemp)
    curl -sS -D "$headers" -o /dev/null -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' \
        -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' "$1"
    local session
    session=$(awk -F': ' 'tolower($1)=="mcp-session-id" {print $2}' "$headers" | tr -d '\r')
    curl -sS -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H "Mcp-Session-Id: $session" -H 'MCP-Protocol-Version: 2025-11-25' \
        -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$1"
    rm -f "$headers"
    echo "$session"
}

# mcp_headers SESSION: the header list wrk_post.lua and check() take.
mcp_headers() { echo "Accept: application/json, text/event-stream|Mcp-Session-Id: $1|MCP-Protocol-Version: 2025-11-25"; }

# check URL BODY HEADERS EXPECT: one request by hand; the answer must contain EXPECT.
check() {
    local args=(-sS -H 'Content-Type: application/json')
    IFS='|' read -ra extra <<<"$3"
    for header in "${extra[@]}"; do args+=(-H "$header"); done
    local reply
    reply=$(curl "${args[@]}" -d "$2" "$1")
    if [[ "$reply" != *"$4"* ]]; then echo "bench: unexpected reply from $1: ${reply:0:300}"; exit 1; fi
}

declare -A RPS P50 P99
# measure KEY URL BODY HEADERS CONNECTIONS: fills RPS[KEY], P50[KEY], P99[KEY] (ms).
measure() {
    local out
    out=$(BODY="$3" HEADERS="$4" wrk -t1 -c"$5" -d"${DURATION}s" --timeout 5s -s bench/wrk_post.lua "$2" | grep '^RESULT')
    local requests duration errors p50 p99
    requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$out")
    duration=$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<<"$out")
    errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$out")
    p50=$(sed 's/.*p50_us=\([0-9]*\).*/\1/' <<<"$out")
    p99=$(sed 's/.*p99_us=\([0-9]*\).*/\1/' <<<"$out")
    if [ "$errors" != 0 ]; then echo "bench: $1 had $errors errors"; fi
    RPS[$1]=$(awk -v r="$requests" -v d="$duration" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
    P50[$1]=$(awk -v v="$p50" 'BEGIN {printf "%.3f", v / 1000}')
    P99[$1]=$(awk -v v="$p99" 'BEGIN {printf "%.3f", v / 1000}')
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
