import { normalizeAnswer, scoreAnswer } from './text-metrics';

describe('text metrics', () => {
  it('normalises case, whitespace and trailing punctuation only', () => {
    expect(normalizeAnswer('  Paris.  ')).toBe('paris');
    expect(normalizeAnswer('New\n  York')).toBe('new york');
    expect(normalizeAnswer('3.14')).toBe('3.14');
  });

  it('scores exact match on normalised text', () => {
    expect(scoreAnswer('exact_match', 'Paris.', 'paris')).toBe(1);
    expect(scoreAnswer('exact_match', 'It is Paris', 'paris')).toBe(0);
  });

  it('scores contains, and never credits an empty expectation', () => {
    expect(scoreAnswer('contains', 'The capital is Paris, France.', 'paris')).toBe(1);
    expect(scoreAnswer('contains', 'London', 'paris')).toBe(0);
    expect(scoreAnswer('contains', 'anything', '  ')).toBe(0);
  });
});
