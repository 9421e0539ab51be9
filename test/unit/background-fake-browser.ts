// A test double of the browser API the background uses (extension/src/background/browser-api.ts),
// built from the shared fake parts (test/harness/fake-browser.ts: events, ports, storage), with a
// native port that plays a scripted host. Only the browser is faked here: the real host is tested
// against real mail servers in test/integration.

import type { RequestId, VerificationResult, VerifyRequest } from '../../native-host/shared/protocol/messages.js';
import type {
  ApiAlarms,
  ApiContextMenus,
  ApiPort,
  ApiStorage,
  ApiTabs,
  BackgroundApi,
  MenuClickInfo,
  MessageSender,
} from '../../extension/src/background/browser-api.js';
import type { ContentRequest } from '../../extension/src/shared/messages.js';
import { browserGetMessage } from './locale-messages.js';
import { FakeEvent, FakePort, FakeStorageArea } from '../harness/fake-browser.js';
import { greylisted, makeResult } from '../harness/results.js';

export { FakePort, FakeStorageArea, greylisted, makeResult };

// ------------------------------------------------------------------ the scripted host

type VerifyScript = (request: VerifyRequest, host: HostSide) => void;

/** What a script can make the host do on its port. */
export interface HostSide {
  port: FakePort;
  send(message: unknown): void;
  result(id: RequestId, index: number, result: VerificationResult, extra?: Record<string, unknown>): void;
  done(id: RequestId, count: number, extra?: Record<string, unknown>): void;
  /** The host process exits; the browser reports it its own way. */
  exit(browserMessage?: string): void;
}

export type BrowserStyle = 'chrome' | 'firefox';

/**
 * Plays the native host behind runtime.connectNative: answers hello (or refuses it), and hands
 * verifies to `onVerify` (default: every address deliverable at once, then done). Replies are
 * asynchronous, as from a real process.
 */
class ScriptedHost {
  ports: FakePort[] = [];
  connects = 0;
  /** When set, connecting fails with this browser error (the host is missing, forbidden…). */
  connectError: string | null = null;
  /** When set, hello is answered with this error instead. */
  helloError: { code: string; message: string } | null = null;
  /** Hello goes unanswered. */
  silent = false;
  version = '0.1.0';
  protocol = 1;
  settingsProblems: Array<{ setting: string; message: string }> = [];
  /** The hello reply's `network` (what the host knows of its routes). */
  network: unknown[] = [];
  onVerify: VerifyScript = (request, host) => {
    request.addresses.forEach((address, index) => host.result(request.id, index, makeResult(address)));
    host.done(request.id, request.addresses.length);
  };
  verifies: VerifyRequest[] = [];
  cancels: Array<{ id: RequestId; target: RequestId }> = [];

  constructor(
    private readonly runtime: { lastError?: { message?: string } | null },
    public style: BrowserStyle = 'chrome',
  ) {}

  get port(): FakePort | undefined {
    return this.ports[this.ports.length - 1];
  }

  connect(name: string): FakePort {
    this.connects++;
    const port = new FakePort(name);
    this.ports.push(port);
    const side = this.side(port);
    if (this.connectError !== null) {
      const error = this.connectError;
      queueMicrotask(() => side.exit(error));
      return port;
    }
    port.peer = (message) => {
      const request = message as { type: string; id: RequestId } & Record<string, unknown>;
      queueMicrotask(() => {
        if (port.closed) return;
        if (request.type === 'hello') {
          if (this.silent) return;
          if (this.helloError) side.send({ type: 'error', id: request.id, ...this.helloError });
          else
            side.send({
              type: 'hello',
              id: request.id,
              protocol: this.protocol,
              version: this.version,
              capabilities: ['verify', 'cancel', 'site', 'network'],
              limits: {
                maxFrameBytes: 1048576,
                maxAddressesPerRequest: 10000,
                maxConcurrentRequests: 16,
                maxIdLength: 200,
              },
              settingsProblems: this.settingsProblems,
              network: this.network,
            });
        } else if (request.type === 'verify') {
          this.verifies.push(request as unknown as VerifyRequest);
          this.onVerify(request as unknown as VerifyRequest, side);
        } else if (request.type === 'cancel') {
          this.cancels.push({ id: request.id, target: request.target as RequestId });
        }
      });
    };
    return port;
  }

  side(port: FakePort): HostSide {
    const send = (message: unknown) => port.receive(message);
    return {
      port,
      send,
      result: (id, index, result, extra = {}) => send({ type: 'result', id, index, result, ...extra }),
      done: (id, count, extra = {}) => send({ type: 'done', id, count, ...extra }),
      exit: (browserMessage) => {
        if (port.closed) return;
        if (this.style === 'chrome') {
          // Chrome: the reason is in runtime.lastError while onDisconnect runs.
          this.runtime.lastError = browserMessage ? { message: browserMessage } : null;
          port.closed = true;
          port.onDisconnect.emit(port);
          this.runtime.lastError = null;
        } else {
          port.drop(browserMessage);
        }
      },
    };
  }

  /** The live port's host side (the last one connected). */
  get current(): HostSide {
    const port = this.port;
    if (!port) throw new Error('the host was never connected');
    return this.side(port);
  }
}

// ------------------------------------------------------------------ storage, alarms, menus, tabs

function fakeStorage(): ApiStorage & {
  local: FakeStorageArea;
  session: FakeStorageArea;
  onChanged: FakeEvent<Parameters<ApiStorage['onChanged']['addListener']>[0]>;
} {
  const local = new FakeStorageArea();
  const session = new FakeStorageArea();
  const onChanged = new FakeEvent<Parameters<ApiStorage['onChanged']['addListener']>[0]>();
  local.changed = (changes) => queueMicrotask(() => onChanged.emit(changes, 'local'));
  session.changed = (changes) => queueMicrotask(() => onChanged.emit(changes, 'session'));
  return { local, session, onChanged };
}

class FakeAlarms implements ApiAlarms {
  alarms = new Map<string, { name: string; scheduledTime: number }>();
  onAlarm = new FakeEvent<(alarm: { name: string; scheduledTime: number }) => void>();
  create(name: string, info: { when: number }): Promise<void> {
    this.alarms.set(name, { name, scheduledTime: info.when });
    return Promise.resolve();
  }
  clear(name: string): Promise<boolean> {
    return Promise.resolve(this.alarms.delete(name));
  }
  /** Fires (and removes) an alarm as the browser would when its time came. */
  fire(name: string): void {
    const alarm = this.alarms.get(name);
    if (!alarm) throw new Error(`no alarm ${name}`);
    this.alarms.delete(name);
    this.onAlarm.emit(alarm);
  }
}

class FakeContextMenus implements ApiContextMenus {
  items: Array<Parameters<ApiContextMenus['create']>[0]> = [];
  onClicked = new FakeEvent<(info: MenuClickInfo, tab?: { id?: number }) => void>();
  create(properties: Parameters<ApiContextMenus['create']>[0]): string {
    if (this.items.some((item) => item.id === properties.id))
      throw new Error(`Cannot create item with duplicate id ${properties.id}`);
    this.items.push(properties);
    return properties.id;
  }
  async removeAll(): Promise<void> {
    this.items = [];
  }
}

class FakeTabs implements ApiTabs {
  messages: Array<{ tabId: number; message: ContentRequest; frameId?: number }> = [];
  created: Array<{ url: string }> = [];
  /** Tabs without a content script: sendMessage rejects like the browser does. */
  unreachable = new Set<number>();
  /** What the focused frame has selected (get-selection); null: no frame answers. */
  selection: string | null = null;
  async sendMessage(tabId: number, message: ContentRequest, options?: { frameId?: number }): Promise<unknown> {
    if (this.unreachable.has(tabId)) throw new Error('Could not establish connection. Receiving end does not exist.');
    this.messages.push({ tabId, message: structuredClone(message), frameId: options?.frameId });
    if (message.kind === 'get-selection') return this.selection === null ? undefined : { text: this.selection };
    return { shown: true };
  }
  async create(properties: { url: string }): Promise<unknown> {
    this.created.push(properties);
    return { id: 99, ...properties };
  }
}

// ------------------------------------------------------------------ the whole browser

export const EXTENSION_ID = 'nlgehacbapefahfcfpmmmhnkpbghfklm';

export interface FakeBrowser extends BackgroundApi {
  host: ScriptedHost;
  storage: ReturnType<typeof fakeStorage>;
  alarms: FakeAlarms;
  contextMenus: FakeContextMenus;
  commands: { onCommand: FakeEvent<(command: string, tab?: { id?: number }) => void> };
  tabs: FakeTabs;
  runtime: BackgroundApi['runtime'] & {
    onConnect: FakeEvent<(port: ApiPort) => void>;
    onMessage: FakeEvent<(message: unknown, sender: MessageSender) => Promise<unknown> | true | void>;
    onInstalled: FakeEvent<(details: { reason: string; previousVersion?: string }) => void>;
    onStartup: FakeEvent<() => void>;
  };
  /** Translations the fake i18n knows ($1… filled in), over the English locale as the browser falls back to it. */
  translations: Record<string, string>;
  /** A content script or page connects to the background. */
  connect(name: string, sender?: FakePort['sender']): FakePort;
}

export function fakeBrowser(options: { style?: BrowserStyle; version?: string } = {}): FakeBrowser {
  const style = options.style ?? 'chrome';
  const runtime = {
    id: style === 'chrome' ? EXTENSION_ID : 'mxlens@mxlens.io',
    lastError: null as { message?: string } | null,
    connectNative: (name: string) => host.connect(name),
    getManifest: () => ({ version: options.version ?? '0.1.0' }),
    getURL: (path: string) =>
      `${style === 'chrome' ? `chrome-extension://${EXTENSION_ID}` : 'moz-extension://2b7c4b53-0c52-4f4e-9f55-1d1a4c5e0f00'}/${path}`,
    onConnect: new FakeEvent<(port: ApiPort) => void>(),
    onMessage: new FakeEvent<(message: unknown, sender: MessageSender) => Promise<unknown> | true | void>(),
    onInstalled: new FakeEvent<(details: { reason: string; previousVersion?: string }) => void>(),
    onStartup: new FakeEvent<() => void>(),
  };
  const host = new ScriptedHost(runtime, style);
  const translations: Record<string, string> = {};
  const browser: FakeBrowser = {
    host,
    runtime,
    storage: fakeStorage(),
    alarms: new FakeAlarms(),
    contextMenus: new FakeContextMenus(),
    commands: { onCommand: new FakeEvent<(command: string, tab?: { id?: number }) => void>() },
    tabs: new FakeTabs(),
    translations,
    i18n: {
      getMessage: (name, substitutions) => {
        const text = translations[name];
        if (text === undefined) return browserGetMessage('en')(name, substitutions);
        const subs =
          substitutions === undefined ? [] : typeof substitutions === 'string' ? [substitutions] : substitutions;
        return text.replace(/\$([1-9])/g, (_, n: string) => subs[Number(n) - 1] ?? '');
      },
    },
    connect(name, sender = { tab: { id: 1, url: 'https://example.com/' }, frameId: 0, url: 'https://example.com/' }) {
      const port = new FakePort(name, sender);
      runtime.onConnect.emit(port);
      return port;
    },
  };
  return browser;
}

/** Lets queued microtasks and due timers run (works with and without fake timers). */
export async function settle(ms = 0): Promise<void> {
  const { vi } = await import('vitest');
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(ms);
  else {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
