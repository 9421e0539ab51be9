// The card: what a badge (or the context menu) knows about one address, in words. One card per
// page, in its own closed shadow root, fixed near its anchor and kept inside the viewport.
// Escape, a click outside or focus moving away closes it. Built with createElement and
// textContent only: the page's text and the mail server's reply can never become markup.

import type { VerificationResult } from '../../shared/messages.js';
import type { HostProblem } from '../../shared/status.js';
import type { AddressBook, AddressEntry, BadgeState } from '../core/address-book.js';
import { markOurs, overlayParent } from '../core/dom.js';
import { reasonText, t } from '../core/i18n.js';
import { pendingText } from './stage-text.js';
import { serverOf } from '../../shared/check-location.js';
import { flagKeys, verdictLook } from '../../shared/verdict-look.js';
import { stateWord } from './badge-element.js';

export interface CardActions {
  /** A first check (an unchecked address) or a forced new SMTP check (Re-check). */
  check(address: string, force: boolean): void;
  /** Puts text on the clipboard; resolves false when that was refused. */
  copy(text: string): Promise<boolean>;
}

type CardOpenedBy = 'hover' | 'focus' | 'click' | 'keyboard' | 'menu';

export interface CardTarget {
  /** Normalized address, or null: the selection held none (`input` says what it held). */
  address: string | null;
  input?: string;
  /** Where to show the card, in viewport coordinates; null: near the top of the viewport. */
  anchor: () => DOMRect | null;
  /** The badge the card belongs to: focus returns to it; clicks on it are not "outside". */
  origin: HTMLElement | null;
  /** Puts keyboard focus back on the origin (a badge's focusable part is in its shadow root). */
  refocus?: () => void;
  openedBy: CardOpenedBy;
}

const GAP = 6;
const MARGIN = 8;
const HOVER_CLOSE_MS = 300;
const MAX_INPUT_SHOWN = 200;

const HOST_STYLE = [
  'all: initial',
  'display: block',
  'position: fixed',
  'z-index: 2147483647',
  'margin: 0',
  'padding: 0',
  'border: 0',
  'width: auto',
  'height: auto',
  'visibility: visible',
  'opacity: 1',
  'pointer-events: auto',
  'transform: none',
].map((rule) => `${rule} !important`);

const SHADOW_CSS = `
:host { all: initial; }
.card {
  box-sizing: border-box; width: max-content; min-width: 220px; max-width: min(360px, calc(100vw - ${2 * MARGIN}px));
  padding: 10px 12px; border: 1px solid #d0d7de; border-radius: 8px; background: #fff; color: #1f2328;
  box-shadow: 0 8px 24px rgba(140, 149, 159, 0.3);
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; text-align: start;
  overflow-wrap: anywhere; white-space: normal;
}
.card:focus { outline: none; }
.head { display: flex; align-items: center; gap: 6px; margin: 0 0 4px; }
.icon {
  box-sizing: border-box; display: inline-block; width: 16px; height: 16px; flex: none; border-radius: 50%;
  font: 700 11px/16px system-ui, sans-serif; text-align: center; color: #fff; border: 0;
}
.icon[data-verdict="deliverable"] { background: #1a7f37; }
.icon[data-verdict="undeliverable"] { background: #cf222e; }
.icon[data-verdict="risky"] { background: #9a6700; }
.icon[data-verdict="unknown"] { background: #6e7781; }
.icon[data-verdict="pending"] { background: #0969da; }
.icon[data-verdict="unchecked"] { background: #fff; color: #57606a; box-shadow: inset 0 0 0 1.5px #8c959f; line-height: 16px; }
.word { font-weight: 600; flex: 1; }
.close { all: unset; cursor: pointer; padding: 0 4px; border-radius: 4px; font-size: 16px; line-height: 1; color: #57606a; }
.close:focus-visible, button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
.address { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; margin: 0 0 6px; }
p { margin: 4px 0; }
.muted { color: #59636e; }
.reply { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; white-space: pre-wrap; }
ul { margin: 4px 0; padding: 0 0 0 18px; }
.actions { display: flex; gap: 6px; margin-top: 8px; }
.actions button {
  font: inherit; font-size: 12px; padding: 3px 10px; border-radius: 6px; cursor: pointer;
  border: 1px solid #d0d7de; background: #f6f8fa; color: #1f2328;
}
.actions button.primary { background: #1f883d; border-color: #1a7f37; color: #fff; }
.actions button:disabled { opacity: 0.55; cursor: default; }
@media (prefers-color-scheme: dark) {
  .card { background: #161b22; color: #e6edf3; border-color: #30363d; box-shadow: 0 8px 24px rgba(1, 4, 9, 0.8); }
  .muted, .close { color: #9198a1; }
  .actions button { background: #21262d; border-color: #30363d; color: #e6edf3; }
}
`;

export class Card {
  readonly host: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly shadow: ShadowRoot;
  private current: CardTarget | null = null;
  private unsubscribe: (() => void) | null = null;
  private hoverTimer: ReturnType<typeof setTimeout> | null = null;
  private pointerInside = false;
  private placeQueued = false;
  /** Re-renders a pending card each second, so its elapsed time and countdown move. */
  private tick: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly book: AddressBook,
    private readonly actions: CardActions,
    private readonly doc: Document = document,
  ) {
    this.host = doc.createElement('div');
    markOurs(this.host, 'card');
    this.host.setAttribute('translate', 'no');
    const shadow = this.host.attachShadow({ mode: 'closed' });
    this.shadow = shadow;
    const style = doc.createElement('style');
    style.textContent = SHADOW_CSS;
    this.panel = doc.createElement('div');
    this.panel.className = 'card';
    this.panel.setAttribute('role', 'dialog');
    this.panel.setAttribute('tabindex', '-1');
    shadow.append(style, this.panel);
    // Every listener here answers only the user's own input (isTrusted), never a page script's.
    this.panel.addEventListener('keydown', (event) => {
      if (event.isTrusted && event.key === 'Escape') {
        event.stopPropagation();
        this.hide(true);
      }
    });
    this.host.addEventListener('mouseenter', (event) => {
      if (!event.isTrusted) return;
      this.pointerInside = true;
      this.cancelHoverClose();
    });
    this.host.addEventListener('mouseleave', (event) => {
      if (!event.isTrusted) return;
      this.pointerInside = false;
      if (this.current?.openedBy === 'hover') this.hoverEnded();
    });
    this.host.addEventListener('focusout', () => this.checkFocusSoon());
    // A click inside pins a card opened by hovering.
    this.host.addEventListener('pointerdown', (event) => {
      if (event.isTrusted && this.current?.openedBy === 'hover') this.current.openedBy = 'click';
    });
  }

  get isOpen(): boolean {
    return this.current !== null;
  }

  get target(): CardTarget | null {
    return this.current;
  }

  /** The open card's address (null when closed or when it shows "no address"). */
  get address(): string | null {
    return this.current?.address ?? null;
  }

  show(target: CardTarget): void {
    this.cancelHoverClose();
    if (!this.current) this.attach();
    this.current = target;
    this.unsubscribe?.();
    this.unsubscribe =
      target.address === null ? null : this.book.subscribe(target.address, (entry) => this.render(entry));
    this.render(target.address === null ? null : this.book.get(target.address));
    if (target.openedBy === 'keyboard' || target.openedBy === 'menu') this.focusInside();
  }

  hide(returnFocus = false): void {
    const target = this.current;
    if (!target) return;
    this.current = null;
    this.cancelHoverClose();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopTick();
    this.detach();
    this.host.remove();
    if (returnFocus && target.origin?.isConnected) (target.refocus ?? (() => target.origin?.focus()))();
  }

  /** The pointer left the badge: close soon unless it reaches the card. */
  hoverEnded(): void {
    if (this.current?.openedBy !== 'hover') return;
    this.cancelHoverClose();
    this.hoverTimer = setTimeout(() => {
      this.hoverTimer = null;
      if (!this.pointerInside && this.current?.openedBy === 'hover' && !this.hasFocus()) this.hide();
    }, HOVER_CLOSE_MS);
  }

  /** The badge lost focus: close unless focus went into the card. */
  originBlurred(): void {
    this.checkFocusSoon();
  }

  /** Moves keyboard focus to the card's first button. */
  focusInside(): void {
    const buttons = Array.from(this.panel.querySelectorAll<HTMLButtonElement>('.actions button'));
    (buttons.find((button) => !button.disabled) ?? this.panel).focus();
  }

  hasFocus(): boolean {
    return this.doc.activeElement === this.host;
  }

  private checkFocusSoon(): void {
    setTimeout(() => {
      const target = this.current;
      if (!target || target.openedBy === 'hover' || target.openedBy === 'menu') return;
      const active = this.doc.activeElement;
      if (active === this.host || (target.origin !== null && active === target.origin)) return;
      if (this.pointerInside) return;
      this.hide();
    }, 0);
  }

  private cancelHoverClose(): void {
    if (this.hoverTimer !== null) clearTimeout(this.hoverTimer);
    this.hoverTimer = null;
  }

  // ------------------------------------------------------------------ rendering

  private render(entry: AddressEntry | null): void {
    this.stopTick();
    const target = this.current;
    if (!target) return;
    const children: Node[] = [];
    if (entry === null) {
      children.push(this.head('unknown', t('contentCardTitle')));
      children.push(this.text('p', t('contentCardNoAddress')));
      if (target.input) children.push(this.text('p', t('contentCardInput', [clip(target.input)]), 'muted'));
      this.panel.setAttribute('aria-label', t('contentCardNoAddress'));
    } else {
      children.push(
        this.head(
          entry.state,
          stateWord(entry.state, entry.result),
          verdictLook(entry.state, entry.result?.reason).icon,
        ),
      );
      children.push(this.text('p', entry.address, 'address'));
      children.push(...this.body(entry));
      children.push(this.buttons(entry));
      this.panel.setAttribute('aria-label', t('contentCardDialogLabel', [entry.address]));
    }
    // A result arriving while the user is on a button must not throw their focus away.
    const focused = this.hasFocus() ? this.shadow.activeElement : null;
    const focusedClass = focused instanceof HTMLElement && focused !== this.panel ? focused.className : null;
    this.panel.replaceChildren(...children);
    if (focused) {
      const again = focusedClass ? this.panel.querySelector<HTMLButtonElement>(`[class="${focusedClass}"]`) : null;
      (again && !again.disabled ? again : this.panel).focus();
    }
    this.place();
  }

  private head(state: BadgeState, word: string, iconText = verdictLook(state).icon): HTMLElement {
    const head = this.el('div', 'head');
    const icon = this.text('span', iconText, 'icon');
    icon.setAttribute('data-verdict', state);
    icon.setAttribute('aria-hidden', 'true');
    const close = this.button('×', 'close');
    close.setAttribute('aria-label', t('contentCardClose'));
    close.addEventListener('click', (event) => {
      if (event.isTrusted) this.hide(true);
    });
    head.append(icon, this.text('span', word, 'word'), close);
    return head;
  }

  private body(entry: AddressEntry): Node[] {
    if (entry.state === 'pending') return this.pending(entry);
    const nodes: Node[] = [];
    const result = entry.result;
    if (entry.problem || (!result && entry.state !== 'unchecked')) nodes.push(...this.problem(entry.problem));
    if (!result) {
      if (entry.state === 'unchecked') nodes.push(this.text('p', t('contentCardNotChecked'), 'muted'));
      return nodes;
    }
    nodes.push(...this.result(result, entry.local));
    return nodes;
  }

  private pending(entry: AddressEntry): Node[] {
    if (!entry.pending) return [this.text('p', t('contentCardChecking'), 'muted')];
    const { stage, elapsed } = pendingText(entry.pending, Date.now());
    this.tick = setTimeout(() => {
      this.tick = null;
      if (this.current?.address === entry.address) this.render(entry);
    }, 1000);
    return [this.text('p', stage, 'stage'), this.text('p', elapsed, 'muted')];
  }

  private stopTick(): void {
    if (this.tick) clearTimeout(this.tick);
    this.tick = null;
  }

  private problem(problem: HostProblem | null): Node[] {
    const nodes: Node[] = [this.text('p', t('contentCardFailed'))];
    if (problem) {
      if (problem.message) nodes.push(this.text('p', problem.message));
      if (problem.fix) nodes.push(this.text('p', problem.fix, 'muted'));
    }
    return nodes;
  }

  private result(result: VerificationResult, local: boolean): Node[] {
    const nodes: Node[] = [this.text('p', reasonText(result.reason))];
    if (local) {
      if (result.detail) nodes.push(this.text('p', t('contentCardInvalid', [result.detail]), 'muted'));
      return nodes;
    }
    if (result.suggestion) nodes.push(this.text('p', t('contentCardSuggestion', [result.suggestion])));
    nodes.push(this.text('p', result.mx ? t('contentCardMx', [result.mx]) : t('contentCardNoMx'), 'muted'));
    if (result.smtp) {
      const code = [String(result.smtp.code), result.smtp.enhanced ?? '', result.smtp.message]
        .filter((part) => part !== '')
        .join(' ');
      nodes.push(this.text('p', t('contentCardSmtp', [code]), 'reply'));
    }
    const flags = flagKeys(result).map((key) => t(key));
    if (flags.length > 0) {
      const list = this.el('ul', 'flags');
      for (const flag of flags) list.append(this.text('li', flag));
      nodes.push(list);
    }
    const server = serverOf(result);
    nodes.push(
      this.text(
        'p',
        server === null ? t('contentCardCheckedOnHost') : t('contentCardCheckedOnServer', [server]),
        'muted where',
      ),
    );
    return nodes;
  }

  private buttons(entry: AddressEntry): HTMLElement {
    const row = this.el('div', 'actions');
    if (!entry.local) {
      const checked = entry.result !== null || entry.problem !== null;
      const mailboxNext = entry.result?.reason === 'dns_only';
      const label = !checked ? 'contentCardCheck' : mailboxNext ? 'contentCardCheckMailbox' : 'contentCardRecheck';
      const check = this.button(t(label), 'primary recheck');
      check.disabled = entry.state === 'pending';
      check.addEventListener('click', (event) => {
        if (event.isTrusted) this.actions.check(entry.address, checked);
      });
      row.append(check);
    }
    const copy = this.button(t('contentCardCopy'), 'copy');
    copy.addEventListener('click', (event) => {
      if (!event.isTrusted) return;
      void this.actions.copy(entry.address).then((ok) => {
        copy.textContent = t(ok ? 'contentCardCopied' : 'contentCardCopyFailed');
        setTimeout(() => {
          copy.textContent = t('contentCardCopy');
        }, 1_500);
      });
    });
    row.append(copy);
    return row;
  }

  private el(tag: string, className?: string): HTMLElement {
    const element = this.doc.createElement(tag);
    if (className) element.className = className;
    return element;
  }

  private text(tag: string, text: string, className?: string): HTMLElement {
    const element = this.el(tag, className);
    element.textContent = text;
    return element;
  }

  private button(text: string, className: string): HTMLButtonElement {
    const button = this.doc.createElement('button');
    button.type = 'button';
    button.className = className;
    button.textContent = text;
    return button;
  }

  // ------------------------------------------------------------------ placement and dismissal

  private place(): void {
    const target = this.current;
    if (!target) return;
    const view = this.doc.defaultView;
    const width = view?.innerWidth ?? 1024;
    const height = view?.innerHeight ?? 768;
    const anchor = target.anchor() ?? new DOMRect(width / 2, MARGIN, 0, 0);
    const size = this.panel.getBoundingClientRect();
    let top = anchor.bottom + GAP;
    if (top + size.height > height - MARGIN && anchor.top - GAP - size.height >= MARGIN) {
      top = anchor.top - GAP - size.height;
    }
    top = clamp(top, MARGIN, height - MARGIN - size.height);
    const left = clamp(anchor.left, MARGIN, width - MARGIN - size.width);
    this.host.setAttribute(
      'style',
      [...HOST_STYLE, `top: ${Math.round(top)}px !important`, `left: ${Math.round(left)}px !important`].join('; '),
    );
  }

  private readonly onScroll = (): void => {
    if (this.placeQueued) return;
    this.placeQueued = true;
    const run = (): void => {
      this.placeQueued = false;
      this.place();
    };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
    else setTimeout(run, 16);
  };

  private readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.isTrusted && event.key === 'Escape' && this.current)
      this.hide(this.hasFocus() || this.doc.activeElement === this.current.origin);
  };

  private readonly onPointerDown = (event: Event): void => {
    const target = this.current;
    if (!target || !event.isTrusted) return;
    const path = event.composedPath();
    if (path.includes(this.host) || (target.origin !== null && path.includes(target.origin))) return;
    this.hide();
  };

  private attach(): void {
    overlayParent(this.doc).append(this.host);
    const view = this.doc.defaultView;
    this.doc.addEventListener('keydown', this.onKeydown, true);
    this.doc.addEventListener('pointerdown', this.onPointerDown, true);
    view?.addEventListener('scroll', this.onScroll, { capture: true, passive: true });
    view?.addEventListener('resize', this.onScroll, { passive: true });
  }

  private detach(): void {
    const view = this.doc.defaultView;
    this.doc.removeEventListener('keydown', this.onKeydown, true);
    this.doc.removeEventListener('pointerdown', this.onPointerDown, true);
    view?.removeEventListener('scroll', this.onScroll, { capture: true });
    view?.removeEventListener('resize', this.onScroll);
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, Math.max(low, high)));
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_INPUT_SHOWN ? `${flat.slice(0, MAX_INPUT_SHOWN)}…` : flat;
}
