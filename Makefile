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
	     $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcivetweb -lpthread -lm -ldl
CMOCKA  = $(shell pkg-config --cflags --libs cmocka 2>/dev/null)

# Modules: each src/NAME.c + src/NAME.h. main.c is the CLI.
MODULES := log text token store proto script record engine server authoring account team
OBJ     := $(MODULES:%=$(BUILD)/obj/%.o)
BIN     := $(BUILD)/interviewd

# Unit tests: tests/unit/test_NAME.c links the modules listed in UNIT_NAME.
UNIT_TESTS  := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_log    := log
UNIT_token  := token log
UNIT_store  := store log
UNIT_text   := text
UNIT_proto  := proto text log
UNIT_script := script text log
UNIT_record := record store proto token script text log
UNIT_engine := engine record store proto token script text log
UNIT_authoring := authoring record store proto token script text log
UNIT_account := account store proto token text log

APT_BUILD := build-essential pkg-config libcivetweb-dev liblua5.4-dev libcjson-dev liblmdb-dev libsodium-dev
APT_TEST  := libcmocka-dev chromium lmdb-utils

.PHONY: all help deps deps-build deps-test run test test-unit test-integration test-scripts \
	test-www test-browser sanitize bench page clean

all: $(BIN) page

help:
	@echo "make run        install what is missing, build, start the server with a demo interview"
	@echo "make test       unit (cmocka), script, integration (real binary, ws client), page and browser tests"
	@echo "make sanitize   the unit and integration tests against an ASan/UBSan build"
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

deps: deps-build www/node_modules/.package-lock.json

www/node_modules/.package-lock.json: www/package-lock.json www/package.json
	cd www && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

tests/node_modules/.package-lock.json: tests/package-lock.json tests/package.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# --- build ------------------------------------------------------------------

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BIN): $(OBJ) $(BUILD)/obj/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

page: www/dist/index.html

www/dist/index.html: www/node_modules/.package-lock.json $(shell find www/src www/public -type f 2>/dev/null) $(wildcard www/*.html) www/vite.config.js
	cd www && npx vite build --logLevel warn

# --- run --------------------------------------------------------------------

run: deps all
	@mkdir -p $(DATA)
	@$(BIN) demo --data $(DATA) --scripts $(SCRIPTS) --url http://$(HOST):$(PORT)
	exec $(BIN) serve --listen $(HOST):$(PORT) --data $(DATA) --scripts $(SCRIPTS) --www www/dist

# --- tests ------------------------------------------------------------------

.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $$(foreach m,$$(UNIT_$$(subst test_,,$$*)),$(BUILD)/obj/$$(m).o) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(filter %.o,$^) $(LDLIBS) $(CMOCKA)

test: deps deps-test all tests/node_modules/.package-lock.json
	@$(MAKE) --no-print-directory test-unit test-scripts test-integration test-www test-browser

test-unit: $(UNIT_TESTS:%=$(BUILD)/tests/%)
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
