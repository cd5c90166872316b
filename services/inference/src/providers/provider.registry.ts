import type { ProviderConfig } from '@llmops/config';
import { AnthropicProvider } from './anthropic.provider';
import type { ChatProvider } from './chat-provider';
import { ExtractiveAnswererProvider } from './extractive-answerer.provider';
import { LocalEmbeddingProvider } from './local-embedding.provider';
import { LocalProvider } from './local.provider';
import { OpenAiCompatibleProvider } from './openai-compatible.provider';
import { TokenCounter } from './token-counter';

/**
 * One ChatProvider per provider of llmops.yaml. API keys come from the environment only; each
 * vendor's departures from its API (quirks) come from the provider's config, never from branches.
 */
export function buildProviderRegistry(
  providers: readonly ProviderConfig[],
  env: Readonly<Record<string, string | undefined>>,
  tokenCounter: TokenCounter = new TokenCounter(),
  /** Where the local provider finds all-MiniLM-L6-v2 (absolute); unset: it serves chat only. */
  localEmbeddingModelDir?: string,
): Map<string, ChatProvider> {
  const registry = new Map<string, ChatProvider>();
  for (const provider of providers) {
    const apiKey = provider.apiKeyEnv ? (env[provider.apiKeyEnv] ?? '') : '';
    // A provider whose key is not set would fail every call (slowly, when the network is down):
    // leaving it out lets a chain skip its models at once. ProviderHealth reports it unconfigured.
    if (provider.apiKeyEnv && !apiKey) continue;
    const common = {
      providerId: provider.id,
      apiKey,
      timeoutMs: provider.resilience.attemptTimeoutMs,
      headers: provider.quirks.headers,
      ...(provider.quirks.defaultMaxTokens !== undefined ? { defaultMaxTokens: provider.quirks.defaultMaxTokens } : {}),
      tokenCounter,
    };
    switch (provider.kind) {
      case 'local':
        registry.set(
          provider.id,
          localEmbeddingModelDir === undefined
            ? new ExtractiveAnswererProvider()
            : new LocalProvider(new ExtractiveAnswererProvider(), new LocalEmbeddingProvider({ modelDir: localEmbeddingModelDir, tokenCounter })),
        );
        break;
      case 'openai-compatible':
        registry.set(
          provider.id,
          new OpenAiCompatibleProvider({
            ...common,
            baseURL: provider.baseUrl ?? '',
            maxTokensField: provider.quirks.maxTokensField,
            streamUsage: provider.quirks.streamUsage,
          }),
        );
        break;
      case 'anthropic':
        registry.set(provider.id, new AnthropicProvider({ ...common, ...(provider.baseUrl ? { baseURL: provider.baseUrl } : {}) }));
        break;
    }
  }
  return registry;
}
