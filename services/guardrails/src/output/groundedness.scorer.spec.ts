import { scoreGroundedness } from './groundedness.scorer';

const supportOf = (answer: string, passages: readonly string[]): number[] => scoreGroundedness(answer, passages, 0.5).sentences.map((sentence) => sentence.support);

describe('scoreGroundedness', () => {
  it('scores each sentence by its best passage, counting repeated words each time', () => {
    const passages = ['The warranty covers defects for two years.', 'Returns are accepted within thirty days of delivery.'];
    expect(supportOf('Returns accepted within thirty days. Warranty covers defects, defects, defects!', passages)).toEqual([1, 1]);
    // warranty, cover, return, within, lisbon: two in either passage.
    expect(supportOf('Warranty covers returns within Lisbon.', passages)).toEqual([0.4]);
    expect(supportOf('Warranty covers defects.', [])).toEqual([0]);
  });

  it('meets plural and verb forms, ignores stop words and short words without digits', () => {
    const passages = ['The studies supported the passages in 2024 for Q3.'];
    expect(supportOf('Study supports passages.', passages)).toEqual([1]);
    expect(supportOf('Studies supporting passages.', passages)).toEqual([1]);
    // "it", "is", "an", "of" are stop words and "ok" is too short; "q3" has a digit and is kept.
    // The stemming is crude: "passage" and "passages" do not meet.
    expect(supportOf('It is an ok passage in Q3 of 2024.', passages)).toEqual([0.667]);
  });

  it('reads words in any script, letters outside the Basic Multilingual Plane included', () => {
    expect(supportOf('Ünïcode wörter zählen hier.', ['ünïcode WÖRTER zählen'])).toEqual([0.75]);
    expect(supportOf('𝐀𝐁𝐂 𝐃𝐄𝐅 ghi.', ['𝐀𝐁𝐂 ghi'])).toEqual([0.667]);
    expect(scoreGroundedness('Sure! Here it is:', ['anything'], 0.5)).toEqual({ score: 1, sentences: [], unsupported: [] });
  });

  it('reports sentence spans without surrounding white space', () => {
    const answer = 'Paris hosts museums.  Lisbon has trams and hills.';
    const { sentences, score } = scoreGroundedness(answer, ['Lisbon has old trams on steep hills.'], 0.5);
    expect(sentences.map(({ start, end }) => answer.slice(start, end))).toEqual(['Paris hosts museums.', 'Lisbon has trams and hills.']);
    expect(score).toBe(0.5);
  });
});
