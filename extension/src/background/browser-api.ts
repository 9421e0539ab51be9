// The part of the WebExtension API the background uses, and nothing more. index.ts passes the
// real `browser` (webextension-polyfill) in, and the compiler checks that it fits; the tests pass a
// fake. Reading this file tells exactly which browser features the background depends on.

import type { ContentRequest } from '../shared/messages.js';

interface ApiEvent<L> {
  addListener(listener: L): void;
  removeListener(listener: L): void;
}

/** A runtime.Port: to the native host (connectNative) or from a content script or page (onConnect). */
export interface ApiPort {
  name: string;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: ApiEvent<(message: unknown, port: ApiPort) => void>;
  onDisconnect: ApiEvent<(port: ApiPort) => void>;
  /** Firefox (and the polyfill) say why the port closed here; Chrome in runtime.lastError. */
  error?: { message: string } | null;
  sender?: { tab?: { id?: number; url?: string }; frameId?: number; url?: string };
}

export interface MessageSender {
  tab?: { id?: number; url?: string };
  frameId?: number;
  url?: string;
}

export interface ApiRuntime {
  /** The extension's ID (Chrome: 32 letters a-p; Firefox: a per-profile UUID). */
  id: string;
  lastError?: { message?: string } | null;
  connectNative(application: string): ApiPort;
  getManifest(): { version: string };
  getURL(path: string): string;
  onConnect: ApiEvent<(port: ApiPort) => void>;
  onMessage: ApiEvent<(message: unknown, sender: MessageSender) => Promise<unknown> | true | void>;
  onInstalled: ApiEvent<(details: { reason: string; previousVersion?: string }) => void>;
  onStartup: ApiEvent<() => void>;
}

export interface ApiStorageArea {
  get(keys?: null | string | string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

export interface ApiStorage {
  local: ApiStorageArea;
  /** Kept until the browser closes, out of reach of content scripts (Chrome 102, Firefox 115). */
  session?: ApiStorageArea;
  onChanged: ApiEvent<(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, areaName: string) => void>;
}

export interface ApiAlarms {
  create(name: string, info: { when: number }): Promise<void> | void;
  clear(name: string): Promise<boolean>;
  onAlarm: ApiEvent<(alarm: { name: string; scheduledTime: number }) => void>;
}

export interface MenuClickInfo {
  menuItemId: number | string;
  selectionText?: string;
  linkUrl?: string;
  frameId?: number;
}

export interface ApiContextMenus {
  create(properties: {
    id: string;
    title: string;
    contexts: Array<'selection' | 'link'>;
    targetUrlPatterns?: string[];
  }): number | string;
  removeAll(): Promise<void>;
  onClicked: ApiEvent<(info: MenuClickInfo, tab?: { id?: number }) => void>;
}

export interface ApiTabs {
  sendMessage(tabId: number, message: ContentRequest, options?: { frameId?: number }): Promise<unknown>;
  create(properties: { url: string }): Promise<unknown>;
  /** Optional: without it, a closed tab's icon state is kept until the background stops. */
  onRemoved?: ApiEvent<(tabId: number) => void>;
}

/** The toolbar button (action-state.ts). */
export interface ApiAction {
  setBadgeText(details: { text: string; tabId?: number }): Promise<void> | void;
  setBadgeBackgroundColor(details: { color: string; tabId?: number }): Promise<void> | void;
  setTitle(details: { title: string; tabId?: number }): Promise<void> | void;
}

export interface ApiI18n {
  getMessage(name: string, substitutions?: string | string[]): string;
}

/** Everything the background touches. */
export interface BackgroundApi {
  runtime: ApiRuntime;
  storage: ApiStorage;
  alarms: ApiAlarms;
  contextMenus: ApiContextMenus;
  tabs: ApiTabs;
  i18n: ApiI18n;
  /** Optional so that a test world without a toolbar still runs the rest. */
  action?: ApiAction;
  /** Keyboard shortcuts (optional: Firefox for Android has none). */
  commands?: { onCommand: ApiEvent<(command: string, tab?: { id?: number }) => void> };
}
