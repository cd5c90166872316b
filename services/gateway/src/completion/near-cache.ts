import { toBinary } from '@bufbuild/protobuf';
import { CompleteRequestSchema, type CompleteRequest, type RequestContext, type RouteDecision } from '@llmops/contracts';
import { createHash } from 'node:crypto';

interface Entry {
  decision: RouteDecision;
  expiresAt: number;
}

/**
 * Hits routing has just served, kept for the few seconds routing allows (`reuse_ms`, ADR 0006),
 * so the very same request from the very same caller is answered without a hop. Routing still
 * owns the cache: it decides what is cached and for how long, and says no (0) wherever a rate
 * limit must count the request or an experiment chose the answer. Only requests whose input
 * check passed untouched are kept, so the same bytes would pass it again.
 */
export class NearCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): RouteDecision | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.decision;
  }

  put(key: string, decision: RouteDecision): void {
    const reuseMs = decision.cache?.reuseMs ?? 0;
    if (decision.cache?.status !== 'hit' || reuseMs <= 0) return;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { decision, expiresAt: this.now() + reuseMs });
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The same caller (tenant, project, key, user, tags) sending the same request bytes. */
export function nearCacheKey(context: RequestContext, request: CompleteRequest): string {
  return createHash('sha256')
    .update([context.tenantId, context.projectId, context.apiKeyId, context.userId].join('\u0000'))
    .update('\u0000')
    .update(toBinary(CompleteRequestSchema, request))
    .digest('base64');
}
