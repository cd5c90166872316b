import { setImmediate as nextTick } from 'node:timers/promises';
import { ChatPassage, ChatProvider, ChatRequest, ChatResult, ChatStreamEvent } from './chat-provider';
import { abortError, ProviderError, ProviderErrorCode } from './provider-error';
import { TokenCounter } from './token-counter';

export const NOT_FOUND_ANSWER = 'I could not find this in the provided documents.';
export const NO_CONTEXT_ANSWER =
  `${NOT_FOUND_ANSWER} I am an extractive answerer: I answer only by quoting passages retrieved ` +
  'for the question, and none were provided.';

export interface ExtractiveAnswererOptions {
  /** Most sentences quoted in one answer. Default 3. */
  maxSentences?: number;
  /** A sentence scoring below this share of the best one is left out. Default 0.35. */
  minRelativeScore?: number;
  /** Words per streamed delta. Default 4. */
  wordsPerDelta?: number;
  tokenCounter?: TokenCounter;
}

interface Sentence {
  passage: ChatPassage;
  order: number;
  text: string;
  terms: string[];
}

const K1 = 1.2;
const B = 0.75;

// Function words and question words: they say how something is asked, not what about.
const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both ' +
    'but by can could did do does doing down during each few for from further had has have having he her here hers ' +
    'him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ' +
    'ours out over own same she should so some such than that the their theirs them then there these they this those ' +
    'through to too under until up very was we were what when where which while who whom why will with would you your ' +
    'yours please tell explain describe give know want need use used using get got also may might must shall let ' +
    'us s t don doesn isn aren wasn weren won'
  ).split(' '),
);

/**
 * The built-in local model: it needs no network and no weights. It answers by quoting the
 * sentences of the retrieved passages that best match the question (BM25 over sentences, idf
 * across passages) and cites them with their [n] markers; with nothing relevant it says so.
 * Deterministic: the same request always yields the same answer. With `response_format`
 * `json_object` the answer is a JSON object (`answer`, and `quotes` with their citations); a JSON
 * schema it cannot follow, so `json_schema` is refused as a bad request rather than answered in
 * a shape the caller did not ask for.
 *
 * Usage is counted with cl100k_base and reported with estimated=false: that tokenizer is this
 * model's own, so the count is exact for it, not a guess about someone else's.
 */
export class ExtractiveAnswererProvider implements ChatProvider {
  private readonly maxSentences: number;
  private readonly minRelativeScore: number;
  private readonly wordsPerDelta: number;
  private readonly tokens: TokenCounter;

  constructor(options: ExtractiveAnswererOptions = {}) {
    this.maxSentences = options.maxSentences ?? 3;
    this.minRelativeScore = options.minRelativeScore ?? 0.35;
    this.wordsPerDelta = Math.max(1, options.wordsPerDelta ?? 4);
    this.tokens = options.tokenCounter ?? new TokenCounter();
  }

  async generate(req: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    if (signal.aborted) throw abortError(signal);
    return this.answer(req);
  }

  async *generateStream(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatStreamEvent> {
    const result = this.answer(req);
    let sent = '';
    for (const group of wordGroups(result.content, this.wordsPerDelta)) {
      // Yield to the event loop so a cancellation can land between deltas.
      await nextTick();
      if (signal.aborted) {
        throw abortError(signal, { text: sent, usage: this.usageFor(req, sent) });
      }
      sent += group;
      yield { type: 'delta', text: group };
    }
    yield { type: 'done', result };
  }

  /** The whole answer for a request, computed synchronously. */
  answer(req: ChatRequest): ChatResult {
    if (req.responseFormat?.type === 'json_schema') {
      throw new ProviderError(
        ProviderErrorCode.BAD_REQUEST,
        'The extractive answerer cannot follow a JSON schema (it only quotes passages): ask for response_format json_object, or use a model with the json capability.',
        { status: 400 },
      );
    }
    const quotes = this.quotes(req);
    let content = req.responseFormat?.type === 'json_object' ? asJson(quotes) : asText(quotes);
    let finishReason = 'stop';
    for (const stop of req.stop ?? []) {
      const at = stop ? content.indexOf(stop) : -1;
      if (at >= 0) content = content.slice(0, at);
    }
    if (req.maxTokens !== undefined && this.tokens.countText(content, req.model) > req.maxTokens) {
      content = this.tokens.truncate(content, req.maxTokens, req.model);
      finishReason = 'length';
    }
    return { content, finishReason, responseModel: req.model, usage: this.usageFor(req, content), toolCalls: [] };
  }

  /** The sentences the answer quotes, or the answer that says why there are none. */
  private quotes(req: ChatRequest): Sentence[] | string {
    const passages = [...(req.passages ?? [])].sort((a, b) => a.index - b.index);
    if (passages.length === 0) return NO_CONTEXT_ANSWER;
    const question = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const queryTerms = [...new Set(terms(question))];
    if (queryTerms.length === 0) return NOT_FOUND_ANSWER;

    // Overlapping chunks repeat sentences: each is quoted once, cited by the best-ranked passage.
    const seen = new Set<string>();
    const sentences = passages.flatMap((passage) =>
      splitSentences(passage.text).flatMap((text, i) => {
        const key = text.toLowerCase().replace(/\s+/g, ' ');
        if (seen.has(key)) return [];
        seen.add(key);
        return [{ passage, order: i, text, terms: terms(text) }];
      }),
    );
    const chosen = this.bestSentences(queryTerms, passages, sentences);
    return chosen.length === 0 ? NOT_FOUND_ANSWER : chosen;
  }

  private bestSentences(queryTerms: string[], passages: ChatPassage[], sentences: Sentence[]): Sentence[] {
    if (sentences.length === 0) return [];
    const passageTerms = passages.map((p) => new Set(terms(p.text)));
    const idf = new Map<string, number>();
    for (const term of queryTerms) {
      const df = passageTerms.filter((set) => set.has(term)).length;
      idf.set(term, Math.log(1 + (passages.length - df + 0.5) / (df + 0.5)));
    }
    const avgLength = sentences.reduce((sum, s) => sum + s.terms.length, 0) / sentences.length || 1;

    const scored = sentences
      .map((sentence, position) => {
        let score = 0;
        for (const term of queryTerms) {
          const tf = sentence.terms.filter((t) => t === term).length;
          if (tf === 0) continue;
          const norm = tf + K1 * (1 - B + (B * sentence.terms.length) / avgLength);
          score += idf.get(term)! * ((tf * (K1 + 1)) / norm);
        }
        return { sentence, position, score };
      })
      .filter((s) => s.score > 0);
    if (scored.length === 0) return [];

    // Best first; ties go to the earlier sentence so the choice is deterministic.
    scored.sort((a, b) => b.score - a.score || a.position - b.position);
    const best = scored[0]!.score;
    return scored
      .slice(0, this.maxSentences)
      .filter((s) => s.score >= best * this.minRelativeScore)
      .sort((a, b) => a.position - b.position)
      .map((s) => s.sentence);
  }

  private usageFor(req: ChatRequest, content: string) {
    const contextTokens = (req.passages ?? []).reduce((sum, p) => sum + this.tokens.countText(p.text, req.model), 0);
    return {
      inputTokens: this.tokens.countMessages(req.messages, req.model) + contextTokens,
      outputTokens: this.tokens.countText(content, req.model),
      cachedInputTokens: 0,
      reasoningTokens: 0,
      estimated: false,
    };
  }
}

function asText(quotes: Sentence[] | string): string {
  if (typeof quotes === 'string') return quotes;
  return `From the provided documents: ${quotes.map((s) => `"${s.text}" [${s.passage.index}]`).join(' ')}`;
}

/** `answer` as the text answer reads; `quotes` each with the [n] of the passage it comes from. */
function asJson(quotes: Sentence[] | string): string {
  const list = typeof quotes === 'string' ? [] : quotes.map((s) => ({ text: s.text, citation: s.passage.index }));
  return JSON.stringify({ answer: asText(quotes), quotes: list });
}

/** Lower-cased content words with plural endings folded, so "retries" meets "retry". */
export function terms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/.test(w))).map(stem);
}

function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(sses|shes|ches|xes)$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * Sentences of a passage. Markdown wraps paragraphs over several lines, so lines are joined
 * back into paragraphs (blank lines, headings, list items, table rows and code fences end
 * one) before the split at sentence ends. Headings are skipped: the section already names
 * them, and a bare heading quotes nothing.
 */
function splitSentences(text: string): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length > 0) paragraphs.push(current.join(' '));
    current = [];
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#') || line.startsWith('```')) {
      flush();
    } else if (line.startsWith('|')) {
      flush();
      paragraphs.push(line);
    } else if (/^([-*+]|\d+[.)])\s+/.test(line)) {
      flush();
      current.push(line.replace(/^([-*+]|\d+[.)])\s+/, ''));
    } else {
      current.push(line);
    }
  }
  flush();
  return paragraphs
    .flatMap((paragraph) => paragraph.split(/(?<=[.!?])\s+(?=["'(\[`]?[\p{Lu}\p{N}`])/u))
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** Groups of words, each keeping its trailing whitespace, so the deltas join back exactly. */
function wordGroups(text: string, wordsPerGroup: number): string[] {
  const words = text.length === 0 ? [] : text.split(/(?<=\s)(?=\S)/);
  const groups: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerGroup) groups.push(words.slice(i, i + wordsPerGroup).join(''));
  return groups;
}
