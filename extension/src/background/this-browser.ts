// Which browser this is, in the installer's words (`npx mxlens install --browser <id>`), so a
// fix names the right one. Chromium-family browsers identify the extension by its ID in the
// host manifest; Firefox by the add-on ID, which the installer knows already.

import type { BrowserFamily, BrowserId } from '../../../native-host/shared/browsers.js';

export interface ThisBrowser {
  id: BrowserId;
  family: BrowserFamily;
}

export interface BrowserClues {
  /** runtime.getURL(''): "chrome-extension://…/" or "moz-extension://…/". */
  extensionUrl: string;
  /** navigator.userAgentData.brands (Chromium only). */
  brands?: readonly string[];
  userAgent?: string;
}

export function detectBrowser(clues: BrowserClues): ThisBrowser {
  if (clues.extensionUrl.startsWith('moz-extension:') || /\bFirefox\//.test(clues.userAgent ?? '')) {
    return { id: 'firefox', family: 'firefox' };
  }
  const brands = clues.brands ?? [];
  const has = (name: string) => brands.some((brand) => brand.toLowerCase() === name.toLowerCase());
  const ua = clues.userAgent ?? '';
  if (has('Microsoft Edge') || /\bEdg\//.test(ua)) return { id: 'edge', family: 'chromium' };
  if (has('Brave')) return { id: 'brave', family: 'chromium' };
  if (/\bVivaldi\//.test(ua)) return { id: 'vivaldi', family: 'chromium' };
  if (has('Google Chrome')) return { id: 'chrome', family: 'chromium' };
  if (has('Chromium') || has('HeadlessChrome')) return { id: 'chromium', family: 'chromium' };
  // No brands (older Chromium, or hidden): Chrome is the likeliest.
  return { id: 'chrome', family: 'chromium' };
}

/** The clues a service worker or background page can see. */
export function browserCluesHere(extensionUrl: string): BrowserClues {
  const nav = (
    globalThis as { navigator?: { userAgent?: string; userAgentData?: { brands?: Array<{ brand: string }> } } }
  ).navigator;
  return {
    extensionUrl,
    brands: nav?.userAgentData?.brands?.map((entry) => entry.brand),
    userAgent: nav?.userAgent,
  };
}
