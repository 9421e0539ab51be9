// One page (one frame): the settings, paused or not, and the answers to the popup's and the
// context menu's messages. The browser APIs come in as plain functions (index.ts passes them),
// so tests drive this with fakes.

import type { ContentReplies, ContentRequest } from '../shared/messages.js';
import { completeSettings, DEFAULT_SETTINGS, type ExtensionSettings } from '../shared/settings.js';
import type { ChecksPort } from '../shared/checks-client.js';
import { ContentContext } from './core/context.js';
import { CONTENT_FEATURES } from './features/index.js';

export interface AppOptions {
  loadSettings: () => Promise<Partial<ExtensionSettings> | undefined>;
  connect: () => ChecksPort;
  /** This frame's origin ("https://example.com"), matched against settings.pausedSites. */
  origin: string;
  /** The top frame answers list-addresses for the tab; frames answer nothing there. */
  isTopFrame: boolean;
  doc?: Document;
  copy?: (text: string) => Promise<boolean>;
  IntersectionObserver?: typeof IntersectionObserver | null;
  scheduleChecks?: (flush: () => void) => void;
  observerDelayMs?: number;
  /** Longest scanning slice (tests: Infinity, the whole page at once). */
  sliceMs?: number;
  /** Can the user see an element (tests in a DOM without layout pass their own). */
  isShown?: (element: Element) => boolean;
}

/** How long after a right-click this frame still counts as the one the menu was opened in. */
const MENU_CLAIM_MS = 60_000;

export class ContentApp {
  private settings: ExtensionSettings = DEFAULT_SETTINGS;
  private context: ContentContext | null = null;
  private paused = false;
  private readonly doc: Document;
  private menuAt = -Infinity;
  private menuTarget: Element | null = null;
  private menuRange: Range | null = null;

  constructor(private readonly options: AppOptions) {
    this.doc = options.doc ?? document;
    this.doc.addEventListener('contextmenu', this.onContextMenu, true);
  }

  /** Loads the settings and starts, unless this site is paused. */
  async init(): Promise<void> {
    let stored: Partial<ExtensionSettings> | undefined;
    try {
      stored = await this.options.loadSettings();
    } catch {
      stored = undefined;
    }
    this.settings = completeSettings(stored);
    this.paused = this.settings.pausedSites.includes(this.options.origin);
    if (!this.paused) await this.whenReady(() => this.start());
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The running session (null while paused and no card was asked for). */
  get current(): ContentContext | null {
    return this.context;
  }

  /** storage.local "settings" changed. */
  settingsChanged(stored: Partial<ExtensionSettings> | undefined): void {
    const before = this.settings.pausedSites.includes(this.options.origin);
    this.settings = completeSettings(stored);
    this.context?.settingsChanged(this.settings);
    const after = this.settings.pausedSites.includes(this.options.origin);
    if (before !== after) this.setPaused(after);
  }

  /** A runtime message; undefined when this frame does not answer it. */
  handle(message: unknown): Promise<ContentReplies[keyof ContentReplies]> | undefined {
    if (!isContentRequest(message)) return undefined;
    switch (message.kind) {
      case 'list-addresses':
        if (!this.options.isTopFrame) return undefined;
        return this.context?.listAddresses() ?? Promise.resolve([]);
      case 'set-paused':
        this.setPaused(message.paused);
        return Promise.resolve({ paused: this.paused });
      case 'show-card': {
        const reply = this.showCard(message);
        return reply ? Promise.resolve(reply) : undefined;
      }
      case 'get-selection': {
        // Only the frame the user is in answers, and only with something selected.
        const text = this.doc.hasFocus() ? selectedText(this.doc) : '';
        return text.trim() === '' ? undefined : Promise.resolve({ text });
      }
    }
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) {
      this.context?.stop();
      this.context = null;
    } else {
      void this.whenReady(() => this.start());
    }
  }

  private start(): void {
    if (this.paused) return;
    this.ensureContext().start();
  }

  private ensureContext(): ContentContext {
    if (!this.context) {
      const o = this.options;
      this.context = new ContentContext({
        settings: this.settings,
        connect: o.connect,
        features: CONTENT_FEATURES,
        doc: this.doc,
        ...(o.copy ? { copy: o.copy } : {}),
        ...(o.IntersectionObserver !== undefined ? { IntersectionObserver: o.IntersectionObserver } : {}),
        ...(o.scheduleChecks ? { scheduleChecks: o.scheduleChecks } : {}),
        ...(o.observerDelayMs !== undefined ? { observerDelayMs: o.observerDelayMs } : {}),
        ...(o.sliceMs !== undefined ? { sliceMs: o.sliceMs } : {}),
        ...(o.isShown ? { isShown: o.isShown } : {}),
      });
    }
    return this.context;
  }

  private showCard(message: Extract<ContentRequest, { kind: 'show-card' }>): ContentReplies['show-card'] | null {
    const card = this.context?.card;
    const showingMenuCard = card?.isOpen === true && card.target?.openedBy === 'menu';
    const recentMenu = Date.now() - this.menuAt < MENU_CLAIM_MS;
    // Every frame of the tab gets the message: only the one the menu was opened in answers.
    if (!recentMenu && !showingMenuCard && !this.doc.hasFocus()) return null;
    const context = this.ensureContext();
    const { address, input } = message;
    if (address !== null) {
      if (message.result) context.book.setResult(address, message.result);
      else if (message.problem) context.book.setFailed(address, message.problem);
      else context.book.setPending(address);
    }
    const target = context.card.target;
    const same = target?.openedBy === 'menu' && target.address === address && target.input === input;
    if (!same) {
      const range = this.menuRange;
      const element = this.menuTarget;
      context.card.show({
        address,
        input,
        anchor: () => menuAnchor(range, element, this.doc),
        origin: null,
        openedBy: 'menu',
      });
    }
    return { shown: true };
  }

  private readonly onContextMenu = (event: Event): void => {
    this.menuAt = Date.now();
    const target = event.composedPath()[0];
    this.menuTarget = target instanceof Element ? (target.closest('a') ?? target) : null;
    const selection = this.doc.getSelection();
    this.menuRange =
      selection && selection.rangeCount > 0 && !selection.isCollapsed ? selection.getRangeAt(0).cloneRange() : null;
  };

  private async whenReady(run: () => void): Promise<void> {
    if (this.doc.readyState === 'loading') {
      await new Promise<void>((resolve) =>
        this.doc.addEventListener('DOMContentLoaded', () => resolve(), { once: true }),
      );
    }
    run();
  }
}

/** Near the selection, else the right-clicked element (a link), else the focused element. */
function menuAnchor(range: Range | null, element: Element | null, doc: Document): DOMRect | null {
  const live = doc.getSelection();
  const current = live && live.rangeCount > 0 && !live.isCollapsed ? live.getRangeAt(0) : range;
  for (const rect of [
    current?.getBoundingClientRect(),
    element?.isConnected ? element.getBoundingClientRect() : undefined,
  ]) {
    if (rect && (rect.width > 0 || rect.height > 0)) return rect;
  }
  const active = doc.activeElement;
  if (active && active !== doc.body && active !== doc.documentElement) return active.getBoundingClientRect();
  return null;
}

/** The selected text, in a text field too (the page's selection does not include those). */
function selectedText(doc: Document): string {
  const field = doc.activeElement;
  if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) {
    const { selectionStart, selectionEnd, value } = field;
    if (selectionStart !== null && selectionEnd !== null && selectionEnd > selectionStart)
      return value.slice(selectionStart, selectionEnd);
  }
  return doc.getSelection()?.toString() ?? '';
}

function isContentRequest(value: unknown): value is ContentRequest {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.kind) {
    case 'list-addresses':
    case 'get-selection':
      return true;
    case 'set-paused':
      return typeof message.paused === 'boolean';
    case 'show-card':
      return (message.address === null || typeof message.address === 'string') && typeof message.input === 'string';
    default:
      return false;
  }
}
