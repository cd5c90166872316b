import { Module, type DynamicModule } from '@nestjs/common';
import { loadPlatformConfig } from '@llmops/config';
import type { ServiceRuntime } from '@llmops/runtime';
import { GuardrailsGrpcController } from './grpc/guardrails.grpc.controller';
import { GUARDRAIL_EVENTS } from './grpc/guardrails.tokens';
import { GuardrailPolicyBook } from './policy/guardrail-policy.book';
import { RedactionVault } from './redaction/redaction-vault';
import { ModerationClient } from './slow-tier/moderation.client';
import { SlowTierCoordinator } from './slow-tier/slow-tier.coordinator';

/** How long, and for how many requests, reversible redactions and slow-tier results are kept (in memory only). */
const VAULT_TTL_MS = 10 * 60_000;
const VAULT_MAX_ENTRIES = 50_000;

@Module({})
export class GuardrailsModule {
  static forRoot(runtime: Pick<ServiceRuntime, 'events'>, env: Readonly<Record<string, string | undefined>> = process.env): DynamicModule {
    const platform = loadPlatformConfig({ env });
    const policies = new GuardrailPolicyBook(platform.guardrails);
    const moderators = new Map<string, ModerationClient>();
    for (const policy of policies.all()) {
      const tier = policy.slowTier;
      if (!tier) continue;
      const apiKey = tier.apiKeyEnv ? env[tier.apiKeyEnv] : undefined;
      moderators.set(policy.name, new ModerationClient({ baseUrl: tier.baseUrl, model: tier.model, timeoutMs: tier.timeoutMs, ...(apiKey ? { apiKey } : {}) }));
    }
    return {
      module: GuardrailsModule,
      controllers: [GuardrailsGrpcController],
      providers: [
        { provide: GuardrailPolicyBook, useValue: policies },
        { provide: RedactionVault, useValue: new RedactionVault({ ttlMs: VAULT_TTL_MS, maxEntries: VAULT_MAX_ENTRIES }) },
        { provide: SlowTierCoordinator, useValue: new SlowTierCoordinator(moderators, { ttlMs: VAULT_TTL_MS, maxEntries: VAULT_MAX_ENTRIES }) },
        { provide: GUARDRAIL_EVENTS, useValue: runtime.events },
      ],
    };
  }
}
