// Typed messages from the pages to the background and to the active tab's content script.

import browser from 'webextension-polyfill';
import {
  CHECKS_PORT,
  type BackgroundReplies,
  type BackgroundRequest,
  type CheckDepth,
  type ContentReplies,
  type ContentRequest,
  type PortEvent,
  type PortRequest,
} from '../shared/messages.js';

export async function askBackground<R extends BackgroundRequest>(request: R): Promise<BackgroundReplies[R['kind']]> {
  return (await browser.runtime.sendMessage(request)) as BackgroundReplies[R['kind']];
}

export async function askTab<R extends ContentRequest>(tabId: number, request: R): Promise<ContentReplies[R['kind']]> {
  return (await browser.tabs.sendMessage(tabId, request)) as ContentReplies[R['kind']];
}

function isPortEvent(message: unknown): message is PortEvent {
  if (typeof message !== 'object' || message === null) return false;
  const kind = (message as { kind?: unknown }).kind;
  if (kind === 'network') return typeof (message as { port25Blocked?: unknown }).port25Blocked === 'boolean';
  return kind === 'result' || kind === 'failed' || kind === 'status';
}

/** The checks port: ask for checks, get results as they stream in. Reconnects when asked after a disconnect. */
export class ChecksPort {
  private port: ReturnType<typeof browser.runtime.connect> | null = null;

  constructor(
    private readonly onEvent: (event: PortEvent) => void,
    private readonly onDisconnect: () => void = () => {},
  ) {}

  open(): void {
    if (this.port) return;
    const port = browser.runtime.connect({ name: CHECKS_PORT });
    port.onMessage.addListener((message: unknown) => {
      if (isPortEvent(message)) this.onEvent(message);
    });
    port.onDisconnect.addListener(() => {
      if (this.port === port) this.port = null;
      this.onDisconnect();
    });
    this.port = port;
  }

  check(addresses: string[], depth: CheckDepth, force = false): void {
    if (addresses.length === 0) return;
    this.open();
    const request: PortRequest = force ? { kind: 'check', addresses, depth, force } : { kind: 'check', addresses, depth };
    this.port?.postMessage(request);
  }

  close(): void {
    const port = this.port;
    this.port = null;
    port?.disconnect();
  }
}
