#!/usr/bin/env bash
# Local Redis from Debian's packages, for the shared rate-limit/budget/cache store and its tests.
#
#   deploy/local/redis.sh install          apt-get install redis-server when redis-server is missing
#   deploy/local/redis.sh start [PORT]     start a redis-server on PORT (REDIS_PORT, 6379) with its own temp dir
#   deploy/local/redis.sh stop [PORT]      stop the server this script started on PORT
#   deploy/local/redis.sh status [PORT]    exit 0 when it answers PING
#
# Environment: REDIS_PORT (6379), REDIS_DIR (/tmp/llmops-redis-<port>). Idempotent: starting a
# running server or stopping a stopped one does nothing. No persistence (no RDB, no AOF).
set -euo pipefail

say() { echo "redis: $*"; }
die() { echo "redis: error: $*" >&2; exit 1; }

install() {
  if command -v redis-server >/dev/null; then
    say "redis-server already installed ($(redis-server --version | head -1))"
    return 0
  fi
  command -v apt-get >/dev/null || die "apt-get not found; install redis-server with your package manager"
  local sudo=""
  [[ "$(id -u)" == "0" ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  say "installed $(redis-server --version | head -1)"
}

port_of() { echo "${1:-${REDIS_PORT:-6379}}"; }
dir_of() { echo "${REDIS_DIR:-/tmp/llmops-redis-$1}"; }

ping() { redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; }

start() {
  local port dir
  port="$(port_of "${1:-}")"
  dir="$(dir_of "$port")"
  command -v redis-server >/dev/null || die "redis-server is not installed; run: $0 install"
  if ping "$port"; then say "already running on port $port"; return 0; fi
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 1 100); do ping "$port" && { say "running on port $port (dir $dir)"; return 0; }; sleep 0.05; done
  die "redis-server did not answer on port $port; see $dir/redis.log"
}

stop() {
  local port dir
  port="$(port_of "${1:-}")"
  dir="$(dir_of "$port")"
  if [[ -f "$dir/redis.pid" ]] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then
    kill "$(cat "$dir/redis.pid")"
    for _ in $(seq 1 100); do ping "$port" || break; sleep 0.05; done
    say "stopped on port $port"
  else
    say "not running on port $port"
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  status) ping "$(port_of "${2:-}")" ;;
  *) echo "usage: $0 install|start [PORT]|stop [PORT]|status [PORT]" >&2; exit 2 ;;
esac
