/** One version of a prompt template as loaded from the prompts directory. */
export interface PromptTemplate {
  name: string;
  /** The N of `name.vN.ext`. */
  version: number;
  /** `v2`: how a version is written in file names and traces. */
  versionTag: string;
  template: string;
  /** Variable names the template uses, in order of first use. */
  variables: string[];
  /** Absolute path of the file it came from. */
  source: string;
  /** sha256 hex of the file's bytes, so it matches `sha256sum` of the file. */
  contentHash: string;
}

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

export function templateVariables(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(VARIABLE), (match) => match[1]!))];
}

/**
 * Substitutes `{{name}}` placeholders in one pass: a value that itself contains `{{x}}` is
 * inserted as written, never expanded again. Returns the names that had no value.
 */
export function substituteVariables(
  template: string,
  variables: Readonly<Record<string, string>>,
): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const text = template.replace(VARIABLE, (whole, name: string) => {
    if (Object.prototype.hasOwnProperty.call(variables, name)) return variables[name]!;
    missing.add(name);
    return whole;
  });
  return { text, missing: [...missing] };
}
