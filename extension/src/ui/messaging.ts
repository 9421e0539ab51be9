// Typed messages from the pages to the background and to the active tab's content script
// (the checks port has its own client: shared/checks-client.ts).

import browser from 'webextension-polyfill';
import type { BackgroundReplies, BackgroundRequest, ContentReplies, ContentRequest } from '../shared/messages.js';

export async function askBackground<R extends BackgroundRequest>(request: R): Promise<BackgroundReplies[R['kind']]> {
  return (await browser.runtime.sendMessage(request)) as BackgroundReplies[R['kind']];
}

export async function askTab<R extends ContentRequest>(tabId: number, request: R): Promise<ContentReplies[R['kind']]> {
  return (await browser.tabs.sendMessage(tabId, request)) as ContentReplies[R['kind']];
}
