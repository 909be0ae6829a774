#!/usr/bin/env bash
# Builds a release zaqard (build/) and runs it in the foreground.
#
#   scripts/run.sh                      # local Redis (AOF in data/redis), default config
#   scripts/run.sh --config my.conf     # your config; Redis is yours to run
#
# Without --config, and when neither ~/.zaqar/zaqar.conf nor /etc/zaqar/zaqar.conf
# exists, it starts a private redis-server with AOF on 127.0.0.1 (port 6379, or a free
# port when 6379 is taken), writes data/zaqar.conf for it and stops that Redis (by PID)
# when zaqard exits. Environment: ZAQARD_PORT (REST port, default 8888).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
config=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config|--config-file) config="$2"; shift 2 ;;
    --config=*) config="${1#--config=}"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

source "$root/scripts/ensure-deps.sh"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DZAQARD_TESTS=OFF >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target zaqard

if [[ -z "$config" ]]; then
  for candidate in "$HOME/.zaqar/zaqar.conf" /etc/zaqar/zaqar.conf; do
    if [[ -f "$candidate" ]]; then config="$candidate"; break; fi
  done
fi

if [[ -n "$config" ]]; then
  echo "zaqard: using $config"
  exec "$build/zaqard" --config "$config"
fi

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
pick_port() {
  local p="$1"
  if port_free "$p"; then echo "$p"; return; fi
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

data="$root/data"
mkdir -p "$data/redis"
redis_port="$(pick_port 6379)"
http_port="${ZAQARD_PORT:-8888}"
redis_bin="${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}"

"$redis_bin" --port "$redis_port" --bind 127.0.0.1 --appendonly yes \
  --dir "$data/redis" --save "" >"$data/redis/redis.log" 2>&1 &
redis_pid=$!
stop_redis() {
  if kill -0 "$redis_pid" 2>/dev/null; then
    kill -TERM "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
}
trap stop_redis EXIT

for _ in $(seq 1 100); do
  if ! port_free "$redis_port"; then break; fi
  if ! kill -0 "$redis_pid" 2>/dev/null; then
    echo "run.sh: redis-server failed, see $data/redis/redis.log" >&2; exit 1
  fi
  sleep 0.05
done

config="$data/zaqar.conf"
cat >"$config" <<CONF
# Written by scripts/run.sh for its private Redis; see conf/zaqar.conf for every option.
[DEFAULT]
admin_mode = false

[drivers]
message_store = redis
management_store = redis

[drivers:transport:wsgi]
bind = 127.0.0.1
port = $http_port

[drivers:message_store:redis]
uri = redis://127.0.0.1:$redis_port

[drivers:management_store:redis]
uri = redis://127.0.0.1:$redis_port
CONF

echo "zaqard: REST API on http://127.0.0.1:$http_port/v2/ (Redis 127.0.0.1:$redis_port," \
     "AOF in $data/redis); Ctrl-C to stop"
# Not exec: the trap must stop Redis once zaqard is gone. SIGINT/SIGTERM reach zaqard too
# (same process group on Ctrl-C; forwarded for a TERM sent to this script).
"$build/zaqard" --config "$config" &
zaqard_pid=$!
trap 'kill -TERM "$zaqard_pid" 2>/dev/null || true' INT TERM
status=0
wait "$zaqard_pid" || status=$?
# a trapped signal interrupts `wait`: wait again for zaqard's real exit
while kill -0 "$zaqard_pid" 2>/dev/null; do wait "$zaqard_pid" || status=$?; done
exit "$status"
