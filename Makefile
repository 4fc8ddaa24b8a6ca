# irrd-c: an IRR database server with RPKI-aware route filtering.
# `make` builds every program into bin/. See README.md for the targets.

CC       ?= cc
PKGS     := libpq libevent libevent_openssl libcurl jansson libpcre2-8 yaml-0.1 \
            openssl zlib libesmtp-1.0 gpgme expat libcrypt
WARN     := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow
OPT      ?= -O2 -g
CFLAGS   += -std=gnu11 $(OPT) $(WARN) -I. -D_GNU_SOURCE \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

comma    := ,
# SANITIZER=address | undefined | address,undefined: a separate build tree and bin dir.
SANITIZER ?=
ifneq ($(SANITIZER),)
SANFLAGS := -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
CFLAGS   += $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
BUILD    := build/$(subst $(comma),-,$(SANITIZER))
BIN      := $(BUILD)/bin
else
BUILD    := build/default
BIN      := bin
endif

# Layers, top first. A layer's code may use only itself and the layers after it.
LAYERS   := irrd whois mail nrtm rpki sql conf rpsl
below     = $(if $(filter $(1),$(LAYERS)),$(wordlist $(call pos,$(1)),99,$(LAYERS)))
pos       = $(words $(call upto,$(1),$(LAYERS)))
upto      = $(if $(2),$(if $(filter $(1),$(firstword $(2))),$(1),$(firstword $(2)) $(call upto,$(1),$(wordlist 2,99,$(2)))))

# Program mains are irrd/prog_<name>.c -> $(BIN)/<name>; every other .c in a
# layer folder goes into that layer's static library.
PROG_SRCS := $(wildcard irrd/prog_*.c)
PROGS     := $(patsubst irrd/prog_%.c,$(BIN)/%,$(PROG_SRCS))
layer_srcs = $(filter-out irrd/prog_%.c,$(wildcard $(1)/*.c))
layer_lib  = $(BUILD)/lib$(1).a
LIBS_ALL  := $(foreach l,$(LAYERS),$(call layer_lib,$(l)))

UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNITS     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)


.PHONY: units fuzzers all test test-unit test-integration run check-shared bench fuzz clean deps pg-stop test-update
all: $(PROGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

define LAYER_RULE
$(call layer_lib,$(1)): $(patsubst %.c,$(BUILD)/%.o,$(call layer_srcs,$(1)))
	@mkdir -p $$(dir $$@)
	rm -f $$@
	$$(if $$^,ar rcs $$@ $$^,ar rcs $$@)
endef
$(foreach l,$(LAYERS),$(eval $(call LAYER_RULE,$(l))))

$(BIN)/%: $(BUILD)/irrd/prog_%.o $(LIBS_ALL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS_ALL) $(LDLIBS)

# A unit test tests/unit/<layer>_<name>_test.c links its layer and those below.
unit_layer = $(firstword $(subst _, ,$(1)))
.SECONDEXPANSION:
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $$(foreach l,$$(call below,$$(call unit_layer,$$*)),$$(call layer_lib,$$(l)))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

units: $(UNITS)

# Fuzz targets tests/fuzz/fuzz_<layer>_<name>.c; build with
# make CC=clang SANITIZER=address,fuzzer-no-link fuzzers (scripts/run_fuzz.sh does).
fuzz_layer = $(word 2,$(subst _, ,$(1)))
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $$(foreach l,$$(call below,$$(call fuzz_layer,$$*)),$$(call layer_lib,$$(l)))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
fuzzers: $(FUZZERS)
$(foreach f,$(UNIT_SRCS) $(FUZZ_SRCS),$(if $(filter $(if $(filter tests/fuzz/%,$(f)),$(call fuzz_layer,$(notdir $(f))),$(call unit_layer,$(notdir $(f)))),$(LAYERS)),,$(error $(f): name it tests/unit/<layer>_<name>_test.c or tests/fuzz/fuzz_<layer>_<name>.c)))

# Benchmark programs bench/<layer>_<name>_bench.c link their layer and those
# below (e.g. make build/default/bench/rpsl_parse_bench); bench/*.sh run them.
$(BUILD)/bench/%: $(BUILD)/bench/%.o $$(foreach l,$$(call below,$$(call unit_layer,$$*)),$$(call layer_lib,$$(l)))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@scripts/deps.sh

# Every unit test, then the integration suite against a throwaway PostgreSQL.
# The scripts build first (make -k all units): a build failure is counted as
# a failed test and whatever did build still runs.
test: deps
	+@MAKE="$(MAKE)" BIN=$(BIN) BUILD=$(BUILD) scripts/run_tests.sh

run: deps all
	@scripts/run_demo.sh

check-shared: deps
	+@MAKE="$(MAKE)" BIN=$(BIN) BUILD=$(BUILD) scripts/check_shared.sh

bench: deps
	$(MAKE) all
	@BIN=$(BIN) scripts/run_bench.sh

# libFuzzer targets need clang; each links the layer libraries built with clang.
FUZZ_SECONDS ?= 60
fuzz: deps
	+@MAKE="$(MAKE)" FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run_fuzz.sh

# Stop the private PostgreSQL cluster of `make run` (its data stays in var/pg).
pg-stop:
	@if [ -d var/pg ]; then scripts/pg.sh stop var/pg; fi

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

print-%:
	@echo $($*)
