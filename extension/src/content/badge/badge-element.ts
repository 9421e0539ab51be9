// <mxlens-badge>: a small mark right after an address in the page's light DOM. The element in
// the page says nothing: no address, verdict, label or text, the same box in every state, no
// attribute that ever changes with a result. Everything it knows lives in a closed shadow root
// (assistive technology reads it; page scripts cannot), on one element carrying data-address,
// data-verdict, the role and the accessible name. Only trusted events (the user's own clicks,
// keys and pointer) do anything. Hover or focus opens the card.

import type { VerificationResult } from '../../shared/messages.js';
import type { BadgeState } from '../core/address-book.js';
import { adoptStyle, markOurs } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { ALL_ICONS, iconName, verdictLook } from '../../shared/verdict-look.js';

export const BADGE_TAG = 'mxlens-badge';

export const SIZE_PX = 14;

/** What a badge asks of the rest of the content script (only ever for trusted events). */
export interface BadgeHandlers {
  /** Click, Enter or Space. */
  activate(badge: Badge, byKeyboard: boolean): void;
  /** An arrow key, Home or End: move focus to another badge (one Tab stop for all of them). */
  move(badge: Badge, to: 'next' | 'previous' | 'first' | 'last'): void;
  hoverStart(badge: Badge): void;
  hoverEnd(badge: Badge): void;
  focus(badge: Badge): void;
  blur(badge: Badge): void;
}

const HOST_STYLE = [
  'all: initial',
  'display: inline-block',
  'box-sizing: border-box',
  `width: ${SIZE_PX}px`,
  `height: ${SIZE_PX}px`,
  // No state may show in the page's layout: nothing inside can make the box or its overflow differ.
  'overflow: hidden',
  // Negative vertical margins: the badge never makes a line taller.
  'margin: -4px 0 -4px 3px',
  'padding: 0',
  'border: 0',
  'vertical-align: middle',
  'cursor: pointer',
  'visibility: visible',
  'opacity: 1',
  'pointer-events: auto',
  'position: static',
  'float: none',
  'transform: none',
  'contain: strict',
]
  .map((rule) => `${rule} !important`)
  .join('; ');

const ICON_NAMES = Object.keys(ALL_ICONS) as Array<keyof typeof ALL_ICONS>;

const SHADOW_CSS = `
:host { all: initial; }
.b {
  position: relative; box-sizing: border-box; display: block; width: ${SIZE_PX}px; height: ${SIZE_PX}px; overflow: hidden;
  border-radius: 50%; border: 1.5px solid transparent; outline: none;
  font: 700 10px/11px system-ui, -apple-system, "Segoe UI", sans-serif;
  text-align: center; color: #fff; user-select: none; -webkit-user-select: none;
}
.b[data-verdict="deliverable"] { background: #1a7f37; }
.b[data-verdict="undeliverable"] { background: #cf222e; }
.b[data-verdict="risky"] { background: #9a6700; }
.b[data-verdict="unknown"] { background: #6e7781; }
.b[data-verdict="pending"] { background: #0969da; }
.b[data-verdict="unchecked"] { background: #fff; color: #57606a; border-color: #8c959f; }
.i { position: absolute; inset: 0; visibility: hidden; }
${ICON_NAMES.map((name) => `.b[data-icon="${name}"] > .i[data-for="${name}"]`).join(',\n')} { visibility: visible; }
.b:focus-visible { box-shadow: 0 0 0 2px #0969da; }
`;
// No animation for "pending": document.getAnimations() lists animations inside closed shadow
// roots too, so a pulse would tell the page when a check starts and ends.

const BADGES = new WeakMap<Node, Badge>();

const KEPT_FROM_PAGE = ['mousedown', 'mouseup', 'pointerdown', 'pointerup', 'dblclick', 'auxclick'];
const stopPropagation = (event: Event): void => event.stopPropagation();

/** The badge whose host element this is, or undefined. */
export function badgeOf(node: Node | null | undefined): Badge | undefined {
  return node ? BADGES.get(node) : undefined;
}

type HostKind = 'custom' | 'plain';
let hostKind: HostKind | null = null;

/**
 * Badges are <mxlens-badge> elements that are never defined: an undefined autonomous custom
 * element still takes a closed shadow root, and no class of ours ever sits in the page's
 * registry (in Firefox it would make every badge an object page scripts may not touch:
 * "Permission denied to access property"). Chrome's content scripts see no registry at all.
 * Only when the page itself defined the name are badges plain <span> elements, so the page's
 * class never runs on our badges.
 */
export function badgeHostKind(): HostKind {
  if (hostKind) return hostKind;
  try {
    const registry = (globalThis as { customElements?: CustomElementRegistry | null }).customElements;
    hostKind = registry?.get(BADGE_TAG) ? 'plain' : 'custom';
  } catch {
    hostKind = 'plain';
  }
  return hostKind;
}

export class Badge {
  readonly host: HTMLElement;
  /** The one element that knows the state (in the closed shadow root). */
  private readonly mark: HTMLElement;
  private current: BadgeState = 'unchecked';
  private focused = false;

  constructor(
    readonly address: string,
    handlers: BadgeHandlers,
    doc: Document = document,
  ) {
    this.host = createHost(doc);
    markOurs(this.host, 'badge');
    this.host.setAttribute('style', HOST_STYLE);
    this.host.setAttribute('translate', 'no');
    const shadow = this.host.attachShadow({ mode: 'closed' });
    adoptStyle(shadow, SHADOW_CSS);
    this.mark = doc.createElement('span');
    this.mark.className = 'b';
    this.mark.setAttribute('role', 'button');
    this.mark.setAttribute('tabindex', '-1');
    this.mark.setAttribute('data-address', address);
    // All the icons are laid out once; a new state only switches which one is visible (a
    // style change, never a text change: that would lay out the page's whole text again).
    for (const name of ICON_NAMES) {
      const icon = doc.createElement('span');
      icon.className = 'i';
      icon.setAttribute('data-for', name);
      icon.setAttribute('aria-hidden', 'true');
      icon.textContent = ALL_ICONS[name];
      this.mark.append(icon);
    }
    shadow.append(this.mark);
    BADGES.set(this.host, this);
    this.listen(handlers);
    this.render('unchecked', null);
  }

  get state(): BadgeState {
    return this.current;
  }

  render(state: BadgeState, result: VerificationResult | null): void {
    this.current = state;
    this.mark.setAttribute('data-verdict', state);
    this.mark.setAttribute('data-icon', iconName(state, result?.reason));
    this.mark.setAttribute('aria-label', badgeLabel(this.address, state, result));
  }

  /** The Tab stop of the badges (tabindex 0) or reachable by arrow keys only (-1). */
  setTabStop(isStop: boolean): void {
    this.mark.setAttribute('tabindex', isStop ? '0' : '-1');
  }

  get isTabStop(): boolean {
    return this.mark.getAttribute('tabindex') === '0';
  }

  focus(): void {
    this.mark.focus();
  }

  /** Keyboard focus is on this badge. */
  get hasFocus(): boolean {
    return this.focused;
  }

  /**
   * For a badge outside the text (a form field's): placed at `position` in document
   * coordinates of its overlay parent, or hidden (null).
   */
  placeAt(position: { left: number; top: number } | null): void {
    const extra = position
      ? [
          'position: absolute',
          `left: ${Math.round(position.left)}px`,
          `top: ${Math.round(position.top)}px`,
          'margin: 0',
          'z-index: 2147483646',
        ]
      : ['display: none'];
    this.host.setAttribute('style', `${HOST_STYLE}; ${extra.map((rule) => `${rule} !important`).join('; ')}`);
  }

  remove(): void {
    this.host.remove();
  }

  private listen(handlers: BadgeHandlers): void {
    const host = this.host;
    // A page script can dispatch any event on the host: only the user's own count.
    const trusted =
      <E extends Event>(run: (event: E) => void) =>
      (event: E): void => {
        if (event.isTrusted) run(event);
      };
    host.addEventListener('click', (event) => {
      event.preventDefault();
      event.stopPropagation();
      if (event.isTrusted) handlers.activate(this, false);
    });
    this.mark.addEventListener(
      'keydown',
      trusted((event: KeyboardEvent) => {
        const move = MOVES[event.key];
        if (move) {
          event.preventDefault();
          event.stopPropagation();
          handlers.move(this, move);
          return;
        }
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        event.stopPropagation();
        handlers.activate(this, true);
      }),
    );
    // Keep the page's own handlers (a link around, a row click) out of it.
    for (const type of KEPT_FROM_PAGE) host.addEventListener(type, stopPropagation);
    host.addEventListener(
      'mouseenter',
      trusted(() => handlers.hoverStart(this)),
    );
    host.addEventListener(
      'mouseleave',
      trusted(() => handlers.hoverEnd(this)),
    );
    this.mark.addEventListener('focus', (event) => {
      this.focused = true;
      if (event.isTrusted) handlers.focus(this);
    });
    this.mark.addEventListener('blur', (event) => {
      this.focused = false;
      if (event.isTrusted) handlers.blur(this);
    });
  }
}

const MOVES: Record<string, 'next' | 'previous' | 'first' | 'last'> = {
  ArrowRight: 'next',
  ArrowDown: 'next',
  ArrowLeft: 'previous',
  ArrowUp: 'previous',
  Home: 'first',
  End: 'last',
};

/** The verdict in words: "Can't check from this network" rather than "Unknown" where port 25 is blocked. */
export function stateWord(state: BadgeState, result: Pick<VerificationResult, 'reason'> | null): string {
  return t(verdictLook(state, result?.reason).key);
}

/** The aria-label: the address and its state in words. */
function badgeLabel(address: string, state: BadgeState, result: VerificationResult | null): string {
  if (state === 'unchecked') return t('contentBadgeLabelUnchecked', [address]);
  const word = stateWord(state, result);
  const reason = result && state !== 'pending' ? result.reason : null;
  const label = t('contentBadgeLabel', [address, word]);
  return reason === 'dns_only' ? `${label} (${t('reasonDnsOnly')})` : label;
}

function createHost(doc: Document): HTMLElement {
  if (badgeHostKind() === 'custom') {
    try {
      return doc.createElement(BADGE_TAG);
    } catch {
      // fall through to a plain element
    }
  }
  return doc.createElement('span');
}
