// Shared by the content-*.test.ts files (happy-dom): fixture pages, a fake checks port, a
// content context wired to them, and results as the host would send them.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { badgeOf, type Badge } from '../../extension/src/content/badge/badge-element.js';
import type { ChecksPort } from '../../extension/src/shared/checks-client.js';
import { ContentContext, type ContextOptions } from '../../extension/src/content/core/context.js';
import { CONTENT_FEATURES } from '../../extension/src/content/features/index.js';
import { setMessageSource } from '../../extension/src/content/core/i18n.js';
import type { PortEvent, PortRequest } from '../../extension/src/shared/messages.js';
import { DEFAULT_SETTINGS, type ExtensionSettings } from '../../extension/src/shared/settings.js';
import { FakePort as SharedFakePort } from '../harness/fake-browser.js';
import { browserGetMessage } from './locale-messages.js';

export { makeResult } from '../harness/results.js';

// The content script's words come from browser.i18n (index.ts); here from the real English locale.
setMessageSource(browserGetMessage('en'));

// Closed shadow roots are closed to tests too; recording them as they are made lets a test look
// inside without the product code exposing anything.
const shadowRoots = new WeakMap<Element, ShadowRoot>();
if (typeof Element !== 'undefined') {
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function recordShadow(this: Element, init: ShadowRootInit): ShadowRoot {
    const root = attachShadow.call(this, init);
    shadowRoots.set(this, root);
    return root;
  };
}

// happy-dom has no Event.isTrusted. Here an event counts as the browser's own (the user's
// click, key or focus) unless a test made it the way a page script would, with pageEvent().
// The real distinction is tested in Chromium (test/e2e/hostile-page.test.ts).
const madeByPage = new WeakSet<Event>();
if (typeof Event !== 'undefined' && !('isTrusted' in Event.prototype)) {
  Object.defineProperty(Event.prototype, 'isTrusted', {
    configurable: true,
    get(this: Event): boolean {
      return !madeByPage.has(this);
    },
  });
}

/** An event as a page script makes it: untrusted. */
export function pageEvent<E extends Event>(event: E): E {
  madeByPage.add(event);
  return event;
}

/**
 * happy-dom has no layout: "shown" here is what the hidden attribute and inline styles say
 * (display, visibility, opacity on the element and its ancestors; happy-dom's getComputedStyle
 * is too slow for pages of hundreds of badges). Chromium tests the real measure.
 */
export function shownByStyle(element: Element): boolean {
  for (
    let node: Element | null = element;
    node;
    node = node.parentElement ?? (node.parentNode as ShadowRoot | null)?.host ?? null
  ) {
    if ((node as HTMLElement).hidden) return false;
    const style = (node as HTMLElement).style;
    if (style && (style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0')) return false;
  }
  return true;
}

/** The shadow root of one of our elements (closed to the page). */
export function shadowOf(element: Element): ShadowRoot {
  const root = shadowRoots.get(element);
  if (!root) throw new Error(`<${element.tagName.toLowerCase()}> has no shadow root`);
  return root;
}

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/pages');

function fixtureHtml(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

/**
 * Puts a fixture page into the test document. Scripts never run on insertion in happy-dom;
 * with `runScripts` each inline script is run once, in order, as the browser would.
 */
export function loadFixture(name: string, options: { runScripts?: boolean } = {}): void {
  const parsed = new DOMParser().parseFromString(fixtureHtml(name), 'text/html');
  document.title = parsed.title;
  document.head.replaceChildren(...Array.from(parsed.head.childNodes).map((node) => document.importNode(node, true)));
  document.body.replaceChildren(...Array.from(parsed.body.childNodes).map((node) => document.importNode(node, true)));
  if (!options.runScripts) return;
  for (const script of Array.from(document.querySelectorAll('script'))) {
    new Function(script.textContent ?? '')();
  }
}

/** The content script's port to the background: the shared fake port, in the checks' words. */
export class FakePort extends SharedFakePort<PortRequest> implements ChecksPort {
  constructor() {
    super('checks');
  }

  /** The background sends an event. */
  emit(event: PortEvent): void {
    this.receive(event);
  }

  /** Closed, by the content script or by the background going away. */
  get disconnected(): boolean {
    return this.closed;
  }

  /** Every address asked for, in order. */
  get addresses(): string[] {
    return this.sent.flatMap((request) => request.addresses);
  }
}

export interface TestContext {
  context: ContentContext;
  ports: FakePort[];
  /** The port opened last. */
  port: () => FakePort;
  /** Sends the queued check requests now (what the next animation frame does). */
  flushChecks: () => void;
}

export function makeContext(
  settings: Partial<ExtensionSettings> = {},
  options: Partial<ContextOptions> = {},
): TestContext {
  const ports: FakePort[] = [];
  let pendingFlush: (() => void) | null = null;
  const context = new ContentContext({
    settings: { ...DEFAULT_SETTINGS, ...settings },
    connect: () => {
      const port = new FakePort();
      ports.push(port);
      return port;
    },
    features: CONTENT_FEATURES,
    IntersectionObserver: null,
    sliceMs: Infinity, // the whole page in one go: a test looks at it right after
    isShown: shownByStyle,
    scheduleChecks: (flush) => {
      pendingFlush = flush;
    },
    ...options,
  });
  return {
    context,
    ports,
    port: () => {
      const last = ports[ports.length - 1];
      if (!last) throw new Error('no port was opened');
      return last;
    },
    flushChecks: () => {
      const flush = pendingFlush;
      pendingFlush = null;
      flush?.();
    },
  };
}

/** What a badge shows, read inside its closed shadow root (as assistive technology does). */
export function badgeState(badge: Badge): {
  address: string | null;
  verdict: string | null;
  label: string | null;
  tabindex: string | null;
  role: string | null;
} {
  const mark = shadowOf(badge.host).querySelector('[data-verdict]');
  return {
    address: mark?.getAttribute('data-address') ?? null,
    verdict: mark?.getAttribute('data-verdict') ?? null,
    label: mark?.getAttribute('aria-label') ?? null,
    tabindex: mark?.getAttribute('tabindex') ?? null,
    role: mark?.getAttribute('role') ?? null,
  };
}

/** Every badge in the document (light DOM and open shadow roots), in document order. */
export function allBadges(root: Document | ShadowRoot | Element = document): Badge[] {
  const found: Badge[] = [];
  const visit = (node: ParentNode): void => {
    for (const element of Array.from(node.querySelectorAll('*'))) {
      const badge = badgeOf(element);
      if (badge) found.push(badge);
      if (element.shadowRoot) visit(element.shadowRoot);
    }
  };
  visit(root);
  return found;
}

export function badgeAddresses(root: Document | ShadowRoot | Element = document): string[] {
  return allBadges(root).map((badge) => badge.address);
}

/** Text of the element and the badge right after it, as "address:verdict". */
export function badgeAfter(node: Node | null): Badge | undefined {
  return badgeOf(node?.nextSibling ?? null);
}
