import type { FindingCategory } from '../policy/finding-catalogue';

export type GuardrailAction = 'PASS' | 'REDACT' | 'REWRITE' | 'BLOCK';

/** What a detector found and where. Never carries the sensitive value itself. */
export interface GuardrailFinding {
  /** email | payment_card | prompt_injection | harmful_content | oversized_input | ... (see finding-catalogue.ts) */
  type: string;
  detector: string;
  messageIndex: number;
  /** UTF-16 code-unit offsets (JavaScript string indices) into the original text. */
  start: number;
  end: number;
  score: number;
  category?: FindingCategory;
  /** Llama Guard code (S1..S14), topic name, injection technique, or "passage" for personal data that came from a retrieved passage. */
  label?: string;
  /** What the policy decided for this finding alone. */
  action?: GuardrailAction;
}

/** The part of a chat message guardrails look at; other fields pass through untouched. */
export interface GuardedMessage {
  role: string;
  content: string;
}

export interface InputVerdict<M extends GuardedMessage = GuardedMessage> {
  action: GuardrailAction;
  findings: GuardrailFinding[];
  /** The messages to send on: redacted or rewritten when the action says so, empty when BLOCK. */
  messages: M[];
  /** Why the request was blocked, fit to show the user. */
  reason?: string;
  /** Placeholder → value, when the redaction is reversible (kept by the caller in the vault, never returned). */
  restorable?: ReadonlyMap<string, string>;
}

export interface OutputVerdict {
  action: GuardrailAction;
  findings: GuardrailFinding[];
  /** The content to return: redacted when the action is REDACT. */
  content: string;
  reason?: string;
  /** Share of the answer's sentences the passages support; undefined when not scored. */
  groundedness?: number;
}
