// The background, wired: one native host connection, the result cache, the checks service, the
// re-check alarms, the context menu, and the one-shot requests of the pages. Every listener is
// registered synchronously here, before anything is awaited: a service worker (Chrome) or event
// page (Firefox) woken by an event only hears it if its listener exists on the first run.

import { CHECKS_PORT, type BackgroundReplies, type BackgroundRequest } from '../shared/messages.js';
import { ActionState, port25BlockedAfter, port25BlockedIn } from './action-state.js';
import type { ApiPort, BackgroundApi, MenuClickInfo, MessageSender } from './browser-api.js';
import { CheckService } from './checks.js';
import { contextMenuHandler, createContextMenu } from './context-menu.js';
import { HostProblems } from './host-errors.js';
import { NativeHost } from './native-port.js';
import { RecheckScheduler, retryDelay } from './rechecks.js';
import { ResultCache } from './result-cache.js';
import { RoutedChecks } from './server-transport.js';
import { SettingsStore } from './settings-store.js';
import { shortcutHandler } from './shortcut.js';
import { TabBudgets } from './tab-budget.js';
import { browserCluesHere, detectBrowser, type ThisBrowser } from './this-browser.js';

/** The getting-started page, opened on first install (built from extension/src/welcome/welcome.html). */
export const WELCOME_PAGE = 'welcome/welcome.html';

export interface Background {
  host: NativeHost;
  checks: CheckService;
  cache: ResultCache;
  settings: SettingsStore;
  rechecks: RecheckScheduler;
  /** The toolbar icon's state (null without an action API). */
  actionState: ActionState | null;
  /** The context menu's click handler, callable directly (end-to-end tests cannot click browser menus). */
  contextMenuClick: (info: MenuClickInfo, tab?: { id?: number }) => Promise<void>;
  /** The keyboard shortcuts' handler, callable directly (nor press browser shortcuts). */
  shortcut: (command: string, tab?: { id?: number }) => Promise<void>;
  handleRequest: (
    request: BackgroundRequest,
    sender?: MessageSender,
  ) => Promise<BackgroundReplies[BackgroundRequest['kind']]>;
}

export function startBackground(api: BackgroundApi, options: { browser?: ThisBrowser } = {}): Background {
  const browser = options.browser ?? detectBrowser(browserCluesHere(api.runtime.getURL('')));
  const problems = new HostProblems({
    i18n: api.i18n,
    browser,
    extensionId: api.runtime.id,
    version: api.runtime.getManifest().version,
  });
  const settings = new SettingsStore(api.storage);
  const cache = new ResultCache(api.storage.local, () => settings.current);

  let checks: CheckService | null = null;
  /** The host's report on port 25, for the pages' banner (the toolbar icon keeps its own). */
  let port25Blocked = false;
  const actionState = api.action ? new ActionState(api.action, api.i18n) : null;
  const host = new NativeHost({
    runtime: api.runtime,
    problems,
    onStatus: (status) => {
      checks?.broadcastStatus(status);
      actionState?.hostStatus(status);
    },
    onNetwork: (routes) => {
      const wasBlocked = port25Blocked;
      port25Blocked = port25BlockedIn(routes);
      actionState?.sawNetwork(routes);
      if (port25Blocked !== wasBlocked) checks?.broadcastNetwork(port25Blocked);
    },
    log: (message) => console.debug(`MX Lens: ${message}`),
  });

  const rechecks = new RecheckScheduler(api.alarms, (key) => {
    void settings.ready
      .then(() => checks?.recheckFromAlarm(key, (cached) => retryDelay(cached) !== null))
      .catch((error: unknown) => console.warn('MX Lens: a re-check failed:', error));
  });

  // Checks go to the native host, or to the MX Lens server chosen in the options.
  const checker = new RoutedChecks(host, api.storage);
  checks = new CheckService({
    host: checker,
    cache,
    settings: () => settings.current,
    problems,
    budgets: new TabBudgets(api.storage.session ?? null),
    extensionPages: api.runtime.getURL(''),
    onResult: (key, result) => {
      port25Blocked = port25BlockedAfter(port25Blocked, result);
      actionState?.sawResult(result);
      rechecks.onResult(key, result);
    },
    onFailed: (key) => rechecks.onFailed(key),
  });
  const service = checks;

  const userCheck = {
    tabs: api.tabs,
    check: async (address: string) => {
      await settings.ready;
      return service.checkOne(address, 'smtp');
    },
  };
  const contextMenuClick = contextMenuHandler(userCheck);
  const shortcut = shortcutHandler(userCheck);

  const handleRequest = async (
    request: BackgroundRequest,
    sender: MessageSender = {},
  ): Promise<BackgroundReplies[BackgroundRequest['kind']]> => {
    switch (request.kind) {
      case 'get-status':
        return checker.where === 'server' ? checker.status() : host.connect();
      case 'reconnect':
        return checker.where === 'server' ? checker.status() : host.connect({ force: true });
      case 'clear-cache':
        return { cleared: await cache.clear() };
      case 'get-network':
        return { port25Blocked };
      case 'set-site-paused': {
        const paused = await settings.setSitePaused(request.origin, request.paused);
        if (request.tabId !== undefined) actionState?.sitePaused(request.tabId, paused);
        return { paused };
      }
      case 'page-paused':
        if (sender.tab?.id !== undefined && sender.frameId === 0)
          actionState?.pageLoadedPaused(sender.tab.id, sender.url);
        return null;
    }
  };

  // ---------------------------------------------------------------- listeners, all at once

  api.runtime.onConnect.addListener((port) => {
    if (service.attachPort(port) && actionState) countPageAddresses(port, actionState);
  });
  api.tabs.onRemoved?.addListener((tabId) => actionState?.tabClosed(tabId));

  api.runtime.onMessage.addListener((message, sender) => {
    const request = parseBackgroundRequest(message);
    // Not ours (a message between pages, or garbage): let other listeners answer.
    if (!request) return undefined;
    return settings.ready.then(() => handleRequest(request, sender));
  });

  // One menu set-up at a time: install and startup may both ask, and ids must stay unique.
  let menuSetup: Promise<void> = Promise.resolve();
  const setUpMenu = () => {
    menuSetup = menuSetup
      .then(() => createContextMenu(api.contextMenus, api.i18n))
      .catch((error: unknown) => console.warn('MX Lens: context menu:', error));
  };

  api.runtime.onInstalled.addListener((details) => {
    setUpMenu();
    if (details.reason === 'install') {
      void api.tabs
        .create({ url: api.runtime.getURL(WELCOME_PAGE) })
        .catch((error: unknown) => console.warn('MX Lens: welcome page:', error));
    }
  });

  api.runtime.onStartup.addListener(setUpMenu);

  api.contextMenus.onClicked.addListener((info, tab) => {
    void contextMenuClick(info, tab);
  });

  api.commands?.onCommand.addListener((command, tab) => {
    void shortcut(command, tab);
  });

  api.alarms.onAlarm.addListener((alarm) => {
    rechecks.onAlarm(alarm.name);
  });

  return { host, checks: service, cache, settings, rechecks, actionState, contextMenuClick, shortcut, handleRequest };
}

/** The addresses a page's content script asks about are what the toolbar icon counts. */
function countPageAddresses(port: ApiPort, actionState: ActionState): void {
  const tabId = port.sender?.tab?.id;
  const { frameId, url } = port.sender ?? {};
  // Content scripts run on web pages only; the popup and the extension's pages are not counted.
  if (port.name !== CHECKS_PORT || tabId === undefined || !/^https?:/.test(url ?? '')) return;
  actionState.pageConnected(tabId, frameId, url);
  const onMessage = (message: unknown) => {
    const { kind, addresses } = (typeof message === 'object' && message !== null ? message : {}) as {
      kind?: unknown;
      addresses?: unknown;
    };
    if (kind === 'check' && Array.isArray(addresses)) {
      actionState.pageAsked(
        tabId,
        frameId,
        url,
        addresses.filter((address): address is string => typeof address === 'string'),
      );
    }
  };
  port.onMessage.addListener(onMessage);
  port.onDisconnect.addListener(() => port.onMessage.removeListener(onMessage));
}

export function parseBackgroundRequest(message: unknown): BackgroundRequest | null {
  if (typeof message !== 'object' || message === null) return null;
  const { kind, origin, paused } = message as Record<string, unknown>;
  switch (kind) {
    case 'get-status':
    case 'reconnect':
    case 'clear-cache':
    case 'get-network':
    case 'page-paused':
      return { kind };
    case 'set-site-paused': {
      if (typeof origin !== 'string' || typeof paused !== 'boolean') return null;
      const { tabId } = message as Record<string, unknown>;
      return Number.isSafeInteger(tabId) ? { kind, origin, paused, tabId: tabId as number } : { kind, origin, paused };
    }
    default:
      return null;
  }
}
