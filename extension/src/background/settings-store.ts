// The settings as the background sees them: storage.local "settings" over the defaults, kept
// current by storage.onChanged (the options page writes them directly).

import { completeSettings, DEFAULT_SETTINGS, SETTINGS_KEY, type ExtensionSettings } from '../shared/settings.js';
import { changedSettings, readSettings } from '../shared/settings-storage.js';
import type { ApiStorage } from './browser-api.js';

/** "https://example.com/path?x" → "https://example.com"; null for what has no web origin. */
function siteOrigin(text: string): string | null {
  try {
    const origin = new URL(text).origin;
    return origin && origin !== 'null' ? origin : null;
  } catch {
    return null;
  }
}

export class SettingsStore {
  private settings: ExtensionSettings = completeSettings(DEFAULT_SETTINGS);
  /** Resolves once the stored settings were read (the defaults apply until then). */
  readonly ready: Promise<void>;

  constructor(
    private readonly storage: ApiStorage,
    onChange?: (settings: ExtensionSettings) => void,
  ) {
    // Registered at once: in a service worker, listeners must exist before the first await.
    let changedWhileReading = false;
    storage.onChanged.addListener((changes, area) => {
      const changed = changedSettings(changes, area);
      if (!changed) return;
      changedWhileReading = true;
      this.settings = changed;
      onChange?.(changed);
    });
    this.ready = readSettings(storage.local).then(
      (settings) => {
        // A change heard meanwhile is newer than what the read found.
        if (!changedWhileReading) this.settings = settings;
      },
      (error: unknown) => console.warn('MX Lens: could not read the settings; using the defaults:', error),
    );
  }

  get current(): ExtensionSettings {
    return this.settings;
  }

  /** Adds or removes a site from the paused sites; returns whether it is paused now. */
  async setSitePaused(site: string, paused: boolean): Promise<boolean> {
    await this.ready;
    const origin = siteOrigin(site);
    if (!origin) return false;
    const settings = await readSettings(this.storage.local);
    const others = settings.pausedSites.filter((entry) => siteOrigin(entry) !== origin && entry !== origin);
    settings.pausedSites = paused ? [...others, origin] : others;
    await this.storage.local.set({ [SETTINGS_KEY]: settings });
    this.settings = settings;
    return paused;
  }
}
