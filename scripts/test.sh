#!/bin/bash
# test.sh — the whole test suite (what `make test` and CI run).
#
# Stages, each reported PASS/FAIL, all run even when one fails:
#   build      release build with -Wall -Wextra -Werror
#   lint       banned calls, file headers (scripts/lint.sh)
#   unit       cmocka unit tests, release build
#   sanitize   the same unit tests under AddressSanitizer + UBSan (leaks included)
#   cli        the command line as a user meets it (tests/cli/run-cli.sh), also
#              with the sanitizer binary
#   interop-*  assay against the official SDKs and conformance suite
#              (tests/interop/run-*.sh), with the release binary and again with
#              the sanitizer binary so that server-side memory errors under real
#              peers fail the suite
#   web        `assay serve` in a real browser (tests/web/run-web.sh: Debian's
#              chromium driven by playwright-core), with the release binary;
#              web-sanitize the same with the sanitizer binary
#   fuzz       each libFuzzer harness for FUZZ_SECONDS (default 20) on its corpus
#
# Environment: FUZZ_SECONDS, SKIP_STAGES (space-separated stage names).
set -u
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
SKIP_STAGES=" ${SKIP_STAGES:-} "
JOBS=$(nproc 2>/dev/null || echo 2)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p build/test-logs
results=()
failed=0
# tests must write their stores in temporary folders, never into the user's
# assay.db (which `make run` and `assay serve` show)
store_before=$(stat -c '%s %Y' assay.db 2>/dev/null || echo none)

stage() {
    local name=$1
    shift
    if [[ "$SKIP_STAGES" == *" $name "* ]]; then
        results+=("SKIP  $name (SKIP_STAGES)")
        return
    fi
    local log="build/test-logs/$name.log"
    local start=$SECONDS
    echo "== $name"
    if "$@" >"$log" 2>&1; then
        results+=("PASS  $name ($((SECONDS - start)) s)")
    else
        results+=("FAIL  $name ($((SECONDS - start)) s) — see $log")
        failed=1
        tail -40 "$log"
    fi
}

run_fuzzers() {
    scripts/build-fuzzers.sh || return 1
    local status=0
    for harness in build/fuzz/fuzz_*; do
        local name=${harness##*/fuzz_}
        local work="build/fuzz/work-$name"
        mkdir -p "$work"
        echo "-- $name for ${FUZZ_SECONDS}s"
        # the fuzzer's own exit status decides (non-zero: it found a crash,
        # a leak or a timeout, and wrote the input under build/fuzz/)
        if ! "$harness" -max_total_time="$FUZZ_SECONDS" -max_len=8192 -timeout=10 \
             -artifact_prefix="build/fuzz/$name-" "$work" "tests/fuzz/corpus/$name" >"$work.log" 2>&1; then
            status=1
            echo "-- $name FAILED:"
            grep -A20 "ERROR" "$work.log" | head -30
        fi
        tail -2 "$work.log"
    done
    return $status
}

stage build make -j"$JOBS" all
stage lint scripts/lint.sh
stage unit build/unit-tests
stage sanitize bash -c "make -j$JOBS BUILD=sanitize all && build/sanitize/unit-tests"
stage cli tests/cli/run-cli.sh build/assay
stage cli-sanitize tests/cli/run-cli.sh build/sanitize/assay
for runner in tests/interop/run-*.sh; do
    [ -e "$runner" ] || continue
    name=$(basename "$runner" .sh)
    name=${name#run-}
    stage "interop-$name" "$runner" build/assay
    stage "interop-$name-sanitize" "$runner" build/sanitize/assay
done
stage web tests/web/run-web.sh build/assay
stage web-sanitize tests/web/run-web.sh build/sanitize/assay
stage fuzz run_fuzzers
if [ "$(stat -c '%s %Y' assay.db 2>/dev/null || echo none)" != "$store_before" ]; then
    results+=("FAIL  hygiene — a test wrote into ./assay.db (give it --db in a temporary folder)")
    failed=1
fi

echo
echo "== summary"
printf '%s\n' "${results[@]}"
exit $failed
