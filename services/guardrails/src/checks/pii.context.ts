/**
 * Words near a candidate that make it more or less likely to be what its recognizer thinks:
 * "call me at 0151 …" is a phone number, "order 0151 …" is not. Several languages, matched in a
 * short window before the candidate (and a shorter one after it).
 */
interface ContextWords {
  raise?: RegExp;
  lower?: RegExp;
}

const BEFORE_CHARS = 40;
const AFTER_CHARS = 16;
const RAISE = 0.3;
const LOWER = 0.35;

const REFERENCE_WORDS = 'order|invoice|ref(?:erence)?|tracking|ticket|case|part|sku|isbn|serial|id|no\\.|nr\\.|bestell\\w*|rechnung\\w*|commande|pedido|factura|auftrag\\w*|kunden(?:nummer|nr)';

const CONTEXT: Readonly<Record<string, ContextWords>> = {
  phone: {
    raise:
      /phone|tel\b|tel\.|telephone|mobile|cell|call|ring|reach|text me|whatsapp|signal|fax|contact|hotline|handy|telefon|rufnummer|anruf|numéro|téléphone|portable|appel|teléfono|móvil|llám|llama|numero|cellulare|chiam|telefoon|bel |номер|телефон|電話|电话|手机/,
    lower: new RegExp(`\\b(?:${REFERENCE_WORDS}|account|acct|iban|card|ssn|social security|amount|total|population|samples?)\\b`),
  },
  us_ssn: {
    raise: /\bssn\b|social security|\bsocial\b|soc\.? sec|ss#|w-2|taxpayer|sozialversicherung/,
    lower: new RegExp(`\\b(?:${REFERENCE_WORDS}|phone|tel|zip|fax)\\b`),
  },
  payment_card: {
    raise: /card|visa|mastercard|amex|american express|discover|credit|debit|karte|carte|tarjeta|carta|kaart|карт/,
    lower: new RegExp(`\\b(?:${REFERENCE_WORDS}|test number|phone)\\b`),
  },
  ip_address: {
    raise: /\bip\b|server|host|address|ssh|ping|from|firewall|whitelist|allowlist|client|login/,
    lower: /\b(?:version|release|build|v)\b|\bv$/,
  },
  secret: {
    lower: /\b(?:sha\d*|checksum|commit|hash|digest|example|placeholder|fake|dummy)\b/,
  },
};

/**
 * The recognizer's score moved by the context around [start, end), clamped to 0..1. `lowered`:
 * `text.toLowerCase()` of the same length, if at hand; its slices are the slices of `text` lower-
 * cased (Greek final sigma and halves of a cut surrogate pair aside, which no context word holds).
 */
export function scoreInContext(type: string, text: string, start: number, end: number, score: number, lowered?: string): number {
  const words = CONTEXT[type];
  if (!words) return score;
  const around =
    lowered !== undefined
      ? `${lowered.slice(Math.max(0, start - BEFORE_CHARS), start)} ${lowered.slice(end, end + AFTER_CHARS)}`
      : `${text.slice(Math.max(0, start - BEFORE_CHARS), start)} ${text.slice(end, end + AFTER_CHARS)}`.toLowerCase();
  let adjusted = score;
  if (words.raise?.test(around)) adjusted += RAISE;
  if (words.lower?.test(around)) adjusted -= LOWER;
  return Math.min(1, Math.max(0, adjusted));
}
