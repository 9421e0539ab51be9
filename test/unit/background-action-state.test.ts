import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browserGetMessage } from './locale-messages.js';
import { actionLook, ActionState } from '../../extension/src/background/action-state.js';
import type { ApiAction } from '../../extension/src/background/browser-api.js';
import { startBackground } from '../../extension/src/background/index.js';
import { CHECKS_PORT, type VerificationResult } from '../../extension/src/shared/messages.js';
import { fakeBrowser, settle, type FakeBrowser } from './background-fake-browser.js';

/** The toolbar button as the browser keeps it: a default, and values per tab that win over it. */
class RecordedAction implements ApiAction {
  readonly text = new Map<number | 'default', string>();
  readonly title = new Map<number | 'default', string>();
  setBadgeText({ text, tabId }: { text: string; tabId?: number }): void {
    this.text.set(tabId ?? 'default', text);
  }
  setBadgeBackgroundColor(): void {}
  setTitle({ title, tabId }: { title: string; tabId?: number }): void {
    this.title.set(tabId ?? 'default', title);
  }
  shown(tabId: number): { text: string | undefined; title: string | undefined } {
    return {
      text: this.text.get(tabId) ?? this.text.get('default'),
      title: this.title.get(tabId) ?? this.title.get('default'),
    };
  }
}

describe('actionLook', () => {
  it('says set-up first, then paused, then the count; nothing on a page without addresses', () => {
    expect(actionLook(true, { addresses: 4, paused: true })).toMatchObject({ text: '!', titleKey: 'actionTitleSetup' });
    expect(actionLook(false, { addresses: 4, paused: true })).toMatchObject({
      textKey: 'actionBadgePaused',
      titleKey: 'actionTitlePaused',
    });
    expect(actionLook(false, { addresses: 4, paused: false })).toMatchObject({
      text: '4',
      titleKey: 'actionTitleCount',
      titleSubstitutions: ['4'],
    });
    expect(actionLook(false, { addresses: 12_000, paused: false }).text).toBe('999+');
    expect(actionLook(false, { addresses: 0, paused: false })).toMatchObject({ text: '', titleKey: 'actionTitle' });
  });
});

describe('the toolbar button, driven by the background', () => {
  let browser: FakeBrowser;
  let action: RecordedAction;
  beforeEach(() => {
    vi.useFakeTimers();
    browser = fakeBrowser();
    action = new RecordedAction();
    startBackground(Object.assign(browser, { action }), { browser: { id: 'chrome', family: 'chromium' } });
  });
  afterEach(() => vi.useRealTimers());

  it('counts the distinct addresses each tab asks about, across its frames, and starts over on a new page', async () => {
    const top = browser.connect(CHECKS_PORT, { tab: { id: 3 }, frameId: 0, url: 'https://shop.example/contact' });
    const frame = browser.connect(CHECKS_PORT, { tab: { id: 3 }, frameId: 5, url: 'https://widget.example/' });
    top.receive({ kind: 'check', addresses: ['a@example.org', 'b@example.org'], depth: 'smtp' });
    frame.receive({ kind: 'check', addresses: ['B@example.org', 'c@example.org'], depth: 'dns' });
    await settle(100);
    expect(action.shown(3)).toEqual({ text: '3', title: 'MX Lens: 3 addresses on this page' });
    // Another tab has its own count.
    browser
      .connect(CHECKS_PORT, { tab: { id: 4 }, frameId: 0, url: 'https://other.example/' })
      .receive({ kind: 'check', addresses: ['z@example.org'], depth: 'smtp' });
    expect(action.shown(4).text).toBe('1');

    browser.connect(CHECKS_PORT, { tab: { id: 3 }, frameId: 0, url: 'https://shop.example/about' });
    expect(action.shown(3).text).toBe('');
  });

  it("does not count the popup opened in a tab, nor garbage on a page's port", async () => {
    const popup = browser.connect(CHECKS_PORT, {
      tab: { id: 5 },
      frameId: 0,
      url: `chrome-extension://${browser.runtime.id}/popup/popup.html`,
    });
    popup.receive({ kind: 'check', addresses: ['a@example.org'], depth: 'smtp' });
    const page = browser.connect(CHECKS_PORT, { tab: { id: 6 }, frameId: 0, url: 'https://shop.example/' });
    page.receive(null);
    page.receive({ kind: 'check', addresses: [42, 'b@example.org'], depth: 'smtp' });
    await settle(100);
    expect(action.text.has(5)).toBe(false); // never touched
    expect(action.shown(6).text).toBe('1');
  });

  it('shows "!" on every tab while the host is not installed, and the count again once it is', async () => {
    browser.host.connectError = 'Specified native messaging host not found.';
    const port = browser.connect(CHECKS_PORT, { tab: { id: 3 }, frameId: 0, url: 'https://shop.example/' });
    port.receive({ kind: 'check', addresses: ['a@example.org'], depth: 'smtp' });
    await settle(200);
    expect(action.shown(3)).toEqual({ text: '!', title: 'MX Lens: set-up needed. Click for how.' });
    expect(action.shown(99).text).toBe('!');

    browser.host.connectError = null;
    await browser.runtime.onMessage.emit({ kind: 'reconnect' }, {})[0];
    await settle(200);
    expect(action.shown(3).text).toBe('1');
    expect(action.shown(99).text).toBe('');
  });

  it('says "off" on the tab whose site the popup paused', async () => {
    const replies = browser.runtime.onMessage.emit(
      { kind: 'set-site-paused', origin: 'https://shop.example', paused: true, tabId: 3 },
      {},
    );
    await Promise.all([replies[0], settle(100)]);
    expect(action.shown(3)).toEqual({ text: 'off', title: 'MX Lens: paused on this site' });
    const resumed = browser.runtime.onMessage.emit(
      { kind: 'set-site-paused', origin: 'https://shop.example', paused: false, tabId: 3 },
      {},
    );
    await Promise.all([resumed[0], settle(100)]);
    expect(action.shown(3).text).toBe('');
  });

  it('says "off" at once on a fresh load of a paused site, and forgets it on the next document', async () => {
    const shop = { tab: { id: 3 }, frameId: 0, url: 'https://shop.example/contact' };
    await browser.runtime.onMessage.emit({ kind: 'page-paused' }, shop)[0];
    expect(action.shown(3)).toEqual({ text: 'off', title: 'MX Lens: paused on this site' });
    // A paused frame of another site says nothing about the tab.
    await browser.runtime.onMessage.emit(
      { kind: 'page-paused' },
      { tab: { id: 4 }, frameId: 2, url: 'https://ads.example/' },
    )[0];
    expect(action.text.has(4)).toBe(false);
    // The tab goes on to a site that is not paused: its content script connects.
    browser
      .connect(CHECKS_PORT, { tab: { id: 3 }, frameId: 0, url: 'https://news.example/' })
      .receive({ kind: 'check', addresses: ['a@example.org'], depth: 'smtp' });
    expect(action.shown(3).text).toBe('1');
  });
});

describe('port 25 blocked', () => {
  const blocked = { smtp: null, reason: 'port_blocked' } as unknown as VerificationResult;
  const failed = { smtp: null, reason: 'connection_failed' } as unknown as VerificationResult;
  const answered = {
    smtp: { code: 550, enhanced: '5.1.1', message: 'no' },
    reason: 'mailbox_not_found',
  } as unknown as VerificationResult;
  const dnsOnly = { smtp: null, reason: 'no_such_domain' } as unknown as VerificationResult;

  it('shows "25" when the host reports port 25 blocked, and clears when a mail server answers', () => {
    const action = new RecordedAction();
    const state = new ActionState(action, { getMessage: browserGetMessage('en') });
    state.pageAsked(3, 0, 'https://shop.example/', ['a@example.org']);
    // One server that cannot be reached is that server's problem, not the network's.
    for (let i = 0; i < 5; i++) state.sawResult(failed);
    state.sawResult(dnsOnly);
    expect(action.shown(3).text).toBe('1');
    expect(state.port25Blocked).toBe(false);
    state.sawResult(blocked);
    expect(state.port25Blocked).toBe(true);
    expect(action.shown(3)).toEqual({
      text: '25',
      title:
        'MX Lens: port 25 (mail) seems blocked on this network, so mailboxes cannot be checked from here. Open MX Lens for the two fixes.',
    });
    expect(action.shown(99).text).toBe('25');
    state.sawResult(dnsOnly); // says nothing about port 25
    expect(action.shown(99).text).toBe('25');
    state.sawResult(answered);
    expect(state.port25Blocked).toBe(false);
    expect(action.shown(3).text).toBe('1');
    expect(action.shown(99).text).toBe('');
  });

  it('follows the host\u2019s own network report: "25" while a port-25 route is blocked, cleared when it is open', () => {
    const action = new RecordedAction();
    const state = new ActionState(action, { getMessage: browserGetMessage('en') });
    state.pageAsked(3, 0, 'https://shop.example/', ['a@example.org']);
    const route = { port: 25, proxy: null, family: 4 as const, servers: ['mx.a.example', 'mx.b.example'] };
    state.sawNetwork([{ ...route, state: 'blocked' }]);
    expect(state.port25Blocked).toBe(true);
    expect(action.shown(3).text).toBe('25');
    state.sawNetwork([{ ...route, state: 'open', servers: [] }]);
    expect(state.port25Blocked).toBe(false);
    expect(action.shown(3).text).toBe('1');
  });
});
