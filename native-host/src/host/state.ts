import { Budgets } from '../engine/budgets.js';
import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../engine/result.js';
import { Verifier, type IndexedResult } from '../engine/verifier.js';
import { describeRoute, NetworkWatch } from '../engine/network-watch.js';
import { port25SecondOpinion } from '../doctor/port25-opinion.js';
import type { HostMessage, RequestId, SettingsProblem } from '../protocol/messages.js';
import type { HostLog } from './log.js';

// What the host keeps while the browser holds the port open: the handshake, the running
// verifies, the budgets (one set for the whole process, whoever asks), the engines (DNS cache,
// catch-all memory, per-MX connection limits live in a Verifier, so one is kept per requesting
// site and distinct options set), recent results, and the re-check queue.
//
// Partitions: what a web page caused to be looked up (results, DNS answers, catch-all memory)
// is remembered for that page's site only, so no page can tell by the timing of an answer
// whether the user, or another site, checked an address recently. The user's own checks
// (popup, context menu) share the "user" partition.

export interface HostSettings {
  verify: VerifyOptions;
  logFile: string;
  problems: SettingsProblem[];
  /** Whose mail server to test port 25 against when a first connect hangs (none: no such test). */
  probeDomain?: string;
  /** An MX Lens server (MXLENS_SERVER) that does the checks instead of this machine. */
  server?: { url: string | null; key: string | null };
}

export type Send = (message: HostMessage) => void;

export interface Job {
  id: RequestId;
  controller: AbortController;
  /** Settles once the verify has sent its last frame (`done` or `error`). */
  finished: Promise<void>;
}

/** Map key for a request id: 7 and "7" are different ids. */
export function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

export class HostState {
  /** Set by a successful hello; until then only hello is served. */
  handshake: { extension: string } | null = null;
  readonly jobs = new Map<string, Job>();
  readonly budgets: Budgets;
  /** What every check of this process learns about the network (port 25 blocked?). */
  readonly network: NetworkWatch;
  readonly engines: EnginePool;
  readonly cache = new ResultCache();
  readonly rechecks: RecheckQueue;

  constructor(
    readonly settings: HostSettings,
    readonly send: Send,
    readonly log: HostLog,
  ) {
    this.budgets = new Budgets(settings.verify.budgets);
    const secondOpinion = settings.probeDomain ? port25SecondOpinion(settings.probeDomain, settings.verify) : null;
    this.network = new NetworkWatch({ secondOpinion });
    this.engines = new EnginePool(this.budgets, this.network);
    this.network.onChange((route) => {
      log.warn(`network: outbound ${describeRoute(route)} is ${route.state}${route.servers.length ? ` (connects timed out to ${route.servers.join(', ')})` : ''}`);
      // Before the handshake the extension is not listening yet; hello carries the state.
      if (this.handshake) send({ type: 'network', id: null, network: this.network.reports() });
    });
    this.rechecks = new RecheckQueue(this.engines, this.cache, send, log);
  }

  /** Aborts every running verify and drops pending re-checks; resolves when the verifies have ended (or after `graceMs`). */
  async shutdown(graceMs: number): Promise<void> {
    this.rechecks.clear();
    const running = [...this.jobs.values()];
    for (const job of running) job.controller.abort();
    await Promise.race([
      Promise.allSettled(running.map((job) => job.finished)),
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
  }
}

// ---------------------------------------------------------------- engines

const MAX_ENGINES = 8;

/** The user's partition: a site is always an http(s) origin, so it never collides with this. */
const USER_PARTITION = 'user';

/** Where a request's results and lookups are remembered: its site's partition, or the user's. */
export function partitionOf(site: string | null | undefined): string {
  return site ?? USER_PARTITION;
}

/**
 * One long-lived Verifier per (partition, options set), least recently used dropped past 8.
 * Every Verifier draws on the same budgets. The key doubles as the result-cache key prefix.
 */
export class EnginePool {
  private readonly byKey = new Map<string, Verifier>();

  constructor(
    private readonly budgets: Budgets,
    private readonly network: NetworkWatch = new NetworkWatch(),
  ) {}

  get(options: VerifyOptions, site: string | null = null): { key: string; verifier: Verifier } {
    const key = `${partitionOf(site)}\n${optionsKey(options)}`;
    let verifier = this.byKey.get(key);
    if (verifier) this.byKey.delete(key);
    else verifier = new Verifier(options, { budgets: this.budgets, site, network: this.network });
    this.byKey.set(key, verifier);
    while (this.byKey.size > MAX_ENGINES) this.byKey.delete(this.byKey.keys().next().value!);
    return { key, verifier };
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** The same options, written in any key order, give the same key. */
export function optionsKey(options: VerifyOptions): string {
  return stableJson(options);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Runs the verifier over `addresses` and hands each result to `onResult` until the verifier is
 * done or `signal` aborts. Returns at once on abort, even while the engine is still busy
 * (a DNS query does not listen to the signal); results after the abort are dropped.
 */
export async function streamResults(
  verifier: Verifier,
  addresses: readonly string[],
  signal: AbortSignal,
  onResult: (item: IndexedResult) => void,
): Promise<'done' | 'aborted'> {
  if (signal.aborted) return 'aborted';
  const results = verifier.verifyInBatches(addresses, signal);
  let stopAbortWait = () => {};
  const aborted = new Promise<'aborted'>((resolve) => {
    const onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    stopAbortWait = () => signal.removeEventListener('abort', onAbort);
  });
  try {
    for (;;) {
      const next = results.next();
      next.catch(() => undefined); // a rejection after an abort has no one left to hear it
      const step = await Promise.race([next, aborted]);
      if (step === 'aborted' || signal.aborted) {
        void results.return(undefined).catch(() => undefined);
        return 'aborted';
      }
      if (step.done) return 'done';
      for (const item of step.value) onResult(item);
    }
  } finally {
    stopAbortWait();
  }
}

// ---------------------------------------------------------------- result cache

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

// ---------------------------------------------------------------- re-check queue

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
