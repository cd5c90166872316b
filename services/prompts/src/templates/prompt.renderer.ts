import { PromptException, PromptExceptionCode } from './prompt.exception';
import type { PromptTemplateRepository } from './prompt-template.repository';
import { substituteVariables } from './prompt-template';

export interface RenderedPrompt {
  text: string;
  name: string;
  version: number;
  versionTag: string;
  contentHash: string;
}

/** Renders a stored template with `{{variable}}` values; every variable must be given. */
export class PromptRenderer {
  constructor(private readonly repository: PromptTemplateRepository) {}

  render(name: string, version: number | string | undefined, variables: Readonly<Record<string, string>>): RenderedPrompt {
    const template = this.repository.get(name, version);
    const { text, missing } = substituteVariables(template.template, variables);
    if (missing.length > 0) {
      throw new PromptException(
        PromptExceptionCode.MISSING_VARIABLES,
        `Prompt "${name}" ${template.versionTag} needs a value for: ${missing.join(', ')}`,
        { name, version: template.versionTag, missing },
      );
    }
    return { text, name: template.name, version: template.version, versionTag: template.versionTag, contentHash: template.contentHash };
  }
}
