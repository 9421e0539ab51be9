// The shared core one page session runs on: the address book, the checks port, the card, the
// badges and their auto-check policy. Features (features/*.ts) find addresses and ask this
// core to place badges; they never talk to each other.

import type { ExtensionSettings } from '../../shared/settings.js';
import { Badge, badgeOf, type BadgeHandlers } from '../badge/badge-element.js';
import { Card } from '../badge/card.js';
import { PageObserver } from '../features/observe.js';
import { scanLinks } from '../features/scan-links.js';
import { scanText } from '../features/scan-text.js';
import { autoDepth, Visibility } from '../features/visibility.js';
import { FieldWatcher } from '../features/watch-fields.js';
import { AddressBook } from './address-book.js';
import { ChecksClient, type ChecksPort } from './checks-client.js';
import { isOurs } from './dom.js';

export interface ContextOptions {
  settings: ExtensionSettings;
  connect: () => ChecksPort;
  copy?: (text: string) => Promise<boolean>;
  doc?: Document;
  /** null: no IntersectionObserver (every badge counts as on screen). */
  IntersectionObserver?: typeof IntersectionObserver | null;
  /** When queued check requests are sent (default: next animation frame). */
  scheduleChecks?: (flush: () => void) => void;
  /** Observer batching, for tests. */
  observerDelayMs?: number;
}

/** Delay before a hovered badge opens its card. */
const HOVER_OPEN_MS = 250;

export class ContentContext {
  settings: ExtensionSettings;
  readonly doc: Document;
  readonly book: AddressBook;
  readonly client: ChecksClient;
  readonly card: Card;
  readonly visibility: Visibility;
  readonly fields: FieldWatcher;
  readonly observer: PageObserver;
  private readonly badges = new Set<Badge>();
  private readonly unsubscribe = new Map<Badge, () => void>();
  private readonly shadowRoots = new WeakSet<ShadowRoot>();
  private hoverTimer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  private stopped = false;

  constructor(options: ContextOptions) {
    this.settings = options.settings;
    this.doc = options.doc ?? document;
    this.client = new ChecksClient({
      connect: options.connect,
      onEvent: (event) => this.book.apply(event),
      ...(options.scheduleChecks ? { schedule: options.scheduleChecks } : {}),
    });
    this.book = new AddressBook((address, depth, force) => this.client.check(address, depth, force));
    this.card = new Card(
      this.book,
      { check: (address, force) => this.book.check(address, 'smtp', force), copy: options.copy ?? copyText },
      this.doc,
    );
    this.visibility = new Visibility(this.book, () => this.settings, options.IntersectionObserver);
    this.fields = new FieldWatcher(this, this.doc);
    this.observer = new PageObserver(
      {
        scan: (root) => this.scan(root),
        prune: () => this.prune(),
        afterBatch: () => this.fields.reposition(),
      },
      { doc: this.doc, ...(options.observerDelayMs !== undefined ? { delayMs: options.observerDelayMs } : {}) },
    );
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** Scans the page once, then follows its changes. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.observer.observe(this.doc);
    this.scan(this.doc.body ?? this.doc.documentElement);
    this.observer.discardOwnChanges();
    this.fields.start();
  }

  /** Everything off: badges removed, port closed, listeners gone. */
  stop(): void {
    this.stopped = true;
    this.started = false;
    this.observer.stop();
    this.fields.stop();
    this.visibility.disconnect();
    this.card.hide();
    for (const badge of [...this.badges]) this.dropBadge(badge);
    this.client.close();
    if (this.hoverTimer !== null) clearTimeout(this.hoverTimer);
  }

  /** Finds addresses under `root` (text, links, fields), then in the open shadow roots inside. */
  scan(root: Node): void {
    if (this.stopped) return;
    const shadows: ShadowRoot[] = [];
    scanText(root, { placeAfter: (anchor, address) => this.placeAfter(anchor, address), foundShadowRoot: (shadow) => shadows.push(shadow) });
    scanLinks(root, (anchor, address) => this.placeAfter(anchor, address));
    this.fields.scan(root);
    for (const shadow of shadows) {
      if (this.shadowRoots.has(shadow)) continue;
      this.shadowRoots.add(shadow);
      this.observer.observe(shadow);
      this.scan(shadow);
    }
  }

  /**
   * A badge for `address` right after `anchor`, unless one is already among the badges that
   * follow it (then null).
   */
  placeAfter(anchor: Node, address: string): Badge | null {
    for (let node = anchor.nextSibling; node && isOurs(node); node = node.nextSibling) {
      if (badgeOf(node)?.address === address) return null;
    }
    const parent = anchor.parentNode;
    if (!parent) return null;
    const badge = this.createBadge(address);
    parent.insertBefore(badge.host, anchor.nextSibling);
    this.visibility.watch(badge);
    return badge;
  }

  /** A badge bound to its address's entry (the caller puts it in the page). */
  createBadge(address: string): Badge {
    const badge = new Badge(address, this.handlers, this.doc);
    this.badges.add(badge);
    this.book.badgeAdded(address);
    const entry = this.book.get(address);
    badge.render(entry.state, entry.result);
    this.unsubscribe.set(badge, this.book.subscribe(address, (changed) => badge.render(changed.state, changed.result)));
    return badge;
  }

  dropBadge(badge: Badge): void {
    if (!this.badges.delete(badge)) return;
    this.unsubscribe.get(badge)?.();
    this.unsubscribe.delete(badge);
    this.visibility.unwatch(badge);
    this.book.badgeRemoved(badge.address);
    if (this.card.target?.origin === badge.host) this.card.hide();
    badge.remove();
  }

  /** The badges on the page now. */
  get allBadges(): Badge[] {
    return [...this.badges];
  }

  /** Auto mode changed: badges not checked yet may be now. */
  settingsChanged(settings: ExtensionSettings): void {
    this.settings = settings;
    this.visibility.refresh(this.badges);
  }

  /** A form field holds an address: check it as deep as the auto mode says (manual: not). */
  fieldCheck(address: string): void {
    const depth = autoDepth(this.settings.autoMode);
    if (depth !== null) this.book.check(address, depth);
  }

  /** Drops badges the page removed (React re-rendering a list, a closed dialog). */
  private prune(): void {
    for (const badge of this.badges) {
      if (!badge.host.isConnected && !this.fields.owns(badge)) this.dropBadge(badge);
    }
  }

  private readonly handlers: BadgeHandlers = {
    activate: (badge, byKeyboard) => {
      this.cancelHoverOpen();
      const entry = this.book.get(badge.address);
      // Never asked yet (manual mode, over the cap): the click is the request. After a failure
      // the card explains it first; its button asks again.
      if (entry.state === 'unchecked') this.book.check(badge.address, 'smtp');
      const target = this.card.target;
      if (target?.origin === badge.host && !byKeyboard && target.openedBy === 'click') {
        this.card.hide();
        return;
      }
      if (target?.origin === badge.host && target.openedBy !== 'keyboard') {
        target.openedBy = byKeyboard ? 'keyboard' : 'click';
        if (byKeyboard) this.card.focusInside();
        return;
      }
      this.openCard(badge, byKeyboard ? 'keyboard' : 'click');
    },
    hoverStart: (badge) => {
      this.cancelHoverOpen();
      if (this.card.target?.origin === badge.host) return;
      if (this.card.isOpen && this.card.target?.openedBy !== 'hover') return; // a pinned card stays
      this.hoverTimer = setTimeout(() => {
        this.hoverTimer = null;
        if (badge.host.isConnected) this.openCard(badge, 'hover');
      }, HOVER_OPEN_MS);
    },
    hoverEnd: (badge) => {
      this.cancelHoverOpen();
      if (this.card.target?.origin === badge.host) this.card.hoverEnded();
    },
    focus: (badge) => {
      if (this.card.target?.origin === badge.host) return;
      this.openCard(badge, 'focus');
    },
    blur: (badge) => {
      if (this.card.target?.origin === badge.host) this.card.originBlurred();
    },
  };

  private openCard(badge: Badge, openedBy: 'hover' | 'focus' | 'click' | 'keyboard'): void {
    this.card.show({
      address: badge.address,
      anchor: () => (badge.host.isConnected ? badge.host.getBoundingClientRect() : null),
      origin: badge.host,
      openedBy,
    });
  }

  private cancelHoverOpen(): void {
    if (this.hoverTimer !== null) clearTimeout(this.hoverTimer);
    this.hoverTimer = null;
  }
}

/** The clipboard API, or a copy event when the page's permissions refuse it. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const onCopy = (event: ClipboardEvent): void => {
      event.clipboardData?.setData('text/plain', text);
      event.preventDefault();
    };
    document.addEventListener('copy', onCopy, true);
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      document.removeEventListener('copy', onCopy, true);
    }
  }
}
