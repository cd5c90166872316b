import { Counter } from 'prom-client';
import type { CacheLookupCounter } from './routing.engine';

const cacheLookups = new Counter({
  name: 'llmops_routing_cache_lookups_total',
  help: 'Response-cache lookups by status (hit, miss, bypass) and kind (exact, semantic); hit rate = hit / (hit + miss)',
  labelNames: ['status', 'kind'] as const,
});

export const prometheusCacheCounter: CacheLookupCounter = {
  lookup: (status, kind) => cacheLookups.inc({ status, kind }),
};
