// Reading and writing the settings in storage.local for the pages (read as everywhere else:
// shared/settings-storage.ts).

import browser from 'webextension-polyfill';
import { SETTINGS_KEY, type ExtensionSettings } from '../shared/settings.js';
import { readSettings } from '../shared/settings-storage.js';

export async function loadSettings(): Promise<ExtensionSettings> {
  return readSettings(browser.storage.local);
}

export async function saveSettings(settings: ExtensionSettings): Promise<void> {
  await browser.storage.local.set({ [SETTINGS_KEY]: settings });
}
