# interviewd — build, run, test. `make help` lists the targets.
#
# Every target that needs a Debian package or an npm module depends on `deps`,
# which installs what is missing (apt-get as root; otherwise it prints the
# command to run and stops), so a fresh clone needs nothing but `make run`.

CC      ?= cc
BUILD   ?= build
PORT    ?= 8080
HOST    ?= 127.0.0.1
DATA    ?= data
SCRIPTS ?= scripts

PKGS    := lua5.4 libcjson lmdb libsodium
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) $(SAN) \
	     -Isrc -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcivetweb -lpthread -lm -ldl
CMOCKA  = $(shell pkg-config --cflags --libs cmocka 2>/dev/null)

# Modules: every src/NAME.c (with its src/NAME.h) except main.c, the CLI. They
# go into one static library that the binary and every unit test link against,
# so a new module or test needs no edit here.
SRC        := $(wildcard src/*.c)
LIB_OBJ    := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(filter-out src/main.c,$(SRC)))
LIB        := $(BUILD)/libinterviewd.a
BIN        := $(BUILD)/interviewd

# Unit tests: tests/unit/test_NAME.c, each linked against the library.
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

# Generated sources: src/NAME.lua becomes $(BUILD)/gen/NAME.inc, a C string
# literal body the module that owns it #includes.
GEN        := $(patsubst src/%.lua,$(BUILD)/gen/%.inc,$(wildcard src/*.lua))

# Header dependencies, written by the compiler (-MMD -MP) next to each output.
DEPS       := $(LIB_OBJ:.o=.d) $(BUILD)/obj/main.d $(UNIT_TESTS:=.d)

APT_BUILD := build-essential pkg-config libcivetweb-dev liblua5.4-dev libcjson-dev liblmdb-dev libsodium-dev
APT_TEST  := libcmocka-dev chromium lmdb-utils
APT_LINT  := cppcheck shellcheck lua5.4

.PHONY: all help deps deps-build deps-test deps-lint run test test-unit test-integration \
	test-scripts test-www test-browser sanitize bench page lint compile_commands.json clean

all: $(BIN) page

help:
	@echo "make run        install what is missing, build, start the server with a demo interview"
	@echo "make test       unit (cmocka), script, integration (real binary, ws client), page and browser tests"
	@echo "make sanitize   the unit and integration tests against an ASan/UBSan build"
	@echo "make lint       cppcheck on src/, luac -p on every script, shellcheck, eslint on www/"
	@echo "make compile_commands.json   compile flags for editors (clangd and the like)"
	@echo "make bench      turns/s and latency at 1, 100, 1000 connections vs a no-fsync baseline"
	@echo "make clean      remove build outputs (never data/)"
	@echo "variables: PORT=$(PORT) HOST=$(HOST) DATA=$(DATA) SCRIPTS=$(SCRIPTS)"

# --- dependencies -----------------------------------------------------------

define apt_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "deps: missing Debian packages:$$missing"; \
	    echo "deps: run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

deps-build:
	$(call apt_install,$(APT_BUILD))

deps-test: deps-build
	$(call apt_install,$(APT_TEST))

deps-lint:
	$(call apt_install,$(APT_LINT))

deps: deps-build www/node_modules/.package-lock.json

www/node_modules/.package-lock.json: www/package-lock.json www/package.json
	cd www && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

tests/node_modules/.package-lock.json: tests/package-lock.json tests/package.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# --- build ------------------------------------------------------------------

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj $(BUILD)/gen
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Rebuilt from scratch, and also when a module goes away (the list of modules
# is a prerequisite, rewritten only when it changes), so no stale member stays.
$(LIB): $(LIB_OBJ) $(BUILD)/obj/modules.list
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(BUILD)/obj/modules.list: FORCE | $(BUILD)/obj
	@echo '$(LIB_OBJ)' | cmp -s - $@ || echo '$(LIB_OBJ)' >$@

FORCE:

$(BIN): $(BUILD)/obj/main.o $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# One string literal per line: \ and " escaped, ? too (no trigraphs), each
# line ending in \n so the Lua chunk keeps its line numbers.
$(BUILD)/gen/%.inc: src/%.lua | $(BUILD)/gen
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/\r/\\r/g' \
	    -e 's/^/"/' -e 's/$$/\\n"/' $< >$@.tmp
	mv $@.tmp $@

# The first build has no .d file yet to say that script.c includes it.
ifneq ($(wildcard src/prelude.lua),)
$(BUILD)/obj/script.o: $(BUILD)/gen/prelude.inc
endif

$(BUILD)/obj $(BUILD)/tests $(BUILD)/gen:
	mkdir -p $@

-include $(DEPS)

page: www/dist/index.html

www/dist/index.html: www/node_modules/.package-lock.json $(shell find www/src www/public -type f 2>/dev/null) $(wildcard www/*.html) www/vite.config.js
	cd www && npx vite build --logLevel warn

# --- run --------------------------------------------------------------------

run: deps all
	@mkdir -p $(DATA)
	@$(BIN) demo --data $(DATA) --scripts $(SCRIPTS) --url http://$(HOST):$(PORT)
	exec $(BIN) serve --listen $(HOST):$(PORT) --data $(DATA) --scripts $(SCRIPTS) --www www/dist

# --- lint -----------------------------------------------------------------

# variableScope is taste: declarations up front read well next to the one
# `goto out` cleanup path.
CPPCHECK := cppcheck --enable=warning,style,performance,portability --inline-suppr \
	    --error-exitcode=1 --std=c11 --quiet -Isrc -I$(BUILD)/gen \
	    --suppress=missingIncludeSystem --suppress=variableScope
SHELL_SCRIPTS = .ci/run $(patsubst ./%,%,$(shell find . -name node_modules -prune -o -name '*.sh' -type f -print))

lint: deps-lint www/node_modules/.package-lock.json $(GEN)
	$(CPPCHECK) src/
	@# One file per run: luac5.4 5.4.4 double-frees when given several.
	@set -e; for f in $(wildcard scripts/*.lua src/*.lua); do echo "luac5.4 -p $$f"; luac5.4 -p $$f; done
	shellcheck $(SHELL_SCRIPTS)
	cd www && npm run --silent lint --if-present

# For editors (clangd and the like): one entry per C file with the flags the
# rules above use, written from what this Makefile knows rather than by
# tracing a build.
comma := ,
define nl


endef
json_str = "$(subst ",\",$(subst \,\\,$(strip $(1))))"
cc_entry = {"directory": $(call json_str,$(CURDIR)), "file": $(call json_str,$(1)), \
	    "command": $(call json_str,$(CC) $(ALL_CFLAGS) $(2) $(1))}
CC_ENTRIES = $(foreach f,$(SRC),$(call cc_entry,$(f),-c -o $(BUILD)/obj/$(notdir $(f:.c=.o)))) \
	     $(foreach f,$(UNIT_SRC),$(call cc_entry,$(f),$(filter-out -l% -L%,$(CMOCKA)) \
					 -o $(BUILD)/tests/$(notdir $(f:.c=))))

compile_commands.json:
	$(file >$@,[$(nl)  $(subst } {,}$(comma)$(nl)  {,$(strip $(CC_ENTRIES)))$(nl)])
	@echo "wrote $@ ($(words $(SRC) $(UNIT_SRC)) files)"

# --- tests ------------------------------------------------------------------

$(BUILD)/tests/%: tests/unit/%.c $(LIB) | $(BUILD)/tests $(BUILD)/gen
	$(CC) $(ALL_CFLAGS) -MMD -MP -MF $@.d -MT $@ -o $@ $< $(LIB) $(LDLIBS) $(CMOCKA)

test: deps deps-test all tests/node_modules/.package-lock.json
	@$(MAKE) --no-print-directory test-unit test-scripts test-integration test-www test-browser

test-unit: $(UNIT_TESTS)
	@set -e; for t in $^; do echo "== $$t"; $$t; done

test-scripts: $(BIN)
	@tests/scripts/run.sh $(BIN)

test-integration: $(BIN) tests/node_modules/.package-lock.json
	cd tests && INTERVIEWD_BIN=$(abspath $(BIN)) node --test --test-concurrency=1 integration/

test-www: www/node_modules/.package-lock.json
	cd www && npx vitest run

test-browser: $(BIN) page tests/node_modules/.package-lock.json
	cd tests && INTERVIEWD_BIN=$(abspath $(BIN)) INTERVIEWD_WWW=$(abspath www/dist) node --test --test-concurrency=1 browser/

# The unit and integration suites against an AddressSanitizer + UBSan build.
sanitize: deps deps-test tests/node_modules/.package-lock.json
	@$(MAKE) --no-print-directory BUILD=build/san CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" test-unit test-integration

bench: deps all tests/node_modules/.package-lock.json
	cd tests && ulimit -n 4096 && INTERVIEWD_BIN=$(abspath $(BIN)) node bench/bench.mjs

clean:
	rm -rf $(BUILD) www/dist
