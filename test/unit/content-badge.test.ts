// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BADGE_TAG, badgeHostKind, badgeOf, type Badge } from '../../extension/src/content/badge/badge-element.js';
import type { BadgeState } from '../../extension/src/content/core/address-book.js';
import { setMessageSource } from '../../extension/src/content/core/i18n.js';
import { VERDICT_ICONS as BADGE_ICONS } from '../../extension/src/shared/verdict-look.js';
import { browserGetMessage } from './locale-messages.js';
import { badgeState, makeContext, makeResult, pageEvent, shadowOf, type TestContext } from './content-helpers.js';

let running: TestContext | null = null;

function page(html: string, ...args: Parameters<typeof makeContext>): { badge: Badge; test: TestContext } {
  document.body.innerHTML = html;
  running = makeContext(...args);
  running.context.start();
  const badge = running.context.allBadges[0];
  if (!badge) throw new Error('no badge');
  return { badge, test: running };
}

afterEach(() => {
  running?.context.stop();
  running = null;
  setMessageSource(browserGetMessage('en'));
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe('<mxlens-badge>', () => {
  it('is an <mxlens-badge> element that is never defined in the page registry', () => {
    const { badge } = page('<p>alice@acme.test</p>');
    expect(badgeHostKind()).toBe('custom');
    expect(customElements.get(BADGE_TAG)).toBeUndefined();
    expect(badge.host.tagName).toBe('MXLENS-BADGE');
  });

  it('sits in the light DOM and tells the page nothing: no address, verdict, label, role or text', () => {
    const { badge, test } = page('<p id="p">Mail alice@acme.test now</p>', { autoMode: 'manual' });
    expect(badge.host.parentElement?.id).toBe('p');
    const before = badge.host.outerHTML;
    expect(badge.host.getAttributeNames().sort()).toEqual(['data-mxlens', 'style', 'translate']);
    expect(badge.host.textContent).toBe('');
    expect(badge.host.shadowRoot).toBeNull();
    // The state lives in the closed shadow root, on one element.
    expect(badgeState(badge)).toMatchObject({ address: 'alice@acme.test', verdict: 'unchecked', role: 'button' });
    test.context.book.setResult(
      'alice@acme.test',
      makeResult('alice@acme.test', { verdict: 'undeliverable', reason: 'mailbox_not_found' }),
    );
    expect(badgeState(badge).verdict).toBe('undeliverable');
    // Not one character of the element in the page changed.
    expect(badge.host.outerHTML).toBe(before);
  });

  it('keeps its look in a closed shadow root, and pins its own box', () => {
    const { badge } = page('<p>alice@acme.test</p>');
    expect(badge.host.shadowRoot).toBeNull();
    const shadow = shadowOf(badge.host);
    expect(shadow.mode).toBe('closed');
    // One constructed stylesheet for every badge, adopted: no <style> element per badge.
    expect(shadow.querySelector('style')).toBeNull();
    expect(shadow.adoptedStyleSheets).toHaveLength(1);
    const sheet = shadow.adoptedStyleSheets[0];
    expect(Array.from(sheet?.cssRules ?? [], (rule) => rule.cssText).join('\n')).toContain(':host');
    const style = badge.host.getAttribute('style') ?? '';
    expect(style).toContain('all: initial !important');
    expect(style).toContain('display: inline-block !important');
    expect(style).toContain('width: 14px !important');
  });

  it('shows each state with its own icon and words, never by colour alone', () => {
    const { badge, test } = page('<p>alice@acme.test</p>', { autoMode: 'manual' });
    const states: BadgeState[] = ['unchecked', 'pending', 'deliverable', 'undeliverable', 'risky', 'unknown'];
    expect(new Set(states.map((state) => BADGE_ICONS[state])).size).toBe(states.length);
    const mark = shadowOf(badge.host).querySelector('.b');
    const labels = new Set<string>();
    for (const state of states) {
      badge.render(state, null);
      // The icon shown is the only one visible: switched by an attribute, never by new text.
      expect(mark?.getAttribute('data-icon')).toBe(state);
      expect(mark?.querySelector(`.i[data-for="${state}"]`)?.textContent).toBe(BADGE_ICONS[state]);
      expect(mark?.getAttribute('data-verdict')).toBe(state);
      labels.add(mark?.getAttribute('aria-label') ?? '');
    }
    expect(labels.size).toBe(states.length);
    badge.render('deliverable', makeResult('alice@acme.test'));
    expect(badgeState(badge).label).toBe('Email check for alice@acme.test: Deliverable');
    test.context.book.setResult(
      'alice@acme.test',
      makeResult('alice@acme.test', { verdict: 'undeliverable', reason: 'mailbox_not_found' }),
    );
    expect(badgeState(badge).label).toBe('Email check for alice@acme.test: Undeliverable');
  });

  it('says its words in the browser language', () => {
    const chinese: Record<string, string> = { contentBadgeLabel: '$1 的邮箱检查：$2', verdictRisky: '有风险' };
    setMessageSource((key, substitutions) =>
      (chinese[key] ?? '').replace(/\$(\d)/g, (_m, n: string) => substitutions?.[Number(n) - 1] ?? ''),
    );
    const { badge } = page('<p>alice@acme.test</p>');
    badge.render('risky', null);
    expect(badgeState(badge).label).toBe('alice@acme.test 的邮箱检查：有风险');
  });

  it('follows its address: pending, then the result', () => {
    const { badge, test } = page('<p>alice@acme.test and again alice@acme.test</p>');
    expect(badge.state).toBe('pending'); // full mode, on screen (no IntersectionObserver here)
    test.flushChecks();
    test.port().emit({ kind: 'result', address: 'alice@acme.test', result: makeResult('alice@acme.test') });
    for (const each of test.context.allBadges) expect(badgeState(each).verdict).toBe('deliverable');
    expect(test.context.allBadges).toHaveLength(2);
  });

  it('checks the mailbox on click in manual mode', () => {
    const { badge, test } = page('<p>alice@acme.test</p>', { autoMode: 'manual' });
    test.flushChecks();
    expect(test.ports).toHaveLength(0);
    badge.host.click();
    test.flushChecks();
    expect(test.port().sent).toEqual([
      { kind: 'check', addresses: ['alice@acme.test'], depth: 'smtp', trigger: 'user' },
    ]);
    expect(badge.state).toBe('pending');
  });

  it('ignores what a page script does to it: clicks, keys, hovering', () => {
    vi.useFakeTimers();
    const { badge, test } = page('<p>alice@acme.test</p>', { autoMode: 'manual' });
    badge.host.dispatchEvent(pageEvent(new MouseEvent('click', { bubbles: true })));
    for (const key of ['Enter', ' ']) {
      shadowOf(badge.host)
        .querySelector('.b')
        ?.dispatchEvent(pageEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true })));
      badge.host.dispatchEvent(pageEvent(new KeyboardEvent('keydown', { key, bubbles: true })));
    }
    badge.host.dispatchEvent(pageEvent(new MouseEvent('mouseenter')));
    vi.advanceTimersByTime(1_000);
    test.flushChecks();
    expect(test.ports).toHaveLength(0);
    expect(badge.state).toBe('unchecked');
    expect(test.context.card.isOpen).toBe(false);
  });

  it('keeps the click away from the page (a row handler, a link)', () => {
    const { badge } = page('<div id="row"><p>alice@acme.test</p></div>', { autoMode: 'manual' });
    const pageHandler = vi.fn();
    document.getElementById('row')?.addEventListener('click', pageHandler);
    badge.host.click();
    expect(pageHandler).not.toHaveBeenCalled();
  });
});

describe('badge and card', () => {
  it('opens the card when it gets keyboard focus', () => {
    const { badge, test } = page('<p>alice@acme.test</p>', { autoMode: 'manual' });
    badge.focus();
    expect(document.activeElement).toBe(badge.host);
    expect(test.context.card.isOpen).toBe(true);
    expect(test.context.card.address).toBe('alice@acme.test');
    expect(test.context.card.target?.origin).toBe(badge.host);
  });

  it('moves focus into the card on Enter, and back to the badge on Escape', () => {
    const { badge, test } = page('<p>alice@acme.test</p>');
    const card = test.context.card;
    badge.focus();
    shadowOf(badge.host)
      .querySelector('.b')
      ?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    expect(document.activeElement).toBe(card.host);
    const focused = shadowOf(card.host).activeElement;
    expect(focused?.tagName).toBe('BUTTON');
    focused?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    expect(card.isOpen).toBe(false);
    expect(document.activeElement).toBe(badge.host);
  });

  it('closes the card when focus leaves badge and card', async () => {
    document.body.innerHTML = '<p>alice@acme.test</p><button id="other">Other</button>';
    const test = (running = makeContext());
    test.context.start();
    const badge = test.context.allBadges[0];
    badge?.focus();
    expect(test.context.card.isOpen).toBe(true);
    document.getElementById('other')?.focus();
    await expect.poll(() => test.context.card.isOpen).toBe(false);
  });

  it('opens on hover after a short delay and closes when the pointer leaves', () => {
    vi.useFakeTimers();
    const { badge, test } = page('<p>alice@acme.test</p>');
    badge.host.dispatchEvent(new MouseEvent('mouseenter'));
    expect(test.context.card.isOpen).toBe(false);
    vi.advanceTimersByTime(300);
    expect(test.context.card.isOpen).toBe(true);
    expect(test.context.card.target?.openedBy).toBe('hover');
    badge.host.dispatchEvent(new MouseEvent('mouseleave'));
    vi.advanceTimersByTime(400);
    expect(test.context.card.isOpen).toBe(false);
  });

  it('is removed with its card when the site is paused', () => {
    const { badge, test } = page('<p>alice@acme.test</p>');
    badge.focus();
    test.context.stop();
    running = null;
    expect(badge.host.isConnected).toBe(false);
    expect(test.context.card.isOpen).toBe(false);
    expect(badgeOf(document.querySelector(BADGE_TAG))).toBeUndefined();
  });
});

describe('keyboard: one Tab stop for all the badges', () => {
  it('only one badge is in the Tab order; the arrow keys, Home and End move between them', async () => {
    const { test } = page('<p>alice@acme.test</p><p>bob@acme.test and carol@aonly.test</p><p>gina@greylist.test</p>', {
      autoMode: 'manual',
    });
    await Promise.resolve();
    const badges = test.context.allBadges;
    const order = ['alice@acme.test', 'bob@acme.test', 'carol@aonly.test', 'gina@greylist.test'];
    const byAddress = (address: string) => badges.find((badge) => badge.address === address)!;
    const stops = () => badges.filter((badge) => badgeState(badge).tabindex === '0').map((badge) => badge.address);
    expect(badges).toHaveLength(4);
    expect(stops()).toEqual(['alice@acme.test']);
    const key = (badge: Badge, name: string) =>
      shadowOf(badge.host)
        .querySelector('.b')
        ?.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, composed: true }));
    const focusedAddress = () => badges.find((badge) => badge.hasFocus)?.address;

    byAddress('alice@acme.test').focus();
    key(byAddress('alice@acme.test'), 'ArrowRight');
    expect(focusedAddress()).toBe('bob@acme.test');
    key(byAddress('bob@acme.test'), 'ArrowDown');
    expect(focusedAddress()).toBe('carol@aonly.test');
    key(byAddress('carol@aonly.test'), 'End');
    expect(focusedAddress()).toBe(order[3]);
    key(byAddress(order[3]!), 'ArrowLeft');
    expect(focusedAddress()).toBe('carol@aonly.test');
    // The stop stays where the user left it.
    expect(stops()).toEqual(['carol@aonly.test']);
    key(byAddress('carol@aonly.test'), 'Home');
    expect(focusedAddress()).toBe('alice@acme.test');
    expect(stops()).toEqual(['alice@acme.test']);
  });

  it('a badge that goes away hands the stop on', async () => {
    const { test } = page('<p id="a">alice@acme.test</p><p>bob@acme.test</p>', { autoMode: 'manual' });
    document.getElementById('a')?.remove();
    test.context.observer.runBatch();
    await Promise.resolve();
    expect(test.context.allBadges.map((badge) => [badge.address, badgeState(badge).tabindex])).toEqual([
      ['bob@acme.test', '0'],
    ]);
  });
});

describe('without a working host (MX Lens not set up)', () => {
  it('pages show no badges at all, never a wall of "?"; they come back when the host answers', () => {
    const { test } = page('<p>alice@acme.test</p><p>bob@acme.test</p>');
    test.flushChecks();
    const problem = {
      code: 'host_not_installed' as const,
      message: 'not installed',
      fix: 'npx mxlens install',
      raw: '',
    };
    test.port().emit({ kind: 'failed', address: 'alice@acme.test', status: { state: 'failed', problem } });
    test.port().emit({ kind: 'failed', address: 'bob@acme.test', status: { state: 'failed', problem } });
    expect(test.context.allBadges).toHaveLength(0);
    expect(document.querySelectorAll(BADGE_TAG)).toHaveLength(0);
    // New content gets none either.
    const later = document.createElement('p');
    later.textContent = 'carol@aonly.test';
    document.body.append(later);
    test.context.scan(later);
    expect(test.context.allBadges).toHaveLength(0);

    test.port().emit({ kind: 'status', status: { state: 'connected', hostVersion: '0.1.0', settingsProblems: [] } });
    expect(test.context.allBadges.map((badge) => badge.address).sort()).toEqual([
      'alice@acme.test',
      'bob@acme.test',
      'carol@aonly.test',
    ]);
    test.flushChecks();
    expect(test.port().addresses.sort()).toEqual([
      'alice@acme.test',
      'alice@acme.test',
      'bob@acme.test',
      'bob@acme.test',
      'carol@aonly.test',
    ]);
  });

  it('a host that failed for another reason (it crashed) keeps the badges, with the reason in the card', () => {
    const { test } = page('<p>alice@acme.test</p>');
    test.flushChecks();
    const problem = { code: 'host_crashed' as const, message: 'stopped', fix: '', raw: '' };
    test.port().emit({ kind: 'failed', address: 'alice@acme.test', status: { state: 'failed', problem } });
    expect(test.context.allBadges.map((badge) => badge.state)).toEqual(['unknown']);
  });
});

describe('automatic checks need text the user can see', () => {
  it('an address in transparent or invisible text gets a badge but no check', () => {
    const { test } = page(
      '<p style="opacity: 0">ghost@acme.test</p><p style="visibility: hidden">shy@acme.test</p><p>seen@acme.test</p>',
    );
    test.flushChecks();
    expect(test.context.allBadges.map((badge) => badge.address).sort()).toEqual([
      'ghost@acme.test',
      'seen@acme.test',
      'shy@acme.test',
    ]);
    expect(test.port().addresses).toEqual(['seen@acme.test']);
  });
});
