#!/usr/bin/env bash
# make up: install, build, start Kafka and the nine services, ingest docs/, ask one question,
# print the answer with citations and its trace from ClickHouse. Leaves the platform running.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
started=$(date +%s)

bash deploy/local/install.sh
echo "up: building"
bash deploy/local/build.sh
bash deploy/local/kafka.sh start

llmops() { node libs/cli/dist/main.js "$@"; }
if llmops status >/dev/null 2>&1; then
  echo "up: the platform is already running"
else
  llmops down >/dev/null
  llmops up
fi

echo
echo "up: ingesting docs/ into the collection \"docs\""
llmops ingest docs --collection docs --prune
echo
question="How do I query the platform's data in ClickHouse?"
echo "up: asking: $question"
echo
llmops ask "$question" --collection docs --trace
echo
echo "up: ready in $(( $(date +%s) - started )) s. Endpoints and the development API key: .llmops/endpoints.json"
key="$(node -p 'require("./.llmops/endpoints.json").apiKey')"
http="$(node -p 'require("./.llmops/endpoints.json").http')"
gw="$(node -p 'require("./.llmops/endpoints.json").grpc.gateway')"
cat <<MSG

Call it:
  curl $http/v1/chat/completions -H "Authorization: Bearer $key" -H 'content-type: application/json' \\
       -d '{"model":"default","messages":[{"role":"user","content":"What does the gateway do?"}],"collection":"docs"}'

  node -e 'const OpenAI = require("openai"); new OpenAI({ baseURL: "$http/v1", apiKey: "$key" })
    .chat.completions.create({ model: "default", messages: [{ role: "user", content: "What is the outbox?" }], collection: "docs" })
    .then((r) => console.log(r.choices[0].message.content))'

  grpcurl -plaintext -H "authorization: Bearer $key" -d '{"messages":[{"role":"user","content":"hello"}]}' $gw llmops.v1.Gateway/Complete

  npx llmops ask "What does routing do?" --collection docs --stream
  npx llmops sql "SELECT route, count() AS requests, quantile(0.99)(latency_ms) AS p99_ms FROM llmops.traces GROUP BY route"
  npx llmops status

Stop it: make down
MSG
