#!/usr/bin/env bash
# Installs the Debian packages zaqard needs to build, run and test (Debian 12).
# Called by .ci/run always, and by scripts/run.sh and scripts/test.sh when a build
# dependency is missing, so both README commands work on a fresh machine.
set -euo pipefail

SUDO=""
if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  cmake g++ make pkg-config git ca-certificates curl openssl \
  libevent-dev libhiredis-dev libjansson-dev libsimdjson-dev libinih-dev libssl-dev libgtest-dev \
  libcurl4-openssl-dev libesmtp-dev libjemalloc-dev \
  libwebsockets-dev libwebsockets-evlib-uv node-llhttp libuv1-dev libmsgpack-dev libyaml-dev \
  libsystemd-dev dpkg-dev file systemd man-db \
  redis-server haproxy libnats-dev nats-server \
  python3 python3-zaqarclient python3-zaqar python3-websocket python3-aiosmtpd \
  python3-pytest python3-msgpack python3-oslo.utils python3-jsonschema \
  python3-ddt python3-testtools python3-fixtures python3-falcon \
  chromium chromium-driver python3-selenium prometheus \
  python3-keystone uwsgi-core uwsgi-plugin-python3 python3-openstackclient
