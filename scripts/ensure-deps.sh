# Sourced by run.sh and test.sh: installs the Debian packages when a build or test
# dependency is missing (a fresh machine), and does nothing otherwise.
zaqard_deps_present() {
  command -v cmake >/dev/null && command -v g++ >/dev/null && command -v redis-server >/dev/null &&
    pkg-config --exists libevent hiredis jansson simdjson inih libwebsockets libuv msgpack libcurl \
      libesmtp-1.0 jemalloc libsystemd 2>/dev/null &&
    [[ -f /usr/include/gtest/gtest.h ]] && [[ -f /usr/share/llhttp/llhttp.c ]] &&
    /usr/bin/python3 -c 'import pytest, zaqarclient, aiosmtpd' 2>/dev/null
}
if ! zaqard_deps_present; then
  echo "zaqard: installing missing Debian packages (scripts/install-deps.sh)" >&2
  bash "$(dirname "${BASH_SOURCE[0]}")/install-deps.sh"
fi
