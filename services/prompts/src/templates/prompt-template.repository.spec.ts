import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PromptException, PromptExceptionCode } from './prompt.exception';
import { PromptTemplateRepository } from './prompt-template.repository';

describe('PromptTemplateRepository', () => {
  let dir: string;
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmops-prompts-'));
    write('support.v1.md', 'Hello {{ customer }}.\n');
    write('support.v2.md', 'Hello {{customer}}, about {{product}}: {{customer}}\n');
    write('support.v10.txt', 'Tenth: {{product}}\n');
    write('summary.v3.md', 'Summarize.');
    write('README.md', 'not a template');
    fs.mkdirSync(path.join(dir, 'drafts.v1.md'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads name.vN.ext files, ordered by name then numeric version', async () => {
    const repository = await PromptTemplateRepository.load(dir);
    expect(repository.list().map((template) => `${template.name}@${template.versionTag}`)).toEqual([
      'summary@v3',
      'support@v1',
      'support@v2',
      'support@v10',
    ]);
  });

  it('returns the highest version when none is asked for', async () => {
    const repository = await PromptTemplateRepository.load(dir);
    expect(repository.get('support').version).toBe(10);
    expect(repository.get('support', '').version).toBe(10);
    expect(repository.get('support', 'latest').version).toBe(10);
  });

  it('returns a given version, written as 2, "2" or "v2", with its variables, source and hash', async () => {
    const repository = await PromptTemplateRepository.load(dir);
    const expected = {
      name: 'support',
      version: 2,
      versionTag: 'v2',
      template: 'Hello {{customer}}, about {{product}}: {{customer}}\n',
      variables: ['customer', 'product'],
      source: path.join(dir, 'support.v2.md'),
      contentHash: createHash('sha256').update(fs.readFileSync(path.join(dir, 'support.v2.md'))).digest('hex'),
    };
    expect(repository.get('support', 2)).toEqual(expected);
    expect(repository.get('support', '2')).toEqual(expected);
    expect(repository.get('support', 'v2')).toEqual(expected);
  });

  it('names what exists when a prompt or version is unknown', async () => {
    const repository = await PromptTemplateRepository.load(dir);
    expect(() => repository.get('nope')).toThrow(
      new PromptException(PromptExceptionCode.UNKNOWN_PROMPT, 'Unknown prompt "nope"; available prompts: summary, support'),
    );
    try {
      repository.get('support', 'v7');
      throw new Error('expected an exception');
    } catch (error) {
      expect(error).toBeInstanceOf(PromptException);
      expect((error as PromptException).code).toBe(PromptExceptionCode.UNKNOWN_PROMPT_VERSION);
      expect((error as PromptException).message).toBe('Prompt "support" has no version "v7"; available versions: v1, v2, v10');
    }
  });

  it('picks up changed files on reload and keeps the old snapshot when the directory became invalid', async () => {
    const repository = await PromptTemplateRepository.load(dir);
    const before = repository.get('support', 1).contentHash;
    write('support.v1.md', 'Hi {{customer}}!\n');
    write('support.v11.md', 'Eleventh\n');
    await repository.reload();
    expect(repository.get('support', 1).template).toBe('Hi {{customer}}!\n');
    expect(repository.get('support', 1).contentHash).not.toBe(before);
    expect(repository.get('support').version).toBe(11);

    write('support.v11.txt', 'clash');
    await expect(repository.reload()).rejects.toThrow(
      `Invalid prompts directory ${dir}: support.v11.md and support.v11.txt are both support v11`,
    );
    expect(repository.get('support').template).toBe('Eleventh\n');
  });

  it('fails clearly when the directory does not exist', async () => {
    await expect(PromptTemplateRepository.load(path.join(dir, 'missing'))).rejects.toThrow(
      `Cannot read the prompts directory ${path.join(dir, 'missing')} (prompts.dir in llmops.yaml): ENOENT`,
    );
  });
});
