#!/usr/bin/env node
'use strict';
/**
 * What outlives a scavenge, outside the platform's code: the checks behind the 2026-11-28 evening
 * rows of RESULTS.md, kept so they can be re-run after a Node, V8, Fastify or Nest upgrade.
 *
 * --part=servers: a closed loop of POSTs (the cache-hit bench's body) against a minimal server
 * in a child process run with --trace-gc-nvp: bare node:http, Fastify, Nest on Fastify, Nest with
 * an AbortController per request (its signal read, or not). Prints, per server, the average bytes
 * promoted per scavenge and the scavenge pause over the last 20 scavenges, and the client's p99.
 *
 * --part=literals: object-literal shapes built in a loop of 20,000 (%HaveSameMap of consecutive
 * results: how many hidden classes they make), and the bytes promoted per scavenge when each is
 * built 200 times per event-loop turn.
 *
 * Usage: node loadtest/gc-survivors.bench.cjs [--part=servers,literals] [--requests=20000]
 */
const { spawn, spawnSync } = require('node:child_process');
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const PARTS = (args.part ?? 'servers,literals').split(',');
const REQUESTS = Number(args.requests ?? 20_000);
const PORT = Number(args.port ?? 18_080);

/** Average promoted bytes and pause of the last scavenges in a --trace-gc-nvp log. */
function scavengeSummary(log, last = 20) {
  const lines = log.split('\n').filter((line) => line.includes(' gc=s ') && line.includes('promoted='));
  const field = (line, name) => Number((line.match(new RegExp(` ${name}=([0-9.]+)`)) ?? [])[1]);
  const tail = lines.slice(-last);
  const average = (values) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  return {
    scavenges: lines.length,
    promotedKb: average(tail.map((line) => field(line, 'promoted') / 1024)),
    pauseMs: average(tail.map((line) => field(line, 'pause'))),
  };
}

// The servers, run as `node -e` children so their GC log is theirs alone.
const SERVER = `
require('reflect-metadata');
const mode = process.argv[1];
const answer = (model) => ({ id: 'x', object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' } }] });
(async () => {
  if (mode === 'http') {
    const server = require('node:http').createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(answer(JSON.parse(body).model))); });
    });
    server.keepAliveTimeout = 65000;
    server.listen(${PORT}, '127.0.0.1', () => process.send('ready'));
    return;
  }
  if (mode === 'fastify') {
    const app = require('fastify')({ keepAliveTimeout: 65000 });
    app.post('/v1/chat/completions', (request, reply) => { reply.send(answer(request.body.model)); });
    await app.listen({ port: ${PORT}, host: '127.0.0.1' });
    process.send('ready');
    return;
  }
  const { NestFactory } = require('@nestjs/core');
  const { FastifyAdapter } = require('@nestjs/platform-fastify');
  const { Controller, Post, Req, Res, Module } = require('@nestjs/common');
  class Chat {
    async chat(request, reply) {
      if (mode === 'nest-abort-read') void new AbortController().signal;
      if (mode === 'nest-abort-unread') void new AbortController();
      reply.send(answer(request.body.model));
    }
  }
  Controller('v1')(Chat);
  Req()(Chat.prototype, 'chat', 0);
  Res()(Chat.prototype, 'chat', 1);
  Post('chat/completions')(Chat.prototype, 'chat', Object.getOwnPropertyDescriptor(Chat.prototype, 'chat'));
  class App {}
  Module({ controllers: [Chat] })(App);
  const app = await NestFactory.create(App, new FastifyAdapter({ keepAliveTimeout: 65000 }), { logger: ['error'] });
  await app.listen(${PORT}, '127.0.0.1');
  process.send('ready');
})();
`;

async function measureServer(mode) {
  const child = spawn(process.execPath, ['--trace-gc', '--trace-gc-nvp', '-e', SERVER, mode], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], cwd: __dirname });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: 'What is the capital of France?' }] });
  const post = () =>
    new Promise((resolve, reject) => {
      const request = http.request(`http://127.0.0.1:${PORT}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end(body);
    });
  const samples = new Float64Array(REQUESTS);
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    await post();
    samples[i] = performance.now() - start;
  }
  agent.destroy();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
  samples.sort();
  const gc = scavengeSummary(log);
  console.log(
    `${mode.padEnd(18)} promoted ${gc.promotedKb.toFixed(1)} KB / scavenge, pause ${gc.pauseMs.toFixed(2)} ms (${gc.scavenges} scavenges) · p50 ${samples[Math.floor(REQUESTS * 0.5)].toFixed(3)} p99 ${samples[Math.floor(REQUESTS * 0.99)].toFixed(3)} p99.9 ${samples[Math.floor(REQUESTS * 0.999)].toFixed(3)} ms`,
  );
}

// Literal shapes: the source is a fresh 5-property object each time, as a request's would be.
const LITERALS = {
  'spread, then a new property': 's => ({ ...s, x: 1 })',
  'spread, then a second spread': 's => ({ ...s, ...{ q: 1 } })',
  'conditional spread first': 's => ({ ...(s.a ? { a: s.a } : {}), y: 2 })',
  'property, then spread': 's => ({ x: 1, ...s })',
  'spread only': 's => ({ ...s })',
  'spread, then an existing property': 's => ({ ...s, a: 2 })',
  'Object.assign({}, s, { x })': 's => Object.assign({}, s, { x: 1 })',
};

function measureLiterals() {
  for (const [label, source] of Object.entries(LITERALS)) {
    const script = `
      const make = () => ({ a: 1, b: 'x', c: true, d: [], e: 'y' });
      const build = ${source};
      if (process.argv[1] === 'maps') {
        let previous = build(make()), changes = 0;
        for (let i = 0; i < 20000; i++) { const next = build(make()); if (!%HaveSameMap(previous, next)) changes++; previous = next; }
        console.log(changes);
      } else {
        let sink = 0;
        const turn = (left) => { for (let i = 0; i < 200; i++) sink += Object.keys(build(make())).length; if (left > 0) setImmediate(() => turn(left - 1)); };
        turn(5000);
      }`;
    const maps = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script, 'maps'], { encoding: 'utf8' });
    const gc = spawnSync(process.execPath, ['--allow-natives-syntax', '--trace-gc', '--trace-gc-nvp', '-e', script, 'gc'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const summary = scavengeSummary(gc.stdout, 10);
    console.log(`${label.padEnd(34)} new hidden classes in 20,000: ${maps.stdout.trim().padStart(5)} · promoted ${summary.promotedKb.toFixed(0).padStart(5)} KB / scavenge, pause ${summary.pauseMs.toFixed(2)} ms`);
  }
}

async function main() {
  console.log(`node ${process.version}, fastify ${require('fastify/package.json').version}, @nestjs/platform-fastify ${require('@nestjs/platform-fastify/package.json').version}`);
  if (PARTS.includes('servers')) {
    for (const mode of ['http', 'fastify', 'nest', 'nest-abort-read', 'nest-abort-unread']) await measureServer(mode);
  }
  if (PARTS.includes('literals')) measureLiterals();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
