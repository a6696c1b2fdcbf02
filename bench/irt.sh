#!/bin/sh
# irt.sh — times assay's 2PL fit against the plain-Python reference
# (bench/irt_reference.py, the same estimator step for step) and checks that
# both land on the same estimates.
#
#   bench/irt.sh            run from the repository root
#
# Measures, each in its own process under /usr/bin/time -v (wall time and
# peak resident memory):
#   1. the BRIDGE file (176 subjects x 1,019 items, 86k responses): assay
#      and Python, with the largest difference between their estimates;
#   2. a dense synthetic 1,000 x 10,000 matrix (10M responses): assay only;
#   3. a dense synthetic 200 x 500 matrix (100k responses): assay and
#      Python. Python on 10M responses would take hours, so its time for
#      1,000 x 10,000 is extrapolated from this run, linearly in the number
#      of responses (the per-iteration work of both is proportional to it;
#      the iteration counts are reported so the assumption can be judged).
#
# The driver (bench/irt_driver.c) is built here from build/libassay.a; the
# Makefile is not involved beyond building that library.
set -eu

cd "$(dirname "$0")/.."
OUT=build/bench
mkdir -p "$OUT"

if ! command -v /usr/bin/time >/dev/null 2>&1; then
    echo "irt.sh: /usr/bin/time is needed (Debian package: time)" >&2
    exit 1
fi

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
wall() {
    awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, part, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + part[i]
        printf "%.3f", s }' "$OUT/$1.time"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a / b }'; }

BRIDGE=tests/data/bridge/all_a_pyirt.jsonl
echo "== BRIDGE ($BRIDGE)"
run bridge_assay "$OUT/irt_driver" fit "$BRIDGE" "$OUT/bridge_assay.csv"
run bridge_python python3 bench/irt_reference.py "$BRIDGE" --compare "$OUT/bridge_assay.csv"
cat "$OUT/bridge_python.err"

echo "== dense 1000 x 10000 (assay)"
run dense_assay "$OUT/irt_driver" simulate 1000 10000 7

echo "== dense 200 x 500 (assay and python)"
run small_write "$OUT/irt_driver" write 200 500 11 "$OUT/dense_200x500.jsonl"
run small_assay "$OUT/irt_driver" fit "$OUT/dense_200x500.jsonl" "$OUT/small_assay.csv"
run small_python python3 bench/irt_reference.py "$OUT/dense_200x500.jsonl" \
    --compare "$OUT/small_assay.csv"
cat "$OUT/small_python.err"

bridge_assay_fit=$(value bridge_assay assay_fit_seconds)
bridge_assay_total=$(awk -v r="$(value bridge_assay assay_read_seconds)" -v f="$bridge_assay_fit" \
    'BEGIN { printf "%.3f", r + f }')
bridge_python_fit=$(value bridge_python python_fit_seconds)
dense_fit=$(value dense_assay assay_fit_seconds)
small_assay_fit=$(value small_assay assay_fit_seconds)
small_python_fit=$(value small_python python_fit_seconds)
dense_python_estimate=$(awk -v t="$small_python_fit" -v a="$(value dense_assay responses)" \
    -v b="$(value small_assay responses)" 'BEGIN { printf "%.0f", t * a / b }')

echo
printf '%-34s %10s %10s %10s %8s %6s\n' "case" "fit (s)" "wall (s)" "peak (MB)" "iters" "nodes"
printf '%-34s %10.3f %10s %10s %8s %6s\n' "BRIDGE, assay (read+fit $bridge_assay_total s)" \
    "$bridge_assay_fit" "$(wall bridge_assay)" "$(peak_mb bridge_assay)" \
    "$(value bridge_assay iterations)" "$(value bridge_assay nodes)"
printf '%-34s %10.3f %10s %10s %8s %6s\n' "BRIDGE, python" "$bridge_python_fit" \
    "$(wall bridge_python)" "$(peak_mb bridge_python)" "" ""
printf '%-34s %10.3f %10s %10s %8s %6s\n' "dense 1000x10000, assay" "$dense_fit" \
    "$(wall dense_assay)" "$(peak_mb dense_assay)" "$(value dense_assay iterations)" \
    "$(value dense_assay nodes)"
printf '%-34s %10s %10s %10s %8s %6s\n' "dense 1000x10000, python (extrap.)" \
    "~$dense_python_estimate" "" "" "" ""
printf '%-34s %10.3f %10s %10s %8s %6s\n' "dense 200x500, assay" "$small_assay_fit" \
    "$(wall small_assay)" "$(peak_mb small_assay)" "$(value small_assay iterations)" \
    "$(value small_assay nodes)"
printf '%-34s %10.3f %10s %10s %8s %6s\n' "dense 200x500, python" "$small_python_fit" \
    "$(wall small_python)" "$(peak_mb small_python)" "" ""
echo
echo "python / assay fit time: BRIDGE $(ratio "$bridge_python_fit" "$bridge_assay_fit")x," \
    "dense 200x500 $(ratio "$small_python_fit" "$small_assay_fit")x," \
    "dense 1000x10000 ~$(ratio "$dense_python_estimate" "$dense_fit")x (extrapolated)"
echo "targets: BRIDGE under 0.5 s (read+fit $bridge_assay_total s);" \
    "dense 1000x10000 under 10 s (fit $(printf %.3f "$dense_fit") s)"
