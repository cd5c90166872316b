'use strict';
const { readFileSync } = require('node:fs');

/** Resident set size of a process in MiB, from /proc/<pid>/status (VmRSS), or NaN if gone. */
function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** RSS (MiB) of each running service of a stack's state dir, plus the total. */
function stackRss(runningServices, stateDir) {
  const perService = {};
  let total = 0;
  for (const { service, pid } of runningServices(stateDir)) {
    const mib = rssMiB(pid);
    perService[service] = Number(mib.toFixed(1));
    if (Number.isFinite(mib)) total += mib;
  }
  return { perService, totalMiB: Number(total.toFixed(1)) };
}

module.exports = { rssMiB, stackRss };
