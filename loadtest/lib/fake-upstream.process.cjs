'use strict';
/**
 * The OpenAI-compatible upstream of the benchmark, in a process of its own so that its event
 * loop does not share time with the load generator. Started with child_process.fork; reports
 * its URL over IPC and closes when the parent says 'stop' or goes away.
 */
const { startFakeOpenAiServer } = require('@llmops/testing');

const answer = process.env.BENCH_UPSTREAM_ANSWER || 'Paris is the capital of France.';
const expectedApiKey = process.env.BENCH_UPSTREAM_KEY || undefined;

startFakeOpenAiServer({ expectedApiKey, scenario: { kind: 'ok', answer } }).then(
  (server) => {
    let closing = false;
    const close = () => {
      if (closing) return;
      closing = true;
      server.close().finally(() => process.exit(0));
    };
    process.on('message', (message) => {
      if (message === 'stop') close();
      // The fake keeps every request it saw (tests assert on them); a long run does not need them.
      if (message === 'forget') server.requests.length = 0;
    });
    process.on('disconnect', close);
    process.on('SIGTERM', close);
    setInterval(() => { server.requests.length = 0; }, 5000).unref();
    process.send({ url: server.url });
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
