// The toolbar popup: the host's status (or, until it is installed, only how to set it up),
// checking pasted or imported addresses with progress, counts that filter and Cancel, and the
// addresses the content script found on the active tab, with CSV export and pausing the site.

import browser from 'webextension-polyfill';
import type { PageAddress, PortEvent } from '../shared/messages.js';
import type { HostStatus } from '../shared/status.js';
import { announce, copyText } from '../ui/copy.js';
import { csvFileName, resultsToCsv } from '../ui/csv.js';
import { byId } from '../ui/dom.js';
import { el } from '../ui/dom.js';
import { needsSetup, renderHostStatus } from '../ui/host-status-view.js';
import { showPort25Banner } from '../ui/port25-banner.js';
import { localizePage, t } from '../ui/i18n.js';
import { askBackground, askTab, ChecksPort } from '../ui/messaging.js';
import { loadSettings } from '../ui/settings-store.js';
import { renderVerdictBadge } from '../ui/verdict-view.js';
import { addressesInFile, normalizeAddress, splitAddresses } from './addresses.js';
import { BulkRun, clockText } from './bulk-run.js';
import { COUNTED_VERDICTS, ResultList } from './result-list.js';

/** The welcome page doubles as the setup guide. */
const SETUP_PAGE = 'welcome/welcome.html';

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
  /** The running or last bulk check of pasted or imported addresses. */
  bulk: () => BulkRun | null;
  /** Redraws the progress line (the popup does it every second while a check runs). */
  tick: () => void;
}

export async function startPopup(): Promise<PopupHandle> {
  localizePage();

  const hostStatus = byId('host-status');
  const checkForm = byId<HTMLFormElement>('check-form');
  const checkInput = byId<HTMLTextAreaElement>('check-input');
  const checkSummary = byId('check-summary');
  const checkExport = byId('check-export');
  const checkCancel = byId<HTMLButtonElement>('check-cancel');
  const checkImport = byId<HTMLInputElement>('check-import');
  const progressBox = byId('check-progress');
  const progressBar = byId<HTMLProgressElement>('check-progress-bar');
  const progressText = byId('check-progress-text');
  const countsBox = byId('check-counts');
  const setupActions = byId('setup-actions');
  const pageMessage = byId('page-message');
  const verifyAll = byId<HTMLButtonElement>('page-verify-all');
  const pauseButton = byId<HTMLButtonElement>('page-pause');
  const pageExport = byId('page-export');
  const port25Slot = byId('port25-banner');

  const port25Actions = { onOptions: () => void browser.runtime.openOptionsPage() };
  /** The host's report on port 25, from the background, then as it changes and from every result that comes in. */
  const showPort25 = (blocked: boolean) => showPort25Banner(port25Slot, blocked, port25Actions);

  function showStatus(status: HostStatus): void {
    hostStatus.replaceChildren(renderHostStatus(status, { compact: true, onRetry: reconnect }));
    const setup = needsSetup(status);
    document.body.classList.toggle('needs-setup', setup);
    setupActions.hidden = !setup;
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
        if (event.result.reason === 'port_blocked') showPort25(true);
        else if (event.result.smtp !== null) showPort25(false);
        checks.setResult(event.address, event.result);
        page.setResult(event.address, event.result);
        settled(event.address);
        break;
      case 'failed':
        checks.setFailed(event.address, event.status);
        page.setFailed(event.address, event.status);
        showStatus(event.status);
        settled(event.address);
        break;
      case 'status':
        showStatus(event.status);
        break;
      case 'network':
        showPort25(event.port25Blocked);
        break;
      case 'skipped':
        // Refused by the tab's budget: nothing was checked, so the row stays as it is.
        break;
      case 'stage':
        // Sent to the pages' content scripts only (checks.ts).
        break;
    }
  }
  const port = new ChecksPort(onEvent);
  port.open();
  window.addEventListener('pagehide', () => port.close());

  // ------------------------------------------------------------ host status
  showStatus({ state: 'connecting' });
  askBackground({ kind: 'get-status' }).then(showStatus, () => showStatus({ state: 'disconnected' }));
  askBackground({ kind: 'get-network' }).then(
    (network) => showPort25(network?.port25Blocked === true),
    () => undefined,
  );

  // ------------------------------------------------------------ checking pasted addresses
  let bulk: BulkRun | null = null;
  let ticker: number | undefined;
  let intro = '';

  function settled(address: string): void {
    if (bulk?.settle(normalizeAddress(address))) showProgress();
    else renderCounts();
  }

  function showProgress(): void {
    renderCounts();
    if (!bulk) return;
    const { total, done, elapsedMs, remainingMs, running, cancelled } = bulk.progress();
    progressBox.hidden = false;
    progressBar.max = Math.max(1, total);
    progressBar.value = done;
    const parts = [t('popupProgressDone', [String(done), String(total)]), t('popupProgressElapsed', [clockText(elapsedMs)])];
    if (remainingMs !== null) parts.push(t('popupProgressLeft', [clockText(remainingMs)]));
    progressText.textContent = parts.join(' · ');
    checkCancel.hidden = !running || cancelled;
    if (!running) {
      window.clearInterval(ticker);
      ticker = undefined;
      progressBox.hidden = !cancelled; // the summary below says the rest, once
      const end = cancelled ? t('popupSummaryCancelled', [String(done), String(total)]) : t('popupSummaryDone', [String(done), clockText(elapsedMs)]);
      checkSummary.textContent = [intro, end].filter(Boolean).join(' · ');
    }
  }

  function renderCounts(): void {
    const counts = checks.counts();
    const shown = COUNTED_VERDICTS.filter((verdict) => counts[verdict] > 0);
    if (checks.currentFilter !== null && !shown.includes(checks.currentFilter)) checks.setFilter(null);
    countsBox.hidden = shown.length === 0;
    countsBox.replaceChildren(
      ...shown.map((verdict) => {
        const pressed = checks.currentFilter === verdict;
        const button = el('button', { className: `count count--${verdict}`, attrs: { type: 'button', 'aria-pressed': String(pressed) } }, [
          renderVerdictBadge(verdict),
          el('span', { className: 'count__n', text: String(counts[verdict]) }),
        ]);
        button.addEventListener('click', () => {
          checks.setFilter(pressed ? null : verdict);
          renderCounts();
          countsBox.querySelector<HTMLButtonElement>(`.count--${verdict}`)?.focus();
        });
        return button;
      }),
    );
  }

  function runCheck(): void {
    const { addresses, invalid, duplicates } = splitAddresses(checkInput.value);
    if (bulk?.running) bulk.cancel();
    checks.clear();
    checks.setFilter(null);
    if (addresses.length === 0 && invalid.length === 0) {
      checkSummary.textContent = t('popupCheckEmpty');
      checkExport.hidden = true;
      progressBox.hidden = true;
      renderCounts();
      checkInput.focus();
      return;
    }
    for (const token of invalid) checks.addInvalid(token);
    for (const address of addresses) checks.setPending(address);
    const parts: string[] = [];
    if (invalid.length > 0) parts.push(t('popupSummaryInvalid', [String(invalid.length)]));
    if (duplicates > 0) parts.push(t('popupSummaryDuplicates', [String(duplicates)]));
    intro = parts.join(' · ');
    checkSummary.textContent = [t('popupSummaryChecking', [String(addresses.length)]), intro].filter(Boolean).join(' · ');
    checkExport.hidden = false;
    window.clearInterval(ticker);
    bulk = new BulkRun(addresses, (batch) => port.check(batch, 'smtp'));
    if (bulk.running) ticker = window.setInterval(showProgress, 1000);
    showProgress();
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
  checkCancel.addEventListener('click', () => {
    if (!bulk) return;
    for (const address of bulk.cancel()) checks.setCancelled(address);
    showProgress();
    checkInput.focus();
  });
  checkImport.addEventListener('change', () => {
    const file = checkImport.files?.[0];
    if (!file) return;
    void file.text().then(
      (text) => {
        const found = addressesInFile(text);
        checkImport.value = '';
        if (found.addresses.length === 0 && found.invalid.length === 0) {
          checkSummary.textContent = t('popupImportNone', [file.name]);
          return;
        }
        checkInput.value = [...found.addresses, ...found.invalid].join('\n');
        runCheck();
      },
      () => {
        checkSummary.textContent = t('popupImportFailed', [file.name]);
      },
    );
  });

  function wireExport(list: ResultList, prefix: string): void {
    const feedback = byId(`${prefix}-export-feedback`);
    byId(`${prefix}-copy-csv`).addEventListener('click', () => {
      const csv = resultsToCsv(list.csvItems());
      void copyText(csv).then((copied) => announce(feedback, copied ? t('popupCsvCopied') : t('commonCopyFailed')));
    });
    byId(`${prefix}-download-csv`).addEventListener('click', () => {
      downloadCsv(resultsToCsv(list.csvItems()), csvFileName());
      announce(feedback, t('popupCsvDownloaded'));
    });
  }
  wireExport(checks, 'check');
  wireExport(page, 'page');

  byId('open-options').addEventListener('click', () => {
    void browser.runtime.openOptionsPage();
  });
  byId('open-setup').addEventListener('click', () => {
    void browser.tabs.create({ url: browser.runtime.getURL(SETUP_PAGE) }).then(() => window.close());
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

  const pageReady = loadPage().catch(() => {
    pageMessage.textContent = t('popupPageUnavailable');
  });

  return { port, checks, page, pageReady, bulk: () => bulk, tick: showProgress };
}
