// A test double of the browser extension API (webextension-polyfill's `browser`), for the
// extension pages' tests, built from the shared fake parts (test/harness/fake-browser.ts: events,
// ports, storage) and the extension's real locale files. Test files mock the module with:
//   vi.mock('webextension-polyfill', async () => ({ default: (await import('./pages-fake-browser.js')).fake.browser }));
// and call fake.reset() before each test.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeEvent, FakePort, FakeStorageArea, type StorageChanges } from '../harness/fake-browser.js';
import { browserGetMessage } from './locale-messages.js';

export { FakeEvent, FakePort };

// happy-dom replaces the global URL, so paths are built with node:path.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface FakeTab {
  id: number;
  url: string;
  active: boolean;
}

/** What the pages send: always a `kind`, then anything. */
export type FakeMessage = { kind: string; [field: string]: unknown };

class FakeBrowserState {
  locale = 'en';
  /** storage.local; its changes reach storage.onChanged at once. */
  readonly storage = new FakeStorageArea();
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
  readonly storageChanged = new FakeEvent<(changes: StorageChanges, area: string) => void>();

  constructor() {
    this.storage.changed = (changes) => this.storageChanged.emit(changes, 'local');
  }
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
        get: (keys?: string | string[] | null) => state.storage.get(keys),
        set: (items: Record<string, unknown>) => state.storage.set(items),
        remove: (keys: string | string[]) => state.storage.remove(keys),
      },
      onChanged: {
        addListener: (listener: (changes: StorageChanges, area: string) => void) =>
          state.storageChanged.addListener(listener),
        removeListener: (listener: (changes: StorageChanges, area: string) => void) =>
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
