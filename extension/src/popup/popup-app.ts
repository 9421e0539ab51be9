// The toolbar popup: the host's status (or, until it is installed, only how to set it up),
// checking pasted or imported addresses (bulk-section.ts), and the addresses the content script
// found on the active tab (page-section.ts). One checks-port client serves both lists.

import browser from 'webextension-polyfill';
import { ChecksClient, type ChecksPort } from '../shared/checks-client.js';
import { CHECKS_PORT, type PortEvent } from '../shared/messages.js';
import { byId } from '../ui/dom.js';
import { localizePage } from '../ui/i18n.js';
import { startBulkSection } from './bulk-section.js';
import type { BulkRun } from './bulk-run.js';
import { wireExport } from './export.js';
import { startHostHeader } from './host-header.js';
import { startPageSection } from './page-section.js';
import { ResultList } from './result-list.js';

/** The welcome page doubles as the setup guide. */
const SETUP_PAGE = 'welcome/welcome.html';

export interface PopupHandle {
  port: ChecksClient;
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
  const header = startHostHeader();

  /** Mailbox checks the user asked for; the client re-sends them if the service worker restarts. */
  const ask = (addresses: readonly string[], force = false) => {
    for (const address of addresses) port.check(address, 'smtp', force, 'user');
  };
  /** A forced re-check from one list shows as pending in both. */
  const recheck = (address: string) => {
    for (const list of [checks, page]) if (list.has(address)) list.setPending(address);
    ask([address], true);
  };
  const checkSuggestion = (address: string) => {
    if (!checks.has(address)) {
      checks.setPending(address);
      ask([address]);
    }
    byId('check-export').hidden = false;
  };
  const checks = new ResultList(byId<HTMLUListElement>('check-results'), {
    onRecheck: recheck,
    onSuggestion: checkSuggestion,
  });
  const page = new ResultList(byId<HTMLUListElement>('page-results'), { onRecheck: recheck });
  const bulk = startBulkSection(checks, ask);

  function onEvent(event: PortEvent): void {
    switch (event.kind) {
      case 'result':
        if (event.result.reason === 'port_blocked') header.showPort25(true);
        else if (event.result.smtp !== null) header.showPort25(false);
        checks.setResult(event.address, event.result);
        page.setResult(event.address, event.result);
        bulk.settled(event.address);
        break;
      case 'failed':
        checks.setFailed(event.address, event.status);
        page.setFailed(event.address, event.status);
        header.showStatus(event.status);
        bulk.settled(event.address);
        break;
      case 'status':
        header.showStatus(event.status);
        break;
      case 'network':
        header.showPort25(event.port25Blocked);
        break;
      case 'skipped':
        break; // a page's budget: the popup's checks are the user's, never skipped
      case 'stage':
        break; // stages go to the pages' content scripts only (checks.ts)
    }
  }
  const port = new ChecksClient({
    connect: () => browser.runtime.connect({ name: CHECKS_PORT }) as ChecksPort,
    onEvent,
    // A burst of checks (a click, a bulk window) goes out as one message, before the next paint.
    schedule: (flush) => queueMicrotask(flush),
  });
  port.open();
  window.addEventListener('pagehide', () => port.close());

  wireExport(checks, 'check');
  wireExport(page, 'page');
  byId('open-options').addEventListener('click', () => {
    void browser.runtime.openOptionsPage();
  });
  byId('open-setup').addEventListener('click', () => {
    void browser.tabs.create({ url: browser.runtime.getURL(SETUP_PAGE) }).then(() => window.close());
  });

  const pageReady = startPageSection(page, ask);
  return { port, checks, page, pageReady, bulk: bulk.current, tick: bulk.tick };
}
