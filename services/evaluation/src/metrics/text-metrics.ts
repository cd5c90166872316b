/** The metrics this service can compute, by name. */
export const METRIC_NAMES = ['exact_match', 'contains'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Case, surrounding whitespace, inner runs of whitespace and trailing punctuation do not
 * change the meaning of a short answer, so they do not change its score. */
export function normalizeAnswer(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!?。]+$/u, '')
    .trim();
}

export function scoreAnswer(metric: MetricName, output: string, expected: string): number {
  const got = normalizeAnswer(output);
  const want = normalizeAnswer(expected);
  switch (metric) {
    case 'exact_match':
      return got === want ? 1 : 0;
    case 'contains':
      return want.length > 0 && got.includes(want) ? 1 : 0;
  }
}

export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}
