#!/bin/bash
# runner.sh — the assessment engine's own cost, measured:
#   1. 1,024 episodes against an instant agent (`assay fixture a2a echo`
#      completes every task at once without touching its environment): wall
#      time, per-episode overhead at concurrency 1 (the judge's whole round:
#      token, environment reset, A2A send, evaluation, recording with its
#      trace, close) and throughput at concurrency 8, and the runner's peak
#      memory;
#   2. 1,024 episodes held open at once against a slow agent (3 s per task):
#      the runner's peak memory with a thousand in flight.
# usage: bench/runner.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ASSAY=${ASSAY:-build/assay}
source scripts/lib.sh
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT

cat >"$work/instant.yaml" <<SCENARIO
name: instant
mode: local
judge: {bench: web-of-sites}
participants:
  - {name: echo, command: [assay, fixture, a2a, echo]}
config: {trials: 16, concurrency: 1}
SCENARIO

measure_run() { # LABEL ARGS...: prints wall seconds and peak RSS (MiB) of assay run
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$ASSAY" run "$@" --quiet >"$work/out.json" 2>"$work/err" || {
        echo "bench: $label failed:"; cat "$work/err"; exit 1; }
    read -r seconds kib <"$work/time"
    echo "$seconds $(awk -v k="$kib" 'BEGIN {printf "%.1f", k / 1024}')"
}

read -r serial_seconds serial_mib <<<"$(measure_run serial "$work/instant.yaml" --db "$work/a.db" --json)"
played=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).episodes_played)' "$work/out.json")
# the episode loop alone (start-up of agents and package excluded)
serial_loop=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).seconds)' "$work/out.json")
read -r parallel_seconds parallel_mib <<<"$(measure_run parallel "$work/instant.yaml" --db "$work/b.db" --json --concurrency 8)"

start node tests/interop/subject_agents.mjs slow 0
cat >"$work/slow.yaml" <<SCENARIO
name: slow
mode: remote
judge: {bench: web-of-sites}
participants:
  - {name: slow, url: "$URL"}
config: {trials: 16, concurrency: 1024, budgets: {seconds: 60}}
SCENARIO
read -r slow_seconds slow_mib <<<"$(measure_run slow "$work/slow.yaml" --db "$work/c.db" --json)"
slow_played=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).episodes_played)' "$work/out.json")

echo "assay run, $(nproc) cores"
printf '%-52s %8s %10s %10s\n' "run" "episodes" "wall s" "peak MiB"
printf '%-52s %8s %10s %10s\n' "instant agent, concurrency 1" "$played" "$serial_seconds" "$serial_mib"
printf '%-52s %8s %10s %10s\n' "instant agent, concurrency 8" "$played" "$parallel_seconds" "$parallel_mib"
printf '%-52s %8s %10s %10s\n' "slow agent (3 s), 1,024 in flight" "$slow_played" "$slow_seconds" "$slow_mib"
echo
awk -v s="$serial_loop" -v n="$played" 'BEGIN {printf "per-episode cost at concurrency 1: %.3f ms in the episode loop (target <= 1 ms; includes the agent round trip, environment reset, evaluation and a durable write with its trace)\n", 1000 * s / n}'
awk -v s="$parallel_seconds" -v n="$played" 'BEGIN {printf "throughput at concurrency 8: %.0f episodes/s\n", n / s}'
echo "peak memory with 1,024 episodes in flight: ${slow_mib} MiB (target < 512 MiB)"
