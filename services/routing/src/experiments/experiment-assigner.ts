import type { ExperimentArmConfig, ExperimentConfig } from '@llmops/config';
import { stringHash32 } from '../hashing/string-hash';

export interface ExperimentSubject {
  route: string;
  tenant: string;
  project: string;
  user: string;
  apiKey: string;
  requestId: string;
  tags: Readonly<Record<string, string>>;
}

export interface ExperimentAssignment {
  experiment: string;
  kind: ExperimentConfig['kind'];
  arm: ExperimentArmConfig;
  /** Which key decided (`user`), or `request` when that key was empty and the draw is not sticky. */
  stickyKey: string;
  shadow?: { chain: string[]; arm: string };
  reason: string;
}

const BUCKETS = 10_000;

/**
 * Assigns a request to an experiment arm. The draw is a hash of experiment name and the sticky
 * key's value, so the same user lands in the same arm on every request and every replica, and a
 * ramp from 5% to 20% keeps the first 5% where they were.
 */
export class ExperimentAssigner {
  private readonly byRoute: ReadonlyMap<string, ExperimentConfig>;

  constructor(experiments: readonly ExperimentConfig[]) {
    const byRoute = new Map<string, ExperimentConfig>();
    // One experiment per route at a time: the first enabled one listed wins.
    for (const experiment of experiments) if (experiment.enabled && !byRoute.has(experiment.route)) byRoute.set(experiment.route, experiment);
    this.byRoute = byRoute;
  }

  assign(subject: ExperimentSubject): ExperimentAssignment | undefined {
    const experiment = this.byRoute.get(subject.route);
    if (!experiment) return undefined;
    const keyValue = stickyValue(experiment.stickyKey, subject);
    const stickyKey = keyValue ? experiment.stickyKey : 'request';
    const seed = keyValue || subject.requestId;
    const enrolment = bucket(`${experiment.name}:ramp:${seed}`);
    const inRamp = enrolment < (experiment.rampPercent / 100) * BUCKETS;

    let arm: ExperimentArmConfig;
    let why: string;
    if (experiment.kind === 'canary') {
      arm = inRamp ? experiment.arms[1]! : experiment.arms[0]!;
      why = `canary at ${experiment.rampPercent}%`;
    } else {
      if (!inRamp) return undefined;
      arm = weightedArm(experiment.arms, bucket(`${experiment.name}:arm:${seed}`) / BUCKETS);
      why = `A/B over ${experiment.arms.map((candidate) => `${candidate.name}:${candidate.weight}`).join(', ')} with ${experiment.rampPercent}% enrolled`;
    }
    const shadowDraw = experiment.shadow ? bucket(`${experiment.name}:shadow:${seed}`) : BUCKETS;
    const shadow = experiment.shadow && shadowDraw < (experiment.shadow.percent / 100) * BUCKETS ? { chain: [...experiment.shadow.chain], arm: experiment.shadow.arm } : undefined;
    const sticky = stickyKey === 'request' ? `not sticky: the request has no ${experiment.stickyKey}` : `sticky by ${experiment.stickyKey}`;
    return {
      experiment: experiment.name,
      kind: experiment.kind,
      arm,
      stickyKey,
      ...(shadow ? { shadow } : {}),
      reason: `experiment "${experiment.name}" (${why}, ${sticky}) assigned arm "${arm.name}"${shadow ? `; shadow copy to ${shadow.chain.join(' → ')}` : ''}`,
    };
  }
}

function stickyValue(key: string, subject: ExperimentSubject): string {
  switch (key) {
    case 'user':
      return subject.user;
    case 'tenant':
      return subject.tenant;
    case 'project':
      return subject.project;
    case 'api_key':
      return subject.apiKey;
    default:
      return key.startsWith('tag:') ? (subject.tags[key.slice(4)] ?? '') : '';
  }
}

/** A uniform bucket in [0, BUCKETS) from a string (the modulo bias of a 32-bit hash is ~2e-6). */
function bucket(value: string): number {
  return stringHash32(value) % BUCKETS;
}

function weightedArm(arms: readonly ExperimentArmConfig[], draw: number): ExperimentArmConfig {
  const total = arms.reduce((sum, arm) => sum + arm.weight, 0);
  let left = draw * total;
  for (const arm of arms) {
    if (arm.weight > 0 && left < arm.weight) return arm;
    left -= arm.weight;
  }
  return arms.filter((arm) => arm.weight > 0).at(-1) ?? arms[0]!;
}
