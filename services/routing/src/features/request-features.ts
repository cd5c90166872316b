import type { ComplexityLevel, QuestionType, SafetyDomain } from '@llmops/config';

/** What routing rules can see of a request's text. */
export interface RequestFeatures {
  estimatedTokens: number;
  complexity: ComplexityLevel;
  code: boolean;
  math: boolean;
  questionType: QuestionType;
  domain?: SafetyDomain;
}

export interface FeatureMessage {
  role: string;
  content: string;
}

// Four characters per token is the usual English average; routing needs an order of magnitude
// in microseconds, not the exact count (the provider reports that after the call).
const CHARS_PER_TOKEN = 4;
const SIMPLE_MAX_TOKENS = 200;
const COMPLEX_MIN_TOKENS = 2000;
/** Only the last stretch of text is scanned, so the cost stays flat on very long inputs. */
const SCAN_CHARS = 8000;

const CODE = /```|\b(?:function|def|class|import|return|const|let|var|public|static|void|SELECT|INSERT|#include)\b[^\n]{0,80}[({;:=]|=>|\)\s*\{|<\/?[a-z]+>/;
/**
 * A request that asks for code without containing any: a verb of making or fixing code near
 * what is made, a language named next to a code noun, or an error report. Bounded gaps keep it
 * linear.
 */
const CODE_INTENT =
  /\b(?:write|implement|fix|debug|refactor|generate|create|optimi[sz]e|port|translate)\b[^.?!\n]{0,60}?\b(?:function|method|class|script|program|regex|regular expression|sql query|unit tests?|endpoint|snippet|code|algorithm)\b|\b(?:python|javascript|typescript|java|rust|golang|c\+\+|c#|kotlin|swift|ruby|php|bash|powershell|sql)\b[^.?!\n]{0,40}?\b(?:function|code|script|snippet|class|error|exception|compile|bug)\b|\b(?:stack trace|traceback|segfault|compiler error|syntax error)\b/i;
const MATH = /\\(?:frac|sum|int|sqrt)|\b(?:integral|derivative|equation|theorem|prove|matrix|probability|solve for)\b|\d\s*[+\-*/^=]\s*\d|[∑∫√≤≥≠π]/i;
const DOMAINS: ReadonlyArray<[SafetyDomain, RegExp]> = [
  ['medical', /\b(?:diagnos\w*|symptom\w*|dosage|medication|prescri\w+|disease|treatment|patient|clinical|surgery|allerg\w+|pregnan\w+|overdose)\b/i],
  ['legal', /\b(?:lawsuit|contract|liabilit\w+|legal\w*|attorney|lawyer|court|statute|regulation|compliance|gdpr|sue|litigation|tenant rights)\b/i],
  ['finance', /\b(?:invest\w*|stock\w*|portfolio|loan|mortgage|tax(?:es)?|retirement|401k|ira|crypto\w*|bond\w*|interest rate|credit score|financial advice)\b/i],
];
const YES_NO = /^(?:is|are|can|could|does|do|did|will|would|should|has|have|was|were)\b/i;
const HOW = /^how\b|\bhow (?:do|does|can|to|should)\b/i;
const WHY = /^why\b|\bwhy (?:do|does|is|are)\b/i;
const FACTUAL = /^(?:what|who|when|where|which)\b/i;
const OPEN = /^(?:explain|describe|compare|discuss|write|summari[sz]e|analy[sz]e|design|tell me about|walk me through)\b/i;

/** The estimated tokens of the longest message: what must fit an embedding model, which takes each input alone. */
export function longestMessageTokens(messages: readonly FeatureMessage[]): number {
  let longest = 0;
  for (const message of messages) longest = Math.max(longest, message.content.length);
  return Math.ceil(longest / CHARS_PER_TOKEN);
}

/**
 * Estimates size and complexity of a request from its text: token count, code or math present,
 * the kind of question, and whether it touches a safety-critical domain. Cheap on purpose: it
 * runs on every request, inside the Route budget of half a millisecond.
 */
export function analyzeRequest(messages: readonly FeatureMessage[]): RequestFeatures {
  let chars = 0;
  for (const message of messages) chars += message.content.length;
  const estimatedTokens = Math.ceil(chars / CHARS_PER_TOKEN) + messages.length * 4;

  const lastUser = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const text = scanWindow(messages);
  const code = CODE.test(text) || CODE_INTENT.test(text);
  const math = MATH.test(text);
  const domain = DOMAINS.find(([, pattern]) => pattern.test(text))?.[0];
  const questionType = questionTypeOf(lastUser);
  const complexity: ComplexityLevel =
    estimatedTokens >= COMPLEX_MIN_TOKENS || (code && math)
      ? 'complex'
      : estimatedTokens <= SIMPLE_MAX_TOKENS && !code && !math && questionType !== 'why' && questionType !== 'open'
        ? 'simple'
        : 'moderate';
  return { estimatedTokens, complexity, code, math, questionType, ...(domain ? { domain } : {}) };
}

function scanWindow(messages: readonly FeatureMessage[]): string {
  let text = '';
  for (let index = messages.length - 1; index >= 0 && text.length < SCAN_CHARS; index--) {
    const message = messages[index]!;
    if (message.role === 'system') continue;
    text = message.content.slice(-(SCAN_CHARS - text.length)) + '\n' + text;
  }
  return text;
}

function questionTypeOf(text: string): QuestionType {
  const sentence = text.trim().split(/(?<=[.?!])\s+/).reverse().find((part) => part.includes('?')) ?? text.trim();
  if (sentence === '') return 'none';
  if (WHY.test(sentence)) return 'why';
  if (HOW.test(sentence)) return 'how';
  if (YES_NO.test(sentence)) return 'yes_no';
  if (FACTUAL.test(sentence)) return 'factual';
  return sentence.includes('?') || OPEN.test(sentence) ? 'open' : 'none';
}
