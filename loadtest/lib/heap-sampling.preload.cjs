'use strict';
/**
 * Preloaded into the gateway (`--require`, through LLMOPS_SERVICE_NODE_ARGS) when
 * gateway-cache-hit.bench.cjs is asked for `--alloc=true`: every byte the process allocates
 * between two SIGUSR2 signals, sampled by V8's heap profiler including the objects the young and
 * old generation collectors already freed (the garbage a request leaves is what drives the
 * scavenges). The second signal writes the total to BENCH_ALLOC_OUT as JSON: { bytes }.
 * BENCH_ALLOC_SURVIVORS=1 leaves out what a scavenge freed: the bytes that outlived at least one
 * young-generation collection (promoted, or live when sampling stopped), which set how long each
 * scavenge copies.
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');

const out = process.env.BENCH_ALLOC_OUT;
if (out && /[/\\]gateway[/\\]dist[/\\]main\.js$/.test(process.argv[1] ?? '')) {
  const session = new inspector.Session();
  session.connect();
  session.post('HeapProfiler.enable');
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.BENCH_ALLOC_SURVIVORS !== '1' });
      return;
    }
    sampling = false;
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) return;
      let bytes = 0;
      const visit = (node) => {
        bytes += node.selfSize;
        node.children.forEach(visit);
      };
      visit(result.profile.head);
      writeFileSync(out, JSON.stringify({ bytes }));
    });
  });
}
