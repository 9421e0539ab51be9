import { Budgets } from '../engine/budgets.js';
import type { VerifyOptions } from '../engine/options.js';
import type { SessionGate } from '../engine/mx-scheduler.js';
import { Verifier, type IndexedResult, type StageListener } from '../engine/verifier.js';
import { describeRoute, NetworkWatch } from '../engine/network-watch.js';
import { port25SecondOpinion } from '../doctor/checks.js';
import type { HostMessage, RequestId, SettingsProblem } from '../../shared/protocol/messages.js';
import type { HostLog } from './log.js';

// What the host keeps while the browser holds the port open: the handshake, the running
// verifies, the budgets (one set for the whole process, whoever asks) and the engines (DNS cache,
// catch-all memory, per-MX connection limits live in a Verifier, so one is kept per requesting
// site and distinct options set). Results are not kept here: the extension's background owns
// the result cache and the greylisting re-checks (PROTOCOL.md, "Caching and re-checks"), since
// its storage and alarms outlive this process, which ends a minute after the port goes quiet.
//
// Partitions: what a web page caused to be looked up (DNS answers, catch-all memory)
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
  }

  /** Aborts every running verify; resolves when the verifies have ended (or after `graceMs`). */
  async shutdown(graceMs: number): Promise<void> {
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
 * Every Verifier draws on the same budgets.
 */
export class EnginePool {
  private readonly byKey = new Map<string, Verifier>();

  constructor(
    private readonly budgets: Budgets,
    private readonly network: NetworkWatch = new NetworkWatch(),
    private readonly gate: SessionGate | null = null,
  ) {}

  get(options: VerifyOptions, site: string | null = null): { key: string; verifier: Verifier } {
    const key = `${partitionOf(site)}\n${optionsKey(options)}`;
    let verifier = this.byKey.get(key);
    if (verifier) this.byKey.delete(key);
    else verifier = new Verifier(options, { budgets: this.budgets, site, network: this.network, gate: this.gate });
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
  onStage?: StageListener,
): Promise<'done' | 'aborted'> {
  if (signal.aborted) return 'aborted';
  const results = verifier.verify(addresses, signal, onStage);
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
      onResult(step.value);
    }
  } finally {
    stopAbortWait();
  }
}
