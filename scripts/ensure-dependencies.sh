#!/bin/sh
# ensure-dependencies.sh — install what assay needs on a fresh Debian 12
# machine: C libraries and tools from Debian's packages (chromium among them,
# for the browser tests of `assay serve`), the interop peers (official A2A/MCP
# SDKs) and playwright-core from the npm registry via the committed lockfiles
# (tests/interop, tests/web; playwright-core drives Debian's chromium and
# downloads no browser of its own).
# Idempotent and quiet when everything is already there.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="build-essential pkg-config clang clang-format libclang-rt-14-dev \
libmicrohttpd-dev libcurl4-openssl-dev libjansson-dev libyaml-dev libsqlite3-dev \
libssl-dev libcmocka-dev wrk chromium nodejs npm"

missing=""
for package in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
# Node may come from outside Debian's packages (as on the development
# machines); only ask apt for it when no node is on the PATH at all.
if command -v node >/dev/null 2>&1; then
    missing=$(echo "$missing" | sed 's/ nodejs//; s/ npm//')
fi
missing=$(echo "$missing" | sed 's/^ *//')

if [ -n "$missing" ]; then
    echo "assay: installing Debian packages: $missing"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq $missing >/dev/null
fi

if [ "${ASSAY_SKIP_NPM:-0}" != 1 ]; then
    if [ ! -d tests/interop/node_modules ] ||
       [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then
        echo "assay: installing interop peers from tests/interop/package-lock.json"
        (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
    if [ ! -d tests/web/node_modules ] ||
       [ tests/web/package-lock.json -nt tests/web/node_modules/.package-lock.json ]; then
        echo "assay: installing the browser test driver from tests/web/package-lock.json"
        (cd tests/web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
fi
