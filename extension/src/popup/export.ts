// A result list's CSV export: copied to the clipboard or downloaded as a file.

import { announce, copyText } from '../ui/copy.js';
import { csvFileName, resultsToCsv } from '../ui/csv.js';
import { byId } from '../ui/dom.js';
import { t } from '../ui/i18n.js';
import type { ResultList } from './result-list.js';

function downloadCsv(csv: string, fileName: string): void {
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

/** The buttons #PREFIX-copy-csv and #PREFIX-download-csv, with feedback in #PREFIX-export-feedback. */
export function wireExport(list: ResultList, prefix: 'check' | 'page'): void {
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
