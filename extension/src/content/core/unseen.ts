// Text whose badges wait until it is on screen. A badge costs the page an element, a closed
// shadow root and layout; a page of 50,000 addresses gets the few dozen it shows.
//
// On a page with a few such elements, what a scan slice noted is measured right after it; more
// get an IntersectionObserver's first look (the browser measures them with its own layout, so
// nothing is forced), but only the first: kept observed, 50,000 blocks would make the browser
// recompute every one on every frame that scrolls or lays out (~200 ms a frame). After the
// page scrolled, was resized or changed, all that still waits is measured again, in slices
// (all the reads first, then the writes: no read forces a layout).

import { inViewport, viewportOf, type Viewport } from './on-screen.js';
import type { Slices } from './slices.js';

/**
 * What places the badges of an element once it is on screen: one object per feature, shared
 * by all the elements it noted (50,000 blocks get no closures of their own).
 */
export interface Placer {
  place(element: Element): void;
  /** The addresses it would place, for the popup's list meanwhile. */
  addresses(element: Element): string[];
}

/** Is the element inside the viewport (its size read once per batch); tests without layout pass their own. */
export type OnScreenTest = (element: Element, viewport: Viewport) => boolean;

/** After scrolling stops (or a burst of resizes), measure once. */
export const SWEEP_DELAY_MS = 100;
/**
 * Most elements the observer looks at in one go: scan slices run back to back between two
 * frames, and it measures all it was given in the next one (~3.5 µs each, and an entry each
 * for our callback). What is noted past that waits for a sweep, which measures for less; the
 * first look is there so that what a page shows first gets its badges before the sweep, and a
 * few hundred blocks is several screens of them.
 */
const FIRST_LOOK_MAX = 250;
/**
 * While at most this many wait, what a scan slice noted is measured right after it, without
 * waiting a frame for the observer (a small page: its layout is cheap, and the first verdict
 * sooner). Not on a big page: after badges went in, the read would lay the whole page out
 * inside our task.
 */
const MEASURE_NOW_MAX = 32;
/** Elements measured between two chances to yield. */
const SWEEP_STEP = 100;

export class Unseen {
  private readonly waiting = new Map<Element, Placer>();
  private readonly firstLook: IntersectionObserver;
  private looking = 0;
  /** Noted in the running scan slice, not looked at yet. */
  private fresh: Element[] = [];
  private sweepTimer: ReturnType<typeof setTimeout> | null = null;
  /** A sweep is queued or under way. */
  private sweepPending = false;
  /** The layout moved while it was: another one follows. */
  private sweepAgain = false;
  private stopped = false;
  private readonly listeners = new AbortController();
  private readonly resizes: ResizeObserver | null = null;

  constructor(
    private readonly doc: Document,
    private readonly slices: Slices,
    Observer: typeof IntersectionObserver,
    private readonly hooks: {
      isOnScreen?: OnScreenTest;
      /** Before badges are placed for elements that came on screen. */
      beforePlacing(): void;
      /**
       * After they were placed (our writes: the caller forgets the mutations they caused).
       * `measuredNow`: this task measured the page already (a small page, its layout is
       * cheap), so measuring the new badges costs little more.
       */
      afterPlacing(measuredNow: boolean): void;
    },
  ) {
    this.firstLook = new Observer((entries, observer) => {
      const shown: Element[] = [];
      for (const entry of entries) {
        observer.unobserve(entry.target);
        this.looking--;
        if (entry.isIntersecting) shown.push(entry.target);
      }
      this.place(shown, false);
    });
    const view = doc.defaultView;
    const options = { capture: true, passive: true, signal: this.listeners.signal };
    view?.addEventListener('scroll', () => this.sweepSoon(), options);
    view?.addEventListener('resize', () => this.sweepSoon(), options);
    // The page's layout changed size (a section expanded): text may have come into view.
    if (view && typeof view.ResizeObserver === 'function') {
      let first = true; // every observation starts with a notification: nothing changed yet
      this.resizes = new view.ResizeObserver(() => {
        if (!first) this.sweepSoon();
        first = false;
      });
      this.resizes.observe(doc.documentElement);
    }
  }

  /** `placer` places the element's badges once it is on screen. */
  add(element: Element, placer: Placer): void {
    if (!this.waiting.has(element)) {
      // A scan slice looks at what it noted when it ends; what is noted elsewhere (the link
      // scanner's one query) is looked at once this task's own code is done.
      if (this.fresh.length === 0) queueMicrotask(() => this.lookAtFresh());
      this.fresh.push(element);
    }
    this.waiting.set(element, placer);
  }

  /** After a scan slice: what it noted is measured now (a few) or in the next frame. */
  lookAtFresh(): void {
    const fresh = this.fresh;
    this.fresh = [];
    if (this.waiting.size <= MEASURE_NOW_MAX) {
      this.placeShown(fresh, true);
      return;
    }
    for (const element of fresh) {
      if (this.looking >= FIRST_LOOK_MAX) {
        this.sweepLater();
        return;
      }
      this.looking++;
      this.firstLook.observe(element);
    }
  }

  /**
   * Measures everything that waits again, soon (the page scrolled or changed). A sweep under
   * way finishes first, then another one follows: starting it over at every change of a busy
   * page could keep it from ever placing a badge.
   */
  sweepSoon(): void {
    this.queueSweep(true);
  }

  /** What was just noted gets measured by a sweep soon: one queued or under way will reach it. */
  private sweepLater(): void {
    this.queueSweep(false);
  }

  private queueSweep(layoutMoved: boolean): void {
    if (this.sweepTimer !== null || this.waiting.size === 0) return;
    if (this.sweepPending) {
      if (layoutMoved) this.sweepAgain = true;
      return;
    }
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.sweepPending = true;
      this.slices.add(this.sweep());
    }, SWEEP_DELAY_MS);
  }

  /** The addresses still waiting (elements the page removed are forgotten). */
  *addresses(into: Set<string>): Generator<void> {
    for (const [element, placer] of this.waiting) {
      if (element.isConnected) for (const address of placer.addresses(element)) into.add(address);
      yield;
    }
  }

  /** Forgets what the page removed. */
  prune(): void {
    for (const element of this.waiting.keys()) if (!element.isConnected) this.waiting.delete(element);
  }

  clear(): void {
    this.waiting.clear();
    this.fresh = [];
    this.firstLook.disconnect();
    this.looking = 0;
  }

  stop(): void {
    this.clear();
    this.listeners.abort();
    this.resizes?.disconnect();
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.stopped = true;
  }

  /**
   * Reads every waiting element's box, then places what is on screen: no write between two
   * reads, so no read forces a layout of the page (40-200 ms on a page of 50,000 paragraphs).
   * What is noted meanwhile is reached too (a Map iterates what was added while it runs).
   */
  private *sweep(): Generator<void> {
    const isShown = this.onScreenTest();
    const shown: Element[] = [];
    let measured = 0;
    try {
      for (const element of this.waiting.keys()) {
        if (this.stopped) return;
        if (isShown(element)) shown.push(element);
        if (++measured % SWEEP_STEP === 0) yield;
      }
      this.place(shown, false);
    } finally {
      this.sweepEnded();
    }
  }

  private sweepEnded(): void {
    this.sweepPending = false;
    if (this.sweepAgain && !this.stopped) {
      this.sweepAgain = false;
      this.sweepSoon();
    }
  }

  /** All the measuring first, then all the writing: one layout, not one per element. */
  private placeShown(elements: Element[], measuredNow: boolean): void {
    const isShown = this.onScreenTest();
    this.place(
      elements.filter((element) => this.waiting.has(element) && isShown(element)),
      measuredNow,
    );
  }

  /** Whether an element is in the page and on screen (the viewport's size read once, for a batch). */
  private onScreenTest(): (element: Element) => boolean {
    const viewport = viewportOf(this.doc);
    const isOnScreen = this.hooks.isOnScreen ?? inViewport;
    return (element) => element.isConnected && isOnScreen(element, viewport);
  }

  private place(shown: Element[], measuredNow: boolean): void {
    if (shown.length === 0) return;
    this.hooks.beforePlacing();
    for (const element of shown) {
      const placer = this.waiting.get(element);
      if (!placer) continue;
      this.waiting.delete(element);
      placer.place(element);
    }
    this.hooks.afterPlacing(measuredNow);
  }
}
