import * as path from 'node:path';
import { loadPlatformConfig } from '@llmops/config';
import { PromptRenderer } from '../src/templates/prompt.renderer';
import { PromptTemplateRepository } from '../src/templates/prompt-template.repository';

// The templates shipped in the repository's prompts/ directory, found through llmops.yaml.
describe('the repository prompts', () => {
  it('load from prompts.dir and render docs-qa at its latest version', async () => {
    const config = loadPlatformConfig({ env: {}, cwd: path.resolve(__dirname, '..') });
    const repository = await PromptTemplateRepository.load(config.prompts.dir);
    const latest = repository.get('docs-qa');
    expect(latest.versionTag).toBe('v2');
    expect(latest.variables).toEqual(['product']);
    expect(repository.list().filter((template) => template.name === 'docs-qa').map((template) => template.version)).toEqual([1, 2]);

    const rendered = new PromptRenderer(repository).render('docs-qa', undefined, { product: 'LLMOps mesh' });
    expect(rendered.text).toContain('You answer questions about LLMOps mesh using only the passages provided.');
    expect(rendered.text).not.toContain('{{');
  });
});
