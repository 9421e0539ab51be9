import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addressOfClick, MENU_ID } from '../../extension/src/background/context-menu.js';
import { findAddresses } from '../../native-host/shared/address/find-addresses.js';
import { startBackground, type Background } from '../../extension/src/background/index.js';
import { CHECKS_PORT, type ContentRequest } from '../../extension/src/shared/messages.js';
import { fakeBrowser, makeResult, settle, type FakeBrowser } from './background-fake-browser.js';

describe('finding the address of a click', () => {
  it.each([
    ['Write to Alice@Example.COM.', 'Alice@example.com'],
    ['  bob.smith+news@sub.example.co.uk, thanks', 'bob.smith+news@sub.example.co.uk'],
    ['first a@x.org then b@y.org', 'a@x.org'],
    ['邮箱：wang@example.cn联系我们', 'wang@example.cn'],
    ['<carol@example.net>', 'carol@example.net'],
    ['mail müller@exämple.de today', 'müller@xn--exmple-cua.de'],
    // The page scanner's rules: a domain literal in prose is not taken for an address.
    ['root@[192.0.2.1] is a literal', null],
    ['no address here', null],
    ['user@localhost', null],
    ['@example.org', null],
    ['', null],
  ])('selection %j → %j', (selection, expected) => {
    expect(addressOfClick({ selectionText: selection }).address).toBe(expected);
  });

  it.each([
    ['mailto:alice@example.com?subject=Hello%20there&body=x', 'alice@example.com'],
    ['mailto:Bob%40Example.ORG', 'Bob@example.org'],
    ['MAILTO:carol@example.net', 'carol@example.net'],
    ['mailto:a@x.org,b@y.org', 'a@x.org'],
    ['mailto:?to=dave%40example.com&subject=x', 'dave@example.com'],
    ['mailto:', null],
    ['mailto:not-an-address?subject=x', null],
  ])('link %j → %j', (url, expected) => {
    expect(addressOfClick({ selectionText: 'ignored@example.com', linkUrl: url }).address).toBe(expected);
  });

  it('a mailto link wins over the selection; the input is what the user pointed at', () => {
    expect(addressOfClick({ selectionText: 'Contact us', linkUrl: 'mailto:sales@example.com?subject=Quote' })).toEqual({
      address: 'sales@example.com',
      input: 'mailto:sales@example.com?subject=Quote',
    });
    expect(addressOfClick({ selectionText: '  just   some words  ' })).toEqual({
      address: null,
      input: 'just some words',
    });
    expect(addressOfClick({ selectionText: 'x'.repeat(1000) }).input).toHaveLength(256);
  });
});

describe('the "Verify this address" menu and shortcut', () => {
  let browser: FakeBrowser;
  let background: Background;

  beforeEach(() => {
    vi.useFakeTimers();
    browser = fakeBrowser();
    browser.translations.contextMenuVerify = '验证此地址';
    background = startBackground(browser, { browser: { id: 'chrome', family: 'chromium' } });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function cards(): Array<{
    tabId: number;
    frameId?: number;
    message: Extract<ContentRequest, { kind: 'show-card' }>;
  }> {
    return browser.tabs.messages.filter((m) => m.message.kind === 'show-card') as never;
  }

  it('is created on install and on browser start, for selections and mailto links, translated', async () => {
    browser.runtime.onInstalled.emit({ reason: 'install' });
    await settle();
    expect(browser.contextMenus.items).toEqual([
      { id: MENU_ID, title: '验证此地址', contexts: ['selection', 'link'], targetUrlPatterns: ['mailto:*'] },
    ]);
    // Again at startup, without a duplicate-id error, even when both come at once.
    browser.runtime.onStartup.emit();
    browser.runtime.onInstalled.emit({ reason: 'update' });
    const warn = vi.spyOn(console, 'warn');
    await settle();
    expect(warn).not.toHaveBeenCalled();
    expect(browser.contextMenus.items).toHaveLength(1);
  });

  it('a selection with an address: a pending card in the clicked frame, then the result', async () => {
    browser.contextMenus.onClicked.emit(
      { menuItemId: MENU_ID, selectionText: 'Mail Alice@Example.com now', frameId: 3 },
      { id: 7 },
    );
    await settle(100);
    expect(cards()).toEqual([
      {
        tabId: 7,
        frameId: 3,
        message: { kind: 'show-card', address: 'Alice@example.com', input: 'Mail Alice@Example.com now', result: null },
      },
      {
        tabId: 7,
        frameId: 3,
        message: {
          kind: 'show-card',
          address: 'Alice@example.com',
          input: 'Mail Alice@Example.com now',
          result: makeResult('Alice@example.com'),
        },
      },
    ]);
    expect(browser.host.verifies[0]).toMatchObject({ addresses: ['Alice@example.com'], options: { level: 'smtp' } });
  });

  it('a mailto link with ?subject: the address without the query', async () => {
    const done = background.contextMenuClick(
      { menuItemId: MENU_ID, linkUrl: 'mailto:Carol%40Example.org?subject=Hi%20there' },
      { id: 2 },
    );
    await settle(100);
    await done;
    const last = cards().at(-1)!;
    expect(last).toMatchObject({
      tabId: 2,
      frameId: 0,
      message: {
        address: 'Carol@example.org',
        input: 'mailto:Carol@Example.org?subject=Hi there',
        result: { verdict: 'deliverable' },
      },
    });
    expect(cards()).toHaveLength(2);
    expect(browser.host.verifies[0]!.addresses).toEqual(['Carol@example.org']);
  });

  it('a right-click on an IDN address and a click on its badge share one cache key: one check', async () => {
    const text = 'Écrivez à Jürgen@Bücher.Example aujourd’hui';
    const [badge] = findAddresses(text);
    const done = background.contextMenuClick({ menuItemId: MENU_ID, selectionText: text }, { id: 3 });
    await settle(100);
    await done;
    expect(cards().at(-1)!.message.address).toBe(badge!.address);
    const page = browser.connect(CHECKS_PORT, {
      tab: { id: 3, url: 'https://shop.example/' },
      frameId: 0,
      url: 'https://shop.example/',
    });
    page.receive({ kind: 'check', addresses: [badge!.address], depth: 'smtp', trigger: 'user' });
    await settle(100);
    expect(page.sent).toContainEqual({
      kind: 'result',
      address: badge!.address,
      result: expect.objectContaining({ verdict: 'deliverable' }),
    });
    expect(browser.host.verifies.flatMap((v) => v.addresses)).toEqual(['Jürgen@xn--bcher-kva.example']);
  });

  it('the cache key is the engine\u2019s form, however a caller spells the domain', async () => {
    const popup = browser.connect(CHECKS_PORT, { frameId: 0, url: 'chrome-extension://id/popup/popup.html' } as never);
    popup.receive({ kind: 'check', addresses: ['Ana@Bücher.example'], depth: 'smtp' });
    await settle(100);
    popup.receive({ kind: 'check', addresses: ['Ana@xn--bcher-kva.example'], depth: 'smtp' });
    await settle(100);
    expect(browser.host.verifies.flatMap((v) => v.addresses)).toHaveLength(1);
    expect(popup.sent.filter((event) => (event as { kind: string }).kind === 'result')).toHaveLength(2);
  });

  it('an invalid selection: one card with address null and the input, and no check', async () => {
    await background.contextMenuClick({ menuItemId: MENU_ID, selectionText: 'call me maybe', frameId: 0 }, { id: 4 });
    await settle(100);
    expect(cards()).toEqual([
      { tabId: 4, frameId: 0, message: { kind: 'show-card', address: null, input: 'call me maybe', result: null } },
    ]);
    expect(browser.host.connects).toBe(0);
  });

  it('the host missing: the second card carries the problem', async () => {
    browser.host.connectError = 'Specified native messaging host not found.';
    const done = background.contextMenuClick({ menuItemId: MENU_ID, selectionText: 'a@example.org' }, { id: 5 });
    await settle(100);
    await done;
    expect(cards().map((c) => c.message)).toEqual([
      { kind: 'show-card', address: 'a@example.org', input: 'a@example.org', result: null },
      {
        kind: 'show-card',
        address: 'a@example.org',
        input: 'a@example.org',
        result: null,
        problem: expect.objectContaining({ code: 'host_not_installed' }),
      },
    ]);
  });

  it('a tab without a content script does not break anything; other menu ids are ignored', async () => {
    browser.tabs.unreachable.add(9);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const done = background.contextMenuClick({ menuItemId: MENU_ID, selectionText: 'a@example.org' }, { id: 9 });
    await settle(100);
    await expect(done).resolves.toBeUndefined();
    await background.contextMenuClick({ menuItemId: 'something-else', selectionText: 'a@example.org' }, { id: 1 });
    expect(browser.tabs.messages).toEqual([]);
  });

  // The keyboard shortcut: the same card and check, for the selection of the frame the user is in.
  const sent = () => browser.tabs.messages.map(({ frameId, message }) => ({ frameId, message }));

  it('asks the tab for its selection, then shows the card where the user is, as the menu does', async () => {
    browser.tabs.selection = 'Schreiben Sie an Jürgen@Bücher.Example.';
    const done = background.shortcut('verify-selection', { id: 7 });
    await settle(100);
    await done;
    const address = findAddresses(browser.tabs.selection)[0]!.address;
    expect(sent()).toEqual([
      { frameId: undefined, message: { kind: 'get-selection' } },
      { frameId: undefined, message: { kind: 'show-card', address, input: browser.tabs.selection, result: null } },
      {
        frameId: undefined,
        message: { kind: 'show-card', address, input: browser.tabs.selection, result: makeResult(address) },
      },
    ]);
    expect(browser.host.verifies.flatMap((verify) => verify.addresses)).toEqual([address]);
  });

  it('with nothing selected: a card that says so, and no check', async () => {
    await background.shortcut('verify-selection', { id: 3 });
    expect(sent()).toEqual([
      { frameId: undefined, message: { kind: 'get-selection' } },
      { frameId: undefined, message: { kind: 'show-card', address: null, input: '', result: null } },
    ]);
    expect(browser.host.connects).toBe(0);
  });

  it('is registered with the browser; other commands and tabs without a content script are left alone', async () => {
    browser.tabs.unreachable.add(9);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(background.shortcut('verify-selection', { id: 9 })).resolves.toBeUndefined();
    await background.shortcut('_execute_action', { id: 1 });
    expect(browser.tabs.messages).toEqual([]);
    browser.tabs.selection = 'a@example.org';
    browser.commands!.onCommand.emit('verify-selection', { id: 2 });
    await settle(100);
    expect(browser.host.verifies.flatMap((verify) => verify.addresses)).toEqual(['a@example.org']);
  });
});
