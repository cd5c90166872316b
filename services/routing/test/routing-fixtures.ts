import { parsePlatformConfig, type PlatformConfig } from '@llmops/config';
import { InMemoryBudgetStore } from '../src/budgets/in-memory-budget.store';
import type { BudgetAlert } from '../src/budgets/budget-enforcer';
import type { BudgetStore } from '../src/budgets/budget.store';
import { ResponseCache } from '../src/cache/response-cache';
import { SemanticIndex } from '../src/cache/semantic-index';
import type { LiveHealth } from '../src/catalog/provider-health.monitor';
import { HashingTextEmbedder } from '../src/cache/text-embedder';
import { LatencyTracker } from '../src/strategies/latency-tracker';
import { RoutingEngine, type RouteInput } from '../src/engine/routing.engine';

/** A platform document with the seed's routes; `extra` merges top-level sections in. */
export function routingDocument(extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    providers: { local: { kind: 'local' }, remote: { kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1' } },
    models: [
      { id: 'local', provider: 'local', version: 'local-1', context_window: 4096, price: { input_per_mtok: 0, output_per_mtok: 0 } },
      { id: 'mini', provider: 'remote', version: 'mini-1', context_window: 128000, price: { input_per_mtok: 0.15, output_per_mtok: 0.6 }, capabilities: ['tools', 'json'] },
      { id: 'big', provider: 'remote', version: 'big-1', context_window: 128000, price: { input_per_mtok: 2.5, output_per_mtok: 10 }, capabilities: ['tools', 'json', 'vision'] },
      { id: 'coder', provider: 'remote', version: 'coder-1', context_window: 64000, price: { input_per_mtok: 1, output_per_mtok: 4 }, capabilities: ['tools'] },
      { id: 'safe', provider: 'remote', version: 'safe-1', context_window: 200000, price: { input_per_mtok: 3, output_per_mtok: 15 } },
    ],
    routes: [
      { name: 'default', chain: ['local'], retrieval: { collection: 'docs' } },
      { name: 'cheap', chain: ['big', 'mini', 'local'], strategy: 'lowest-cost' },
      { name: 'coding', chain: ['coder', 'big'] },
      { name: 'aligned', chain: ['safe', 'big'] },
      { name: 'generalist', chain: ['mini', 'big'], strategy: 'lowest-latency' },
      { name: 'smart', chain: ['big', 'mini', 'local'], prompt: 'docs-qa', cache: { semantic: true } },
      { name: 'spread', chain: ['mini', 'big'], strategy: 'weighted', weights: { mini: 3, big: 1 } },
    ],
    guardrails: { max_input_chars: 100000, redact: [] },
    prompts: { dir: 'prompts' },
    retrieval: { data_dir: 'data' },
    analytics: { retention_days: 1 },
    routing_rules: [
      { name: 'safety-critical', when: { domain: ['finance', 'legal', 'medical'] }, route: 'aligned' },
      { name: 'code', when: { code: true }, route: 'coding' },
      { name: 'math', when: { math: true }, route: 'coding' },
      { name: 'simple', when: { complexity: ['simple'] }, route: 'cheap' },
      { name: 'everything-else', when: { complexity: ['moderate', 'complex'] }, route: 'generalist' },
    ],
    ...extra,
  };
}

export function routingConfig(extra: Record<string, unknown> = {}): PlatformConfig {
  return parsePlatformConfig(routingDocument(extra), { baseDir: '/srv' });
}

export interface EngineHarness {
  engine: RoutingEngine;
  alerts: BudgetAlert[];
  latency: LatencyTracker;
  cache: ResponseCache;
}

export function engineFor(config: PlatformConfig, options: { store?: BudgetStore; random?: () => number; now?: () => number; health?: LiveHealth } = {}): EngineHarness {
  const alerts: BudgetAlert[] = [];
  const latency = new LatencyTracker();
  const embedder = new HashingTextEmbedder();
  const cache = new ResponseCache(embedder, new SemanticIndex(embedder.size), config.cache.maxEntries, options.now);
  const engine = new RoutingEngine(config, {
    cache,
    budgetStore: options.store ?? new InMemoryBudgetStore(options.now),
    latency,
    alerts: { budgetThreshold: (alert) => alerts.push(alert) },
    ...(options.random ? { random: options.random } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.health ? { health: options.health } : {}),
  });
  return { engine, alerts, latency, cache };
}

export function request(content: string, overrides: Partial<RouteInput> = {}): RouteInput {
  return {
    caller: { tenant: 't1', project: 'p1', user: 'u1', apiKey: 'k1', requestId: 'r1', tags: {} },
    model: '',
    messages: [{ role: 'user', content }],
    params: {},
    noCache: false,
    needs: [],
    prompt: '',
    ...overrides,
  };
}
