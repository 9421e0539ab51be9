// A test double of the browser extension API (webextension-polyfill's `browser`), for the
// extension pages' tests. Test files mock the module with:
//   vi.mock('webextension-polyfill', async () => ({ default: (await import('./pages-fake-browser.js')).fake.browser }));
// and call fake.reset() before each test.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserGetMessage } from './locale-messages.js';

// happy-dom replaces the global URL, so paths are built with node:path.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Handler = (...args: never[]) => unknown;

export class FakeEvent<F extends Handler> {
  readonly listeners = new Set<F>();
  addListener(listener: F): void {
    this.listeners.add(listener);
  }
  removeListener(listener: F): void {
    this.listeners.delete(listener);
  }
  hasListener(listener: F): boolean {
    return this.listeners.has(listener);
  }
  emit(...args: Parameters<F>): void {
    for (const listener of this.listeners) listener(...args);
  }
}

export class FakePort {
  readonly posted: unknown[] = [];
  disconnected = false;
  readonly onMessage = new FakeEvent<(message: unknown, port: FakePort) => void>();
  readonly onDisconnect = new FakeEvent<(port: FakePort) => void>();
  constructor(readonly name: string) {}
  postMessage(message: unknown): void {
    this.posted.push(structuredClone(message));
  }
  disconnect(): void {
    this.disconnected = true;
  }
  /** The background sends an event down the port. */
  send(message: unknown): void {
    this.onMessage.emit(message, this);
  }
}

export interface FakeTab {
  id: number;
  url: string;
  active: boolean;
}

/** What the pages send: always a `kind`, then anything. */
export type FakeMessage = { kind: string; [field: string]: unknown };

class FakeBrowserState {
  locale = 'en';
  storage: Record<string, unknown> = {};
  ports: FakePort[] = [];
  sent: unknown[] = [];
  tabSent: Array<{ tabId: number; message: unknown }> = [];
  tabs: FakeTab[] = [];
  /** URLs of the tabs the page opened. */
  created: string[] = [];
  optionsOpened = 0;
  /** Host permissions the page asked for, and the user's answer to the next prompt. */
  permissionRequests: string[][] = [];
  grantPermissions = true;
  manifestVersion = '0.1.0';
  /** The background's answer to runtime.sendMessage; throw to simulate no background. */
  background: (message: FakeMessage) => unknown = () => undefined;
  /** A content script's answer to tabs.sendMessage; throw to simulate none. */
  content: (tabId: number, message: FakeMessage) => unknown = () => {
    throw new Error('Could not establish connection. Receiving end does not exist.');
  };
  readonly storageChanged = new FakeEvent<(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string) => void>();
}

function createFake() {
  let state = new FakeBrowserState();

  const browser = {
    i18n: {
      getMessage(key: string, substitutions?: string | string[]): string {
        if (key.startsWith('@@')) return key === '@@bidi_dir' ? 'ltr' : '';
        return browserGetMessage(state.locale)(key, substitutions);
      },
      getUILanguage(): string {
        return state.locale.replace('_', '-');
      },
    },
    runtime: {
      async sendMessage(message: FakeMessage): Promise<unknown> {
        state.sent.push(structuredClone(message));
        return state.background(message);
      },
      connect(info?: { name?: string }): FakePort {
        const port = new FakePort(info?.name ?? '');
        state.ports.push(port);
        return port;
      },
      getManifest() {
        return { manifest_version: 3, name: 'MX Lens', version: state.manifestVersion };
      },
      async openOptionsPage(): Promise<void> {
        state.optionsOpened += 1;
      },
      getURL(path: string): string {
        return `chrome-extension://fake/${path}`;
      },
    },
    permissions: {
      async request(permissions: { origins?: string[] }): Promise<boolean> {
        state.permissionRequests.push([...(permissions.origins ?? [])]);
        return state.grantPermissions;
      },
    },
    tabs: {
      async query(query: { active?: boolean }): Promise<FakeTab[]> {
        return state.tabs.filter((tab) => query.active === undefined || tab.active === query.active);
      },
      async create(properties: { url: string }): Promise<FakeTab> {
        state.created.push(properties.url);
        return { id: 100 + state.created.length, url: properties.url, active: true };
      },
      async sendMessage(tabId: number, message: FakeMessage): Promise<unknown> {
        state.tabSent.push({ tabId, message: structuredClone(message) });
        return state.content(tabId, message);
      },
    },
    storage: {
      local: {
        async get(keys?: string | string[] | null): Promise<Record<string, unknown>> {
          const wanted = keys === undefined || keys === null ? Object.keys(state.storage) : Array.isArray(keys) ? keys : [keys];
          const out: Record<string, unknown> = {};
          for (const key of wanted) if (key in state.storage) out[key] = structuredClone(state.storage[key]);
          return out;
        },
        async set(items: Record<string, unknown>): Promise<void> {
          const changes: Record<string, { oldValue?: unknown; newValue?: unknown }> = {};
          for (const [key, value] of Object.entries(items)) {
            changes[key] = { oldValue: state.storage[key], newValue: structuredClone(value) };
            state.storage[key] = structuredClone(value);
          }
          state.storageChanged.emit(changes, 'local');
        },
      },
      onChanged: {
        addListener: (listener: (changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string) => void) =>
          state.storageChanged.addListener(listener),
        removeListener: (listener: (changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string) => void) =>
          state.storageChanged.removeListener(listener),
      },
    },
  };

  return {
    browser,
    get state(): FakeBrowserState {
      return state;
    },
    reset(): FakeBrowserState {
      state = new FakeBrowserState();
      return state;
    },
    /** The one port the page opened (fails the test when there is none). */
    port(): FakePort {
      const port = state.ports.at(-1);
      if (!port) throw new Error('the page opened no port');
      return port;
    },
  };
}

export const fake = createFake();

// ------------------------------------------------------------------ page helpers

/** Puts a page's HTML (without its scripts and style sheets) into happy-dom's document. */
export function loadPage(relativePath: string): void {
  const html = readFileSync(path.join(ROOT, 'extension/src', relativePath), 'utf8');
  const head = /<head>([\s\S]*?)<\/head>/i.exec(html)?.[1] ?? '';
  const body = /<body[^>]*>([\s\S]*?)<\/body>/i.exec(html)?.[1] ?? '';
  const strip = (text: string) => text.replace(/<script[\s\S]*?<\/script>/gi, '').replace(/<link[^>]*>/gi, '');
  document.head.innerHTML = strip(head);
  document.body.innerHTML = strip(body);
  const bodyClass = /<body[^>]*class="([^"]*)"/i.exec(html)?.[1];
  document.body.className = bodyClass ?? '';
}

/** Lets pending promises and zero-delay timers run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
}

export function $(selector: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(selector);
  if (!element) throw new Error(`no element matches ${selector}`);
  return element;
}
