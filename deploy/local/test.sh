#!/usr/bin/env bash
# The whole test suite: contracts (lint, generated code up to date), type-checked build, then
# every jest spec (unit, integration on the real Kafka and ClickHouse, end-to-end on the
# running stack). Ends with one line: "N passed, N failed".
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
mkdir -p .llmops

bash deploy/local/install.sh || exit 1

checks_failed=0
echo "test: buf lint"
npx buf lint || checks_failed=$((checks_failed + 1))
echo "test: generated contracts are up to date"
npx buf generate
if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- libs/contracts/src/gen; then
  echo "test: libs/contracts/src/gen is stale: run 'npm run generate' and commit the result" >&2
  git --no-pager diff --stat -- libs/contracts/src/gen >&2
  checks_failed=$((checks_failed + 1))
fi
if git rev-parse --git-dir >/dev/null 2>&1 && [[ -n "$(git ls-files --others --exclude-standard -- libs/contracts/src/gen)" ]]; then
  echo "test: libs/contracts/src/gen has generated files that are not committed" >&2
  checks_failed=$((checks_failed + 1))
fi
echo "test: build"
bash deploy/local/build.sh || { echo "test: the build failed" >&2; echo "0 passed, 1 failed"; exit 1; }

results=.llmops/jest-results.json
rm -f "$results"
npx jest --json --outputFile="$results" "$@"
jest_status=$?

if [[ ! -s "$results" ]]; then
  echo "test: jest wrote no results" >&2
  echo "0 passed, $((checks_failed + 1)) failed"
  exit 1
fi
summary="$(node -e '
  const r = require(process.argv[1]);
  const failedSuites = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.every((a) => a.status !== "failed")).length;
  console.log(`${r.numPassedTests} ${r.numFailedTests + failedSuites} ${r.numPendingTests}`);
' "$REPO/$results")"
read -r passed failed skipped <<<"$summary"
failed=$((failed + checks_failed))
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if (( failed > 0 || jest_status != 0 )); then exit 1; fi
