// One Tab stop for all the badges of a page (a roving tabindex): Tab reaches one badge, the
// arrow keys, Home and End move to the next, previous, first and last badge in the document.
// Thirty addresses on a page cost a keyboard user one Tab press, not thirty. The stop is the
// oldest badge still in the page (scans go in document order) until the user focuses another;
// then it stays where the user left it.

import { badgeOf, type Badge } from './badge-element.js';

export type Move = 'next' | 'previous' | 'first' | 'last';

export class TabStops {
  /** In the order they were added. */
  private readonly badges = new Set<Badge>();
  private stop: Badge | null = null;
  private choosing = false;

  /** A badge now in the page. */
  add(badge: Badge): void {
    this.badges.add(badge);
    if (this.stop === null) this.setStop(badge);
    else badge.setTabStop(false);
  }

  remove(badge: Badge): void {
    if (!this.badges.delete(badge) || this.stop !== badge) return;
    this.stop = null;
    // Pages remove badges by the hundred (a list re-rendered): choose the new stop once, after.
    if (this.choosing) return;
    this.choosing = true;
    queueMicrotask(() => {
      this.choosing = false;
      if (this.stop !== null) return;
      for (const each of this.badges) {
        if (each.host.isConnected) {
          this.setStop(each);
          return;
        }
      }
    });
  }

  /** Forgets every badge (all of them are going). */
  clear(): void {
    this.badges.clear();
    this.stop = null;
  }

  /** The user focused this badge: it becomes the stop. */
  focused(badge: Badge): void {
    if (this.badges.has(badge)) this.setStop(badge);
  }

  /** Moves keyboard focus from `from` (within its document or shadow root); the badge focused, or null. */
  move(from: Badge, to: Move): Badge | null {
    const root = from.host.getRootNode();
    const doc = from.host.ownerDocument;
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT, {
      acceptNode: (node) =>
        this.badges.has(badgeOf(node) as Badge) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP,
    });
    let found: Node | null = null;
    if (to === 'first') found = walker.nextNode();
    else if (to === 'last') {
      for (let node = walker.nextNode(); node; node = walker.nextNode()) found = node;
    } else {
      walker.currentNode = from.host;
      found = to === 'next' ? walker.nextNode() : walker.previousNode();
    }
    const target = badgeOf(found);
    if (!target || target === from) return null;
    this.setStop(target);
    target.focus();
    return target;
  }

  get current(): Badge | null {
    return this.stop;
  }

  private setStop(badge: Badge): void {
    if (this.stop && this.stop !== badge) this.stop.setTabStop(false);
    this.stop = badge;
    badge.setTabStop(true);
  }
}
