import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';

interface RequestQueueInternals {
  pending: unknown[];
  scheduleCheckPendingRequests(this: RequestQueueInternals): void;
}

/** The kafkajs release whose RequestQueue spins (checked so that a fixed release is left alone). */
const SPINNING_RELEASE = '2.2.4';
const FIXED = Symbol.for('llmops.kafkajs.idle-timer-fix');

/**
 * kafkajs 2.2.4, its last release, re-arms a 1 ms timer forever on every broker connection once one request has
 * completed, even when nothing waits to be sent (tulios/kafkajs#1556 and #1704; the fix of #1667 was never
 * released): every process with a Kafka client wakes its event loop about 1,000 times a second and burns a few
 * percent of a core doing nothing, which on a shared machine is CPU taken from requests. With nothing pending
 * there is nothing to check: a new request that has to wait schedules the check itself (push), and a completed
 * one checks again (fulfillRequest). Idempotent; applied when this library creates a client.
 */
export function applyKafkajsIdleTimerFix(): boolean {
  const kafkajsMain = require.resolve('kafkajs');
  const { version } = JSON.parse(readFileSync(join(dirname(kafkajsMain), 'package.json'), 'utf8')) as { version: string };
  if (version !== SPINNING_RELEASE) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require(join(dirname(kafkajsMain), 'src', 'network', 'requestQueue')) as { prototype: RequestQueueInternals & { [FIXED]?: true } };
  const prototype = RequestQueue.prototype;
  if (prototype[FIXED]) return true;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals) {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
  prototype[FIXED] = true;
  return true;
}
