/** One problem found while validating configuration: where it is and what is wrong. */
export interface ConfigIssue {
  /** e.g. `models[1].provider` in the config file, or `GATEWAY_PORT` in the environment. */
  path: string;
  message: string;
}

/**
 * Thrown when configuration (a file or the environment) is invalid. Lists every problem at
 * once so an operator fixes them in one pass instead of one restart per mistake.
 */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';

  constructor(
    /** What was validated, e.g. `/srv/llmops.yaml` or `environment of the gateway`. */
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(formatIssues(source, issues));
  }
}

function formatIssues(source: string, issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`);
  return [`Invalid configuration in ${source} (${count}):`, ...lines].join('\n');
}

/** Renders a zod issue path (`['models', 1, 'provider']`) the way people write it in YAML. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
