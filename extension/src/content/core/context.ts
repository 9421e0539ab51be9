// The shared core one page session runs on: the address book, the checks port, the card, the
// badges and their auto-check policy, the page observer, and when work runs (in slices, and
// badges only once their text is on screen). Features (features/*.ts, handed in by app.ts)
// find addresses and ask this core to place badges; they never talk to each other, and the
// core imports none of them.

import type { PageAddress, PortEvent } from '../../shared/messages.js';
import type { ExtensionSettings } from '../../shared/settings.js';
import type { HostProblemCode, HostStatus } from '../../shared/status.js';
import { Badge, badgeOf, type BadgeHandlers } from '../badge/badge-element.js';
import { Card } from '../badge/card.js';
import { TabStops } from '../badge/tab-stops.js';
import { AddressBook } from './address-book.js';
import { ChecksClient, type ChecksPort } from '../../shared/checks-client.js';
import { isOurs } from './dom.js';
import type { Feature, FeatureFactory } from './feature.js';
import { OnScreen } from './on-screen.js';
import { PageObserver } from './page-observer.js';
import { Slices } from './slices.js';
import { type OnScreenTest, type Placer, Unseen } from './unseen.js';
import { autoDepth, isShownToUser, Visibility } from './visibility.js';

export interface ContextOptions {
  settings: ExtensionSettings;
  connect: () => ChecksPort;
  /** What finds addresses (features/index.ts); none: the page is never scanned. */
  features?: readonly FeatureFactory[];
  /** Longest slice of scanning before the page gets the main thread back (Infinity: never yield). */
  sliceMs?: number;
  copy?: (text: string) => Promise<boolean>;
  doc?: Document;
  /** null: no IntersectionObserver (all text counts as on screen: every badge is made at once). */
  IntersectionObserver?: typeof IntersectionObserver | null;
  /** When queued check requests are sent (default: right after the current task). */
  scheduleChecks?: (flush: () => void) => void;
  /** Observer batching, for tests. */
  observerDelayMs?: number;
  /** Is this element inside the viewport (default: its box is; a DOM without layout passes its own). */
  isOnScreen?: OnScreenTest;
  /** Can the user see this element (default isShownToUser; a DOM without layout passes its own). */
  isShown?: (element: Element) => boolean;
}

/**
 * Problems only the user can fix by setting MX Lens up: until then pages show no badges (a
 * wall of "?" on every site would only say "broken"); the toolbar, popup and welcome page say
 * what to do.
 */
const SETUP_PROBLEMS: ReadonlySet<HostProblemCode> = new Set([
  'host_not_installed',
  'host_forbidden',
  'host_outdated',
  'extension_outdated',
]);

function needsSetup(status: HostStatus): boolean {
  return status.state === 'failed' && SETUP_PROBLEMS.has(status.problem.code);
}

/** Delay before a hovered badge opens its card. */
const HOVER_OPEN_MS = 250;

export class ContentContext {
  settings: ExtensionSettings;
  readonly doc: Document;
  readonly isShown: (element: Element) => boolean;
  readonly book: AddressBook;
  readonly client: ChecksClient;
  readonly card: Card;
  readonly visibility: Visibility;
  readonly observer: PageObserver;
  readonly tabStops = new TabStops();
  private readonly screen: OnScreen;
  private readonly slices: Slices;
  /** Null without layout (no IntersectionObserver): every badge is placed at once. */
  private readonly unseen: Unseen | null;
  private readonly features: Feature[];
  private readonly badges = new Set<Badge>();
  private readonly unsubscribe = new Map<Badge, () => void>();
  private readonly shadowRoots = new WeakSet<ShadowRoot>();
  /** Badges made for text that came on screen, not looked at yet (checked at once if in the viewport). */
  private readonly madeOnScreen: Badge[] = [];
  private collecting: Badge[] | null = null;
  private hoverTimer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  private stopped = false;
  private setupNeeded = false;

  constructor(options: ContextOptions) {
    this.settings = options.settings;
    this.doc = options.doc ?? document;
    this.isShown = options.isShown ?? isShownToUser;
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
    const Observer =
      options.IntersectionObserver === undefined ? globalThis.IntersectionObserver : options.IntersectionObserver;
    this.screen = new OnScreen(Observer);
    this.visibility = new Visibility(this.book, () => this.settings, this.screen, this.isShown);
    this.observer = new PageObserver(
      {
        scan: (root) => this.scan(root),
        prune: () => this.prune(),
        afterBatch: () => {
          this.unseen?.sweepSoon();
          this.eachFeature((feature) => feature.pageChanged?.());
        },
      },
      { doc: this.doc, ...(options.observerDelayMs !== undefined ? { delayMs: options.observerDelayMs } : {}) },
    );
    this.slices = new Slices({
      ...(options.sliceMs !== undefined ? { sliceMs: options.sliceMs } : {}),
      afterSlice: () => {
        this.unseen?.lookAtFresh();
        this.observer.discardOwnChanges();
      },
    });
    this.unseen = Observer
      ? new Unseen(this.doc, this.slices, Observer, {
          ...(options.isOnScreen ? { isOnScreen: options.isOnScreen } : {}),
          beforePlacing: () => (this.collecting = this.madeOnScreen),
          afterPlacing: (measuredNow) => this.afterPlacing(measuredNow),
        })
      : null;
    this.features = (options.features ?? []).map((make) => make(this));
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
    this.eachFeature((feature) => feature.start?.());
  }

  /** Everything off: badges removed, port closed, listeners gone. */
  stop(): void {
    this.stopped = true;
    this.started = false;
    this.slices.stop();
    this.observer.stop();
    this.eachFeature((feature) => feature.stop?.());
    this.screen.disconnect();
    this.unseen?.stop();
    this.card.hide();
    this.tabStops.clear();
    for (const badge of [...this.badges]) this.dropBadge(badge);
    this.client.close();
    if (this.hoverTimer !== null) clearTimeout(this.hoverTimer);
  }

  /** Finds addresses under `root` (each feature its way), then in the open shadow roots inside. */
  scan(root: Node): void {
    if (this.stopped) return;
    for (const feature of this.features) {
      const job = feature.scan?.(root);
      if (job) this.slices.add(job);
    }
  }

  /** An open shadow root a feature met: it is followed and scanned like the page. */
  foundShadowRoot(shadow: ShadowRoot): void {
    if (this.shadowRoots.has(shadow)) return;
    this.shadowRoots.add(shadow);
    this.observer.observe(shadow);
    this.scan(shadow);
  }

  /** `placer` places the element's badges once it is on screen (core/unseen.ts). */
  placeWhenSeen(element: Element, placer: Placer): void {
    if (this.setupNeeded) return;
    if (this.unseen) this.unseen.add(element, placer);
    else placer.place(element);
  }

  /** The addresses on the page: those with badges and those waiting to be on screen. */
  async listAddresses(): Promise<PageAddress[]> {
    const waiting = new Set<string>();
    const unseen = this.unseen;
    if (unseen && !this.stopped)
      await new Promise<void>((resolve) => this.slices.add(unseen.addresses(waiting), resolve));
    return this.book.list(waiting);
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
    this.collecting?.push(badge);
    this.book.badgeAdded(address);
    const entry = this.book.get(address);
    badge.render(entry.state, entry.result);
    this.unsubscribe.set(
      badge,
      this.book.subscribe(address, (changed) => badge.render(changed.state, changed.result)),
    );
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
    this.eachFeature((feature) => feature.dormant?.());
    this.unseen?.clear();
    for (const badge of [...this.badges]) this.dropBadge(badge);
  }

  /** The host answers now: the addresses get their badges (and checks) after all. */
  private leaveSetupNeeded(): void {
    this.setupNeeded = false;
    this.book.forgetFailures();
    if (this.started) this.scan(this.doc.body ?? this.doc.documentElement);
    this.observer.discardOwnChanges();
  }

  /** Drops badges the page removed (React re-rendering a list, a closed dialog), and what waited for removed text. */
  private prune(): void {
    for (const badge of this.badges) {
      if (!badge.host.isConnected && !this.features.some((feature) => feature.owns?.(badge))) this.dropBadge(badge);
    }
    this.unseen?.prune();
  }

  /**
   * Badges were placed for text on screen: our writes are no page change. On a small page the
   * badges in the viewport count as seen now; elsewhere the observer says so after the next
   * layout (measuring them here would force a layout of the whole page inside our task).
   */
  private afterPlacing(measuredNow: boolean): void {
    this.collecting = null;
    this.observer.discardOwnChanges();
    const made = this.madeOnScreen.splice(0);
    if (measuredNow) this.visibility.settle(made);
  }

  private eachFeature(work: (feature: Feature) => void): void {
    for (const feature of this.features) work(feature);
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
async function copyText(text: string): Promise<boolean> {
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
