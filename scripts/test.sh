#!/usr/bin/env bash
# Builds zaqard with AddressSanitizer + UBSan (build-asan/) and runs every test: gtest
# unit tests, the black-box integration suites and the Zaqar compat suite.
# Usage: scripts/test.sh [extra ctest arguments, e.g. -R integration]
#
# As root it first builds the Debian package (scripts/package.sh, release build in
# build-deb/) for integration.test_package, which installs it with dpkg -i (ZAQARD_DEB);
# ZAQARD_PACKAGE=0 skips that build (the test then builds the package itself, or skips
# when not root).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-asan"
jobs="${JOBS:-2}"

source "$root/scripts/ensure-deps.sh"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

cmake -S "$root" -B "$build" -DZAQARD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build "$build" -j"$jobs"
if [[ "$(id -u)" == 0 && "${ZAQARD_PACKAGE:-1}" != 0 ]]; then
  # Before ctest, not inside it: a release build beside the parallel tests would slow
  # their timing-sensitive waits.
  started=$SECONDS
  ZAQARD_DEB="$(bash "$root/scripts/package.sh" | tail -n 1)"
  export ZAQARD_DEB
  echo "zaqard: built $ZAQARD_DEB in $((SECONDS - started)) s"
fi
ctest --test-dir "$build" --output-on-failure -j"$jobs" "$@"
