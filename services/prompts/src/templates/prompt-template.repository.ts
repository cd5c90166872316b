import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { PromptException, PromptExceptionCode } from './prompt.exception';
import { templateVariables, type PromptTemplate } from './prompt-template';

/** `docs-qa.v2.md` → name `docs-qa`, version 2. */
const VERSIONED_FILE = /^([A-Za-z0-9][A-Za-z0-9_-]*)\.v(\d+)\.[A-Za-z0-9]+$/;

/**
 * Versioned prompt templates read from one directory of `name.vN.ext` files. Other files (a
 * README, editor backups) are ignored. Holds a snapshot; `reload()` re-reads the directory and
 * swaps the snapshot only when the whole directory is valid, so a bad edit never half-applies.
 */
export class PromptTemplateRepository {
  private byName = new Map<string, PromptTemplate[]>();

  private constructor(readonly dir: string) {}

  static async load(dir: string): Promise<PromptTemplateRepository> {
    const repository = new PromptTemplateRepository(path.resolve(dir));
    await repository.reload();
    return repository;
  }

  async reload(): Promise<void> {
    this.byName = await readTemplates(this.dir);
  }

  /** Every version of every template, by name, then version. */
  list(): PromptTemplate[] {
    return [...this.byName.keys()].sort().flatMap((name) => this.byName.get(name)!);
  }

  /** The given version, or the highest-numbered one when `version` is empty. Accepts `2`, `"2"` or `"v2"`. */
  get(name: string, version?: number | string): PromptTemplate {
    const versions = this.byName.get(name);
    if (!versions) {
      throw new PromptException(
        PromptExceptionCode.UNKNOWN_PROMPT,
        `Unknown prompt "${name}"; available prompts: ${[...this.byName.keys()].sort().join(', ') || '(none)'}`,
        { name },
      );
    }
    if (version === undefined || version === '' || version === 'latest') return versions[versions.length - 1]!;
    const wanted = parseVersion(version);
    const found = versions.find((template) => template.version === wanted);
    if (!found) {
      throw new PromptException(
        PromptExceptionCode.UNKNOWN_PROMPT_VERSION,
        `Prompt "${name}" has no version ${JSON.stringify(String(version))}; available versions: ${versions.map((t) => t.versionTag).join(', ')}`,
        { name, version: String(version) },
      );
    }
    return found;
  }
}

function parseVersion(version: number | string): number | undefined {
  if (typeof version === 'number') return version;
  const match = /^v?(\d+)$/i.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

async function readTemplates(dir: string): Promise<Map<string, PromptTemplate[]>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new PromptException(
      PromptExceptionCode.INVALID_PROMPT_DIRECTORY,
      `Cannot read the prompts directory ${dir} (prompts.dir in llmops.yaml): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }

  const byName = new Map<string, PromptTemplate[]>();
  const problems: string[] = [];
  for (const entry of entries) {
    const match = entry.isFile() ? VERSIONED_FILE.exec(entry.name) : null;
    if (!match) continue;
    const source = path.join(dir, entry.name);
    const bytes = await readFile(source);
    const template = bytes.toString('utf8');
    const version = Number(match[2]);
    const loaded: PromptTemplate = {
      name: match[1]!,
      version,
      versionTag: `v${version}`,
      template,
      variables: templateVariables(template),
      source,
      contentHash: createHash('sha256').update(bytes).digest('hex'),
    };
    const versions = byName.get(loaded.name) ?? [];
    const clash = versions.find((existing) => existing.version === version);
    if (clash) problems.push(`${path.basename(clash.source)} and ${entry.name} are both ${loaded.name} v${version}`);
    versions.push(loaded);
    byName.set(loaded.name, versions);
  }
  if (problems.length > 0) {
    throw new PromptException(PromptExceptionCode.INVALID_PROMPT_DIRECTORY, `Invalid prompts directory ${dir}: ${problems.sort().join('; ')}`);
  }
  for (const versions of byName.values()) versions.sort((a, b) => a.version - b.version);
  return byName;
}
