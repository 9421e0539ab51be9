// <mxlens-badge address="…" verdict="…">: a small mark right after an address in the page's
// light DOM. Its look lives in a closed shadow root, so page CSS and scripts cannot restyle or
// read it; the host element itself is pinned with inline !important styles. Each state has its
// own icon and colour, and an aria-label in words. Hover or focus opens the card.

import type { VerificationResult } from '../../shared/messages.js';
import type { BadgeState } from '../core/address-book.js';
import { markOurs } from '../core/dom.js';
import { t, type MessageKey } from '../core/i18n.js';

export const BADGE_TAG = 'mxlens-badge';

/** Shapes as well as colours: the state is never told by colour alone. */
export const BADGE_ICONS: Record<BadgeState, string> = {
  deliverable: '✓',
  undeliverable: '✗',
  risky: '!',
  unknown: '?',
  pending: '…',
  unchecked: '@',
};

export const STATE_KEYS: Record<BadgeState, MessageKey> = {
  deliverable: 'verdictDeliverable',
  undeliverable: 'verdictUndeliverable',
  risky: 'verdictRisky',
  unknown: 'verdictUnknown',
  pending: 'verdictPending',
  unchecked: 'contentVerdictUnchecked',
};

export const SIZE_PX = 14;

/** What a badge asks of the rest of the content script. */
export interface BadgeHandlers {
  /** Click, Enter or Space. */
  activate(badge: Badge, byKeyboard: boolean): void;
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

const SHADOW_CSS = `
:host { all: initial; }
.b {
  box-sizing: border-box; display: block; width: ${SIZE_PX}px; height: ${SIZE_PX}px;
  border-radius: 50%; border: 1.5px solid transparent;
  font: 700 10px/11px system-ui, -apple-system, "Segoe UI", sans-serif;
  text-align: center; color: #fff; user-select: none; -webkit-user-select: none;
}
.b[data-state="deliverable"] { background: #1a7f37; }
.b[data-state="undeliverable"] { background: #cf222e; }
.b[data-state="risky"] { background: #9a6700; }
.b[data-state="unknown"] { background: #6e7781; }
.b[data-state="pending"] { background: #0969da; }
.b[data-state="unchecked"] { background: #fff; color: #57606a; border-color: #8c959f; }
:host(:focus) .b, :host(:focus-visible) .b { outline: 2px solid #0969da; outline-offset: 1px; }
@media (prefers-reduced-motion: no-preference) {
  .b[data-state="pending"] { animation: mxlens-pulse 1.2s ease-in-out infinite; }
}
@keyframes mxlens-pulse { 50% { opacity: 0.55; } }
`;

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
 * Only when the page itself defined the name are badges plain <span> elements with the same
 * attributes, so the page's class never runs on our badges.
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
  private readonly mark: HTMLElement;
  private current: BadgeState = 'unchecked';

  constructor(
    readonly address: string,
    handlers: BadgeHandlers,
    doc: Document = document,
  ) {
    this.host = createHost(doc);
    markOurs(this.host, 'badge');
    this.host.setAttribute('style', HOST_STYLE);
    this.host.setAttribute('address', address);
    this.host.setAttribute('role', 'button');
    this.host.setAttribute('tabindex', '0');
    this.host.setAttribute('translate', 'no');
    const shadow = this.host.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = SHADOW_CSS;
    this.mark = doc.createElement('span');
    this.mark.className = 'b';
    this.mark.setAttribute('aria-hidden', 'true');
    shadow.append(style, this.mark);
    BADGES.set(this.host, this);
    this.listen(handlers);
    this.render('unchecked', null);
  }

  get state(): BadgeState {
    return this.current;
  }

  render(state: BadgeState, result: VerificationResult | null): void {
    this.current = state;
    this.host.setAttribute('verdict', state);
    this.mark.setAttribute('data-state', state);
    this.mark.textContent = BADGE_ICONS[state];
    this.host.setAttribute('aria-label', badgeLabel(this.address, state, result));
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
    host.addEventListener('click', (event) => {
      event.preventDefault();
      event.stopPropagation();
      handlers.activate(this, false);
    });
    host.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      event.stopPropagation();
      handlers.activate(this, true);
    });
    // Keep the page's own handlers (a link around, a row click) out of it.
    for (const type of KEPT_FROM_PAGE) host.addEventListener(type, stopPropagation);
    host.addEventListener('mouseenter', () => handlers.hoverStart(this));
    host.addEventListener('mouseleave', () => handlers.hoverEnd(this));
    host.addEventListener('focus', () => handlers.focus(this));
    host.addEventListener('blur', () => handlers.blur(this));
  }
}

/** The aria-label: the address and its state in words. */
export function badgeLabel(address: string, state: BadgeState, result: VerificationResult | null): string {
  if (state === 'unchecked') return t('contentBadgeLabelUnchecked', [address]);
  const word = t(STATE_KEYS[state]);
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
