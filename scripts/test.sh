#!/usr/bin/env bash
# Builds zaqard with AddressSanitizer + UBSan (build-asan/) and runs every test: gtest
# unit tests, the black-box integration suites and the Zaqar compat suite.
# Usage: scripts/test.sh [extra ctest arguments, e.g. -R integration]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-asan"
jobs="${JOBS:-2}"

source "$root/scripts/ensure-deps.sh"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

cmake -S "$root" -B "$build" -DZAQARD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build "$build" -j"$jobs"
ctest --test-dir "$build" --output-on-failure -j"$jobs" "$@"
