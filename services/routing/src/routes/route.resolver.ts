import { DEFAULT_ROUTE_NAME, type ModelConfig, type PlatformConfig, type RouteConfig } from '@llmops/config';
import { RoutingException, RoutingExceptionCode } from './routing.exception';

export interface ModelRef {
  provider: string;
  /** The model id as users name it. */
  model: string;
  /** The pinned provider model version. */
  version: string;
}

export interface RouteDecision {
  /** The route name, or `model:<id>` when the request named a model directly. */
  route: string;
  /** Models to try, in order. */
  chain: ModelRef[];
  /** Why this route, for the trace. */
  reason: string;
  prompt?: string;
  retrieval?: { collection: string };
}

/**
 * Maps what a request asked for (the OpenAI `model` field) to a model chain: a route name gives
 * that route's chain, a model id gives that model alone, nothing gives the default route.
 */
export class RouteResolver {
  private readonly models: ReadonlyMap<string, ModelConfig>;
  private readonly routes: ReadonlyMap<string, RouteConfig>;

  constructor(config: Pick<PlatformConfig, 'models' | 'routes'>) {
    this.models = new Map(config.models.map((model) => [model.id, model]));
    this.routes = new Map(config.routes.map((route) => [route.name, route]));
    // The config loader already guarantees these; checked again because a resolver built from a
    // hand-made object would otherwise fail only on the first unlucky request.
    if (!this.routes.has(DEFAULT_ROUTE_NAME)) throw new Error(`routing needs a route named "${DEFAULT_ROUTE_NAME}"`);
    for (const route of this.routes.values()) {
      for (const id of route.chain) {
        if (!this.models.has(id)) throw new Error(`route "${route.name}" names unknown model "${id}"`);
      }
    }
  }

  resolve(requested: string | undefined): RouteDecision {
    const asked = requested?.trim() ?? '';
    if (asked === '') return this.fromRoute(this.routes.get(DEFAULT_ROUTE_NAME)!, 'the request named no model, so the default route serves it');

    const route = this.routes.get(asked);
    if (route) return this.fromRoute(route, `the request named route "${route.name}"`);

    const model = this.models.get(asked);
    if (model) {
      return {
        route: `model:${model.id}`,
        chain: [this.toRef(model)],
        reason: `the request named model "${model.id}" directly, so it is tried alone, without fallback`,
      };
    }

    const available = this.available();
    throw new RoutingException(
      RoutingExceptionCode.UNKNOWN_MODEL,
      `Unknown model "${asked.slice(0, 100)}". Use a route (${available.routes.join(', ')}) or a model (${available.models.join(', ')}).`,
      { requested: asked.slice(0, 100), ...available },
    );
  }

  /** What a caller may name, e.g. for `/v1/models`. */
  available(): { routes: string[]; models: string[] } {
    return { routes: [...this.routes.keys()], models: [...this.models.keys()] };
  }

  private fromRoute(route: RouteConfig, why: string): RouteDecision {
    const chain = route.chain.map((id) => this.toRef(this.models.get(id)!));
    const order = chain.length > 1 ? `; tries ${route.chain.join(' → ')} in order` : `; uses ${route.chain[0]}`;
    return {
      route: route.name,
      chain,
      reason: why + order,
      ...(route.prompt !== undefined ? { prompt: route.prompt } : {}),
      ...(route.retrieval !== undefined ? { retrieval: { collection: route.retrieval.collection } } : {}),
    };
  }

  private toRef(model: ModelConfig): ModelRef {
    return { provider: model.provider, model: model.id, version: model.version };
  }
}
