import { createHash } from 'node:crypto';

export interface CacheKeyInput {
  tenant: string;
  route: string;
  /** The experiment arm and prompt version: arms must not serve each other's answers. */
  variant: string;
  prompt: string;
  messages: ReadonlyArray<{ role: string; content: string; name?: string }>;
  params: { temperature?: number | undefined; topP?: number | undefined; maxTokens?: number | undefined; stop?: readonly string[]; format?: string };
}

/** Whitespace runs collapse and ends are trimmed: `Hi  there\n` and `Hi there` are one question. */
export function normalizeText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The exact-cache key: sha256 over tenant, route, variant, prompt, normalised messages and the
 * generation parameters. The tenant is part of the key, so one tenant never sees another's answer.
 */
export function exactCacheKey(input: CacheKeyInput): string {
  let text = partitionOf(input);
  for (const message of input.messages) text += `\u0001${message.role}\u0002${message.name ?? ''}\u0002${normalizeText(message.content)}`;
  return createHash('sha256').update(text).digest('base64url');
}

/** Everything but the message text: a semantic match must agree on all of it. */
export function partitionOf(input: Omit<CacheKeyInput, 'messages'>): string {
  const { temperature, topP, maxTokens, stop, format } = input.params;
  return JSON.stringify([input.tenant, input.route, input.variant, input.prompt, temperature ?? null, topP ?? null, maxTokens ?? null, [...(stop ?? [])], format ?? '']);
}

/**
 * How a semantic match splits a conversation: the last user message is compared by meaning;
 * everything before it (system prompt, earlier turns) must be the same, so it joins the
 * partition. Shared context left in the vector would make every request of a route look alike.
 */
export function semanticSplit(input: CacheKeyInput): { partition: string; text: string } {
  const messages = input.messages;
  let last = messages.length - 1;
  while (last >= 0 && messages[last]!.role !== 'user') last--;
  const context = createHash('sha256');
  context.update(partitionOf(input));
  messages.forEach((message, index) => {
    if (index !== last) context.update(`\u0001${message.role}\u0002${message.name ?? ''}\u0002${normalizeText(message.content)}`);
  });
  return { partition: context.digest('base64url'), text: last >= 0 ? normalizeText(messages[last]!.content) : '' };
}
