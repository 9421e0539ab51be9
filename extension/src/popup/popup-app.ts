// The toolbar popup: the host's status, checking pasted addresses, and the addresses the
// content script found on the active tab, with CSV export and pausing MX Lens on the site.

import browser from 'webextension-polyfill';
import type { PageAddress, PortEvent } from '../shared/messages.js';
import type { HostStatus } from '../shared/status.js';
import { announce, copyText } from '../ui/copy.js';
import { csvFileName, resultsToCsv } from '../ui/csv.js';
import { byId } from '../ui/dom.js';
import { renderHostStatus } from '../ui/host-status-view.js';
import { localizePage, t } from '../ui/i18n.js';
import { askBackground, askTab, ChecksPort } from '../ui/messaging.js';
import { loadSettings } from '../ui/settings-store.js';
import { reasonText } from '../ui/verdict-view.js';
import { splitAddresses } from './addresses.js';
import { ResultList } from './result-list.js';

interface ActiveSite {
  tabId: number;
  origin: string;
}

/** The origin MX Lens works on for this URL, or null (browser pages, files, the store). */
export function siteOrigin(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

export function downloadCsv(csv: string, fileName: string): void {
  // The byte order mark makes spreadsheet programs read the file as UTF-8.
  const blob = new Blob(['\uFEFF', csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface PopupHandle {
  port: ChecksPort;
  checks: ResultList;
  page: ResultList;
  /** Settles when the page section has loaded (tests wait for it). */
  pageReady: Promise<void>;
}

export async function startPopup(): Promise<PopupHandle> {
  localizePage();

  const hostStatus = byId('host-status');
  const checkForm = byId<HTMLFormElement>('check-form');
  const checkInput = byId<HTMLTextAreaElement>('check-input');
  const checkSummary = byId('check-summary');
  const checkExport = byId('check-export');
  const pageMessage = byId('page-message');
  const verifyAll = byId<HTMLButtonElement>('page-verify-all');
  const pauseButton = byId<HTMLButtonElement>('page-pause');
  const pageExport = byId('page-export');

  let port: ChecksPort;

  function showStatus(status: HostStatus): void {
    hostStatus.replaceChildren(renderHostStatus(status, { compact: true, onRetry: reconnect }));
  }

  function reconnect(): void {
    showStatus({ state: 'connecting' });
    askBackground({ kind: 'reconnect' }).then(showStatus, () => showStatus({ state: 'disconnected' }));
  }

  const recheck = (address: string) => {
    checks.setPending(address);
    if (page.has(address)) page.setPending(address);
    port.check([address], 'smtp', true);
  };
  const recheckOnPage = (address: string) => {
    page.setPending(address);
    if (checks.has(address)) checks.setPending(address);
    port.check([address], 'smtp', true);
  };
  const checkSuggestion = (address: string) => {
    if (!checks.has(address)) {
      checks.setPending(address);
      port.check([address], 'smtp');
    }
    checkExport.hidden = false;
  };

  const checks = new ResultList(byId<HTMLUListElement>('check-results'), { onRecheck: recheck, onSuggestion: checkSuggestion });
  const page = new ResultList(byId<HTMLUListElement>('page-results'), { onRecheck: recheckOnPage });

  function onEvent(event: PortEvent): void {
    switch (event.kind) {
      case 'result':
        checks.setResult(event.address, event.result);
        page.setResult(event.address, event.result);
        break;
      case 'failed':
        checks.setFailed(event.address, event.status);
        page.setFailed(event.address, event.status);
        showStatus(event.status);
        break;
      case 'status':
        showStatus(event.status);
        break;
    }
  }
  port = new ChecksPort(onEvent);
  port.open();
  window.addEventListener('pagehide', () => port.close());

  // ------------------------------------------------------------ host status
  showStatus({ state: 'connecting' });
  askBackground({ kind: 'get-status' }).then(showStatus, () => showStatus({ state: 'disconnected' }));

  // ------------------------------------------------------------ checking pasted addresses
  function runCheck(): void {
    const { addresses, invalid, duplicates } = splitAddresses(checkInput.value);
    checks.clear();
    if (addresses.length === 0 && invalid.length === 0) {
      checkSummary.textContent = t('popupCheckEmpty');
      checkExport.hidden = true;
      checkInput.focus();
      return;
    }
    for (const token of invalid) checks.addInvalid(token);
    for (const address of addresses) checks.setPending(address);
    const parts = [t('popupSummaryChecking', [String(addresses.length)])];
    if (invalid.length > 0) parts.push(t('popupSummaryInvalid', [String(invalid.length)]));
    if (duplicates > 0) parts.push(t('popupSummaryDuplicates', [String(duplicates)]));
    checkSummary.textContent = parts.join(' · ');
    checkExport.hidden = false;
    port.check(addresses, 'smtp');
  }
  checkForm.addEventListener('submit', (event) => {
    event.preventDefault();
    runCheck();
  });
  checkInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      runCheck();
    }
  });

  function wireExport(list: ResultList, prefix: string): void {
    const feedback = byId(`${prefix}-export-feedback`);
    byId(`${prefix}-copy-csv`).addEventListener('click', () => {
      const csv = resultsToCsv(list.csvItems(), reasonText);
      void copyText(csv).then((copied) => announce(feedback, copied ? t('popupCsvCopied') : t('commonCopyFailed')));
    });
    byId(`${prefix}-download-csv`).addEventListener('click', () => {
      downloadCsv(resultsToCsv(list.csvItems(), reasonText), csvFileName());
      announce(feedback, t('popupCsvDownloaded'));
    });
  }
  wireExport(checks, 'check');
  wireExport(page, 'page');

  byId('open-options').addEventListener('click', () => {
    void browser.runtime.openOptionsPage();
  });

  // ------------------------------------------------------------ the active tab
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
    port.check(addresses, 'smtp');
  });

  pauseButton.addEventListener('click', () => {
    if (!site) return;
    const { tabId, origin } = site;
    const want = !paused;
    pauseButton.disabled = true;
    askBackground({ kind: 'set-site-paused', origin, paused: want })
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

  const pageReady = loadPage().catch(() => {
    pageMessage.textContent = t('popupPageUnavailable');
  });

  return { port, checks, page, pageReady };
}
