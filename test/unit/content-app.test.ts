// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContentApp, type AppOptions } from '../../extension/src/content/app.js';
import { SWEEP_DELAY_MS } from '../../extension/src/content/core/unseen.js';
import { changedSettings, readSettings } from '../../extension/src/shared/settings-storage.js';
import type { ExtensionSettings } from '../../extension/src/shared/settings.js';
import { DEFAULT_SETTINGS } from '../../extension/src/shared/settings.js';
import {
  allBadges,
  badgeAddresses,
  FakePort,
  loadFixture,
  makeContext,
  makeResult,
  shownByStyle,
  type TestContext,
} from './content-helpers.js';

const ORIGIN = 'https://acme.test';
let apps: ContentApp[] = [];
let running: TestContext | null = null;

async function app(
  stored: Partial<ExtensionSettings> = {},
  options: Partial<AppOptions> = {},
): Promise<{ app: ContentApp; ports: FakePort[] }> {
  const ports: FakePort[] = [];
  const instance = new ContentApp({
    loadSettings: async () => stored,
    connect: () => {
      const port = new FakePort();
      ports.push(port);
      return port;
    },
    origin: ORIGIN,
    isTopFrame: true,
    IntersectionObserver: null,
    sliceMs: Infinity,
    isShown: shownByStyle,
    scheduleChecks: (flush) => flush(),
    ...options,
  });
  apps.push(instance);
  await instance.init();
  return { app: instance, ports };
}

afterEach(() => {
  for (const instance of apps) instance.setPaused(true);
  apps = [];
  running?.context.stop();
  running = null;
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe('ContentApp', () => {
  it('starts with the stored settings and checks what is on screen', async () => {
    loadFixture('plain-text.html');
    const { ports } = await app({ autoMode: 'dns' });
    expect(allBadges()).toHaveLength(11);
    expect(ports[0]?.sent[0]).toMatchObject({ kind: 'check', depth: 'dns' });
    expect(new Set(ports[0]?.addresses).size).toBe(8); // 11 badges, 8 distinct addresses
  });

  it('does nothing on a paused site until resumed, and cleans up when paused again', async () => {
    loadFixture('plain-text.html');
    const textBefore = document.body.textContent;
    const { app: instance, ports } = await app({ pausedSites: [ORIGIN] });
    expect(instance.isPaused).toBe(true);
    expect(allBadges()).toHaveLength(0);
    expect(ports).toHaveLength(0);
    expect(await instance.handle({ kind: 'set-paused', paused: false })).toEqual({ paused: false });
    expect(allBadges()).toHaveLength(11);
    expect(await instance.handle({ kind: 'set-paused', paused: true })).toEqual({ paused: true });
    expect(allBadges()).toHaveLength(0);
    expect(ports[0]?.disconnected).toBe(true);
    // Split text nodes stay split, but the page reads the same.
    expect(document.body.textContent).toBe(textBefore);
  });

  it('follows the paused list in the settings', async () => {
    loadFixture('plain-text.html');
    const { app: instance } = await app();
    expect(allBadges()).toHaveLength(11);
    instance.settingsChanged({ pausedSites: [ORIGIN] });
    expect(allBadges()).toHaveLength(0);
    instance.settingsChanged({ pausedSites: [] });
    await Promise.resolve();
    expect(allBadges()).toHaveLength(11);
  });

  it('lists the page addresses for the popup; unchecked ones as unknown without a result', async () => {
    document.body.innerHTML = '<p>alice@acme.test, bob@acme.test and alice@acme.test</p>';
    const { app: instance, ports } = await app({ autoMode: 'manual' });
    ports[0]?.emit({ kind: 'result', address: 'alice@acme.test', result: makeResult('alice@acme.test') });
    expect(ports).toHaveLength(0); // manual: nothing asked, no port yet
    instance.current?.book.setResult('alice@acme.test', makeResult('alice@acme.test'));
    const list = await instance.handle({ kind: 'list-addresses' });
    expect(list).toEqual([
      { address: 'alice@acme.test', verdict: 'deliverable', result: makeResult('alice@acme.test') },
      { address: 'bob@acme.test', verdict: 'unknown', result: null },
    ]);
  });

  it('answers list-addresses only in the top frame', async () => {
    document.body.innerHTML = '<p>alice@acme.test</p>';
    const { app: instance } = await app({}, { isTopFrame: false });
    expect(instance.handle({ kind: 'list-addresses' })).toBeUndefined();
    expect(instance.handle({ kind: 'nonsense' })).toBeUndefined();
  });

  it('does not claim a context menu opened in another frame', async () => {
    document.body.innerHTML = '<p>alice@acme.test</p>';
    const { app: instance } = await app();
    const original = document.hasFocus.bind(document);
    document.hasFocus = () => false;
    try {
      expect(
        instance.handle({ kind: 'show-card', address: 'alice@acme.test', input: 'alice@acme.test', result: null }),
      ).toBeUndefined();
    } finally {
      document.hasFocus = original;
    }
  });

  it('turns auto checks on when the mode changes from manual', async () => {
    document.body.innerHTML = '<p>alice@acme.test</p>';
    const { app: instance, ports } = await app({ autoMode: 'manual' });
    expect(ports).toHaveLength(0);
    instance.settingsChanged({ autoMode: 'full' });
    expect(ports[0]?.sent).toEqual([{ kind: 'check', addresses: ['alice@acme.test'], depth: 'smtp', trigger: 'auto' }]);
  });
});

describe('the shortcut asks for the selection', () => {
  it('answers with the selected text, in the page or in a text field; without one it does not answer', async () => {
    document.body.innerHTML =
      '<p id="p">Mail jürgen@bücher.example today</p><textarea id="t">x a@b.example y</textarea>';
    const { app: instance } = await app({ autoMode: 'manual' });
    expect(instance.handle({ kind: 'get-selection' })).toBeUndefined();
    const range = document.createRange();
    range.selectNodeContents(document.getElementById('p')!);
    document.getSelection()!.addRange(range);
    expect(await instance.handle({ kind: 'get-selection' })).toEqual({ text: 'Mail jürgen@bücher.example today' });
    const field = document.getElementById('t') as HTMLTextAreaElement;
    field.focus();
    field.setSelectionRange(2, 13);
    expect(await instance.handle({ kind: 'get-selection' })).toEqual({ text: 'a@b.example' });
  });
});

describe('reading the settings (one reader for background, pages and content script)', () => {
  const area = (stored: unknown) => ({ get: async (key: string) => ({ [key]: stored }) });

  it('takes stored values of the right type over the defaults', async () => {
    expect(await readSettings(area(undefined))).toEqual(DEFAULT_SETTINGS);
    const read = await readSettings(area({ autoMode: 'dns', perPageLimit: 5, pausedSites: ['https://a.test'] }));
    expect(read).toMatchObject({ autoMode: 'dns', perPageLimit: 5, pausedSites: ['https://a.test'] });
    expect(await readSettings(area({ autoMode: 'always', perPageLimit: '7', pausedSites: 'x' }))).toEqual(
      DEFAULT_SETTINGS,
    );
  });

  it('hears a change of the settings in storage.local only', () => {
    expect(changedSettings({ settings: { newValue: { autoMode: 'manual' } } }, 'local')).toMatchObject({
      autoMode: 'manual',
    });
    expect(changedSettings({ settings: { newValue: { autoMode: 'manual' } } }, 'sync')).toBeNull();
    expect(changedSettings({ checkLocation: { newValue: {} } }, 'local')).toBeNull();
    expect(changedSettings({ settings: {} }, 'local')).toEqual(DEFAULT_SETTINGS);
  });
});

describe('checks only what is on screen', () => {
  class FakeIntersectionObserver {
    static instances: FakeIntersectionObserver[] = [];
    readonly targets = new Set<Element>();
    constructor(private readonly callback: IntersectionObserverCallback) {
      FakeIntersectionObserver.instances.push(this);
    }
    observe(target: Element): void {
      this.targets.add(target);
    }
    unobserve(target: Element): void {
      this.targets.delete(target);
    }
    disconnect(): void {
      this.targets.clear();
    }
    /** The page scrolled: these elements are on screen now. */
    show(targets: Element[]): void {
      const entries = targets.map((target) => ({ target, isIntersecting: true }) as IntersectionObserverEntry);
      this.callback(entries, this as unknown as IntersectionObserver);
    }
  }

  /** What is in the viewport (happy-dom has no layout). */
  const inViewport = new Set<Element>();

  function startWith(settings: Partial<ExtensionSettings>): { test: TestContext; observer: FakeIntersectionObserver } {
    FakeIntersectionObserver.instances = [];
    inViewport.clear();
    vi.useFakeTimers();
    loadFixture('plain-text.html');
    running = makeContext(settings, {
      IntersectionObserver: FakeIntersectionObserver as unknown as typeof IntersectionObserver,
      isOnScreen: (element) => inViewport.has(element),
    });
    running.context.start();
    const observer = FakeIntersectionObserver.instances[0];
    if (!observer) throw new Error('no IntersectionObserver');
    return { test: running, observer };
  }

  /** The page scrolled: these blocks of text are in the viewport now (their badges are made). */
  function showText(...selectors: string[]): void {
    for (const selector of selectors)
      for (const element of Array.from(document.querySelectorAll(selector))) inViewport.add(element);
    window.dispatchEvent(new Event('scroll'));
    vi.advanceTimersByTime(SWEEP_DELAY_MS);
  }

  it('makes badges only for text that comes on screen', async () => {
    const { test, observer } = startWith({ autoMode: 'full' });
    expect(allBadges()).toHaveLength(0);
    // The popup's list has them all the same.
    expect((await test.context.listAddresses()).map((entry) => entry.address)).toHaveLength(8);
    showText('main > p:first-child');
    expect(badgeAddresses()).toEqual(['alice@acme.test']);
    expect([...observer.targets]).toEqual(allBadges().map((badge) => badge.host)); // its badge waits to be seen
  });

  it('checks an address once one of its badges is on screen', () => {
    const { test, observer } = startWith({ autoMode: 'full' });
    showText('main > p', 'footer p');
    test.flushChecks();
    expect(test.ports).toHaveLength(0); // the blocks are in the viewport, not the badges yet
    const [first, second] = allBadges(); // document order
    observer.show([first!.host, second!.host]);
    test.flushChecks();
    expect(test.port().sent).toEqual([
      { kind: 'check', addresses: ['alice@acme.test', 'bob@acme.test'], depth: 'smtp', trigger: 'auto' },
    ]);
    // Other badges of alice@ and bob@ need not be watched any more.
    const watched = allBadges().filter((badge) => observer.targets.has(badge.host));
    expect(watched.map((badge) => badge.address)).toEqual(['carol@aonly.test']);
  });

  it('checks only the domain in dns mode; the card asks for the mailbox', () => {
    const { test, observer } = startWith({ autoMode: 'dns' });
    showText('main > p:first-child');
    observer.show([allBadges()[0]!.host]);
    test.flushChecks();
    expect(test.port().sent).toEqual([
      { kind: 'check', addresses: ['alice@acme.test'], depth: 'dns', trigger: 'auto' },
    ]);
  });

  it('stops at the per-page cap; the rest stay unchecked until clicked', () => {
    const { test, observer } = startWith({ autoMode: 'full', perPageLimit: 2 });
    showText('p', 'li', 'td', 'blockquote');
    observer.show(allBadges().map((badge) => badge.host));
    test.flushChecks();
    expect(test.port().addresses).toEqual(['alice@acme.test', 'bob@acme.test']);
    const carol = test.context.allBadges.find((badge) => badge.address === 'carol@aonly.test');
    expect(carol?.state).toBe('unchecked');
    carol?.host.click();
    test.flushChecks();
    expect(test.port().addresses).toContain('carol@aonly.test');
  });

  it('measures every waiting block of a long page before it places a badge (a read after a write lays the page out)', () => {
    FakeIntersectionObserver.instances = [];
    vi.useFakeTimers();
    const rows = Array.from({ length: 1_500 }, (_, i) => `<p>Contact ${i}: user${i}@acme.test</p>`);
    document.body.innerHTML = `<main>${rows.join('')}</main>`;
    const shown = new Set<Element>([...document.querySelectorAll('p')].filter((_, i) => i === 3 || i === 1_400));
    const badgesAtRead: number[] = [];
    running = makeContext(
      { autoMode: 'full' },
      {
        IntersectionObserver: FakeIntersectionObserver as unknown as typeof IntersectionObserver,
        isOnScreen: (element) => {
          badgesAtRead.push(allBadges().length);
          return shown.has(element);
        },
        sliceMs: 1,
      },
    );
    running.context.start();
    // Past the observer's first look (250 blocks), one sweep measures everything.
    for (let i = 0; i < 100 && allBadges().length === 0; i++) vi.advanceTimersByTime(SWEEP_DELAY_MS);
    expect(badgeAddresses().sort()).toEqual(['user1400@acme.test', 'user3@acme.test']);
    expect(badgesAtRead.length).toBeGreaterThanOrEqual(1_500);
    expect(badgesAtRead.every((count) => count === 0)).toBe(true);
  });

  it('a scroll while a sweep measures brings another sweep once it is done', () => {
    FakeIntersectionObserver.instances = [];
    vi.useFakeTimers();
    const rows = Array.from({ length: 1_500 }, (_, i) => `<p>Contact ${i}: user${i}@acme.test</p>`);
    document.body.innerHTML = `<main>${rows.join('')}</main>`;
    const blocks = [...document.querySelectorAll('p')];
    const shown = new Set<Element>();
    let scrolled = false;
    running = makeContext(
      { autoMode: 'full' },
      {
        IntersectionObserver: FakeIntersectionObserver as unknown as typeof IntersectionObserver,
        isOnScreen: (element) => {
          if (element === blocks[700] && !scrolled) {
            // The user scrolls while the sweep is halfway: block 10, measured already, comes on screen.
            scrolled = true;
            shown.add(blocks[10]!);
            window.dispatchEvent(new Event('scroll'));
          }
          return shown.has(element);
        },
      },
    );
    running.context.start();
    for (let i = 0; i < 100 && allBadges().length === 0; i++) vi.advanceTimersByTime(SWEEP_DELAY_MS);
    expect(scrolled).toBe(true);
    expect(badgeAddresses()).toEqual(['user10@acme.test']);
  });

  it('a mailto: link on screen gets its badge without a scroll (the link scanner notes it outside a scan slice)', async () => {
    FakeIntersectionObserver.instances = [];
    document.body.innerHTML = '<p>Write to <a href="mailto:sales@acme.test">our sales team</a></p>';
    inViewport.clear();
    inViewport.add(document.querySelector('a')!);
    running = makeContext(
      { autoMode: 'full' },
      {
        IntersectionObserver: FakeIntersectionObserver as unknown as typeof IntersectionObserver,
        isOnScreen: (element) => inViewport.has(element),
      },
    );
    running.context.start();
    await Promise.resolve();
    expect(badgeAddresses()).toEqual(['sales@acme.test']);
  });

  it('watches no badge in manual mode', () => {
    const { observer } = startWith({ autoMode: 'manual' });
    showText('p', 'li', 'td', 'blockquote');
    expect(allBadges()).toHaveLength(11);
    expect(allBadges().filter((badge) => observer.targets.has(badge.host))).toHaveLength(0);
  });
});
