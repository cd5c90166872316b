import type { PlatformConfig } from '@llmops/config';

export interface CatalogEntry {
  id: string;
  provider: string;
  contextWindow: number;
  isRoute: boolean;
}

/** What a caller may put in `model`: every configured model and every route name. */
export class ModelCatalog {
  constructor(private readonly platform: PlatformConfig) {}

  list(): CatalogEntry[] {
    return [
      ...this.platform.models.map((model) => ({ id: model.id, provider: model.provider, contextWindow: model.contextWindow, isRoute: false })),
      ...this.platform.routes.map((route) => ({ id: route.name, provider: '', contextWindow: 0, isRoute: true })),
    ];
  }
}
