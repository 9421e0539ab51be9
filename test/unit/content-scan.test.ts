// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { badgeOf } from '../../extension/src/content/badge/badge-element.js';
import {
  allBadges,
  badgeAddresses,
  badgeAfter,
  loadFixture,
  makeContext,
  type TestContext,
} from './content-helpers.js';

let running: TestContext | null = null;

function start(...args: Parameters<typeof makeContext>): TestContext {
  running = makeContext(...args);
  running.context.start();
  return running;
}

afterEach(() => {
  running?.context.stop();
  running = null;
  vi.useRealTimers();
  document.body.replaceChildren();
});

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no #${id}`);
  return element;
}

function counts(addresses: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const address of addresses) map.set(address, (map.get(address) ?? 0) + 1);
  return map;
}

describe('plain text', () => {
  it('puts one badge right after each address', () => {
    loadFixture('plain-text.html');
    const textBefore = document.body.textContent;
    start();
    expect(badgeAddresses()).toEqual([
      'alice@acme.test',
      'bob@acme.test',
      'carol@aonly.test',
      'anyone@catchall.test',
      'nobody@acme.test',
      'someone@nullmx.test',
      'gina@greylist.test',
      'Alice.Smith+orders@acme.test',
      'alice@acme.test',
      'bob@acme.test',
      'alice@acme.test',
    ]);
    // Badges add no text: their look is in their shadow root.
    expect(document.body.textContent).toBe(textBefore);
  });

  it('places the badge right after the address, splitting the text node', () => {
    loadFixture('plain-text.html');
    start();
    const first = document.querySelector('main p');
    const badge = allBadges(first ?? document)[0];
    expect(badge?.host.previousSibling?.textContent).toBe('Questions about an order? Write to alice@acme.test');
    expect(badge?.host.nextSibling?.textContent).toBe(' and we answer within one working day.');
  });

  it('leaves a short punctuation tail in place', () => {
    loadFixture('plain-text.html');
    start();
    const item = Array.from(document.querySelectorAll('li')).find((li) => li.textContent?.includes('nullmx'));
    expect(item?.lastChild && badgeOf(item.lastChild)?.address).toBe('someone@nullmx.test');
    expect(item?.firstChild?.textContent).toBe('Legacy domain: someone@nullmx.test.');
  });

  it('does not add a second badge when scanned again', () => {
    loadFixture('plain-text.html');
    const { context } = start();
    context.scan(document.body);
    context.scan(document.body);
    expect(allBadges()).toHaveLength(11);
  });
});

describe('addresses split over inline elements', () => {
  it('joins the text of inline siblings and badges after the node where the address ends', () => {
    loadFixture('split-inline.html');
    start();
    expect(badgeAddresses()).toEqual([
      'alice@acme.test',
      'bob@acme.test',
      'carol@aonly.test',
      'someone@nullmx.test',
      'gina@greylist.test',
      'anyone@catchall.test',
    ]);
    expect(badgeOf(byId('bold-local').lastChild)?.address).toBe('alice@acme.test');
    expect(badgeOf(byId('span-at').lastChild)?.address).toBe('bob@acme.test');
    const em = byId('em-domain').querySelector('em');
    expect(badgeAfter(em?.nextSibling ?? null)?.address).toBe('carol@aonly.test');
    expect(em?.nextSibling?.textContent).toBe('.test');
    expect(badgeAfter(byId('whole-bold').querySelector('strong'))?.address).toBe('gina@greylist.test');
    expect(badgeOf(byId('nested').lastChild)?.address).toBe('anyone@catchall.test');
  });

  it('does not join text across blocks or line breaks', () => {
    loadFixture('split-inline.html');
    start();
    expect(allBadges(byId('blocks'))).toHaveLength(0);
    expect(allBadges(byId('br'))).toHaveLength(0);
  });
});

describe('mailto links', () => {
  it('decodes the href and badges after the link, once', () => {
    loadFixture('mailto-links.html');
    start();
    expect(badgeAddresses()).toEqual([
      'alice@acme.test',
      'bob@acme.test',
      'carol@aonly.test',
      'anyone@catchall.test',
      'gina@greylist.test',
      'Someone@nullmx.test',
      'alice@acme.test',
    ]);
    for (const id of ['text-and-href', 'subject', 'encoded', 'upper', 'named']) {
      const link = byId(id).querySelector('a');
      expect(badgeAfter(link), id).toBeDefined();
      expect(allBadges(byId(id)), id).toHaveLength(1);
    }
    expect(allBadges(byId('several')).map((badge) => badge.address)).toEqual([
      'anyone@catchall.test',
      'gina@greylist.test',
    ]);
    expect(allBadges(byId('not-mail'))).toHaveLength(0);
  });

  it('never puts a badge inside the link', () => {
    loadFixture('mailto-links.html');
    start();
    for (const link of Array.from(document.querySelectorAll('a'))) expect(allBadges(link)).toHaveLength(0);
  });
});

describe('look-alikes', () => {
  it('gets no badge at all', () => {
    loadFixture('look-alikes.html');
    start();
    expect(badgeAddresses()).toEqual([]);
  });
});

describe('content added after load', () => {
  it('is found by the observer, in a batch', async () => {
    vi.useFakeTimers();
    loadFixture('dynamic-content.html', { runScripts: true });
    const { context } = start();
    expect(badgeAddresses()).toEqual(['alice@acme.test']);
    expect(context.observer.queued).toBe(0); // our own badge is not a change to scan
    vi.advanceTimersByTime(300); // the page's script adds tickets
    await Promise.resolve(); // mutation records are delivered
    expect(badgeAddresses()).toEqual(['alice@acme.test']); // batched: nothing yet
    vi.advanceTimersByTime(250);
    expect(badgeAddresses()).toEqual(['alice@acme.test', 'bob@acme.test', 'carol@aonly.test', 'gina@greylist.test']);
    expect(badgeOf(byId('late-2').lastChild)).toBeUndefined();
    expect(badgeAfter(byId('late-2').querySelector('b')?.nextSibling ?? null)?.address).toBe('carol@aonly.test');
  });

  it('waits while the tab is hidden', async () => {
    vi.useFakeTimers();
    loadFixture('dynamic-content.html', { runScripts: true });
    start();
    const hidden = vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    vi.advanceTimersByTime(300);
    await Promise.resolve();
    vi.advanceTimersByTime(5_000);
    expect(allBadges()).toHaveLength(1);
    hidden.mockReturnValue(false);
    document.dispatchEvent(new Event('visibilitychange'));
    vi.advanceTimersByTime(250);
    expect(allBadges()).toHaveLength(4);
  });

  it('caps the work of one batch and finishes in the next', async () => {
    vi.useFakeTimers();
    document.body.innerHTML = '<div id="feed"></div>';
    running = makeContext({}, { observerDelayMs: 50 });
    running.context.start();
    const feed = byId('feed');
    for (let i = 0; i < 250; i++) {
      const item = document.createElement('p');
      item.textContent = `Ticket ${i} from user${i}@acme.test`;
      feed.append(item);
    }
    await Promise.resolve();
    expect(running.context.observer.queued).toBe(250);
    running.context.observer.runBatch();
    expect(allBadges()).toHaveLength(100);
    vi.advanceTimersByTime(200);
    expect(allBadges()).toHaveLength(250);
  });

  it('drops the badges of content the page removed', async () => {
    vi.useFakeTimers();
    loadFixture('plain-text.html');
    const { context } = start();
    expect(context.book.addresses()).toContain('gina@greylist.test');
    document.querySelector('table')?.remove();
    await Promise.resolve();
    vi.advanceTimersByTime(250);
    expect(context.book.addresses()).not.toContain('gina@greylist.test');
    expect(context.allBadges).toHaveLength(9);
  });
});

describe('open shadow roots', () => {
  it('scans open shadow roots, nested ones too, and observes them', async () => {
    vi.useFakeTimers();
    loadFixture('shadow-root.html', { runScripts: true });
    start();
    expect(counts(badgeAddresses())).toEqual(
      new Map([
        ['alice@acme.test', 1],
        ['bob@acme.test', 1],
        ['carol@aonly.test', 1],
        ['gina@greylist.test', 1],
      ]),
    );
    const shadow = byId('open-card').shadowRoot;
    const mail = shadow?.querySelector('.mail');
    expect(badgeOf(mail?.lastChild ?? null)?.address).toBe('bob@acme.test');
    // A change inside a shadow root is seen by the same observer.
    const extra = document.createElement('p');
    extra.textContent = 'Deputy: nobody@acme.test';
    shadow?.append(extra);
    await Promise.resolve();
    vi.advanceTimersByTime(250);
    expect(badgeAddresses()).toContain('nobody@acme.test');
  });
});

describe('a large page', () => {
  it('badges all 5,000 addresses exactly once', () => {
    loadFixture('many-addresses.html', { runScripts: true });
    const { context, ports, flushChecks } = start();
    const addresses = badgeAddresses();
    expect(addresses).toHaveLength(5_000);
    const perAddress = counts(addresses);
    expect(perAddress.size).toBe(5_000);
    expect([...perAddress.values()].every((count) => count === 1)).toBe(true);
    expect(perAddress.has('member0007@acme.test')).toBe(true); // split over <b>
    expect(perAddress.has('member0010@acme.test')).toBe(true); // a mailto link
    // Every badge is "on screen" here, but only perPageLimit addresses are checked.
    flushChecks();
    const asked = ports.flatMap((port) => port.addresses);
    expect(asked).toHaveLength(200);
    expect(context.book.list().filter((entry) => entry.verdict === 'pending')).toHaveLength(200);
    context.scan(document.body);
    expect(allBadges()).toHaveLength(5_000);
    // happy-dom's nodes are heavy (its GC dominates here); counts are asserted, not time.
  }, 60_000);
});

describe('things never scanned', () => {
  it('skips editors, editable areas and form controls', () => {
    document.body.innerHTML = `
      <div class="cm-editor"><div>alice@acme.test</div></div>
      <div contenteditable="true"><p>bob@acme.test</p></div>
      <div contenteditable="false">carol@aonly.test</div>
      <textarea>gina@greylist.test</textarea>`;
    const { context } = start();
    expect(badgeAddresses()).toEqual(['carol@aonly.test']);
    // A change inside an editable area is not scanned either.
    const editable = document.querySelector('[contenteditable="true"] p');
    if (editable?.firstChild) editable.firstChild.textContent = 'nobody@acme.test';
    context.scan(editable?.firstChild ?? document.body);
    expect(badgeAddresses()).toEqual(['carol@aonly.test']);
  });
});
