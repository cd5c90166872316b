import { callerKeyOf, RedactionVault } from './redaction-vault';

describe('RedactionVault', () => {
  const ann = callerKeyOf({ tenantId: 't1', projectId: 'p1', userId: 'ann', apiKeyId: 'k1' });
  const bob = callerKeyOf({ tenantId: 't1', projectId: 'p1', userId: 'bob', apiKeyId: 'k1' });
  let now = 1_000;
  const clock = { now: () => now };

  it('restores placeholders for the caller that stored them, and for no one else', () => {
    const vault = new RedactionVault({ ttlMs: 60_000, maxEntries: 10, clock });
    const id = vault.put(ann, new Map([['[EMAIL_1]', 'ann@example.com']]));
    expect(vault.restore(id, ann, 'Sent to [EMAIL_1], not [EMAIL_2].')).toBe('Sent to ann@example.com, not [EMAIL_2].');
    expect(vault.restore(id, bob, 'Sent to [EMAIL_1].')).toBeUndefined();
    expect(vault.restore('unknown', ann, 'Sent to [EMAIL_1].')).toBeUndefined();
  });

  it('forgets entries after their time to live', () => {
    const vault = new RedactionVault({ ttlMs: 60_000, maxEntries: 10, clock });
    const id = vault.put(ann, new Map([['[PHONE_1]', '+44 20 7946 0958']]));
    now += 60_001;
    expect(vault.restore(id, ann, '[PHONE_1]')).toBeUndefined();
    expect(vault.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const vault = new RedactionVault({ ttlMs: 60_000, maxEntries: 2, clock });
    const first = vault.put(ann, new Map([['[EMAIL_1]', 'a@x.io']]));
    vault.put(ann, new Map([['[EMAIL_1]', 'b@x.io']]));
    const third = vault.put(ann, new Map([['[EMAIL_1]', 'c@x.io']]));
    expect(vault.size).toBe(2);
    expect(vault.restore(first, ann, '[EMAIL_1]')).toBeUndefined();
    expect(vault.restore(third, ann, '[EMAIL_1]')).toBe('c@x.io');
  });
});
