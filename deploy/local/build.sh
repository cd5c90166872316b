#!/usr/bin/env bash
# Compiles every library and service (TypeScript project references, incremental).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
npx tsc -b tsconfig.build.json
