'use strict';
/**
 * Preloaded into every service (NODE_OPTIONS=--require ...) when the benchmark is asked for CPU
 * profiles: `--cpu-prof` itself is refused in NODE_OPTIONS. Starts the V8 sampling profiler
 * through the in-process inspector and writes <dir>/<service>-<pid>.cpuprofile when the process
 * exits (the services exit on SIGTERM, which `llmops down` and the benchmark send).
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  const service = path.basename(path.dirname(path.dirname(process.argv[1] || 'unknown/dist/x')));
  let written = false;
  // The main-thread session answers synchronously, so this works inside 'exit'.
  process.on('exit', () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(path.join(dir, `${service}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
