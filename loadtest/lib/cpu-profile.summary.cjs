#!/usr/bin/env node
'use strict';
/**
 * Where a V8 .cpuprofile spent its time: self time grouped by package (node_modules/<pkg>,
 * our libs/<name> and services/<name>, node internals, GC, idle) and the top functions.
 * Usage: node loadtest/lib/cpu-profile.summary.cjs <file.cpuprofile> [top=25]
 */
const { readFileSync } = require('node:fs');

function ownerOf(url) {
  if (!url) return '(native/vm)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const ours = /\/(libs|services)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:');
  return url;
}

function summarize(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byOwner = new Map();
  const byFunction = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const special = ['(idle)', '(garbage collector)', '(program)'].includes(callFrame.functionName) ? callFrame.functionName : undefined;
    const owner = special ?? ownerOf(callFrame.url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    const fn = `${callFrame.functionName || '(anonymous)'} ${callFrame.url ? callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '') : ''}:${callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const busy = total - (byOwner.get('(idle)') ?? 0);
  // Inclusive time per owner: a sample counts once for every owner found on its stack, so
  // "libs/telemetry 12 %" means 12 % of busy time was spent in or under its code.
  const parentOf = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const inclusive = new Map();
  const ownersOnStack = new Map();
  const stackOwners = (id) => {
    if (ownersOnStack.has(id)) return ownersOnStack.get(id);
    const parent = parentOf.get(id);
    const set = new Set(parent === undefined ? [] : stackOwners(parent));
    const { callFrame } = byId.get(id);
    if (callFrame.url) set.add(ownerOf(callFrame.url));
    ownersOnStack.set(id, set);
    return set;
  };
  for (const [id, us] of self) {
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    for (const owner of stackOwners(id)) inclusive.set(owner, (inclusive.get(owner) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / busy).toFixed(1)}%`.padStart(6);
  const lines = [`${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`];
  lines.push('self time by owner:');
  for (const [owner, us] of [...byOwner].filter(([o]) => o !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${owner}`);
  lines.push('inclusive (own code and everything it called):');
  for (const [owner, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${owner}`);
  lines.push('top functions (self time):');
  for (const [fn, us] of [...byFunction].filter(([f]) => !f.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${fn}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: cpu-profile.summary.cjs <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(summarize(file, top ? Number(top) : 25));
}

module.exports = { summarize };
