'use strict';
/**
 * An open-loop load generator: request i is due at start + i / rate whatever happened to the
 * requests before it (a closed loop would wait for answers and hide queueing). Latency is taken
 * from the moment a request was DUE, not when it happened to leave, so a stalled generator or a
 * stalled server shows up in the numbers instead of silently lowering the rate (coordinated
 * omission). The run is bounded: rate × (warm-up + duration) requests, then it waits for the
 * stragglers (each bounded by the sender's own timeout) and returns.
 */
const { performance } = require('node:perf_hooks');
const { summarize, round } = require('./latency-stats.cjs');

/**
 * @param {object} options
 * @param {number} options.ratePerSecond
 * @param {number} options.warmupSeconds   requests sent but not measured
 * @param {number} options.durationSeconds measured requests
 * @param {number} [options.maxInFlight]   beyond this, a due request is counted as dropped
 * @param {(index: number, phase: 'warmup'|'measure') => Promise<{ ok: boolean, error?: string, traceId?: string }>} options.send
 */
async function runOpenLoop(options) {
  const { ratePerSecond, warmupSeconds, durationSeconds, send } = options;
  const maxInFlight = options.maxInFlight ?? 4096;
  const intervalMs = 1000 / ratePerSecond;
  const warmupCount = Math.round(ratePerSecond * warmupSeconds);
  const total = warmupCount + Math.round(ratePerSecond * durationSeconds);

  const latencies = []; // from due time to full response (ms)
  const serviceTimes = []; // from actual send to full response (ms)
  const samples = []; // { traceId, latencyMs } of measured successes, to join with server traces
  const errors = {};
  let inFlight = 0;
  let maxSeenInFlight = 0;
  let maxSendLagMs = 0;
  let firstMeasuredDue = NaN;
  let lastMeasuredDone = 0;
  let measuredOk = 0;
  const pending = new Set();

  const start = performance.now() + 20;
  let next = 0;

  const issue = (index) => {
    const due = start + index * intervalMs;
    const phase = index < warmupCount ? 'warmup' : 'measure';
    const sentAt = performance.now();
    maxSendLagMs = Math.max(maxSendLagMs, sentAt - due);
    if (phase === 'measure' && Number.isNaN(firstMeasuredDue)) firstMeasuredDue = due;
    if (inFlight >= maxInFlight) {
      if (phase === 'measure') errors.dropped = (errors.dropped ?? 0) + 1;
      return;
    }
    inFlight += 1;
    maxSeenInFlight = Math.max(maxSeenInFlight, inFlight);
    const promise = send(index, phase)
      .catch((error) => ({ ok: false, error: error && error.code ? String(error.code) : String(error && error.message ? error.message : error) }))
      .then((result) => {
        const done = performance.now();
        inFlight -= 1;
        if (phase !== 'measure') return;
        lastMeasuredDone = Math.max(lastMeasuredDone, done);
        if (result.ok) {
          measuredOk += 1;
          latencies.push(done - due);
          serviceTimes.push(done - sentAt);
          if (result.traceId) samples.push({ traceId: result.traceId, latencyMs: done - due });
        } else {
          const key = result.error ?? 'error';
          errors[key] = (errors[key] ?? 0) + 1;
        }
      });
    pending.add(promise);
    promise.then(() => pending.delete(promise));
  };

  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) issue(next++);
      if (next >= total) return resolve();
      // Sleep until the next request is due; timers are ~1 ms coarse, so wake a bit early.
      const wait = Math.max(0, start + next * intervalMs - performance.now() - 1);
      setTimeout(tick, wait);
    };
    tick();
  });
  while (pending.size > 0) await Promise.all([...pending]);

  const measured = total - warmupCount;
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  const latency = summarize(latencies);
  const service = summarize(serviceTimes);
  const roundAll = (s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'count' ? v : round(v, 3)]));
  return {
    targetRatePerSecond: ratePerSecond,
    warmupRequests: warmupCount,
    measuredRequests: measured,
    ok: measuredOk,
    errorCount,
    errors,
    // successful answers per second over the measured window (first due → last answer)
    achievedRatePerSecond: round((measuredOk * 1000) / (lastMeasuredDone - firstMeasuredDue), 1),
    maxInFlight: maxSeenInFlight,
    maxSendLagMs: round(maxSendLagMs, 2),
    latencyMs: roundAll(latency),
    serviceTimeMs: roundAll(service),
    samples,
  };
}

module.exports = { runOpenLoop };
