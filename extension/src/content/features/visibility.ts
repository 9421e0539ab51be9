// An address is checked automatically only once one of its badges is on screen, and at most
// settings.perPageLimit addresses per page. autoMode: 'full' checks the mailbox (SMTP), 'dns'
// only the domain (the card's button checks the mailbox), 'manual' nothing (a click checks).

import type { CheckDepth } from '../../shared/messages.js';
import type { AutoMode, ExtensionSettings } from '../../shared/settings.js';
import type { Badge } from '../badge/badge-element.js';
import type { AddressBook } from '../core/address-book.js';

export function autoDepth(mode: AutoMode): CheckDepth | null {
  if (mode === 'full') return 'smtp';
  if (mode === 'dns') return 'dns';
  return null;
}

type ObserverConstructor = typeof IntersectionObserver;

export class Visibility {
  private readonly observer: IntersectionObserver | null;
  private readonly watched = new Map<Element, Badge>();
  /** Addresses checked automatically on this page (the per-page cap counts these). */
  private readonly autoChecked = new Set<string>();

  constructor(
    private readonly book: AddressBook,
    private readonly settings: () => ExtensionSettings,
    Observer: ObserverConstructor | null | undefined = globalThis.IntersectionObserver,
  ) {
    this.observer = Observer
      ? new Observer((entries) => {
          for (const entry of entries) {
            const badge = this.watched.get(entry.target);
            if (badge && entry.isIntersecting) this.onScreen(badge);
          }
        })
      : null;
  }

  /** Starts watching a new badge; without IntersectionObserver it counts as on screen. */
  watch(badge: Badge): void {
    if (this.book.get(badge.address).requested !== null || this.watched.has(badge.host)) return;
    if (autoDepth(this.settings().autoMode) === null) return;
    if (!this.observer) {
      this.onScreen(badge);
      return;
    }
    this.watched.set(badge.host, badge);
    this.observer.observe(badge.host);
  }

  unwatch(badge: Badge): void {
    if (!this.watched.delete(badge.host)) return;
    this.observer?.unobserve(badge.host);
  }

  /** The settings changed (say manual → full): watch the badges not checked yet. */
  refresh(badges: Iterable<Badge>): void {
    for (const badge of badges) this.watch(badge);
  }

  get autoCheckedCount(): number {
    return this.autoChecked.size;
  }

  disconnect(): void {
    this.observer?.disconnect();
    this.watched.clear();
  }

  /** A badge is on screen: check its address if the mode and the cap allow. */
  onScreen(badge: Badge): void {
    this.unwatch(badge);
    const { autoMode, perPageLimit } = this.settings();
    const depth = autoDepth(autoMode);
    if (depth === null) return;
    const entry = this.book.get(badge.address);
    if (entry.requested !== null || entry.local) return;
    if (!this.autoChecked.has(badge.address)) {
      if (this.autoChecked.size >= perPageLimit) return; // stays "unchecked": a click checks it
      this.autoChecked.add(badge.address);
    }
    this.book.check(badge.address, depth);
    // The address's other badges need not be watched any more.
    for (const other of [...this.watched.values()]) {
      if (other.address === badge.address) this.unwatch(other);
    }
  }
}
