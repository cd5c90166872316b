import { RARE_CHARACTER } from '../injection/text-folding';
import { CONTROL_OR_REPLACEMENT, findInvisibleCharacters, INVISIBLE_OR_BIDI, InputValidator } from './input.validator';
import { mayHaveRareCharacters } from './rare-characters';

/** Each BMP code unit, alone in a text. */
const codeUnits = Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code));

describe('mayHaveRareCharacters, the shared look that lets validation and folding skip their own passes', () => {
  it('is true for every character validation and folding look for, and for every character that lower-cases to one', () => {
    const missed = codeUnits.filter((char) => {
      INVISIBLE_OR_BIDI.lastIndex = 0;
      const loneSurrogate = char >= '\ud800' && char <= '\udfff';
      const wanted = loneSurrogate || CONTROL_OR_REPLACEMENT.test(char) || INVISIBLE_OR_BIDI.test(char) || RARE_CHARACTER.test(char) || RARE_CHARACTER.test(char.toLowerCase());
      return wanted && !mayHaveRareCharacters(`plain ${char} text`);
    });
    expect(missed.map((char) => char.charCodeAt(0).toString(16))).toEqual([]);
    expect(mayHaveRareCharacters('Ω')).toBe(true); // OHM SIGN lower-cases to a Greek omega
  });

  it('is false for prose in Latin, Chinese and with full stops and digits', () => {
    expect(mayHaveRareCharacters('Déjà vu: 东京的分公司 paid 3,481,200 EUR (¿sí?) – “fine”.')).toBe(false);
  });

  it('answers for each text, also when several are asked about in turn', () => {
    const texts = ['plain', 'zero\u200bwidth', 'also plain', 'ｆｕｌｌ', 'bell\u0007', 'plain again'];
    for (let round = 0; round < 3; round++) expect(texts.map(mayHaveRareCharacters)).toEqual([false, true, false, true, true, false]);
  });

  it('lets validation still find a control character and an invisible one at the very end of a long text', () => {
    const long = 'Quarterly numbers 12.4% and more prose. '.repeat(3000);
    const validator = new InputValidator({ maxInputChars: 1_000_000 });
    expect(validator.validate([{ role: 'user', content: long }]).findings).toEqual([]);
    expect(validator.validate([{ role: 'user', content: `${long}\u0007` }]).findings.map((finding) => finding.type)).toEqual(['control_character']);
    expect(findInvisibleCharacters(`${long}x\u200b`, 0).map((finding) => [finding.type, finding.start])).toEqual([['invisible_character', long.length + 1]]);
    expect(findInvisibleCharacters(long, 0)).toEqual([]);
    expect(validator.validate([{ role: 'user', content: `${long}\ud800` }]).findings.map((finding) => [finding.type, finding.start])).toEqual([['invalid_encoding', long.length]]);
    expect(validator.validate([{ role: 'user', content: `${long}👍 fine` }]).findings).toEqual([]);
  });
});
