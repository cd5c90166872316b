'use strict';
/**
 * The text the guardrails benchmarks check: prose in several languages with personal data,
 * numbers, code and a few URLs mixed in, so every recognizer has candidates to look at.
 */
const SENTENCES = [
  'Our quarterly report shows revenue grew 12.4% to 3,481,200 EUR while costs stayed flat.',
  'Please contact the account manager at jana.novak@example.com if the invoice INV-2024-0091 is wrong.',
  'Der Kunde hat unter +49 30 12345678 angerufen und nach der Lieferung gefragt.',
  'La réunion est prévue le 14/03 à 10h30 dans la salle 4.12, merci de confirmer.',
  'The service at 10.20.30.40 returned HTTP 502 for 3% of requests between 09:00 and 09:15.',
  'Refunds go to IBAN DE89 3704 0044 0532 0130 00 within 14 business days.',
  'function add(a, b) { return a + b; } // version 2.3.1, see https://example.org/docs?id=42',
  '¿Puedes resumir el documento adjunto en tres frases para el equipo de ventas?',
  'The customer paid with card 4111 1111 1111 1111 and asked for a receipt by e-mail.',
  'Summarize the ticket history and propose next steps; keep it under 200 words.',
  '东京的分公司将在下个月开始使用新的报销流程。',
  'Tracking number 1Z999AA10123456784 shows the parcel left Memphis yesterday.',
];

/**
 * `bytes` of the sentences, starting at sentence `offset` (a different slice for every input
 * keeps V8 from caching one string's regex results). `rewrite` may vary each occurrence.
 */
function mixedProse(bytes, offset, sentences = SENTENCES, rewrite = (sentence) => sentence) {
  const parts = [];
  let size = 0;
  for (let index = offset; size < bytes; index++) {
    const sentence = rewrite(sentences[index % sentences.length], index);
    parts.push(sentence);
    size += Buffer.byteLength(sentence) + 1;
  }
  return parts.join(' ').slice(0, bytes);
}

module.exports = { SENTENCES, mixedProse };
