import { serverKey, type Budgets } from './budgets.js';
import { MxToleranceMemory } from './mx-tolerance.js';
import { NetworkWatch } from './network-watch.js';
import type { VerifyOptions } from './options.js';
import type { CheckStage } from '../../shared/protocol/messages.js';
import {
  runSession,
  timeoutOutcome,
  type NoAnswer,
  type ProbeOutcome,
  type Recipient,
  type Target,
} from './smtp/probe-domain.js';

// SMTP sessions are scheduled per mail server address, not per domain: thousands of domains
// share one MX (Google Workspace, Microsoft 365, hosting providers), and one session carries
// recipients of all of them. At most `connectionsPerHost` sessions run at once per address and
// `concurrency` in all. A recipient's time budget runs only while it is being asked (DNS, or a
// session carrying it), never while it waits for a free slot.

/** Sessions one recipient may go through before its last failure is its answer. */
const SESSIONS_PER_RECIPIENT = 3;
/** Less budget than this left: not worth a new session. */
const MIN_BUDGET_MS = 50;

export interface SmtpJob extends Recipient {
  /** Mail server addresses to try, in order (MX preference, then address order). */
  targets: Target[];
  /** Time left for this address. */
  budgetMs: number;
  /** Told when the check enters a stage (connecting, in the SMTP dialogue, waiting out greylisting). */
  stage?(stage: CheckStage): void;
  /** Called once, with the answer (or the last failure). */
  done(outcome: ProbeOutcome): void;
}

/** A job on its way: also the recipient its sessions carry (so no lookup finds it again). */
interface JobState extends Recipient {
  job: SmtpJob;
  /** The job's own list until a target is added (a plain-text retry after STARTTLS failed). */
  targets: readonly Target[];
  targetIndex: number;
  budgetMs: number;
  /** Set while a session carries it. */
  deadline: number;
  sessions: number;
  desyncs: number;
  greylistLeftMs: number;
  finished: boolean;
}

/**
 * Sessions counted beyond this process too (workers on several machines sharing one per-server
 * limit): `hold` runs the session once the shared count for the server has room for it.
 */
export interface SessionGate {
  hold(serverIp: string, session: () => Promise<void>): Promise<void>;
}

export interface CatchAllMemory {
  known(domain: string): boolean | null;
  learn(domain: string, catchAll: boolean): void;
}

interface ServerQueue {
  key: string;
  target: Target;
  waiting: JobState[];
  /** Sessions running for this queue: it stays while they may hand recipients back. */
  sessions: number;
}

export class MxScheduler {
  private readonly queues = new Map<string, ServerQueue>();
  private readonly runningPerIp = new Map<string, number>();
  private running = 0;
  private pumpScheduled = false;

  constructor(
    private readonly options: VerifyOptions,
    private readonly catchAll: CatchAllMemory,
    private readonly budgets: Budgets,
    readonly network: NetworkWatch = new NetworkWatch(),
    readonly tolerance: MxToleranceMemory = new MxToleranceMemory(),
    private readonly gate: SessionGate | null = null,
  ) {}

  /** Asks for one address; `job.done` is called exactly once. */
  submit(job: SmtpJob, signal?: AbortSignal): void {
    const state: JobState = {
      mailbox: job.mailbox,
      domain: job.domain,
      needsSmtpUtf8: job.needsSmtpUtf8,
      job,
      targets: job.targets,
      targetIndex: 0,
      budgetMs: job.budgetMs,
      deadline: 0,
      sessions: 0,
      desyncs: 0,
      greylistLeftMs: this.options.greylistWaitMs,
      finished: false,
    };
    if (state.targets.length === 0 || state.budgetMs < MIN_BUDGET_MS) {
      this.finish(state, timeoutOutcome(signal));
      return;
    }
    this.enqueue(state, signal);
    // Addresses submitted together (a domain's, or several domains' resolved in the same
    // tick) start together, so the first session carries all of them.
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump(signal);
    });
  }

  private enqueue(state: JobState, signal: AbortSignal | undefined, first = false): void {
    if (signal?.aborted) return this.finish(state, timeoutOutcome(signal));
    const target = state.targets[state.targetIndex]!;
    const key = `${target.ip} ${target.startTls ? 'tls' : 'plain'}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { key, target, waiting: [], sessions: 0 };
      this.queues.set(key, queue);
    }
    if (first) queue.waiting.unshift(state);
    else queue.waiting.push(state);
  }

  /** Starts sessions while slots are free, one server after another. */
  private pump(signal: AbortSignal | undefined): void {
    let started = true;
    while (started && this.running < this.options.concurrency) {
      started = false;
      for (const queue of this.queues.values()) {
        if (this.running >= this.options.concurrency) break;
        if (queue.waiting.length === 0) {
          if (queue.sessions === 0) this.queues.delete(queue.key);
          continue;
        }
        const ip = queue.target.ip;
        if ((this.runningPerIp.get(ip) ?? 0) >= this.options.connectionsPerHost) continue;
        this.start(queue, signal);
        started = true;
      }
    }
  }

  private start(queue: ServerQueue, signal: AbortSignal | undefined): void {
    const ip = queue.target.ip;
    this.running++;
    queue.sessions++;
    this.runningPerIp.set(ip, (this.runningPerIp.get(ip) ?? 0) + 1);
    const end = () => {
      this.running--;
      queue.sessions--;
      const left = (this.runningPerIp.get(ip) ?? 1) - 1;
      if (left === 0) this.runningPerIp.delete(ip);
      else this.runningPerIp.set(ip, left);
      this.pump(signal);
    };
    // runSession takes its first batch before its first await, so the queue is up to date
    // when pump() looks at it again. Behind a gate, a session waiting for its slot takes its
    // batch once it has one (a later session may find nothing left, and ends at once).
    const session = () =>
      runSession<JobState>({
        target: queue.target,
        options: this.options,
        tolerance: this.tolerance,
        budgets: this.budgets,
        network: this.network,
        signal,
        take: () => this.take(queue),
        hasWaiting: () => queue.waiting.length > 0,
        deadlineOf: (state) => state.deadline,
        stage: (state, stage) => state.job.stage?.(stage),
        catchAllOf: (domain) => this.catchAll.known(domain),
        learnCatchAll: (domain, value) => this.catchAll.learn(domain, value),
        answered: (state, outcome) => this.answered(state, outcome, signal),
        unanswered: (state, failure, why) => this.unanswered(state, failure, why, signal),
      });
    // runSession hands every recipient back, whatever happens
    (this.gate ? this.gate.hold(serverKey(ip), session) : session()).then(end, end);
  }

  private take(queue: ServerQueue): JobState | null {
    const state = queue.waiting.shift();
    if (!state) return null;
    state.deadline = Date.now() + state.budgetMs;
    state.sessions++;
    return state;
  }

  private answered(state: JobState, outcome: ProbeOutcome, signal: AbortSignal | undefined): void {
    this.spend(state);
    const wait = greylistWait(outcome, state.greylistLeftMs);
    if (wait === null || signal?.aborted) return this.finish(state, outcome);
    // Waiting out a greylisting delay is asked for (--greylist-wait); it is not the budget.
    state.greylistLeftMs -= wait;
    state.sessions = 0;
    state.job.stage?.({ stage: 'greylisted', host: outcome.mx ?? '', waitMs: wait });
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      this.enqueue(state, signal);
      this.pump(signal);
    }, wait);
    const onAbort = () => {
      clearTimeout(timer);
      this.finish(state, outcome);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  }

  private unanswered(state: JobState, failure: ProbeOutcome, why: NoAnswer, signal: AbortSignal | undefined): void {
    this.spend(state);
    if (signal?.aborted || state.budgetMs < MIN_BUDGET_MS) return this.finish(state, failure);
    switch (why) {
      case 'target':
        state.targetIndex++;
        if (state.targetIndex >= state.targets.length) return this.finish(state, failure);
        state.sessions = 0;
        break;
      case 'no-tls': {
        const target = state.targets[state.targetIndex]!;
        state.targets = state.targets.toSpliced(state.targetIndex + 1, 0, { ...target, startTls: false });
        state.targetIndex++;
        state.sessions = 0;
        break;
      }
      case 'desync':
        if (++state.desyncs >= 2) return this.finish(state, failure);
        break;
      case 'later':
        state.sessions--;
        break;
      case 'cut':
        if (state.sessions >= SESSIONS_PER_RECIPIENT) return this.finish(state, failure);
        break;
    }
    this.enqueue(state, signal, true);
  }

  /** The budget used by the session that carried this recipient. */
  private spend(state: JobState): void {
    state.budgetMs = Math.max(0, state.deadline - Date.now());
  }

  private finish(state: JobState, outcome: ProbeOutcome): void {
    if (state.finished) return;
    state.finished = true;
    state.job.done(outcome);
  }
}

/** How long to wait before asking a greylisted address again, or null to stop here. */
function greylistWait(outcome: ProbeOutcome, leftMs: number): number | null {
  if (outcome.reason !== 'greylisted' || leftMs <= 0) return null;
  const stated = outcome.retryAfterMs ?? 0;
  const wait = stated > 0 ? stated + 500 : leftMs;
  return wait <= leftMs ? wait : null;
}
