import { AUTO_ROUTE_NAME, type PlatformConfig } from '@llmops/config';
import type { Routing } from '@llmops/contracts';
import type { GrpcClient } from '@llmops/grpc';

export interface CatalogEntry {
  id: string;
  provider: string;
  contextWindow: number;
  isRoute: boolean;
  /** Models: healthy | degraded | down as routing sees them; '' for routes and when routing is unreachable. */
  health: string;
}

/** How long listing waits for routing before it answers from the gateway's own copy of llmops.yaml. */
const CATALOG_TIMEOUT_MS = 1_000;

/**
 * What a caller may put in `model`: every configured model, every route name, and "auto".
 * Routing owns the catalog (it reloads llmops.yaml and knows live health), so the list comes
 * from its `Catalog`; when routing cannot answer, from the configuration the gateway started with.
 */
export class ModelCatalog {
  constructor(
    private readonly routing: Pick<GrpcClient<typeof Routing>, 'catalog'>,
    private readonly platform: PlatformConfig,
  ) {}

  async list(): Promise<CatalogEntry[]> {
    const catalog = await this.routing.catalog({}, { timeoutMs: CATALOG_TIMEOUT_MS }).catch(() => undefined);
    const models = catalog
      ? catalog.models.map((model) => ({ id: model.id, provider: model.provider, contextWindow: model.contextWindow, health: model.health }))
      : this.platform.models.map((model) => ({ id: model.id, provider: model.provider, contextWindow: model.contextWindow, health: '' }));
    const routes = catalog ? catalog.routes.map((route) => route.name) : this.platform.routes.map((route) => route.name);
    return [
      ...models.map((model) => ({ ...model, isRoute: false })),
      ...[...routes, AUTO_ROUTE_NAME].map((name) => ({ id: name, provider: '', contextWindow: 0, isRoute: true, health: '' })),
    ];
  }
}
