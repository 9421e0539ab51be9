import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DailyQuota, RateLimiter } from '../../native-host/src/server/limits.js';
import { hashKey, KeyStore, SqliteAccountStore } from '../../native-host/src/server/store.js';

// Per-key limits, on a clock the test moves, and the key store on an in-memory database.

function memoryDatabase() {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE usage (key_name TEXT NOT NULL, day TEXT NOT NULL, addresses INTEGER NOT NULL, PRIMARY KEY (key_name, day));
           CREATE TABLE api_keys (name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);`);
  return db;
}

describe('RateLimiter', () => {
  it('allows a burst of the per-minute count, then one more per refill, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a').ok).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').ok).toBe(true);
    now += 1_000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });
});

describe('DailyQuota', () => {
  it('refuses a request that would pass the quota, whole, and starts again the next UTC day', async () => {
    let now = Date.parse('2026-03-01T23:59:00Z');
    const quota = new DailyQuota(new SqliteAccountStore(memoryDatabase()), 10, () => now);
    expect((await quota.take('a', 7)).ok).toBe(true);
    const refused = await quota.take('a', 4);
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 60 });
    expect(refused.ok ? '' : refused.message).toContain('3 left today');
    expect((await quota.take('a', 3)).ok).toBe(true);
    expect((await quota.take('b', 10)).ok).toBe(true);
    now += 60_000;
    expect((await quota.take('a', 10)).ok).toBe(true);
  });
});

describe('KeyStore', () => {
  it('stores a hash, finds the key by it, and forgets a removed key', async () => {
    const db = memoryDatabase();
    const keys = new KeyStore(new SqliteAccountStore(db), [{ name: 'ops', key: 'from-the-environment-123' }]);
    const added = await keys.add('alice');
    if (!added.ok) throw new Error(added.problem);
    const stored = db.prepare('SELECT hash FROM api_keys').all() as Array<{ hash: string }>;
    expect(stored).toEqual([{ hash: hashKey(added.key) }]);
    expect(await keys.lookup(added.key)).toBe('alice');
    expect(await keys.lookup('from-the-environment-123')).toBe('env:ops');
    expect(await keys.lookup(`${added.key}x`)).toBeNull();
    expect(await keys.add('alice')).toMatchObject({ ok: false });
    expect(await keys.add('bad name')).toMatchObject({ ok: false });
    expect(await keys.remove('alice')).toBe(true);
    expect(await keys.lookup(added.key)).toBeNull();
  });
});
