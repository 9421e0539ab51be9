// The user's settings, kept in storage.local under "settings". One source of defaults.

export type AutoMode = 'full' | 'dns' | 'manual';

export interface ExtensionSettings {
  /** full: DNS and SMTP for every address on screen; dns: DNS automatically, SMTP on demand; manual: nothing automatic. */
  autoMode: AutoMode;
  /** MAIL FROM for SMTP checks; "" is the null sender <>. */
  sender: string;
  /** EHLO name; "" lets the host use its default. */
  heloName: string;
  /** socks5://[user:pass@]host:port, or "". */
  proxy: string;
  timeoutMs: number;
  catchAll: boolean;
  cacheTtlMinutes: number;
  /** Most addresses checked automatically per tab (all its frames) and top-level site, per hour (background/tab-budget.ts). */
  perPageLimit: number;
  /** Origins ("https://example.com") where MX Lens does nothing. */
  pausedSites: string[];
}

export const DEFAULT_SETTINGS: ExtensionSettings = {
  autoMode: 'full',
  sender: '',
  heloName: '',
  proxy: '',
  timeoutMs: 20_000,
  catchAll: true,
  cacheTtlMinutes: 24 * 60,
  perPageLimit: 200,
  pausedSites: [],
};

/** The storage.local key that holds the settings. */
export const SETTINGS_KEY = 'settings';

const AUTO_MODES: readonly AutoMode[] = ['full', 'dns', 'manual'];

/**
 * Whatever is stored, a complete ExtensionSettings: missing or mistyped fields take the defaults.
 * Pure, so the background (which must not import the pages' code) and the pages share it.
 */
export function completeSettings(stored: unknown): ExtensionSettings {
  const input = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const settings: ExtensionSettings = { ...DEFAULT_SETTINGS, pausedSites: [...DEFAULT_SETTINGS.pausedSites] };
  for (const name of ['sender', 'heloName', 'proxy'] as const) {
    const value = input[name];
    if (typeof value === 'string') settings[name] = value;
  }
  for (const name of ['timeoutMs', 'cacheTtlMinutes', 'perPageLimit'] as const) {
    const value = input[name];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) settings[name] = value;
  }
  if (typeof input.catchAll === 'boolean') settings.catchAll = input.catchAll;
  const mode = AUTO_MODES.find((candidate) => candidate === input.autoMode);
  if (mode) settings.autoMode = mode;
  if (Array.isArray(input.pausedSites)) {
    settings.pausedSites = input.pausedSites.filter((site): site is string => typeof site === 'string');
  }
  return settings;
}
