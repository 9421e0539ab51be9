// The welcome page's entry point (welcome-app.ts does the work, and is what the tests import).
import { startWelcome } from './welcome-app.js';

void startWelcome();
