#!/bin/sh
# build-fuzzers.sh — builds the libFuzzer harnesses in tests/fuzz/ with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, against every library
# source, into build/fuzz/. usage: scripts/build-fuzzers.sh
set -eu
cd "$(dirname "$0")/.."
OUT=build/fuzz
mkdir -p "$OUT/obj"
PACKAGES="libmicrohttpd libcurl jansson yaml-0.1 sqlite3 libcrypto"
CFLAGS="-std=c17 -D_GNU_SOURCE -Isrc -g -O1 -fno-omit-frame-pointer -pthread \
-fsanitize=fuzzer-no-link,address,undefined -Wall -Wextra -Werror -Wno-unused-parameter \
$(pkg-config --cflags $PACKAGES)"
LIBS="$(pkg-config --libs $PACKAGES) -lm -pthread"
objects=""
for source in src/*/*.c; do
    case "$source" in src/cli/*) continue ;; esac
    object="$OUT/obj/$(echo "$source" | tr / _ | sed 's/\.c$/.o/')"
    if [ ! -f "$object" ] || [ "$source" -nt "$object" ] || [ -n "$(find src -name '*.h' -newer "$object" | head -1)" ]; then
        clang $CFLAGS -c "$source" -o "$object"
    fi
    objects="$objects $object"
done
for harness in tests/fuzz/fuzz_*.c; do
    name=$(basename "$harness" .c)
    clang $CFLAGS -fsanitize=fuzzer "$harness" $objects $LIBS -o "$OUT/$name"
done
echo "fuzzers in $OUT: $(cd $OUT && ls fuzz_* | tr '\n' ' ')"
