import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  parseBackgroundRequest,
  startBackground,
  WELCOME_PAGE,
  type Background,
} from '../../extension/src/background/index.js';
import { CHECKS_PORT } from '../../extension/src/shared/messages.js';
import { DEFAULT_SETTINGS } from '../../extension/src/shared/settings.js';
import type { VerificationResult } from '../../extension/src/shared/messages.js';
import { fakeBrowser, makeResult, settle, type FakeBrowser } from './background-fake-browser.js';

let browser: FakeBrowser;
let background: Background;

/** What runtime.sendMessage from a page would get back. */
async function send(message: unknown): Promise<unknown> {
  const replies = browser.runtime.onMessage.emit(message, {
    url: `chrome-extension://${browser.runtime.id}/popup/popup.html`,
  });
  const reply = replies.find((r) => r !== undefined);
  if (reply === undefined) return undefined;
  const [value] = await Promise.all([reply, settle(100)]);
  return value;
}

beforeEach(() => {
  vi.useFakeTimers();
  browser = fakeBrowser();
  background = startBackground(browser, { browser: { id: 'chrome', family: 'chromium' } });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the background', () => {
  it('registers every listener at once, before anything is awaited', () => {
    expect(browser.runtime.onConnect.count).toBe(1);
    expect(browser.runtime.onMessage.count).toBe(1);
    expect(browser.runtime.onInstalled.count).toBe(1);
    expect(browser.runtime.onStartup.count).toBe(1);
    expect(browser.contextMenus.onClicked.count).toBe(1);
    expect(browser.alarms.onAlarm.count).toBe(1);
    // The settings, and where checks run.
    expect(browser.storage.onChanged.count).toBe(2);
  });

  it('get-status connects and tells the host’s version; reconnect tries again at once', async () => {
    browser.host.version = '0.2.0';
    expect(await send({ kind: 'get-status' })).toEqual({
      state: 'connected',
      hostVersion: '0.2.0',
      settingsProblems: [],
    });
    expect(browser.host.connects).toBe(1);

    browser.host.port!.drop('Native host has exited.');
    browser.host.connectError = 'Access to the specified native messaging host is forbidden.';
    const failed = (await send({ kind: 'reconnect' })) as { state: string; problem: { code: string; message: string } };
    expect(failed.state).toBe('failed');
    expect(failed.problem.code).toBe('host_forbidden');
    expect(failed.problem.message).toContain(browser.runtime.id);
    // Within the backoff get-status does not try again, reconnect does.
    expect(await send({ kind: 'get-status' })).toMatchObject({ state: 'failed' });
    expect(browser.host.connects).toBe(2);
    browser.host.connectError = null;
    expect(await send({ kind: 'reconnect' })).toMatchObject({ state: 'connected' });
    expect(browser.host.connects).toBe(3);
  });

  it('get-network says port 25 is blocked once the host answered port_blocked, until a mail server answers', async () => {
    expect(await send({ kind: 'get-network' })).toEqual({ port25Blocked: false });
    const answer = (overrides: Partial<VerificationResult>) => {
      browser.host.onVerify = (request, side) => {
        request.addresses.forEach((address, index) =>
          side.result(request.id, index, { ...makeResult(address), ...overrides }),
        );
        side.done(request.id, request.addresses.length);
      };
    };
    answer({ verdict: 'unknown', reason: 'port_blocked', rule: 'network-port-blocked', smtp: null });
    const port = browser.connect(CHECKS_PORT);
    port.receive({ kind: 'check', addresses: ['a@example.org'], depth: 'smtp' });
    await settle(100);
    expect(await send({ kind: 'get-network' })).toEqual({ port25Blocked: true });
    answer({});
    port.receive({ kind: 'check', addresses: ['b@example.org'], depth: 'smtp' });
    await settle(100);
    expect(await send({ kind: 'get-network' })).toEqual({ port25Blocked: false });
  });

  it('get-network follows the host\u2019s own network report: at hello, then its id-less network messages', async () => {
    const blocked = { port: 25, proxy: null, family: 4, state: 'blocked', servers: ['mx.a.example', 'mx.b.example'] };
    browser.host.network = [blocked];
    await send({ kind: 'get-status' });
    expect(await send({ kind: 'get-network' })).toEqual({ port25Blocked: true });
    // An open popup hears the change on its checks port.
    const popup = browser.connect(CHECKS_PORT);
    browser.host.port!.receive({ type: 'network', id: null, network: [{ ...blocked, state: 'open', servers: [] }] });
    expect(popup.sent).toContainEqual({ kind: 'network', port25Blocked: false });
    expect(await send({ kind: 'get-network' })).toEqual({ port25Blocked: false });
    browser.host.port!.receive({ type: 'network', id: null, network: [blocked] });
    expect(await send({ kind: 'get-network' })).toEqual({ port25Blocked: true });
    // A route on another port says nothing about port 25.
    browser.host.port!.receive({ type: 'network', id: null, network: [{ ...blocked, port: 587 }] });
    expect(await send({ kind: 'get-network' })).toEqual({ port25Blocked: false });
  });

  it('sends checks to the MX Lens server chosen in the options, and says so in get-status', async () => {
    const asked: Array<{ url: string; init: RequestInit }> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      asked.push({ url, init });
      const body = [
        JSON.stringify({
          type: 'result',
          id: 'x',
          index: 0,
          result: { address: 'a@example.org', verdict: 'deliverable', reason: 'mailbox_exists', smtp: { code: 250 } },
        }),
        JSON.stringify({ type: 'done', id: 'x', count: 1 }),
      ].join('\n');
      return new Response(body, { status: 200, headers: { 'content-type': 'application/x-ndjson' } });
    });
    try {
      await browser.storage.local.set({
        checkLocation: { where: 'server', url: 'https://mx-lens.example.org', key: 'k1' },
      });
      await settle(100);
      expect(await send({ kind: 'get-status' })).toMatchObject({
        state: 'connected',
        hostVersion: 'server https://mx-lens.example.org',
      });
      const port = browser.connect(CHECKS_PORT);
      port.receive({ kind: 'check', addresses: ['a@example.org'], depth: 'smtp' });
      await settle(100);
      expect(asked.map((a) => a.url)).toEqual(['https://mx-lens.example.org/v1/verify']);
      expect((asked[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer k1');
      expect(browser.host.verifies).toEqual([]);
      // The result says where it was found, for the card and the popup.
      expect(port.sent).toContainEqual({
        kind: 'result',
        address: 'a@example.org',
        result: expect.objectContaining({ verdict: 'deliverable', checkedOn: 'https://mx-lens.example.org' }),
      });
      expect(await send({ kind: 'get-status' })).toMatchObject({ server: 'https://mx-lens.example.org' });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('clear-cache answers how many results were forgotten', async () => {
    const port = browser.connect(CHECKS_PORT);
    port.receive({ kind: 'check', addresses: ['a@example.org', 'b@example.org'], depth: 'smtp' });
    await settle(100);
    expect(await send({ kind: 'clear-cache' })).toEqual({ cleared: 2 });
    expect(await send({ kind: 'clear-cache' })).toEqual({ cleared: 0 });
  });

  it('set-site-paused keeps the origin in the settings in storage.local', async () => {
    await browser.storage.local.set({
      settings: { ...DEFAULT_SETTINGS, sender: 'me@mine.test', pausedSites: ['https://old.test'] },
    });
    expect(await send({ kind: 'set-site-paused', origin: 'https://mail.example.com/inbox?x=1', paused: true })).toEqual(
      { paused: true },
    );
    expect(browser.storage.local.data.get('settings')).toMatchObject({
      sender: 'me@mine.test',
      pausedSites: ['https://old.test', 'https://mail.example.com'],
    });
    expect(await send({ kind: 'set-site-paused', origin: 'https://mail.example.com', paused: false })).toEqual({
      paused: false,
    });
    expect(browser.storage.local.data.get('settings')).toMatchObject({ pausedSites: ['https://old.test'] });
    expect(background.settings.current.pausedSites).toEqual(['https://old.test']);
  });

  it('follows settings changed by the options page', async () => {
    await settle();
    expect(background.settings.current.timeoutMs).toBe(DEFAULT_SETTINGS.timeoutMs);
    await browser.storage.local.set({ settings: { timeoutMs: 7_000, autoMode: 'dns', bogus: 1 } });
    await settle();
    expect(background.settings.current).toEqual({ ...DEFAULT_SETTINGS, timeoutMs: 7_000, autoMode: 'dns' });
  });

  it('leaves messages that are not its own to other listeners', async () => {
    expect(browser.runtime.onMessage.emit({ kind: 'list-addresses' }, {})).toEqual([undefined]);
    expect(browser.runtime.onMessage.emit('hello', {})).toEqual([undefined]);
    expect(parseBackgroundRequest({ kind: 'set-site-paused', origin: 'https://x.test' })).toBeNull();
    expect(parseBackgroundRequest({ kind: 'clear-cache', extra: true })).toEqual({ kind: 'clear-cache' });
  });

  it('opens the welcome page on first install only', async () => {
    browser.runtime.onInstalled.emit({ reason: 'update', previousVersion: '0.0.9' });
    await settle();
    expect(browser.tabs.created).toEqual([]);
    browser.runtime.onInstalled.emit({ reason: 'install' });
    await settle();
    expect(browser.tabs.created).toEqual([{ url: `chrome-extension://${browser.runtime.id}/${WELCOME_PAGE}` }]);
    expect(WELCOME_PAGE).toBe('welcome/welcome.html');
  });

  it('ignores ports that are not the checks port', () => {
    const other = browser.connect('something-else');
    expect(other.sent).toEqual([]);
    expect(background.checks.portCount).toBe(0);
  });
});
