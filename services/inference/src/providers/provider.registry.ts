import type { ProviderConfig } from '@llmops/config';
import type { ChatProvider } from './chat-provider';
import { ExtractiveAnswererProvider } from './extractive-answerer.provider';
import { OpenAiCompatibleProvider } from './openai-compatible.provider';

/** One ChatProvider per provider of llmops.yaml. API keys come from the environment only. */
export function buildProviderRegistry(
  providers: readonly ProviderConfig[],
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
): Map<string, ChatProvider> {
  const registry = new Map<string, ChatProvider>();
  for (const provider of providers) {
    switch (provider.kind) {
      case 'local':
        registry.set(provider.id, new ExtractiveAnswererProvider());
        break;
      case 'openai-compatible':
        registry.set(
          provider.id,
          new OpenAiCompatibleProvider({
            providerId: provider.id,
            baseURL: provider.baseUrl ?? '',
            apiKey: provider.apiKeyEnv ? (env[provider.apiKeyEnv] ?? '') : '',
            timeoutMs,
          }),
        );
        break;
    }
  }
  return registry;
}
