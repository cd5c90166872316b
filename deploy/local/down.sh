#!/usr/bin/env bash
# make down: stop the services and the local Kafka broker. Data stays in .llmops/.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
if [[ -f libs/cli/dist/main.js ]]; then node libs/cli/dist/main.js down; fi
bash deploy/local/kafka.sh stop || true
