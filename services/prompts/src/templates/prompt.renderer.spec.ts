import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PromptException, PromptExceptionCode } from './prompt.exception';
import { PromptRenderer } from './prompt.renderer';
import { PromptTemplateRepository } from './prompt-template.repository';

describe('PromptRenderer', () => {
  let dir: string;
  let renderer: PromptRenderer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmops-render-'));
    fs.writeFileSync(path.join(dir, 'greet.v1.md'), 'Hi {{name}}.');
    fs.writeFileSync(path.join(dir, 'greet.v2.md'), 'Hello {{ name }}, welcome to {{product}}. Bye {{name}}.');
    renderer = new PromptRenderer(await PromptTemplateRepository.load(dir));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('substitutes every occurrence and reports the version used', () => {
    const rendered = renderer.render('greet', undefined, { name: 'Ada', product: 'LLMOps', unused: 'x' });
    expect(rendered).toEqual({
      text: 'Hello Ada, welcome to LLMOps. Bye Ada.',
      name: 'greet',
      version: 2,
      versionTag: 'v2',
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(renderer.render('greet', 'v1', { name: 'Ada' }).text).toBe('Hi Ada.');
  });

  it('inserts values literally, without expanding placeholders inside them', () => {
    expect(renderer.render('greet', 2, { name: '{{product}} $& $1', product: 'P' }).text).toBe(
      'Hello {{product}} $& $1, welcome to P. Bye {{product}} $& $1.',
    );
  });

  it('lists every missing variable', () => {
    expect(() => renderer.render('greet', undefined, {})).toThrow(
      new PromptException(PromptExceptionCode.MISSING_VARIABLES, 'Prompt "greet" v2 needs a value for: name, product'),
    );
    try {
      renderer.render('greet', undefined, { product: 'P' });
    } catch (error) {
      expect((error as PromptException).details).toEqual({ name: 'greet', version: 'v2', missing: ['name'] });
    }
  });

  it('does not treat inherited object properties as values', () => {
    fs.writeFileSync(path.join(dir, 'proto.v1.md'), '{{constructor}}');
    return PromptTemplateRepository.load(dir).then((repository) => {
      expect(() => new PromptRenderer(repository).render('proto', undefined, {})).toThrow('needs a value for: constructor');
    });
  });

  it('rejects an unknown template', () => {
    expect(() => renderer.render('nope', undefined, {})).toThrow(expect.objectContaining({ code: PromptExceptionCode.UNKNOWN_PROMPT }));
  });
});
