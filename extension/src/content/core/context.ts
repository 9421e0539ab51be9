// The shared core one page session runs on: the address book, the checks port, the card, the
// badges and their auto-check policy. Features (features/*.ts) find addresses and ask this
// core to place badges; they never talk to each other.

import type { PortEvent } from '../../shared/messages.js';
import type { ExtensionSettings } from '../../shared/settings.js';
import type { HostProblemCode, HostStatus } from '../../shared/status.js';
import { Badge, badgeOf, type BadgeHandlers } from '../badge/badge-element.js';
import { Card } from '../badge/card.js';
import { TabStops } from '../badge/tab-stops.js';
import { PageObserver } from '../features/observe.js';
import { scanLinks } from '../features/scan-links.js';
import { scanText } from '../features/scan-text.js';
import { autoDepth, isShownToUser, Visibility } from '../features/visibility.js';
import { FieldWatcher } from '../features/watch-fields.js';
import { AddressBook } from './address-book.js';
import { ChecksClient, type ChecksPort } from '../../shared/checks-client.js';
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
  /** Can the user see this element (default isShownToUser; a DOM without layout passes its own). */
  isShown?: (element: Element) => boolean;
}

/**
 * Problems only the user can fix by setting MX Lens up: until then pages show no badges (a
 * wall of "?" on every site would only say "broken"); the toolbar, popup and welcome page say
 * what to do.
 */
const SETUP_PROBLEMS: ReadonlySet<HostProblemCode> = new Set(['host_not_installed', 'host_forbidden', 'host_outdated', 'extension_outdated']);

export function needsSetup(status: HostStatus): boolean {
  return status.state === 'failed' && SETUP_PROBLEMS.has(status.problem.code);
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
  readonly tabStops = new TabStops();
  private readonly badges = new Set<Badge>();
  private readonly unsubscribe = new Map<Badge, () => void>();
  private readonly shadowRoots = new WeakSet<ShadowRoot>();
  private hoverTimer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  private stopped = false;
  private setupNeeded = false;

  constructor(options: ContextOptions) {
    this.settings = options.settings;
    this.doc = options.doc ?? document;
    const isShown = options.isShown ?? isShownToUser;
    this.client = new ChecksClient({
      connect: options.connect,
      onEvent: (event) => this.onEvent(event),
      ...(options.scheduleChecks ? { schedule: options.scheduleChecks } : {}),
    });
    this.book = new AddressBook((address, depth, force, trigger) => this.client.check(address, depth, force, trigger));
    this.card = new Card(
      this.book,
      // The card's buttons answer trusted clicks only: the user's.
      { check: (address, force) => this.book.check(address, 'smtp', 'user', force), copy: options.copy ?? copyText },
      this.doc,
    );
    this.visibility = new Visibility(this.book, () => this.settings, options.IntersectionObserver, isShown);
    this.fields = new FieldWatcher(this, this.doc, isShown);
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

  /** MX Lens is not set up (no host): no badges until it is. */
  get dormant(): boolean {
    return this.setupNeeded;
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
    this.tabStops.clear();
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
    if (this.setupNeeded) return null;
    for (let node = anchor.nextSibling; node && isOurs(node); node = node.nextSibling) {
      if (badgeOf(node)?.address === address) return null;
    }
    const parent = anchor.parentNode;
    if (!parent) return null;
    const badge = this.createBadge(address);
    parent.insertBefore(badge.host, anchor.nextSibling);
    this.placed(badge);
    return badge;
  }

  /** A badge just went into the page: it joins the Tab stops and waits to be on screen. */
  placed(badge: Badge): void {
    this.tabStops.add(badge);
    this.visibility.watch(badge);
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
    this.tabStops.remove(badge);
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

  /** A form field the user used holds an address: check it as deep as the auto mode says (manual: not). */
  fieldCheck(address: string): void {
    const depth = autoDepth(this.settings.autoMode);
    if (depth !== null) this.book.check(address, depth, 'auto');
  }

  private onEvent(event: PortEvent): void {
    const status = event.kind === 'status' || event.kind === 'failed' ? event.status : null;
    if (status && needsSetup(status)) {
      this.book.apply(event);
      this.enterSetupNeeded();
      return;
    }
    this.book.apply(event);
    if (event.kind === 'status' && event.status.state === 'connected' && this.setupNeeded) this.leaveSetupNeeded();
  }

  private enterSetupNeeded(): void {
    if (this.setupNeeded) return;
    this.setupNeeded = true;
    this.card.hide();
    this.tabStops.clear();
    this.fields.dropBadges();
    for (const badge of [...this.badges]) this.dropBadge(badge);
  }

  /** The host answers now: the addresses get their badges (and checks) after all. */
  private leaveSetupNeeded(): void {
    this.setupNeeded = false;
    this.book.forgetFailures();
    if (this.started) this.scan(this.doc.body ?? this.doc.documentElement);
    this.observer.discardOwnChanges();
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
      // Never asked yet (manual mode, over the tab's budget): the user's click is the request.
      // After a failure the card explains it first; its button asks again.
      if (entry.state === 'unchecked') this.book.check(badge.address, 'smtp', 'user');
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
    move: (badge, to) => {
      this.tabStops.move(badge, to);
    },
    focus: (badge) => {
      this.tabStops.focused(badge);
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
      refocus: () => badge.focus(),
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
