import type { ChatMessage, ChatPassage } from './chat-provider';

/**
 * Retrieved passages as a model that reads prompts sees them: one system message, after the
 * caller's own system messages, numbering each passage so the answer can cite it as [n].
 */
export function withRetrievedContext(messages: readonly ChatMessage[], passages: readonly ChatPassage[] | undefined): ChatMessage[] {
  // No conversation, nothing to answer: let the provider refuse the request as it is.
  if (!passages || passages.length === 0 || messages.length === 0) return [...messages];
  const context = [
    'Answer from the numbered passages below and cite the ones you use as [n].',
    'If they do not contain the answer, say that you do not know.',
    '',
    ...passages.map((passage) => `[${passage.index}] ${passage.source}${passage.section ? ` › ${passage.section}` : ''}\n${passage.text}`),
  ].join('\n');
  const firstNonSystem = messages.findIndex((message) => message.role !== 'system');
  const at = firstNonSystem === -1 ? messages.length : firstNonSystem;
  return [...messages.slice(0, at), { role: 'system', content: context }, ...messages.slice(at)];
}
