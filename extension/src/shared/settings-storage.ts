// The one way the background, the pages and the content script read the settings: storage.local
// "settings", completed by completeSettings (missing or mistyped fields take the defaults).

import { completeSettings, SETTINGS_KEY, type ExtensionSettings } from './settings.js';

/** The part of a storage area this needs (browser.storage.local, or a test's). */
export interface SettingsArea {
  get(key: string): Promise<Record<string, unknown>>;
}

export type StorageChanges = Record<string, { oldValue?: unknown; newValue?: unknown }>;

export async function readSettings(local: SettingsArea): Promise<ExtensionSettings> {
  const stored = await local.get(SETTINGS_KEY);
  return completeSettings(stored[SETTINGS_KEY]);
}

/** From a storage.onChanged event: the new settings, or null when the settings did not change. */
export function changedSettings(changes: StorageChanges, areaName: string): ExtensionSettings | null {
  const change = changes[SETTINGS_KEY];
  return areaName === 'local' && change ? completeSettings(change.newValue) : null;
}
