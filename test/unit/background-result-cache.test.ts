import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ENTRY_PREFIX,
  INDEX_KEY,
  MAX_ENTRIES,
  normalizeAddress,
  ResultCache,
  UNKNOWN_TTL_MS,
} from '../../extension/src/background/result-cache.js';
import { DEFAULT_SETTINGS, type ExtensionSettings } from '../../extension/src/shared/settings.js';
import { FakeStorageArea, greylisted, makeResult } from './background-fake-browser.js';

let settings: ExtensionSettings;
let storage: FakeStorageArea;
let cache: ResultCache;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
  settings = { ...DEFAULT_SETTINGS };
  storage = new FakeStorageArea();
  cache = new ResultCache(storage, () => settings);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the result cache', () => {
  it('keys by address with the domain in lower case', () => {
    expect(normalizeAddress('  Alice@Example.ORG ')).toBe('Alice@example.org');
    expect(normalizeAddress('no-at-sign')).toBe('no-at-sign');
    expect(normalizeAddress('Jürgen@Bücher.Example')).toBe('Jürgen@xn--bcher-kva.example');
    expect(MAX_ENTRIES).toBe(5_000);
  });

  it('miss, then hit; stored in storage.local under its own key, with an index', async () => {
    expect(await cache.get('a@example.org', 'smtp')).toBeNull();
    await cache.put('a@example.org', 'smtp', makeResult('a@example.org'));
    expect(await cache.get('a@example.org', 'smtp')).toMatchObject({
      address: 'a@example.org',
      verdict: 'deliverable',
    });
    expect(await cache.get('b@example.org', 'smtp')).toBeNull();

    await cache.flush();
    expect(storage.data.get(`${ENTRY_PREFIX}a@example.org`)).toMatchObject({
      depth: 'smtp',
      result: { verdict: 'deliverable' },
    });
    expect(Object.keys(storage.data.get(INDEX_KEY) as object)).toEqual(['a@example.org']);

    // Another life of the background reads it back.
    const reborn = new ResultCache(storage, () => settings);
    expect(await reborn.get('a@example.org', 'smtp')).toMatchObject({ verdict: 'deliverable' });
  });

  it('gathers a burst of results into one write', async () => {
    for (let i = 0; i < 20; i++) await cache.put(`u${i}@example.org`, 'smtp', makeResult(`u${i}@example.org`));
    expect(storage.writes).toBe(0);
    await vi.advanceTimersByTimeAsync(300);
    expect(storage.writes).toBe(1);
    expect(await cache.size()).toBe(20);
  });

  it('a definitive result lives for the TTL in the settings; an unknown one 10 minutes', async () => {
    await cache.put('ok@example.org', 'smtp', makeResult('ok@example.org'));
    await cache.put('grey@example.org', 'smtp', greylisted('grey@example.org'));
    await cache.flush();

    vi.advanceTimersByTime(UNKNOWN_TTL_MS - 1);
    expect(await cache.get('grey@example.org', 'smtp')).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(await cache.get('grey@example.org', 'smtp')).toBeNull();
    expect(await cache.get('ok@example.org', 'smtp')).not.toBeNull();

    vi.advanceTimersByTime(settings.cacheTtlMinutes * 60_000);
    expect(await cache.get('ok@example.org', 'smtp')).toBeNull();
    // Expired entries are removed.
    await cache.flush();
    expect(storage.data.has(`${ENTRY_PREFIX}ok@example.org`)).toBe(false);
    expect(await cache.size()).toBe(0);
  });

  it('keeps nothing of a cancelled check or of our own budget saying "not now"', async () => {
    const cancelled = makeResult('c@example.org', {
      verdict: 'unknown',
      reason: 'timeout',
      detail: 'The check was cancelled.',
    });
    const overBudget = makeResult('b@example.org', {
      verdict: 'unknown',
      reason: 'rate_limited',
      smtp: null,
      retryAfterMs: 30_000,
    });
    const serverSaidSlowDown = makeResult('s@example.org', {
      verdict: 'unknown',
      reason: 'rate_limited',
      smtp: { code: 451, enhanced: '4.7.1', message: 'slow down' },
      retryAfterMs: 30_000,
    });
    for (const result of [cancelled, overBudget, serverSaidSlowDown]) await cache.put(result.address, 'smtp', result);
    expect(await cache.get('c@example.org', 'smtp')).toBeNull();
    expect(await cache.get('b@example.org', 'smtp')).toBeNull();
    expect(await cache.get('s@example.org', 'smtp')).toMatchObject({ reason: 'rate_limited' });
  });

  it('a shorter TTL in the settings applies to what is stored already; 0 keeps nothing', async () => {
    await cache.put('ok@example.org', 'smtp', makeResult('ok@example.org'));
    vi.advanceTimersByTime(6 * 60_000);
    settings = { ...settings, cacheTtlMinutes: 5 };
    expect(await cache.get('ok@example.org', 'smtp')).toBeNull();

    settings = { ...settings, cacheTtlMinutes: 0 };
    await cache.put('new@example.org', 'smtp', makeResult('new@example.org'));
    expect(await cache.get('new@example.org', 'smtp')).toBeNull();
  });

  it('a DNS-level result answers a DNS question, not an SMTP one (unless DNS already decided)', async () => {
    await cache.put(
      'dns@example.org',
      'dns',
      makeResult('dns@example.org', { verdict: 'unknown', reason: 'dns_only', smtp: null }),
    );
    await cache.put(
      'gone@nowhere.test',
      'dns',
      makeResult('gone@nowhere.test', { verdict: 'undeliverable', reason: 'no_such_domain', smtp: null }),
    );
    await cache.put('full@example.org', 'smtp', makeResult('full@example.org'));
    expect(await cache.get('dns@example.org', 'dns')).not.toBeNull();
    expect(await cache.get('dns@example.org', 'smtp')).toBeNull();
    expect(await cache.get('gone@nowhere.test', 'smtp')).toMatchObject({ reason: 'no_such_domain' });
    expect(await cache.get('full@example.org', 'dns')).not.toBeNull();
    // dns_only is not "unknown" in the TTL sense: it lives the full TTL.
    vi.advanceTimersByTime(UNKNOWN_TTL_MS + 1);
    expect(await cache.get('dns@example.org', 'dns')).not.toBeNull();
  });

  it('clear forgets everything and says how many', async () => {
    await cache.put('a@example.org', 'smtp', makeResult('a@example.org'));
    await cache.put('b@example.org', 'smtp', makeResult('b@example.org'));
    await cache.flush();
    await cache.put('c@example.org', 'smtp', makeResult('c@example.org'));
    expect(await cache.clear()).toBe(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect([...storage.data.keys()]).toEqual([]);
    expect(await cache.get('a@example.org', 'smtp')).toBeNull();
    expect(await cache.clear()).toBe(0);
  });

  it('keeps at most the cap, dropping the oldest', async () => {
    const small = new ResultCache(storage, () => settings, 3);
    for (const name of ['a', 'b', 'c']) {
      await small.put(`${name}@example.org`, 'smtp', makeResult(`${name}@example.org`));
      vi.advanceTimersByTime(1_000);
    }
    await small.flush();
    // Refreshing "a" makes "b" the oldest.
    await small.put('a@example.org', 'smtp', makeResult('a@example.org'));
    vi.advanceTimersByTime(1_000);
    await small.put('d@example.org', 'smtp', makeResult('d@example.org'));
    await small.flush();
    expect(await small.size()).toBe(3);
    expect(await small.get('b@example.org', 'smtp')).toBeNull();
    for (const name of ['a', 'c', 'd']) expect(await small.get(`${name}@example.org`, 'smtp')).not.toBeNull();
    expect(storage.data.has(`${ENTRY_PREFIX}b@example.org`)).toBe(false);
    expect(Object.keys(storage.data.get(INDEX_KEY) as object).sort()).toEqual([
      'a@example.org',
      'c@example.org',
      'd@example.org',
    ]);
  });

  it('drops the transcript before storing', async () => {
    await cache.put('v@example.org', 'smtp', makeResult('v@example.org', { transcript: ['S: 220 hi', 'C: EHLO x'] }));
    await cache.flush();
    const stored = storage.data.get(`${ENTRY_PREFIX}v@example.org`) as { result: Record<string, unknown> };
    expect(stored.result).not.toHaveProperty('transcript');
  });
});
