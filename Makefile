# The two commands a newcomer needs: `make test` and `make run`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DATA ?= var/ledger
LISTEN ?= 127.0.0.1:8080

.PHONY: deps configure build test test-sanitize run clean

deps:
	./scripts/install-deps

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (docs/RELIABILITY.md).
SANITIZE_DIR ?= build-sanitize
test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECOLEDGER_SANITIZE=ON -DECOLEDGER_BENCH=OFF
	cmake --build $(SANITIZE_DIR) -j$(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j$(JOBS) --timeout 900

# Starts the node on $(DATA) (created with its keys on first run); Ctrl-C stops it.
# README.md "Walkthrough" talks to it with curl, openssl and ./$(BUILD_DIR)/cli/ecoledger.
run: build
	./$(BUILD_DIR)/node/ecoledgerd --data $(DATA) --listen $(LISTEN)

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
