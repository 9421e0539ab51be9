// The background's entry point (built into background.js): the real browser API in, the click
// and shortcut handlers out on globalThis so an end-to-end test can call them through the service
// worker (no test can click a browser menu or press a browser-wide shortcut).

import browser from 'webextension-polyfill';
import { startBackground } from './index.js';

const background = startBackground(browser);

Object.assign(globalThis, { mxlensContextMenuClick: background.contextMenuClick, mxlensShortcut: background.shortcut });
