import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VerifyRequest } from '../../native-host/shared/protocol/messages.js';
import { BATCH_MS, deadlineFor, verifyOptions } from '../../extension/src/background/checks.js';
import { startBackground, type Background } from '../../extension/src/background/index.js';
import { IDLE_CLOSE_MS } from '../../extension/src/background/native-port.js';
import { alarmName, RECHECK_MARGIN_MS } from '../../extension/src/background/rechecks.js';
import { scopedKey, USER_PARTITION } from '../../extension/src/background/result-cache.js';
import { BUDGETS_KEY } from '../../extension/src/background/tab-budget.js';
import { CHECKS_PORT, type PortEvent } from '../../extension/src/shared/messages.js';
import { DEFAULT_SETTINGS } from '../../extension/src/shared/settings.js';
import {
  fakeBrowser,
  greylisted,
  makeResult,
  settle,
  type FakeBrowser,
  type FakePort,
  type HostSide,
} from './background-fake-browser.js';

let browser: FakeBrowser;
let background: Background;

function start(): void {
  browser = fakeBrowser();
  background = startBackground(browser, { browser: { id: 'chrome', family: 'chromium' } });
}

const SITE = 'https://example.com';

/** A content script's port: tab `id` showing `site` (all tabs show the same site unless told). */
function tab(id: number, site = SITE, frameId = 0): FakePort {
  return browser.connect(CHECKS_PORT, {
    tab: { id, url: `${site}/page` },
    frameId,
    url: frameId === 0 ? `${site}/page` : 'https://frames.test/inner',
  });
}

/** The popup's port: an extension page, no tab. */
function popup(): FakePort {
  return browser.connect(CHECKS_PORT, { url: `chrome-extension://${browser.runtime.id}/popup/popup.html` });
}

function ask(
  port: FakePort,
  addresses: string[],
  depth: 'dns' | 'smtp' = 'smtp',
  force = false,
  trigger?: 'auto' | 'user',
): void {
  port.receive({ kind: 'check', addresses, depth, ...(force ? { force } : {}), ...(trigger ? { trigger } : {}) });
}

/** The cache and alarm key of an address checked automatically on SITE. */
const onSite = (address: string, site = SITE): string => scopedKey(site, address);

function events(port: FakePort, kind: PortEvent['kind']): PortEvent[] {
  return port.sentOf<PortEvent>('kind', kind);
}

/** Verifies wait here until the test answers them. */
function holdVerifies(): Array<{ request: VerifyRequest; side: HostSide }> {
  const held: Array<{ request: VerifyRequest; side: HostSide }> = [];
  browser.host.onVerify = (request, side) => held.push({ request, side });
  return held;
}

function answerAll(entry: { request: VerifyRequest; side: HostSide }): void {
  entry.request.addresses.forEach((address, index) => entry.side.result(entry.request.id, index, makeResult(address)));
  entry.side.done(entry.request.id, entry.request.addresses.length);
}

beforeEach(() => {
  vi.useFakeTimers();
  start();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the checks port', () => {
  it('tells a new port the host’s state, then every change', async () => {
    const port = tab(1);
    expect(port.sent[0]).toEqual({ kind: 'status', status: { state: 'disconnected' } });
    ask(port, ['a@example.org']);
    await settle(BATCH_MS);
    expect(events(port, 'status').map((e) => (e as { status: { state: string } }).status.state)).toEqual([
      'disconnected',
      'connecting',
      'connected',
    ]);
  });

  it('deduplicates across tabs of one site: one host check per address, the result to every port that asked', async () => {
    const held = holdVerifies();
    const one = tab(1);
    const two = tab(2);
    ask(one, ['alice@Example.ORG', 'bob@example.org']);
    ask(two, ['alice@example.org']);
    await settle(BATCH_MS);
    expect(held).toHaveLength(1);
    expect(held[0]!.request.addresses).toEqual(['alice@example.org', 'bob@example.org']);

    // A third tab asks while the check runs: no new check.
    const three = tab(3);
    ask(three, ['alice@example.org']);
    await settle(BATCH_MS * 4);
    expect(held).toHaveLength(1);

    answerAll(held[0]!);
    await settle();
    // Each port hears the address as it wrote it.
    expect(
      events(one, 'result')
        .map((e) => (e as { address: string }).address)
        .sort(),
    ).toEqual(['alice@Example.ORG', 'bob@example.org']);
    expect(events(two, 'result').map((e) => (e as { address: string }).address)).toEqual(['alice@example.org']);
    expect(events(three, 'result').map((e) => (e as { address: string }).address)).toEqual(['alice@example.org']);
    expect(browser.host.verifies).toHaveLength(1);
  });

  it('gathers the asks of one task into one verify (by depth), then starts a new batch', async () => {
    const held = holdVerifies();
    const one = tab(1);
    const two = tab(2);
    ask(one, ['a@x.test']);
    ask(two, ['b@x.test', 'c@y.test']);
    ask(one, ['d@x.test'], 'dns');
    expect(held).toHaveLength(0);
    await settle(BATCH_MS);
    expect(held.map((h) => [h.request.options?.level, h.request.addresses])).toEqual([
      ['smtp', ['a@x.test', 'b@x.test', 'c@y.test']],
      ['dns', ['d@x.test']],
    ]);
    ask(two, ['e@x.test']);
    await settle(BATCH_MS);
    expect(held).toHaveLength(3);
    expect(held[2]!.request.addresses).toEqual(['e@x.test']);
  });

  it('answers from the cache first; force asks the host again', async () => {
    const one = tab(1);
    ask(one, ['a@example.org']);
    await settle(BATCH_MS);
    expect(browser.host.verifies).toHaveLength(1);

    const two = tab(2);
    ask(two, ['a@example.org']);
    await settle(BATCH_MS);
    expect(browser.host.verifies).toHaveLength(1);
    expect(events(two, 'result')).toEqual([
      { kind: 'result', address: 'a@example.org', result: makeResult('a@example.org') },
    ]);

    ask(two, ['a@example.org'], 'smtp', true);
    await settle(BATCH_MS);
    expect(browser.host.verifies).toHaveLength(2);
    // The host keeps no results (PROTOCOL.md): nothing asks it to skip a cache.
    expect(browser.host.verifies.every((request) => request.options?.fresh === undefined)).toBe(true);
    // A forced re-check's new result reaches everyone still interested.
    expect(events(one, 'result')).toHaveLength(2);
    expect(events(two, 'result')).toHaveLength(2);
  });

  it('a DNS result does not answer an SMTP ask, an SMTP result answers both', async () => {
    browser.host.onVerify = (request, side) => {
      request.addresses.forEach((address, index) =>
        side.result(
          request.id,
          index,
          request.options?.level === 'dns'
            ? makeResult(address, { verdict: 'unknown', reason: 'dns_only', smtp: null })
            : makeResult(address),
        ),
      );
      side.done(request.id, request.addresses.length);
    };
    const dnsTab = tab(1);
    const smtpTab = tab(2);
    ask(dnsTab, ['a@example.org'], 'dns');
    ask(smtpTab, ['a@example.org'], 'smtp');
    await settle(BATCH_MS);
    expect(browser.host.verifies.map((v) => v.options?.level).sort()).toEqual(['dns', 'smtp']);
    expect(events(dnsTab, 'result').map((e) => (e as { result: { reason: string } }).result.reason)).toEqual([
      'dns_only',
      'mailbox_exists',
    ]);
    expect(events(smtpTab, 'result').map((e) => (e as { result: { reason: string } }).result.reason)).toEqual([
      'mailbox_exists',
    ]);
  });

  it('sends the settings as per-request options (heloName left out when empty)', async () => {
    await browser.storage.local.set({
      settings: {
        ...DEFAULT_SETTINGS,
        sender: 'probe@mine.test',
        heloName: '',
        proxy: 'socks5://127.0.0.1:1080',
        timeoutMs: 5_000,
        catchAll: false,
      },
    });
    await settle();
    const port = tab(1);
    ask(port, ['a@example.org'], 'dns');
    await settle(BATCH_MS);
    expect(browser.host.verifies[0]!.options).toEqual({
      level: 'dns',
      sender: 'probe@mine.test',
      proxy: 'socks5://127.0.0.1:1080',
      timeoutMs: 5_000,
      catchAll: false,
      greylistWaitMs: 0,
    });

    await browser.storage.local.set({ settings: { ...DEFAULT_SETTINGS, heloName: 'mx.mine.test' } });
    await settle();
    ask(port, ['b@example.org']);
    await settle(BATCH_MS);
    expect(browser.host.verifies[1]!.options).toMatchObject({
      level: 'smtp',
      heloName: 'mx.mine.test',
      sender: '',
      proxy: '',
      timeoutMs: 20_000,
    });
    expect(deadlineFor(DEFAULT_SETTINGS)).toBe(45_000);
    expect(verifyOptions({ ...DEFAULT_SETTINGS, timeoutMs: 0 }, 'smtp').timeoutMs).toBe(100);
  });

  it('when the host dies, every pending address on every port fails with host_crashed', async () => {
    const held = holdVerifies();
    const one = tab(1);
    const two = tab(2);
    ask(one, ['a@example.org', 'b@example.org']);
    ask(two, ['b@example.org']);
    await settle(BATCH_MS);
    held[0]!.side.result(held[0]!.request.id, 0, makeResult('a@example.org'));
    held[0]!.side.exit('Native host has exited.');
    await settle();

    expect(events(one, 'result').map((e) => (e as { address: string }).address)).toEqual(['a@example.org']);
    const failedOne = events(one, 'failed') as Array<Extract<PortEvent, { kind: 'failed' }>>;
    expect(failedOne.map((e) => e.address)).toEqual(['b@example.org']);
    expect(failedOne[0]!.status).toMatchObject({
      state: 'failed',
      problem: { code: 'host_crashed', raw: 'Native host has exited.' },
    });
    expect((events(two, 'failed') as Array<Extract<PortEvent, { kind: 'failed' }>>).map((e) => e.address)).toEqual([
      'b@example.org',
    ]);
    expect(events(two, 'status').at(-1)).toMatchObject({
      status: { state: 'failed', problem: { code: 'host_crashed' } },
    });

    // The next ask reconnects.
    browser.host.onVerify = (request, side) => answerAll({ request, side });
    ask(two, ['b@example.org']);
    await settle(BATCH_MS);
    expect(browser.host.connects).toBe(2);
    expect(events(two, 'result').map((e) => (e as { address: string }).address)).toEqual(['b@example.org']);
  });

  it('a missing host fails every asked address with host_not_installed and the fix', async () => {
    browser.host.connectError = 'Specified native messaging host not found.';
    const port = tab(1);
    ask(port, ['a@example.org', 'b@example.org']);
    await settle(BATCH_MS);
    const failed = events(port, 'failed') as Array<Extract<PortEvent, { kind: 'failed' }>>;
    expect(failed.map((e) => e.address)).toEqual(['a@example.org', 'b@example.org']);
    expect(failed[0]!.status).toMatchObject({
      state: 'failed',
      problem: {
        code: 'host_not_installed',
        fix: `npm install --global ./mxlens-0.1.0.tgz\nmxlens install --browser chrome --extension-id ${browser.runtime.id}`,
      },
    });
  });

  it('forgets a port when it disconnects; its listeners are removed', async () => {
    const held = holdVerifies();
    const one = tab(1);
    ask(one, ['a@example.org']);
    await settle(BATCH_MS);
    expect(background.checks.portCount).toBe(1);
    one.drop();
    expect(background.checks.portCount).toBe(0);
    expect(one.onMessage.count + one.onDisconnect.count).toBe(0);
    const before = one.sent.length;
    answerAll(held[0]!);
    await settle();
    expect(one.sent.length).toBe(before);
  });
});

describe('re-checks of greylisted addresses', () => {
  it('after the port closed, the alarm checks again and pushes the new result', async () => {
    let greylisting = true;
    browser.host.onVerify = (request, side) => {
      const address = request.addresses[0]!;
      side.result(request.id, 0, greylisting ? greylisted(address, 60_000) : makeResult(address));
      side.done(request.id, 1);
    };
    const port = tab(1);
    ask(port, ['grey@example.org']);
    await settle(BATCH_MS);
    expect(browser.alarms.alarms.get(alarmName(1, onSite('grey@example.org')))?.scheduledTime).toBe(
      Date.now() + 60_000 + RECHECK_MARGIN_MS,
    );
    const hostPort = browser.host.port!;
    await settle(IDLE_CLOSE_MS);
    expect(hostPort.disconnectedByExtension).toBe(true);
    expect(background.host.status().state).toBe('disconnected');

    greylisting = false;
    browser.alarms.fire(alarmName(1, onSite('grey@example.org')));
    await settle(BATCH_MS);
    expect(browser.host.connects).toBe(2);
    expect(browser.host.verifies[1]!.addresses).toEqual(['grey@example.org']);
    expect(events(port, 'result').map((e) => (e as { result: { verdict: string } }).result.verdict)).toEqual([
      'unknown',
      'deliverable',
    ]);
    expect(await background.cache.get(onSite('grey@example.org'), 'smtp')).toMatchObject({ verdict: 'deliverable' });
    expect(browser.alarms.alarms.size).toBe(0);
  });

  it('still greylisted: the next attempt is scheduled, up to three', async () => {
    browser.host.onVerify = (request, side) => {
      side.result(request.id, 0, greylisted(request.addresses[0]!, 60_000));
      side.done(request.id, 1);
    };
    const port = tab(1);
    ask(port, ['grey@example.org']);
    await settle(BATCH_MS);
    for (const attempt of [1, 2, 3]) {
      expect([...browser.alarms.alarms.keys()]).toEqual([alarmName(attempt, onSite('grey@example.org'))]);
      browser.alarms.fire(alarmName(attempt, onSite('grey@example.org')));
      await settle(BATCH_MS);
    }
    expect(browser.alarms.alarms.size).toBe(0);
    expect(browser.host.verifies).toHaveLength(4);
  });

  it('an alarm left from an earlier life does nothing when the cache already holds a settled result', async () => {
    const port = tab(1);
    ask(port, ['fine@example.org']);
    await settle(BATCH_MS);
    await background.cache.flush();
    expect(browser.host.verifies).toHaveLength(1);
    await browser.alarms.create(alarmName(1, onSite('fine@example.org')), { when: Date.now() });
    browser.alarms.fire(alarmName(1, onSite('fine@example.org')));
    await settle(BATCH_MS);
    expect(browser.host.verifies).toHaveLength(1);
  });
});

describe('scopes: what one site asks is not another site’s, nor the user’s', () => {
  it('a site gets no answer checked for another site (cache and checks in flight): a new host check, with its site', async () => {
    const held = holdVerifies();
    const a = tab(1, 'https://a.test');
    ask(a, ['x@example.org']);
    await settle(BATCH_MS);
    expect(held.map((h) => h.request.site)).toEqual(['https://a.test']);

    // While a.test's check runs, b.test asks: it is not covered by it (no shared timing).
    const b = tab(2, 'https://b.test:8443');
    ask(b, ['x@example.org']);
    await settle(BATCH_MS);
    expect(held.map((h) => h.request.site)).toEqual(['https://a.test', 'https://b.test:8443']);
    answerAll(held[0]!);
    await settle();
    expect(events(a, 'result')).toHaveLength(1);
    expect(events(b, 'result')).toHaveLength(0);

    // Once cached for a.test, b.test (another tab, later) still gets a check of its own.
    answerAll(held[1]!);
    const c = tab(3, 'https://c.test');
    ask(c, ['x@example.org']);
    await settle(BATCH_MS);
    expect(held.map((h) => h.request.site)).toEqual(['https://a.test', 'https://b.test:8443', 'https://c.test']);
    // Another tab of a.test is answered from a.test's cache.
    const a2 = tab(4, 'https://a.test');
    ask(a2, ['x@example.org']);
    await settle(BATCH_MS);
    expect(held).toHaveLength(3);
    expect(events(a2, 'result')).toHaveLength(1);
  });

  it('the site is the tab’s top-level origin, also for a frame of another origin', async () => {
    const held = holdVerifies();
    const frame = tab(1, 'https://top.test', 7);
    ask(frame, ['x@example.org']);
    await settle(BATCH_MS);
    expect(held[0]!.request.site).toBe('https://top.test');
  });

  it('the user’s own checks (popup, a click, the context menu) keep their own partition and send no site', async () => {
    const held = holdVerifies();
    const page = tab(1, 'https://a.test');
    ask(page, ['x@example.org']);
    await settle(BATCH_MS);
    answerAll(held[0]!);
    await settle();

    const mine = popup();
    ask(mine, ['x@example.org']);
    await settle(BATCH_MS);
    expect(held).toHaveLength(2);
    expect(held[1]!.request.site).toBeUndefined();
    answerAll(held[1]!);
    await settle();

    // A click on a badge is the user's too: answered from the user's partition, no new check.
    ask(page, ['x@example.org'], 'smtp', false, 'user');
    await settle(BATCH_MS);
    expect(held).toHaveLength(2);
    expect(events(page, 'result')).toHaveLength(2);

    const outcome = background.checks.checkOne('x@example.org', 'smtp');
    await settle(BATCH_MS);
    expect(held).toHaveLength(2);
    expect(await outcome).toMatchObject({ result: { verdict: 'deliverable' } });
    await background.cache.flush();
    expect(await background.cache.get(scopedKey(USER_PARTITION, 'x@example.org'), 'smtp')).toMatchObject({
      verdict: 'deliverable',
    });
    expect(await background.cache.get(onSite('x@example.org', 'https://a.test'), 'smtp')).toMatchObject({
      verdict: 'deliverable',
    });
    expect(await background.cache.get(onSite('x@example.org', 'https://b.test'), 'smtp')).toBeNull();
  });
});

describe('the budget of automatic checks: one per tab, whatever its frames do', () => {
  const addresses = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}${i}@example.org`);

  async function limit(perPageLimit: number): Promise<void> {
    await browser.storage.local.set({ settings: { ...DEFAULT_SETTINGS, perPageLimit } });
    await settle();
  }

  const checkedByHost = () => browser.host.verifies.flatMap((verify) => verify.addresses);

  it('five frames of one tab share one budget; the rest is skipped, and a user’s click still checks', async () => {
    await limit(10);
    const frames = [0, 1, 2, 3, 4].map((frameId) => tab(1, SITE, frameId));
    frames.forEach((frame, n) => ask(frame, addresses(`f${n}-`, 8)));
    await settle(BATCH_MS);
    expect(checkedByHost()).toHaveLength(10);
    const skipped = frames.flatMap((frame) => events(frame, 'skipped'));
    expect(skipped).toHaveLength(30);
    expect(skipped[0]).toMatchObject({ kind: 'skipped', why: 'budget' });

    // Asked again (a reconnect, a reload): what was admitted stays free, nothing new gets in.
    ask(frames[0]!, addresses('f0-', 8));
    await settle(BATCH_MS);
    expect(new Set(checkedByHost()).size).toBe(10);

    ask(frames[4]!, ['f4-7@example.org'], 'smtp', false, 'user');
    await settle(BATCH_MS);
    expect(checkedByHost()).toContain('f4-7@example.org');

    // Another tab has a budget of its own.
    ask(tab(2), addresses('other-', 3));
    await settle(BATCH_MS);
    expect(checkedByHost().filter((a) => a.startsWith('other-'))).toHaveLength(3);
  });

  it('survives the background being stopped and started again (storage.session)', async () => {
    await limit(5);
    ask(tab(1), addresses('a', 5));
    await settle(BATCH_MS);
    expect(checkedByHost()).toHaveLength(5);
    await settle();
    const session = browser.storage.session.data;
    expect(session.has(BUDGETS_KEY)).toBe(true);

    // A new life of the service worker, with the browser's session storage.
    start();
    for (const [key, value] of session) browser.storage.session.data.set(key, value);
    await limit(5);
    const again = tab(1);
    ask(again, addresses('b', 3));
    await settle(BATCH_MS);
    expect(checkedByHost()).toHaveLength(0);
    expect(events(again, 'skipped')).toHaveLength(3);
  });

  it('starts afresh when the tab shows another site, or after an hour', async () => {
    await limit(2);
    ask(tab(1, 'https://a.test'), addresses('a', 3));
    await settle(BATCH_MS);
    expect(checkedByHost()).toHaveLength(2);
    ask(tab(1, 'https://b.test'), addresses('b', 3));
    await settle(BATCH_MS);
    expect(checkedByHost()).toHaveLength(4);
    await settle(60 * 60_000);
    ask(tab(1, 'https://b.test'), addresses('c', 3));
    await settle(BATCH_MS);
    expect(checkedByHost()).toHaveLength(6);
  });

  it('the popup opened in a tab is still ours: the user’s checks, no budget, no site', async () => {
    await limit(1);
    const popupInTab = browser.connect(CHECKS_PORT, {
      tab: { id: 9, url: `chrome-extension://${browser.runtime.id}/popup/popup.html` },
      frameId: 0,
      url: `chrome-extension://${browser.runtime.id}/popup/popup.html`,
    });
    ask(popupInTab, addresses('q', 4), 'smtp', false, 'auto');
    await settle(BATCH_MS);
    expect(checkedByHost()).toHaveLength(4);
    expect(browser.host.verifies.every((verify) => verify.site === undefined)).toBe(true);
  });

  it('the popup is never budgeted: its checks are the user’s', async () => {
    await limit(1);
    ask(popup(), addresses('p', 4), 'smtp', false, 'auto');
    await settle(BATCH_MS);
    expect(checkedByHost()).toHaveLength(4);
  });
});

describe('progress: what a running check is doing', () => {
  it('asks the host for progress and passes each stage only to the ports that asked for that address in that scope', async () => {
    const held = holdVerifies();
    const asker = tab(1, 'https://a.test');
    const sameSite = tab(2, 'https://a.test');
    const otherSite = tab(3, 'https://b.test');
    ask(asker, ['alice@example.org', 'bob@example.org']);
    ask(otherSite, ['alice@example.org']);
    await settle(BATCH_MS);
    const onA = held.find((h) => h.request.site === 'https://a.test')!;
    expect(onA.request.progress).toBe(true);
    onA.side.send({
      type: 'progress',
      id: onA.request.id,
      stages: [{ stage: 'connecting', host: 'mx1.example.org', indexes: [0, 1] }],
    });
    await settle(0);
    expect(events(asker, 'stage')).toEqual([
      { kind: 'stage', address: 'alice@example.org', stage: { stage: 'connecting', host: 'mx1.example.org' } },
      { kind: 'stage', address: 'bob@example.org', stage: { stage: 'connecting', host: 'mx1.example.org' } },
    ]);
    // Another site checking the same address, and another tab of the site that did not ask, hear nothing.
    expect(events(otherSite, 'stage')).toEqual([]);
    expect(events(sameSite, 'stage')).toEqual([]);
    // After its result, an address's late stages go nowhere.
    onA.side.result(onA.request.id, 0, makeResult('alice@example.org'));
    onA.side.send({
      type: 'progress',
      id: onA.request.id,
      stages: [{ stage: 'smtp', host: 'mx1.example.org', indexes: [0] }],
    });
    await settle(0);
    expect(events(asker, 'stage')).toHaveLength(2);
  });

  it('sends no stages to the popup (its bulk checks would flood its port)', async () => {
    const held = holdVerifies();
    const port = popup();
    ask(port, ['alice@example.org']);
    await settle(BATCH_MS);
    held[0]!.side.send({ type: 'progress', id: held[0]!.request.id, stages: [{ stage: 'dns', indexes: [0] }] });
    await settle(0);
    answerAll(held[0]!);
    await settle(0);
    expect(events(port, 'stage')).toEqual([]);
    expect(events(port, 'result')).toHaveLength(1);
  });
});

describe('the site sent to the host', () => {
  it('is an origin, or nothing when the page’s site is not known', async () => {
    const held = holdVerifies();
    const unknown = browser.connect(CHECKS_PORT, { tab: { id: 9 }, frameId: 3, url: 'about:blank' });
    ask(unknown, ['x@example.org']);
    await settle(BATCH_MS);
    expect(held).toHaveLength(1);
    expect(held[0]!.request.site).toBeUndefined();
    // Still apart from the user's partition.
    ask(popup(), ['x@example.org']);
    await settle(BATCH_MS);
    expect(held).toHaveLength(2);
  });
});
