import { AUTO_ROUTE_NAME, type ModelCapability, type ModelConfig, type ModelHealth, type PlatformConfig, type RouteConfig, type RoutingStrategy } from '@llmops/config';
import { exactCacheKey, semanticSplit, type CacheKeyInput } from '../cache/cache-key';
import type { AnswerCache, CachedAnswer } from '../cache/response-cache';
import type { ModelRef } from '../catalog/model-catalog';
import type { LiveHealth } from '../catalog/provider-health.monitor';
import { BudgetEnforcer, isRateLimit, type BudgetAlert, type BudgetAmounts } from '../budgets/budget-enforcer';
import type { BudgetStore } from '../budgets/budget.store';
import { analyzeRequest, longestMessageTokens, type RequestFeatures } from '../features/request-features';
import { RoutingException, RoutingExceptionCode } from '../routes/routing.exception';
import { ChainStrategy } from '../strategies/chain-strategy';
import type { LatencyTracker } from '../strategies/latency-tracker';
import { RoutingState } from './routing-state';

export interface RouteCaller {
  tenant: string;
  project: string;
  user: string;
  apiKey: string;
  requestId: string;
  tags: Readonly<Record<string, string>>;
}

export interface GenerationParameters {
  temperature?: number | undefined;
  topP?: number | undefined;
  maxTokens?: number | undefined;
  stop?: readonly string[];
  /** Response format and schema (`json_schema:<schema>`): answers in other formats never match. */
  format?: string;
}

export interface RouteInput {
  caller: RouteCaller;
  /** What the caller asked for: a route, a model, `auto`, or empty. */
  model: string;
  messages: ReadonlyArray<{ role: string; content: string; name?: string }>;
  params: GenerationParameters;
  noCache: boolean;
  needs: readonly ModelCapability[];
  prompt: string;
}

export type CacheStatus = 'hit' | 'miss' | 'bypass' | 'off';
export type BudgetActionTaken = 'allow' | 'downgrade' | 'none';

export interface RoutingDecision {
  route: string;
  chain: ModelRef[];
  reason: string;
  rule?: string;
  strategy: RoutingStrategy;
  prompt?: string;
  promptVersion?: string;
  retrieval?: { collection: string };
  features: RequestFeatures;
  experiment?: {
    name: string;
    arm: string;
    kind: string;
    stickyKey: string;
    shadowChain: ModelRef[];
    shadowArm: string;
    /** The shadow copy's own spend reservation, settled by the caller after the copy; '' when none. */
    shadowReservationId: string;
  };
  cache: {
    status: CacheStatus;
    reason: string;
    kind?: 'exact' | 'semantic';
    similarity?: number;
    answer?: CachedAnswer;
    storable: boolean;
    variant: string;
    /** On a hit: how long the gateway may serve the same request again without asking (0: ask every time). */
    reuseMs: number;
  };
  budget: { action: BudgetActionTaken; reservationId: string; reservedUsd: number; reservedTokens: number; reason: string; alerts: string[] };
  /** The caller should call Settle after the model call (a reservation to settle, or latency to learn). */
  settle: boolean;
}

export interface SettleInput {
  reservationId: string;
  model?: ModelRef;
  usage: { inputTokens: number; outputTokens: number };
  costUsd?: number;
  latencyMs: number;
  ok: boolean;
}

export interface StoreInput {
  caller: Pick<RouteCaller, 'tenant'>;
  route: string;
  variant: string;
  prompt: string;
  messages: RouteInput['messages'];
  params: GenerationParameters;
  noCache: boolean;
  answer: CachedAnswer;
}

/** Where 80%-of-budget alerts go (llmops.alerts.v1 in the service). */
export interface BudgetAlertSink {
  budgetThreshold(alert: BudgetAlert): void;
}

/** Counts cache lookups by outcome: the hit-rate metric. */
export interface CacheLookupCounter {
  lookup(status: CacheStatus, kind: string): void;
}

/** Output tokens assumed when the request sets no max_tokens, for the budget reservation. */
export const DEFAULT_OUTPUT_TOKENS_ESTIMATE = 256;

/** What the cache needs of a route. A model named directly has no route: it gets the global defaults. */
type CacheScope = Pick<RouteConfig, 'name' | 'cache'>;

const DIRECT_MODEL_PREFIX = 'model:';

interface Selection {
  route?: RouteConfig;
  /** A model named directly: tried alone. */
  model?: string;
  rule?: string;
  why: string;
}

/**
 * The Route use-case: picks a route (explicit name, rules, default), applies an experiment arm,
 * orders the chain by the route's strategy, looks the answer up in the cache, and reserves the
 * budget. Every step adds to `reason`, which goes on the trace.
 */
export class RoutingEngine {
  private state: RoutingState;
  private budgets: BudgetEnforcer;
  private readonly strategy: ChainStrategy;

  constructor(
    config: ConstructorParameters<typeof RoutingState>[0],
    private readonly ports: {
      cache: AnswerCache;
      budgetStore: BudgetStore;
      latency: LatencyTracker;
      alerts: BudgetAlertSink;
      cacheCounter?: CacheLookupCounter;
      /** Model health reported by inference (breakers, missing keys), on top of llmops.yaml's. */
      health?: LiveHealth;
      random?: () => number;
      now?: () => number;
    },
  ) {
    this.state = new RoutingState(config);
    this.budgets = new BudgetEnforcer(config.budgets, ports.budgetStore, ports.now);
    this.strategy = new ChainStrategy(this.state.catalog, ports.latency, ports.random);
  }

  /** Swaps in a new configuration; requests in flight finish with the one they started with. */
  reload(config: Pick<PlatformConfig, 'models' | 'routes' | 'routingRules' | 'experiments' | 'cache' | 'budgets'>): void {
    const state = new RoutingState(config);
    this.state = state;
    this.budgets = new BudgetEnforcer(config.budgets, this.ports.budgetStore, this.ports.now);
    this.strategy.useCatalog(state.catalog);
  }

  /** What a caller may name, e.g. for `/v1/models`. */
  available(): { routes: string[]; models: string[] } {
    return { routes: [...this.state.routes.keys()], models: this.state.catalog.ids() };
  }

  async route(input: RouteInput): Promise<RoutingDecision> {
    const state = this.state;
    const features = analyzeRequest(input.messages);
    const selection = this.select(state, input, features);
    const reasons = [selection.why];

    let route = selection.route;
    let candidates = route ? [...route.chain] : [selection.model!];
    let promptVersion: string | undefined;
    let experiment: RoutingDecision['experiment'];
    if (route) {
      const assignment = state.experiments.assign(Object.assign({}, input.caller, { route: route.name }));
      if (assignment) {
        const armRoute = assignment.arm.route !== undefined ? state.routes.get(assignment.arm.route) : undefined;
        if (armRoute) candidates = [...armRoute.chain];
        else if (assignment.arm.chain) candidates = [...assignment.arm.chain];
        promptVersion = assignment.arm.promptVersion;
        experiment = {
          name: assignment.experiment,
          arm: assignment.arm.name,
          kind: assignment.kind,
          stickyKey: assignment.stickyKey,
          shadowChain: (assignment.shadow?.chain ?? []).map((id) => state.catalog.refOf(id)),
          shadowArm: assignment.shadow?.arm ?? '',
          shadowReservationId: '',
        };
        reasons.push(assignment.reason);
      }
    }

    const outputTokens = input.params.maxTokens ?? DEFAULT_OUTPUT_TOKENS_ESTIMATE;
    const strategyName: RoutingStrategy = route && !selection.model ? route.strategy : 'ordered';
    // An embedding model takes each input alone: the longest one must fit, not their sum.
    const fitTokens = input.needs.includes('embeddings') ? longestMessageTokens(input.messages) : features.estimatedTokens + outputTokens;
    let chain = this.fit(state, candidates, input.needs, fitTokens, reasons);
    if (route) {
      const ordered = this.strategy.order({ strategy: strategyName, chain, weights: route.weights, inputTokens: features.estimatedTokens, outputTokens });
      chain = ordered.chain;
      reasons.push(`${strategyName}: ${ordered.explanation}`);
    } else {
      reasons.push(`uses ${chain[0]}`);
    }

    const variant = `${experiment?.arm ?? ''}|${promptVersion ?? ''}`;
    const cache = await this.lookup(state, input, route ?? this.cacheScope(state, DIRECT_MODEL_PREFIX + selection.model), variant);
    reasons.push(`cache ${cache.status}: ${cache.reason}`);

    const estimate = (ids: readonly string[]) => ({
      tokens: cache.status === 'hit' ? 0 : features.estimatedTokens + outputTokens,
      // The chain may fall back to any of its models, so the dearest one is reserved.
      usd: cache.status === 'hit' ? 0 : Math.max(0, ...ids.map((id) => state.catalog.costUsd(id, features.estimatedTokens, outputTokens))),
    });
    const downgradeTo = (name: string) => {
      const target = state.routes.get(name)!;
      return { route: target, chain: this.fit(state, target.chain, input.needs, fitTokens, []) };
    };
    const budget = await this.reserve(input.caller, chain, cache.status === 'hit', estimate, downgradeTo, reasons);
    if (budget.downgraded) {
      route = budget.downgraded.route;
      chain = budget.downgraded.chain;
    }
    // A cached answer is not shadowed (there is no live call to compare with).
    if (experiment && experiment.shadowChain.length > 0) {
      if (cache.status === 'hit') experiment.shadowChain = [];
      else await this.reserveShadow(input.caller, experiment, estimate(experiment.shadowChain.map((ref) => ref.model)), reasons);
    }

    const decision: RoutingDecision = {
      route: selection.model ? DIRECT_MODEL_PREFIX + selection.model : route!.name,
      chain: chain.map((id) => state.catalog.refOf(id)),
      reason: reasons.join('; '),
      ...(selection.rule ? { rule: selection.rule } : {}),
      strategy: strategyName,
      ...(route?.prompt !== undefined ? { prompt: route.prompt } : {}),
      ...(promptVersion !== undefined ? { promptVersion } : {}),
      ...(route?.retrieval !== undefined ? { retrieval: { collection: route.retrieval.collection } } : {}),
      features,
      ...(experiment ? { experiment } : {}),
      // An answer from a downgraded route is not stored under the route the request asked for.
      // Object.assign, not { ...cache, variant }: docs/architecture.md, "Hot paths on Node 20".
      cache: Object.assign({}, cache, { variant, reuseMs: this.reuseMs(state, input.caller, cache.status, experiment) }, budget.downgraded ? { storable: false } : {}),
      budget: budget.decision,
      settle: budget.decision.reservationId !== '' || strategyName === 'lowest-latency',
    };
    return decision;
  }

  /**
   * Reserves the estimate in every applicable budget. Past a spend cap whose action is
   * `downgrade`, tries again with the downgrade route's chain; past a rate limit, or when that
   * does not fit either, throws RATE_LIMITED or BUDGET_EXCEEDED.
   */
  private async reserve(
    caller: RouteCaller,
    chain: string[],
    cacheHit: boolean,
    estimate: (ids: readonly string[]) => BudgetAmounts,
    downgradeTo: (route: string) => { route: RouteConfig; chain: string[] },
    reasons: string[],
  ): Promise<{ decision: RoutingDecision['budget']; downgraded?: { route: RouteConfig; chain: string[] } }> {
    const budgets = this.budgets;
    if (!budgets.configured) return { decision: { action: 'none', reservationId: '', reservedUsd: 0, reservedTokens: 0, reason: 'no budget applies', alerts: [] } };
    const subject = { tenant: caller.tenant, project: caller.project, apiKey: caller.apiKey };
    let result = await budgets.reserve(subject, estimate(chain));
    let downgraded: { route: RouteConfig; chain: string[] } | undefined;
    if (!result.ok && !isRateLimit(result.metric) && result.budget.onExceed === 'downgrade' && result.budget.downgradeRoute && !cacheHit) {
      const target = downgradeTo(result.budget.downgradeRoute);
      const first = result;
      result = await budgets.reserve(subject, estimate(target.chain));
      if (result.ok) {
        downgraded = target;
        reasons.push(`budget: ${first.message} Downgraded to route "${target.route.name}" (${target.chain.join(' → ')})`);
      }
    }
    if (!result.ok) {
      const code = isRateLimit(result.metric) ? RoutingExceptionCode.RATE_LIMITED : RoutingExceptionCode.BUDGET_EXCEEDED;
      throw new RoutingException(code, result.message, { scope: result.budget.scope, id: result.scopeValue, metric: result.metric, limit: result.limit, retry_after_ms: result.retryAfterMs });
    }
    for (const alert of result.alerts) this.ports.alerts.budgetThreshold(alert);
    if (!downgraded) reasons.push(`budget: reserved ~${result.reservedTokens} tokens, $${result.reservedUsd.toFixed(6)}`);
    return {
      decision: {
        action: downgraded ? 'downgrade' : 'allow',
        reservationId: result.reservationId,
        reservedUsd: result.reservedUsd,
        reservedTokens: result.reservedTokens,
        reason: downgraded ? 'spend cap reached; downgraded' : 'within every limit',
        alerts: result.alerts.map((alert) => `${alert.scope} ${alert.id} ${alert.metric} at ${Math.round(alert.used * 100)}%`),
      },
      ...(downgraded ? { downgraded } : {}),
    };
  }

  /**
   * How long the gateway may serve a hit again for the very same request without asking (ADR
   * 0006): never when a rate limit must count the request or an experiment chose the answer's
   * arm, else `cache.gateway_ttl_seconds`.
   */
  private reuseMs(state: RoutingState, caller: RouteCaller, status: CacheStatus, experiment: RoutingDecision['experiment']): number {
    if (status !== 'hit' || experiment) return 0;
    if (this.budgets.rateLimits({ tenant: caller.tenant, project: caller.project, apiKey: caller.apiKey })) return 0;
    return Math.round(state.config.cache.gatewayTtlSeconds * 1000);
  }

  /**
   * A shadow copy spends real money on the caller's behalf, so it counts against the spend caps;
   * it is not the caller's request, so not against rate limits. When it does not fit, the copy
   * is dropped, never the request.
   */
  private async reserveShadow(caller: RouteCaller, experiment: NonNullable<RoutingDecision['experiment']>, amounts: BudgetAmounts, reasons: string[]): Promise<void> {
    if (!this.budgets.configured) return;
    const result = await this.budgets.reserve({ tenant: caller.tenant, project: caller.project, apiKey: caller.apiKey }, amounts, { spendOnly: true });
    if (!result.ok) {
      experiment.shadowChain = [];
      reasons.push(`shadow copy skipped: ${result.message}`);
      return;
    }
    for (const alert of result.alerts) this.ports.alerts.budgetThreshold(alert);
    experiment.shadowReservationId = result.reservationId;
    reasons.push(`shadow copy: reserved $${result.reservedUsd.toFixed(6)}`);
  }

  async settle(input: SettleInput): Promise<{ settledUsd: number; settledTokens: number }> {
    const tokens = input.usage.inputTokens + input.usage.outputTokens;
    let usd = input.costUsd;
    if (usd === undefined) {
      const model = input.model ? this.state.catalog.get(input.model.model) : undefined;
      usd = model ? this.state.catalog.costUsd(model.id, input.usage.inputTokens, input.usage.outputTokens) : 0;
    }
    if (input.ok && input.model && input.latencyMs > 0) this.ports.latency.observe(input.model.model, input.latencyMs);
    if (input.reservationId !== '') {
      const known = await this.budgets.settle(input.reservationId, { tokens, usd });
      if (!known && !/^r1\./.test(input.reservationId)) throw new RoutingException(RoutingExceptionCode.INVALID_REQUEST, 'reservation_id is not one Route returned');
    }
    return { settledUsd: usd, settledTokens: tokens };
  }

  async store(input: StoreInput): Promise<{ stored: boolean; reason: string }> {
    const state = this.state;
    const route = this.cacheScope(state, input.route);
    if (!route) return { stored: false, reason: `route "${input.route}" is unknown` };
    const refusal = this.uncacheable(state, route, input.noCache, input.params);
    if (refusal) return { stored: false, reason: refusal };
    if (input.answer.content === '') return { stored: false, reason: 'empty answer' };
    const keyInput = this.keyInput(input.caller.tenant, route, input.variant, input.prompt, input.messages, input.params);
    await this.ports.cache.put(
      exactCacheKey(keyInput),
      input.answer,
      route.cache.ttlSeconds,
      route.cache.semantic ? semanticSplit(keyInput) : undefined,
    );
    return { stored: true, reason: `cached for ${route.cache.ttlSeconds}s${route.cache.semantic ? ' (exact and semantic)' : ''}` };
  }

  private select(state: RoutingState, input: RouteInput, features: RequestFeatures): Selection {
    const asked = input.model.trim();
    if (asked === '' || asked === AUTO_ROUTE_NAME) {
      const named = asked === '' ? 'the request named no model' : `the request asked for "${AUTO_ROUTE_NAME}"`;
      const match = state.rules.match({ tenant: input.caller.tenant, project: input.caller.project, tags: input.caller.tags, features });
      if (match) return { route: state.routes.get(match.route)!, rule: match.rule, why: `${named}; rule "${match.rule}" matched (${match.because}) → route "${match.route}"` };
      const rules = state.rules.size > 0 ? `; no rule matched (${describe(features)})` : '';
      return { route: state.defaultRoute, why: `${named}${rules}, so the default route serves it` };
    }
    const route = state.routes.get(asked);
    if (route) return { route, why: `the request named route "${route.name}"` };
    if (state.catalog.get(asked)) return { model: asked, why: `the request named model "${asked}" directly, so it is tried alone, without fallback` };
    const available = this.available();
    throw new RoutingException(
      RoutingExceptionCode.UNKNOWN_MODEL,
      `Unknown model "${asked.slice(0, 100)}". Use a route (${available.routes.join(', ')}), "${AUTO_ROUTE_NAME}", or a model (${available.models.join(', ')}).`,
      { requested: asked.slice(0, 100), ...available },
    );
  }

  /**
   * Drops models that cannot serve (down in llmops.yaml or by inference's report, missing a
   * capability, too small a window) and puts degraded ones last, saying why.
   */
  private fit(state: RoutingState, candidates: readonly string[], needs: readonly ModelCapability[], tokens: number, reasons: string[]): string[] {
    const dropped: string[] = [];
    const fitting = candidates.filter((id) => {
      const health = this.healthOf(state, id);
      const unfit = health.state === 'down' ? health.why : state.catalog.unfitReason(id, needs, tokens);
      if (unfit) dropped.push(`${id} (${unfit})`);
      return unfit === undefined;
    });
    if (fitting.length === 0) {
      reasons.push(`no model fits (${dropped.join(', ')}), so the chain is tried as configured`);
      return [...candidates];
    }
    // Degraded models still serve, after the healthy ones.
    const healthy = fitting.filter((id) => this.healthOf(state, id).state === 'healthy');
    const degraded = fitting.filter((id) => this.healthOf(state, id).state !== 'healthy');
    if (dropped.length > 0) reasons.push(`skips ${dropped.join(', ')}`);
    if (degraded.length > 0 && healthy.length > 0) reasons.push(`puts degraded ${degraded.map((id) => `${id} (${this.healthOf(state, id).why})`).join(', ')} last`);
    return [...healthy, ...degraded];
  }

  /** A model's health: llmops.yaml's `health`, worsened by what inference last reported. */
  private healthOf(state: RoutingState, id: string): { state: ModelHealth; why: string } {
    const configured = state.catalog.require(id).health;
    if (configured === 'down') return { state: 'down', why: 'marked down' };
    const live = this.ports.health?.of(state.catalog.refOf(id));
    if (live?.state === 'down') return live;
    if (configured === 'degraded') return { state: 'degraded', why: 'marked degraded' };
    return live ?? { state: 'healthy', why: '' };
  }

  /** The models and routes callers may name, from the configuration in force, with live health. */
  catalog(): { models: Array<ModelConfig & { health: ModelHealth; healthReason: string }>; routes: RouteConfig[] } {
    const state = this.state;
    return {
      models: state.catalog.ids().map((id) => {
        const health = this.healthOf(state, id);
        return { ...state.catalog.require(id), health: health.state, healthReason: health.why };
      }),
      routes: [...state.routes.values()],
    };
  }

  /**
   * A route's cache settings by the name Route gave the decision. A model named directly
   * (`model:<id>`) is cached like a route without cache settings: exact matching, global TTL.
   */
  private cacheScope(state: RoutingState, name: string): CacheScope | undefined {
    const route = state.routes.get(name);
    if (route) return route;
    if (!name.startsWith(DIRECT_MODEL_PREFIX) || !state.catalog.get(name.slice(DIRECT_MODEL_PREFIX.length))) return undefined;
    const defaults = state.config.cache;
    return { name, cache: { exact: true, semantic: false, semanticThreshold: defaults.semanticThreshold, ttlSeconds: defaults.ttlSeconds, allowNondeterministic: false } };
  }

  private async lookup(state: RoutingState, input: RouteInput, route: CacheScope | undefined, variant: string): Promise<Omit<RoutingDecision['cache'], 'variant' | 'reuseMs'>> {
    const counter = this.ports.cacheCounter;
    if (!state.config.cache.enabled) return { status: 'off', reason: 'the cache is not enabled', storable: false };
    if (!route) return { status: 'off', reason: 'no route to take cache settings from', storable: false };
    if (!route.cache.exact && !route.cache.semantic) return { status: 'off', reason: `route "${route.name}" turns caching off`, storable: false };
    const refusal = this.uncacheable(state, route, input.noCache, input.params);
    if (refusal) {
      counter?.lookup('bypass', '');
      return { status: 'bypass', reason: refusal, storable: false };
    }
    const keyInput = this.keyInput(input.caller.tenant, route, variant, input.prompt, input.messages, input.params);
    if (route.cache.exact) {
      const answer = await this.ports.cache.getExact(exactCacheKey(keyInput));
      if (answer) {
        counter?.lookup('hit', 'exact');
        return { status: 'hit', kind: 'exact', reason: 'same normalised messages and parameters', answer, storable: false, similarity: 1 };
      }
    }
    if (route.cache.semantic) {
      const { partition, text } = semanticSplit(keyInput);
      const hit = await this.ports.cache.getSemantic(partition, text, route.cache.semanticThreshold);
      if (hit) {
        counter?.lookup('hit', 'semantic');
        return { status: 'hit', kind: 'semantic', reason: `similar request (cosine ${hit.similarity.toFixed(3)} ≥ ${route.cache.semanticThreshold})`, answer: hit.answer, similarity: hit.similarity, storable: false };
      }
    }
    counter?.lookup('miss', '');
    return { status: 'miss', reason: 'no cached answer', storable: true };
  }

  private uncacheable(state: RoutingState, route: CacheScope, noCache: boolean, params: GenerationParameters): string | undefined {
    if (!state.config.cache.enabled) return 'the cache is not enabled';
    if (noCache) return 'the request opted out';
    // No temperature means the provider default (1 for most): not reproducible either.
    const deterministic = params.temperature === 0;
    if (!deterministic && !route.cache.allowNondeterministic) {
      return `temperature ${params.temperature ?? 'unset (provider default)'} is not deterministic and route "${route.name}" does not allow caching it`;
    }
    return undefined;
  }

  private keyInput(tenant: string, route: CacheScope, variant: string, prompt: string, messages: RouteInput['messages'], params: GenerationParameters): CacheKeyInput {
    return { tenant, route: route.name, variant, prompt, messages, params: Object.assign({}, params, { stop: params.stop ?? [] }) };
  }
}

function describe(features: RequestFeatures): string {
  return [`~${features.estimatedTokens} tokens`, features.complexity, features.code ? 'code' : '', features.math ? 'math' : '', features.domain ?? ''].filter(Boolean).join(', ');
}
