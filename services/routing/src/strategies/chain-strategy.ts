import type { RoutingStrategy } from '@llmops/config';
import type { ModelCatalog } from '../catalog/model-catalog';
import type { LatencyTracker } from './latency-tracker';

export interface StrategyInput {
  strategy: RoutingStrategy;
  /** Candidates in configured order, already filtered to those that can serve. */
  chain: readonly string[];
  weights: Readonly<Record<string, number>>;
  inputTokens: number;
  outputTokens: number;
}

export interface OrderedChain {
  chain: string[];
  /** How the strategy ordered it, for the trace. */
  explanation: string;
}

/** Orders a route's models by its strategy. The first model serves; the rest are fallbacks. */
export class ChainStrategy {
  constructor(
    private catalog: ModelCatalog,
    private readonly latency: LatencyTracker,
    /** Uniform in [0, 1); injected so tests can pin choices. */
    private readonly random: () => number = Math.random,
  ) {}

  /** After a reload: prices come from the new catalog, learned latencies stay. */
  useCatalog(catalog: ModelCatalog): void {
    this.catalog = catalog;
  }

  order(input: StrategyInput): OrderedChain {
    const chain = [...input.chain];
    if (chain.length <= 1) return { chain, explanation: chain.length === 1 ? `uses ${chain[0]}` : 'no model' };
    switch (input.strategy) {
      case 'ordered':
        return { chain, explanation: `tries ${chain.join(' → ')} in order` };
      case 'weighted':
        return this.weighted(chain, input.weights);
      case 'lowest-latency':
        return this.lowestLatency(chain);
      case 'lowest-cost':
        return this.lowestCost(chain, input.inputTokens, input.outputTokens);
    }
  }

  private weighted(chain: string[], weights: Readonly<Record<string, number>>): OrderedChain {
    const total = chain.reduce((sum, id) => sum + (weights[id] ?? 1), 0);
    let pick = this.random() * total;
    let chosen = chain[chain.length - 1]!;
    for (const id of chain) {
      pick -= weights[id] ?? 1;
      if (pick < 0 && (weights[id] ?? 1) > 0) {
        chosen = id;
        break;
      }
    }
    const rest = chain.filter((id) => id !== chosen);
    return { chain: [chosen, ...rest], explanation: `weighted pick ${chosen} (weight ${weights[chosen] ?? 1} of ${total}), then ${rest.join(' → ')}` };
  }

  /** Power of two choices: two random candidates, the faster serves; the rest by latency. */
  private lowestLatency(chain: string[]): OrderedChain {
    const first = Math.floor(this.random() * chain.length);
    let second = Math.floor(this.random() * (chain.length - 1));
    if (second >= first) second++;
    const a = chain[first]!;
    const b = chain[second]!;
    const chosen = this.latency.latencyOf(a) <= this.latency.latencyOf(b) ? a : b;
    const rest = chain.filter((id) => id !== chosen).sort((x, y) => this.latency.latencyOf(x) - this.latency.latencyOf(y));
    const show = (id: string) => (this.latency.known(id) ? `${id} ${this.latency.latencyOf(id).toFixed(0)} ms` : `${id} unmeasured`);
    return { chain: [chosen, ...rest], explanation: `lowest latency of two choices (${show(a)}, ${show(b)}) picks ${chosen}, then ${rest.join(' → ')}` };
  }

  private lowestCost(chain: string[], inputTokens: number, outputTokens: number): OrderedChain {
    const cost = new Map(chain.map((id) => [id, this.catalog.costUsd(id, inputTokens, outputTokens)]));
    // Stable sort: equal prices keep the configured order.
    const sorted = [...chain].sort((x, y) => cost.get(x)! - cost.get(y)!);
    return { chain: sorted, explanation: `cheapest first by estimated cost (${sorted.map((id) => `${id} $${cost.get(id)!.toFixed(6)}`).join(', ')})` };
  }
}
