#!/bin/bash
# run-env.sh — the official MCP SDK client plays built-in benchmark tasks
# through `assay env` (tests/interop/env_sdk_client.mjs).
# usage: tests/interop/run-env.sh [ASSAY_BINARY]   (default build/assay)
set -euo pipefail
cd "$(dirname "$0")/../.."
ASSAY=$(realpath "${1:-build/assay}")
[ -x "$ASSAY" ] || { echo "run-env: $ASSAY is missing (make)"; exit 2; }
cd tests/interop
timeout 120 node env_sdk_client.mjs "$ASSAY"
