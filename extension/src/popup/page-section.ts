// The popup's view of the active tab: the addresses its content script found, with their
// verdicts, "verify all", and pausing MX Lens on the site.

import browser from 'webextension-polyfill';
import type { PageAddress } from '../shared/messages.js';
import { byId } from '../ui/dom.js';
import { t } from '../ui/i18n.js';
import { askBackground, askTab } from '../ui/messaging.js';
import { loadSettings } from '../ui/settings-store.js';
import type { ResultList } from './result-list.js';

interface ActiveSite {
  tabId: number;
  origin: string;
}

/** The origin MX Lens works on for this URL, or null (browser pages, files, the store). */
function siteOrigin(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** Settles when the section has loaded (tests wait for it). */
export function startPageSection(page: ResultList, ask: (addresses: readonly string[]) => void): Promise<void> {
  const pageMessage = byId('page-message');
  const verifyAll = byId<HTMLButtonElement>('page-verify-all');
  const pauseButton = byId<HTMLButtonElement>('page-pause');
  const pageExport = byId('page-export');

  let site: ActiveSite | null = null;
  let paused = false;

  function showPaused(): void {
    pauseButton.textContent = paused ? t('popupResumeSite') : t('popupPauseSite');
  }

  async function loadPage(): Promise<void> {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    const origin = siteOrigin(tab?.url);
    if (!tab || tab.id === undefined || origin === null) {
      pageMessage.textContent = t('popupPageUnsupported');
      return;
    }
    site = { tabId: tab.id, origin };
    const settings = await loadSettings().catch(() => null);
    paused = settings?.pausedSites.includes(origin) ?? false;
    showPaused();
    pauseButton.disabled = false;

    let found: PageAddress[];
    try {
      found = await askTab(tab.id, { kind: 'list-addresses' });
    } catch {
      pageMessage.textContent = paused ? t('popupPagePaused', [origin]) : t('popupPageUnavailable');
      return;
    }
    page.clear();
    for (const entry of Array.isArray(found) ? found : []) page.setFromPage(entry);
    if (page.size === 0) {
      pageMessage.textContent = paused ? t('popupPagePaused', [origin]) : t('popupPageNone');
      return;
    }
    pageMessage.textContent = paused ? t('popupPagePaused', [origin]) : t('popupPageCount', [String(page.size)]);
    verifyAll.disabled = false;
    pageExport.hidden = false;
  }

  verifyAll.addEventListener('click', () => {
    const addresses = page.addresses();
    for (const address of addresses) page.setPending(address);
    ask(addresses);
  });

  pauseButton.addEventListener('click', () => {
    if (!site) return;
    const { tabId, origin } = site;
    const want = !paused;
    pauseButton.disabled = true;
    askBackground({ kind: 'set-site-paused', origin, paused: want, tabId })
      .then(async (reply) => {
        paused = reply.paused;
        showPaused();
        pageMessage.textContent = paused ? t('popupPagePaused', [origin]) : t('popupPageResumed', [origin]);
        await askTab(tabId, { kind: 'set-paused', paused }).catch(() => undefined);
      })
      .catch(() => {
        pageMessage.textContent = t('popupPauseFailed');
      })
      .finally(() => {
        pauseButton.disabled = false;
      });
  });

  return loadPage().catch(() => {
    pageMessage.textContent = t('popupPageUnavailable');
  });
}
