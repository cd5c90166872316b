import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';

export interface Reranker {
  /** Relevance score per document, same order as `documents`; higher is more relevant. */
  rerank(query: string, documents: readonly string[]): Promise<number[]>;
}

export interface HttpRerankerOptions {
  /** Full URL of the endpoint, e.g. http://tei:8080/rerank or https://api.cohere.com/v2/rerank. */
  readonly url: string;
  readonly model: string;
  readonly apiKey?: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

interface RerankResponse {
  results?: { index?: unknown; relevance_score?: unknown; score?: unknown }[];
}

/**
 * A cross-encoder behind the rerank API that Cohere, Jina, vLLM and Infinity share:
 * POST {model, query, documents, top_n} -> {results: [{index, relevance_score}]}. A bare
 * array of {index, score} (TEI's /rerank) is accepted too.
 */
export class HttpReranker implements Reranker {
  constructor(private readonly options: HttpRerankerOptions) {}

  async rerank(query: string, documents: readonly string[]): Promise<number[]> {
    if (documents.length === 0) return [];
    const fetchFn = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetchFn(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.options.model, query, documents, texts: documents, top_n: documents.length, return_documents: false }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw failure(`the rerank endpoint did not answer: ${(error as Error).message}`, error);
    }
    if (!response.ok) {
      // The body may echo the request; only the status is reported.
      throw failure(`the rerank endpoint answered HTTP ${response.status}`);
    }
    const body = (await response.json().catch(() => undefined)) as RerankResponse | RerankResponse['results'] | undefined;
    const results = Array.isArray(body) ? body : body?.results;
    if (!Array.isArray(results)) throw failure('the rerank endpoint answered without a results list');
    const scores = new Array<number>(documents.length).fill(Number.NEGATIVE_INFINITY);
    for (const result of results) {
      const index = Number(result.index);
      const score = Number(result.relevance_score ?? result.score);
      if (!Number.isInteger(index) || index < 0 || index >= documents.length || !Number.isFinite(score)) {
        throw failure('the rerank endpoint answered with an invalid result');
      }
      scores[index] = score;
    }
    return scores;
  }
}

function failure(message: string, cause?: unknown): RetrievalException {
  return new RetrievalException(RetrievalErrorCode.RerankFailure, message, { cause });
}
