import { SentenceBuffer } from './sentence-buffer';

describe('SentenceBuffer', () => {
  it('releases whole sentences and keeps the unfinished one', () => {
    const buffer = new SentenceBuffer();
    expect(buffer.push('Paris is the cap')).toEqual([]);
    expect(buffer.push('ital. It has 2.1 million people! Rome')).toEqual(['Paris is the capital. It has 2.1 million people! ']);
    expect(buffer.push(' is next\nand')).toEqual(['Rome is next\n']);
    expect(buffer.flush()).toBe('and');
    expect(buffer.flush()).toBe('');
  });

  it('never splits a placeholder, even when the tokens do', () => {
    const buffer = new SentenceBuffer(20);
    const out = ['Write to [EM', 'AIL_1] or call [PHO', 'NE_2] today. Bye'].flatMap((delta) => buffer.push(delta));
    const pieces = [...out, buffer.flush()];
    expect(pieces.join('')).toBe('Write to [EMAIL_1] or call [PHONE_2] today. Bye');
    for (const piece of pieces) expect(piece).not.toMatch(/\[[A-Z_0-9]*$|^[A-Z_0-9]*\]/);
  });

  it('cuts a long run without a sentence end at a space, so nothing waits for the end of the stream', () => {
    const buffer = new SentenceBuffer(30);
    const pieces = buffer.push('word '.repeat(20));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((piece) => piece.length <= 30 && piece.endsWith(' '))).toBe(true);
  });
});
