import { DEFAULT_ROUTE_NAME, type PlatformConfig, type RouteConfig } from '@llmops/config';
import { ModelCatalog } from '../catalog/model-catalog';
import { ExperimentAssigner } from '../experiments/experiment-assigner';
import { RoutingRules } from '../rules/routing-rules';

/**
 * Everything routing derives from one version of llmops.yaml. Built whole and swapped in one
 * assignment on reload, so a request sees either the old or the new configuration, never a mix.
 */
export class RoutingState {
  readonly catalog: ModelCatalog;
  readonly routes: ReadonlyMap<string, RouteConfig>;
  readonly rules: RoutingRules;
  readonly experiments: ExperimentAssigner;

  constructor(readonly config: Pick<PlatformConfig, 'models' | 'routes' | 'routingRules' | 'experiments' | 'cache' | 'budgets'>) {
    this.catalog = new ModelCatalog(config.models);
    this.routes = new Map(config.routes.map((route) => [route.name, route]));
    this.rules = new RoutingRules(config.routingRules);
    this.experiments = new ExperimentAssigner(config.experiments);
    // The config parser already guarantees these; checked again because a state built from a
    // hand-made object would otherwise fail only on the first unlucky request.
    if (!this.routes.has(DEFAULT_ROUTE_NAME)) throw new Error(`routing needs a route named "${DEFAULT_ROUTE_NAME}"`);
    for (const route of this.routes.values()) {
      for (const id of route.chain) if (!this.catalog.get(id)) throw new Error(`route "${route.name}" names unknown model "${id}"`);
    }
  }

  get defaultRoute(): RouteConfig {
    return this.routes.get(DEFAULT_ROUTE_NAME)!;
  }
}
