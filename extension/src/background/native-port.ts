// The ONE port to the native host (io.mxlens.host), as a small explicit state machine:
//
//   disconnected ──need──▶ connecting ──hello reply──▶ connected ──60 s idle──▶ disconnected
//                              │                          │
//                              └─error/exit/timeout─▶ failed ◀─host exited─┘
//   failed ──next need, once the backoff (1 s, 2 s, 4 s … 60 s) is over──▶ connecting
//
// Opened on demand, `hello` first; then verifies go out with fresh ids, several at once, and the
// host's messages are routed back by id. Every verify ends exactly once: done, or a failure
// (host error reply, timeout, host exit) handed to its handlers, never a silent hang. The port's
// listeners are removed whenever the port is left, whatever the reason.

import {
  LIMITS,
  PROTOCOL_VERSION,
  type DoneMessage,
  type HelloRequest,
  type HostMessage,
  type NetworkRoute,
  type ProgressMessage,
  type RequestId,
  type VerificationResult,
  type VerifyRequest,
  type VerifyRequestOptions,
} from '../../../native-host/shared/protocol/messages.js';
import type { HostProblem, HostStatus } from '../shared/status.js';
import type { ApiPort, ApiRuntime } from './browser-api.js';
import type { HostProblems } from './host-errors.js';

/** The host's name in its native messaging manifest (native-host/src/install/manifest.ts HOST_NAME). */
import { HOST_NAME as NATIVE_HOST_NAME } from '../../../native-host/shared/protocol/messages.js';

export { NATIVE_HOST_NAME };
/** An open native port keeps the service worker alive: close it this long after the last reply. */
export const IDLE_CLOSE_MS = 60_000;
export const HANDSHAKE_TIMEOUT_MS = 10_000;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** Verifies sent at once; more wait here (the host allows 16, and one big verify shares sessions better). */
const MAX_VERIFIES_IN_FLIGHT = 4;

export function backoffDelay(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (failures - 1));
}

interface VerifyHandlers {
  /** One result. */
  onResult(index: number, result: VerificationResult): void;
  /** What the checks of these addresses are doing now (PROTOCOL.md, "progress"). */
  onProgress?(stages: ProgressMessage['stages']): void;
  /** All results are in. */
  onDone(done: DoneMessage): void;
  /** The verify could not finish: every index without a result failed for this reason. */
  onFail(problem: HostProblem): void;
}

export interface VerifyCall {
  addresses: string[];
  options: VerifyRequestOptions;
  /** The top-level origin of the page that chose the addresses (VerifyRequest.site); absent when the user asked. */
  site?: string;
  /** The verify fails with host_timeout when the host sends nothing for it (and makes no progress) this long. */
  deadlineMs: number;
  handlers: VerifyHandlers;
}

type Timer = ReturnType<typeof setTimeout>;

interface Pending {
  id: string;
  call: VerifyCall;
  deadline: Timer | null;
}

type State =
  | { name: 'disconnected' }
  | { name: 'connecting'; port: ApiPort; helloId: string; timer: Timer; detach: () => void }
  | {
      name: 'connected';
      port: ApiPort;
      hostVersion: string;
      settingsProblems: Array<{ setting: string; message: string }>;
      detach: () => void;
    }
  | { name: 'failed'; problem: HostProblem; retryAt: number };

export interface NativeHostOptions {
  runtime: Pick<ApiRuntime, 'connectNative' | 'getManifest' | 'lastError'>;
  problems: HostProblems;
  /** Told of every change of state. */
  onStatus?: (status: HostStatus) => void;
  /** Told what the host knows of its network: at hello, then whenever a route changes state (`network` messages). */
  onNetwork?: (routes: NetworkRoute[]) => void;
  log?: (message: string) => void;
}

export class NativeHost {
  private state: State = { name: 'disconnected' };
  /** Consecutive failed attempts; decides the backoff. A successful hello resets it. */
  private failures = 0;
  private sequence = 0;
  /** Waiting for the connection or for a free slot. */
  private queue: Pending[] = [];
  /** Sent, waiting for `done`. */
  private active = new Map<string, Pending>();
  private waiters: Array<(status: HostStatus) => void> = [];
  private idleTimer: Timer | null = null;

  constructor(private readonly options: NativeHostOptions) {}

  status(): HostStatus {
    const state = this.state;
    switch (state.name) {
      case 'disconnected':
        return { state: 'disconnected' };
      case 'connecting':
        return { state: 'connecting' };
      case 'connected':
        return { state: 'connected', hostVersion: state.hostVersion, settingsProblems: state.settingsProblems };
      case 'failed':
        return { state: 'failed', problem: state.problem };
    }
  }

  /**
   * Connects (if not connected) and resolves once the handshake succeeded or failed. While a
   * failure's backoff runs, answers the failure at once unless `force` (the user's "Check again").
   */
  connect(options: { force?: boolean } = {}): Promise<HostStatus> {
    const state = this.state;
    if (state.name === 'connected') {
      this.touchIdle();
      return Promise.resolve(this.status());
    }
    if (state.name === 'failed' && !options.force && Date.now() < state.retryAt) return Promise.resolve(this.status());
    const outcome = new Promise<HostStatus>((resolve) => this.waiters.push(resolve));
    if (state.name !== 'connecting') this.open();
    return outcome;
  }

  /** Sends a verify (connecting first if needed); its handlers hear how it ends. */
  verify(call: VerifyCall): void {
    this.clearIdle();
    this.queue.push({ id: `v${++this.sequence}`, call, deadline: null });
    this.serve();
  }

  /** Closes the port now (idle, or the extension going away). Nothing pending is failed silently. */
  close(): void {
    if (this.state.name === 'connected' || this.state.name === 'connecting') {
      this.leavePort('closed');
      this.failEverything(this.options.problems.crashed('the port was closed'));
      this.setState({ name: 'disconnected' });
    }
  }

  /** For tests and diagnostics. */
  get inFlight(): number {
    return this.active.size + this.queue.length;
  }

  // ---------------------------------------------------------------- the machine

  private serve(): void {
    const state = this.state;
    switch (state.name) {
      case 'connected':
        this.pump();
        break;
      case 'connecting':
        break;
      case 'disconnected':
        this.open();
        break;
      case 'failed':
        if (Date.now() >= state.retryAt) this.open();
        else {
          // Within the backoff: fail now, visibly, rather than wait. (Later, not inside verify().)
          const problem = state.problem;
          queueMicrotask(() => {
            if (this.state.name === 'failed') this.failQueue(problem);
          });
        }
        break;
    }
  }

  private open(): void {
    const { runtime, problems } = this.options;
    let port: ApiPort;
    try {
      port = runtime.connectNative(NATIVE_HOST_NAME);
    } catch (error) {
      this.failConnect(problems.fromBrowserError(errorText(error)));
      return;
    }
    const onMessage = (message: unknown) => {
      if (this.portOf(this.state) === port) this.onHostMessage(message);
    };
    const onDisconnect = (closed: ApiPort) => {
      if (this.portOf(this.state) !== port) return;
      const raw = closed.error?.message || port.error?.message || runtime.lastError?.message || '';
      this.onPortGone(raw);
    };
    port.onMessage.addListener(onMessage);
    port.onDisconnect.addListener(onDisconnect);
    const detach = () => {
      port.onMessage.removeListener(onMessage);
      port.onDisconnect.removeListener(onDisconnect);
    };
    const helloId = `hello${++this.sequence}`;
    const timer = setTimeout(() => {
      if (this.state.name === 'connecting' && this.state.port === port) {
        this.leavePort('handshake timeout');
        this.failConnect(problems.timeout(`no answer to hello within ${HANDSHAKE_TIMEOUT_MS} ms`));
      }
    }, HANDSHAKE_TIMEOUT_MS);
    this.setState({ name: 'connecting', port, helloId, timer, detach });
    const hello: HelloRequest = {
      type: 'hello',
      id: helloId,
      protocol: PROTOCOL_VERSION,
      extension: runtime.getManifest().version,
    };
    this.post(hello);
  }

  private onHostMessage(message: unknown): void {
    if (!isHostMessage(message)) {
      this.options.log?.(`ignored a message from the host that is not one: ${preview(message)}`);
      return;
    }
    const state = this.state;
    if (state.name === 'connecting') {
      if (message.id !== state.helloId) return;
      if (message.type === 'hello') {
        if (message.protocol !== PROTOCOL_VERSION) {
          this.leavePort('protocol mismatch');
          this.failConnect(
            this.options.problems.protocolMismatch(`the host speaks protocol ${message.protocol}`, message.protocol),
          );
          return;
        }
        clearTimeout(state.timer);
        this.failures = 0;
        this.setState({
          name: 'connected',
          port: state.port,
          hostVersion: String(message.version),
          settingsProblems: Array.isArray(message.settingsProblems) ? message.settingsProblems : [],
          detach: state.detach,
        });
        if (Array.isArray(message.network)) this.options.onNetwork?.(message.network);
        this.pump();
        this.touchIdle();
      } else if (message.type === 'error') {
        this.leavePort('hello refused');
        const problems = this.options.problems;
        this.failConnect(
          message.code === 'protocol_mismatch'
            ? problems.protocolMismatch(message.message)
            : problems.refused(message.code, message.message),
        );
      }
      return;
    }
    if (state.name !== 'connected') return;
    switch (message.type) {
      case 'network':
        if (Array.isArray(message.network)) this.options.onNetwork?.(message.network);
        break;
      case 'result': {
        this.progress();
        const pending = this.active.get(String(message.id));
        pending?.call.handlers.onResult(message.index, message.result);
        break;
      }
      case 'progress': {
        this.progress();
        if (Array.isArray(message.stages))
          this.active.get(String(message.id))?.call.handlers.onProgress?.(message.stages);
        break;
      }
      case 'done': {
        const pending = this.active.get(String(message.id));
        if (!pending) break;
        this.finish(pending);
        pending.call.handlers.onDone(message);
        this.afterFinish();
        break;
      }
      case 'error': {
        if (message.id === null) {
          this.options.log?.(`host error without id: ${message.code}: ${message.message}`);
          break;
        }
        const pending = this.active.get(String(message.id));
        if (!pending) break;
        this.finish(pending);
        if (message.code === 'busy') {
          // More verifies than the host runs at once: wait for a free slot and send it again.
          this.queue.unshift({ id: `v${++this.sequence}`, call: pending.call, deadline: null });
        } else {
          pending.call.handlers.onFail(this.options.problems.refused(message.code, message.message));
        }
        this.afterFinish();
        break;
      }
      default:
        break;
    }
  }

  /** The port closed under us: while connecting, the connection failed; once connected, the host died. */
  private onPortGone(raw: string): void {
    const { problems } = this.options;
    if (this.state.name === 'connecting') {
      this.leavePort('disconnected');
      this.failConnect(
        raw ? problems.fromBrowserError(raw) : problems.crashed('the host exited before answering hello'),
      );
      return;
    }
    this.leavePort('disconnected');
    const mapped = raw ? problems.fromBrowserError(raw) : problems.crashed('');
    // Whatever the browser's words, a host that answered hello and then went away has crashed.
    const problem = mapped.code === 'host_crashed' ? mapped : problems.crashed(raw);
    // The first crash after working: reconnect on the very next need. Repeated ones back off.
    const retryAt = Date.now() + (this.failures === 0 ? 0 : backoffDelay(this.failures));
    this.failures++;
    this.setState({ name: 'failed', problem, retryAt });
    this.failEverything(problem);
  }

  private failConnect(problem: HostProblem): void {
    this.failures++;
    this.setState({ name: 'failed', problem, retryAt: Date.now() + backoffDelay(this.failures) });
    this.failEverything(problem);
  }

  /** Leaves the current port: timers stopped, listeners removed, the port closed. */
  private leavePort(why: string): void {
    const state = this.state;
    this.clearIdle();
    if (state.name !== 'connecting' && state.name !== 'connected') return;
    if (state.name === 'connecting') clearTimeout(state.timer);
    state.detach();
    try {
      state.port.disconnect();
    } catch {
      // already gone
    }
    this.options.log?.(`native port left: ${why}`);
    this.state = { name: 'disconnected' };
  }

  private failEverything(problem: HostProblem): void {
    const active = [...this.active.values()];
    this.active.clear();
    for (const pending of active) {
      if (pending.deadline) clearTimeout(pending.deadline);
      pending.call.handlers.onFail(problem);
    }
    this.failQueue(problem);
    const waiters = this.waiters;
    this.waiters = [];
    const status = this.status();
    for (const resolve of waiters) resolve(status);
  }

  private failQueue(problem: HostProblem): void {
    const queued = this.queue;
    this.queue = [];
    for (const pending of queued) pending.call.handlers.onFail(problem);
  }

  private setState(next: State): void {
    this.state = next;
    const status = this.status();
    if (next.name === 'connected' || next.name === 'failed') {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve(status);
    }
    this.options.onStatus?.(status);
  }

  // ---------------------------------------------------------------- requests

  private pump(): void {
    while (this.state.name === 'connected' && this.queue.length > 0 && this.active.size < MAX_VERIFIES_IN_FLIGHT) {
      const pending = this.queue.shift()!;
      this.active.set(pending.id, pending);
      this.arm(pending);
      const request: VerifyRequest = {
        type: 'verify',
        id: pending.id,
        addresses: pending.call.addresses,
        options: pending.call.options,
      };
      // An older host ignores it and sends no progress.
      if (pending.call.handlers.onProgress) request.progress = true;
      if (pending.call.site !== undefined) request.site = pending.call.site;
      this.post(request);
    }
  }

  /** Posts to the current port; a port that throws (Firefox: "Attempt to postMessage on disconnected port") is gone. */
  private post(message: unknown): void {
    const port = this.portOf(this.state);
    if (!port) return;
    try {
      port.postMessage(message);
    } catch (error) {
      this.onPortGone(errorText(error));
    }
  }

  private arm(pending: Pending): void {
    if (pending.deadline) clearTimeout(pending.deadline);
    pending.deadline = setTimeout(() => this.expire(pending), pending.call.deadlineMs);
  }

  /** The host sent a result: it is alive and working, so every verify's deadline starts over. */
  private progress(): void {
    for (const pending of this.active.values()) this.arm(pending);
  }

  private expire(pending: Pending): void {
    if (this.active.get(pending.id) !== pending) return;
    this.finish(pending);
    this.post({ type: 'cancel', id: `c${++this.sequence}`, target: pending.id satisfies RequestId });
    pending.call.handlers.onFail(
      this.options.problems.timeout(`no reply to verify ${pending.id} within ${pending.call.deadlineMs} ms`),
    );
    this.afterFinish();
  }

  private finish(pending: Pending): void {
    if (pending.deadline) clearTimeout(pending.deadline);
    pending.deadline = null;
    this.active.delete(pending.id);
  }

  private afterFinish(): void {
    this.pump();
    this.touchIdle();
  }

  // ---------------------------------------------------------------- idle

  /** (Re)starts the idle countdown when nothing is waiting for the host. */
  private touchIdle(): void {
    this.clearIdle();
    if (this.state.name !== 'connected' || this.active.size > 0 || this.queue.length > 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.state.name === 'connected' && this.active.size === 0 && this.queue.length === 0) {
        this.leavePort('idle');
        this.setState({ name: 'disconnected' });
      }
    }, IDLE_CLOSE_MS);
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private portOf(state: State): ApiPort | null {
    return state.name === 'connecting' || state.name === 'connected' ? state.port : null;
  }
}

function isHostMessage(message: unknown): message is HostMessage {
  if (typeof message !== 'object' || message === null) return false;
  const { type, id } = message as { type?: unknown; id?: unknown };
  if (typeof type !== 'string') return false;
  // Only errors and network reports answer no request (id null).
  if (!(typeof id === 'string' || typeof id === 'number' || (id === null && (type === 'error' || type === 'network'))))
    return false;
  if (type === 'result') {
    const { index, result } = message as { index?: unknown; result?: unknown };
    return typeof index === 'number' && typeof result === 'object' && result !== null;
  }
  return true;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

function preview(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 200);
  } catch {
    return String(value);
  }
}

/** The host's limit, for splitting big batches. */
export const MAX_ADDRESSES_PER_VERIFY = LIMITS.maxAddressesPerRequest;
