# Thin wrapper over CMake. The README shows two commands: `make demo` and `make test`.
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     := build
ASAN      := build-asan
RELEASE   := build-release
FUZZ      := build-fuzz
CMAKE_GEN := cmake -S . -Wno-dev

.PHONY: all bootstrap build demo test test-plain test-asan install bench bench-quick \
        bench-check bench-baseline fuzz golden-update docs clean

all: build

bootstrap:
	@scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt:
	@$(CMAKE_GEN) -B $(BUILD) -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Debug >/dev/null

build: bootstrap $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS)

# builds only the binary, quietly (the build log is shown if it fails)
demo: bootstrap $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS) --target faultline >$(BUILD)/demo-build.log 2>&1 || \
	    { cat $(BUILD)/demo-build.log; exit 1; }
	@$(BUILD)/faultline analyze --format text examples/incident

test: bootstrap
	@$(MAKE) --no-print-directory test-plain
	@$(MAKE) --no-print-directory test-asan

test-plain: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite built by clang with AddressSanitizer + UBSan; any finding aborts the test.
test-asan:
	@$(CMAKE_GEN) -B $(ASAN) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	    -DFL_SANITIZE=ON >/dev/null
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

install: bootstrap
	@$(CMAKE_GEN) -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) \
	    -DFL_TESTS=OFF >/dev/null
	cmake --build $(RELEASE) -j $(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(RELEASE)

$(RELEASE)-bench/CMakeCache.txt:
	@$(CMAKE_GEN) -B $(RELEASE)-bench -DCMAKE_BUILD_TYPE=Release -DFL_TESTS=OFF \
	    -DFL_BENCH=ON >/dev/null

bench: bootstrap $(RELEASE)-bench/CMakeCache.txt
	cmake --build $(RELEASE)-bench -j $(JOBS)
	$(RELEASE)-bench/bench/fl_bench --out bench/results.json

bench-quick: bootstrap $(RELEASE)-bench/CMakeCache.txt
	cmake --build $(RELEASE)-bench -j $(JOBS)
	$(RELEASE)-bench/bench/fl_bench --quick --out bench/results.json

bench-check: bench-quick
	bench/check.sh bench/baselines.json bench/results.json

bench-baseline: bench
	cp bench/results.json bench/baselines.json
	@echo "bench/baselines.json refreshed: commit it and say why"

fuzz: bootstrap
	@$(CMAKE_GEN) -B $(FUZZ) -DCMAKE_C_COMPILER=clang -DFL_FUZZ=ON -DFL_SANITIZE=ON >/dev/null
	cmake --build $(FUZZ) -j $(JOBS)
	scripts/fuzz.sh $(FUZZ) $${FUZZ_SECONDS:-60}

golden-update: build
	scripts/golden.sh update $(BUILD)/faultline

# docs/detectors.md from the registry and each detector's SAMPLE golden case
docs: build
	scripts/detector_docs.sh $(BUILD)/faultline --write

clean:
	rm -rf $(BUILD) $(ASAN) $(RELEASE) $(RELEASE)-bench $(FUZZ)
