// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BADGE_ICONS,
  BADGE_TAG,
  badgeHostKind,
  badgeOf,
  type Badge,
} from '../../extension/src/content/badge/badge-element.js';
import type { BadgeState } from '../../extension/src/content/core/address-book.js';
import { setMessageSource } from '../../extension/src/content/core/i18n.js';
import { makeContext, makeResult, shadowOf, type TestContext } from './content-helpers.js';

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
  setMessageSource(null);
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

  it('sits in the light DOM with address and verdict attributes', () => {
    const { badge } = page('<p id="p">Mail alice@acme.test now</p>', { autoMode: 'manual' });
    expect(badge.host.parentElement?.id).toBe('p');
    expect(badge.host.getAttribute('address')).toBe('alice@acme.test');
    expect(badge.host.getAttribute('verdict')).toBe('unchecked');
    expect(badge.host.getAttribute('tabindex')).toBe('0');
    expect(badge.host.getAttribute('role')).toBe('button');
  });

  it('keeps its look in a closed shadow root, and pins its own box', () => {
    const { badge } = page('<p>alice@acme.test</p>');
    expect(badge.host.shadowRoot).toBeNull();
    const shadow = shadowOf(badge.host);
    expect(shadow.mode).toBe('closed');
    expect(shadow.querySelector('style')?.textContent).toContain(':host');
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
      expect(badge.host.getAttribute('verdict')).toBe(state);
      expect(mark?.textContent).toBe(BADGE_ICONS[state]);
      expect(mark?.getAttribute('data-state')).toBe(state);
      expect(mark?.getAttribute('aria-hidden')).toBe('true');
      labels.add(badge.host.getAttribute('aria-label') ?? '');
    }
    expect(labels.size).toBe(states.length);
    badge.render('deliverable', makeResult('alice@acme.test'));
    expect(badge.host.getAttribute('aria-label')).toBe('Email check for alice@acme.test: Deliverable');
    test.context.book.setResult('alice@acme.test', makeResult('alice@acme.test', { verdict: 'undeliverable', reason: 'mailbox_not_found' }));
    expect(badge.host.getAttribute('aria-label')).toBe('Email check for alice@acme.test: Undeliverable');
  });

  it('says its words in the browser language', () => {
    const chinese: Record<string, string> = { contentBadgeLabel: '$1 的邮箱检查：$2', verdictRisky: '有风险' };
    setMessageSource((key, substitutions) =>
      (chinese[key] ?? '').replace(/\$(\d)/g, (_m, n: string) => substitutions[Number(n) - 1] ?? ''),
    );
    const { badge } = page('<p>alice@acme.test</p>');
    badge.render('risky', null);
    expect(badge.host.getAttribute('aria-label')).toBe('alice@acme.test 的邮箱检查：有风险');
  });

  it('follows its address: pending, then the result', () => {
    const { badge, test } = page('<p>alice@acme.test and again alice@acme.test</p>');
    expect(badge.state).toBe('pending'); // full mode, on screen (no IntersectionObserver here)
    test.flushChecks();
    test.port().emit({ kind: 'result', address: 'alice@acme.test', result: makeResult('alice@acme.test') });
    for (const each of test.context.allBadges) expect(each.host.getAttribute('verdict')).toBe('deliverable');
    expect(test.context.allBadges).toHaveLength(2);
  });

  it('checks the mailbox on click in manual mode', () => {
    const { badge, test } = page('<p>alice@acme.test</p>', { autoMode: 'manual' });
    test.flushChecks();
    expect(test.ports).toHaveLength(0);
    badge.host.click();
    test.flushChecks();
    expect(test.port().sent).toEqual([{ kind: 'check', addresses: ['alice@acme.test'], depth: 'smtp' }]);
    expect(badge.state).toBe('pending');
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
    badge.host.focus();
    expect(document.activeElement).toBe(badge.host);
    expect(test.context.card.isOpen).toBe(true);
    expect(test.context.card.address).toBe('alice@acme.test');
    expect(test.context.card.target?.origin).toBe(badge.host);
  });

  it('moves focus into the card on Enter, and back to the badge on Escape', () => {
    const { badge, test } = page('<p>alice@acme.test</p>');
    const card = test.context.card;
    badge.host.focus();
    badge.host.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(document.activeElement).toBe(card.host);
    const focused = shadowOf(card.host).activeElement;
    expect(focused?.tagName).toBe('BUTTON');
    focused?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    expect(card.isOpen).toBe(false);
    expect(document.activeElement).toBe(badge.host);
  });

  it('closes the card when focus leaves badge and card', async () => {
    document.body.innerHTML = '<p>alice@acme.test</p><button id="other">Other</button>';
    running = makeContext();
    running.context.start();
    const badge = running.context.allBadges[0];
    badge?.host.focus();
    expect(running.context.card.isOpen).toBe(true);
    document.getElementById('other')?.focus();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(running.context.card.isOpen).toBe(false);
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
    badge.host.focus();
    test.context.stop();
    running = null;
    expect(badge.host.isConnected).toBe(false);
    expect(test.context.card.isOpen).toBe(false);
    expect(badgeOf(document.querySelector(BADGE_TAG))).toBeUndefined();
  });
});
