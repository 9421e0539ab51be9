// Reading and writing the settings in storage.local for the pages. What is stored is completed
// by shared/settings.ts (missing or mistyped fields take the defaults), as the background does.

import browser from 'webextension-polyfill';
import { completeSettings, SETTINGS_KEY, type ExtensionSettings } from '../shared/settings.js';

export { SETTINGS_KEY };

export async function loadSettings(): Promise<ExtensionSettings> {
  const stored = await browser.storage.local.get(SETTINGS_KEY);
  return completeSettings(stored[SETTINGS_KEY]);
}

export async function saveSettings(settings: ExtensionSettings): Promise<void> {
  await browser.storage.local.set({ [SETTINGS_KEY]: settings });
}
