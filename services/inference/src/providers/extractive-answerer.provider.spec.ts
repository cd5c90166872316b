import { ChatPassage, ChatRequest } from './chat-provider';
import { ExtractiveAnswererProvider, NO_CONTEXT_ANSWER, NOT_FOUND_ANSWER, terms } from './extractive-answerer.provider';
import { ProviderErrorCode } from './provider-error';
import { TokenCounter } from './token-counter';

const passages: ChatPassage[] = [
  {
    index: 1,
    source: 'docs/kafka.md',
    section: 'Events > Outbox',
    text: '# Outbox\nWhen Kafka is unreachable, events go to a bounded local outbox on disk. They are replayed in order when Kafka returns.',
  },
  {
    index: 2,
    source: 'docs/routing.md',
    section: 'Routing > Fallbacks',
    text: 'A route lists an ordered chain of models. When a model fails with a rate limit or an outage, the next model in the chain is tried. Bad requests are not retried on another model.',
  },
  {
    index: 3,
    source: 'docs/cost.md',
    section: 'Cost > Prices',
    text: 'Prices are configured per million tokens in llmops.yaml. Cached input tokens have their own price.',
  },
];

const ask = (question: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'extractive-answerer-1',
  messages: [
    { role: 'system', content: 'Answer from the documents.' },
    { role: 'user', content: question },
  ],
  passages,
  ...extra,
});

describe('ExtractiveAnswererProvider', () => {
  const model = new ExtractiveAnswererProvider();
  const signal = new AbortController().signal;

  it('quotes the best matching sentences and cites their passages', async () => {
    const result = await model.generate(ask('What happens when the next model in the chain must be tried after a rate limit?'), signal);
    expect(result.content).toMatch(/^From the provided documents: /);
    expect(result.content).toContain(
      '"When a model fails with a rate limit or an outage, the next model in the chain is tried." [2]',
    );
    expect(result.content).not.toContain('[1]');
    expect(result.content).not.toContain('[3]');
    expect(result.finishReason).toBe('stop');
    expect(result.responseModel).toBe('extractive-answerer-1');
  });

  it('cites the outbox passage for a question about Kafka being down', async () => {
    const result = await model.generate(ask('Where do events go when Kafka is unreachable?'), signal);
    expect(result.content).toContain('"When Kafka is unreachable, events go to a bounded local outbox on disk." [1]');
    expect(result.content).not.toContain('[2]');
  });

  it('keeps passage order for sentences from several passages', async () => {
    const result = await model.generate(ask('How are cached tokens priced, and where are events replayed in order?'), signal);
    const first = result.content.indexOf('[1]');
    const third = result.content.indexOf('[3]');
    expect(first).toBeGreaterThan(0);
    expect(third).toBeGreaterThan(first);
  });

  it('says plainly that it found nothing for an unrelated question', async () => {
    const result = await model.generate(ask('Who painted the Mona Lisa?'), signal);
    expect(result.content).toBe(NOT_FOUND_ANSWER);
    const onlyStopWords = await model.generate(ask('What is it that they would have been?'), signal);
    expect(onlyStopWords.content).toBe(NOT_FOUND_ANSWER);
  });

  it('explains that it needs retrieved context when there are no passages', async () => {
    const result = await model.generate(ask('Where do events go when Kafka is unreachable?', { passages: [] }), signal);
    expect(result.content).toBe(NO_CONTEXT_ANSWER);
    expect(result.content.startsWith(NOT_FOUND_ANSWER)).toBe(true);
  });

  it('is deterministic and counts usage with its own tokenizer', async () => {
    const req = ask('Where do events go when Kafka is unreachable?');
    const a = await model.generate(req, signal);
    const b = await model.generate(req, signal);
    expect(b).toEqual(a);
    const counter = new TokenCounter();
    const contextTokens = passages.reduce((sum, p) => sum + counter.countText(p.text, 'cl100k'), 0);
    expect(a.usage).toEqual({
      inputTokens: counter.countMessages(req.messages, 'cl100k') + contextTokens,
      outputTokens: counter.countText(a.content, 'cl100k'),
      cachedInputTokens: 0,
      reasoningTokens: 0,
      estimated: false,
    });
  });

  it('streams word groups that join back into the answer', async () => {
    const req = ask('Where do events go when Kafka is unreachable?');
    const whole = await model.generate(req, signal);
    const deltas: string[] = [];
    let done;
    for await (const event of new ExtractiveAnswererProvider({ wordsPerDelta: 3 }).generateStream(req, signal)) {
      if (event.type === 'delta') deltas.push(event.text);
      else done = event.result;
    }
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.slice(0, -1).every((d) => d.trim().split(/\s+/).length === 3)).toBe(true);
    expect(deltas.join('')).toBe(whole.content);
    expect(done).toEqual(whole);
  });

  it('honours maxTokens and stop sequences', async () => {
    const req = ask('Where do events go when Kafka is unreachable?');
    const short = await model.generate({ ...req, maxTokens: 5 }, signal);
    expect(short.finishReason).toBe('length');
    expect(short.usage.outputTokens).toBe(5);
    const stopped = await model.generate({ ...req, stop: [' [1]'] }, signal);
    expect(stopped.content).toBe('From the provided documents: "When Kafka is unreachable, events go to a bounded local outbox on disk."');
  });

  it('stops streaming with CANCELLED when the caller aborts', async () => {
    const controller = new AbortController();
    const deltas: string[] = [];
    let caught: unknown;
    try {
      for await (const event of model.generateStream(ask('Where do events go when Kafka is unreachable?'), controller.signal)) {
        if (event.type === 'delta') deltas.push(event.text);
        controller.abort();
      }
    } catch (e) {
      caught = e;
    }
    expect(deltas).toHaveLength(1);
    expect(caught).toMatchObject({ code: ProviderErrorCode.CANCELLED, partial: { text: deltas[0] } });
  });

  it('quotes a sentence that overlapping chunks repeat once, citing the better-ranked passage', async () => {
    const overlap = 'When Kafka is unreachable, events go to a bounded local outbox on disk.';
    const result = await model.generate(
      ask('Where do events go when Kafka is unreachable?', {
        passages: [
          { index: 1, source: 'docs/kafka.md', section: 'Events', text: `Events are protobuf records. ${overlap}` },
          { index: 2, source: 'docs/cost.md', section: 'Cost', text: 'Prices are configured per million tokens.' },
          { index: 3, source: 'docs/kafka.md', section: 'Events', text: `${overlap} They are replayed in order when Kafka returns.` },
        ],
      }),
      signal,
    );
    expect(result.content.split(overlap)).toHaveLength(2);
    expect(result.content).toContain(`"${overlap}" [1]`);
  });

  it('answers a json_object request with a JSON object of the answer and its cited quotes', async () => {
    const result = await model.generate(ask('Where do events go when Kafka is unreachable?', { responseFormat: { type: 'json_object' } }), signal);
    const parsed = JSON.parse(result.content) as { answer: string; quotes: Array<{ text: string; citation: number }> };
    expect(parsed.answer).toBe((await model.generate(ask('Where do events go when Kafka is unreachable?'), signal)).content);
    expect(parsed.quotes).toContainEqual({ text: 'When Kafka is unreachable, events go to a bounded local outbox on disk.', citation: 1 });
    expect(parsed.quotes.every((quote) => quote.citation === 1)).toBe(true);

    const nothing = await model.generate(ask('Which colour is the logo?', { responseFormat: { type: 'json_object' } }), signal);
    expect(JSON.parse(nothing.content)).toEqual({ answer: NOT_FOUND_ANSWER, quotes: [] });
    const noContext = await model.generate(ask('Where do events go?', { passages: [], responseFormat: { type: 'json_object' } }), signal);
    expect(JSON.parse(noContext.content)).toEqual({ answer: NO_CONTEXT_ANSWER, quotes: [] });
  });

  it('refuses a json_schema request as a bad request, whole or streamed', async () => {
    const req = ask('Where do events go?', { responseFormat: { type: 'json_schema', name: 'answer', schemaJson: '{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}' } });
    await expect(model.generate(req, signal)).rejects.toMatchObject({ code: ProviderErrorCode.BAD_REQUEST, status: 400, retryable: false, message: expect.stringContaining('json_object') });
    const stream = model.generateStream(req, signal)[Symbol.asyncIterator]();
    await expect(stream.next()).rejects.toMatchObject({ code: ProviderErrorCode.BAD_REQUEST });
  });

  it('folds plurals and drops stop-words when tokenising', () => {
    expect(terms('What are the retries of the Models?')).toEqual(['retry', 'model']);
  });
});

describe('ExtractiveAnswererProvider on hard-wrapped Markdown', () => {
  it('quotes whole sentences, not the lines a paragraph was wrapped into', () => {
    const answerer = new ExtractiveAnswererProvider();
    const result = answerer.answer({
      model: 'extractive-answerer-1',
      messages: [{ role: 'user', content: 'What happens when a model fails with a retryable error?' }],
      passages: [
        {
          index: 1,
          source: 'docs/architecture.md',
          section: 'Inference',
          text: 'The inference service walks the model chain. A model that\nfails with a retryable error hands over to\nthe next one; a bad request does not.\n\n- a list item\n- another one',
        },
      ],
    });
    expect(result.content).toContain('A model that fails with a retryable error hands over to the next one; a bad request does not.');
  });
});
