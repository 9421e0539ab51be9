// Greylisting: addresses whose server said "try again in N seconds" are checked again then, and
// the new result goes to every verify that asked.

import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../engine/result.js';
import type { RequestId } from '../protocol/messages.js';
import type { EnginePool } from './engine-pool.js';
import type { HostLog } from './log.js';
import type { ResultCache } from './result-cache.js';
import { idKey } from './request-id.js';
import type { Send } from './state.js';
import { streamResults } from './stream-results.js';

const MAX_PENDING_RECHECKS = 200;
const MAX_RECHECKS_PER_ADDRESS = 2;
/** Added to the server's stated delay: greylisting counts from its own first sighting. */
const RECHECK_MARGIN_MS = 1_000;
const MAX_RECHECK_DELAY_MS = 60 * 60_000;
const MAX_REMEMBERED_ADDRESSES = 10_000;

interface RecheckTarget {
  id: RequestId;
  index: number;
}

interface Recheck {
  optionsKey: string;
  options: VerifyOptions;
  site: string | null;
  address: string;
  /** Every (verify id, index) waiting for this address's re-check. */
  targets: RecheckTarget[];
  timer: ReturnType<typeof setTimeout> | null;
  controller: AbortController;
}

/**
 * Greylisted addresses with a stated delay are checked again after it, and the new result is
 * pushed as `result` with `recheck: true` to each verify that asked about the address.
 * Bounded: at most 200 addresses pending, at most 2 re-checks per address for the life of the port.
 */
export class RecheckQueue {
  private readonly pending = new Map<string, Recheck>();
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly engines: EnginePool,
    private readonly cache: ResultCache,
    private readonly send: Send,
    private readonly log: HostLog,
  ) {}

  /** Queues a re-check when `result` calls for one; true when `target` will get one. */
  offer(target: RecheckTarget, options: VerifyOptions, site: string | null, optionsKey: string, result: VerificationResult): boolean {
    if (result.reason !== 'greylisted' || result.retryAfterMs === undefined) return false;
    const key = `${optionsKey}\n${result.address}`;
    const queued = this.pending.get(key);
    if (queued) {
      if (!queued.targets.some((t) => idKey(t.id) === idKey(target.id) && t.index === target.index)) queued.targets.push(target);
      return true;
    }
    const done = this.attempts.get(key) ?? 0;
    if (done >= MAX_RECHECKS_PER_ADDRESS || this.pending.size >= MAX_PENDING_RECHECKS) return false;
    this.attempts.delete(key);
    this.attempts.set(key, done + 1);
    while (this.attempts.size > MAX_REMEMBERED_ADDRESSES) this.attempts.delete(this.attempts.keys().next().value!);

    const delay = Math.min(MAX_RECHECK_DELAY_MS, Math.max(0, result.retryAfterMs) + RECHECK_MARGIN_MS);
    const recheck: Recheck = { optionsKey, options, site, address: result.address, targets: [target], timer: null, controller: new AbortController() };
    recheck.timer = setTimeout(() => void this.run(key, recheck), delay);
    recheck.timer.unref();
    this.pending.set(key, recheck);
    this.log.info(`re-check of a greylisted address queued in ${delay} ms (attempt ${done + 1})`);
    return true;
  }

  /** How many addresses of verify `id` wait for a re-check. */
  pendingFor(id: RequestId): number {
    const wanted = idKey(id);
    let count = 0;
    for (const recheck of this.pending.values()) count += recheck.targets.filter((t) => idKey(t.id) === wanted).length;
    return count;
  }

  /** Drops verify `id`'s re-checks; a re-check nobody else waits for is stopped. Returns how many were dropped. */
  cancelFor(id: RequestId): number {
    const wanted = idKey(id);
    let dropped = 0;
    for (const [key, recheck] of this.pending) {
      const before = recheck.targets.length;
      recheck.targets = recheck.targets.filter((t) => idKey(t.id) !== wanted);
      dropped += before - recheck.targets.length;
      if (recheck.targets.length === 0) this.stop(key, recheck);
    }
    return dropped;
  }

  clear(): void {
    for (const [key, recheck] of this.pending) this.stop(key, recheck);
  }

  get size(): number {
    return this.pending.size;
  }

  private stop(key: string, recheck: Recheck): void {
    if (recheck.timer) clearTimeout(recheck.timer);
    recheck.controller.abort();
    this.pending.delete(key);
  }

  private async run(key: string, recheck: Recheck): Promise<void> {
    recheck.timer = null;
    let fresh: VerificationResult | null = null;
    try {
      const { verifier } = this.engines.get(recheck.options, recheck.site);
      await streamResults(verifier, [recheck.address], recheck.controller.signal, ({ result }) => (fresh = result));
    } catch (error) {
      this.log.error('re-check failed:', error);
    }
    if (this.pending.get(key) !== recheck) return; // cancelled meanwhile
    this.pending.delete(key);
    if (!fresh || recheck.controller.signal.aborted) return;
    const result: VerificationResult = fresh;
    this.cache.set(recheck.optionsKey, recheck.address, result);
    for (const target of recheck.targets) {
      this.send({ type: 'result', id: target.id, index: target.index, result, recheck: true });
    }
    for (const target of recheck.targets) this.offer(target, recheck.options, recheck.site, recheck.optionsKey, result);
  }
}
