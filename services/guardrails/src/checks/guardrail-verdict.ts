export type GuardrailAction = 'PASS' | 'REDACT' | 'BLOCK';

/** What a detector found and where. Never carries the sensitive value itself. */
export interface GuardrailFinding {
  /** email | payment_card | oversized_input | invalid_encoding | control_character | invalid_role | empty_messages */
  type: string;
  detector: string;
  messageIndex: number;
  /** UTF-16 code-unit offsets (JavaScript string indices) into the original text. */
  start: number;
  end: number;
  score: number;
}

/** The part of a chat message guardrails look at; other fields pass through untouched. */
export interface GuardedMessage {
  role: string;
  content: string;
}

export interface InputVerdict<M extends GuardedMessage = GuardedMessage> {
  action: GuardrailAction;
  findings: GuardrailFinding[];
  /** The messages to send on: redacted when the action is REDACT, empty when BLOCK. */
  messages: M[];
  /** Why the request was blocked, fit to show the user. */
  reason?: string;
}

export interface OutputVerdict {
  action: GuardrailAction;
  findings: GuardrailFinding[];
  /** The content to return: redacted when the action is REDACT. */
  content: string;
  reason?: string;
}
