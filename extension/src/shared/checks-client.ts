// The one client of the checks port (CHECKS_PORT), for the content script and the popup. Check
// requests made in the same burst go out as one message per depth; results stream back as
// events. When the port drops (the service worker was stopped), it reconnects and asks again
// for everything unanswered, so no row or badge stays "Checking".

import type { CheckDepth, CheckTrigger, PortEvent, PortRequest } from './messages.js';

/** The part of runtime.Port this client uses (a fake in tests). */
export interface ChecksPort {
  postMessage(message: PortRequest): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export interface ChecksClientOptions {
  /** runtime.connect({ name: CHECKS_PORT }); throws when the extension was reloaded or removed. */
  connect: () => ChecksPort;
  onEvent: (event: PortEvent) => void;
  /** Runs `flush` once the current burst of requests is over (default: right after this task). */
  schedule?: (flush: () => void) => void;
  /** Delay before reconnect attempt number `attempt` (0, 1, …). */
  reconnectDelayMs?: (attempt: number) => number;
  /** The extension is gone (context invalidated): nothing will ever be answered. */
  onDead?: () => void;
}

/** Most addresses in one message; the host accepts far more, a port message should stay small. */
const CHUNK = 500;
const RECONNECT_DELAYS = [100, 500, 1_000, 2_000, 5_000, 10_000];

interface Wanted {
  depth: CheckDepth;
  force: boolean;
  trigger: CheckTrigger;
}

export class ChecksClient {
  private port: ChecksPort | null = null;
  /** Asked for in this frame, not sent yet. */
  private readonly queued = new Map<string, Wanted>();
  /** Sent, not answered yet: re-sent after a reconnect. */
  private readonly pending = new Map<string, Wanted>();
  private flushScheduled = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private dead = false;
  private closed = false;
  /** open() was called: stay connected even with nothing pending, to hear status events. */
  private stayConnected = false;
  private readonly schedule: (flush: () => void) => void;
  private readonly delay: (attempt: number) => number;

  constructor(private readonly options: ChecksClientOptions) {
    this.schedule = options.schedule ?? afterThisTask;
    this.delay =
      options.reconnectDelayMs ??
      ((attempt) => RECONNECT_DELAYS[Math.min(attempt, RECONNECT_DELAYS.length - 1)] ?? 10_000);
  }

  /** Connects now and keeps a port open (reconnecting after a drop) until close(). */
  open(): void {
    if (this.dead || this.closed) return;
    this.stayConnected = true;
    this.ensurePort();
  }

  check(address: string, depth: CheckDepth, force = false, trigger: CheckTrigger = 'auto'): void {
    if (this.dead || this.closed) return;
    this.queued.set(address, merge(this.queued.get(address), { depth, force, trigger }));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.schedule(() => this.flush());
    }
  }

  /** Sends what is queued now (normally called by the scheduler). */
  flush(): void {
    this.flushScheduled = false;
    if (this.queued.size === 0 || this.dead || this.closed) return;
    const batch = new Map(this.queued);
    this.queued.clear();
    for (const [address, wanted] of batch) this.pending.set(address, merge(this.pending.get(address), wanted));
    if (!this.ensurePort()) return; // pending is re-sent on reconnect
    this.send(batch);
  }

  /** Addresses sent and not answered. */
  get unanswered(): string[] {
    return [...this.pending.keys()];
  }

  close(): void {
    this.closed = true;
    this.queued.clear();
    this.pending.clear();
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const port = this.port;
    this.port = null;
    try {
      port?.disconnect();
    } catch {
      // already gone
    }
  }

  private send(batch: Map<string, Wanted>): void {
    const groups = new Map<string, { wanted: Wanted; addresses: string[] }>();
    for (const [address, wanted] of batch) {
      const key = `${wanted.depth}|${wanted.force}|${wanted.trigger}`;
      let group = groups.get(key);
      if (!group) {
        group = { wanted, addresses: [] };
        groups.set(key, group);
      }
      group.addresses.push(address);
    }
    for (const { wanted, addresses } of groups.values()) {
      for (let i = 0; i < addresses.length; i += CHUNK) {
        const request: PortRequest = {
          kind: 'check',
          addresses: addresses.slice(i, i + CHUNK),
          depth: wanted.depth,
          trigger: wanted.trigger,
        };
        if (wanted.force) request.force = true;
        try {
          this.port?.postMessage(request);
        } catch {
          this.dropPort(); // the port died under us: onDisconnect may not fire; retry later
          return;
        }
      }
    }
  }

  private ensurePort(): boolean {
    if (this.port) return true;
    if (this.reconnectTimer !== null) return false;
    let port: ChecksPort;
    try {
      port = this.options.connect();
    } catch {
      this.dead = true;
      this.pending.clear();
      this.options.onDead?.();
      return false;
    }
    this.port = port;
    port.onMessage.addListener((message) => {
      if (this.port !== port) return;
      this.attempts = 0;
      this.receive(message);
    });
    port.onDisconnect.addListener(() => {
      if (this.port === port) this.dropPort();
    });
    return true;
  }

  private dropPort(): void {
    this.port = null;
    if (this.closed || this.dead) return;
    if (this.pending.size === 0 && !this.stayConnected) return; // reconnect lazily, with the next check
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.attempts++;
      if (this.ensurePort()) this.send(new Map(this.pending));
    }, this.delay(this.attempts));
  }

  private receive(message: unknown): void {
    if (!isPortEvent(message)) return;
    if (message.kind === 'result') {
      const wanted = this.pending.get(message.address);
      // A DNS-only answer does not settle a mailbox check still on its way.
      if (!(wanted?.depth === 'smtp' && message.result.reason === 'dns_only')) this.pending.delete(message.address);
    } else if (message.kind === 'failed' || message.kind === 'skipped') {
      this.pending.delete(message.address);
    }
    this.options.onEvent(message);
  }
}

function merge(old: Wanted | undefined, wanted: Wanted): Wanted {
  if (!old) return wanted;
  return {
    depth: old.depth === 'smtp' || wanted.depth === 'smtp' ? 'smtp' : 'dns',
    force: old.force || wanted.force,
    // The user asking too makes it the user's check.
    trigger: old.trigger === 'user' || wanted.trigger === 'user' ? 'user' : 'auto',
  };
}

function isPortEvent(value: unknown): value is PortEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as { kind?: unknown; address?: unknown; result?: unknown; status?: unknown };
  if (event.kind === 'result')
    return typeof event.address === 'string' && typeof event.result === 'object' && event.result !== null;
  if (event.kind === 'failed')
    return typeof event.address === 'string' && typeof event.status === 'object' && event.status !== null;
  if (event.kind === 'skipped') return typeof event.address === 'string';
  if (event.kind === 'network') return typeof (value as { port25Blocked?: unknown }).port25Blocked === 'boolean';
  if (event.kind === 'stage') {
    const stage = (value as { stage?: unknown }).stage;
    return typeof event.address === 'string' && typeof stage === 'object' && stage !== null;
  }
  return event.kind === 'status' && typeof event.status === 'object' && event.status !== null;
}

/**
 * Right after the current task: the requests one task makes (an observer callback placing the
 * badges on screen) go out together, without waiting a frame for it.
 */
function afterThisTask(callback: () => void): void {
  setTimeout(callback, 0);
}
