import { guardrailPolicyFor, resolveGuardrailPolicies, type EffectiveGuardrailPolicy, type GuardrailsConfig } from '@llmops/config';
import { createSharedDetectors, GuardrailEngine } from '../checks/guardrail.engine';

/**
 * Every policy of llmops.yaml with its engine, built once at start-up (so a bad policy fails the
 * boot, not a request), and the choice of policy for a tenant and route.
 */
export class GuardrailPolicyBook {
  private readonly policies: EffectiveGuardrailPolicy[];
  private readonly engines = new Map<string, GuardrailEngine>();

  constructor(private readonly config: GuardrailsConfig) {
    this.policies = resolveGuardrailPolicies(config);
    const shared = createSharedDetectors();
    for (const policy of this.policies) {
      try {
        this.engines.set(policy.name, new GuardrailEngine(policy, shared));
      } catch (error) {
        throw new Error(`guardrails policy "${policy.name}": ${(error as Error).message}`);
      }
    }
  }

  /** Every resolved policy (for wiring what some of them need, such as the slow tier). */
  all(): readonly EffectiveGuardrailPolicy[] {
    return this.policies;
  }

  engineFor(tenantId: string, route: string): GuardrailEngine {
    return this.engines.get(guardrailPolicyFor(this.policies, this.config, tenantId, route).name)!;
  }
}
