// One IntersectionObserver for the badges waiting to be on screen (their addresses are checked
// then). Without an IntersectionObserver (a DOM without layout) everything counts as on screen.

type ObserverConstructor = typeof IntersectionObserver;
type OnScreenHandler = (element: Element) => void;

export class OnScreen {
  private readonly observer: IntersectionObserver | null;
  private readonly waiting = new Map<Element, OnScreenHandler>();

  constructor(Observer: ObserverConstructor | null | undefined) {
    this.observer = Observer ? new Observer((entries) => this.seen(entries)) : null;
  }

  /** Whether elements wait for the screen (false: `when` runs handlers at once). */
  get lazy(): boolean {
    return this.observer !== null;
  }

  /**
   * Runs `handler` whenever `element` comes on screen until forget(element) (without an
   * observer: once, now); replaces the element's earlier handler.
   */
  when(element: Element, handler: OnScreenHandler): void {
    if (!this.observer) {
      handler(element);
      return;
    }
    if (!this.waiting.has(element)) this.observer.observe(element);
    this.waiting.set(element, handler);
  }

  forget(element: Element): void {
    if (this.waiting.delete(element)) this.observer?.unobserve(element);
  }

  disconnect(): void {
    this.observer?.disconnect();
    this.waiting.clear();
  }

  private seen(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      // The handler calls forget() once it needs the screen no more.
      this.waiting.get(entry.target)?.(entry.target);
    }
  }
}

export interface Viewport {
  width: number;
  height: number;
}

/** The viewport's size (read once for a batch of elements: each read is a call into the browser). */
export function viewportOf(doc: Document): Viewport {
  const view = doc.defaultView;
  return view ? { width: view.innerWidth, height: view.innerHeight } : { width: 0, height: 0 };
}

/** Whether any of the element's box is inside the viewport now (a layout read). */
export function inViewport(element: Element, viewport: Viewport = viewportOf(element.ownerDocument)): boolean {
  const { top, bottom, left, right } = element.getBoundingClientRect();
  if (top === bottom && left === right) return false;
  return bottom > 0 && right > 0 && top < viewport.height && left < viewport.width;
}
