# lib.sh — shell functions the scripts share (sourced, not run): starting a
# server that prints `READY URL` when listening, and stopping every server
# started this way when the script exits.

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# start COMMAND...: starts a server; sets URL (from its READY line), PID and
# LOG (its output file). Gives up after 10 s, printing what it said.
start() {
    LOG=$(mktemp)
    "$@" >"$LOG" 2>&1 &
    PID=$!
    pids+=("$PID")
    for _ in $(seq 1 200); do
        URL=$(sed -n 's/^READY //p' "$LOG" | head -1)
        [ -n "$URL" ] && return 0
        sleep 0.05
    done
    echo "'$*' did not print READY:"; cat "$LOG"; exit 1
}
