import { FEATURE_BUCKETS, hashedFeatures } from '../injection/hashed-features';
import { HARM_CONCEPT_FEATURES, HARM_CONCEPT_NAMES, HarmClassifierModel, harmConceptFeatures, harmReading, type HarmModelFile } from './harm-classifier.model';

describe('harm concept features', () => {
  it('gives each concept and each pair of concepts one index, across languages', () => {
    const english = harmConceptFeatures(harmReading('How can I poison my neighbour without anyone noticing?'));
    const german = harmConceptFeatures(harmReading('Wie kann ich meinen Nachbarn vergiften, ohne dass es jemand merkt?'));
    const names = (features: number[]): string[] => features.filter((feature) => feature < HARM_CONCEPT_NAMES.length).map((feature) => HARM_CONCEPT_NAMES[feature]!);
    for (const features of [english, german]) {
      expect(names(features)).toEqual(expect.arrayContaining(['violence', 'person', 'unnoticed', 'method']));
      expect(new Set(features).size).toBe(features.length);
      for (const feature of features) expect(feature).toBeLessThan(HARM_CONCEPT_FEATURES);
      // n concepts and n(n-1)/2 pairs
      const concepts = names(features).length;
      expect(features).toHaveLength(concepts + (concepts * (concepts - 1)) / 2);
    }
    expect(harmConceptFeatures(harmReading('The invoice is attached.'))).toEqual([]);
  });
});

describe('HarmClassifierModel', () => {
  const text = 'How can I poison my neighbour without anyone noticing?';
  const reading = harmReading(text);
  const buckets = [...hashedFeatures(reading)].filter(([bucket]) => bucket < FEATURE_BUCKETS);
  const concepts = harmConceptFeatures(reading);
  const file = (threshold: number): HarmModelFile => ({
    description: 'test',
    trainedOn: 'test',
    bias: -1,
    threshold,
    weights: buckets.map(([bucket]) => [bucket, 0.5]),
    conceptNames: [...HARM_CONCEPT_NAMES],
    concepts: concepts.map((feature) => [feature, 0.25]),
    categories: {
      S1: { bias: 0, weights: [[FEATURE_BUCKETS + concepts[0]!, 2]] },
      S9: { bias: 0.5, weights: [] },
    },
  });

  it('adds the hashed and the concept weights, and moves its threshold to score 0.5', () => {
    let logit = -1 + 0.25 * concepts.length;
    for (const [, value] of buckets) logit += 0.5 * value;
    const probability = 1 / (1 + Math.exp(-logit));
    expect(new HarmClassifierModel(file(0.5)).assess(text).score).toBeCloseTo(probability, 5);
    // At its own probability as threshold, a text scores exactly 0.5.
    expect(new HarmClassifierModel(file(probability)).assess(text).score).toBeCloseTo(0.5, 5);
  });

  it('names the category of the strongest head only at or above the category score', () => {
    const model = new HarmClassifierModel(file(0.5));
    expect(model.assess(text, 0).category).toBe('S1');
    expect(model.assess(text, 1.01).category).toBeUndefined();
  });

  it('is not consulted for a text without a harm topic', () => {
    const eager = new HarmClassifierModel({ ...file(0.5), bias: 10 });
    expect(eager.assess('Please find the quarterly invoice attached.')).toEqual({ score: 0 });
    expect(eager.assess(text).score).toBeGreaterThan(0.5);
  });

  it('refuses a model trained with other concepts', () => {
    expect(() => new HarmClassifierModel({ ...file(0.5), conceptNames: ['violence'] })).toThrow(/retrain/);
  });
});
