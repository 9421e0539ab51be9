// The popup's bulk check: pasted or imported addresses, handed over a window at a time, with
// progress ("N of M done", elapsed, estimate), counts per verdict that double as filters, and
// Cancel.

import { byId, el } from '../ui/dom.js';
import { t } from '../ui/i18n.js';
import { renderVerdictBadge } from '../ui/verdict-view.js';
import { addressesInFile, normalizeAddress, splitAddresses } from './addresses.js';
import { BulkRun, clockText } from './bulk-run.js';
import { COUNTED_VERDICTS, type ResultList } from './result-list.js';

export interface BulkSection {
  /** A result or a failure for `address` came in. */
  settled(address: string): void;
  /** The running or last bulk check. */
  current(): BulkRun | null;
  /** Redraws the progress line (done every second while a check runs). */
  tick(): void;
}

export function startBulkSection(checks: ResultList, ask: (addresses: readonly string[]) => void): BulkSection {
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
    const parts = [
      t('popupProgressDone', [String(done), String(total)]),
      t('popupProgressElapsed', [clockText(elapsedMs)]),
    ];
    if (remainingMs !== null) parts.push(t('popupProgressLeft', [clockText(remainingMs)]));
    progressText.textContent = parts.join(' · ');
    checkCancel.hidden = !running || cancelled;
    if (!running) {
      window.clearInterval(ticker);
      ticker = undefined;
      progressBox.hidden = !cancelled; // the summary below says the rest, once
      const end = cancelled
        ? t('popupSummaryCancelled', [String(done), String(total)])
        : t('popupSummaryDone', [String(done), clockText(elapsedMs)]);
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
        const button = el(
          'button',
          { className: `count count--${verdict}`, attrs: { type: 'button', 'aria-pressed': String(pressed) } },
          [renderVerdictBadge(verdict), el('span', { className: 'count__n', text: String(counts[verdict]) })],
        );
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
    checkSummary.textContent = [t('popupSummaryChecking', [String(addresses.length)]), intro]
      .filter(Boolean)
      .join(' · ');
    checkExport.hidden = false;
    window.clearInterval(ticker);
    bulk = new BulkRun(addresses, (batch) => ask(batch));
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

  return { settled, current: () => bulk, tick: showProgress };
}
