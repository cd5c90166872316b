import { IbanRecognizer, passesMod97 } from './iban.recognizer';
import { IpAddressRecognizer } from './ip-address.recognizer';
import { PhoneRecognizer } from './phone.recognizer';
import { PiiRedactor } from './pii.redactor';
import { SecretRecognizer, shannonEntropy } from './secret.recognizer';
import { UsSsnRecognizer } from './us-ssn.recognizer';

const found = (recognizer: { find(text: string): Array<{ start: number; end: number }> }, text: string): string[] =>
  recognizer.find(text).map((span) => text.slice(span.start, span.end));

describe('PhoneRecognizer', () => {
  const phones = new PhoneRecognizer();

  it('finds international and national numbers in the configured regions', () => {
    expect(found(phones, 'Call +44 20 7946 0958 or (415) 555-2671, Handy 0151 23456789, Paris 01 42 68 53 00.')).toEqual([
      '+44 20 7946 0958',
      '(415) 555-2671',
      '0151 23456789',
      '01 42 68 53 00',
    ]);
  });

  it('leaves invalid numbers, dates, decimals and versions alone', () => {
    expect(found(phones, 'On 2024-03-15 version 1.2.3.4 cost 1234.56; +1 000 000 0000 is not a number.')).toEqual([]);
  });
});

describe('IbanRecognizer', () => {
  const ibans = new IbanRecognizer();

  it('finds IBANs grouped or not that have their country length and pass mod-97', () => {
    expect(found(ibans, 'Pay DE89 3704 0044 0532 0130 00 or GB29NWBK60161331926819, not DE89 3704 0044 0532 0130 01.')).toEqual([
      'DE89 3704 0044 0532 0130 00',
      'GB29NWBK60161331926819',
    ]);
    expect(passesMod97('NL91ABNA0417164300')).toBe(true);
    expect(passesMod97('NL91ABNA0417164301')).toBe(false);
  });

  it('does not take the next word as part of the account', () => {
    expect(found(ibans, 'IBAN: NL91 ABNA 0417 1643 00 BIC ABNANL2A')).toEqual(['NL91 ABNA 0417 1643 00']);
  });

  it('checks mod-97 on the letters in either case, with the spaces left out', () => {
    expect(found(ibans, 'iban gb82 west 1234 5698 7654 32 and nl91abna0417164300, not gb82 west 1234 5698 7654 33')).toEqual([
      'gb82 west 1234 5698 7654 32',
      'nl91abna0417164300',
    ]);
  });
});

describe('UsSsnRecognizer', () => {
  const ssns = new UsSsnRecognizer();

  it('applies the SSA validity rules', () => {
    expect(found(ssns, '536-22-8726 000-12-3456 666-12-3456 912-12-3456 536-00-1234 536-22-0000 078-05-1120 536 22 8726')).toEqual([
      '536-22-8726',
      '536 22 8726',
    ]);
  });

  it('needs a context word before nine bare digits count', () => {
    const redactor = PiiRedactor.forKinds(['us_ssn']);
    expect(redactor.find('Tracking 536228726 shipped').length).toBe(0);
    expect(redactor.find('SSN 536228726').length).toBe(1);
    expect(redactor.find('case number 536-22-8726 closed').length).toBe(0);
  });
});

describe('IpAddressRecognizer', () => {
  const ips = new IpAddressRecognizer();

  it('finds IPv4 and IPv6 addresses, not loopback, versions or times', () => {
    expect(found(ips, 'from 203.0.113.54 and 2001:db8::8a2e:370:7334 via 127.0.0.1; v1.2.3.4.5, 12:30:45, ::1, 999.1.1.1')).toEqual([
      '203.0.113.54',
      '2001:db8::8a2e:370:7334',
    ]);
    expect(found(ips, 'full form fe80:0000:0000:0000:0202:b3ff:fe1e:8329, times 09:00 to 09:15, https://example.org')).toEqual(['fe80:0000:0000:0000:0202:b3ff:fe1e:8329']);
  });

  it('finds an IPv6 address after many colons that are not one, up to the end of the text', () => {
    const prose = 'at 09:15: see https://example.org, ratio 16:9, note:: done. '.repeat(1000);
    expect(found(ips, `${prose}2001:db8::1`)).toEqual(['2001:db8::1']);
    expect(found(ips, `${prose}fe80::`)).toEqual([]);
    expect(found(ips, `${prose}1:2:3:4:5:6:7:8`)).toEqual(['1:2:3:4:5:6:7:8']);
  });
});

describe('SecretRecognizer', () => {
  const secrets = new SecretRecognizer();

  it('finds keys by their published formats', () => {
    const text = [
      'AKIAIOSFODNN7EXAMPLE',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'xoxb-2635942065-2343594206-FGqddMF8t6Sw8S0ZsL8QwErT',
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY',
    ].join(' and ');
    expect(found(secrets, text)).toHaveLength(5);
  });

  it('finds assigned values that look random, not placeholders or prose', () => {
    expect(found(secrets, 'password: Xk9#mQ2$vLp8')).toEqual(['Xk9#mQ2$vLp8']);
    expect(found(secrets, 'DB_PASSWORD=<your password>, api_key: xxxxxxxxxxxx, token = changeme')).toEqual([]);
    expect(found(secrets, '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----')).toHaveLength(1);
    expect(shannonEntropy('aaaa')).toBe(0);
  });

  it('finds values assigned to any name ending in _KEY, _TOKEN, _SECRET or _PASSWORD, once each', () => {
    expect(found(secrets, 'export STRIPE_WEBHOOK_SECRET="whsec_9fQ2xLp8Kd3mZ7"; db_password: Xk9#mQ2$vLp8')).toEqual(['whsec_9fQ2xLp8Kd3mZ7', 'Xk9#mQ2$vLp8']);
    expect(found(secrets, 'see MY_KEY_NOTES: nothing here, and _key in prose')).toEqual([]);
  });

  it('finds underscore formats when the only underscore is in the key, at the very end of a long text', () => {
    const prose = 'Plain prose without that character, numbers 12.4% and e-mail. '.repeat(2000);
    for (const key of ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'npm_abcdefghijklmnopqrstuvwxyz0123456789', 'hf_abcdefghijklmnopqrstuvwxyzABCDEFGH', 'github_pat_11ABCDEFG0abcdefghijklmnopqrstuv']) {
      expect(found(secrets, `${prose}${key}`)).toEqual([key]);
    }
  });

  it('is not fooled by a commit hash, and a checksum context lowers a generic match', () => {
    const redactor = PiiRedactor.forKinds(['secret']);
    expect(redactor.find('Commit 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b fixed it')).toEqual([]);
  });
});

describe('context words', () => {
  it('score a candidate in a long text (read from one lower-cased copy) as in a short one', () => {
    const redactor = PiiRedactor.forKinds(['phone', 'payment_card', 'us_ssn', 'ip_address']);
    const padding = 'Plain prose with nothing to find in it at all. '.repeat(500);
    const cases: [string, string[]][] = [
      ['TELÉFONO: (415) 555-2671', ['phone']],
      ['ΟΔΟΣ ΣΑΣ, CALL (415) 555-2671', ['phone']],
      // "İ" lower-cases to two characters: the long text's windows are then lower-cased one by one.
      ['İSTANBUL KARTE 4111 1111 1111 1111', ['payment_card']],
      ['SOCIAL SECURITY 536228726', ['us_ssn']],
      ['ORDER NR (415) 555-2671', []],
      ['SERVER 203.0.113.54', ['ip_address']],
      ['VERSION 10.0.0.1', []],
    ];
    for (const [text, types] of cases) {
      const short = redactor.find(text).map((match) => [match.type, match.score]);
      expect(short.map(([type]) => type)).toEqual(types);
      expect(redactor.find(`${padding}${text}`).map((match) => [match.type, match.score])).toEqual(short);
    }
  });

  it('raise a bare national number to a phone when someone says to call it, and drop it when it is an order number', () => {
    const redactor = PiiRedactor.forKinds(['phone']);
    expect(redactor.find('call me on 4155552671').map((match) => match.score)).toEqual([0.7]);
    expect(redactor.find('order 4155552671 shipped')).toEqual([]);
  });
});
