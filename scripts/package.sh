#!/usr/bin/env bash
# Builds the zaqard Debian package: a release build (no sanitizers, no tests) in
# build-deb/, then `cpack -G DEB` there (cmake/Packaging.cmake). Prints the .deb's path
# on its last line.
#
#   scripts/package.sh            # build-deb/zaqard_<version>_<arch>.deb
#   BUILD_DIR=/tmp/x scripts/package.sh
#
# Needs libsystemd-dev (the unit is Type=notify), dpkg-dev (dpkg-shlibdeps computes
# Depends) and file: scripts/install-deps.sh installs them. ccache is used when present.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build-deb}"
jobs="${JOBS:-2}"

source "$root/scripts/ensure-deps.sh"

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DZAQARD_SANITIZE=OFF \
  -DZAQARD_TESTS=OFF -DZAQARD_BENCH=OFF -DZAQARD_REQUIRE_SYSTEMD=ON "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$jobs" --target zaqard zaqard_man >&2
# Only the last package built stays: a test or a user picks it by its name.
rm -f "$build"/zaqard_*.deb
(cd "$build" && cpack -G DEB >&2)
deb="$(ls "$build"/zaqard_*.deb)"
echo "$deb"
