// The content script's features, in the order they scan a subtree.

import type { FeatureFactory } from '../core/feature.js';
import { scanLinks } from './scan-links.js';
import { scanTextJob } from './scan-text.js';
import { FieldWatcher } from './watch-fields.js';

export const CONTENT_FEATURES: readonly FeatureFactory[] = [
  (core) => ({ scan: (root) => scanTextJob(root, core) }),
  (core) => ({ scan: (root) => scanLinks(root, core) }),
  (core) => new FieldWatcher(core, core.doc, core.isShown),
];
