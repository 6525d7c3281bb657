# akar: `make` builds ./akar; `make run` serves the demo; `make test` runs every test.
# SAN=1 builds everything with AddressSanitizer and UBSan into build/asan.

CC      ?= gcc
PKGS    := libmicrohttpd sqlite3 libpq libsodium jansson libcurl liboath libqrencode
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -pthread $(WARN) -Isrc -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS))
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -pthread -lm

# O=DIR puts every build product under DIR (default build/); ./akar is the default build's.
O ?= build
ifeq ($(SAN),1)
BUILD   := $(O)/asan
CFLAGS  += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD   := $(O)/release
endif
BIN     := $(BUILD)/akar
Q       := $(if $(V),,@)

SRC      := $(shell find src -name '*.c' | sort)
LIB_SRC  := $(filter-out src/main.c,$(SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
# Translations: po/LANG/*.po (one file per area of the site) become one catalog per language.
PO_LANGS := id vi
MO       := $(PO_LANGS:%=$(BUILD)/gen/%.mo)
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql src/store/sqlite/migrations/*.sql src/store/pg/migrations/*.sql))
EMBEDDED := $(MIGRATIONS) $(sort $(wildcard data/demo/*.tsv)) $(sort $(wildcard data/policy/*.tsv)) \
            $(sort $(wildcard web/static/*)) $(MO) src/api/openapi.json

UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HTTP_SRC  := $(sort $(wildcard tests/http/test_*.c))
HTTP_BIN  := $(HTTP_SRC:tests/http/%.c=$(BUILD)/tests/%)
HTTP_LIB  := $(BUILD)/tests/http_harness.o $(BUILD)/tests/http_open311.o
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all run test unit-test http-test pg-test browser-test api-test fuzz bench bench-pg bench-open311 fmt check-fmt lint tidy setup clean tests
all: $(BIN)
ifeq ($(O)$(SAN),build)
all: akar
akar: $(BIN)
	cp $< $@.tmp && mv -f $@.tmp $@
endif

$(BIN): $(BUILD)/src/main.o $(BUILD)/libakar.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libakar.a: $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(BUILD)/gen/embedded.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=c11 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/embedded.c $(BUILD)/gen/embedded.h: $(O)/tools/embed $(EMBEDDED)
	@mkdir -p $(dir $@)
	@for be in sqlite pg; do \
	  dup=$$(ls src/store/migrations src/store/$$be/migrations | grep -E '^[0-9]{4}_' | cut -c1-4 | sort | uniq -d); \
	  if [ -n "$$dup" ]; then echo "two $$be migrations are numbered $$dup: renumber the newer one" >&2; exit 1; fi; \
	done
	$(O)/tools/embed $(BUILD)/gen/embedded $(EMBEDDED)

.SECONDEXPANSION:
$(BUILD)/gen/%.mo: $$(sort $$(wildcard po/%/*.po))
	@mkdir -p $(dir $@)
	$(Q)msgcat --use-first $^ | msgfmt --check -o $@ -

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(CFLAGS) -I$(BUILD)/gen -c -o $@ $<

# Tests: unit tests link the library and cmocka; HTTP tests also libcurl and drive ./akar.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libakar.a
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/http_harness.o: tests/http/harness.c tests/http/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/http_open311.o: tests/http/open311.c tests/http/open311.h tests/http/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/http/test_%.c $(HTTP_LIB) $(BUILD)/libakar.a
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka -lcurl

tests: all $(UNIT_BIN) $(HTTP_BIN)

setup:
	@scripts/setup

unit-test: all $(UNIT_BIN)
	@scripts/run-tests --akar $(BIN) $(UNIT_BIN)

http-test: all $(HTTP_BIN)
	@scripts/run-tests --akar $(BIN) $(HTTP_BIN)

# The HTTP tests on PostgreSQL: each binary beside a throwaway server of its own (scripts/with-pg).
pg-test: setup all $(HTTP_BIN)
	@scripts/run-tests --akar $(BIN) --pg $(HTTP_BIN)

# Browser tests: playwright-core and axe-core from npm (exactly the lock file's versions) drive
# Debian's Chromium; screenshots and the server log go to $(O)/browser-artifacts.
BROWSER_DEPS := tests/browser/node_modules/.installed
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

browser-test: setup all $(BROWSER_DEPS)
	@BROWSER_ARTIFACTS=$(O)/browser-artifacts scripts/run-tests --akar $(BIN) --lines tests/browser/run.mjs

# The API's contract: Redocly lints the OpenAPI document and a demo server's every answer is
# checked against it with Ajv (npm, exactly the lock file's versions), and every Open311 answer
# against Open311's schemas; the server logs go to $(O)/api-artifacts.
API_DEPS := tests/api/node_modules/.installed
$(API_DEPS): tests/api/package.json tests/api/package-lock.json
	cd tests/api && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

api-test: setup all $(API_DEPS)
	@API_ARTIFACTS=$(O)/api-artifacts scripts/run-tests --lines tests/api/lint.mjs \
	  --akar $(BIN) --lines tests/api/contract.mjs --lines tests/api/open311.mjs

# The one command: set up, build, run every test (plain and sanitized, the HTTP tests also on
# PostgreSQL), format check, bounded fuzzing.
test: setup
	@$(MAKE) --no-print-directory check-fmt lint
	@$(MAKE) --no-print-directory -j2 tests $(BROWSER_DEPS) $(API_DEPS)
	@$(MAKE) --no-print-directory -j2 SAN=1 tests
	@BROWSER_ARTIFACTS=$(O)/browser-artifacts API_ARTIFACTS=$(O)/api-artifacts \
	  scripts/run-tests --akar $(O)/release/akar $(UNIT_BIN) $(HTTP_BIN) \
	  --akar $(O)/asan/akar $(subst $(O)/release/,$(O)/asan/,$(UNIT_BIN) $(HTTP_BIN)) \
	  --akar $(O)/release/akar --pg $(HTTP_BIN) --sqlite \
	  --lines scripts/check-po \
	  --akar $(O)/release/akar --lines tests/browser/run.mjs \
	  --lines tests/api/lint.mjs --lines tests/api/contract.mjs --lines tests/api/open311.mjs \
	  --fuzz $${FUZZ_SECONDS:-20}

fuzz:
	@scripts/run-tests --fuzz $${FUZZ_SECONDS:-60}

run: setup all
	@./akar init --db demo.db --demo
	./akar serve --db demo.db --listen 127.0.0.1:8080

bench: all
	@scripts/setup --bench
	bench/run

# PostgreSQL against SQLite, and 1, 2 and 3 servers on one PostgreSQL database.
bench-pg: all
	@scripts/setup --bench
	bench/pg

# Open311's query (GET requests.json, 50 a page) against nginx serving the same bytes.
bench-open311: all
	@scripts/setup --bench
	bench/open311

fmt:
	clang-format -i $$(find src tests tools bench -name '*.[ch]')

# Static analysis: cppcheck on every source (clang-tidy runs with `make tidy`, slower).
lint: $(BUILD)/gen/embedded.h
	@cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
	  -D_GNU_SOURCE -Isrc -I$(BUILD)/gen --suppress=missingIncludeSystem --inline-suppr src

tidy: $(BUILD)/gen/embedded.h
	@clang-tidy -quiet $(SRC) -- -std=c11 -D_GNU_SOURCE -Isrc -I$(BUILD)/gen \
	  $(shell pkg-config --cflags $(PKGS))

check-fmt:
	@clang-format --dry-run -Werror $$(find src tests tools bench -name '*.[ch]')

clean:
	rm -rf build akar

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
