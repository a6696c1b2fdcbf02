#!/bin/sh
# irt.sh — times assay's 2PL fit against the plain-Python reference
# (bench/irt_reference.py, the same estimator step for step) and checks that
# both land on the same estimates.
#
#   bench/irt.sh            run from the repository root
#   IRT_BENCH_ITERATIONS=N  EM iterations of the full-size comparison (default 3)
#
# Measures, each in its own process under /usr/bin/time -v (wall time and
# peak resident memory):
#   1. the BRIDGE file (176 subjects x 1,019 items, 86k responses): full fits
#      by assay and Python, with the largest difference between their
#      estimates. Target: assay reads and fits it in under 0.5 s.
#   2. a dense synthetic 1,000 x 10,000 matrix (10M responses), full fit by
#      assay (in memory, as drawn). Target: under 10 s.
#   3. the same matrix written as py-irt JSONL and fitted by both for the
#      same fixed N EM iterations (--iterations N on both sides), then the
#      results (final E-step, abilities, standard errors) as after a full
#      fit. A full Python fit at this size is too slow for a routine bench
#      (its E-step grows with the refined grid's 317 nodes); N iterations
#      take a few minutes and measure, at full size, what one EM iteration
#      costs each (the mean over iterations 2..N, the fixed costs around the
#      loop left out: Python times its loop, assay's driver times the fit's
#      progress callbacks) and what the whole N-iteration fit costs, so the
#      ratio is measured rather than extrapolated from a smaller matrix.
#      N <= 4 keeps both on the starting 41-node grid (the grid is first
#      checked after 5 iterations; the full fit ends on a finer one, so its
#      iterations cost more than these); the estimates after N iterations
#      are compared too.
#   4. a dense synthetic 200 x 500 matrix (100k responses): full fits by
#      both, a full-convergence ratio on a dense matrix.
# assay's fits are repeated three times and the fastest is reported (the
# machine is shared); Python's run once. Whole run: about 3.5 minutes on the
# 2-core development machine (N = 3), nearly all of it Python in step 3;
# each further iteration adds about 20 s.
#
# The driver (bench/irt_driver.c) is built here from build/libassay.a; the
# Makefile is not involved beyond building that library.
set -eu

cd "$(dirname "$0")/.."
OUT=build/bench
mkdir -p "$OUT"
ITERATIONS=${IRT_BENCH_ITERATIONS:-3}
case $ITERATIONS in
'' | *[!0-9]* | 0 | 1)
    echo "irt.sh: IRT_BENCH_ITERATIONS must be a number from 2 up" >&2
    exit 2
    ;;
esac

if ! command -v /usr/bin/time >/dev/null 2>&1; then
    echo "irt.sh: /usr/bin/time is needed (Debian package: time)" >&2
    exit 1
fi

started=$(date +%s)
make --no-print-directory -j2 build/libassay.a >/dev/null
LIBS=$(pkg-config --libs libmicrohttpd libcurl jansson yaml-0.1 sqlite3 libcrypto 2>/dev/null)
cc -std=c17 -D_GNU_SOURCE -Isrc -O2 -g -DNDEBUG -Wall -Wextra -Werror -o "$OUT/irt_driver" \
    bench/irt_driver.c build/libassay.a $LIBS -lm -pthread

# run NAME COMMAND...: runs under /usr/bin/time, keeps stdout in $OUT/NAME.out
run() {
    name=$1
    shift
    /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || {
        echo "irt.sh: $name failed:" >&2
        cat "$OUT/$name.err" >&2
        exit 1
    }
}
value() { sed -n "s/^$2=//p" "$OUT/$1.out"; }
peak_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$OUT/$1.time"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0fx", a / b }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
# seconds VALUE: three decimals, four below 0.1 s
seconds() { awk -v v="$1" 'BEGIN { printf (v < 0.1 ? "%.4f" : "%.3f"), v }'; }

BRIDGE=tests/data/bridge/all_a_pyirt.jsonl
echo "== BRIDGE ($BRIDGE): full fits"
run bridge_assay "$OUT/irt_driver" fit "$BRIDGE" "$OUT/bridge_assay.csv" --repeat 3
run bridge_python python3 bench/irt_reference.py "$BRIDGE" --compare "$OUT/bridge_assay.csv"
cat "$OUT/bridge_python.err"

echo "== dense 1000 x 10000: full fit (assay)"
run dense_assay "$OUT/irt_driver" simulate 1000 10000 7 --repeat 3

DENSE=$OUT/dense_1000x10000.jsonl
echo "== dense 1000 x 10000: $ITERATIONS EM iterations (assay and python)"
run dense_write "$OUT/irt_driver" write 1000 10000 7 "$DENSE"
run dense_fixed_assay "$OUT/irt_driver" fit "$DENSE" "$OUT/dense_fixed_assay.csv" \
    --iterations "$ITERATIONS" --repeat 3
run dense_fixed_python python3 bench/irt_reference.py "$DENSE" --iterations "$ITERATIONS" \
    --compare "$OUT/dense_fixed_assay.csv"
cat "$OUT/dense_fixed_python.err"
rm -f "$DENSE" # 160 MB, rewritten on every run

echo "== dense 200 x 500: full fits (assay and python)"
run small_write "$OUT/irt_driver" write 200 500 11 "$OUT/dense_200x500.jsonl"
run small_assay "$OUT/irt_driver" fit "$OUT/dense_200x500.jsonl" "$OUT/small_assay.csv" --repeat 3
run small_python python3 bench/irt_reference.py "$OUT/dense_200x500.jsonl" \
    --compare "$OUT/small_assay.csv"
cat "$OUT/small_python.err"

bridge_assay_fit=$(seconds "$(value bridge_assay assay_fit_seconds)")
bridge_assay_read=$(value bridge_assay assay_read_seconds)
bridge_assay_total=$(sum "$bridge_assay_read" "$bridge_assay_fit")
bridge_python_fit=$(seconds "$(value bridge_python python_fit_seconds)")
bridge_python_total=$(sum "$(value bridge_python python_read_seconds)" "$bridge_python_fit")
dense_fit=$(seconds "$(value dense_assay assay_fit_seconds)")
fixed_assay_fit=$(seconds "$(value dense_fixed_assay assay_fit_seconds)")
fixed_python_fit=$(seconds "$(value dense_fixed_python python_fit_seconds)")
fixed_assay_iteration=$(seconds "$(value dense_fixed_assay assay_iteration_seconds)")
fixed_python_iteration=$(seconds "$(value dense_fixed_python python_iteration_seconds)")
small_assay_fit=$(seconds "$(value small_assay assay_fit_seconds)")
small_python_fit=$(seconds "$(value small_python python_fit_seconds)")

row() { printf '%-40s %10s %11s %7s %9s %10s %6s %6s\n' "$@"; }
echo
row "case" "assay (s)" "python (s)" "ratio" "assay MB" "python MB" "iters" "nodes"
row "BRIDGE 176x1019: read + fit" "$bridge_assay_total" "$bridge_python_total" \
    "$(ratio "$bridge_python_total" "$bridge_assay_total")" "$(peak_mb bridge_assay)" \
    "$(peak_mb bridge_python)" "$(value bridge_assay iterations)" "$(value bridge_assay nodes)"
row "BRIDGE 176x1019: fit" "$bridge_assay_fit" "$bridge_python_fit" \
    "$(ratio "$bridge_python_fit" "$bridge_assay_fit")" "" "" "" ""
row "dense 1000x10000: full fit" "$dense_fit" "-" "-" "$(peak_mb dense_assay)" "-" \
    "$(value dense_assay iterations)" "$(value dense_assay nodes)"
row "dense 1000x10000: one EM iteration" "$fixed_assay_iteration" "$fixed_python_iteration" \
    "$(ratio "$fixed_python_iteration" "$fixed_assay_iteration")" "" "" "" ""
row "dense 1000x10000: $ITERATIONS iterations + results" "$fixed_assay_fit" "$fixed_python_fit" \
    "$(ratio "$fixed_python_fit" "$fixed_assay_fit")" "$(peak_mb dense_fixed_assay)" \
    "$(peak_mb dense_fixed_python)" "$(value dense_fixed_assay iterations)" \
    "$(value dense_fixed_assay nodes)"
row "dense 200x500: fit" "$small_assay_fit" "$small_python_fit" \
    "$(ratio "$small_python_fit" "$small_assay_fit")" "$(peak_mb small_assay)" \
    "$(peak_mb small_python)" "$(value small_assay iterations)" "$(value small_assay nodes)"
echo
echo "fit times exclude reading the file except in the read + fit row; assay: fastest of 3;"
echo "peak MB is the process's maximum resident set (the $ITERATIONS-iteration rows read a 160 MB"
echo "JSONL file; the full dense fit draws the matrix in memory)."
echo "agreement after $ITERATIONS iterations at full size: largest |difference|" \
    "b $(value dense_fixed_python max_difference_difficulty)," \
    "a $(value dense_fixed_python max_difference_discrimination)," \
    "theta $(value dense_fixed_python max_difference_ability)"
target() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t ? "met" : "MISSED") }'; }
echo "targets: BRIDGE read + fit under 0.5 s: $bridge_assay_total s," \
    "$(target "$bridge_assay_total" 0.5); dense 1000x10000 full fit under 10 s:" \
    "$dense_fit s, $(target "$dense_fit" 10)"
echo "whole bench: $(($(date +%s) - started)) s"
