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

/** Whether any of the element's box is inside the viewport now (a layout read). */
export function inViewport(element: Element): boolean {
  const view = element.ownerDocument.defaultView;
  if (!view) return false;
  const rect = element.getBoundingClientRect();
  if (rect.width === 0 && rect.height === 0) return false;
  return rect.bottom > 0 && rect.right > 0 && rect.top < view.innerHeight && rect.left < view.innerWidth;
}
