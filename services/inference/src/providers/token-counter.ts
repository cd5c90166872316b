import { getEncoding, getEncodingNameForModel, Tiktoken, TiktokenEncoding, TiktokenModel } from 'js-tiktoken';
import { ChatMessage, ChatRequest, ChatUsage, ToolCall } from './chat-provider';
import { withRetrievedContext } from './retrieved-context';

/** Models of the gpt-4o generation and later use o200k_base; js-tiktoken's table lags new names. */
const O200K_PREFIXES = ['gpt-4o', 'gpt-4.1', 'gpt-4.5', 'gpt-5', 'o1', 'o3', 'o4', 'chatgpt-4o'];

/**
 * Counts tokens with OpenAI's BPE tables, which ship inside js-tiktoken (no download at run
 * time). Open models (Llama, Mistral...) have their own tokenizers; cl100k_base is the
 * documented approximation for them, and such counts are marked estimated by the caller.
 */
// Building an encoding parses its whole rank table (~0.5 s), so each is built once per process.
const encodings = new Map<TiktokenEncoding, Tiktoken>();

export class TokenCounter {
  encodingNameFor(model: string): TiktokenEncoding {
    try {
      return getEncodingNameForModel(model as TiktokenModel);
    } catch {
      const name = model.toLowerCase().replace(/^.*\//, '');
      return O200K_PREFIXES.some((p) => name.startsWith(p)) ? 'o200k_base' : 'cl100k_base';
    }
  }

  /** Builds the encodings up front (at boot), so the first count on a request path is not slow. */
  preload(names: TiktokenEncoding[] = ['cl100k_base', 'o200k_base']): void {
    for (const name of names) this.encoding(name);
  }

  countText(text: string, model: string): number {
    return text.length === 0 ? 0 : this.encoding(this.encodingNameFor(model)).encode(text, 'all').length;
  }

  /**
   * Prompt tokens as OpenAI counts chat input: 3 framing tokens per message, the role, the
   * content, 1 more with a name, and 3 that prime the reply.
   */
  countMessages(messages: ChatMessage[], model: string): number {
    let total = 3;
    for (const m of messages) {
      total += 3 + this.countText(m.role, model) + this.countText(m.content, model);
      if (m.name) total += 1 + this.countText(m.name, model);
    }
    return total;
  }

  /**
   * Usage of a call whose provider reported none (or whose stream broke before it did): the
   * prompt as sent (with the retrieved passages) and what came back, marked estimated.
   */
  estimateUsage(req: ChatRequest, text: string, toolCalls: readonly ToolCall[]): ChatUsage {
    return {
      inputTokens: this.countMessages(withRetrievedContext(req.messages, req.passages), req.model),
      outputTokens: this.countText(text, req.model) + toolCalls.reduce((sum, call) => sum + this.countText(call.name + call.argumentsJson, req.model), 0),
      cachedInputTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    };
  }

  /** The first `maxTokens` tokens of a text, decoded back to text. */
  truncate(text: string, maxTokens: number, model: string): string {
    const enc = this.encoding(this.encodingNameFor(model));
    const tokens = enc.encode(text, 'all');
    return tokens.length <= maxTokens ? text : enc.decode(tokens.slice(0, maxTokens));
  }

  private encoding(name: TiktokenEncoding): Tiktoken {
    let enc = encodings.get(name);
    if (!enc) {
      enc = getEncoding(name);
      encodings.set(name, enc);
    }
    return enc;
  }
}
