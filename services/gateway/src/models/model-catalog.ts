import { AUTO_ROUTE_NAME, type PlatformConfig } from '@llmops/config';
import type { CatalogResponse, Routing } from '@llmops/contracts';
import type { GrpcClient } from '@llmops/grpc';

export interface CatalogEntry {
  id: string;
  provider: string;
  contextWindow: number;
  isRoute: boolean;
  /** Models: healthy | degraded | down as routing sees them; '' for routes and when routing is unreachable. */
  health: string;
}

/** What a name in a request's `model` is, as far as the gateway must know before routing. */
export interface ModelDescription {
  /** A route name or "auto": routing picks the model. */
  isRoute: boolean;
  /** A model with the `embeddings` capability: it serves /v1/embeddings and nothing else. */
  embeddings: boolean;
}

/** How long listing waits for routing before it answers from the gateway's own copy of llmops.yaml. */
const CATALOG_TIMEOUT_MS = 1_000;
/** How old the copy `describe` reads may get before it is refreshed from routing (in the background). */
const DESCRIBE_REFRESH_MS = 5_000;

interface Snapshot {
  models: Map<string, ModelDescription>;
  embeddingModels: string[];
  takenAt: number;
}

/**
 * What a caller may put in `model`: every configured model, every route name, and "auto".
 * Routing owns the catalog (it reloads llmops.yaml and knows live health), so the list comes
 * from its `Catalog`; when routing cannot answer, from the configuration the gateway started with.
 */
export class ModelCatalog {
  private snapshot: Snapshot;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly routing: Pick<GrpcClient<typeof Routing>, 'catalog'>,
    private readonly platform: PlatformConfig,
    private readonly now: () => number = Date.now,
  ) {
    // Until routing first answers, llmops.yaml as the gateway read it; marked old so the first look-up refreshes it.
    this.snapshot = this.snapshotOf(
      platform.models.map((model) => ({ id: model.id, capabilities: model.capabilities })),
      [...platform.routes.map((route) => route.name), AUTO_ROUTE_NAME],
      Number.NEGATIVE_INFINITY,
    );
  }

  async list(): Promise<CatalogEntry[]> {
    const catalog = await this.fetch();
    const models = catalog
      ? catalog.models.map((model) => ({ id: model.id, provider: model.provider, contextWindow: model.contextWindow, health: model.health }))
      : this.platform.models.map((model) => ({ id: model.id, provider: model.provider, contextWindow: model.contextWindow, health: '' }));
    const routes = catalog ? catalog.routes.map((route) => route.name) : this.platform.routes.map((route) => route.name);
    return [
      ...models.map((model) => ({ ...model, isRoute: false })),
      ...[...routes, AUTO_ROUTE_NAME].map((name) => ({ id: name, provider: '', contextWindow: 0, isRoute: true, health: '' })),
    ];
  }

  /**
   * What `name` is, from a copy of routing's catalog at most a few seconds old (refreshed in the
   * background, so a look-up never waits on a hop); undefined when the name is unknown, which
   * routing then reports with the full list.
   */
  describe(name: string): ModelDescription | undefined {
    if (this.now() - this.snapshot.takenAt > DESCRIBE_REFRESH_MS && !this.refreshing) {
      this.refreshing = this.fetch().finally(() => (this.refreshing = undefined)).then(() => undefined);
    }
    return this.snapshot.models.get(name.trim() === '' ? AUTO_ROUTE_NAME : name.trim());
  }

  /** The ids of the embedding models, for error messages. */
  embeddingModels(): string[] {
    return this.snapshot.embeddingModels;
  }

  /** Waits for a refresh already under way (tests, and start-up). */
  async settled(): Promise<void> {
    await this.refreshing;
  }

  private async fetch(): Promise<CatalogResponse | undefined> {
    const catalog = await this.routing.catalog({}, { timeoutMs: CATALOG_TIMEOUT_MS }).catch(() => undefined);
    if (catalog) this.snapshot = this.snapshotOf(catalog.models, [...catalog.routes.map((route) => route.name), AUTO_ROUTE_NAME], this.now());
    return catalog;
  }

  private snapshotOf(models: ReadonlyArray<{ id: string; capabilities: readonly string[] }>, routes: readonly string[], takenAt: number): Snapshot {
    const described = new Map<string, ModelDescription>(routes.map((name) => [name, { isRoute: true, embeddings: false }]));
    for (const model of models) described.set(model.id, { isRoute: false, embeddings: model.capabilities.includes('embeddings') });
    return { models: described, embeddingModels: models.filter((model) => model.capabilities.includes('embeddings')).map((model) => model.id), takenAt };
  }
}
