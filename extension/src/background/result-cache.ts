// Results remembered in storage.local, one key per address and partition
// ("result:<partition> <address>") plus one small index (key → when stored, oldest first) that
// keeps the count under a cap. A partition is USER_PARTITION for the user's own checks, or the
// top-level origin of the pages that asked: a page never gets an answer checked for another
// site or for the user, so it cannot learn by timing what they checked. How long a result
// stays good is decided when it is read, from the current settings: a change of the TTL applies
// at once. Writes are gathered for a moment and stored together (results come in bursts).

import { parseAddress } from '../../../native-host/shared/address/syntax.js';
import type { VerificationResult } from '../../../native-host/shared/protocol/messages.js';
import type { CheckDepth } from '../shared/messages.js';
import type { ExtensionSettings } from '../shared/settings.js';
import type { ApiStorageArea } from './browser-api.js';

export const ENTRY_PREFIX = 'result:';
export const INDEX_KEY = 'resultIndex';
export const MAX_ENTRIES = 5_000;
/** Unknown verdicts (greylisted, timeout, DNS failure…) are worth asking again soon. */
export const UNKNOWN_TTL_MS = 10 * 60_000;
const FLUSH_DELAY_MS = 250;

export interface CacheEntry {
  result: VerificationResult;
  /** How deep the check went (a DNS-level result does not answer an SMTP question). */
  depth: CheckDepth;
  storedAt: number;
}

/**
 * The cache key: the engine's normalized form (local part as written, domain as lower-case
 * A-labels), so "a@Bücher.example" from the popup and "a@xn--bcher-kva.example" from a badge are
 * one entry. What the engine rejects keeps a trimmed, lower-case domain: the host answers it.
 */
export function normalizeAddress(address: string): string {
  const text = address.trim();
  const parsed = parseAddress(text);
  if (parsed.ok) return parsed.normalized;
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  return `${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}`;
}

/** The partition of the checks the user asked for (popup, context menu, a click on a badge). */
export const USER_PARTITION = 'user';

/** The cache key: the partition (never contains a space), a space, the normalized address. */
export function scopedKey(partition: string, normalizedAddress: string): string {
  return `${partition} ${normalizedAddress}`;
}

export function splitScopedKey(key: string): { partition: string; address: string } {
  const space = key.indexOf(' ');
  return space < 0
    ? { partition: USER_PARTITION, address: key }
    : { partition: key.slice(0, space), address: key.slice(space + 1) };
}

/** Does a result of a check `done` this deep answer a question `wanted` this deep? */
export function answers(done: CheckDepth, result: VerificationResult, wanted: CheckDepth): boolean {
  // A DNS-level check that already decided (no such domain, null MX…) needs no SMTP step.
  return done === 'smtp' || wanted === 'dns' || result.reason !== 'dns_only';
}

/**
 * A check cut short by a cancel says nothing about the address; nor does MX Lens's own budget's
 * "not now" (no server reply): remembered, it would outlast its retryAfterMs.
 */
function saysNothing(result: VerificationResult): boolean {
  return (
    (result.reason === 'timeout' && /cancel/i.test(result.detail)) ||
    (result.reason === 'rate_limited' && result.smtp === null)
  );
}

/** How long a result stays good under these settings; 0 when results are not kept. */
function ttlFor(result: VerificationResult, settings: ExtensionSettings): number {
  if (saysNothing(result)) return 0;
  const ttl = Math.max(0, settings.cacheTtlMinutes) * 60_000;
  const settled = result.verdict !== 'unknown' || result.reason === 'dns_only' || result.reason === 'syntax_only';
  return settled ? ttl : Math.min(ttl, UNKNOWN_TTL_MS);
}

export class ResultCache {
  /** address → storedAt, in storage order (oldest first). Loaded once. */
  private index: Map<string, number> | null = null;
  private loading: Promise<Map<string, number>> | null = null;
  /** Written soon: entries to set, keys to remove. */
  private unsaved = new Map<string, CacheEntry>();
  private unremoved = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: ApiStorageArea,
    private readonly settings: () => ExtensionSettings,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /** The good results among these keys (scopedKey), for a question this deep. */
  async getMany(keys: readonly string[], depth: CheckDepth): Promise<Map<string, VerificationResult>> {
    const found = new Map<string, VerificationResult>();
    if (keys.length === 0) return found;
    const index = await this.load();
    const wanted = keys.filter((key) => index.has(key));
    if (wanted.length === 0) return found;
    const fromMemory = new Map<string, CacheEntry>();
    const toRead: string[] = [];
    for (const key of wanted) {
      const entry = this.unsaved.get(key);
      if (entry) fromMemory.set(key, entry);
      else toRead.push(key);
    }
    const stored = toRead.length > 0 ? await this.storage.get(toRead.map((key) => ENTRY_PREFIX + key)) : {};
    const now = Date.now();
    const settings = this.settings();
    const expired: string[] = [];
    for (const key of wanted) {
      const entry = fromMemory.get(key) ?? asEntry(stored[ENTRY_PREFIX + key]);
      if (!entry) continue;
      if (now - entry.storedAt >= ttlFor(entry.result, settings)) {
        expired.push(key);
        continue;
      }
      if (answers(entry.depth, entry.result, depth)) found.set(key, entry.result);
    }
    if (expired.length > 0) this.drop(expired);
    return found;
  }

  async get(key: string, depth: CheckDepth): Promise<VerificationResult | null> {
    return (await this.getMany([key], depth)).get(key) ?? null;
  }

  /** Remembers a result; the oldest entries go when there are more than the cap. */
  async put(key: string, depth: CheckDepth, result: VerificationResult): Promise<void> {
    if (ttlFor(result, this.settings()) <= 0) return;
    const index = await this.load();
    const previous = this.unsaved.get(key);
    // A DNS-level result must not replace a fresher SMTP-level one of the same address.
    if (depth === 'dns' && previous?.depth === 'smtp') return;
    const entry: CacheEntry = { result: slim(result), depth, storedAt: Date.now() };
    index.delete(key);
    index.set(key, entry.storedAt);
    this.unsaved.set(key, entry);
    this.unremoved.delete(key);
    const over = index.size - this.maxEntries;
    if (over > 0) this.drop([...index.keys()].slice(0, over));
    this.scheduleFlush();
  }

  /** Forgets everything; returns how many results were forgotten. */
  async clear(): Promise<number> {
    const index = await this.load();
    const keys = [...index.keys()];
    index.clear();
    this.unsaved.clear();
    this.unremoved.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.flushing;
    await this.storage.remove([INDEX_KEY, ...keys.map((key) => ENTRY_PREFIX + key)]);
    return keys.length;
  }

  async size(): Promise<number> {
    return (await this.load()).size;
  }

  /** Writes what is waiting now (the timer does it otherwise). */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const index = this.index;
    if (!index || (this.unsaved.size === 0 && this.unremoved.size === 0)) return this.flushing;
    const items: Record<string, unknown> = { [INDEX_KEY]: Object.fromEntries(index) };
    for (const [key, entry] of this.unsaved) items[ENTRY_PREFIX + key] = entry;
    const removals = [...this.unremoved].map((key) => ENTRY_PREFIX + key);
    this.unsaved.clear();
    this.unremoved.clear();
    const previous = this.flushing;
    this.flushing = (async () => {
      await previous;
      if (removals.length > 0) await this.storage.remove(removals);
      await this.storage.set(items);
    })().catch((error: unknown) => {
      console.warn('MX Lens: could not store results:', error);
    });
    return this.flushing;
  }

  private drop(keys: readonly string[]): void {
    const index = this.index;
    for (const key of keys) {
      index?.delete(key);
      this.unsaved.delete(key);
      this.unremoved.add(key);
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  private load(): Promise<Map<string, number>> {
    if (this.index) return Promise.resolve(this.index);
    this.loading ??= this.storage.get(INDEX_KEY).then(
      (stored) => {
        const raw = stored[INDEX_KEY];
        const index = new Map<string, number>();
        if (typeof raw === 'object' && raw !== null) {
          const pairs = Object.entries(raw as Record<string, unknown>).filter(
            (pair): pair is [string, number] => typeof pair[1] === 'number',
          );
          pairs.sort((a, b) => a[1] - b[1]);
          for (const [key, storedAt] of pairs) index.set(key, storedAt);
        }
        this.index ??= index;
        return this.index;
      },
      (error: unknown) => {
        this.loading = null;
        throw error;
      },
    );
    return this.loading;
  }
}

function asEntry(value: unknown): CacheEntry | null {
  if (typeof value !== 'object' || value === null) return null;
  const entry = value as Partial<CacheEntry>;
  if (typeof entry.storedAt !== 'number' || (entry.depth !== 'dns' && entry.depth !== 'smtp')) return null;
  if (typeof entry.result !== 'object' || entry.result === null) return null;
  return entry as CacheEntry;
}

/** The SMTP transcript is for --verbose diagnostics, not worth storage. */
function slim(result: VerificationResult): VerificationResult {
  if (!result.transcript) return result;
  const { transcript: _transcript, ...rest } = result;
  return rest;
}
