// The content script's entry (bundled as one classic script, run in every frame): wires the
// browser's APIs into the app and starts it once per frame.

import browser from 'webextension-polyfill';
import { CHECKS_PORT } from '../shared/messages.js';
import { changedSettings, readSettings } from '../shared/settings-storage.js';
import { ContentApp } from './app.js';
import type { ChecksPort } from '../shared/checks-client.js';
import { setMessageSource } from './core/i18n.js';

const STARTED = Symbol.for('mxlens.content-script');

function main(): void {
  const global = globalThis as Record<symbol, unknown>;
  if (global[STARTED]) return; // injected twice (an extension update re-runs content scripts)
  global[STARTED] = true;
  // Plain XML, SVG images and other non-HTML documents: nothing to do.
  if (!(document.documentElement instanceof HTMLElement)) return;

  const isTopFrame = window === window.top;
  setMessageSource((key, substitutions) => browser.i18n.getMessage(key, substitutions));

  const app = new ContentApp({
    loadSettings: () => readSettings(browser.storage.local),
    connect: () => browser.runtime.connect({ name: CHECKS_PORT }) as ChecksPort,
    origin: location.origin,
    isTopFrame,
  });

  browser.runtime.onMessage.addListener((message: unknown) => app.handle(message));
  browser.storage.onChanged.addListener((changes, area) => {
    const settings = changedSettings(changes, area);
    if (settings) app.settingsChanged(settings);
  });
  void app.init().then(() => {
    // No checks port on a paused site: the toolbar hears it this way, at once.
    if (app.isPaused && isTopFrame) void browser.runtime.sendMessage({ kind: 'page-paused' }).catch(() => undefined);
  });
}

main();
