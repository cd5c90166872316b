#!/usr/bin/env bash
# `make bench`: builds what is missing, runs the gateway benchmark, prints its summary.
# Everything runs on loopback and stops by itself (bounded count and time); every process it
# starts (Kafka, the fake upstream, the nine services) is stopped on exit, even on failure.
#
#   BENCH_RATE=200        arrivals per second; a list runs a sweep, e.g. BENCH_RATE=25,50,100,200
#   BENCH_WARMUP=5        seconds sent before measuring, per run
#   BENCH_DURATION=30     seconds measured, per run
#   BENCH_RUNS=direct,http,grpc
#   BENCH_ARGS=...        anything else for gateway-latency.bench.cjs (e.g. --cpu-prof-dir=/tmp/p)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
cd "$REPO"

missing=0
for entry in services/*/; do
  [ -f "$entry/dist/main.js" ] || missing=1
done
[ -f libs/cli/dist/index.js ] && [ -f libs/testing/dist/index.js ] || missing=1
if [ "$missing" = 1 ]; then
  echo "[bench] building (npx tsc -b tsconfig.build.json)" >&2
  npx tsc -b tsconfig.build.json
fi

echo "[bench] machine: $(nproc) CPU, $(free -g | awk '/^Mem:/ {print $2 " GiB RAM, " $7 " GiB available"}'), node $(node --version)" >&2
# shellcheck disable=SC2086
exec node "$HERE/gateway-latency.bench.cjs" \
  --rate="${BENCH_RATE:-200}" \
  --warmup="${BENCH_WARMUP:-5}" \
  --duration="${BENCH_DURATION:-30}" \
  --runs="${BENCH_RUNS:-direct,http,grpc}" \
  ${BENCH_ARGS:-}
