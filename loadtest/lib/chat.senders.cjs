'use strict';
/** The two ways the benchmark asks for a chat completion: OpenAI-style HTTP and gRPC. */
const http = require('node:http');

const QUESTION = 'What is the capital of France? Answer in one sentence.';

/**
 * POST <baseUrl>/chat/completions over keep-alive HTTP/1.1. `baseUrl` ends in /v1 (the gateway's
 * openaiBaseUrl or the fake upstream's url), so the same sender measures both.
 */
function createHttpChatSender({ baseUrl, apiKey, model, timeoutMs, tags, temperature }) {
  const url = new URL(`${baseUrl.replace(/\/$/, '')}/chat/completions`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 1024 });
  const send = (index, phase) =>
    new Promise((resolve) => {
      const body = JSON.stringify({
        model,
        messages: [{ role: 'user', content: QUESTION }],
        ...(temperature === undefined ? {} : { temperature }),
        metadata: { ...tags, phase },
      });
      const request = http.request(
        {
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${apiKey}`,
          },
        },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => {
            if (response.statusCode !== 200) return resolve({ ok: false, error: `http ${response.statusCode}` });
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              if (!parsed.choices || !parsed.choices[0] || typeof parsed.choices[0].message.content !== 'string') {
                return resolve({ ok: false, error: 'no choices in answer' });
              }
            } catch {
              return resolve({ ok: false, error: 'unparsable answer' });
            }
            resolve({ ok: true, traceId: response.headers['x-llmops-trace-id'] });
          });
          response.on('error', (error) => resolve({ ok: false, error: error.code || error.message }));
        },
      );
      // A bound on the whole exchange (not the socket's idle time), so a run always ends.
      const timer = setTimeout(() => request.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })), timeoutMs);
      request.on('close', () => clearTimeout(timer));
      request.on('error', (error) => resolve({ ok: false, error: error.code || error.message }));
      request.end(body);
    });
  return { send, close: () => agent.destroy() };
}

/** Gateway.Complete over one gRPC channel (HTTP/2, multiplexed), through @llmops/grpc. */
function createGrpcChatSender({ address, apiKey, model, timeoutMs, tags, temperature }) {
  const { Gateway } = require('@llmops/contracts');
  const { createGrpcClient } = require('@llmops/grpc');
  const client = createGrpcClient(Gateway, address);
  const send = async (index, phase) => {
    try {
      const response = await client.complete(
        { model, messages: [{ role: 'user', content: QUESTION }], tags: { ...tags, phase }, ...(temperature === undefined ? {} : { params: { temperature } }) },
        { metadata: { authorization: `Bearer ${apiKey}` }, timeoutMs },
      );
      if (!response.content) return { ok: false, error: 'empty answer' };
      return { ok: true, traceId: response.traceId };
    } catch (error) {
      return { ok: false, error: `grpc ${error.code ?? error.message}` };
    }
  };
  return { send, close: () => client.close() };
}

module.exports = { createHttpChatSender, createGrpcChatSender, QUESTION };
