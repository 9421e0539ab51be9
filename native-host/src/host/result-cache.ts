// The host's recent results, per partition and options set: a repeated question within minutes
// is answered without asking a mail server again.

import type { VerificationResult } from '../engine/result.js';

const DEFINITIVE_TTL_MS = 30 * 60_000;
const SYNTAX_TTL_MS = 30 * 60_000;
const UNKNOWN_TTL_MS = 2 * 60_000;
const MAX_CACHED = 20_000;

/** Recent results per (partition and options key, address): 30 min for a definitive verdict, 2 min for an unknown one. */
export class ResultCache {
  private readonly entries = new Map<string, { result: VerificationResult; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(optionsKey: string, address: string): VerificationResult | undefined {
    const key = `${optionsKey}\n${address}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.result;
  }

  set(optionsKey: string, address: string, result: VerificationResult): void {
    const ttl = ttlFor(result);
    if (ttl <= 0) return;
    const key = `${optionsKey}\n${address}`;
    this.entries.delete(key);
    this.entries.set(key, { result, expires: this.now() + ttl });
    while (this.entries.size > MAX_CACHED) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

function ttlFor(result: VerificationResult): number {
  if (result.reason === 'syntax_only') return SYNTAX_TTL_MS;
  if (result.verdict !== 'unknown') return DEFINITIVE_TTL_MS;
  // A check cut short by a cancel says nothing about the address.
  if (result.reason === 'timeout' && /cancel/i.test(result.detail)) return 0;
  // Nor does our own budget's "not now" (no server reply): remembered, it would outlast its retryAfterMs.
  if (result.reason === 'rate_limited' && result.smtp === null) return 0;
  return UNKNOWN_TTL_MS;
}
