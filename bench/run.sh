#!/bin/bash
# run.sh — every benchmark under bench/ (make bench). Each prints its own
# table and ratios against a peer measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/protocols.sh "${BENCH_SECONDS:-10}"
bench/environment.sh "${BENCH_SECONDS:-10}"
bench/runner.sh
if [ -x bench/irt.sh ]; then bench/irt.sh; fi
