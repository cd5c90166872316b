import { isIPv6 } from 'node:net';
import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Not part of a longer dotted number ("1.2.3.4.5") nor of a version ("v10.0.0.1" is caught by context). */
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
/** Hex groups and colons; every repetition consumes a ":", so the scan stays linear. node:net decides. */
const IPV6_CANDIDATE = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g;
/** Every IPv6 candidate has two colons at most this many hex digits apart. */
const MAX_HEX_DIGITS_BETWEEN_COLONS = 4;

/** IPv4 and IPv6 addresses. Unspecified and loopback addresses are not personal data and are left alone. */
export class IpAddressRecognizer implements PiiRecognizer {
  readonly type = 'ip_address';
  readonly detector = 'ip-address-recognizer';
  readonly placeholder = 'IP';

  find(text: string): PiiSpan[] {
    const spans: PiiSpan[] = [];
    if (text.includes('.')) {
      for (const match of text.matchAll(IPV4)) {
        if (match[0] === '0.0.0.0' || match[0].startsWith('127.')) continue;
        spans.push({ start: match.index, end: match.index + match[0].length, score: 0.8 });
      }
    }
    if (hasTwoColonsClose(text)) {
      for (const match of text.matchAll(IPV6_CANDIDATE)) {
        const value = match[0];
        if (value.length < 6 || (value.match(/[0-9A-Fa-f]+/g) ?? []).length < 3 || !isIPv6(value) || value === '::1') continue;
        spans.push({ start: match.index, end: match.index + value.length, score: 0.8 });
      }
    }
    return spans;
  }
}

/**
 * Whether two colons stand at most four hex digits apart (/:[0-9A-Fa-f]{0,4}:/). It jumps from
 * one colon to the next with indexOf, a fraction of the time that regex takes to scan prose, where
 * the candidate pattern would be tried at every position.
 */
function hasTwoColonsClose(text: string): boolean {
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    let next = colon + 1;
    while (next - colon <= MAX_HEX_DIGITS_BETWEEN_COLONS && isHexDigit(text.charCodeAt(next))) next++;
    if (text.charCodeAt(next) === 0x3a) return true;
  }
  return false;
}

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}
