// The parts of a fake browser extension API that every extension unit test shares: events, ports
// and storage, with the browser's own semantics (structured clones, change events). The background
// fake (test/unit/background-fake-browser.ts, an injected BackgroundApi with a scripted native
// host) and the pages' fake (test/unit/pages-fake-browser.ts, webextension-polyfill's `browser`)
// are both built from these.

export class FakeEvent<L extends (...args: never[]) => unknown> {
  private readonly listeners = new Set<L>();
  addListener(listener: L): void {
    this.listeners.add(listener);
  }
  removeListener(listener: L): void {
    this.listeners.delete(listener);
  }
  hasListener(listener: L): boolean {
    return this.listeners.has(listener);
  }
  emit(...args: Parameters<L>): Array<ReturnType<L>> {
    return [...this.listeners].map((listener) => listener(...args) as ReturnType<L>);
  }
  get count(): number {
    return this.listeners.size;
  }
}

export interface PortSender {
  tab?: { id?: number; url?: string };
  frameId?: number;
  url?: string;
}

/** One end of a port as the extension sees it (posting `Sent` messages); the test plays the other end. */
export class FakePort<Sent = unknown> {
  onMessage = new FakeEvent<(message: unknown, port: FakePort<Sent>) => void>();
  onDisconnect = new FakeEvent<(port: FakePort<Sent>) => void>();
  error: { message: string } | null = null;
  /** Everything the extension posted, in order. */
  sent: Sent[] = [];
  /** The extension called disconnect(). */
  disconnectedByExtension = false;
  closed = false;
  /** Hears what the extension posts (e.g. a scripted host). */
  peer: ((message: unknown) => void) | null = null;

  constructor(
    public name: string,
    public sender?: PortSender,
  ) {}

  postMessage(message: Sent): void {
    if (this.closed) throw new Error('Attempt to postMessage on disconnected port');
    const copy = structuredClone(message);
    this.sent.push(copy);
    this.peer?.(copy);
  }

  disconnect(): void {
    this.disconnectedByExtension = true;
    this.closed = true;
  }

  /** The other end sends a message. */
  receive(message: unknown): void {
    if (this.closed) return;
    this.onMessage.emit(structuredClone(message), this);
  }

  /** The other end goes away; Firefox-style, the reason in port.error. */
  drop(errorMessage?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.error = errorMessage ? { message: errorMessage } : null;
    this.onDisconnect.emit(this);
  }

  /** Messages posted of one kind (`type` for the host, `kind` for extension ports). */
  sentOf<T = Record<string, unknown>>(field: 'type' | 'kind', value: string): T[] {
    return this.sent.filter((m) => (m as Record<string, unknown>)[field] === value) as unknown as T[];
  }
}

export type StorageChanges = Record<string, { oldValue?: unknown; newValue?: unknown }>;

/** storage.local / storage.session: values kept as structured clones; `changed` hears every change. */
export class FakeStorageArea {
  data = new Map<string, unknown>();
  writes = 0;
  changed?: (changes: StorageChanges) => void;

  async get(keys?: null | string | string[]): Promise<Record<string, unknown>> {
    const wanted =
      keys === null || keys === undefined ? [...this.data.keys()] : typeof keys === 'string' ? [keys] : keys;
    const out: Record<string, unknown> = {};
    for (const key of wanted) if (this.data.has(key)) out[key] = structuredClone(this.data.get(key));
    return out;
  }
  async set(items: Record<string, unknown>): Promise<void> {
    this.writes++;
    const changes: StorageChanges = {};
    for (const [key, value] of Object.entries(items)) {
      changes[key] = { oldValue: this.data.get(key), newValue: structuredClone(value) };
      this.data.set(key, structuredClone(value));
    }
    this.changed?.(changes);
  }
  async remove(keys: string | string[]): Promise<void> {
    const changes: StorageChanges = {};
    for (const key of typeof keys === 'string' ? [keys] : keys) {
      if (this.data.has(key)) changes[key] = { oldValue: this.data.get(key) };
      this.data.delete(key);
    }
    if (Object.keys(changes).length > 0) this.changed?.(changes);
  }

  /** What is stored under `key` (for assertions). */
  peek(key: string): unknown {
    return this.data.get(key);
  }
  /** Stores `items` as they were before the code under test ran (no change events). */
  fill(items: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(items)) this.data.set(key, structuredClone(value));
  }
}
