# tpa - the two commands of the README, and their parts.
#
#   make run          install dependencies, build build/, start a local stack (Ctrl-C stops it)
#   make test         what CI runs: build/ with -Werror + ctest, then build-asan/ (ASan+UBSan) + ctest
#   make build        configure and build build/
#   make asan         configure and build build-asan/ and run its tests
#   make conformance  score build/bin/tpa against tshark on ../shared/captures (when present)
#   make clean        remove build/ and build-asan/
#
# Settings: BUILD_TYPE (RelWithDebInfo), JOBS (nproc), CTEST_ARGS (e.g. -L unit).
# The stack's settings are TPA_* variables, see deploy/local/tpa-stack --help.

SHELL := /bin/bash
.DEFAULT_GOAL := build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD_TYPE ?= RelWithDebInfo
CTEST_ARGS ?=
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: help run test build build-werror test-build asan conformance clean deps deps-test

help:
	@sed -n '3,12p' Makefile | sed 's/^# \{0,1\}//'

deps:
	deploy/install-deps

deps-test:
	deploy/install-deps --test

# Build for use: warnings do not stop the build.
build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DTPA_WERROR=OFF -DTPA_SANITIZE=OFF
	cmake --build build -j$(JOBS)

run: deps build
	deploy/local/tpa-stack run

# Build for CI: -Werror.
build-werror:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DTPA_WERROR=ON -DTPA_SANITIZE=OFF
	cmake --build build -j$(JOBS)

test-build: build-werror
	cd build && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

asan:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTPA_SANITIZE=ON -DTPA_WERROR=ON
	cmake --build build-asan -j$(JOBS)
	cd build-asan && $(SAN_ENV) ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

test: deps-test
	$(MAKE) --no-print-directory test-build
	$(MAKE) --no-print-directory asan

conformance:
	@if [ -x ../shared/tools/conformance ]; then \
	  [ -x build/bin/tpa ] || $(MAKE) --no-print-directory build; \
	  ../shared/tools/conformance -- build/bin/tpa analyze; \
	else \
	  echo "conformance: skipped (../shared/tools/conformance not found)"; \
	fi

clean:
	rm -rf build build-asan
