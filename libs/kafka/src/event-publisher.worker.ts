import { parentPort, workerData } from 'node:worker_threads';
import { EventPublisher, type EventPublisherStats } from './event-publisher';
import type { FromPublisherThread, PublisherThreadOptions, ToPublisherThread } from './publisher-thread';

/** The send loop of an off-thread EventPublisher (see PublisherThread): the inline publisher, fed encoded records. */
const port = parentPort!;
const publisher = new EventPublisher({ ...(workerData as PublisherThreadOptions), offThread: false });
const reply = (message: FromPublisherThread) => port.postMessage(message);
const stats = (): EventPublisherStats => publisher.stats();

// Stats go back after a batch of records arrives (at most every 100 ms, so a busy service's main
// thread is not woken once per request) and, once a second, when they changed (acknowledgements,
// outbox writes); an idle worker stays quiet.
let lastPosted = '';
let lastPostedAt = 0;
const postStats = () => {
  const current = stats();
  lastPostedAt = Date.now();
  const key = JSON.stringify(current);
  if (key === lastPosted) return;
  lastPosted = key;
  reply({ type: 'stats', stats: current });
};
const statsTimer = setInterval(postStats, 1_000);

port.on('message', (message: ToPublisherThread) => {
  switch (message.type) {
    case 'records':
      for (const record of message.records) {
        const value = record.value as Uint8Array;
        publisher.enqueue({ ...record, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength) });
      }
      if (Date.now() - lastPostedAt >= 100) postStats();
      return;
    case 'flush':
      void publisher.flush(message.timeoutMs).then((result) => reply({ type: 'reply', id: message.id, result, stats: stats() }));
      return;
    case 'close':
      void publisher.close(message.timeoutMs).then(() => {
        clearInterval(statsTimer);
        reply({ type: 'reply', id: message.id, result: true, stats: stats() });
        port.close();
      });
      return;
  }
});

void publisher.start().then(() => reply({ type: 'started' }));
