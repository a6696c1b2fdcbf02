# assay — build with plain make.
#
# Why a Makefile and not CMake: assay is one binary, one static library and a
# few test programs, all C17, with dependencies found by pkg-config. A page
# of make says all of that in a form a newcomer can read top to bottom; CMake
# would add a configure step and a second language for no gain at this size.
#
#   make              build/assay (optimised, with debug info)
#   make run          the main job (installs what is missing first)
#   make test         the whole test suite (installs what is missing first)
#   make sanitize     build/sanitize/: the same code with ASan + UBSan
#   make fuzz         build/fuzz/: libFuzzer harnesses (clang)
#   make lint         clang-format check and banned-call lint
#   make bench        benchmarks under bench/ (ratios against the JS SDKs)
#
# Variables: BUILD=release|sanitize|coverage, CC, EXTRA_CFLAGS.

BUILD ?= release
CC ?= cc

PACKAGES := libmicrohttpd libcurl jansson yaml-0.1 sqlite3 libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PACKAGES) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PACKAGES) 2>/dev/null)

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Wformat=2 -Wvla
CFLAGS_COMMON := -std=c17 -D_GNU_SOURCE -Isrc $(WARNINGS) $(PKG_CFLAGS) -pthread -MMD -MP

ifeq ($(BUILD),release)
  OUT := build
  CFLAGS_BUILD := -O2 -g -DNDEBUG
else ifeq ($(BUILD),sanitize)
  OUT := build/sanitize
  CFLAGS_BUILD := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
                  -fno-omit-frame-pointer
  LDFLAGS_BUILD := -fsanitize=address,undefined
else ifeq ($(BUILD),coverage)
  OUT := build/coverage
  CFLAGS_BUILD := -O0 -g --coverage
  LDFLAGS_BUILD := --coverage
else
  $(error BUILD must be release, sanitize or coverage)
endif

CFLAGS := $(CFLAGS_COMMON) $(CFLAGS_BUILD) $(EXTRA_CFLAGS)
LDLIBS := $(PKG_LIBS) -lm -pthread

LIBRARY_SOURCES := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SOURCES := $(wildcard src/cli/*.c)
UNIT_SOURCES := $(wildcard tests/unit/*.c)

LIBRARY_OBJECTS := $(LIBRARY_SOURCES:%.c=$(OUT)/obj/%.o)
CLI_OBJECTS := $(CLI_SOURCES:%.c=$(OUT)/obj/%.o)
UNIT_OBJECTS := $(UNIT_SOURCES:%.c=$(OUT)/obj/%.o)

.PHONY: all run test unit sanitize fuzz lint format bench clean deps

all: $(OUT)/assay $(OUT)/unit-tests

$(OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/libassay.a: $(LIBRARY_OBJECTS)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/assay: $(CLI_OBJECTS) $(OUT)/libassay.a
	$(CC) $(LDFLAGS_BUILD) -o $@ $^ $(LDLIBS)

$(OUT)/unit-tests: $(UNIT_OBJECTS) $(OUT)/libassay.a
	$(CC) $(LDFLAGS_BUILD) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

deps:
	@scripts/ensure-dependencies.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-main.sh

test: deps
	@scripts/test.sh

unit: all
	$(OUT)/unit-tests

sanitize:
	@$(MAKE) --no-print-directory BUILD=sanitize all

fuzz:
	@scripts/build-fuzzers.sh

lint:
	@scripts/lint.sh

format:
	clang-format -i $(wildcard src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c)

bench: all
	@bench/run.sh

clean:
	rm -rf build

-include $(LIBRARY_OBJECTS:.o=.d) $(CLI_OBJECTS:.o=.d) $(UNIT_OBJECTS:.o=.d)
