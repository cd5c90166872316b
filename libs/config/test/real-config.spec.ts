import * as path from 'node:path';
import { loadPlatformConfig } from '@llmops/config';

// The repository's own llmops.yaml must always pass the schema that every service boots with.
describe('the repository llmops.yaml', () => {
  const repoRoot = path.resolve(__dirname, '../../..');

  it('loads and cross-checks cleanly', () => {
    const config = loadPlatformConfig({ env: {}, cwd: path.join(repoRoot, 'libs', 'config') });
    expect(config.source).toBe(path.join(repoRoot, 'llmops.yaml'));
    expect(config.routes.map((route) => route.name)).toContain('default');
    expect(config.models.find((model) => model.id === 'gpt-4o-mini')?.price).toEqual({
      inputPerMtok: 0.15,
      outputPerMtok: 0.6,
      cachedInputPerMtok: 0.075,
    });
    expect(config.prompts.dir).toBe(path.join(repoRoot, 'prompts'));
  });
});
