// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isEmailField, TYPING_PAUSE_MS } from '../../extension/src/content/features/watch-fields.js';
import {
  allBadges,
  badgeState,
  loadFixture,
  makeContext,
  makeResult,
  pageEvent,
  shadowOf,
  type TestContext,
} from './content-helpers.js';

let running: TestContext | null = null;

function start(settings: Parameters<typeof makeContext>[0] = {}): TestContext {
  loadFixture('email-fields.html');
  running = makeContext(settings);
  running.context.start();
  return running;
}

function input(id: string): HTMLInputElement {
  const element = document.getElementById(id);
  if (!(element instanceof HTMLInputElement)) throw new Error(`no input #${id}`);
  return element;
}

/** The user types: a key press (trusted, in this model of happy-dom), then the input. */
function type(field: HTMLInputElement, value: string): void {
  field.focus();
  field.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }));
  field.value = value;
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

/** A page script does what typing does, with events it makes itself. */
function scriptFills(field: HTMLInputElement, value: string): void {
  field.focus();
  for (const type of ['keydown', 'pointerdown', 'mousedown', 'paste'])
    field.dispatchEvent(pageEvent(new Event(type, { bubbles: true })));
  field.value = value;
  field.dispatchEvent(pageEvent(new Event('input', { bubbles: true })));
  field.dispatchEvent(pageEvent(new Event('change', { bubbles: true })));
  field.dispatchEvent(pageEvent(new Event('blur')));
}

function leave(field: HTMLInputElement): void {
  field.dispatchEvent(new Event('blur'));
}

afterEach(() => {
  running?.context.stop();
  running = null;
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe('which inputs are email fields', () => {
  it('knows them by type, name, id or autocomplete, never a password field', () => {
    loadFixture('email-fields.html');
    const fields = Array.from(document.querySelectorAll('input'))
      .filter(isEmailField)
      .map((field) => field.id);
    expect(fields).toEqual(['email', 'work', 'backup', 'invite']);
  });
});

describe('fields a page fills by itself', () => {
  it('are never checked: script-made events, hidden fields, values already there', () => {
    vi.useFakeTimers();
    document.body.innerHTML = `
      <input type="email" id="filled" value="alice@acme.test">
      <div style="display: none">${Array.from({ length: 200 }, (_, i) => `<input type="email" id="hidden${i}">`).join('')}</div>
      <input type="email" id="scripted">
      <input type="email" id="transparent" style="opacity: 0">`;
    running = makeContext();
    running.context.start();
    scriptFills(input('scripted'), 'bob@acme.test');
    for (let i = 0; i < 200; i++) {
      const hidden = input(`hidden${i}`);
      type(hidden, `user${i}@acme.test`); // even "typed": the user cannot see it
      leave(hidden);
    }
    type(input('transparent'), 'carol@aonly.test');
    leave(input('transparent'));
    input('filled').dispatchEvent(new Event('blur'));
    vi.advanceTimersByTime(TYPING_PAUSE_MS * 2);
    running.flushChecks();
    expect(running.ports).toHaveLength(0);
    expect(running.context.allBadges).toHaveLength(0);

    // The user clicks into the field that was filled in for them, and leaves it: now it counts.
    input('filled').dispatchEvent(new MouseEvent('pointerdown', { bubbles: true }));
    leave(input('filled'));
    running.flushChecks();
    expect(running.port().addresses).toEqual(['alice@acme.test']);
  });
});

describe('email fields', () => {
  it('checks the address when the user leaves the field, and badges it at the field edge', () => {
    const test = start();
    const email = input('email');
    email.getBoundingClientRect = () => new DOMRect(100, 50, 240, 30);
    type(email, '  Alice@ACME.test ');
    leave(email);
    const badge = test.context.allBadges[0];
    expect(badge?.address).toBe('Alice@acme.test');
    expect(badge?.state).toBe('pending');
    // In an overlay, not inside the input and not in the form.
    expect(badge?.host.parentElement).toBe(document.documentElement);
    const style = badge?.host.getAttribute('style') ?? '';
    expect(style).toContain('position: absolute !important');
    expect(style).toContain(`left: ${100 + 240 - 6 - 14}px !important`);
    expect(style).toContain(`top: ${50 + 8}px !important`);
    test.flushChecks();
    expect(test.port().sent).toEqual([
      { kind: 'check', addresses: ['Alice@acme.test'], depth: 'smtp', trigger: 'auto' },
    ]);
    test.port().emit({ kind: 'result', address: 'Alice@acme.test', result: makeResult('Alice@acme.test') });
    expect(badgeState(badge!).verdict).toBe('deliverable');
  });

  it('checks after a pause in typing', () => {
    vi.useFakeTimers();
    const test = start();
    const work = input('work');
    type(work, 'bob@acme');
    vi.advanceTimersByTime(TYPING_PAUSE_MS);
    expect(test.context.allBadges).toHaveLength(0); // half an address: no verdict yet
    type(work, 'bob@acme.test');
    vi.advanceTimersByTime(TYPING_PAUSE_MS - 100);
    expect(test.context.allBadges).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(test.context.allBadges.map((badge) => badge.address)).toEqual(['bob@acme.test']);
  });

  it('updates the badge when the value changes, and removes it when emptied', () => {
    const test = start();
    const backup = input('backup');
    type(backup, 'carol@aonly.test');
    leave(backup);
    const first = test.context.allBadges[0];
    type(backup, 'gina@greylist.test');
    leave(backup);
    expect(first?.host.isConnected).toBe(false);
    expect(test.context.allBadges.map((badge) => badge.address)).toEqual(['gina@greylist.test']);
    type(backup, '');
    leave(backup);
    expect(test.context.allBadges).toHaveLength(0);
  });

  it('says at once when the text is not an address, without asking anyone', () => {
    const test = start();
    const email = input('email');
    type(email, 'alice@@acme');
    leave(email);
    const badge = test.context.allBadges[0];
    expect(badge?.state).toBe('undeliverable');
    test.flushChecks();
    expect(test.ports).toHaveLength(0);
    expect(test.context.book.list()).toEqual([]);
    badge?.host.click();
    const panel = shadowOf(test.context.card.host).querySelector('.card');
    expect(panel?.textContent).toContain('This is not a correctly written email address.');
    expect(panel?.textContent).toContain('more than one "@"');
    expect(panel?.querySelector('button.recheck')).toBeNull();
  });

  it('never watches a password field, even one named like email', () => {
    const test = start();
    const password = input('password');
    type(password, 'alice@acme.test');
    leave(password);
    expect(test.context.allBadges).toHaveLength(0);
  });

  it('checks the last address of a multiple field', () => {
    const test = start();
    const invite = input('invite');
    type(invite, 'alice@acme.test, bob@acme.test');
    leave(invite);
    expect(test.context.allBadges.map((badge) => badge.address)).toEqual(['bob@acme.test']);
  });

  it('in manual mode shows an unchecked badge; a click checks', () => {
    const test = start({ autoMode: 'manual' });
    const email = input('email');
    type(email, 'alice@acme.test');
    leave(email);
    const badge = test.context.allBadges[0];
    expect(badge?.state).toBe('unchecked');
    test.flushChecks();
    expect(test.ports).toHaveLength(0);
    badge?.host.click();
    test.flushChecks();
    expect(test.port().sent).toEqual([
      { kind: 'check', addresses: ['alice@acme.test'], depth: 'smtp', trigger: 'user' },
    ]);
  });

  it('drops the badge when the page removes the field', async () => {
    vi.useFakeTimers();
    const test = start();
    const email = input('email');
    type(email, 'alice@acme.test');
    leave(email);
    expect(allBadges()).toHaveLength(1);
    email.closest('label')?.remove();
    await Promise.resolve();
    vi.advanceTimersByTime(250);
    expect(test.context.allBadges).toHaveLength(0);
    expect(allBadges()).toHaveLength(0);
  });

  it('finds fields added later', async () => {
    vi.useFakeTimers();
    const test = start();
    const late = document.createElement('input');
    late.type = 'email';
    document.getElementById('signup')?.append(late);
    await Promise.resolve();
    vi.advanceTimersByTime(250);
    type(late, 'nobody@acme.test');
    leave(late);
    expect(test.context.allBadges.map((badge) => badge.address)).toEqual(['nobody@acme.test']);
  });
});
