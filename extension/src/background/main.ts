// The background's entry point (built into background.js): the real browser API in, the click
// handler out on globalThis so an end-to-end test can call it through the service worker.

import browser from 'webextension-polyfill';
import { startBackground } from './index.js';

const background = startBackground(browser);

(globalThis as { mxlensContextMenuClick?: typeof background.contextMenuClick }).mxlensContextMenuClick = background.contextMenuClick;
