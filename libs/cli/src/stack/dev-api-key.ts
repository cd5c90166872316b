import { hashApiKey } from '@llmops/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The development API key: created once per state directory, kept in a 0600 file, and added
 * to the gateway's keys only as a hash (through LLMOPS_API_KEYS_FILE).
 */
export function ensureDevApiKey(stateDir: string): { key: string; keysFile: string } {
  mkdirSync(stateDir, { recursive: true });
  const keyPath = join(stateDir, 'dev-api-key');
  const key = existsSync(keyPath) ? readFileSync(keyPath, 'utf8').trim() : `sk-llmops-dev-${randomBytes(18).toString('base64url')}`;
  writeFileSync(keyPath, `${key}\n`, { mode: 0o600 });
  const keysFile = join(stateDir, 'api-keys.yaml');
  writeFileSync(
    keysFile,
    [
      '# Written by `llmops up`: the development key, as a hash. The key itself is in dev-api-key.',
      'api_keys:',
      '  - id: dev',
      `    sha256: "${hashApiKey(key)}"`,
      '    tenant: default',
      '    project: playground',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return { key, keysFile };
}
