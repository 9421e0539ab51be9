// One MutationObserver for the page and every open shadow root in it. Changes are queued and
// handled in batches (an idle callback or a short timer), at most a fixed number of subtrees
// per batch; nothing is handled while the tab is hidden. Our own writes (badges, split text)
// are dropped from its records, so they never cause another scan.

import { blockOf, isInlineElement, isOurs } from './dom.js';

export interface ObserveHost {
  /** Scans one subtree for addresses (text, links, fields). */
  scan(root: Node): void;
  /** Nodes were removed somewhere: drop the badges no longer in the page. */
  prune(): void;
  /** After each batch (layout may have moved: field badges follow their fields). */
  afterBatch(): void;
}

export interface PageObserverOptions {
  doc?: Document;
  /** Wait after the first change before handling a batch. */
  delayMs?: number;
  /** Most subtrees scanned in one batch; the rest wait for the next. */
  maxRootsPerBatch?: number;
  /** Past this many queued changes, one scan of the whole page is cheaper. */
  maxQueued?: number;
}

const OBSERVED: MutationObserverInit = { childList: true, subtree: true, characterData: true };

export class PageObserver {
  private readonly observer: MutationObserver;
  private readonly doc: Document;
  private readonly delayMs: number;
  private readonly maxRoots: number;
  private readonly maxQueued: number;
  private readonly queue = new Set<Node>();
  private removed = false;
  private scheduled = false;
  private stopped = false;
  private readonly observedRoots = new WeakSet<Node>();

  constructor(
    private readonly host: ObserveHost,
    options: PageObserverOptions = {},
  ) {
    this.doc = options.doc ?? document;
    this.delayMs = options.delayMs ?? 200;
    this.maxRoots = options.maxRootsPerBatch ?? 100;
    this.maxQueued = options.maxQueued ?? 2_000;
    this.observer = new MutationObserver((records) => this.take(records));
    this.doc.addEventListener('visibilitychange', this.onVisibility);
  }

  /** Follows changes under a document or an open shadow root. */
  observe(root: Node): void {
    if (this.stopped || this.observedRoots.has(root)) return;
    this.observedRoots.add(root);
    this.observer.observe(root, OBSERVED);
  }

  stop(): void {
    this.stopped = true;
    this.observer.disconnect();
    this.queue.clear();
    this.doc.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Forgets the records our own writes just caused (call right after writing). */
  discardOwnChanges(): void {
    this.observer.takeRecords();
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Handles one batch now; true when more is queued. */
  runBatch(): boolean {
    this.take(this.observer.takeRecords());
    if (this.removed) {
      this.removed = false;
      this.host.prune();
    }
    const roots: Node[] = [];
    for (const node of this.queue) {
      this.queue.delete(node);
      const root = scanRootOf(node);
      if (root) roots.push(root);
      if (roots.length >= this.maxRoots) break;
    }
    for (const root of outermost(roots)) this.host.scan(root);
    this.discardOwnChanges();
    this.host.afterBatch();
    return this.queue.size > 0;
  }

  private take(records: MutationRecord[]): void {
    if (this.stopped) return;
    for (const record of records) {
      if (isOurs(record.target)) continue;
      if (record.type === 'characterData') {
        this.enqueue(record.target);
        continue;
      }
      for (const node of Array.from(record.addedNodes)) {
        if (!isOurs(node)) this.enqueue(node);
      }
      if (record.removedNodes.length > 0) this.removed = true;
    }
    if (this.removed) this.schedule();
  }

  private enqueue(node: Node): void {
    if (this.queue.size >= this.maxQueued) {
      // A flood (a whole app re-rendered): one scan of everything instead.
      this.queue.clear();
      this.queue.add(this.doc.body ?? this.doc.documentElement);
    } else {
      this.queue.add(node);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped || this.doc.hidden) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      if (this.stopped) return;
      if (this.doc.hidden) return; // visibilitychange resumes
      if (this.runBatch()) this.schedule();
    };
    const view = this.doc.defaultView as (Window & { requestIdleCallback?: Window['requestIdleCallback'] }) | null;
    if (view?.requestIdleCallback) view.requestIdleCallback(run, { timeout: this.delayMs });
    else setTimeout(run, this.delayMs);
  }

  private readonly onVisibility = (): void => {
    if (!this.doc.hidden && (this.queue.size > 0 || this.removed)) this.schedule();
  };
}

/** What to rescan for a changed node: its block when its text joins its neighbours'. */
function scanRootOf(node: Node): Node | null {
  if (!node.isConnected) return null;
  if (node.nodeType === Node.TEXT_NODE) return blockOf(node);
  if (node.nodeType === Node.ELEMENT_NODE) return isInlineElement(node) ? blockOf(node) : node;
  if (node.nodeType === Node.DOCUMENT_FRAGMENT_NODE || node.nodeType === Node.DOCUMENT_NODE) return node;
  return null;
}

/** Drops roots inside other roots of the same batch. */
function outermost(roots: Node[]): Node[] {
  const set = new Set(roots);
  return [...set].filter((root) => {
    for (let parent = root.parentNode; parent; parent = parent.parentNode) {
      if (set.has(parent)) return false;
    }
    return true;
  });
}
