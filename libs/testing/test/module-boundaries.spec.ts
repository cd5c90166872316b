/**
 * The module boundaries of ARCHITECTURE.md and STYLE.md, checked on the source: a service
 * imports libs, never another service; libs never import services; generated contracts are
 * imported through @llmops/contracts only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');
const SERVICES = readdirSync(join(root, 'services')).filter((name) => statSync(join(root, 'services', name)).isDirectory());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'dist' || entry === 'gen') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1]!);
}

function owner(path: string): string {
  const parts = relative(root, path).split(sep);
  return `${parts[0]}/${parts[1]}`;
}

describe('module boundaries', () => {
  const files = [...sourceFiles(join(root, 'services')), ...sourceFiles(join(root, 'libs'))];

  it('finds the code it checks', () => {
    expect(SERVICES).toHaveLength(9);
    expect(files.length).toBeGreaterThan(100);
  });

  it('no service imports another service, and no lib imports a service', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = owner(file);
      for (const specifier of importsOf(file)) {
        const target = specifier.startsWith('.') ? owner(resolve(file, '..', specifier)) : specifier.startsWith('@llmops/') ? specifier.slice('@llmops/'.length) : undefined;
        if (target === undefined) continue;
        const targetService = target.startsWith('services/') ? target.slice('services/'.length) : SERVICES.includes(target) ? target : undefined;
        if (targetService === undefined || `services/${targetService}` === from) continue;
        violations.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('generated code is reached through @llmops/contracts, never by path', () => {
    const violations = files
      .filter((file) => !file.includes(`${sep}contracts${sep}`))
      .flatMap((file) => importsOf(file).filter((specifier) => specifier.includes('/gen/')).map((specifier) => `${relative(root, file)} imports ${specifier}`));
    expect(violations).toEqual([]);
  });
});
