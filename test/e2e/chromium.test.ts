// MX Lens end to end in a real Chromium: the built extension, the real native host (started by
// the browser through native messaging), the test world's DNS and mail servers.
//
// Verdicts are never hard-wired alone: each badge is compared with what `mxlens verify --json`
// says for the same address against the same world. Waits are bounded (expect.poll, timeouts);
// the few fixed pauses say why.

import { readFileSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { verifyInWorld } from '../integration/cli.js';
import {
  BADGE,
  badgeBox,
  badgesIn,
  chromiumForScope,
  countBadges,
  CARD,
  pagesForFile,
  readCard,
  screenshot,
  startPageServer,
  type MxlensBrowser,
  verdictOf,
  worldForFile,
} from './browser.js';

const SETTLED = new Set(['deliverable', 'undeliverable', 'risky', 'unknown']);
const GREYLISTED = 'gina@greylist.test';
const TARPIT = 'someone@tarpit.test';

const world = worldForFile();
const pages = pagesForFile();

// ------------------------------------------------------------------------- the CLI's answers

const cliVerdicts = new Map<string, string>();

/** What `mxlens verify --json` says for these addresses (never the greylisted one: it changes). */
async function hostVerdicts(addresses: string[]): Promise<Record<string, string>> {
  const missing = addresses.filter((address) => !cliVerdicts.has(address));
  if (missing.length > 0) {
    const results = await verifyInWorld(missing);
    results.forEach((result, i) => {
      const asked = missing[i];
      if (asked !== undefined && (result.address === asked || result.normalized === asked))
        cliVerdicts.set(asked, result.verdict);
      cliVerdicts.set(result.normalized ?? result.address, result.verdict);
      cliVerdicts.set(result.address, result.verdict);
    });
  }
  return Object.fromEntries(
    addresses.map((address) => [address, cliVerdicts.get(address) ?? `(the CLI gave no result for ${address})`]),
  );
}

// ------------------------------------------------------------------------- badges

type Summary = Record<string, string[]>;

/** For each address: the distinct verdicts of its badges ([] when it has none). */
async function summary(scope: Page | Frame, addresses: string[]): Promise<Summary> {
  const badges = await badgesIn(scope);
  return Object.fromEntries(
    addresses.map((address) => [
      address,
      [...new Set(badges.filter((b) => b.address === address).map((b) => b.verdict))].sort(),
    ]),
  );
}

const allSettled = (s: Summary) =>
  Object.values(s).every((verdicts) => verdicts.length === 1 && SETTLED.has(verdicts[0]!));

/** Waits until every address has badges, all showing one final verdict; returns them. */
async function settledVerdicts(
  scope: Page | Frame,
  addresses: string[],
  timeout = 20_000,
): Promise<Record<string, string>> {
  await expect.poll(() => summary(scope, addresses), { timeout, interval: 100 }).toSatisfy(allSettled);
  const final = await summary(scope, addresses);
  return Object.fromEntries(Object.entries(final).map(([address, verdicts]) => [address, verdicts[0]!]));
}

async function addressesWithBadges(scope: Page | Frame): Promise<string[]> {
  return [...new Set((await badgesIn(scope)).map((b) => b.address))].sort();
}

// ------------------------------------------------------------------------- the extension's side

/** Patches the stored settings (the options page writes the same storage key). */
async function setSettings(browser: MxlensBrowser, patch: Record<string, unknown>): Promise<void> {
  const worker = await browser.serviceWorker();
  await worker.evaluate(async (change) => {
    type Storage = { get(key: string): Promise<Record<string, unknown>>; set(items: object): Promise<void> };
    const local = (globalThis as unknown as { chrome: { storage: { local: Storage } } }).chrome.storage.local;
    const stored = ((await local.get('settings')).settings ?? {}) as Record<string, unknown>;
    await local.set({ settings: { ...stored, ...change } });
  }, patch);
}

/**
 * A handler the background exposes on globalThis (main.ts), called in the service worker: no
 * test can click a browser menu or press a browser-wide shortcut.
 */
async function callBackground(
  browser: MxlensBrowser,
  name: 'mxlensContextMenuClick' | 'mxlensShortcut',
  first: unknown,
  tabId: number,
): Promise<void> {
  const worker = await browser.serviceWorker();
  await worker.evaluate(
    async ({ handler, argument, id }) => {
      const run = (globalThis as Record<string, unknown>)[handler];
      if (typeof run !== 'function') throw new Error(`the background exposes no globalThis.${handler}`);
      await (run as (argument: unknown, tab: { id: number }) => Promise<void>)(argument, { id });
    },
    { handler: name, argument: first, id: tabId },
  );
}

/** "Verify this address": what a context menu click does, through the background's own handler. */
async function contextMenuClick(
  browser: MxlensBrowser,
  page: Page,
  info: { selectionText?: string; linkUrl?: string },
): Promise<void> {
  const clickInfo = { menuItemId: 'mxlens-verify', frameId: 0, editable: false, pageUrl: page.url(), ...info };
  await callBackground(browser, 'mxlensContextMenuClick', clickInfo, await browser.tabIdOf(page));
}

/** The keyboard shortcut `command`, through the background's own handler. */
async function shortcut(browser: MxlensBrowser, page: Page, command: string): Promise<void> {
  await callBackground(browser, 'mxlensShortcut', command, await browser.tabIdOf(page));
}

/** The toolbar button's badge text on the page's tab. */
async function toolbarText(browser: MxlensBrowser, page: Page): Promise<string> {
  const tabId = await browser.tabIdOf(page);
  const worker = await browser.serviceWorker();
  return worker.evaluate(async (id) => {
    const action = (
      globalThis as unknown as { chrome: { action: { getBadgeText(details: { tabId: number }): Promise<string> } } }
    ).chrome.action;
    return action.getBadgeText({ tabId: id });
  }, tabId);
}

/** Selects `text` in the page (the first text node holding it) and right-clicks on it. */
async function selectAndRightClick(page: Page, text: string): Promise<void> {
  const point = await page.evaluate((wanted) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = (node as Text).data.indexOf(wanted);
      if (at === -1) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + wanted.length);
      const selection = getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      const rect = range.getBoundingClientRect();
      return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
    }
    return null;
  }, text);
  if (!point) throw new Error(`"${text}" is not in the page`);
  await page.mouse.click(point.x, point.y, { button: 'right' });
}

// ------------------------------------------------------------------------- the popup

/** The popup's result rows: address → verdict (from the verdict--<x> class). */
async function popupRows(popup: Page, list: '#check-results' | '#page-results'): Promise<Record<string, string>> {
  return popup.$$eval(`${list} > li`, (items) =>
    Object.fromEntries(
      items.map((item) => {
        const address = item.querySelector('.result-item__address')?.textContent?.trim() ?? '';
        const verdict = /\bverdict--([a-z]+)/.exec(item.querySelector('.verdict')?.className ?? '')?.[1] ?? '';
        return [address, verdict];
      }),
    ),
  );
}

/** RFC 4180 rows (quoted fields, "" escapes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

// =========================================================================== host installed

describe('MX Lens in Chromium with the host installed', () => {
  const b = chromiumForScope();

  it("plain-text addresses get badges whose verdicts are the host's", async () => {
    const page = await b().openPage(pages().url('/pages/plain-text.html'));
    const checked = [
      'alice@acme.test',
      'bob@acme.test',
      'carol@aonly.test',
      'anyone@catchall.test',
      'nobody@acme.test',
      'someone@nullmx.test',
      'Alice.Smith+orders@acme.test',
    ];
    const verdicts = await settledVerdicts(page, checked);
    expect(verdicts).toEqual(await hostVerdicts(checked));
    expect(verdicts).toMatchObject({
      'alice@acme.test': 'deliverable',
      'nobody@acme.test': 'undeliverable',
      'anyone@catchall.test': 'risky',
      'someone@nullmx.test': 'undeliverable',
    });
    expect(await addressesWithBadges(page)).toEqual([...checked, GREYLISTED].sort());
    // One badge per occurrence: alice@ is written three times (once in Chinese text).
    expect(await countBadges(page, { address: 'alice@acme.test' })).toBe(3);
    await screenshot(page, 'page-badges');
    await page.close();
  });

  it('addresses split over inline elements get one badge; block-split look-alikes none', async () => {
    const page = await b().openPage(pages().url('/pages/split-inline.html'));
    const checked = [
      'alice@acme.test',
      'bob@acme.test',
      'carol@aonly.test',
      'someone@nullmx.test',
      'anyone@catchall.test',
    ];
    const verdicts = await settledVerdicts(page, checked);
    expect(verdicts).toEqual(await hostVerdicts(checked));
    expect(await addressesWithBadges(page)).toEqual([...checked, GREYLISTED].sort());
    for (const id of ['bold-local', 'span-at', 'em-domain', 'wbr', 'whole-bold', 'nested']) {
      expect(await page.locator(`#${id} ${BADGE}`).count(), `#${id}`).toBe(1);
    }
    expect(await page.locator(`#blocks ${BADGE}, #br ${BADGE}`).count()).toBe(0);
    await page.close();
  });

  it('mailto: links get a badge for the address in the href', async () => {
    const page = await b().openPage(pages().url('/pages/mailto-links.html'));
    // MAILTO:Someone@NullMX.test: the domain is lower-cased, the local part kept as written.
    const checked = [
      'alice@acme.test',
      'bob@acme.test',
      'carol@aonly.test',
      'anyone@catchall.test',
      'Someone@nullmx.test',
    ];
    const verdicts = await settledVerdicts(page, checked);
    expect(verdicts).toEqual(await hostVerdicts(checked));
    // "?cc=nobody@acme.test" is not a recipient of the link's own address list.
    expect(await addressesWithBadges(page)).toEqual([...checked, GREYLISTED].sort());
    // The link's text and its href are the same address: one badge, not two.
    expect(await page.locator(`#text-and-href ${BADGE}`).count()).toBe(1);
    expect(await countBadges(page, { inside: 'subject', address: 'bob@acme.test' })).toBe(1);
    expect(await countBadges(page, { inside: 'encoded', address: 'carol@aonly.test' })).toBe(1);
    expect(await countBadges(page, { inside: 'upper', address: 'Someone@nullmx.test' })).toBe(1);
    expect(await page.locator(`#several ${BADGE}`).count()).toBe(2);
    expect(await countBadges(page, { inside: 'named', address: 'alice@acme.test' })).toBe(1);
    expect(await page.locator(`#not-mail ${BADGE}`).count()).toBe(0);
    await page.close();
  });

  it('an email field the user fills in and leaves gets a badge; a password field never', async () => {
    const page = await b().openPage(pages().url('/pages/email-fields.html'));
    // As a user does it: click into the field, type, click elsewhere (only the user's own input counts).
    for (const [field, value] of [
      ['#password', 'bob@acme.test'],
      ['#email', 'alice@acme.test'],
      ['#work', 'nobody@acme.test'],
    ] as const) {
      await page.click(field);
      await page.keyboard.type(value);
      await page.click('h1');
    }
    const checked = ['alice@acme.test', 'nobody@acme.test'];
    const verdicts = await settledVerdicts(page, checked);
    expect(verdicts).toEqual(await hostVerdicts(checked));
    expect(await countBadges(page, { address: 'bob@acme.test' })).toBe(0);
    // The field badge sits over the field's inner edge, inside its box.
    const field = await page.locator('#email').boundingBox();
    const badge = await badgeBox(page, 'alice@acme.test');
    expect(field && badge).toBeTruthy();
    if (field && badge) {
      expect(badge.x).toBeGreaterThanOrEqual(field.x);
      expect(badge.x + badge.width).toBeLessThanOrEqual(field.x + field.width);
      expect(badge.y).toBeGreaterThanOrEqual(field.y - 1);
      expect(badge.y + badge.height).toBeLessThanOrEqual(field.y + field.height + 1);
    }
    await screenshot(page, 'email-field-badges');
    await page.close();
  });

  it('content added after load gets badges', async () => {
    const page = await b().openPage(pages().url('/pages/dynamic-content.html'));
    await page.waitForSelector('#late-2', { timeout: 10_000 });
    const checked = ['alice@acme.test', 'bob@acme.test', 'carol@aonly.test'];
    const verdicts = await settledVerdicts(page, checked);
    expect(verdicts).toEqual(await hostVerdicts(checked));
    expect(await countBadges(page, { inside: 'late-1', address: 'bob@acme.test' })).toBe(1);
    expect(await countBadges(page, { inside: 'late-2', address: 'carol@aonly.test' })).toBe(1);
    await expect.poll(() => countBadges(page, { inside: 'status', address: GREYLISTED }), { timeout: 10_000 }).toBe(1);
    await page.close();
  });

  it('addresses inside open shadow roots get badges there', async () => {
    const page = await b().openPage(pages().url('/pages/shadow-root.html'));
    const checked = ['alice@acme.test', 'bob@acme.test', 'carol@aonly.test'];
    const verdicts = await settledVerdicts(page, checked);
    expect(verdicts).toEqual(await hostVerdicts(checked));
    // Playwright's CSS pierces open shadow roots: these badges are inside the cards' roots.
    expect(await countBadges(page, { inside: 'open-card', address: 'bob@acme.test' })).toBe(1);
    expect(await countBadges(page, { inside: 'nested-card', address: 'carol@aonly.test' })).toBe(1);
    const inShadow = await page.evaluate(
      (selector) => document.getElementById('open-card')?.shadowRoot?.querySelector(selector) != null,
      BADGE,
    );
    expect(inShadow).toBe(true);
    await expect
      .poll(() => countBadges(page, { inside: 'nested-card', address: GREYLISTED }), { timeout: 10_000 })
      .toBe(1);
    await page.close();
  });

  it('a same-origin iframe gets its own badges', async () => {
    const page = await b().openPage(pages().url('/frames/parent.html'));
    const frame = page.frame({ url: /\/frames\/child\.html$/ });
    expect(frame).toBeTruthy();
    const top = await settledVerdicts(page.mainFrame(), ['bob@acme.test']);
    const inFrame = await settledVerdicts(frame!, ['alice@acme.test', 'nobody@acme.test']);
    expect({ ...top, ...inFrame }).toEqual(
      await hostVerdicts(['bob@acme.test', 'alice@acme.test', 'nobody@acme.test']),
    );
    // Each document has only its own badges (the locator does not cross into the frame).
    expect(await addressesWithBadges(page.mainFrame())).toEqual(['bob@acme.test']);
    expect(await addressesWithBadges(frame!)).toEqual(['alice@acme.test', 'nobody@acme.test']);
    await page.close();
  });

  it('look-alikes (package@versions, image@2x, handles, code, editors, hidden text) get no badge', async () => {
    const page = await b().openPage(pages().url('/pages/look-alikes.html'));
    // A control address: once its badge exists, the content script has scanned the page.
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.id = 'control';
      p.textContent = 'Control: bob@acme.test';
      document.body.append(p);
    });
    await expect.poll(() => page.locator(`#control ${BADGE}`).count(), { timeout: 10_000 }).toBe(1);
    const badges = await badgesIn(page);
    expect(badges.map((badge) => badge.address)).toEqual(['bob@acme.test']);
    await page.close();
  });

  it('"Verify this address" (context menu) shows a card with the verdict', async () => {
    const page = await b().openPage(pages().url('/pages/plain-text.html'));
    await settledVerdicts(page, ['bob@acme.test']);
    await selectAndRightClick(page, 'bob@acme.test');
    await contextMenuClick(b(), page, { selectionText: 'bob@acme.test' });
    await page.waitForSelector(CARD, { state: 'attached', timeout: 10_000 });
    const expected = (await hostVerdicts(['bob@acme.test']))['bob@acme.test'];
    await expect.poll(() => readCard(page), { timeout: 10_000 }).toMatchObject({ state: expected });
    const card = await readCard(page);
    expect(card?.text).toContain('bob@acme.test');
    expect(card?.label).toContain('bob@acme.test');
    await screenshot(page, 'context-menu-card');

    // A selection without an address: the card says so.
    await selectAndRightClick(page, 'Questions about an order');
    await contextMenuClick(b(), page, { selectionText: 'Questions about an order' });
    await expect
      .poll(async () => (await readCard(page))?.text ?? '', { timeout: 10_000 })
      .toContain('Questions about an order');
    await page.close();
  });

  it('the "verify the selected address" shortcut shows a card with the verdict', async () => {
    const page = await b().openPage(pages().url('/pages/plain-text.html'));
    await settledVerdicts(page, ['bob@acme.test']);
    // Selected with the mouse's right button, which leaves the selection and no menu to wait for.
    await selectAndRightClick(page, 'bob@acme.test');
    await page.keyboard.press('Escape');
    await shortcut(b(), page, 'verify-selection');
    const expected = (await hostVerdicts(['bob@acme.test']))['bob@acme.test'];
    await expect.poll(() => readCard(page), { timeout: 10_000 }).toMatchObject({ state: expected });
    expect((await readCard(page))?.text).toContain('bob@acme.test');
    await page.close();
  });

  it('"Verify this address" on a mailto: link', async () => {
    const page = await b().openPage(pages().url('/pages/mailto-links.html'));
    await page.click('#upper a', { button: 'right' });
    await contextMenuClick(b(), page, { linkUrl: 'MAILTO:Someone@NullMX.test' });
    const expected = (await hostVerdicts(['someone@nullmx.test']))['someone@nullmx.test'];
    await expect.poll(() => readCard(page), { timeout: 10_000 }).toMatchObject({ state: expected });
    expect((await readCard(page))?.text.toLowerCase()).toContain('someone@nullmx.test');
    await page.close();
  });

  it('clicking a badge opens its card', async () => {
    const page = await b().openPage(pages().url('/pages/plain-text.html'));
    await settledVerdicts(page, ['nobody@acme.test']);
    const box = await badgeBox(page, 'nobody@acme.test');
    if (!box) throw new Error('no badge for nobody@acme.test');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => readCard(page), { timeout: 10_000 }).toMatchObject({ state: 'undeliverable' });
    expect((await readCard(page))?.text).toContain('nobody@acme.test');
    await screenshot(page, 'badge-card');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator(CARD).count(), { timeout: 5_000 }).toBe(0);
    await page.close();
  });

  it('a pending card says what the check is doing and for how long (a server that never greets)', async () => {
    pages().addPage(
      '/e2e/tarpit.html',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Slow server</title></head><body>
        <p>Legacy: ${TARPIT}</p>
      </body></html>`,
    );
    const page = await b().openPage(pages().url('/e2e/tarpit.html'));
    await expect.poll(() => verdictOf(page, TARPIT), { timeout: 10_000 }).toBe('pending');
    const box = await badgeBox(page, TARPIT);
    if (!box) throw new Error(`no badge for ${TARPIT}`);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect
      .poll(async () => (await readCard(page))?.text ?? '', { timeout: 10_000 })
      .toContain('Connecting to mx.tarpit.test…');
    await expect
      .poll(async () => (await readCard(page))?.text ?? '', { timeout: 10_000 })
      .toMatch(/Running for [1-9]\d* s/);
    await screenshot(page, 'pending-card-stage');
    await page.close();
  });

  it('the popup checks one address, then several (streaming), and exports CSV', async () => {
    // A short timeout so the tarpit's answer ("unknown", timed out) comes within the test.
    await setSettings(b(), { timeoutMs: 3_000 });
    const bulk = ['alice@acme.test', 'nobody@acme.test', 'anyone@catchall.test', TARPIT];
    const expectedPromise = hostVerdicts(['bob@acme.test', ...bulk]);
    const popup = await b().openPopup();
    await popup.bringToFront();
    await popup.waitForSelector('#check-input', { timeout: 10_000 });

    await popup.fill('#check-input', 'bob@acme.test');
    await popup.click('#check-button');
    const expected = await expectedPromise;
    await expect
      .poll(() => popupRows(popup, '#check-results'), { timeout: 15_000 })
      .toEqual({ 'bob@acme.test': expected['bob@acme.test'] });

    await popup.fill('#check-input', [...bulk, 'not-an-address'].join('\n'));
    await popup.click('#check-button');
    // Results stream in: quick answers are shown while the tarpit is still pending.
    await expect
      .poll(() => popupRows(popup, '#check-results'), { timeout: 15_000 })
      .toSatisfy((rows: Record<string, string>) =>
        ['alice@acme.test', 'nobody@acme.test', 'anyone@catchall.test'].every((a) => SETTLED.has(rows[a] ?? '')),
      );
    expect((await popupRows(popup, '#check-results'))[TARPIT]).toBe('pending');
    await expect
      .poll(() => popupRows(popup, '#check-results'), { timeout: 20_000 })
      .toEqual({ ...Object.fromEntries(bulk.map((a) => [a, expected[a]])), 'not-an-address': 'undeliverable' });
    await screenshot(popup, 'popup-bulk', { fullPage: true });

    const [download] = await Promise.all([
      popup.waitForEvent('download', { timeout: 10_000 }),
      popup.click('#check-download-csv'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^mxlens-\d{4}-\d{2}-\d{2}\.csv$/);
    const file = await download.path();
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    const [header, ...rows] = parseCsv(text);
    // The columns of `mxlens verify --json`.
    expect(header?.slice(0, 4)).toEqual(['address', 'normalized', 'verdict', 'reason']);
    const column = (name: string) => header!.indexOf(name);
    const byAddress = Object.fromEntries(rows.map((row) => [row[0], row]));
    expect(Object.keys(byAddress).sort()).toEqual([...bulk, 'not-an-address'].sort());
    for (const address of bulk) expect(byAddress[address]?.[column('verdict')], address).toBe(expected[address]);
    expect([column('verdict'), column('reason')].map((i) => byAddress['not-an-address']?.[i])).toEqual([
      'undeliverable',
      'invalid_syntax',
    ]);
    expect(byAddress['nobody@acme.test']?.[column('smtp.code')]).toBe('550');
    await setSettings(b(), { timeoutMs: 20_000 });
    await popup.close();
  });

  it('the popup shows no export buttons before there is anything to export', async () => {
    const popup = await b().openPopup();
    await popup.bringToFront();
    await expect.poll(() => popup.locator('#page-message').innerText(), { timeout: 10_000 }).not.toBe('');
    // Both are `hidden` in the markup until results exist; a stylesheet must not show them anyway.
    expect(await popup.locator('#check-export').getAttribute('hidden')).not.toBeNull();
    expect(await popup.locator('#check-export').isVisible()).toBe(false);
    expect(await popup.locator('#page-export').getAttribute('hidden')).not.toBeNull();
    expect(await popup.locator('#page-export').isVisible()).toBe(false);
    await popup.close();
  });

  it('pausing a site from the popup removes the badges and keeps them off after a reload', async () => {
    // Its own origin, so the pause touches no other test.
    const site = await startPageServer();
    try {
      const page = await b().openPage(site.url('/pages/plain-text.html'));
      await settledVerdicts(page, ['alice@acme.test']);
      const popup = await b().openPopup(page);
      await expect.poll(() => popup.locator('#page-pause').isEnabled(), { timeout: 10_000 }).toBe(true);
      await expect
        .poll(() => popupRows(popup, '#page-results'), { timeout: 10_000 })
        .toMatchObject({ 'alice@acme.test': 'deliverable' });
      await popup.bringToFront();
      await screenshot(popup, 'popup-page-list', { fullPage: true });

      await popup.click('#page-pause');
      await expect.poll(() => page.locator(BADGE).count(), { timeout: 10_000 }).toBe(0);
      await expect.poll(() => popup.locator('#page-message').innerText(), { timeout: 5_000 }).toContain(site.origin);

      await page.reload();
      await page.bringToFront();
      // The content script is there (it answers) but stays quiet.
      const tabId = await b().tabIdOf(page);
      await expect
        .poll(
          async () => {
            const worker = await b().serviceWorker();
            return worker.evaluate(async (id) => {
              type Tabs = { sendMessage(tab: number, message: object): Promise<unknown> };
              const tabs = (globalThis as unknown as { chrome: { tabs: Tabs } }).chrome.tabs;
              return tabs.sendMessage(id, { kind: 'list-addresses' }).then(
                (reply) => JSON.stringify(reply),
                (error: unknown) => `no answer: ${String(error)}`,
              );
            }, tabId);
          },
          { timeout: 10_000 },
        )
        .toBe('[]');
      // An unpaused content script scans at once after reading its settings (a few ms): give a
      // wrongly running one time to show a badge before saying there is none.
      await page.waitForTimeout(1_500);
      expect(await page.locator(BADGE).count()).toBe(0);

      // A fresh load of the paused site in a new tab: the toolbar says "off" at once, unasked.
      const fresh = await b().openPage(site.url('/pages/plain-text.html'));
      await expect.poll(() => toolbarText(b(), fresh), { timeout: 10_000 }).toBe('off');
      await fresh.close();

      // Resuming brings them back without a reload.
      await popup.click('#page-pause');
      await expect
        .poll(() => countBadges(page, { address: 'alice@acme.test' }), { timeout: 10_000 })
        .toBeGreaterThan(0);
      await popup.close();
      await page.close();
    } finally {
      await site.close();
    }
  });

  it('the options page renders', async () => {
    const page = await b().openPage(b().extensionUrl('options/options.html'));
    await page.waitForSelector('#options-form', { timeout: 10_000 });
    await expect.poll(() => page.locator('h1').first().innerText(), { timeout: 5_000 }).toMatch(/MX Lens/);
    await screenshot(page, 'options', { fullPage: true });
    await page.close();
  });
});

// =========================================================================== host missing

describe('MX Lens in Chromium without the host', () => {
  const b = chromiumForScope({ hostInstalled: false });

  it('the welcome page (opened on install) and the popup show the install command', async () => {
    const isWelcome = (p: Page) => p.url().endsWith('/welcome/welcome.html');
    const welcome =
      b().context.pages().find(isWelcome) ??
      (await b().context.waitForEvent('page', { predicate: isWelcome, timeout: 10_000 }));
    await welcome.bringToFront();
    await expect
      .poll(() => welcome.locator('#welcome-status').innerText(), { timeout: 15_000 })
      .toContain('mxlens install');
    expect(await welcome.locator('#welcome-status').innerText()).toContain(b().extensionId);
    expect(await welcome.locator('#welcome-missing').isVisible()).toBe(true);
    await screenshot(welcome, 'welcome-host-missing', { fullPage: true });

    const popup = await b().openPopup();
    await expect.poll(() => popup.locator('#host-status').innerText(), { timeout: 15_000 }).toContain('mxlens install');
    await screenshot(popup, 'popup-host-missing', { fullPage: true });
    await popup.close();
  });

  it('pages show no badges (no wall of "?"); installing the host and pressing "Check again" brings them, checked', async () => {
    const page = await b().openPage(pages().url('/pages/plain-text.html'));
    // The content script asked, the host is missing: every badge it placed is gone again.
    const tabId = await b().tabIdOf(page);
    const listed = async () => {
      const worker = await b().serviceWorker();
      return worker.evaluate(async (id) => {
        type Tabs = { sendMessage(tab: number, message: object): Promise<unknown> };
        const tabs = (globalThis as unknown as { chrome: { tabs: Tabs } }).chrome.tabs;
        return tabs.sendMessage(id, { kind: 'list-addresses' }).then(
          (reply) => JSON.stringify(reply),
          (error: unknown) => `no answer: ${String(error)}`,
        );
      }, tabId);
    };
    const popup = await b().openPopup();
    await expect.poll(() => popup.locator('#host-status').innerText(), { timeout: 15_000 }).toContain('mxlens install');
    await popup.close();
    await expect.poll(listed, { timeout: 10_000 }).toBe('[]');
    expect(await page.locator(BADGE).count()).toBe(0);
    await screenshot(page, 'page-host-missing');

    b().installHost();
    const welcome = b()
      .context.pages()
      .find((p) => p.url().endsWith('/welcome/welcome.html'));
    expect(welcome).toBeTruthy();
    await welcome!.bringToFront();
    await welcome!.click('#welcome-check-again');
    await expect.poll(() => welcome!.locator('#welcome-ready').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await welcome!.locator('#welcome-status').innerText()).toMatch(/Connected/i);
    await screenshot(welcome!, 'welcome-connected', { fullPage: true });

    // The page that was left without badges gets them now, with the host's verdicts.
    await page.bringToFront();
    const verdicts = await settledVerdicts(page, ['alice@acme.test', 'nobody@acme.test'], 20_000);
    expect(verdicts).toEqual(await hostVerdicts(['alice@acme.test', 'nobody@acme.test']));
    await page.close();
  });
});

// =========================================================================== host dies

describe('MX Lens in Chromium when the host dies mid-check', () => {
  const b = chromiumForScope();

  it('pending badges settle, and the next check starts a new host', async () => {
    pages().addPage(
      '/e2e/host-dies.html',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host dies</title></head><body>
        <p id="quick">Sales: alice@acme.test</p>
        <p id="slow">Legacy (very slow server): ${TARPIT}</p>
        <div id="later"></div>
      </body></html>`,
    );
    const page = await b().openPage(pages().url('/e2e/host-dies.html'));
    await settledVerdicts(page, ['alice@acme.test']);
    expect(await verdictOf(page, TARPIT)).toBe('pending');

    const killed = b().hostPids();
    expect(killed.length, 'a running native host started by this Chromium').toBeGreaterThan(0);
    for (const pid of killed) process.kill(pid, 'SIGKILL');

    await expect
      .poll(() => verdictOf(page, TARPIT), { timeout: 15_000 })
      .toSatisfy((v: string | null) => v !== null && SETTLED.has(v));

    await page.evaluate(() => {
      const later = document.getElementById('later');
      if (later) later.textContent = 'New contact: bob@acme.test';
    });
    const verdicts = await settledVerdicts(page, ['bob@acme.test'], 20_000);
    expect(verdicts).toEqual(await hostVerdicts(['bob@acme.test']));
    const now = b().hostPids();
    expect(now.length).toBeGreaterThan(0);
    expect(now.filter((pid) => killed.includes(pid))).toEqual([]);
    await page.close();
  });
});

// =========================================================================== greylisting

describe('MX Lens in Chromium with a greylisted address', () => {
  const b = chromiumForScope();

  it('the badge turns deliverable on its own after the extension re-checks', async () => {
    world().resetFakes(); // the fake forgets earlier tries: the first RCPT is greylisted again
    pages().addPage(
      '/e2e/greylist.html',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Greylist</title></head><body>
        <p>Support (EU): ${GREYLISTED}</p>
      </body></html>`,
    );
    const page = await b().openPage(pages().url('/e2e/greylist.html'));
    // Every verdict the badge shows, in order, read inside its closed shadow root.
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          const verdict = await verdictOf(page, GREYLISTED);
          if (verdict !== null && seen.at(-1) !== verdict) seen.push(verdict);
          return verdict;
        },
        { timeout: 25_000, interval: 100 },
      )
      .toBe('deliverable');
    const beforeFinal = seen.slice(0, seen.indexOf('deliverable'));
    // First the greylisted answer (a final-looking verdict that is not "deliverable"), then the re-check's.
    expect(
      beforeFinal.some((v) => SETTLED.has(v) && v !== 'deliverable'),
      `verdicts seen: ${seen.join(' → ')}`,
    ).toBe(true);
    const tries = world().fakes['mx.greylist.test']!.sessions.filter((s) => s.rcptTo.includes(GREYLISTED));
    expect(tries.length).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'greylist-deliverable');
    await page.close();
  });
});
