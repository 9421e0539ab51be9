// @vitest-environment happy-dom
// A page that defines <mxlens-badge> itself, styles against us, and puts markup-looking text
// everywhere. Its own file: the page's element definition must come before our first badge.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_TAG, badgeHostKind } from '../../extension/src/content/badge/badge-element.js';
import {
  allBadges,
  badgeAddresses,
  badgeState,
  loadFixture,
  makeContext,
  makeResult,
  shadowOf,
  type TestContext,
} from './content-helpers.js';

let running: TestContext | null = null;

// The page is loaded once, as in a browser: its script defines the element name only once.
beforeAll(() => {
  loadFixture('hostile.html', { runScripts: true });
});

afterEach(() => {
  running?.context.stop();
  running = null;
});

describe('a hostile page', () => {
  it('badges the real addresses only, with plain elements when the page owns the name', () => {
    expect(customElements.get(BADGE_TAG)).toBeDefined(); // the page's definition
    running = makeContext({ autoMode: 'manual' });
    running.context.start();
    expect(badgeHostKind()).toBe('plain');
    expect(badgeAddresses()).toEqual(['alice@acme.test', 'bob@acme.test', 'carol@aonly.test', 'gina@greylist.test']);
    for (const badge of allBadges()) {
      expect(badge.host.tagName).toBe('SPAN');
      expect(badge.host.getAttributeNames().sort()).toEqual(['data-mxlens', 'style', 'translate']);
      expect(badgeState(badge)).toMatchObject({ address: badge.address, verdict: 'unchecked' });
      expect(badge.host.getAttribute('data-page-owned')).toBeNull();
      expect(badge.host.shadowRoot).toBeNull();
    }
    // The page's fake badge is not ours and got nothing.
    const fake = document.getElementById('fake');
    expect(allBadges().some((badge) => badge.host === fake)).toBe(false);
    expect(document.querySelectorAll('img, script:not([src])').length).toBe(document.querySelectorAll('script').length);
  });

  it('shows everything in the card as text', () => {
    running = makeContext({ autoMode: 'manual' });
    running.context.start();
    const hostile = '<img src=x onerror=alert(1)>';
    running.context.book.setResult(
      'alice@acme.test',
      makeResult('alice@acme.test', {
        verdict: 'undeliverable',
        reason: 'mailbox_not_found',
        mx: '"><script>alert(1)</script>',
        smtp: { code: 550, enhanced: '5.1.1', message: hostile },
        suggestion: `${hostile}@gmail.com`,
      }),
    );
    const badge = allBadges().find((each) => each.address === 'alice@acme.test');
    badge?.host.click();
    const shadow = shadowOf(running.context.card.host);
    const panel = shadow.querySelector('.card');
    expect(panel?.textContent).toContain(hostile);
    expect(panel?.textContent).toContain('<script>alert(1)</script>');
    expect(shadow.querySelectorAll('img, script')).toHaveLength(0);
    expect(
      Array.from(shadow.querySelectorAll('*')).every((element) =>
        element.getAttributeNames().every((name) => !name.startsWith('on')),
      ),
    ).toBe(true);
  });

  it('pins the badge box with inline !important rules the page CSS cannot beat', () => {
    running = makeContext({ autoMode: 'manual' });
    running.context.start();
    const style = allBadges()[0]?.host.getAttribute('style') ?? '';
    for (const rule of [
      'all: initial',
      'display: inline-block',
      'visibility: visible',
      'width: 14px',
      'height: 14px',
    ]) {
      expect(style).toContain(`${rule} !important`);
    }
  });
});
