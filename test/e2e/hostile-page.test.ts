// A hostile page in a real Chromium, with the real host and the test world's mail servers. The
// page's own script tries every way we could think of to learn what MX Lens found out about an
// address, to make MX Lens check more than the user's budget, and to learn by timing what
// another site checked. It must learn nothing and get nothing.
//
// What MX Lens really shows is read the way DevTools does (CDP, through closed shadow roots):
// the two addresses compared below really do get different verdicts.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BADGE, badgeBox, badgesIn, chromiumForScope, pagesForFile, startPageServer, worldForFile } from './browser.js';

const SETTLED = new Set(['deliverable', 'undeliverable', 'risky', 'unknown']);
// The same length, so that the page's text (monospace) lays out the same way around both.
const REAL = 'alice@acme.test';
const GHOST = 'xqzzy@acme.test';

const world = worldForFile();
const pages = pagesForFile();
const b = chromiumForScope();

async function setSettings(patch: Record<string, unknown>): Promise<void> {
  const worker = await b().serviceWorker();
  await worker.evaluate(async (change) => {
    type Storage = { get(key: string): Promise<Record<string, unknown>>; set(items: object): Promise<void> };
    const local = (globalThis as unknown as { chrome: { storage: { local: Storage } } }).chrome.storage.local;
    const stored = ((await local.get('settings')).settings ?? {}) as Record<string, unknown>;
    await local.set({ settings: { ...stored, ...change } });
  }, patch);
}

/** Every badge of the page and its same-origin frames, read through CDP. */
async function allBadges(page: Page): Promise<Array<{ address: string; verdict: string }>> {
  const out: Array<{ address: string; verdict: string }> = [];
  for (const frame of page.frames()) out.push(...(await badgesIn(frame)));
  return out;
}

// ------------------------------------------------------------------------- the spy

/**
 * The page's script, run before anything else on the page: it watches everything a page can
 * watch, and offers `spy.look(id)`, a snapshot of everything it can read about the badge in
 * the element with that id.
 */
const SPY = String.raw`
(() => {
  const log = { mutations: {}, events: {}, attachShadowCalls: 0, snapshots: {}, animations: [] };
  window.spy = log;
  const containerOf = (node) => {
    for (let n = node; n; n = n.parentNode) if (n.nodeType === 1 && n.hasAttribute('data-spy')) return n.id;
    return null;
  };
  const push = (bucket, id, entry) => { if (id) (bucket[id] ??= []).push(entry); };
  // Our own copy of attachShadow: does MX Lens ever call the page's functions?
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) { log.attachShadowCalls++; return attach.call(this, init); };
  new MutationObserver((records) => {
    for (const r of records) {
      const id = containerOf(r.target);
      push(log.mutations, id, [r.type, r.attributeName, r.oldValue, [...r.addedNodes].map((n) => n.nodeName), [...r.removedNodes].map((n) => n.nodeName)].join('|'));
      for (const added of r.addedNodes) {
        if (added.nodeType === 1 && added.getAttribute('data-mxlens') === 'badge' && id) {
          // A badge was just placed: its check is pending now. Look at it at once.
          (log.snapshots[id] ??= []).push(window.spyLook(id));
          log.animations.push(document.getAnimations().length);
        }
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true, attributeOldValue: true, characterDataOldValue: true });
  const types = new Set();
  for (let o = window; o; o = Object.getPrototypeOf(o)) for (const key of Object.getOwnPropertyNames(o)) if (key.startsWith('on')) types.add(key.slice(2));
  for (const type of [...types, 'focusin', 'focusout', 'animationstart', 'animationend', 'transitionrun', 'transitionend']) {
    window.addEventListener(type, (event) => {
      for (const target of event.composedPath()) {
        const id = target.nodeType === 1 ? containerOf(target) : null;
        if (id) { push(log.events, id, event.type); break; }
      }
    }, true);
  }
  window.spyLook = (id) => {
    const container = document.getElementById(id);
    const host = container.querySelector('[data-mxlens]');
    if (!host) return null;
    const outer = container.getBoundingClientRect();
    const rect = host.getBoundingClientRect();
    const style = getComputedStyle(host);
    const computed = {};
    for (const name of style) computed[name] = style.getPropertyValue(name);
    let attachError = null;
    try { attach.call(host, { mode: 'open' }); } catch (error) { attachError = error.name; }
    return JSON.stringify({
      outerHTML: host.outerHTML,
      attributes: host.getAttributeNames().map((name) => name + '=' + host.getAttribute(name)),
      text: host.textContent, innerText: host.innerText, containerText: container.innerText,
      shadowRoot: String(host.shadowRoot), attachError,
      rect: [rect.left - outer.left, rect.top - outer.top, rect.width, rect.height],
      sizes: [host.offsetWidth, host.offsetHeight, host.clientWidth, host.clientHeight, host.scrollWidth, host.scrollHeight, host.getClientRects().length],
      containerSizes: [container.scrollWidth, container.scrollHeight, container.offsetHeight],
      computed, before: getComputedStyle(host, '::before').content, after: getComputedStyle(host, '::after').content,
      visible: host.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
      tabIndex: host.tabIndex, role: host.role, ariaLabel: host.ariaLabel, title: host.title,
      animations: host.getAnimations({ subtree: true }).length,
      matchesDefined: host.matches(':defined'), focusable: (() => { host.focus(); return document.activeElement === host; })(),
      atPoint: document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2) === host,
    });
  };
})();
`;

describe('a page script learns nothing about a verdict', () => {
  it('a deliverable and an undeliverable address look exactly the same to the page, from the first moment to the end', async () => {
    pages().addPage(
      '/hostile/spy.html',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Spy</title>
      <style>p { font: 16px/1.5 monospace; margin: 0 0 12px; }</style></head><body>
        <h1>Contacts</h1>
        <p id="real" data-spy>Write to ${REAL} today.</p>
        <p id="ghost" data-spy>Write to ${GHOST} today.</p>
      </body></html>`,
    );
    const page = await b().context.newPage();
    await page.addInitScript(SPY);
    await page.bringToFront();
    await page.goto(pages().url('/hostile/spy.html'));

    // What MX Lens really shows (DevTools' view): two different verdicts.
    await expect
      .poll(async () => Object.fromEntries((await badgesIn(page)).map((badge) => [badge.address, badge.verdict])), {
        timeout: 20_000,
      })
      .toEqual({ [REAL]: 'deliverable', [GHOST]: 'undeliverable' });
    const mine = await badgesIn(page);
    expect(mine.map((badge) => badge.label)).toEqual([
      `Email check for ${REAL}: Deliverable`,
      `Email check for ${GHOST}: Undeliverable`,
    ]);

    // What the page sees of each, at the end...
    const final = await page.evaluate(() => {
      const w = window as unknown as { spyLook(id: string): string | null };
      return { real: w.spyLook('real'), ghost: w.spyLook('ghost'), animations: document.getAnimations().length };
    });
    const spy = await page.evaluate(() => (window as unknown as { spy: Record<string, unknown> }).spy);
    const snapshots = spy.snapshots as Record<string, string[]>;
    const look = (json: string | null | undefined) => {
      const value = JSON.parse(json ?? 'null') as Record<string, unknown> | null;
      // The container's own text differs (it holds the address): everything else must not.
      if (value) delete value.containerText;
      return value;
    };
    expect(final.real).not.toBeNull();
    expect(look(final.real)).toEqual(look(final.ghost));
    // ...and at the moment each badge appeared (pending): the same again, and no change since.
    expect(snapshots.real).toHaveLength(1);
    expect(snapshots.ghost).toHaveLength(1);
    expect(look(snapshots.real![0])).toEqual(look(final.real));
    expect(look(snapshots.ghost![0])).toEqual(look(final.ghost));
    // The element says nothing: no address, no verdict, no label, no text, no shadow root to open.
    const seen = look(final.real)!;
    expect(seen.attributes).toEqual(['data-mxlens=badge', expect.stringMatching(/^style=/), 'translate=no']);
    expect(seen).toMatchObject({
      text: '',
      innerText: '',
      shadowRoot: 'null',
      attachError: 'NotSupportedError',
      role: null,
      ariaLabel: null,
      title: '',
      tabIndex: -1,
      focusable: false,
      animations: 0,
    });
    expect(JSON.stringify([look(final.real), look(final.ghost)])).not.toMatch(/deliverable|alice@|xqzzy@|Email check/i);

    // Mutations, events and animations: the same story for both, nothing after the badge went in.
    // (The page's own text is split after the address: that old text is the address itself.)
    const mutations = spy.mutations as Record<string, string[]>;
    const same = (records: string[] | undefined) =>
      (records ?? []).map((record) => record.replace(REAL, 'ADDRESS').replace(GHOST, 'ADDRESS'));
    expect(mutations.real?.length).toBeGreaterThan(0);
    expect(same(mutations.real)).toEqual(same(mutations.ghost));
    expect(mutations.real?.some((record) => record.startsWith('attributes|'))).toBe(false);
    const events = spy.events as Record<string, string[]>;
    expect(events.real ?? []).toEqual(events.ghost ?? []);
    expect(spy.attachShadowCalls).toBe(0);
    expect(spy.animations).toEqual([0, 0]);
    expect(final.animations).toBe(0);
    await page.close();
  });

  it('the badges take one Tab stop, whatever their verdicts; arrows move between them', async () => {
    const page = await b().openPage(pages().url('/hostile/spy.html'));
    await expect
      .poll(async () => (await badgesIn(page)).map((badge) => badge.verdict).every((v) => SETTLED.has(v)), {
        timeout: 20_000,
      })
      .toBe(true);
    const stops = (await badgesIn(page)).map((badge) => badge.tabindex);
    expect(stops).toEqual(['0', '-1']);
    // Tab from the top: into the first badge, then out of the page's badges (no second stop).
    const focused = async () =>
      page.evaluate(
        () => document.activeElement?.getAttribute('data-mxlens') ?? document.activeElement?.tagName ?? null,
      );
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('badge');
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('badge');
    expect((await badgesIn(page)).map((badge) => badge.tabindex)).toEqual(['-1', '0']);
    await page.keyboard.press('Tab');
    expect(await focused()).not.toBe('badge');
    await page.close();
  });
});

// ------------------------------------------------------------------------- budgets

const FRAME_ADDRESSES = 6;

function framePage(frame: number): string {
  const lines = Array.from(
    { length: FRAME_ADDRESSES },
    (_, i) => `<p>Member ${i}: f${frame}-m${i}@catchall.test</p>`,
  ).join('');
  // Small print: each frame shows all its members (badges are made only for text on screen).
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Frame ${frame}</title></head><body style="font: 12px sans-serif; margin: 4px">${lines}</body></html>`;
}

const FLOOD_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flood</title></head><body>
  <h1>Members</h1>
  ${Array.from({ length: FRAME_ADDRESSES }, (_, i) => `<p>Member ${i}: top-m${i}@catchall.test</p>`).join('')}
  <input type="email" id="visible-field" value="prefilled@catchall.test">
  <div style="display:none" id="hidden-fields"></div>
  ${[0, 1, 2, 3, 4].map((n) => `<iframe src="/hostile/frame${n}.html" width="200" height="260" style="opacity:0.01"></iframe>`).join('')}
  <script>
    const hidden = document.getElementById('hidden-fields');
    for (let i = 0; i < 5000; i++) {
      const input = document.createElement('input');
      input.type = 'email';
      input.value = 'hidden' + i + '@catchall.test';
      hidden.append(input);
    }
    window.attack = () => {
      // Every field: focus, "type", change, blur, with events the script makes itself.
      for (const input of document.querySelectorAll('input')) {
        input.focus();
        for (const type of ['pointerdown', 'mousedown', 'keydown', 'paste', 'input', 'change', 'keyup']) input.dispatchEvent(new Event(type, { bubbles: true }));
        input.blur();
      }
      // Typing into the visible field through the editing commands.
      const field = document.getElementById('visible-field');
      field.focus();
      field.select();
      document.execCommand('insertText', false, 'typed-by-script@catchall.test');
      field.blur();
      // Clicks, keys and hovering on every badge of this document and of the frames.
      const docs = [document, ...[...document.querySelectorAll('iframe')].map((f) => f.contentDocument)];
      let badges = 0;
      for (const doc of docs) {
        for (const badge of doc.querySelectorAll('[data-mxlens="badge"]')) {
          badges++;
          badge.click();
          badge.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
          badge.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
          badge.dispatchEvent(new MouseEvent('mouseenter'));
          for (const key of ['Enter', ' ']) badge.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
          badge.focus();
        }
      }
      return badges;
    };
  </script>
</body></html>`;

describe('a page cannot make MX Lens check more than the budget', () => {
  it('5,000 hidden fields, 5 iframes, script-made typing, clicks and keys: the tab’s budget and nothing more', async () => {
    const budget = 10;
    await setSettings({ perPageLimit: budget, catchAll: false, autoMode: 'full' });
    for (let n = 0; n < 5; n++) pages().addPage(`/hostile/frame${n}.html`, framePage(n));
    pages().addPage('/hostile/flood.html', FLOOD_PAGE);
    world().resetFakes();
    const catchAll = world().fakes['mx.catchall.test']!;
    const rcpts = () => catchAll.sessions.flatMap((session) => session.rcptTo);

    const page = await b().openPage(pages().url('/hostile/flood.html'));
    const all = 6 * FRAME_ADDRESSES;
    // Every address of the top page and of the five frames gets a badge...
    await expect.poll(async () => (await allBadges(page)).length, { timeout: 20_000 }).toBe(all);
    // ...and exactly `budget` of them are checked; the rest stay unchecked.
    const checked = async () => (await allBadges(page)).filter((badge) => badge.verdict !== 'unchecked');
    await expect
      .poll(async () => (await checked()).filter((badge) => SETTLED.has(badge.verdict)).length, { timeout: 30_000 })
      .toBe(budget);

    const badgesTouched = await page.evaluate(() => (window as unknown as { attack(): number }).attack());
    expect(badgesTouched).toBe(all);

    // The user clicks one unchecked badge (a real click): that one is checked, and only that one.
    const unchecked = (await badgesIn(page)).find((badge) => badge.verdict === 'unchecked');
    expect(unchecked, 'an unchecked badge in the top page').toBeTruthy();
    const box = await badgeBox(page, unchecked!.address);
    await page.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
    await expect
      .poll(async () => (await badgesIn(page)).find((badge) => badge.address === unchecked!.address)?.verdict, {
        timeout: 20_000,
      })
      .toSatisfy((verdict: string | undefined) => verdict !== undefined && SETTLED.has(verdict));
    await page.keyboard.press('Escape');

    const asked = rcpts();
    expect(new Set(asked).size).toBe(asked.length);
    expect(asked.length).toBeLessThanOrEqual(budget + 1);
    expect(asked).toContain(unchecked!.address);
    expect(asked.filter((address) => /^(hidden\d+|prefilled|typed-by-script)@/.test(address))).toEqual([]);
    expect((await checked()).length).toBe(budget + 1);
    expect(await page.locator(`#hidden-fields ${BADGE}`).count()).toBe(0);
    // The budget is kept where a restarted service worker finds it again (storage.session).
    const worker = await b().serviceWorker();
    const stored = await worker.evaluate(async () => {
      type Area = { get(key: string): Promise<Record<string, unknown>> };
      const session = (globalThis as unknown as { chrome: { storage: { session: Area } } }).chrome.storage.session;
      return (await session.get('tabBudgets')).tabBudgets as
        Record<string, { site: string; used: string[] }> | undefined;
    });
    const used = Object.values(stored ?? {})
      .filter((entry) => entry.site === pages().origin)
      .map((entry) => entry.used.length);
    expect(used).toContain(budget);
    expect(Math.max(...used)).toBe(budget);
    await setSettings({ perPageLimit: 200, catchAll: true });
    await page.close();
  });
});

// ------------------------------------------------------------------------- cross-site timing

describe('a site cannot learn by timing what another site checked', () => {
  it('an address checked on site A is checked afresh for site B (never answered from A’s memory), and for the user', async () => {
    const other = await startPageServer();
    try {
      // Counted where it matters, at the mail server: how often this very mailbox was asked (a
      // count of the host's verifies also sees any other page's check, of an earlier test too).
      const address = 'dave@bannerfail.test';
      const server = world().fakes['mx2.bannerfail.test']!;
      const asked = () =>
        server.sessions.flatMap((session) => session.rcptTo).filter((rcpt) => rcpt === address).length;
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Site</title></head><body><p>Contact: ${address}</p></body></html>`;
      pages().addPage('/hostile/site.html', html);
      other.addPage('/hostile/site.html', html);
      expect(other.origin).not.toBe(pages().origin);
      world().resetFakes();

      const a = await b().openPage(pages().url('/hostile/site.html'));
      await expect.poll(async () => (await badgesIn(a))[0]?.verdict, { timeout: 20_000 }).toBe('deliverable');
      expect(asked()).toBe(1);
      // Site A again (another tab): from A's own memory, the mail server is not asked again.
      const a2 = await b().openPage(pages().url('/hostile/site.html'));
      await expect.poll(async () => (await badgesIn(a2))[0]?.verdict, { timeout: 20_000 }).toBe('deliverable');
      expect(asked()).toBe(1);

      // Site B: its own check reaches the mail server (the host keeps its memory per site too).
      const bPage = await b().openPage(other.url('/hostile/site.html'));
      await expect.poll(async () => (await badgesIn(bPage))[0]?.verdict, { timeout: 20_000 }).toBe('deliverable');
      expect(asked()).toBe(2);
      for (const page of [a, a2, bPage]) await page.close();
    } finally {
      await other.close();
    }
  });
});
