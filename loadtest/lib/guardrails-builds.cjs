'use strict';
/**
 * Two builds of the guardrails service in one process, for the scripts that compare them
 * (guardrails-build-compare.bench.cjs: CPU; guardrails-build-verify.cjs: verdicts).
 */
const path = require('node:path');
const { loadPlatformConfig } = require('@llmops/config');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * `--base=<dist>` (required), `--new=<dist>` (default: this checkout's build) and the numeric
 * flags named in `defaults` (`{ rounds: 30 }` accepts `--rounds=N`).
 */
function parseBuildArgs(argv, defaults = {}) {
  const args = { base: '', next: path.join(REPO_ROOT, 'services', 'guardrails', 'dist'), ...defaults };
  for (const arg of argv) {
    const match = /^--([a-z]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg} (expected --name=value)`);
    if (match[1] === 'base') args.base = path.resolve(match[2]);
    else if (match[1] === 'new') args.next = path.resolve(match[2]);
    else if (match[1] in defaults) args[match[1]] = Number(match[2]);
    else throw new Error(`unknown argument --${match[1]}`);
  }
  if (!args.base) throw new Error('--base=<dist of the build to compare against> is required');
  return args;
}

/** `load(dist, config)` of each build, under the repository's llmops.yaml. */
function loadBothBuilds(args, load) {
  const config = loadPlatformConfig({ env: {}, cwd: REPO_ROOT });
  const base = load(args.base, config);
  // Both builds register the same metrics: the second would be refused by the shared registry.
  require('prom-client').register.clear();
  const next = load(args.next, config);
  return { base, next };
}

module.exports = { parseBuildArgs, loadBothBuilds };
