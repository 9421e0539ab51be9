// The popup's entry point (popup-app.ts does the work, and is what the tests import).
import { startPopup } from './popup-app.js';

void startPopup();
