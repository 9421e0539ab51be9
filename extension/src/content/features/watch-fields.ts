// Email fields in forms: <input type=email>, and text inputs whose name, id or autocomplete
// say email (never password fields). The address is judged when the user leaves the field or
// stops typing for a moment; its badge floats at the field's inner edge, in an overlay outside
// the input, and follows the field when the page scrolls or reflows.
//
// Only a field the user can see and has used is judged: one that got the user's own key press,
// pointer press, paste or drop (trusted events, which no page script can make). A page that
// fills thousands of hidden fields, or types into them with script, gets nothing checked.

import { invalidSyntaxResult, parseAddress } from '../../../../native-host/shared/address/syntax.js';
import { SIZE_PX, type Badge } from '../badge/badge-element.js';
import type { AddressBook } from '../core/address-book.js';
import { overlayParent } from '../core/dom.js';
import type { Feature } from '../core/feature.js';
import { isShownToUser } from '../core/visibility.js';

export interface FieldHost {
  readonly book: AddressBook;
  createBadge(address: string): Badge;
  dropBadge(badge: Badge): void;
  /** Check a field's address as the auto mode says. */
  fieldCheck(address: string): void;
  /** The badge is in the page now. */
  placed(badge: Badge): void;
  /** No badges for now (MX Lens needs setting up). */
  readonly dormant: boolean;
}

/** Events only a user makes (when trusted): they mark a field as used. */
const USER_INPUT = ['keydown', 'pointerdown', 'mousedown', 'paste', 'drop'] as const;

export const TYPING_PAUSE_MS = 800;
const EDGE_GAP = 6;
const EMAIL_WORD = /e-?mail/i;
const TEXT_TYPES = new Set(['text', 'search']);

/** Fields that hold an email address; never a password field. */
export function isEmailField(input: HTMLInputElement): boolean {
  const type = input.type.toLowerCase();
  if (type === 'email') return true;
  if (!TEXT_TYPES.has(type)) return false;
  const autocomplete = (input.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/);
  if (autocomplete.includes('email')) return true;
  return EMAIL_WORD.test(input.name) || EMAIL_WORD.test(input.id);
}

interface Field {
  input: HTMLInputElement;
  badge: Badge | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** The user has typed, clicked, pasted or dropped into it. */
  used: boolean;
}

export class FieldWatcher implements Feature {
  private readonly fields = new Map<HTMLInputElement, Field>();
  private readonly badges = new WeakSet<Badge>();
  private listeners = new AbortController();
  private repositionQueued = false;

  constructor(
    private readonly host: FieldHost,
    private readonly doc: Document,
    private readonly isShown: (element: Element) => boolean = isShownToUser,
  ) {}

  /** Follows scrolling and resizing (fields found by scan() are watched either way). */
  start(): void {
    const view = this.doc.defaultView;
    const options = { capture: true, passive: true, signal: this.listeners.signal };
    view?.addEventListener('scroll', () => this.queueReposition(), options);
    view?.addEventListener('resize', () => this.queueReposition(), options);
  }

  stop(): void {
    this.listeners.abort();
    this.listeners = new AbortController();
    for (const field of this.fields.values()) {
      if (field.timer !== null) clearTimeout(field.timer);
      if (field.badge) this.host.dropBadge(field.badge);
    }
    this.fields.clear();
  }

  /** Starts watching the email fields under `root`. */
  scan(root: Node): void {
    const inputs: HTMLInputElement[] = [];
    if (root instanceof HTMLInputElement) inputs.push(root);
    if ('querySelectorAll' in root) inputs.push(...Array.from((root as ParentNode).querySelectorAll('input')));
    for (const input of inputs) {
      if (this.fields.has(input) || !isEmailField(input)) continue;
      this.watch(input);
    }
  }

  owns(badge: Badge): boolean {
    return this.badges.has(badge);
  }

  /** MX Lens is not set up: every field badge goes (the fields stay watched). */
  dormant(): void {
    for (const field of this.fields.values()) this.setBadge(field, null);
  }

  /** The page changed: field badges back at their fields' edges; fields the page removed forgotten. */
  pageChanged(): void {
    for (const field of [...this.fields.values()]) {
      if (!field.input.isConnected) {
        this.forget(field);
        continue;
      }
      this.position(field);
    }
  }

  /** Judges the field now (what blur does), if the user used it and can see it. */
  evaluate(input: HTMLInputElement, final: boolean): void {
    const field = this.fields.get(input);
    if (!field) return;
    if (field.timer !== null) clearTimeout(field.timer);
    field.timer = null;
    if (!field.used || this.host.dormant || !isEmailField(input) || !this.isShown(input)) {
      // Not used by the user, hidden, MX Lens not set up, or now something else (a password field).
      this.setBadge(field, null);
      return;
    }
    const value = currentAddress(input);
    if (value === '') {
      this.setBadge(field, null);
      return;
    }
    const parsed = parseAddress(value);
    if (parsed.ok) {
      this.setBadge(field, parsed.normalized);
      this.host.fieldCheck(parsed.normalized);
    } else if (final) {
      this.host.book.setLocal(value, invalidSyntaxResult(value, parsed.problem));
      this.setBadge(field, value);
    } else {
      this.setBadge(field, null); // still typing: no verdict on half an address
    }
    this.position(field);
  }

  private watch(input: HTMLInputElement): void {
    const field: Field = { input, badge: null, timer: null, used: false };
    this.fields.set(input, field);
    const signal = this.listeners.signal;
    // A page script can focus, fill, blur and dispatch events on a field: none of that counts.
    const judge = (event: Event): void => {
      if (event.isTrusted) this.evaluate(input, true);
    };
    for (const type of USER_INPUT) {
      input.addEventListener(
        type,
        (event) => {
          if (event.isTrusted) field.used = true;
        },
        { signal, capture: true },
      );
    }
    input.addEventListener('blur', judge, { signal });
    input.addEventListener('change', judge, { signal });
    input.addEventListener(
      'input',
      (event) => {
        if (!event.isTrusted) return;
        if (field.timer !== null) clearTimeout(field.timer);
        field.timer = setTimeout(() => this.evaluate(input, false), TYPING_PAUSE_MS);
      },
      { signal },
    );
    // A value already there (a profile page, the browser's autofill) waits for the user to use the field.
  }

  private forget(field: Field): void {
    if (field.timer !== null) clearTimeout(field.timer);
    if (field.badge) this.host.dropBadge(field.badge);
    this.fields.delete(field.input);
  }

  private setBadge(field: Field, address: string | null): void {
    if (field.badge?.address === address) return;
    if (field.badge) this.host.dropBadge(field.badge);
    field.badge = null;
    if (address === null) return;
    const badge = this.host.createBadge(address);
    this.badges.add(badge);
    field.badge = badge;
    overlayParent(this.doc).append(badge.host);
    this.host.placed(badge);
  }

  private position(field: Field): void {
    const badge = field.badge;
    if (!badge) return;
    const rect = field.input.getBoundingClientRect();
    const view = this.doc.defaultView;
    if (rect.width === 0 && rect.height === 0 && field.input.offsetParent === null) {
      badge.placeAt(null);
      return;
    }
    const origin = this.originOffset();
    const rtl = view?.getComputedStyle(field.input).direction === 'rtl';
    const left = rtl ? rect.left + EDGE_GAP : rect.right - EDGE_GAP - SIZE_PX;
    badge.placeAt({ left: left - origin.left, top: rect.top + (rect.height - SIZE_PX) / 2 - origin.top });
  }

  /** Where the overlay parent's coordinate origin is, in viewport coordinates. */
  private originOffset(): { left: number; top: number } {
    const parent = overlayParent(this.doc);
    const view = this.doc.defaultView;
    if (view && view.getComputedStyle(parent).position !== 'static') {
      const rect = parent.getBoundingClientRect();
      return { left: rect.left, top: rect.top };
    }
    return { left: -(view?.scrollX ?? 0), top: -(view?.scrollY ?? 0) };
  }

  private queueReposition(): void {
    if (this.repositionQueued || this.fields.size === 0) return;
    this.repositionQueued = true;
    const run = (): void => {
      this.repositionQueued = false;
      this.pageChanged();
    };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
    else setTimeout(run, 16);
  }
}

/** The address being typed: the whole value, or the last one in a `multiple` field. */
function currentAddress(input: HTMLInputElement): string {
  const value = input.value.trim();
  if (!input.multiple) return value;
  const parts = value.split(',');
  return (parts[parts.length - 1] ?? '').trim();
}
