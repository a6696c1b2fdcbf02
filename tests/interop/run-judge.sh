#!/bin/bash
# run-judge.sh — `assay judge` driven by the official @a2a-js/sdk client
# (tests/interop/judge_sdk_client.mjs), with assay's oracle and random
# agents as the participants. The judge must stop cleanly afterwards.
# usage: tests/interop/run-judge.sh [ASSAY_BINARY]   (default build/assay)
set -euo pipefail
cd "$(dirname "$0")/../.."
ASSAY=$(realpath "${1:-build/assay}")
source scripts/lib.sh
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
start "$ASSAY" agent oracle --port 0; oracle=$URL
start "$ASSAY" agent random --port 0; random=$URL
start "$ASSAY" judge --bench web-of-sites --port 0 --db "$work/judge.db"; judge=$URL; judge_pid=$PID
(cd tests/interop && timeout 120 node judge_sdk_client.mjs "$judge" "$oracle" "$random")
kill -TERM "$judge_pid"
if ! wait "$judge_pid"; then echo "FAIL: the judge did not stop cleanly"; exit 1; fi
echo "run-judge: all passed"
