import type { HarmCategory } from '@llmops/config';
import { ErrorCode, PlatformError } from '@llmops/grpc';

export interface ModerationFinding {
  /** The Llama Guard 3 code the model's category maps to. */
  category: HarmCategory;
  /** The model's own category name, e.g. `self-harm/intent`. */
  modelCategory: string;
  score: number;
}

export interface ModerationClientOptions {
  /** Up to and including the version, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  model: string;
  timeoutMs: number;
  apiKey?: string;
}

/** OpenAI moderation categories → Llama Guard 3 hazard codes (closest match). */
const CATEGORY_CODES: Readonly<Record<string, HarmCategory>> = {
  violence: 'S1',
  'violence/graphic': 'S1',
  illicit: 'S2',
  'illicit/violent': 'S9',
  'sexual/minors': 'S4',
  sexual: 'S12',
  hate: 'S10',
  'hate/threatening': 'S10',
  harassment: 'S10',
  'harassment/threatening': 'S10',
  'self-harm': 'S11',
  'self-harm/intent': 'S11',
  'self-harm/instructions': 'S11',
};

interface ModerationResponse {
  results?: { flagged?: boolean; categories?: Record<string, boolean>; category_scores?: Record<string, number> }[];
}

/**
 * The slow tier's model: an OpenAI-compatible `POST /moderations` (OpenAI's moderation models,
 * or a Llama Guard server exposing the same route). Flagged categories come back as Llama Guard
 * codes; an unreachable or failing endpoint is an error the caller logs, never a verdict.
 */
export class ModerationClient {
  constructor(
    private readonly options: ModerationClientOptions,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async moderate(text: string): Promise<ModerationFinding[]> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.options.baseUrl}/moderations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body: JSON.stringify({ model: this.options.model, input: text }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new PlatformError(ErrorCode.Unavailable, `moderation endpoint unreachable: ${(error as Error).name}`);
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
      throw new PlatformError(ErrorCode.UpstreamError, `moderation endpoint answered ${response.status}: ${String(body.error?.message ?? '').slice(0, 200)}`);
    }
    const body = (await response.json()) as ModerationResponse;
    const result = body.results?.[0];
    if (!result?.flagged) return [];
    const findings = new Map<HarmCategory, ModerationFinding>();
    for (const [name, flagged] of Object.entries(result.categories ?? {})) {
      const category = CATEGORY_CODES[name];
      if (!flagged || !category) continue;
      const score = result.category_scores?.[name] ?? 1;
      const previous = findings.get(category);
      if (!previous || previous.score < score) findings.set(category, { category, modelCategory: name, score });
    }
    return [...findings.values()];
  }
}
