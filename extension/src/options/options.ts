// The options page's entry point (options-app.ts does the work, and is what the tests import).
import { startOptions } from './options-app.js';

void startOptions();
