// An address is checked automatically only once one of its badges is on screen, next to text
// the user can see. autoMode: 'full' checks the mailbox (SMTP), 'dns' only the domain (the
// card's button checks the mailbox), 'manual' nothing (a click checks). How many addresses a
// tab may check automatically is the background's to decide (one budget per tab, all frames).

import type { CheckDepth } from '../../shared/messages.js';
import type { AutoMode, ExtensionSettings } from '../../shared/settings.js';
import type { Badge } from '../badge/badge-element.js';
import type { AddressBook } from './address-book.js';
import { inViewport, type OnScreen } from './on-screen.js';

export function autoDepth(mode: AutoMode): CheckDepth | null {
  if (mode === 'full') return 'smtp';
  if (mode === 'dns') return 'dns';
  return null;
}

/** Smaller than this (CSS pixels, either side) is not something a user reads. */
const MIN_SIDE_PX = 2;

/**
 * Can the user see this element: a box of some size, not transparent, not hidden by
 * visibility (the browser's checkVisibility where it exists)?
 */
export function isShownToUser(element: Element): boolean {
  const rect = element.getBoundingClientRect();
  if (rect.width < MIN_SIDE_PX || rect.height < MIN_SIDE_PX) return false;
  const check = (element as Element & { checkVisibility?: (options: object) => boolean }).checkVisibility;
  if (typeof check !== 'function') return true;
  return check.call(element, { opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true });
}

export class Visibility {
  private readonly watched = new Map<Element, Badge>();
  /** Addresses this frame asked for automatically. */
  private readonly asked = new Set<string>();

  constructor(
    private readonly book: AddressBook,
    private readonly settings: () => ExtensionSettings,
    private readonly screen: OnScreen,
    /** isShownToUser; a DOM without layout (happy-dom in tests) passes its own. */
    private readonly isShown: (element: Element) => boolean = isShownToUser,
  ) {}

  /** Starts watching a new badge; without IntersectionObserver it counts as on screen. */
  watch(badge: Badge): void {
    if (this.book.get(badge.address).requested !== null || this.watched.has(badge.host)) return;
    if (autoDepth(this.settings().autoMode) === null) return;
    if (this.screen.lazy) this.watched.set(badge.host, badge);
    this.screen.when(badge.host, () => this.onScreen(badge));
  }

  /**
   * Badges just made for text that came on screen: those inside the viewport count as seen
   * now, without waiting a frame for the observer to say so.
   */
  settle(badges: Iterable<Badge>): void {
    for (const badge of badges) {
      if (this.watched.has(badge.host) && inViewport(badge.host)) this.onScreen(badge);
    }
  }

  unwatch(badge: Badge): void {
    if (!this.watched.delete(badge.host)) return;
    this.screen.forget(badge.host);
  }

  /** The settings changed (say manual → full): watch the badges not checked yet. */
  refresh(badges: Iterable<Badge>): void {
    for (const badge of badges) this.watch(badge);
  }

  disconnect(): void {
    for (const host of this.watched.keys()) this.screen.forget(host);
    this.watched.clear();
  }

  /** A badge is on screen: check its address if the mode allows and its text can be seen. */
  onScreen(badge: Badge): void {
    const depth = autoDepth(this.settings().autoMode);
    if (depth === null) return;
    const entry = this.book.get(badge.address);
    if (entry.requested !== null || entry.local) return;
    if (!this.asked.has(badge.address) && this.asked.size >= this.settings().perPageLimit) {
      this.unwatch(badge);
      return; // stays "unchecked": a click checks it
    }
    // Transparent or invisible text: keep watching, it may be shown later.
    const parent = badge.host.parentNode;
    const text = parent instanceof Element ? parent : parent instanceof ShadowRoot ? parent.host : null;
    if (!text || !this.isShown(text)) return;
    this.unwatch(badge);
    this.asked.add(badge.address);
    this.book.check(badge.address, depth, 'auto');
    // The address's other badges need not be watched any more.
    for (const other of [...this.watched.values()]) {
      if (other.address === badge.address) this.unwatch(other);
    }
  }
}
