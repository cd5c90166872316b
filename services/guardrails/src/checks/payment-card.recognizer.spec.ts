import { fastestRunMs } from '@llmops/testing';
import { PaymentCardRecognizer, passesLuhn } from './payment-card.recognizer';

describe('passesLuhn', () => {
  it.each(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4222222222222', '79927398713'])(
    'accepts %s',
    (digits) => expect(passesLuhn(digits)).toBe(true),
  );

  it.each(['4111111111111112', '1234567890123456', '5555555555554445', '12', '', '4111-1111'])('rejects %s', (digits) =>
    expect(passesLuhn(digits)).toBe(false),
  );
});

describe('PaymentCardRecognizer', () => {
  const recognizer = new PaymentCardRecognizer();
  const found = (text: string) => recognizer.find(text).map((span) => text.slice(span.start, span.end));

  it('finds Luhn-valid numbers written plain, with spaces or with dashes', () => {
    expect(found('card 4111111111111111 ok')).toEqual(['4111111111111111']);
    expect(found('card 4111 1111 1111 1111, exp 12/29')).toEqual(['4111 1111 1111 1111']);
    expect(found('amex 3782-822463-10005.')).toEqual(['3782-822463-10005']);
    expect(found('two: 5555 5555 5555 4444 and 6011-1111-1111-1117')).toEqual(['5555 5555 5555 4444', '6011-1111-1111-1117']);
    expect(found('13 digits 4222222222222')).toEqual(['4222222222222']);
  });

  it('leaves digit strings that fail Luhn or have the wrong length alone', () => {
    expect(found('order 4111 1111 1111 1112')).toEqual([]);
    expect(found('id 1234567890123456')).toEqual([]);
    expect(found('luhn-valid but short 79927398713')).toEqual([]);
    expect(found('twenty digits 41111111111111111110')).toEqual([]);
    expect(found('placeholder 0000 0000 0000 0000')).toEqual([]);
    expect(found('pi is 3.1415926535897932384')).toEqual([]);
  });

  it('finds a card inside a longer run of digit groups', () => {
    expect(found('ref 12 4111 1111 1111 1111')).toEqual(['4111 1111 1111 1111']);
    expect(found('4111 1111 1111 1111 5555 5555 5555 4444')).toEqual(['4111 1111 1111 1111', '5555 5555 5555 4444']);
    expect(found('4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1')).toEqual(['4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1']);
    expect(found('1 2 3 4111 1111 1111 1111')).toEqual(['4111 1111 1111 1111']);
  });

  it('scores numbers with a known issuer prefix higher', () => {
    const [visa] = recognizer.find('4111111111111111');
    const [unknown] = recognizer.find('8000000000000003');
    expect(passesLuhn('8000000000000003')).toBe(true);
    expect(visa!.score).toBeGreaterThan(unknown!.score);
  });

  it('stays linear on long runs of digits and separators', () => {
    const inputs = ['1 '.repeat(50_000), '9'.repeat(100_000), '12-'.repeat(33_000), '123 '.repeat(25_000), '4111 '.repeat(20_000)];
    // 100 ms, not 50: these inputs make tens of thousands of candidate groups. A quadratic
    // scan of 100 KB takes seconds, so the test still catches one on a busy machine.
    for (const input of inputs) {
      expect(fastestRunMs(() => recognizer.find(input))).toBeLessThan(100);
    }
  });
});
