export interface DeniedTopic {
  name: string;
  terms: readonly string[];
}

export interface TopicMatch {
  topic: string;
  start: number;
  end: number;
}

/**
 * A tenant's forbidden topics: whole-word, case-insensitive matches of the listed terms. All terms
 * of all topics go into one alternation of escaped literals, which V8 scans in one linear pass.
 */
export class TopicDenyList {
  private readonly pattern: RegExp | undefined;
  private readonly topicOfTerm = new Map<string, string>();

  constructor(topics: readonly DeniedTopic[]) {
    const terms: string[] = [];
    for (const topic of topics) {
      for (const term of topic.terms) {
        const key = term.toLowerCase();
        if (!this.topicOfTerm.has(key)) this.topicOfTerm.set(key, topic.name);
        terms.push(key);
      }
    }
    // Longest first, so "acme cloud" wins over "acme".
    terms.sort((a, b) => b.length - a.length);
    this.pattern = terms.length > 0 ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'giu') : undefined;
  }

  /** One match per topic: the first occurrence. */
  find(text: string): TopicMatch[] {
    if (!this.pattern) return [];
    const found = new Map<string, TopicMatch>();
    for (const match of text.matchAll(this.pattern)) {
      const topic = this.topicOfTerm.get(match[0].toLowerCase());
      if (topic && !found.has(topic)) found.set(topic, { topic, start: match.index, end: match.index + match[0].length });
      if (found.size === this.topicOfTerm.size) break;
    }
    return [...found.values()];
  }
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
