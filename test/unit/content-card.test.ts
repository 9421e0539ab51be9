// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContentApp } from '../../extension/src/content/app.js';
import type { Badge } from '../../extension/src/content/badge/badge-element.js';
import type { Card } from '../../extension/src/content/badge/card.js';
import { DEFAULT_SETTINGS } from '../../extension/src/shared/settings.js';
import { FakePort, makeContext, makeResult, shadowOf, type TestContext } from './content-helpers.js';

const HOSTILE = '<img src=x onerror=alert(1)>';

let running: TestContext | null = null;

function open(
  result = makeResult('alice@acme.test'),
  copy?: (text: string) => Promise<boolean>,
): {
  test: TestContext;
  card: Card;
  badge: Badge;
  panel: HTMLElement;
} {
  document.body.innerHTML = '<p>Contact: alice@acme.test</p>';
  running = makeContext({ autoMode: 'manual' }, copy ? { copy } : {});
  running.context.start();
  running.context.book.setResult('alice@acme.test', result);
  const badge = running.context.allBadges[0];
  if (!badge) throw new Error('no badge');
  badge.host.click();
  const card = running.context.card;
  const panel = shadowOf(card.host).querySelector<HTMLElement>('.card');
  if (!panel) throw new Error('no card panel');
  return { test: running, card, badge, panel };
}

function button(panel: HTMLElement, className: string): HTMLButtonElement {
  const found = panel.querySelector<HTMLButtonElement>(`button.${className}`);
  if (!found) throw new Error(`no button .${className}`);
  return found;
}

afterEach(() => {
  running?.context.stop();
  running = null;
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe('the card', () => {
  it('shows the verdict, the reason in words, MX, SMTP reply, flags and the suggestion', () => {
    const { panel, card } = open(
      makeResult('alice@acme.test', {
        verdict: 'risky',
        reason: 'catch_all',
        mx: 'mx1.acme.test',
        smtp: { code: 250, enhanced: '2.1.5', message: 'Recipient ok' },
        flags: { disposable: true, role: true, free: true, catchAll: true },
        suggestion: 'alice@gmail.com',
      }),
    );
    expect(card.host.shadowRoot).toBeNull();
    const text = panel.textContent ?? '';
    expect(text).toContain('Risky');
    expect(text).toContain('alice@acme.test');
    expect(text).toContain('The domain accepts mail for any address');
    expect(text).toContain('Mail server: mx1.acme.test');
    expect(text).toContain('Server reply: 250 2.1.5 Recipient ok');
    expect(text).toContain('Catch-all domain');
    expect(text).toContain('Disposable address');
    expect(text).toContain('Role address');
    expect(text).toContain('Free email provider');
    expect(text).toContain('Did you mean alice@gmail.com?');
    expect(panel.getAttribute('role')).toBe('dialog');
  });

  it('says where the check ran: this computer, or the server the result came from', () => {
    const local = open(makeResult('alice@acme.test', { verdict: 'deliverable', reason: 'mailbox_exists' }));
    expect(local.panel.querySelector('.where')?.textContent).toBe('Checked on this computer.');
    running?.context.stop();
    const served = {
      ...makeResult('alice@acme.test', { verdict: 'deliverable', reason: 'mailbox_exists' }),
      checkedOn: 'https://mx-lens.example.org',
    };
    const { panel } = open(served);
    expect(panel.querySelector('.where')?.textContent).toBe('Checked on the server https://mx-lens.example.org.');
  });

  it('names a check that port 25 blocked as such, not as a generic unknown', () => {
    const { panel, badge } = open(
      makeResult('alice@acme.test', { verdict: 'unknown', reason: 'port_blocked', smtp: null }),
    );
    expect(panel.querySelector('.word')?.textContent).toBe("Can't check from this network");
    expect(panel.querySelector('.icon')?.textContent).toBe('⊘');
    const mark = shadowOf(badge.host).querySelector('.b')!;
    expect(mark.getAttribute('data-verdict')).toBe('unknown');
    expect(mark.getAttribute('data-icon')).toBe('cant-check');
    expect(mark.querySelector('.i[data-for="cant-check"]')?.textContent).toBe('⊘');
    expect(mark.getAttribute('aria-label')).toBe("Email check for alice@acme.test: Can't check from this network");
  });

  it('renders a hostile reply as text, never as markup', () => {
    const { panel } = open(
      makeResult('alice@acme.test', {
        verdict: 'undeliverable',
        reason: 'mailbox_not_found',
        mx: HOSTILE,
        smtp: { code: 550, enhanced: '5.1.1', message: HOSTILE },
        suggestion: HOSTILE,
      }),
    );
    expect(panel.querySelector('img')).toBeNull();
    expect(panel.textContent).toContain(`Server reply: 550 5.1.1 ${HOSTILE}`);
    expect(panel.textContent).toContain(`Mail server: ${HOSTILE}`);
    expect(panel.textContent).toContain(`Did you mean ${HOSTILE}?`);
  });

  it('copies the normalized address', async () => {
    const copy = vi.fn(async (_text: string) => true);
    const { panel } = open(makeResult('alice@acme.test'), copy);
    button(panel, 'copy').click();
    expect(copy).toHaveBeenCalledWith('alice@acme.test');
    await Promise.resolve();
    await Promise.resolve();
    expect(button(panel, 'copy').textContent).toBe('Copied');
  });

  it('re-checks with a forced SMTP check, and shows pending then the new result', () => {
    const { panel, test } = open();
    const recheck = button(panel, 'recheck');
    expect(recheck.textContent).toBe('Re-check');
    recheck.click();
    test.flushChecks();
    expect(test.port().sent).toEqual([
      { kind: 'check', addresses: ['alice@acme.test'], depth: 'smtp', trigger: 'user', force: true },
    ]);
    expect(panel.textContent).toContain('Checking this address…');
    expect(button(panel, 'recheck').disabled).toBe(true);
    test.port().emit({
      kind: 'result',
      address: 'alice@acme.test',
      result: makeResult('alice@acme.test', {
        verdict: 'undeliverable',
        reason: 'mailbox_not_found',
        smtp: { code: 550, enhanced: '5.1.1', message: 'No such user' },
      }),
    });
    expect(panel.textContent).toContain('Undeliverable');
    expect(panel.textContent).toContain('550 5.1.1 No such user');
  });

  it("says what a running check is doing, and for how long, from the host's progress", () => {
    vi.useFakeTimers();
    const { panel, test } = open();
    button(panel, 'recheck').click();
    test.flushChecks();
    expect(panel.textContent).toContain('Checking this address…');
    expect(panel.textContent).toContain('Running for 0 s');
    test.port().emit({ kind: 'stage', address: 'alice@acme.test', stage: { stage: 'dns' } });
    expect(panel.textContent).toContain("Looking up the domain's mail servers (MX)…");
    vi.advanceTimersByTime(2_000);
    test
      .port()
      .emit({ kind: 'stage', address: 'alice@acme.test', stage: { stage: 'connecting', host: 'mx1.acme.test' } });
    expect(panel.textContent).toContain('Connecting to mx1.acme.test…');
    expect(panel.textContent).toContain('Running for 2 s');
    test.port().emit({ kind: 'stage', address: 'alice@acme.test', stage: { stage: 'smtp', host: 'mx1.acme.test' } });
    expect(panel.textContent).toContain('Asking mx1.acme.test about this mailbox…');
    test.port().emit({
      kind: 'stage',
      address: 'alice@acme.test',
      stage: { stage: 'greylisted', host: 'mx1.acme.test', waitMs: 30_000 },
    });
    expect(panel.textContent).toContain('asking again in 30 s');
    // The card moves on by itself: the countdown and the elapsed time.
    vi.advanceTimersByTime(10_000);
    expect(panel.textContent).toContain('asking again in 20 s');
    expect(panel.textContent).toContain('Running for 12 s');
    test.port().emit({ kind: 'stage', address: 'alice@acme.test', stage: { stage: 'budget' } });
    expect(panel.textContent).toContain('MX Lens paces its checks');
    test.port().emit({ kind: 'result', address: 'alice@acme.test', result: makeResult('alice@acme.test') });
    expect(panel.textContent).not.toContain('Running for');
    // A stage that comes late changes nothing.
    test.port().emit({ kind: 'stage', address: 'alice@acme.test', stage: { stage: 'dns' } });
    expect(panel.textContent).not.toContain('Looking up');
  });

  it('offers a mailbox check after a DNS-only result', () => {
    const { panel } = open(makeResult('alice@acme.test', { verdict: 'unknown', reason: 'dns_only', smtp: null }));
    expect(button(panel, 'recheck').textContent).toBe('Check mailbox');
  });

  it('explains a check that could not be done', () => {
    document.body.innerHTML = '<p>alice@acme.test</p>';
    running = makeContext();
    running.context.start();
    running.flushChecks();
    running.port().emit({
      kind: 'failed',
      address: 'alice@acme.test',
      status: {
        state: 'failed',
        problem: {
          code: 'host_crashed',
          message: 'The MX Lens helper stopped.',
          fix: 'Check again in a moment.',
          raw: '',
        },
      },
    });
    running.context.allBadges[0]?.host.click();
    const panel = shadowOf(running.context.card.host).querySelector('.card');
    expect(panel?.textContent).toContain('The check could not be done.');
    expect(panel?.textContent).toContain('The MX Lens helper stopped.');
    expect(panel?.textContent).toContain('Check again in a moment.');
    expect(running.context.allBadges[0]?.state).toBe('unknown');
  });

  it('is dismissed by Escape and by a click outside', () => {
    const { card } = open();
    expect(card.isOpen).toBe(true);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(card.isOpen).toBe(false);
    running?.context.allBadges[0]?.host.click();
    expect(card.isOpen).toBe(true);
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true, composed: true }));
    expect(card.isOpen).toBe(false);
  });

  it('stays inside the viewport', () => {
    const { card, badge } = open();
    badge.host.getBoundingClientRect = () => new DOMRect(window.innerWidth - 5, window.innerHeight - 5, 14, 14);
    const panel = shadowOf(card.host).querySelector<HTMLElement>('.card');
    if (panel) panel.getBoundingClientRect = () => new DOMRect(0, 0, 300, 200);
    card.show({ ...card.target!, anchor: () => badge.host.getBoundingClientRect() });
    const style = card.host.getAttribute('style') ?? '';
    const left = Number(/left: (-?\d+)px/.exec(style)?.[1]);
    const top = Number(/top: (-?\d+)px/.exec(style)?.[1]);
    expect(left + 300).toBeLessThanOrEqual(window.innerWidth - 8);
    expect(top + 200).toBeLessThanOrEqual(window.innerHeight - 8);
    expect(top).toBeGreaterThanOrEqual(8);
  });
});

describe('the context menu card (show-card)', () => {
  function app(): { app: ContentApp; ports: FakePort[] } {
    const ports: FakePort[] = [];
    const instance = new ContentApp({
      loadSettings: async () => ({ ...DEFAULT_SETTINGS, autoMode: 'manual' }),
      connect: () => {
        const port = new FakePort();
        ports.push(port);
        return port;
      },
      origin: 'https://acme.test',
      isTopFrame: true,
      IntersectionObserver: null,
    });
    return { app: instance, ports };
  }

  function selectText(element: Element): void {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = document.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    element.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, composed: true }));
  }

  it('shows pending, then the result, near the selection', async () => {
    document.body.innerHTML = '<p id="sel">write to Bob@Acme.test please</p>';
    const { app: instance } = app();
    await instance.init();
    selectText(document.getElementById('sel')!);
    const reply = await instance.handle({
      kind: 'show-card',
      address: 'Bob@acme.test',
      input: 'Bob@Acme.test',
      result: null,
    });
    expect(reply).toEqual({ shown: true });
    const card = instance.current!.card;
    const panel = shadowOf(card.host).querySelector('.card');
    expect(card.isOpen).toBe(true);
    expect(panel?.textContent).toContain('Checking this address…');
    await instance.handle({
      kind: 'show-card',
      address: 'Bob@acme.test',
      input: 'Bob@Acme.test',
      result: makeResult('Bob@acme.test'),
    });
    expect(panel?.textContent).toContain('Deliverable');
    expect(panel?.textContent).toContain('Mail server: mx.acme.test');
    expect(document.activeElement).toBe(card.host);
    instance.setPaused(true);
  });

  it('says so when the selection holds no address, and shows the input as text', async () => {
    document.body.innerHTML = `<p id="sel">call us ${'&lt;b&gt;'}now</p>`;
    const { app: instance } = app();
    await instance.init();
    selectText(document.getElementById('sel')!);
    await instance.handle({ kind: 'show-card', address: null, input: 'call us <b>now', result: null });
    const panel = shadowOf(instance.current!.card.host).querySelector('.card');
    expect(panel?.textContent).toContain('No valid email address in the selection.');
    expect(panel?.textContent).toContain('Selected text: call us <b>now');
    expect(panel?.querySelector('b')).toBeNull();
    instance.setPaused(true);
  });

  it('works on a paused site too (the user asked)', async () => {
    document.body.innerHTML = '<p id="sel">alice@acme.test</p>';
    const ports: FakePort[] = [];
    const instance = new ContentApp({
      loadSettings: async () => ({ pausedSites: ['https://acme.test'] }),
      connect: () => {
        const port = new FakePort();
        ports.push(port);
        return port;
      },
      origin: 'https://acme.test',
      isTopFrame: true,
      IntersectionObserver: null,
    });
    await instance.init();
    expect(instance.isPaused).toBe(true);
    expect(document.querySelector('[data-mxlens="badge"]')).toBeNull();
    selectText(document.getElementById('sel')!);
    await instance.handle({
      kind: 'show-card',
      address: 'alice@acme.test',
      input: 'alice@acme.test',
      result: makeResult('alice@acme.test'),
    });
    expect(instance.current?.card.isOpen).toBe(true);
    expect(document.querySelector('[data-mxlens="badge"]')).toBeNull();
    instance.setPaused(true);
  });
});
