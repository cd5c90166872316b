#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) from the official jars on Maven Central.
#
#   deploy/local/kafka.sh fetch    resolve the broker jars into the cache (once; needs Maven)
#   deploy/local/kafka.sh start    format storage on first use, start the broker, wait until it serves metadata
#   deploy/local/kafka.sh stop     SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT seconds
#   deploy/local/kafka.sh status   exit 0 when the broker of this data dir is running
#   deploy/local/kafka.sh logs [-f]
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), KAFKA_DATA_DIR
# ($REPO/.llmops/kafka), LLMOPS_CACHE ($REPO/.cache), KAFKA_HEAP (512m),
# KAFKA_START_TIMEOUT (90 s), KAFKA_STOP_TIMEOUT (30 s).
# Everything a running broker owns (config, pid, logs, data) lives in its data dir, so brokers
# with different data dirs and ports (tests) run side by side.
set -euo pipefail

KAFKA_VERSION=3.9.1
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE_DIR="${LLMOPS_CACHE:-$REPO/.cache}/kafka-$KAFKA_VERSION"
LIBS_DIR="$CACHE_DIR/libs"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
DATA_DIR="${KAFKA_DATA_DIR:-$REPO/.llmops/kafka}"
HEAP="${KAFKA_HEAP:-512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
PID_FILE="$DATA_DIR/kafka.pid"
CONFIG_FILE="$DATA_DIR/server.properties"
LOG_DIR="$DATA_DIR/logs"
CONSOLE_LOG="$LOG_DIR/console.out"

say() { echo "kafka: $*"; }
die() { echo "kafka: error: $*" >&2; exit 1; }

fetch() {
  if [[ -f "$LIBS_DIR/.complete" ]]; then
    say "jars already in $LIBS_DIR"
    return 0
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Kafka jars"
  command -v java >/dev/null || die "Java 17+ is needed to run Kafka"
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS_DIR"
  # Copy into a scratch dir and rename, so an interrupted fetch never looks complete.
  local tmp="$CACHE_DIR/libs.partial.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  mvn -q -B -Dstyle.color=never -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" \
    || { rm -rf "$tmp"; die "mvn dependency:copy-dependencies failed"; }
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || { rm -rf "$tmp"; die "kafka_2.13 jar missing after fetch"; }
  touch "$tmp/.complete"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  say "fetched $(ls "$LIBS_DIR"/*.jar | wc -l) jars"
}

# The pid file alone is not proof: the pid may have been reused after a crash or reboot.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $CONFIG_FILE" || return 1
  echo "$pid"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A Metadata v1 request for no topics, written by hand so readiness needs no extra JVM. The
# answer lists only unfenced brokers, so a broker count of 1 means this node is serving.
metadata_ok() {
  local reply
  reply="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
    # size=26 | api_key=3 (Metadata) | api_version=1 | correlation_id=7 | client_id "llmops-probe" | topics=[]
    printf '\x00\x00\x00\x1a\x00\x03\x00\x01\x00\x00\x00\x07\x00\x0cllmops-probe\x00\x00\x00\x00' >&3
    timeout 3 head -c 12 <&3 | od -An -v -tu1
  )" || return 1
  # bytes 4..7: correlation id, 8..11: broker count
  read -r -a b <<<"$reply"
  [[ "${#b[@]}" -eq 12 ]] || return 1
  [[ "${b[4]}${b[5]}${b[6]}${b[7]}" == "0007" ]] || return 1
  (( b[8] * 16777216 + b[9] * 65536 + b[10] * 256 + b[11] >= 1 ))
}

render_config() {
  mkdir -p "$DATA_DIR/data" "$LOG_DIR"
  sed -e "s#@@PORT@@#$PORT#g" \
      -e "s#@@CONTROLLER_PORT@@#$CONTROLLER_PORT#g" \
      -e "s#@@DATA_DIR@@#$DATA_DIR#g" \
      "$HERE/kafka/server.properties.template" >"$CONFIG_FILE"
}

java_opts() {
  echo "-Xms128m -Xmx$HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError" \
       "-Djava.awt.headless=true -Dkafka.logs.dir=$LOG_DIR" \
       "-Dlog4j.configuration=file:$HERE/kafka/log4j.properties"
}

format_storage() {
  [[ -f "$DATA_DIR/data/meta.properties" ]] && return 0
  # A Kafka Uuid is 16 random bytes in unpadded URL-safe base64.
  # One starting with "-" would be read by the storage tool as an option: draw again.
  local cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  say "formatting storage in $DATA_DIR/data (cluster $cluster_id)"
  # shellcheck disable=SC2046
  java $(java_opts) -cp "$LIBS_DIR/*" kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$CONFIG_FILE" >>"$CONSOLE_LOG" 2>&1 \
    || { tail -n 20 "$CONSOLE_LOG" >&2; die "storage format failed (see $CONSOLE_LOG)"; }
}

start() {
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on 127.0.0.1:$PORT"
    return 0
  fi
  [[ -f "$LIBS_DIR/.complete" ]] || fetch
  if port_open "$PORT"; then die "port $PORT is taken by another process; set KAFKA_PORT"; fi
  if port_open "$CONTROLLER_PORT"; then die "controller port $CONTROLLER_PORT is taken; set KAFKA_CONTROLLER_PORT"; fi
  render_config
  format_storage
  say "starting on 127.0.0.1:$PORT (data $DATA_DIR)"
  # shellcheck disable=SC2046
  nohup java $(java_opts) -cp "$LIBS_DIR/*" kafka.Kafka "$CONFIG_FILE" >>"$CONSOLE_LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$((SECONDS + START_TIMEOUT))
  until metadata_ok; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 30 "$LOG_DIR/server.log" "$CONSOLE_LOG" >&2 2>/dev/null || true
      die "broker exited during start-up (logs in $LOG_DIR)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$LOG_DIR/server.log" >&2 2>/dev/null || true
      stop >&2 || true
      die "broker not ready after ${START_TIMEOUT}s (logs in $LOG_DIR)"
    fi
    sleep 0.3
  done
  say "ready on 127.0.0.1:$PORT (pid $pid)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  say "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "no exit after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  say "stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    say "running (pid $pid) on 127.0.0.1:$PORT, data $DATA_DIR"
    return 0
  fi
  say "not running (data $DATA_DIR)"
  return 1
}

logs() {
  [[ -f "$LOG_DIR/server.log" ]] || die "no log at $LOG_DIR/server.log"
  if [[ "${1:-}" == "-f" ]]; then
    exec tail -n 200 -F "$LOG_DIR/server.log"
  fi
  tail -n 200 "$LOG_DIR/server.log"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  logs) shift; logs "$@" ;;
  *) echo "usage: $0 {fetch|start|stop|status|logs [-f]}" >&2; exit 2 ;;
esac
