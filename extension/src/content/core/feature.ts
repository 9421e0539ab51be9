// What a feature is to the core. Each feature (features/*.ts: the text scanner, the link
// scanner, the form-field watcher) is a small unit that reads alone: it finds addresses its
// way and asks the core (core/context.ts) for badges. The core knows no feature by name;
// app.ts hands it the list (features/index.ts).

import type { Badge } from '../badge/badge-element.js';
import type { ContentContext } from './context.js';

export interface Feature {
  /**
   * Looks under `root` (the page, a changed subtree, an open shadow root). Long work comes
   * back as a job the core runs in slices, yielding to the page between them.
   */
  scan?(root: Node): Iterable<unknown> | void;
  /** The page session starts (after the first scan was queued). */
  start?(): void;
  stop?(): void;
  /** After each batch of page changes (layout may have moved). */
  pageChanged?(): void;
  /** MX Lens is not set up: take away the badges this feature placed. */
  dormant?(): void;
  /** A badge this feature keeps outside the page's text: not dropped when out of the text. */
  owns?(badge: Badge): boolean;
}

export type FeatureFactory = (core: ContentContext) => Feature;
