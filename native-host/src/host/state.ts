import { Budgets } from '../engine/budgets.js';
import type { VerifyOptions } from '../engine/options.js';
import { describeRoute, NetworkWatch } from '../engine/network-watch.js';
import { port25SecondOpinion } from '../doctor/port25-opinion.js';
import type { HostMessage, RequestId, SettingsProblem } from '../../shared/protocol/messages.js';
import { EnginePool } from './engine-pool.js';
import type { HostLog } from './log.js';

// What the host keeps while the browser holds the port open: the handshake, the running
// verifies, the budgets (one set for the whole process, whoever asks) and the engines (DNS cache,
// catch-all memory, per-MX connection limits live in a Verifier, so one is kept per requesting
// site and distinct options set: engine-pool.ts). Results are not kept here: the extension's background owns
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
      log.warn(
        `network: outbound ${describeRoute(route)} is ${route.state}${route.servers.length ? ` (connects timed out to ${route.servers.join(', ')})` : ''}`,
      );
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
